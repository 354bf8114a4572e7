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

# The key store's tests (tests/keystore.rs): a real GNOME Keyring in a private D-Bus session
# (dbus-run-session), and keyctl to see that the kernel's user keyring can be used.
ensure_keyring() {
  command -v gnome-keyring-daemon >/dev/null 2>&1 && command -v dbus-run-session >/dev/null 2>&1 \
    && command -v keyctl >/dev/null 2>&1 && return
  echo "installing gnome-keyring, dbus and keyutils" >&2
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends gnome-keyring dbus dbus-daemon keyutils >/dev/null
}

# The SDK clients the endpoint is tested with (tests/sdk_clients.rs): the JavaScript SDK v3 and
# v2 from npm, and the Go SDK v2 from Debian's packages, built into one small program. A client
# that cannot be installed is left out: its tests say so and are skipped, never passed.
ensure_sdk_clients() {
  local js="$TOOLS_DIR/js"
  if command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1; then
    if [ ! -d "$js/node_modules/@aws-sdk/client-sts" ] || [ ! -d "$js/node_modules/aws-sdk" ]; then
      echo "installing @aws-sdk/client-sts@3.1177.0 and aws-sdk@2.1693.0 into $js" >&2
      mkdir -p "$js"
      npm install --prefix "$js" --no-audit --no-fund --silent @aws-sdk/client-sts@3.1177.0 aws-sdk@2.1693.0 >&2 \
        || echo "warning: the JavaScript SDKs could not be installed; their tests will be skipped" >&2
    fi
    [ -d "$js/node_modules/@aws-sdk/client-sts" ] && export XROLE_JS_MODULES="$js/node_modules"
  else
    echo "warning: no node/npm; the JavaScript SDK tests will be skipped" >&2
  fi
  local gocode=/usr/share/gocode/src/github.com/aws/aws-sdk-go-v2
  if ! command -v go >/dev/null 2>&1 || [ ! -d "$gocode/service/sts" ]; then
    echo "installing Go and the Go SDK v2 from Debian's packages" >&2
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq golang-go golang-github-aws-aws-sdk-go-v2-dev >/dev/null; } \
      || echo "warning: the Go SDK could not be installed; its tests will be skipped" >&2
  fi
  local go_sts="$TOOLS_DIR/go-sts"
  if command -v go >/dev/null 2>&1 && [ -d "$gocode/service/sts" ]; then
    if [ ! -x "$go_sts" ] || [ tests/clients/go-sts/main.go -nt "$go_sts" ]; then
      (cd tests/clients/go-sts && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$TOOLS_DIR/go-cache" \
        go build -o "$go_sts" .) || echo "warning: the Go client did not build; its tests will be skipped" >&2
    fi
    [ -x "$go_sts" ] && export XROLE_GO_STS="$go_sts"
  fi
  return 0
}
