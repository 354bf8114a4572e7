#!/usr/bin/env bash
# Whole-process comparison on the same generated 5,010-profile files, in one hyperfine run:
# `xrole-tui list --json` against botocore's own profile listing (what `aws configure
# list-profiles` prints) and a full `aws` CLI start.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 scripts/bench/gen_profiles.py "$dir"
cargo build --release --quiet
export AWS_CONFIG_FILE="$dir/config" AWS_SHARED_CREDENTIALS_FILE="$dir/credentials"
test "$(./target/release/xrole-tui list --json | grep -o '"name"' | wc -l)" = 5010
hyperfine --warmup 5 --runs 40 -N --export-markdown "$dir/list.md" \
  --command-name 'xrole-tui list --json' './target/release/xrole-tui list --json' \
  --command-name 'botocore Session().available_profiles' \
    "python3 -c 'import botocore.session; print(len(botocore.session.Session().available_profiles))'"
cat "$dir/list.md"
