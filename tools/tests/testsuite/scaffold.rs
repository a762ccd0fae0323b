//! `handbook new`: another team's handbook in one command, which checks clean at once
//! and builds with a stock mdBook.

use std::path::Path;
use std::process::Command;

use crate::support::*;

/// `PATH` with the tools under test first, so `command = "handbook preprocess"` finds
/// this build's binary.
fn path_with_handbook() -> std::ffi::OsString {
    let bin = Path::new(env!("CARGO_BIN_EXE_handbook"))
        .parent()
        .unwrap()
        .to_path_buf();
    let rest = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(&rest))).unwrap()
}

/// The new handbook passes the gate and a stock `mdbook build`.
#[track_caller]
fn checks_and_builds(root: &Path) {
    let check = handbook(root, &["check"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert!(
        check.stderr.contains("0 broken link(s)"),
        "{}",
        check.stderr
    );
    let out = Command::new(stock_mdbook())
        .args(["build", "--dest-dir", "stock"])
        .current_dir(root)
        .env("PATH", path_with_handbook())
        .output()
        .expect("mdbook runs");
    assert!(
        out.status.success(),
        "stock mdbook build failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = read(root.join("stock/executive-summary.html"));
    assert!(summary.contains("hb-decision"), "{summary:.400}");
}

#[test]
fn new_starts_a_handbook_that_checks_clean_and_builds_with_mdbook() {
    let dir = tempdir();
    let root = dir.path().join("platform-handbook");
    let run = handbook(dir.path(), &["new", "platform-handbook"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for file in [
        "book.toml",
        "src/SUMMARY.md",
        "src/introduction.md",
        "content/handbook.schema.json",
        "content/example-briefing.md",
        "content/example-briefing-replace-me.yaml",
        "theme/handbook.css",
        "theme/a11y.js",
        ".github/workflows/handbook.yml",
        ".gitignore",
        "README.md",
    ] {
        assert!(root.join(file).is_file(), "{file} is written");
    }
    // No staging folder is left beside it.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    let toml = read(root.join("book.toml"));
    assert!(toml.contains("command = \"handbook preprocess\""), "{toml}");
    assert!(toml.contains("version = \"^"), "{toml}");
    checks_and_builds(&root);
}

#[test]
fn new_from_a_briefing_in_any_format() {
    let dir = tempdir();
    let briefing = copy_into(
        &fixture("briefings/identity-forms.md"),
        dir.path(),
        "identity.md",
    );
    let run = handbook(
        dir.path(),
        &[
            "new",
            "identity-handbook",
            "--from",
            briefing.to_str().unwrap(),
            "--title",
            "Identity \"Strategy\" Handbook",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let root = dir.path().join("identity-handbook");
    assert!(root.join("content/identity-new-perimeter.yaml").is_file());
    assert!(
        root.join("content/identity.md").is_file(),
        "the briefing is kept"
    );
    assert!(!root.join("content/example-briefing.md").exists());
    let toml: toml::Table = toml::from_str(&read(root.join("book.toml"))).unwrap();
    assert_eq!(
        toml["book"]["title"].as_str(),
        Some("Identity \"Strategy\" Handbook"),
        "the title survives TOML quoting"
    );
    checks_and_builds(&root);
    // Word documents start a handbook too.
    let run = handbook(
        dir.path(),
        &[
            "new",
            "word",
            "--from",
            fixture("briefings/rust-strategic-rise.docx")
                .to_str()
                .unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        read(dir.path().join("word/book.toml"))
            .contains("title = \"Rust's Strategic Rise in Enterprise Infrastructure\"")
    );
}

#[test]
fn new_refuses_a_folder_that_is_not_empty_and_a_bad_briefing() {
    let dir = tempdir();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let run = handbook(dir.path(), &["new", "."]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("is not empty"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "nothing written"
    );
    // An empty folder is fine.
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    assert_eq!(handbook(dir.path(), &["new", "empty"]).code, 0);
    // A briefing that is not one: located error, no folder.
    std::fs::write(dir.path().join("b.md"), "# Title\n\nJust notes.\n").unwrap();
    let run = handbook(dir.path(), &["new", "bad", "--from", "b.md"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("b.md:3:1"), "{}", run.stderr);
    assert!(!dir.path().join("bad").exists());
    let leftovers = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".handbook-new")
        })
        .count();
    assert_eq!(leftovers, 0, "the staging folder is removed");
}

#[test]
fn the_new_workflow_installs_this_release_and_validates() {
    let dir = tempdir();
    assert_eq!(handbook(dir.path(), &["new", "h"]).code, 0);
    let workflow = dir.path().join("h/.github/workflows/handbook.yml");
    let text = read(&workflow);
    let version = format!("HANDBOOK_VERSION: \"{}\"", env!("CARGO_PKG_VERSION"));
    for needle in [
        version.as_str(),
        "sha256sum --check",
        "fetch-depth: 0",
        "handbook check --format github",
        "actions/deploy-pages",
    ] {
        assert!(text.contains(needle), "{needle}:\n{text}");
    }
    assert!(
        !text.contains("cargo build"),
        "it installs, it does not compile"
    );
    let validator = repo().join("target/node/node_modules/.bin/action-validator");
    let out = Command::new(&validator).arg(&workflow).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// This repository's theme is the one `handbook new` writes (the crate embeds it).
#[test]
fn the_repository_theme_is_the_embedded_one() {
    for (name, text) in handbook::scaffold::THEME {
        assert_eq!(read(repo().join("theme").join(name)), *text, "theme/{name}");
    }
}

#[test]
fn a_book_may_require_a_handbook_version() {
    let dir = handbook_copy();
    let toml = dir.path().join("book.toml");
    let text = read(&toml);
    std::fs::write(
        &toml,
        text.replace(
            "content = \"content\"\n",
            "content = \"content\"\nversion = \">=99\"\n",
        ),
    )
    .unwrap();
    let run = handbook(dir.path(), &["validate"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(&format!(
            "this book needs handbook >=99, and this is handbook {}",
            env!("CARGO_PKG_VERSION")
        )),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("book.toml:"), "located: {}", run.stderr);
    std::fs::write(
        &toml,
        text.replace(
            "content = \"content\"\n",
            "content = \"content\"\nversion = \"^0\"\n",
        ),
    )
    .unwrap();
    assert_eq!(handbook(dir.path(), &["validate"]).code, 0);
}

/// Under a stock `mdbook`, the preprocessor's errors say which handbook spoke.
#[test]
fn preprocessor_errors_name_the_handbook_version() {
    let dir = tempdir();
    assert_eq!(handbook(dir.path(), &["new", "h"]).code, 0);
    let root = dir.path().join("h");
    let yaml = root.join("content/example-briefing-replace-me.yaml");
    std::fs::write(
        &yaml,
        read(&yaml).replace("  title: \"Example", "  titel: \"Example"),
    )
    .unwrap();
    let out = Command::new(stock_mdbook())
        .args(["build", "--dest-dir", "stock"])
        .current_dir(&root)
        .env("PATH", path_with_handbook())
        .output()
        .expect("mdbook runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains(&format!("error (handbook {})", env!("CARGO_PKG_VERSION"))),
        "{stderr}"
    );
    assert!(stderr.contains("unknown field `titel`"), "{stderr}");
}
