//! The compiler, as both the snippet runner and the crates' build call it.

use std::process::Command;

/// The compiler to use: `$RUSTC`, as cargo does, or `rustc` on `PATH`.
pub fn rustc() -> std::ffi::OsString {
    std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into())
}

/// `rustc -vV`, part of every cache key: a new compiler checks everything again. A
/// missing compiler is the environment's problem, not the book's.
pub fn rustc_version() -> anyhow::Result<String> {
    let rustc = rustc();
    let out = Command::new(&rustc).arg("-vV").output().map_err(|e| {
        anyhow::anyhow!(
            "cannot run `{}` to test Rust snippets: {e}; install Rust (rustup.rs) or set RUSTC",
            rustc.to_string_lossy()
        )
    })?;
    anyhow::ensure!(
        out.status.success(),
        "`{} -vV` failed: {}",
        rustc.to_string_lossy(),
        String::from_utf8_lossy(&out.stderr).trim()
    );
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The platform the compiler builds for by default (`host:` of `rustc -vV`).
pub fn host() -> anyhow::Result<String> {
    rustc_version()?
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(|h| h.trim().to_string())
        .ok_or_else(|| anyhow::anyhow!("`rustc -vV` names no host platform"))
}
