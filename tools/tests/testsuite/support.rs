//! Helpers shared by the integration tests: fixture paths and running the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub(crate) fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A file or folder under `tests/fixtures`.
pub(crate) fn fixture(rel: &str) -> PathBuf {
    repo().join("tests/fixtures").join(rel)
}

/// The embedded default briefing.
pub(crate) fn seed() -> PathBuf {
    repo().join("content/rust-strategic-rise.txt")
}

/// The result of running `handbook`.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

/// Runs the real `handbook` binary in `cwd`.
#[track_caller]
pub(crate) fn handbook(cwd: &Path, args: &[&str]) -> Run {
    handbook_with(cwd, args, &[])
}

/// Runs the real `handbook` binary in `cwd` with more environment variables.
#[track_caller]
pub(crate) fn handbook_with(cwd: &Path, args: &[&str], vars: &[(&str, &str)]) -> Run {
    Command::new(env!("CARGO_BIN_EXE_handbook"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        // The day the portfolio counts from is the content's unless a test sets it.
        .env_remove("SOURCE_DATE_EPOCH")
        .envs(vars.iter().copied())
        // Snippet and link caches stay inside the build folder, never in the home folder.
        .env(
            "HANDBOOK_CACHE_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("cache"),
        )
        .output()
        .expect("the handbook binary runs")
        .into()
}

/// Replaces the first `from` in a file with `to`; `from` must be there.
#[track_caller]
pub(crate) fn replace_in(path: &Path, from: &str, to: &str) {
    let text = read(path);
    assert!(text.contains(from), "{from:?} is in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// Writes the shell script `body` as the command `name` in `bin` and returns a `PATH`
/// with `bin` first, so that the binary under test runs the script instead.
#[cfg(unix)]
pub(crate) fn first_on_path(bin: &Path, name: &str, body: &str) -> String {
    use std::os::unix::fs::PermissionsExt as _;
    let script = bin.join(name);
    std::fs::write(&script, format!("#!/bin/sh\n{body}")).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// A fresh temporary folder.
pub(crate) fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary folder")
}

/// Copies `from` to `dir/name` and returns the new path.
pub(crate) fn copy_into(from: &Path, dir: &Path, name: &str) -> PathBuf {
    let to = dir.join(name);
    std::fs::copy(from, &to).expect("copy fixture");
    to
}

/// Reads a file to a string.
#[track_caller]
pub(crate) fn read(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(path.as_ref())
        .unwrap_or_else(|e| panic!("read {}: {e}", path.as_ref().display()))
}

/// Copies a folder tree (files only; symbolic links are not followed).
pub(crate) fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk fixture");
        let rel = entry.path().strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else if entry.file_type().is_file() {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A copy of the repository's own handbook (book.toml, src, content, theme).
pub(crate) fn handbook_copy() -> tempfile::TempDir {
    let dir = tempdir();
    std::fs::copy(repo().join("book.toml"), dir.path().join("book.toml")).unwrap();
    for sub in ["src", "content", "theme"] {
        copy_tree(&repo().join(sub), &dir.path().join(sub));
    }
    dir
}

/// A copy of a fixture book under `tests/fixtures`.
pub(crate) fn fixture_copy(rel: &str) -> tempfile::TempDir {
    let dir = tempdir();
    copy_tree(&fixture(rel), dir.path());
    dir
}

/// The (first) content YAML file of a book copy.
#[track_caller]
pub(crate) fn content_yaml(book: &Path) -> PathBuf {
    std::fs::read_dir(book.join("content"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .min()
        .expect("a content YAML file")
}

/// Runs `handbook` with `args` (in `cwd` when given) and its own cache folder, and parses
/// the JSON it prints.
#[track_caller]
pub(crate) fn handbook_json(
    cwd: Option<&Path>,
    cache: &Path,
    args: &[&str],
) -> (Run, serde_json::Value) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_handbook"));
    cmd.args(args).env("HANDBOOK_CACHE_DIR", cache);
    if let Some(cwd) = cwd {
        cmd.current_dir(cwd);
    }
    let run: Run = cmd.output().unwrap().into();
    let json = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout, run.stderr));
    (run, json)
}

/// Every file under `dir` with its bytes, for comparing whole trees.
pub(crate) fn tree(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().to_path_buf(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// A running `handbook serve`, stopped when dropped.
pub(crate) struct Server {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    pub(crate) port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    pub(crate) fn start(root: &std::path::Path) -> Server {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_handbook"))
            .args(["serve", "--port", "0"])
            .current_dir(root)
            .env("NO_COLOR", "1")
            .stderr(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufRead::lines(std::io::BufReader::new(stderr)) {
                if tx.send(line.unwrap_or_default()).is_err() {
                    break;
                }
            }
        });
        let mut server = Server {
            child,
            lines,
            port: 0,
        };
        let line = server.wait_for("serving the handbook on http://127.0.0.1:");
        server.port = line
            .rsplit(':')
            .next()
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        server
    }

    /// Waits for a stderr line containing `needle`; panics after 60 s.
    pub(crate) fn wait_for(&self, needle: &str) -> String {
        let mut seen = Vec::new();
        loop {
            match self.lines.recv_timeout(std::time::Duration::from_secs(60)) {
                Ok(line) if line.contains(needle) => return line,
                Ok(line) => seen.push(line),
                Err(_) => panic!("no line with {needle:?}; saw:\n{}", seen.join("\n")),
            }
        }
    }

    pub(crate) fn get(&self, path: &str) -> (u16, String) {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        std::io::Write::write_all(&mut s, request.as_bytes()).unwrap();
        let mut body = String::new();
        std::io::Read::read_to_string(&mut s, &mut body).unwrap();
        let status = body.split_whitespace().nth(1).unwrap().parse().unwrap();
        (status, body)
    }
}

/// Runs the real `handbook` binary with `args` on a pseudo-terminal (`script`, from
/// util-linux), with its own cache folder: what a person at a terminal sees.
#[track_caller]
pub(crate) fn on_a_terminal(cache: &Path, args: &[&str]) -> Run {
    let command = format!(
        "HANDBOOK_CACHE_DIR='{}' '{}' {}",
        cache.display(),
        env!("CARGO_BIN_EXE_handbook"),
        args.iter()
            .map(|a| format!("'{a}'"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .output()
        .expect("`script` (util-linux) runs")
        .into()
}

/// Where each of `needles` first appears in `text`, asserting they appear in that order.
#[track_caller]
pub(crate) fn in_order(text: &str, needles: &[&str]) -> Vec<usize> {
    let at: Vec<usize> = needles
        .iter()
        .map(|n| {
            text.find(n)
                .unwrap_or_else(|| panic!("{n:?} is missing from {text}"))
        })
        .collect();
    assert!(
        at.windows(2).all(|w| w[0] < w[1]),
        "out of order: {needles:?} at {at:?}"
    );
    at
}

/// A stock mdBook 0.5: `$MDBOOK`, else the one `.ci/run` installs, else `mdbook` on PATH.
pub(crate) fn stock_mdbook() -> PathBuf {
    if let Some(path) = std::env::var_os("MDBOOK") {
        return path.into();
    }
    let installed = repo().join("target/tools/bin/mdbook");
    if installed.is_file() {
        return installed;
    }
    let on_path = Command::new("mdbook").arg("--version").output();
    assert!(
        on_path.is_ok_and(|o| o.status.success()),
        "no stock mdbook found: `bash .ci/run` installs mdBook 0.5 into target/tools/bin \
         (or set MDBOOK to one)"
    );
    PathBuf::from("mdbook")
}
