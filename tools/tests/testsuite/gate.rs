//! `handbook check`: the one gate, its exit codes and its three output formats; the
//! GitHub workflow files, validated.

use crate::support::*;

#[test]
fn the_gate_passes_on_the_handbook_and_builds_it() {
    let dir = handbook_copy();
    let run = handbook(dir.path(), &["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for stage in [
        "validate: 0 error(s)",
        "build: built book",
        "links: ",
        "0 failed",
    ] {
        assert!(
            run.stderr.contains(stage),
            "missing {stage:?}: {}",
            run.stderr
        );
    }
    assert!(dir.path().join("book/index.html").is_file());
}

/// A copy of the handbook with one problem per stage: a content warning turned error
/// is not possible without stopping the build, so content stays valid and the link and
/// the snippet are broken.
fn broken_handbook() -> tempfile::TempDir {
    let dir = handbook_copy();
    let chapter = dir.path().join("src/how-to-read.md");
    std::fs::write(
        &chapter,
        read(&chapter) + "\nSee [the appendix](appendix.md).\n\n```rust\nlet x: u8 = 300;\n```\n",
    )
    .unwrap();
    dir
}

#[test]
fn every_finding_of_every_stage_becomes_an_annotation() {
    let dir = broken_handbook();
    let run = handbook(dir.path(), &["check", "--format", "github"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let chapter_lines = read(dir.path().join("src/how-to-read.md")).lines().count();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("::error file=src/how-to-read.md,line=")
                && l.contains("broken link `appendix.md`")),
        "{}",
        run.stdout
    );
    let snippet_line = chapter_lines - 1;
    assert!(
        lines.iter().any(|l| l.starts_with(&format!(
            "::error file=src/how-to-read.md,line={snippet_line},"
        )) && l.contains("rust snippet failed")),
        "{}",
        run.stdout
    );
    assert!(
        lines.iter().all(|l| l.starts_with("::")),
        "stdout holds annotations only: {}",
        run.stdout
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("::warning file=content/")),
        "content warnings too: {}",
        run.stdout
    );

    // A content error stops the build, and is annotated at its YAML line.
    let yaml = content_yaml(dir.path());
    std::fs::write(&yaml, read(&yaml).replacen("  title:", "  titel:", 1)).unwrap();
    let run = handbook(dir.path(), &["check", "--format", "github"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("::error file=content/") && l.contains("unknown field `titel`")),
        "{}",
        run.stdout
    );
}

#[test]
fn json_is_one_document_for_all_stages() {
    let dir = broken_handbook();
    let run = handbook(dir.path(), &["check", "--format", "json"]);
    assert_eq!(run.code, 1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["ok"], false);
    let stages: Vec<(&str, &str)> = json["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["stage"].as_str().unwrap(), s["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        stages,
        [
            ("validate", "clean"),
            ("build", "clean"),
            ("links", "findings"),
            ("snippets", "findings")
        ]
    );
    assert_eq!(
        json["stages"][2]["report"]["broken"][0]["url"],
        "appendix.md"
    );
}

#[test]
fn exit_code_2_when_the_gate_cannot_run() {
    let dir = tempdir();
    let run = handbook(dir.path(), &["check"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("could not run"), "{}", run.stderr);
}

#[test]
fn workflow_files_are_valid() {
    let validator = repo().join("target/node/node_modules/.bin/action-validator");
    assert!(
        validator.exists(),
        "the workflow validator is missing: run `bash .ci/run` (it installs @action-validator/cli into target/node)"
    );
    let workflows = repo().join(".github/workflows");
    let mut checked = 0;
    for entry in std::fs::read_dir(&workflows).unwrap() {
        let path = entry.unwrap().path();
        let out = std::process::Command::new(&validator)
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: {}{}",
            path.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        checked += 1;
    }
    assert!(checked >= 1);
    // The validator does reject a broken workflow.
    let dir = tempdir();
    let bad = dir.path().join("bad.yml");
    std::fs::write(
        &bad,
        "name: x\non: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n",
    )
    .unwrap();
    assert!(
        !std::process::Command::new(&validator)
            .arg(&bad)
            .status()
            .unwrap()
            .success()
    );
    // And the workflow runs the gate and deploys with the official Pages actions.
    let text = read(workflows.join("handbook.yml"));
    for needle in [
        "handbook check --format github",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
        "pages: write",
        "id-token: write",
        "schedule:",
        "--remote",
        "fetch-depth: 0",
    ] {
        assert!(text.contains(needle), "{needle}");
    }
    // Version tags build release binaries for the four platforms, with checksums.
    let release = read(workflows.join("release.yml"));
    let dist = read(repo().join("dist-workspace.toml"));
    for target in [
        "x86_64-unknown-linux-gnu",
        "aarch64-unknown-linux-gnu",
        "aarch64-apple-darwin",
        "x86_64-pc-windows-msvc",
    ] {
        assert!(dist.contains(target), "{target}");
    }
    assert!(dist.contains("checksum = \"sha256\""));
    assert!(
        release.contains("dist build"),
        "the release workflow runs dist"
    );
}
