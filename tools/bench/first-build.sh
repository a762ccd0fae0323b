#!/usr/bin/env bash
# What a newcomer pays before the first preview: for each git revision given (default
# HEAD), a fresh clone with an empty target folder, then
#   1. `cargo test --workspace --locked --no-run` (the first test compile),
#   2. `cargo build --release --locked` (the README's build command compiles this),
# with wall time, peak memory (GNU time: the largest process cargo waited for, a rustc),
# the size of target/ after each step, the release binary's size and the number of
# packages in Cargo.lock. Downloads are fetched before the clock starts.
#
# Run from the repository root: tools/bench/first-build.sh [REV...]
# Prints one markdown table row per revision. Takes about 20 minutes per revision on
# 2 cores; run nothing else meanwhile.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
[ $# -gt 0 ] || set -- HEAD
echo "| revision | packages in Cargo.lock | first \`cargo test\` compile | peak memory | target/ after | first \`cargo build --release\` | peak memory | target/ after | release binary |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for rev in "$@"; do
  work=$(mktemp -d)
  git clone -q "$repo" "$work/clone"
  git -C "$work/clone" checkout -q "$rev"
  cd "$work/clone"
  cargo fetch --locked -q
  packages=$(grep -c '^name = ' Cargo.lock)
  s=$(date +%s.%N)
  /usr/bin/time -f %M -o "$work/test.peak" cargo test --workspace --locked --no-run -q 2>/dev/null
  e=$(date +%s.%N)
  test_s=$(echo "$e - $s" | bc)
  test_size=$(du -sb target | cut -f1)
  s=$(date +%s.%N)
  /usr/bin/time -f %M -o "$work/release.peak" cargo build --release --locked -q
  e=$(date +%s.%N)
  rel_s=$(echo "$e - $s" | bc)
  rel_size=$(du -sb target | cut -f1)
  bin=$(stat -c %s target/release/handbook)
  printf '| %s | %d | %.0f s | %d MiB | %.2f GB | %.0f s | %d MiB | %.2f GB | %.1f MB |\n' \
    "$(git rev-parse --short HEAD)" "$packages" "$test_s" "$(($(tail -1 "$work/test.peak") / 1024))" \
    "$(echo "$test_size/1000000000" | bc -l)" "$rel_s" "$(($(tail -1 "$work/release.peak") / 1024))" \
    "$(echo "$rel_size/1000000000" | bc -l)" "$(echo "$bin/1000000" | bc -l)"
  cd "$repo"
  rm -rf "$work"
done
