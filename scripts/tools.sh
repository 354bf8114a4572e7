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
