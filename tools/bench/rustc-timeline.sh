#!/usr/bin/env bash
# Where `handbook check snippets` spends its time on a book: every rustc it starts, with
# its start and end (seconds from the first), exit status, edition and kind (a merged
# program, a type-check of compile_fail blocks, a block alone), through a logging RUSTC
# wrapper. One cold run (`--no-cache`).
#
# usage: tools/bench/rustc-timeline.sh BOOK_DIR
# Run from the repository root.
source "$(dirname "$0")/common.sh"
book=$(cd "$1" && pwd)
cat > "$work/rustc" <<'WRAP'
#!/usr/bin/env bash
start=$(date +%s.%N)
rustc "$@"
rc=$?
echo "$start $(date +%s.%N) $rc $*" >> "$RUSTC_TIMELINE"
exit $rc
WRAP
chmod +x "$work/rustc"
begin=$(date +%s.%N)
RUSTC="$work/rustc" RUSTC_TIMELINE="$work/log" HANDBOOK_CACHE_DIR="$work/c" \
  "$H" check snippets --root "$book" --no-cache >/dev/null 2>&1 || true
end=$(date +%s.%N)
python3 - "$work/log" "$begin" "$end" <<'PY'
import re, sys
begin, end = float(sys.argv[2]), float(sys.argv[3])
rows = [l.rstrip("\n").split(" ", 3) for l in open(sys.argv[1])]
rows = [r for r in rows if "-vV" not in r[3]]
kinds = {}
for start, stop, rc, args in sorted(rows, key=lambda r: float(r[0])):
    edition = re.search(r"--edition[ =](\d+)", args)
    kind = ("type-check" if "metadata" in args else
            "merged" if "handbook-snippets-" in args else "alone")
    kinds.setdefault(kind, []).append(float(stop) - float(start))
    print(f"{float(start) - begin:6.2f} {float(stop) - begin:6.2f}  exit {rc}  "
          f"edition {edition.group(1) if edition else '-'}  {kind}")
print(f"check: {end - begin:.2f} s, {len(rows)} rustc runs")
for kind, times in sorted(kinds.items()):
    print(f"  {kind}: {len(times)} runs, {sum(times):.2f} s of compiling")
PY
