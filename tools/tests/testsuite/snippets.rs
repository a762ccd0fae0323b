//! `handbook check snippets`: verdicts compared with rustdoc's, failures located,
//! timeouts, output caps and the cache.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::support::*;

/// Runs `handbook check snippets` on `book` with its own cache folder.
fn check(book: &Path, cache: &Path, extra: &[&str]) -> (Run, serde_json::Value) {
    let mut args = vec![
        "check",
        "snippets",
        "--book",
        book.to_str().unwrap(),
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    handbook_json(None, cache, &args)
}

/// rustdoc's verdict per fence line: `ok`, `FAILED` or `ignored`.
fn rustdoc_verdicts(file: &Path, edition: &str) -> BTreeMap<usize, String> {
    let out = Command::new("rustdoc")
        .args([
            "--test",
            file.file_name().unwrap().to_str().unwrap(),
            "--edition",
            edition,
        ])
        .current_dir(file.parent().unwrap())
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("rustdoc runs");
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .filter_map(|l| {
            let l = l.strip_prefix("test ")?;
            let line: usize = l.split("(line ").nth(1)?.split(')').next()?.parse().ok()?;
            let verdict = l.rsplit(" ... ").next()?.to_string();
            Some((line, verdict))
        })
        .collect()
}

#[test]
fn every_verdict_matches_rustdoc() {
    let book = fixture("snippets/rustdoc");
    let cache = tempdir();
    // One worker: every mergeable block of an edition shares one program, the hardest
    // case for attribution (two `#[global_allocator]`s would collide there).
    let (run, json) = check(&book, cache.path(), &["--no-cache", "--jobs", "1"]);
    assert_eq!(run.code, 1, "failures.md fails: {}", run.stderr);
    let mut compared = 0;
    for chapter in ["attributes.md", "failures.md", "real-books.md"] {
        let expected = rustdoc_verdicts(&book.join("src").join(chapter), "2021");
        assert!(
            expected.len() >= 5,
            "rustdoc ran on {chapter}: {expected:?}"
        );
        let ours: Vec<&serde_json::Value> = json["snippets"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["file"] == format!("src/{chapter}"))
            .collect();
        for s in &ours {
            let line = s["line"].as_u64().unwrap() as usize;
            match (s["lang"].as_str().unwrap(), expected.get(&line)) {
                ("rust", Some(verdict)) => {
                    let mapped = match s["status"].as_str().unwrap() {
                        "passed" => "ok",
                        "failed" => "FAILED",
                        "ignored" => "ignored",
                        other => other,
                    };
                    assert_eq!(
                        mapped, verdict,
                        "{chapter}:{line}: ours {s}, rustdoc {verdict}"
                    );
                    compared += 1;
                }
                ("rust", None) => panic!("{chapter}:{line}: we treat it as Rust, rustdoc does not"),
                (_, Some(v)) => panic!(
                    "{chapter}:{line}: rustdoc tests it ({v}), we treat it as {}",
                    s["lang"]
                ),
                (_, None) => {}
            }
        }
        let ours_rust = ours.iter().filter(|s| s["lang"] == "rust").count();
        assert_eq!(
            ours_rust,
            expected.len(),
            "{chapter}: the same blocks are Rust"
        );
    }
    assert!(compared >= 26, "compared {compared} verdicts");
    // Merged programs: far fewer compiles than blocks (`#![feature]` blocks decided by
    // one compile), even with a failure that no snippet's lines hold (the `main -> i32` of failures.md halves its program instead
    // of giving each of its blocks a compile of its own).
    // The three 2015 blocks that name their own items from the crate root are compiled
    // alone: merged, the crate root is not theirs.
    let compiled = json["compiled"].as_u64().unwrap();
    assert!(compiled <= 36, "{compiled} rustc runs");
    // A deliberately partial data block opts out with `ignore`, as Rust blocks do.
    let partial = json["snippets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["file"] == "src/real-books.md" && s["lang"] == "toml")
        .expect("the toml block is found");
    assert_eq!(partial["status"], "ignored", "{partial}");
}

#[test]
fn failures_are_located_and_other_blocks_parsed() {
    let book = fixture("snippets/rustdoc");
    let cache = tempdir();
    let (_, json) = check(&book, cache.path(), &["--no-cache"]);
    let find = |file: &str, line: u64| -> serde_json::Value {
        json["snippets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["file"] == file && s["line"] == line)
            .cloned()
            .unwrap_or_else(|| panic!("no snippet at {file}:{line}"))
    };
    let moved = find("src/failures.md", 3);
    assert_eq!(moved["status"], "failed");
    assert_eq!(
        moved["error_line"], 6,
        "the compiler's error maps to the markdown line"
    );
    assert!(moved["message"].as_str().unwrap().contains("E0382"));
    let assert_fail = find("src/failures.md", 9);
    assert_eq!(
        assert_fail["error_line"], 11,
        "the panic maps to the markdown line"
    );
    assert!(
        find("src/failures.md", 14)["message"]
            .as_str()
            .unwrap()
            .contains("without panicking")
    );
    assert!(
        find("src/failures.md", 18)["message"]
            .as_str()
            .unwrap()
            .contains("compiled")
    );
    let toml = find("src/failures.md", 28);
    assert_eq!(
        (
            toml["lang"].as_str(),
            toml["status"].as_str(),
            toml["error_line"].as_u64()
        ),
        (Some("toml"), Some("failed"), Some(30))
    );
    assert_eq!(find("src/failures.md", 33)["status"], "failed");
    assert_eq!(find("src/failures.md", 37)["status"], "failed");
    assert_eq!(find("src/failures.md", 41)["status"], "failed");
    // A stable compiler refuses `#![feature]`: the error is at the feature line, even
    // where rustc reports the missing crate first.
    let stable = Command::new("rustc")
        .arg("-vV")
        .output()
        .is_ok_and(|o| !String::from_utf8_lossy(&o.stdout).contains("-nightly"));
    if stable {
        for (fence, feature) in [(113, 114), (119, 120)] {
            let gated = find("src/failures.md", fence);
            assert_eq!(gated["status"], "failed", "{gated}");
            assert_eq!(gated["error_line"], feature, "{gated}");
            assert!(
                gated["message"].as_str().unwrap().contains("E0554"),
                "{gated}"
            );
        }
        assert_eq!(find("src/failures.md", 126)["status"], "passed");
    }
    let python = json["snippets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["lang"] == "python")
        .unwrap();
    assert_eq!(
        python["status"], "skipped",
        "other languages are skipped, never passed"
    );
    // Error codes must appear.
    assert_eq!(find("src/error-codes.md", 6)["status"], "passed");
    let wrong = find("src/error-codes.md", 12);
    assert_eq!(wrong["status"], "failed");
    assert!(
        wrong["message"].as_str().unwrap().contains("expects E0308"),
        "{wrong}"
    );
}

#[test]
fn human_output_ends_with_the_counts_and_github_annotates() {
    let book = fixture("snippets/rustdoc");
    let cache = tempdir();
    let human: Run = Command::new(env!("CARGO_BIN_EXE_handbook"))
        .args(["check", "snippets", "--book", book.to_str().unwrap()])
        .env("HANDBOOK_CACHE_DIR", cache.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
        .into();
    assert_eq!(human.code, 1);
    assert!(
        human
            .stderr
            .trim_end()
            .ends_with("40 passed, 20 failed, 3 skipped, 3 ignored"),
        "{}",
        human.stderr
    );
    assert!(
        human
            .stderr
            .contains("/snippets/rustdoc/src/failures.md:6:1"),
        "{}",
        human.stderr
    );
    let github: Run = Command::new(env!("CARGO_BIN_EXE_handbook"))
        .args([
            "check",
            "snippets",
            "--book",
            book.to_str().unwrap(),
            "--format",
            "github",
        ])
        .current_dir(repo())
        .env("HANDBOOK_CACHE_DIR", cache.path())
        .output()
        .unwrap()
        .into();
    assert!(
        github
            .stdout
            .contains("::error file=tests/fixtures/snippets/rustdoc/src/failures.md,line=6,"),
        "{}",
        github.stdout
    );
}

#[test]
fn a_loop_times_out_and_huge_output_is_capped() {
    let book = fixture("snippets/hostile");
    let cache = tempdir();
    let started = std::time::Instant::now();
    let (run, json) = check(&book, cache.path(), &["--timeout", "3"]);
    assert_eq!(run.code, 1);
    let snippets = json["snippets"].as_array().unwrap();
    let looping = &snippets[0];
    assert_eq!(looping["status"], "failed");
    assert!(
        looping["message"]
            .as_str()
            .unwrap()
            .starts_with("timed out after 3 s"),
        "{looping}"
    );
    let loud = &snippets[1];
    assert_eq!(loud["status"], "failed");
    let message = loud["message"].as_str().unwrap();
    assert!(
        message.len() < 80 * 1024,
        "captured output is capped ({} bytes)",
        message.len()
    );
    assert_eq!(snippets[2]["status"], "passed");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(120),
        "no hang"
    );
}

#[test]
fn an_unchanged_rerun_compiles_nothing() {
    let book = fixture("snippets/rustdoc");
    let cache = tempdir();
    let (_, first) = check(&book, cache.path(), &[]);
    assert!(first["compiled"].as_u64().unwrap() > 0);
    let (_, second) = check(&book, cache.path(), &[]);
    assert_eq!(second["compiled"], 0, "every verdict came from the cache");
    assert_eq!(
        second["cached"].as_u64(),
        first["snippets"]
            .as_array()
            .map(|s| s.iter().filter(|s| s["lang"] == "rust").count() as u64)
    );
    let strip = |v: &serde_json::Value| v["snippets"].clone();
    assert_eq!(strip(&first), strip(&second), "the same verdicts");
    let (_, forced) = check(&book, cache.path(), &["--no-cache"]);
    assert!(forced["compiled"].as_u64().unwrap() > 0);
}

#[test]
fn snippets_in_yaml_text_fields_are_checked_at_their_yaml_line() {
    let dir = fixture_copy("render/two-briefings");
    let yaml = dir
        .path()
        .join("content/platform-reliability-board-level-concern.yaml");
    let text = read(&yaml).replace(
        "  text: Observability shortens incidents and makes reliability work measurable.\n",
        "  text: |\n    Observability shortens incidents.\n\n    ```rust\n    let budget: u32 = 5;\n    assert_eq!(budget, 6);\n    ```\n",
    );
    std::fs::write(&yaml, &text).unwrap();
    let fence = text.lines().position(|l| l.trim() == "```rust").unwrap() + 1;
    let cache = tempdir();
    let (run, json) = check(dir.path(), cache.path(), &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let s = &json["snippets"].as_array().unwrap()[0];
    assert_eq!(
        s["file"],
        "content/platform-reliability-board-level-concern.yaml"
    );
    assert_eq!(s["line"], fence as u64);
    assert_eq!(s["error_line"], fence as u64 + 2);
    assert_eq!(s["status"], "failed");
    // The generated page shows the code as written.
    assert_eq!(handbook(dir.path(), &["build"]).code, 0);
    let page = read(
        dir.path()
            .join("book/briefings/platform-reliability-board-level-concern/insights.html"),
    );
    assert!(
        page.contains("budget: u32"),
        "the code block is on the page"
    );
}

/// `{{#include}}` and `{{#rustdoc_include}}` are expanded before the blocks are read,
/// and a compile error in an included file is reported at that file's line, with the
/// block that includes it.
#[test]
fn included_code_is_tested_and_errors_point_into_the_included_file() {
    let book = fixture("includes");
    let cache = tempdir();
    let (run, json) = check(&book, cache.path(), &["--no-cache"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let snippets = json["snippets"].as_array().unwrap();
    let summary: Vec<(u64, &str)> = snippets
        .iter()
        .map(|s| (s["line"].as_u64().unwrap(), s["status"].as_str().unwrap()))
        .collect();
    // Lines two and three of ok.rs alone are statements, wrapped in `fn main`.
    assert_eq!(summary, [(5, "passed"), (11, "failed"), (17, "passed")]);
    let failed = &snippets[1];
    assert_eq!(failed["file"], "src/chapter.md");
    assert_eq!(failed["error_file"], "examples/fails.rs");
    assert_eq!(failed["error_line"], 8, "{failed}");
    assert!(
        failed["message"]
            .as_str()
            .unwrap()
            .contains("mismatched types")
    );

    let human = handbook(&book, &["check", "snippets", "--no-cache"]);
    assert!(
        human.stderr.contains("examples/fails.rs:8:")
            && human.stderr.contains("src/chapter.md:11:"),
        "{}",
        human.stderr
    );
}

/// A missing included file is an error at the directive, in every command.
#[test]
fn a_missing_include_is_located_at_its_directive() {
    let dir = fixture_copy("includes");
    let chapter = dir.path().join("src/chapter.md");
    std::fs::write(
        &chapter,
        read(&chapter).replace("../examples/ok.rs}}", "../examples/gone.rs}}"),
    )
    .unwrap();
    for args in [
        &["check", "snippets"][..],
        &["check", "links"],
        &["validate"],
    ] {
        let run = handbook(dir.path(), args);
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("cannot include `../examples/gone.rs`")
                && run.stderr.contains("src/chapter.md:6:1"),
            "{args:?}: {}",
            run.stderr
        );
    }
}

/// `--shard K/N` splits the snippets into disjoint parts that together are the whole
/// run, and `--merge` turns the parts' reports into the report of the whole.
#[test]
fn shards_cover_the_book_once_and_merge_into_the_whole() {
    let book = fixture("snippets/rustdoc");
    let cache = tempdir();
    let (_, whole) = check(&book, cache.path(), &[]);
    let key = |s: &serde_json::Value| {
        (
            s["file"].as_str().unwrap().to_string(),
            s["line"].as_u64().unwrap(),
            s["status"].as_str().unwrap().to_string(),
        )
    };
    let all: Vec<_> = whole["snippets"]
        .as_array()
        .unwrap()
        .iter()
        .map(key)
        .collect();
    let parts = tempdir();
    let mut seen = Vec::new();
    let mut files = Vec::new();
    for k in 1..=3 {
        let (run, part) = check(&book, cache.path(), &["--shard", &format!("{k}/3")]);
        assert!(run.code <= 1, "{}", run.stderr);
        let mine: Vec<_> = part["snippets"]
            .as_array()
            .unwrap()
            .iter()
            .map(key)
            .collect();
        assert!(!mine.is_empty(), "part {k} has work");
        seen.extend(mine);
        let file = parts.path().join(format!("part{k}.json"));
        std::fs::write(&file, &run.stdout).unwrap();
        files.push(file.to_string_lossy().into_owned());
    }
    seen.sort();
    let mut expected = all.clone();
    expected.sort();
    assert_eq!(seen, expected, "every snippet in exactly one part");
    // The same split every time.
    let (_, again) = check(&book, cache.path(), &["--shard", "2/3"]);
    let (_, before) = handbook_json(
        None,
        cache.path(),
        &[
            "check", "snippets", "--merge", &files[1], "--format", "json",
        ],
    );
    assert_eq!(again["snippets"], before["snippets"]);

    let mut args = vec![
        "check",
        "snippets",
        "--root",
        book.to_str().unwrap(),
        "--format",
        "json",
        "--merge",
    ];
    args.extend(files.iter().map(String::as_str));
    let (run, merged) = handbook_json(None, cache.path(), &args);
    assert_eq!(run.code, 1, "the merged report fails as the whole run does");
    let merged: Vec<_> = merged["snippets"]
        .as_array()
        .unwrap()
        .iter()
        .map(key)
        .collect();
    assert_eq!(merged, all);
    let bad = handbook(&book, &["check", "snippets", "--shard", "4/3"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
}

/// Crates declared in book.toml (`[preprocessor.handbook.snippets.dependencies]`,
/// Cargo's syntax) are built once and given to every snippet, renamed ones under their
/// new name and with their own dependencies found; an undeclared crate's error names
/// the setting; the lock file pins what was built and is part of the cache key.
#[test]
fn snippets_use_the_crates_book_toml_declares() {
    let dir = fixture_copy("crates");
    let lock = read(dir.path().join("snippets.lock"));
    let cache = tempdir();
    let (run, json) = check(dir.path(), cache.path(), &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let verdicts: Vec<(u64, &str)> = json["snippets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["line"].as_u64().unwrap(), s["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        verdicts,
        [
            (5, "passed"),
            (12, "passed"),
            (23, "failed"),
            (33, "failed")
        ],
        "{json}"
    );
    let message = |i: usize| json["snippets"][i]["message"].as_str().unwrap().to_string();
    assert!(
        message(2).contains("`rand`")
            && message(2).contains("[preprocessor.handbook.snippets.dependencies]"),
        "{}",
        message(2)
    );
    assert!(message(3).contains("mismatched types") && !message(3).contains("declare"));
    assert_eq!(
        read(dir.path().join("snippets.lock")),
        lock,
        "the lock is kept"
    );

    // Unchanged: nothing compiled, cargo not run again.
    let (_, again) = check(dir.path(), cache.path(), &[]);
    assert_eq!(again["compiled"], 0, "{again}");

    // Without `roster` declared, its snippet fails and says what to declare.
    let toml = dir.path().join("book.toml");
    std::fs::write(
        &toml,
        read(&toml).replace("roster = { path = \"roster\" }", ""),
    )
    .unwrap();
    let (_, fewer) = check(dir.path(), cache.path(), &[]);
    assert!(
        fewer["compiled"].as_u64().unwrap() > 0,
        "new crates, new verdicts"
    );
    assert_eq!(fewer["snippets"][1]["status"], "failed");
    assert!(
        fewer["snippets"][1]["message"]
            .as_str()
            .unwrap()
            .contains("declare it in book.toml"),
        "{fewer}"
    );
    assert!(!read(dir.path().join("snippets.lock")).contains("name = \"roster\""));
}

/// A declared crate that cannot be built is the book's mistake: exit 1, at the table in
/// book.toml, with cargo's reason; no snippet is reported as failed for it.
#[test]
fn crates_that_do_not_build_are_reported_at_book_toml() {
    let dir = fixture_copy("crates");
    let toml = dir.path().join("book.toml");
    std::fs::write(
        &toml,
        read(&toml).replace("path = \"roster\"", "path = \"absent\""),
    )
    .unwrap();
    let run = handbook(dir.path(), &["check", "snippets", "--format", "github"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let line = read(&toml)
        .lines()
        .position(|l| l == "[preprocessor.handbook.snippets.dependencies]")
        .unwrap()
        + 1;
    assert!(
        run.stdout
            .contains(&format!("::error file=book.toml,line={line},")),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("absent"),
        "cargo's reason: {}",
        run.stdout
    );
}

/// A declared crate with a dependency for another platform only (here from a local
/// registry on disk, so nothing touches the network): cargo fetches only this
/// platform's packages, and the crates' metadata is read for this platform, so the
/// snippets get the crate instead of "cannot read cargo metadata".
#[test]
fn crates_with_dependencies_for_other_platforms_are_used() {
    let dir = fixture_copy("crates");
    let root = dir.path();
    // A registry whose only crate is never downloaded on this platform.
    let index = root.join("registry/index");
    std::fs::create_dir_all(index.join("wi/no")).unwrap();
    std::fs::write(
        index.join("config.json"),
        format!(
            "{{\"dl\": \"file://{}/{{crate}}-{{version}}.crate\"}}\n",
            root.join("registry").display()
        ),
    )
    .unwrap();
    std::fs::write(
        index.join("wi/no/winonly"),
        format!(
            "{{\"name\":\"winonly\",\"vers\":\"1.0.0\",\"deps\":[],\"cksum\":\"{}\",\"features\":{{}},\"yanked\":false}}\n",
            "0".repeat(64)
        ),
    )
    .unwrap();
    for args in [
        &["init", "-q"][..],
        &["add", "-A"],
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-qm",
            "index",
        ],
    ] {
        let ok = Command::new("git")
            .args(args)
            .current_dir(&index)
            .status()
            .unwrap();
        assert!(ok.success(), "git {args:?}");
    }
    std::fs::create_dir_all(root.join("platform/src")).unwrap();
    std::fs::write(
        root.join("platform/Cargo.toml"),
        "[package]\nname = \"platform\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n[workspace]\n\n[target.'cfg(windows)'.dependencies]\nwinonly = { version = \"1\", registry = \"local\" }\n",
    )
    .unwrap();
    std::fs::write(
        root.join("platform/src/lib.rs"),
        "pub fn name() -> &'static str { \"platform\" }\n",
    )
    .unwrap();
    let toml = root.join("book.toml");
    std::fs::write(&toml, read(&toml) + "platform = { path = \"platform\" }\n").unwrap();
    std::fs::write(
        root.join("src/crates.md"),
        "# Crates\n\n```rust\nassert_eq!(platform::name(), \"platform\");\n```\n",
    )
    .unwrap();
    let cache = tempdir();
    let out = Command::new(env!("CARGO_BIN_EXE_handbook"))
        .args(["check", "snippets", "--format", "json"])
        .current_dir(root)
        .env("HANDBOOK_CACHE_DIR", cache.path())
        .env(
            "CARGO_REGISTRIES_LOCAL_INDEX",
            format!("file://{}", index.display()),
        )
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json: serde_json::Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{e}: {stdout}\n{}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(json["snippets"][0]["status"], "passed", "{json}");
    assert!(out.status.success(), "{json}");
}

/// When the crates cannot be built, the JSON report says why (not `null`), alone and in
/// the gate's report.
#[test]
fn the_json_report_of_a_crate_failure_holds_the_finding() {
    let dir = fixture_copy("crates");
    let toml = dir.path().join("book.toml");
    std::fs::write(
        &toml,
        read(&toml).replace("path = \"roster\"", "path = \"absent\""),
    )
    .unwrap();
    let cache = tempdir();
    let (run, json) = check(dir.path(), cache.path(), &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let finding = &json["diagnostics"][0];
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("cannot be built")
            || finding["message"].as_str().unwrap().contains("crates"),
        "{json}"
    );
    assert!(
        finding["file"].as_str().unwrap().ends_with("book.toml"),
        "{json}"
    );
    assert_eq!(json["snippets"], serde_json::json!([]));
    let (_, gate) = handbook_json(
        Some(dir.path()),
        cache.path(),
        &["check", "--format", "json"],
    );
    let stage = gate["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"] == "snippets")
        .expect("the snippets stage ran");
    assert_eq!(stage["outcome"], "findings", "{gate}");
    assert_eq!(
        stage["report"]["diagnostics"][0]["file"], "book.toml",
        "{gate}"
    );
}

/// On a terminal (a pseudo-terminal from `script`), a run shows how many snippets are
/// done of how many; piped or in JSON, the output has no progress and no control
/// characters.
#[test]
fn progress_shows_on_a_terminal_only() {
    let book = fixture("includes");
    let cache = tempdir();
    let path = book.to_str().unwrap();
    let tty = on_a_terminal(
        cache.path(),
        &["check", "snippets", "--no-cache", "--book", path],
    );
    assert!(
        tty.stdout.contains("snippets: 3/3") && tty.stdout.contains("\u{1b}[2K"),
        "{:?}",
        tty.stdout
    );
    let piped = handbook(&book, &["check", "snippets", "--no-cache"]);
    let (_, json) = check(&book, cache.path(), &["--no-cache"]);
    assert!(!piped.stderr.contains('\u{1b}') && !piped.stderr.contains('\r'));
    assert!(!piped.stderr.contains("snippets: 0/"), "{}", piped.stderr);
    assert_eq!(json["snippets"].as_array().unwrap().len(), 3);
}

/// As in mdBook, a chapter may include a file from beside the book (the mdBook guide
/// includes its repository's examples), whatever folder the check runs from.
#[test]
fn files_beside_the_book_are_included_from_any_working_folder() {
    let parent = tempdir();
    let book = parent.path().join("book");
    copy_tree(&fixture("includes"), &book);
    std::fs::create_dir(parent.path().join("examples")).unwrap();
    std::fs::write(
        parent.path().join("examples/shared.rs"),
        "let shared = 40 + 2;\nassert_eq!(shared, 42);\n",
    )
    .unwrap();
    std::fs::write(
        book.join("src/chapter.md"),
        "# Chapter\n\n```rust\n{{#include ../../examples/shared.rs}}\n```\n",
    )
    .unwrap();
    let cache = tempdir();
    for cwd in [book.as_path(), parent.path(), cache.path()] {
        let (run, json) = handbook_json(
            Some(cwd),
            cache.path(),
            &[
                "check",
                "snippets",
                "--no-cache",
                "--book",
                book.to_str().unwrap(),
                "--format",
                "json",
            ],
        );
        assert_eq!(run.code, 0, "from {}: {}", cwd.display(), run.stdout);
        assert_eq!(json["snippets"][0]["status"], "passed", "{json}");
    }
}

/// A book of one chapter, `src/a.md`, holding `chapter`.
fn one_chapter_book(chapter: &str) -> tempfile::TempDir {
    let book = tempdir();
    std::fs::write(book.path().join("book.toml"), "[book]\ntitle = \"t\"\n").unwrap();
    std::fs::create_dir(book.path().join("src")).unwrap();
    std::fs::write(
        book.path().join("src/SUMMARY.md"),
        "# Summary\n\n- [A](a.md)\n",
    )
    .unwrap();
    std::fs::write(book.path().join("src/a.md"), chapter).unwrap();
    book
}

#[test]
fn a_compiler_that_accepts_features_compiles_feature_blocks() {
    let book = one_chapter_book(
        "# A\n\n```rust\n#![feature(never_type)]\nfn main() { let _x: Option<!> = None; }\n```\n",
    );
    let args = ["check", "snippets", "--no-cache", "--format", "json"];
    let verdict = |vars: &[(&str, &str)]| {
        let run = handbook_with(book.path(), &args, vars);
        let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        json["snippets"][0].clone()
    };
    // `RUSTC_BOOTSTRAP` makes any compiler accept unstable features, as nightly does:
    // the block is then compiled, and passes.
    let accepted = verdict(&[("RUSTC_BOOTSTRAP", "1")]);
    assert_eq!(accepted["status"], "passed", "{accepted}");
    let stable = Command::new("rustc")
        .arg("-vV")
        .env_remove("RUSTC_BOOTSTRAP")
        .output()
        .is_ok_and(|o| !String::from_utf8_lossy(&o.stdout).contains("-nightly"));
    if stable {
        let refused = verdict(&[]);
        assert_eq!(refused["status"], "failed", "{refused}");
        assert_eq!(refused["error_line"], 4, "{refused}");
    }
}

/// A `rustc` first on `PATH` that logs how it is called (its folder and arguments) and
/// hands over to the real compiler; `sysroot` is what it answers to `--print sysroot`.
#[cfg(unix)]
fn logging_rustc(dir: &Path, log: &Path, sysroot: Option<&Path>) -> String {
    let real = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .expect("rustc runs");
    let real = Path::new(String::from_utf8_lossy(&real.stdout).trim()).join("bin/rustc");
    let answer = match sysroot {
        Some(s) => format!(
            "if [ \"$*\" = \"--print sysroot\" ]; then echo '{}'; exit 0; fi\n",
            s.display()
        ),
        None => String::new(),
    };
    let body = format!(
        "echo \"$PWD | $*\" >> '{}'\n{answer}exec '{}' \"$@\"\n",
        log.display(),
        real.display()
    );
    first_on_path(dir, "rustc", &body)
}

#[cfg(unix)]
#[test]
fn the_compiler_is_asked_once_in_the_book_folder_and_its_sysroot_compiles() {
    let book = one_chapter_book(
        "# A\n\n```rust\nfn main() { assert_eq!(1 + 1, 2); }\n```\n\n\
         ```rust,no_run\nlet _v: Vec<u8> = Vec::new();\n```\n",
    );
    let bin = tempdir();
    let log = bin.path().join("calls.log");
    let run = |path: &str| {
        let _ = std::fs::remove_file(&log);
        let out = Command::new(env!("CARGO_BIN_EXE_handbook"))
            .args(["check", "snippets", "--no-cache", "--format", "json"])
            .current_dir(book.path())
            .env("PATH", path)
            .env_remove("RUSTC")
            .env(
                "HANDBOOK_CACHE_DIR",
                Path::new(env!("CARGO_TARGET_TMPDIR")).join("cache"),
            )
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let calls: Vec<String> = read(&log).lines().map(str::to_string).collect();
        (json, calls)
    };
    let book_dir = book.path().canonicalize().unwrap();

    // The `rustc` on PATH (rustup's proxy, say) is asked for its version and sysroot,
    // in the book's folder, where a `rust-toolchain.toml` would choose the toolchain;
    // the sysroot's own compiler does the compiling.
    let path = logging_rustc(bin.path(), &log, None);
    let (json, calls) = run(&path);
    assert!(json["compiled"].as_u64().unwrap() >= 1, "{json}");
    for s in json["snippets"].as_array().unwrap() {
        assert_eq!(s["status"], "passed", "{json}");
    }
    let mut asked: Vec<&str> = calls
        .iter()
        .map(|c| c.split(" | ").nth(1).unwrap())
        .collect();
    asked.sort();
    assert_eq!(asked, ["--print sysroot", "-vV"], "{calls:?}");
    for call in &calls {
        let folder = Path::new(call.split(" | ").next().unwrap());
        assert_eq!(folder.canonicalize().unwrap(), book_dir, "{calls:?}");
    }

    // A sysroot without a compiler in it: the `rustc` on PATH compiles.
    let empty = tempdir();
    let path = logging_rustc(bin.path(), &log, Some(empty.path()));
    let (json, calls) = run(&path);
    for s in json["snippets"].as_array().unwrap() {
        assert_eq!(s["status"], "passed", "{json}");
    }
    let compiles = calls.iter().filter(|c| c.contains("--edition")).count();
    assert_eq!(
        compiles as u64,
        json["compiled"].as_u64().unwrap(),
        "{calls:?}"
    );
}

/// rustc does not check borrows while a constant's definition is a cycle: `compile_fail`
/// blocks whose errors come from the borrow checker show none beside such a block. They
/// are type-checked again without it, not compiled one by one.
#[test]
fn compile_fail_blocks_silenced_by_another_are_checked_again_together() {
    let dir = tempdir();
    let book = dir.path();
    std::fs::create_dir_all(book.join("src")).unwrap();
    std::fs::write(
        book.join("book.toml"),
        "[book]\ntitle = \"Stages\"\nsrc = \"src\"\n\n[rust]\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::write(book.join("src/SUMMARY.md"), "# Summary\n\n- [A](a.md)\n").unwrap();
    let mut text = String::from(
        "# A\n\n```rust,compile_fail,E0391\nconst A: u8 = B;\nconst B: u8 = A;\nfn main() {}\n```\n",
    );
    for i in 0..4 {
        text.push_str(&format!(
            "\n```rust,compile_fail,E0502\nfn main() {{\n    let mut v{i} = vec![1];\n    \
             let first = &v{i}[0];\n    v{i}.push(2);\n    println!(\"{{first}}\");\n}}\n```\n"
        ));
    }
    std::fs::write(book.join("src/a.md"), &text).unwrap();
    let expected = rustdoc_verdicts(&book.join("src/a.md"), "2021");
    assert_eq!(expected.len(), 5, "{expected:?}");
    assert!(expected.values().all(|v| v == "ok"), "{expected:?}");
    let cache = tempdir();
    let (run, json) = check(book, cache.path(), &["--no-cache", "--jobs", "1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let snippets = json["snippets"].as_array().unwrap();
    assert_eq!(snippets.len(), 5, "{json}");
    assert!(snippets.iter().all(|s| s["status"] == "passed"), "{json}");
    // Two type-checks: all five, then the four without the cycle (compiling each of
    // the four alone made five).
    assert_eq!(json["compiled"], 2, "{json}");
}
