#!/usr/bin/env bash
# Benchmarks a growing portfolio: this handbook with 0, 99 and 999 synthetic briefings
# added (1, 100 and 1,000 briefings, 40 items each). For each: `handbook build` against
# a stock `mdbook build` of the same pages (`handbook render --out`) in one hyperfine
# run, peak memory of both (GNU time), the largest file of the site, and in Chromium the
# bytes a reader downloads for the home page and for a first search result
# (tools/bench/reader-bytes.mjs, served by python3 on 127.0.0.1).
#
# Needs hyperfine, /usr/bin/time, python3, mdbook 0.5 (MDBOOK=path), node with
# playwright-core in target/node/node_modules (`bash .ci/run` installs it) and Chromium.
# Run from the repository root: RUNS=5 [SIZES="1 100 1000"] tools/bench/portfolio.sh [SEARCH]
# SEARCH (auto, mdbook, pagefind) sets `[preprocessor.handbook] search`; default auto.
source "$(dirname "$0")/common.sh"
cargo build --release -q -p handbook --example synth
RUNS=${RUNS:-5}
SEARCH=${1:-auto}
QUERY=${QUERY:-"memory safety"}
export HANDBOOK_NODE_MODULES=$PWD/target/node/node_modules
# The quarter views count from this day, so every run builds the same pages.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1796083200}

for briefings in ${SIZES:-1 100 1000}; do
  book="$work/p$briefings"
  mkdir -p "$book"
  cp -r book.toml src content theme "$book/"
  sed -i "s/^\[preprocessor.handbook\]$/&\nsearch = \"$SEARCH\"/" "$book/book.toml"
  if [ "$briefings" -gt 1 ]; then
    "$PWD/target/release/examples/synth" $(((briefings - 1) * 40)) "$work/synth$briefings"
    cp "$work/synth$briefings"/*.yaml "$book/content/"
  fi
  runs=$RUNS
  [ "$briefings" -lt 1000 ] || runs=$(( RUNS < 3 ? RUNS : 3 ))
  echo "## $briefings briefings"
  "$H" render --root "$book" --out "$work/plain$briefings" 2>/dev/null
  hyperfine --warmup 1 --runs "$runs" --style basic \
    -n "handbook build ($briefings briefings)" "$H build --root $book --dest $work/out$briefings 2>/dev/null" \
    -n "mdbook build of the same pages" "cd $work/plain$briefings && $MDBOOK build -d $work/md$briefings 2>/dev/null"
  /usr/bin/time -f "peak memory, handbook build: %M KiB, %e s" \
    "$H" build --root "$book" --dest "$work/out$briefings" 2>&1 >/dev/null | grep 'peak memory'
  (cd "$work/plain$briefings" && /usr/bin/time -f "peak memory, mdbook build: %M KiB, %e s" \
    "$MDBOOK" build -d "$work/md$briefings" 2>&1 >/dev/null | grep 'peak memory')
  rm -rf "$work/plain$briefings" "$work/md$briefings"
  largest=$(find "$work/out$briefings" -type f -printf '%s %P\n' | sort -n | tail -1)
  echo "largest file: $largest"
  echo "site: $(du -sb "$work/out$briefings" | cut -f1) bytes in $(find "$work/out$briefings" -type f | wc -l) files"
  port=$((8700 + briefings % 97))
  python3 -m http.server --bind 127.0.0.1 --directory "$work/out$briefings" "$port" >/dev/null 2>&1 &
  server=$!
  sleep 1
  echo "reader: $(node tools/bench/reader-bytes.mjs "http://127.0.0.1:$port" "$QUERY")"
  kill "$server"
  rm -rf "$work/out$briefings" "$work/synth$briefings"
  echo
done
