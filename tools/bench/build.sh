#!/usr/bin/env bash
# Benchmarks `handbook build` against a stock `mdbook build` of the same rendered pages,
# on the seed handbook and on synthetic knowledge bases of 1,000 and 10,000 items.
#
# Then both again, in turn, PAIRED_RUNS times each (tools/bench/paired.py: medians and
# their ratio), which a drift of the machine's speed between hyperfine's blocks of runs
# would otherwise skew. Peak memory of both from one run each (GNU time).
# Needs hyperfine, GNU time (/usr/bin/time) and mdbook 0.5 (MDBOOK=path, default
# `mdbook` on PATH). Run from the repository root: tools/bench/build.sh
source "$(dirname "$0")/common.sh"
cargo build --release -q -p handbook --example synth
RUNS=${RUNS:-10}
PAIRED_RUNS=${PAIRED_RUNS:-10}
SYNTH=$PWD/target/release/examples/synth

echo "## Seed handbook"
"$H" render --out "$work/seed-plain" 2>/dev/null
hyperfine --warmup 2 --runs "$RUNS" --style basic \
  -n "handbook build" "$H build --dest $work/seed-out 2>/dev/null" \
  -n "mdbook build of the rendered pages" "cd $work/seed-plain && $MDBOOK build -d $work/seed-mdout 2>/dev/null"
python3 tools/bench/paired.py "$PAIRED_RUNS" "$H build --dest $work/seed-out" \
  "sh -c 'cd $work/seed-plain && exec $MDBOOK build -d $work/seed-mdout'"
peak() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
echo "peak memory (KiB): handbook build $(peak "$H" build --dest "$work/seed-out")," \
  "mdbook build $(cd "$work/seed-plain" && peak "$MDBOOK" build -d "$work/seed-mdout")"

for items in 1000 10000; do
  book="$work/kb$items"
  mkdir -p "$book/src"
  cp tests/fixtures/render/two-briefings/book.toml "$book/book.toml"
  printf '# Summary\n\n- [Introduction](intro.md)\n' > "$book/src/SUMMARY.md"
  printf '# Introduction\n\nA synthetic knowledge base.\n' > "$book/src/intro.md"
  "$SYNTH" "$items" "$book/content"
  "$H" render --root "$book" --out "$book-plain" 2>/dev/null
  pages=$(find "$book-plain/src" -name '*.md' ! -name SUMMARY.md | wc -l)
  echo
  echo "## $items items ($pages pages)"
  hyperfine --warmup 1 --runs "$RUNS" --style basic \
    -n "handbook build ($items items)" "$H build --root $book --dest $work/out$items 2>/dev/null" \
    -n "mdbook build of the rendered pages ($items items)" "cd $book-plain && $MDBOOK build -d $work/mdout$items 2>/dev/null"
  python3 tools/bench/paired.py "$PAIRED_RUNS" "$H build --root $book --dest $work/out$items" \
    "sh -c 'cd $book-plain && exec $MDBOOK build -d $work/mdout$items'"
  echo "peak memory (KiB): handbook build $(peak "$H" build --root "$book" --dest "$work/out$items")," \
    "mdbook build $(cd "$book-plain" && peak "$MDBOOK" build -d "$work/mdout$items")"
done
