//! The compiler, as both the snippet runner and the crates' build call it.
//!
//! `rustc` on `PATH` is often rustup's proxy, which picks a toolchain (from the folder's
//! `rust-toolchain.toml`, an override or the default) and starts that toolchain's
//! `rustc`: about 8 ms of every compile, and decided by the folder each compile runs
//! in, a temporary one. So the compiler is asked once, in the book's folder, for its
//! version and its sysroot, and the sysroot's `rustc` compiles every snippet: the
//! toolchain the book asks for, without the proxy.

use std::ffi::OsString;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// The compiler that checks a book's snippets.
#[derive(Debug, Clone)]
pub struct Rustc {
    /// What to run: `$RUSTC` as cargo does, else the sysroot's `rustc`, else `rustc`.
    pub path: OsString,
    /// `rustc -vV`, part of every cache key: a new compiler checks everything again.
    pub version: String,
}

/// The compiler being asked for its version and sysroot (see [`Rustc::ask`]).
pub struct Asked {
    rustc: OsString,
    version: std::io::Result<Child>,
    sysroot: Option<std::io::Result<Child>>,
}

impl Rustc {
    /// Starts asking the compiler, in `root`, for its version and (unless `$RUSTC` names
    /// it) its sysroot; the answer waits in [`Asked::answer`], so the caller can read
    /// the book meanwhile.
    pub fn ask(root: &Path) -> Asked {
        let given = std::env::var_os("RUSTC");
        let rustc = given.clone().unwrap_or_else(|| "rustc".into());
        let start = |args: &[&str]| {
            Command::new(&rustc)
                .args(args)
                .current_dir(root)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
        };
        Asked {
            version: start(&["-vV"]),
            sysroot: given.is_none().then(|| start(&["--print", "sysroot"])),
            rustc,
        }
    }

    /// The platform the compiler builds for by default (`host:` of `rustc -vV`).
    pub fn host(&self) -> anyhow::Result<&str> {
        self.version
            .lines()
            .find_map(|l| l.strip_prefix("host: "))
            .map(str::trim)
            .ok_or_else(|| anyhow::anyhow!("`rustc -vV` names no host platform"))
    }
}

impl Asked {
    /// The compiler, once it has answered. A missing compiler is the environment's
    /// problem, not the book's.
    pub fn answer(self) -> anyhow::Result<Rustc> {
        let shown = self.rustc.to_string_lossy().into_owned();
        let out = self
            .version
            .and_then(Child::wait_with_output)
            .map_err(|e| {
                anyhow::anyhow!(
                    "cannot run `{shown}` to test Rust snippets: {e}; install Rust (rustup.rs) \
                     or set RUSTC"
                )
            })?;
        anyhow::ensure!(
            out.status.success(),
            "`{shown} -vV` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
        let version = String::from_utf8_lossy(&out.stdout).into_owned();
        // Without a sysroot to go by, the compiler is run as named.
        let in_sysroot = self
            .sysroot
            .and_then(|child| child.and_then(Child::wait_with_output).ok())
            .filter(|out| out.status.success())
            .map(|out| {
                Path::new(String::from_utf8_lossy(&out.stdout).trim())
                    .join("bin")
                    .join(format!("rustc{}", std::env::consts::EXE_SUFFIX))
            })
            .filter(|path| path.is_file());
        Ok(Rustc {
            path: in_sysroot.map_or(self.rustc, OsString::from),
            version,
        })
    }
}
