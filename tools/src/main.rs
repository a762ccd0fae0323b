//! The `handbook` command: parse arguments, run, map the outcome to an exit code.

use clap::Parser as _;

fn main() -> std::process::ExitCode {
    let cli = handbook::cli::Cli::parse();
    handbook::cli::exit_code(handbook::cli::run(cli))
}
