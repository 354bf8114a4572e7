#!/usr/bin/env bash
# Whole-process comparison on generated files of 5,010 and 50,010 profiles, one hyperfine run
# each: `xrole-tui list --json` against botocore's own profile listing (what `aws configure
# list-profiles` prints) and a floor that only reads both files and scans their lines
# (scripts/bench/list_floor.rs, compiled here with rustc -O).
set -euo pipefail
case "${1:-}" in
  -h|--help) sed -n '2,5p' "$0" | sed 's/^# //'; echo "usage: scripts/bench/list.sh   (needs hyperfine and python3 with botocore)"; exit 0 ;;
esac
cd "$(dirname "$0")/../.."
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
rustc -O -o "$dir/floor" scripts/bench/list_floor.rs
cargo build --release --quiet
for accounts in 1250 12500; do
  python3 scripts/bench/gen_profiles.py --accounts "$accounts" "$dir/$accounts"
  export AWS_CONFIG_FILE="$dir/$accounts/config" AWS_SHARED_CREDENTIALS_FILE="$dir/$accounts/credentials"
  echo "## $(./target/release/xrole-tui list --json | grep -o '"name"' | wc -l) profiles"
  hyperfine --warmup 3 --runs 20 -N --export-markdown "$dir/list-$accounts.md" \
    --command-name 'xrole-tui list --json' './target/release/xrole-tui list --json' \
    --command-name 'floor (read + scan lines)' "$dir/floor" \
    --command-name 'botocore Session().available_profiles' \
      "python3 -c 'import botocore.session; print(len(botocore.session.Session().available_profiles))'" >&2
  cat "$dir/list-$accounts.md"
done
