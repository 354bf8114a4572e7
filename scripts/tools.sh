# Installs the helpers that tests and the demo need, when missing. Sourced by the scripts.

MOTO_VERSION="5.2.5"
TOOLS_DIR="${TOOLS_DIR:-$PWD/target/tools}"

# Sets MOTO_SERVER to a moto_server binary: the one on PATH, else one installed from PyPI.
ensure_moto() {
  if [ -n "${MOTO_SERVER:-}" ] && [ -x "$MOTO_SERVER" ]; then return; fi
  if command -v moto_server >/dev/null 2>&1 && moto_server --help >/dev/null 2>&1; then
    MOTO_SERVER=$(command -v moto_server)
  else
    local venv="$TOOLS_DIR/moto-$MOTO_VERSION"
    if [ ! -x "$venv/bin/moto_server" ]; then
      echo "installing moto[server]==$MOTO_VERSION into $venv" >&2
      python3 -m venv "$venv"
      "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
    fi
    MOTO_SERVER="$venv/bin/moto_server"
  fi
  export MOTO_SERVER
}

# Sets AWS_CLI to an `aws` command (the AWS CLI reads `credential-process` output in a test).
ensure_awscli() {
  if [ -n "${AWS_CLI:-}" ] && [ -x "$AWS_CLI" ]; then return; fi
  if command -v aws >/dev/null 2>&1 && aws --version >/dev/null 2>&1; then
    AWS_CLI=$(command -v aws)
  else
    local venv="$TOOLS_DIR/awscli"
    if [ ! -x "$venv/bin/aws" ]; then
      echo "installing awscli into $venv" >&2
      python3 -m venv "$venv"
      "$venv/bin/pip" install --quiet --disable-pip-version-check awscli
    fi
    AWS_CLI="$venv/bin/aws"
  fi
  export AWS_CLI
}

# tmux, for the tests that drive the real binary in a pseudo-terminal.
ensure_tmux() {
  command -v tmux >/dev/null 2>&1 && return
  echo "installing tmux" >&2
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux >/dev/null
}
