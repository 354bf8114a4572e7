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
cargo test --locked </dev/null
