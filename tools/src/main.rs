//! The `handbook` command: parse arguments, run, map the outcome to an exit code.

use clap::Parser as _;
use handbook::cli::{Cli, Command};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    if builds_the_site(&cli.command) {
        return_memory_at_once();
    }
    handbook::cli::exit_code(handbook::cli::run(cli))
}

/// Whether the command builds the whole site, where a large handbook peaks in memory.
fn builds_the_site(command: &Command) -> bool {
    matches!(
        command,
        Command::Build { .. } | Command::Serve { .. } | Command::Check { what: None, .. }
    )
}

// mimalloc keeps freed memory for reuse, which raised the peak of a build of a thousand
// briefings from 1.0 to 1.3 GiB. Two of its options bring it back: memory committed as it
// is used (set before the first allocation, so on Linux as a constructor, before `main`)
// and, for a build, freed memory handed back at once (which costs a short command such as
// `check links --html` a millisecond of system calls, so only builds pay it). mimalloc 2
// numbers them in `mimalloc.h` (`mi_option_arena_eager_commit` = 4,
// `mi_option_purge_delay` = 15); the crate leaves them unnamed.
const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

#[cfg(target_os = "linux")]
extern "C" fn commit_as_used() {
    // SAFETY: setting an option only changes how the allocator commits memory.
    unsafe { libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0) }
}

#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static COMMIT_AS_USED: extern "C" fn() = commit_as_used;

fn return_memory_at_once() {
    // SAFETY: setting an option only changes when the allocator returns freed memory.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) }
}
