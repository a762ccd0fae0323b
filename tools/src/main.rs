//! The `handbook` command: parse arguments, run, map the outcome to an exit code.

use clap::Parser as _;
use handbook::cli::Cli;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // SAFETY: the option is only read when the process exits.
    unsafe { libmimalloc_sys::mi_option_set(DESTROY_ON_EXIT, 2) };
    handbook::cli::exit_code(handbook::cli::run(Cli::parse()))
}

// At exit mimalloc frees every page it holds and hands them back to the system, one
// `madvise` each, as a library unloaded from a longer-lived process should: a process
// that ends gets all of it back anyway. On a link check of a small book that was some 60
// calls after the output was written, about 0.1 ms of the run. Values above 1 skip it
// (`mimalloc.h` numbers the option 22, `mi_option_destroy_on_exit`, in mimalloc 2 and 3
// alike).
const DESTROY_ON_EXIT: libmimalloc_sys::mi_option_t = 22;

// mimalloc commits its arenas ahead of use, which raised the peak of a build of a
// thousand briefings from 1.0 to 1.3 GiB. Committing memory only as it is used brings it
// back to 1.1 GiB; it costs a short command time (about 5 % of a link check of a small
// book, in system calls), so only the commands that build the site set it. It must be
// set before the first allocation: on Linux from a constructor, before `main`, which
// glibc hands the command line (as the standard library's own does); elsewhere there is
// no such constructor and mimalloc's default stays. Handing freed memory back at once as
// well (`purge_delay = 0`) saved 4 % more of that peak but made the same build 25 %
// slower (BENCHMARKS.md, "Handing freed memory back"), so it is left at its default.
// `mimalloc.h` numbers the option (`mi_option_arena_eager_commit` = 4, in mimalloc 2
// and 3 alike); the crate leaves it unnamed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;

#[cfg(all(target_os = "linux", target_env = "gnu"))]
extern "C" fn set_allocator(
    argc: std::ffi::c_int,
    argv: *const *const std::ffi::c_char,
    _env: *const *const std::ffi::c_char,
) {
    // SAFETY: glibc passes the process's argc and argv, whose strings live as long as it.
    // Nothing is allocated here: the allocator is not set up yet.
    let args = (0..usize::try_from(argc).unwrap_or(0))
        .map(|i| unsafe { std::ffi::CStr::from_ptr(*argv.add(i)) }.to_bytes());
    if builds_the_site(args) {
        // SAFETY: setting an option only changes when the allocator commits memory.
        unsafe { libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0) }
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[used]
#[unsafe(link_section = ".init_array")]
static SET_ALLOCATOR: extern "C" fn(
    std::ffi::c_int,
    *const *const std::ffi::c_char,
    *const *const std::ffi::c_char,
) = set_allocator;

/// Whether the command line asks for the whole site to be built (`build`, `serve`, or
/// `check` without `links`/`snippets`), where a large handbook peaks in memory. Read
/// before the arguments are parsed, so an odd command line at worst gets the other
/// allocator settings.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn builds_the_site<'a>(mut args: impl Iterator<Item = &'a [u8]>) -> bool {
    match args.nth(1) {
        Some(b"build" | b"serve") => true,
        Some(b"check") => !args.any(|a| matches!(a, b"links" | b"snippets")),
        _ => false,
    }
}
