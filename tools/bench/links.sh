#!/usr/bin/env bash
# Benchmarks `handbook check links` against `lychee --offline --include-fragments` on
# the same built mdBooks of 1,000 and 5,000 chapters. Each chapter links to the next
# chapter, to a heading of another chapter, to its own heading and to an image; every
# 100th chapter adds a link to a missing page and one to a missing heading, so the true
# findings are 2 per 100 chapters.
#
# Needs hyperfine, lychee 0.24 (LYCHEE=path) and mdbook 0.5 (MDBOOK=path).
# Run from the repository root: tools/bench/links.sh
source "$(dirname "$0")/common.sh"
RUNS=${RUNS:-5}

for n in 1000 5000; do
  book="$work/book$n"
  mkdir -p "$book/src/img"
  printf 'PNG' > "$book/src/img/logo.png"
  printf '[book]\ntitle = "Links %d"\nsrc = "src"\n\n[build]\ncreate-missing = false\n' "$n" > "$book/book.toml"
  {
    printf '# Summary\n\n'
    for ((i = 0; i < n; i++)); do printf -- '- [Chapter %d](c%d.md)\n' "$i" "$i"; done
  } > "$book/src/SUMMARY.md"
  for ((i = 0; i < n; i++)); do
    {
      printf '# Chapter %d\n\n## Details of %d\n\n' "$i" "$i"
      printf 'Next: [chapter](c%d.md). See [details](c%d.md#details-of-%d) and [here](#details-of-%d). ![logo](img/logo.png)\n' \
        $(( (i + 1) % n )) $(( (i + 7) % n )) $(( (i + 7) % n )) "$i"
      if (( i % 100 == 0 )); then
        printf '\nBroken: [gone](missing-%d.md) and [no heading](c%d.md#nowhere).\n' "$i" $(( (i + 1) % n ))
      fi
    } > "$book/src/c$i.md"
  done
  (cd "$book" && "$MDBOOK" build >/dev/null 2>&1)
  site="$book/book"
  echo
  echo "## $n chapters (expected findings: $(( 2 * n / 100 )))"
  "$H" check links --html "$site" --format json > "$work/h$n.json" || true
  (cd "$book" && "$H" check links --book . --format json > "$work/hb$n.json") || true
  (cd "$site" && "$LYCHEE" --offline --include-fragments --no-progress --format json --output "$work/l$n.json" . >/dev/null 2>&1) || true
  python3 - "$work/h$n.json" "$work/hb$n.json" "$work/l$n.json" <<'PY'
import json, sys
h, hb, l = (json.load(open(p)) for p in sys.argv[1:])
print(f"handbook --html: {h['checked']} targets checked, {len(h['broken'])} findings")
print(f"handbook --book: {hb['checked']} targets checked, {len(hb['broken'])} findings")
print(f"lychee: {l.get('total')} links checked, {l.get('errors')} errors")
PY
  hyperfine --warmup 1 --runs "$RUNS" --style basic -i \
    -n "lychee --offline --include-fragments ($n)" "cd $site && $LYCHEE --offline --include-fragments --no-progress . >/dev/null 2>&1" \
    -n "handbook check links --html ($n)" "$H check links --html $site >/dev/null 2>&1" \
    -n "handbook check links --book, build included ($n)" "cd $book && $H check links --book . >/dev/null 2>&1"
  peak() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
  echo "peak memory (KiB): lychee $(cd "$site" && peak "$LYCHEE" --offline --include-fragments --no-progress .)," \
    "--html $(peak "$H" check links --html "$site"), --book $(cd "$book" && peak "$H" check links --book .)"
done
