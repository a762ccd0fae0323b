//! CLI surface tests: each case under `tests/cmd/` runs the real binary and pins its
//! output and exit code. Update the expected output with `TRYCMD=overwrite`.

#[test]
fn cli_cases() {
    trycmd::TestCases::new().case("../tests/cmd/*.toml");
}

/// The hostile-input corpus (`tests/corpus/`, written by `tests/corpus/generate.py`):
/// every case pins its message and exit code, and its `.out` tree proves that neither
/// the content nor the previous build changed.
#[test]
fn hostile_input_corpus() {
    trycmd::TestCases::new().case("../tests/corpus/*.toml");
}
