#!/usr/bin/env bash
# The demo: moto on a free loopback port, seeded with the demo world (assets/demo/world.py), a
# demo AWS config in a temporary directory, and the TUI opened on it. Quitting stops moto and
# removes the temporary files. Any 6-digit code works as the MFA code.
set -euo pipefail
case "${1:-}" in
  -h|--help) sed -n '2,4p' "$0" | sed 's/^# //'; echo "usage: scripts/demo.sh [xrole-tui options, e.g. --profile dev]"; exit 0 ;;
esac
cd "$(dirname "$0")/.."
source scripts/tools.sh
ensure_moto
python=$(dirname "$MOTO_SERVER")/python
[ -x "$python" ] && "$python" -c 'import boto3' 2>/dev/null || python=python3

echo "building xrole-tui (release; the first build takes about 10 minutes on 2 cores)…" >&2
cargo build --release

tmp=$(mktemp -d)
port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$MOTO_SERVER" -H 127.0.0.1 -p "$port" >"$tmp/moto.log" 2>&1 &
moto_pid=$!
# The vendor's IAM Identity Center (any sign-in is approved), in front of moto.
"$python" assets/demo/sso_standin.py "http://127.0.0.1:$port" "$tmp/sso.port" >"$tmp/sso.log" 2>&1 &
sso_pid=$!
# One file per run, so two demos never overwrite each other's.
envfile=$(mktemp "${TMPDIR:-/tmp}/xrole-tui-demo.XXXXXX.env")
trap 'kill "$moto_pid" "$sso_pid" 2>/dev/null; wait "$moto_pid" "$sso_pid" 2>/dev/null; rm -rf "$tmp"; rm -f "$envfile"' EXIT
for _ in $(seq 1 300); do
  "$python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/')" 2>/dev/null && break
  sleep 0.1
done
"$python" assets/demo/world.py "http://127.0.0.1:$port" "$tmp/aws"
for _ in $(seq 1 100); do [ -s "$tmp/sso.port" ] && break; sleep 0.1; done
sso="http://127.0.0.1:$(cat "$tmp/sso.port")"

export AWS_CONFIG_FILE="$tmp/aws/config" AWS_SHARED_CREDENTIALS_FILE="$tmp/aws/credentials"
export AWS_ENDPOINT_URL="http://127.0.0.1:$port" XDG_CACHE_HOME="$tmp/cache" XDG_STATE_HOME="$tmp/state"
# Its tokens stay in the demo's directory: a real ~/.aws/sso/cache is never touched.
export AWS_ENDPOINT_URL_SSO="$sso" AWS_ENDPOINT_URL_SSO_OIDC="$sso" XROLE_SSO_CACHE_DIR="$tmp/sso-cache"
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN XROLE_PROFILE
# The role shells the TUI opens find xrole-tui (status, unlock) on their PATH.
export PATH="$PWD/target/release:$PATH"
cat >"$envfile" <<ENV
export AWS_CONFIG_FILE='$AWS_CONFIG_FILE' AWS_SHARED_CREDENTIALS_FILE='$AWS_SHARED_CREDENTIALS_FILE'
export AWS_ENDPOINT_URL='$AWS_ENDPOINT_URL' XDG_CACHE_HOME='$XDG_CACHE_HOME' XDG_STATE_HOME='$XDG_STATE_HOME'
export AWS_ENDPOINT_URL_SSO='$sso' AWS_ENDPOINT_URL_SSO_OIDC='$sso' XROLE_SSO_CACHE_DIR='$XROLE_SSO_CACHE_DIR'
export PATH='$PWD/target/release':"\$PATH"
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN XROLE_PROFILE
ENV
echo "demo world on http://127.0.0.1:$port — any 6-digit MFA code works; any IAM Identity Center sign-in is approved (xrole-tui sso login vendor-sso)" >&2
echo "a second terminal on this demo: source $envfile" >&2
echo "(moto does not enforce IAM policies: the vendor role can read company-private here)" >&2
./target/release/xrole-tui "$@"
