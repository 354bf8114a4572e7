#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what the tests need (moto from PyPI, in a
# virtualenv under target/, and the AWS CLI), then checks formatting and lints and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
ensure_moto
ensure_awscli
ensure_tmux

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
export INSTA_UPDATE=no  # a changed screen fails the test; it never rewrites the snapshot
cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings

# Processes the tests start (moto, tmux servers, the binary itself) must all be gone after them.
ours() { ps -eo pid=,args= | grep -E 'moto_server|tmux -S .*/tmux.sock|target/debug/xrole-tui' | grep -v grep | awk '{print $1}' | sort; }
before=$(ours || true)
cargo test --locked --no-fail-fast </dev/null
sleep 1  # the moto watchdogs notice their test process is gone within 0.3 s
left=$(comm -13 <(echo "$before") <(ours || true) | grep . || true)
if [ -n "$left" ]; then
    echo "the tests left processes running:" >&2
    ps -o pid=,args= -p $left >&2 || true
    kill $left 2>/dev/null || true
    exit 1
fi
