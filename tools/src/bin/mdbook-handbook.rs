//! `mdbook-handbook`: the handbook preprocessor under mdBook's naming convention, so a
//! stock `mdbook build` finds it on `PATH` from `[preprocessor.handbook]` alone.

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let supports = match args.as_slice() {
        [s, renderer] if s == "supports" => Some(renderer.as_str()),
        _ => None,
    };
    match handbook::book::run_command(supports) {
        Ok(true) => std::process::ExitCode::SUCCESS,
        Ok(false) => std::process::ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}
