#!/usr/bin/env bash
# Benchmarks `handbook check snippets` against `mdbook test` on generated books of 20,
# 120 and 300 small Rust snippets (10 per chapter), cold and re-run unchanged, with the
# floor: one rustc invocation of all snippets merged into one program, then one run per
# snippet.
#
# Needs hyperfine and mdbook 0.5 (MDBOOK=path, default `mdbook` on PATH).
# Run from the repository root: tools/bench/snippets.sh
source "$(dirname "$0")/common.sh"
RUNS=${RUNS:-5}
EDITION=${EDITION:-2021}

snippet() { # $1 = index
  printf '```rust\nlet values: Vec<u64> = (0..%d).collect();\nlet total: u64 = values.iter().sum();\nassert_eq!(total, %d);\nprintln!("{total}");\n```\n\n' "$1" "$(( $1 * ($1 - 1) / 2 ))"
}

for n in 20 120 300; do
  book="$work/book$n"
  mkdir -p "$book/src"
  printf '[book]\ntitle = "Bench"\n\n[rust]\nedition = "%s"\n' "$EDITION" > "$book/book.toml"
  printf '# Summary\n\n' > "$book/src/SUMMARY.md"
  floor="$work/floor$n.rs"
  printf '#![allow(unused)]\n' > "$floor"
  dispatch=""
  for ((c = 0; c < n / 10; c++)); do
    printf -- '- [Chapter %d](c%d.md)\n' "$c" "$c" >> "$book/src/SUMMARY.md"
    {
      printf '# Chapter %d\n\n' "$c"
      for ((i = 0; i < 10; i++)); do snippet $((c * 10 + i + 1)); done
    } > "$book/src/c$c.md"
    for ((i = 0; i < 10; i++)); do
      k=$((c * 10 + i + 1))
      printf 'mod s%d { pub(crate) fn main() {\nlet values: Vec<u64> = (0..%d).collect();\nlet total: u64 = values.iter().sum();\nassert_eq!(total, %d);\nprintln!("{total}");\n} }\n' "$k" "$k" "$(( k * (k - 1) / 2 ))" >> "$floor"
      dispatch+="Some(\"$k\") => s$k::main(), "
    done
  done
  printf 'fn main() { match std::env::args().nth(1).as_deref() { %s_ => {} } }\n' "$dispatch" >> "$floor"
  cat > "$work/floor$n.sh" <<SH
set -e
cd $work
rustc --edition $EDITION -C debuginfo=0 -o floor$n floor$n.rs
for ((k = 1; k <= $n; k++)); do ./floor$n \$k > /dev/null; done
SH
  echo
  echo "## $n snippets, edition $EDITION"
  hyperfine --warmup 1 --runs "$RUNS" --style basic \
    -n "mdbook test ($n)" "cd $book && $MDBOOK test >/dev/null 2>&1" \
    -n "handbook check snippets, cold ($n)" "HANDBOOK_CACHE_DIR=$work/cache$n $H check snippets --book $book --no-cache 2>/dev/null" \
    -n "handbook check snippets, unchanged re-run ($n)" "HANDBOOK_CACHE_DIR=$work/cache$n $H check snippets --book $book 2>/dev/null" \
    -n "floor: one merged rustc + $n runs ($n)" "bash $work/floor$n.sh"
  # %M: the largest resident set of the command and of each child it waited for.
  echo "peak memory (KiB): mdbook test $(cd "$book" && /usr/bin/time -f %M "$MDBOOK" test 2>&1 >/dev/null | tail -1)," \
    "check snippets cold $(HANDBOOK_CACHE_DIR=$work/peak$n /usr/bin/time -f %M "$H" check snippets --book "$book" --no-cache 2>&1 >/dev/null | tail -1)"
done
