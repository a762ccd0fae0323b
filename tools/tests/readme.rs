//! The README as a newcomer follows it: every `cargo` command it shows, run exactly as
//! written in a fresh clone of the repository, and a stock `mdbook build` with the
//! installed preprocessor. A README that drifts from the code fails here.
//!
//! A test binary of its own, so nothing else runs while it builds. The clone writes its
//! binaries into its own `target/` but shares this build's intermediate artifacts
//! (cargo's `build-dir`), so its first build compiles only the `handbook` crate.

use std::path::{Path, PathBuf};
use std::process::Command;

// The integration suite's helpers; this binary uses a few of them.
#[allow(dead_code)]
#[path = "testsuite/support.rs"]
mod support;

use support::{read, repo, stock_mdbook};

/// The lines of the README's `sh` blocks and the `cargo …` commands of its inline code,
/// each without its trailing `# comment`.
fn readme_commands(readme: &str) -> (Vec<String>, Vec<String>) {
    let mut blocks = Vec::new();
    let mut inline = Vec::new();
    let mut in_sh = false;
    let mut in_other = false;
    for line in readme.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            if in_sh || in_other {
                (in_sh, in_other) = (false, false);
            } else if trimmed == "```sh" {
                in_sh = true;
            } else {
                in_other = true;
            }
            continue;
        }
        if in_sh {
            let command = trimmed.split(" #").next().unwrap_or_default().trim();
            if !command.is_empty() {
                blocks.push(command.to_string());
            }
        } else if !in_other {
            for (i, span) in line.split('`').enumerate() {
                if i % 2 == 1 && span.starts_with("cargo ") {
                    inline.push(span.to_string());
                }
            }
        }
    }
    (blocks, inline)
}

/// This build's intermediate artifacts (`<target>/<profile>/` holds the test binaries).
fn build_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_handbook"))
        .ancestors()
        .nth(2)
        .expect("the binary lies in <target>/<profile>/")
        .to_path_buf()
}

/// What `git clone` of the working tree gives: the files git tracks or would track,
/// without ignored ones (`target/`, `book/`).
fn fresh_clone() -> tempfile::TempDir {
    let listed = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(repo())
        .output()
        .expect("git runs");
    assert!(
        listed.status.success(),
        "the README test needs the git repository: {}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let dir = tempfile::tempdir().unwrap();
    for rel in listed.stdout.split(|b| *b == 0).filter(|r| !r.is_empty()) {
        let rel = Path::new(std::str::from_utf8(rel).expect("UTF-8 paths"));
        let from = repo().join(rel);
        if !from.is_file() {
            continue; // deleted in the working tree, not yet committed
        }
        let to = dir.path().join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&from, &to).unwrap();
    }
    dir
}

/// Runs a README line with `sh` in `dir`, as a newcomer's terminal would.
fn sh(dir: &Path, line: &str, env: &[(&str, &std::ffi::OsStr)]) -> (bool, String, String) {
    let mut cmd = Command::new("sh");
    cmd.args(["-c", line])
        .current_dir(dir)
        .env("CARGO_BUILD_BUILD_DIR", build_dir())
        .env_remove("CARGO_TARGET_DIR")
        .env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("sh runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn readme_commands_work_as_written_in_a_fresh_clone() {
    let readme = read(repo().join("README.md"));
    let (blocks, inline) = readme_commands(&readme);
    let clone = fresh_clone();
    let dir = clone.path();

    // The two set-up commands: the build is run; the test command is what runs this.
    let build = blocks
        .iter()
        .find(|c| c.starts_with("cargo run") && c.ends_with("-- build"))
        .expect("the README shows how to build the handbook");
    assert!(
        blocks.iter().any(|c| c == "bash .ci/run"),
        "the README shows the test command"
    );
    let (ok, _, stderr) = sh(dir, build, &[]);
    assert!(ok, "`{build}` failed in a fresh clone:\n{stderr}");
    let index = read(dir.join("book/index.html"));
    assert!(index.contains("Rust Strategy Handbook"), "{index:.300}");
    assert!(
        dir.join("book/handbook.json").is_file(),
        "the build writes handbook.json"
    );

    // Every other `cargo run … -- <command>` the README shows exists as written.
    let mut checked = Vec::new();
    for line in blocks.iter().chain(&inline) {
        let Some((cargo, rest)) = line.split_once(" -- ") else {
            continue;
        };
        if !cargo.starts_with("cargo run") || line == build {
            continue;
        }
        let command = rest.split_whitespace().next().unwrap_or_default();
        let help = format!("{cargo} -- {command} --help");
        let (ok, stdout, stderr) = sh(dir, &help, &[]);
        assert!(ok, "`{line}` (checked as `{help}`) fails:\n{stderr}");
        assert!(stdout.contains("Usage: handbook"), "{help}:\n{stdout}");
        checked.push(command.to_string());
    }
    for command in ["serve", "check", "ingest", "schema"] {
        assert!(
            checked.iter().any(|c| c == command),
            "the README shows `{command}`; checked {checked:?}"
        );
    }

    // `cargo install` puts `handbook` on PATH, and a stock `mdbook build` then runs the
    // preprocessor through `command = "handbook preprocess"`. The test installs a debug
    // build (`--debug`) of the same command: the release build it would otherwise
    // compile proves nothing more and costs minutes.
    let install = blocks
        .iter()
        .find(|c| c.starts_with("cargo install"))
        .expect("the README shows how to install `handbook`");
    let root = tempfile::tempdir().unwrap();
    let (ok, _, stderr) = sh(
        dir,
        &format!("{install} --debug"),
        &[("CARGO_INSTALL_ROOT", root.path().as_os_str())],
    );
    assert!(ok, "`{install}` failed:\n{stderr}");
    let bin = root.path().join("bin");
    assert!(bin.join("handbook").is_file() && bin.join("mdbook-handbook").is_file());
    let system_path: Vec<PathBuf> =
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .filter(|p| !p.join("handbook").exists())
            .collect();
    let with_install =
        std::env::join_paths(std::iter::once(bin.clone()).chain(system_path.clone())).unwrap();
    let mdbook = stock_mdbook();
    let out = Command::new(&mdbook)
        .args(["build", "--dest-dir", "stock"])
        .current_dir(dir)
        .env("PATH", &with_install)
        .output()
        .expect("mdbook runs");
    assert!(
        out.status.success(),
        "stock `mdbook build` failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The generated pages come from the installed preprocessor.
    let summary = read(dir.join("stock/executive-summary.html"));
    assert!(summary.contains("hb-"), "{summary:.500}");

    // Without `handbook` on PATH the same build fails: the test above did use PATH.
    let out = Command::new(&mdbook)
        .args(["build", "--dest-dir", "stock-without"])
        .current_dir(dir)
        .env("PATH", std::env::join_paths(system_path).unwrap())
        .output()
        .expect("mdbook runs");
    assert!(
        !out.status.success(),
        "without `handbook` on PATH the stock build must fail"
    );
}

#[test]
fn readme_commands_are_found() {
    let (blocks, inline) = readme_commands(
        "# T\n\n```sh\ncargo run -p x -- build   # builds\nbash .ci/run\n```\n\n```text\ncargo run -- not-this\n```\n\nThen `cargo run -p x -- serve` and `cargo fmt`.\n",
    );
    assert_eq!(blocks, ["cargo run -p x -- build", "bash .ci/run"]);
    assert_eq!(inline, ["cargo run -p x -- serve", "cargo fmt"]);
}
