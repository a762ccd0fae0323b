//! The `handbook` command: parse arguments, run, map the outcome to an exit code.

use clap::Parser as _;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = handbook::cli::Cli::parse();
    handbook::cli::exit_code(handbook::cli::run(cli))
}

/// mimalloc keeps freed memory for reuse, which raised the peak of a build of a thousand
/// briefings from 1.0 to 1.3 GiB: memory is committed as it is used and handed back at
/// once. The options must be set before the first allocation, so on Linux this runs as a
/// constructor, before `main`. mimalloc 2 numbers them in `mimalloc.h`
/// (`mi_option_arena_eager_commit` = 4, `mi_option_purge_delay` = 15); the crate leaves
/// them unnamed.
#[cfg(target_os = "linux")]
extern "C" fn allocator_options() {
    // SAFETY: setting an option only changes how the allocator commits and returns memory.
    unsafe {
        libmimalloc_sys::mi_option_set(4, 0);
        libmimalloc_sys::mi_option_set(15, 0);
    }
}

#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static ALLOCATOR_OPTIONS: extern "C" fn() = allocator_options;
