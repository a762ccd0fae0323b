//! CLI surface tests: each case under `tests/cmd/` runs the real binary and pins its
//! output and exit code. Update the expected output with `TRYCMD=overwrite`.

#[test]
fn cli_cases() {
    trycmd::TestCases::new().case("../tests/cmd/*.toml");
}
