#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what the tests need (moto from PyPI, in a
# virtualenv under target/, and the AWS CLI), then checks formatting and lints and runs every test.
set -euo pipefail
case "${1:-}" in
  -h|--help) sed -n '2,3p' "$0" | sed 's/^# //'; echo "usage: scripts/test.sh   (no arguments; CI runs it through .ci/run)"; exit 0 ;;
  "") ;;
  *) echo "scripts/test.sh takes no arguments (try --help)" >&2; exit 2 ;;
esac
cd "$(dirname "$0")/.."
source scripts/tools.sh
ensure_moto
ensure_awscli
ensure_tmux
ensure_keyring
ensure_sdk_clients

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
export INSTA_UPDATE=no  # a changed screen fails the test; it never rewrites the snapshot
cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings

# Processes the tests start (moto, tmux servers, the binary itself) must all be gone after them.
# They are found by a marker in their environment that only this run gives, never by their name:
# another user's (or another run's) moto or tmux on the same machine is not ours to end.
# (Given to cargo alone, so this script's own commands do not carry it.)
XROLE_TEST_RUN="$$-$(date +%s%N)"
ours() {
  for env in /proc/[0-9]*/environ; do
    pid=${env#/proc/}; pid=${pid%/environ}
    tr '\0' '\n' 2>/dev/null <"$env" | grep -qx "XROLE_TEST_RUN=$XROLE_TEST_RUN" && echo "$pid"
  done
  return 0
}
# A decoy with a name the tests' own processes have, outside this run: it must be left running.
decoy_dir=$(mktemp -d)
ln -s "$(command -v sleep)" "$decoy_dir/moto_server"
"$decoy_dir/moto_server" 3600 &
decoy=$!
trap 'kill "$decoy" 2>/dev/null; rm -rf "$decoy_dir"' EXIT

status=0
XROLE_TEST_RUN="$XROLE_TEST_RUN" cargo test --locked --no-fail-fast </dev/null || status=$?
sleep 1  # the moto watchdogs notice their test process is gone within 0.3 s
left=$(ours)
if [ -n "$left" ]; then
    echo "the tests left processes running:" >&2
    ps -o pid=,args= -p $left >&2 || true
    kill $left 2>/dev/null || true
    status=1
fi
if ! kill -0 "$decoy" 2>/dev/null; then
    echo "the tests ended a process that was not theirs (a decoy named moto_server)" >&2
    status=1
fi
exit "$status"
