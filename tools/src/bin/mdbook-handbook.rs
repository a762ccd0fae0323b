//! `mdbook-handbook`: the handbook preprocessor under mdBook's naming convention, so a
//! stock `mdbook build` finds it on `PATH` from `[preprocessor.handbook]` alone.

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    handbook::cli::exit_code(handbook::cli::preprocess(&args))
}
