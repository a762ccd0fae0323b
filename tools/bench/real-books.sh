#!/usr/bin/env bash
# `handbook check snippets` against `mdbook test` on real mdBook books, paired in one
# hyperfine run per book (cold: `--no-cache`), plus what each reports as failing and
# the peak memory of each (GNU time, one run; `mdbook test` counted with the rustdoc
# processes it waits for).
#
# usage: tools/bench/real-books.sh BOOK_DIR [BOOK_DIR...]
# Needs hyperfine and mdbook 0.5 (MDBOOK=path). The books are not part of this
# repository: bring them yourself and name their commits where you report results.
# Run from the repository root.
source "$(dirname "$0")/common.sh"
RUNS=${RUNS:-3}
for book in "$@"; do
  book=$(cd "$book" && pwd)
  name=$(basename "$book")
  echo "## $name"
  # What each finds: mdbook test's failing tests, our failed Rust snippets.
  failing=$(cd "$book" && "$MDBOOK" test 2>&1 | grep -c '\.\.\. FAILED' || true)
  HANDBOOK_CACHE_DIR=$work/c "$H" check snippets --root "$book" --no-cache --format json > "$work/$name.json" 2>/dev/null || true
  python3 - "$work/$name.json" "$failing" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
rust = [s for s in r["snippets"] if s["lang"] == "rust"]
count = lambda st: sum(1 for s in rust if s["status"] == st)
print(f"mdbook test: {sys.argv[2]} failing test(s)")
print(f"check snippets: {len(rust)} Rust blocks, {count('passed')} passed, {count('failed')} failed, "
      f"{count('ignored')} ignored; {r['compiled']} rustc run(s)")
for s in rust:
    if s["status"] == "failed":
        print(f"  failed: {s['file']}:{s['line']}: {(s.get('message') or '').splitlines()[0][:100]}")
PY
  hyperfine --warmup 1 --runs "$RUNS" --style basic -i \
    -n "mdbook test ($name)" "cd '$book' && $MDBOOK test >/dev/null 2>&1" \
    -n "handbook check snippets --no-cache ($name)" \
    "HANDBOOK_CACHE_DIR=$work/c $H check snippets --root '$book' --no-cache >/dev/null 2>&1"
  # %M is the largest resident set of the process and of each child it waited for.
  echo "peak memory (KiB): mdbook test $(cd "$book" && /usr/bin/time -f %M "$MDBOOK" test 2>&1 >/dev/null | tail -1)," \
    "check snippets $(HANDBOOK_CACHE_DIR=$work/c /usr/bin/time -f %M "$H" check snippets --root "$book" --no-cache 2>&1 >/dev/null | tail -1)"
done
