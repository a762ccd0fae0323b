#!/usr/bin/env bash
# `handbook check links` against lychee and hyperlink on real mdBook books: the same
# site, built once with the HTML renderer, checked offline with fragments by each tool,
# in one hyperfine run per book; then what each reports.
#
#   handbook check links --book BOOK   (builds the book itself, reports markdown lines)
#   handbook check links --html SITE   (the built site, without its book)
#   lychee --offline --include-fragments SITE
#   hyperlink SITE --check-anchors
#
# Then `--html` and hyperlink once more, alternating, PAIRED_RUNS times each
# (tools/bench/paired.py: medians), and the peak memory of each (GNU time, one run).
#
# usage: tools/bench/real-links.sh BOOK_DIR [BOOK_DIR...]
# Needs hyperfine, /usr/bin/time, hyperlink (HYPERLINK=path) and lychee (LYCHEE=path;
# left out when it is not installed). The books are not
# part of this repository: bring them yourself and name their commits where you report
# results. Run from the repository root.
source "$(dirname "$0")/common.sh"
RUNS=${RUNS:-10}
PAIRED_RUNS=${PAIRED_RUNS:-100}
have_lychee=true
command -v "$LYCHEE" >/dev/null 2>&1 || { have_lychee=false; echo "lychee not found: left out"; }
peak() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1; }
for book in "$@"; do
  book=$(cd "$book" && pwd)
  name=$(basename "$book")
  site="$work/sites/$name"
  (cd "$book" && "$H" build --dest "$site" >/dev/null 2>&1)
  echo "## $name ($(find "$site" -name '*.html' | wc -l) HTML files)"
  # What each reports. Our JSON has one entry per (markdown or HTML line, URL).
  ours_book=$(cd "$book" && HANDBOOK_CACHE_DIR=$work/c "$H" check links --format json 2>/dev/null \
    | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["broken"]))' || true)
  ours_html=$(cd "$work" && HANDBOOK_CACHE_DIR=$work/c "$H" check links --html "$site" --format json 2>/dev/null \
    | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["broken"]))' || true)
  lychee_errors=-
  $have_lychee && lychee_errors=$("$LYCHEE" --offline --include-fragments --no-progress --format json "$site" 2>/dev/null \
    | python3 -c 'import json,sys; print(json.load(sys.stdin).get("errors", "?"))' || true)
  hyperlink_bad=$("$HYPERLINK" "$site" --check-anchors 2>&1 | grep -E '^Found [0-9]+ bad' \
    | awk '{s += $2} END {print s}' || true)
  echo "findings: check links --book $ours_book, --html $ours_html, lychee $lychee_errors, hyperlink $hyperlink_bad"
  lychee_cmd=()
  $have_lychee && lychee_cmd=(-n "lychee --offline --include-fragments ($name)" "$LYCHEE --offline --include-fragments --no-progress '$site' >/dev/null 2>&1")
  hyperfine --warmup 2 --runs "$RUNS" --style basic -i \
    -n "handbook check links --book ($name)" "cd '$book' && HANDBOOK_CACHE_DIR=$work/c $H check links >/dev/null 2>&1" \
    -n "handbook check links --html ($name)" "cd '$work' && HANDBOOK_CACHE_DIR=$work/c $H check links --html '$site' >/dev/null 2>&1" \
    -n "hyperlink --check-anchors ($name)" "$HYPERLINK '$site' --check-anchors >/dev/null 2>&1" \
    "${lychee_cmd[@]}"
  # The same two again, in turn and many times: the comparison the goal asks for, which
  # a drift of the machine's speed between hyperfine's blocks of runs would skew.
  python3 tools/bench/paired.py "$PAIRED_RUNS" "$H check links --html $site" \
    "$HYPERLINK $site --check-anchors"
  echo "peak memory (KiB): --book $(cd "$book" && HANDBOOK_CACHE_DIR=$work/c peak "$H" check links)," \
    "--html $(cd "$work" && HANDBOOK_CACHE_DIR=$work/c peak "$H" check links --html "$site")," \
    "hyperlink $(peak "$HYPERLINK" "$site" --check-anchors)" \
    "$($have_lychee && echo ", lychee $(peak "$LYCHEE" --offline --include-fragments --no-progress "$site")")"
done
