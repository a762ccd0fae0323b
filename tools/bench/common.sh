# Sourced by the benchmark scripts: from the repository root, a release build of
# `handbook` in $H, a scratch folder in $work (removed on exit), and the tools compared
# against, each overridable by path (MDBOOK, LYCHEE, HYPERLINK).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
MDBOOK=${MDBOOK:-mdbook}
LYCHEE=${LYCHEE:-lychee}
HYPERLINK=${HYPERLINK:-hyperlink}
cargo build --release -q -p handbook --bin handbook
H=$PWD/target/release/handbook
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
