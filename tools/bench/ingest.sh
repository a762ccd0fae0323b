#!/usr/bin/env bash
# Benchmarks `handbook ingest` into knowledge bases of 1, 100 and 1,000 briefings
# (synthetic, 40 items each, from `examples/synth.rs`): the seed briefing is ingested
# into each, with its ids checked against every file and its relations across
# briefings suggested against every earlier briefing.
#
# Needs hyperfine and GNU time (/usr/bin/time). Run from the repository root:
# tools/bench/ingest.sh
source "$(dirname "$0")/common.sh"
cargo build --release -q -p handbook --example synth
RUNS=${RUNS:-10}
SYNTH=$PWD/target/release/examples/synth
cp content/rust-strategic-rise.txt "$work/seed.txt"
for briefings in 1 100 1000; do
  kb="$work/kb$briefings"
  "$SYNTH" $((briefings * 40)) "$kb"
  clean="rm -f $kb/rust-strategic-rise-enterprise-infrastructure.yaml $kb/seed.txt"
  echo
  echo "## $briefings briefing(s) already in the knowledge base"
  hyperfine -N --warmup 1 --runs "$RUNS" --style basic --prepare "$clean" \
    -n "ingest into $briefings briefing(s)" "$H ingest $work/seed.txt --out $kb"
  $clean
  /usr/bin/time -f "peak memory: ingest into $briefings briefing(s): %M KiB, %e s" \
    "$H" ingest "$work/seed.txt" --out "$kb" 2>&1 >/dev/null | grep 'peak memory'
done
