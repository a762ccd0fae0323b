//! Hostile and broken input beyond the CLI corpus (`tests/corpus/`): inputs that cannot
//! live in git (a 50 MB file, symbolic links), every truncation of the seed briefing,
//! text that tries to become HTML, a build killed midway, and determinism across working
//! folder, locale and time zone. Property tests fuzz the briefing parser and the content
//! loader.

use std::path::Path;

use proptest::prelude::*;

use crate::support::*;

#[test]
fn a_50_mb_content_file_is_refused_without_reading_it() {
    let dir = tempdir();
    let content = dir.path().join("content");
    std::fs::create_dir(&content).unwrap();
    let file = std::fs::File::create(content.join("huge.yaml")).unwrap();
    file.set_len(50 * 1024 * 1024).unwrap();
    let run = handbook(dir.path(), &["validate"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("huge.yaml` is 52428800 bytes, more than"),
        "{}",
        run.stderr
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_dangling_links_in_content_are_reported() {
    let dir = tempdir();
    let content = dir.path().join("content");
    std::fs::create_dir_all(content.join("sub")).unwrap();
    std::os::unix::fs::symlink("..", content.join("sub/loop")).unwrap();
    std::os::unix::fs::symlink("missing.yaml", content.join("dangling.yaml")).unwrap();
    let run = handbook(dir.path(), &["validate"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("loops back to a folder that contains it"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("dangling.yaml"), "{}", run.stderr);
}

#[test]
fn html_and_script_in_every_text_field_show_as_text() {
    let dir = handbook_copy();
    let yaml = content_yaml(dir.path());
    let evil = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    let mut text = String::new();
    for line in read(&yaml).lines() {
        // Every scalar text field gets the payload at its start.
        let replaced = [
            "title: ",
            "subtitle: ",
            "introduction: ",
            "text: ",
            "impact: ",
            "owner: ",
        ]
        .iter()
        .find_map(|key| {
            let (indent, rest) = line.split_once(key)?;
            (indent.trim_start_matches(['-', ' ']).is_empty() && !rest.starts_with(['>', '|']))
                .then(|| format!("{indent}{key}\"{evil} {}\"", rest.replace('"', "'")))
        });
        text.push_str(&replaced.unwrap_or_else(|| line.to_string()));
        text.push('\n');
    }
    std::fs::write(&yaml, &text).unwrap();
    assert!(
        text.matches(evil).count() >= 10,
        "the payload reached many fields"
    );
    let run = handbook(dir.path(), &["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // `handbook.json` and mdBook's search index are data and keep the text as written
    // (mdBook's searcher escapes it before showing a result); pages must not run it.
    for (path, bytes) in tree(&dir.path().join("book"))
        .into_iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "html"))
    {
        let page = String::from_utf8_lossy(&bytes);
        assert!(
            !page.contains("<script>alert"),
            "{} runs the script",
            path.display()
        );
        assert!(
            !page.contains("<img src=x"),
            "{} has the image",
            path.display()
        );
    }
    let summary = read(dir.path().join("book/index.html"));
    assert!(
        summary.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "shown as text"
    );
}

#[test]
fn the_briefing_truncated_at_every_line_never_panics_and_never_writes_on_error() {
    let seed = read(seed());
    let lines: Vec<&str> = seed.lines().collect();
    let dir = tempdir();
    for n in 0..=lines.len() {
        let text = lines[..n].join("\n");
        match handbook::briefing::text::parse(Path::new("b.txt"), &text) {
            Ok(b) => assert!(
                !b.insights.is_empty() && !b.actions.is_empty(),
                "a truncation at {n} parsed without items"
            ),
            Err(d) => {
                let at = d.primary.as_ref().expect("every error names a line");
                assert!(
                    at.line >= 1 && at.line <= n.max(1),
                    "truncated at {n}: error at line {}",
                    at.line
                );
            }
        }
    }
    // Through the binary, for a few cuts: an error exits 1 and writes nothing.
    for n in [0, 1, 3, 13, 14, 16, 27, 30] {
        let out = dir.path().join(format!("out{n}"));
        std::fs::write(dir.path().join("b.txt"), lines[..n].join("\n")).unwrap();
        let run = handbook(
            dir.path(),
            &["ingest", "b.txt", "--out", out.to_str().unwrap()],
        );
        if run.code != 0 {
            assert_eq!(run.code, 1, "{}", run.stderr);
            assert!(run.stderr.contains("b.txt:"), "{}", run.stderr);
            assert!(
                !out.exists() || std::fs::read_dir(&out).unwrap().next().is_none(),
                "nothing written at {n}"
            );
        }
    }
}

#[cfg(unix)]
#[test]
fn a_build_killed_midway_leaves_the_previous_site_intact() {
    let dir = tempdir();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::copy(
        fixture("render/two-briefings/book.toml"),
        dir.path().join("book.toml"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("src/SUMMARY.md"),
        "# Summary\n\n- [Intro](intro.md)\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("src/intro.md"), "# Intro\n").unwrap();
    // A knowledge base big enough for the build to take a while.
    let status = std::process::Command::new(env!("CARGO"))
        .args(["run", "-q", "--example", "synth", "--", "2000"])
        .arg(dir.path().join("content"))
        .status()
        .unwrap();
    assert!(
        status.success(),
        "cannot generate the synthetic knowledge base"
    );
    assert_eq!(handbook(dir.path(), &["build"]).code, 0);
    let before = tree(&dir.path().join("book"));
    let staging = |dir: &Path| -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".handbook-build-"))
            .collect()
    };
    let mut killed_mid_build = 0;
    for delay in [50, 200, 400, 800] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_handbook"))
            .args(["build"])
            .current_dir(dir.path())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay));
        // Only a kill that lands while the build runs tests anything.
        let running = child.try_wait().unwrap().is_none();
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        killed_mid_build += usize::from(running);
        let after = tree(&dir.path().join("book"));
        // Either the kill came before the swap (the old site) or after it (a new,
        // complete, identical site): never a half-written one.
        assert_eq!(after.len(), before.len(), "killed after {delay} ms");
        assert!(after == before, "killed after {delay} ms: the site changed");
    }
    assert!(
        killed_mid_build > 0,
        "every build had finished before its kill: the test proved nothing"
    );
    // What the killed builds left behind is removed by the next build.
    assert_eq!(handbook(dir.path(), &["build"]).code, 0);
    assert_eq!(staging(dir.path()), Vec::<String>::new());
    assert!(tree(&dir.path().join("book")) == before);
}

#[test]
fn output_does_not_depend_on_working_folder_locale_or_time_zone() {
    let dir = handbook_copy();
    let root = dir.path().to_str().unwrap().to_string();
    let one = handbook(dir.path(), &["build", "--dest", "one"]);
    assert_eq!(one.code, 0);
    let elsewhere = tempdir();
    let run: Run = std::process::Command::new(env!("CARGO_BIN_EXE_handbook"))
        .args(["build", "--root", &root, "--dest", "two"])
        .current_dir(elsewhere.path())
        .env("LC_ALL", "tr_TR.UTF-8")
        .env("LANG", "de_DE.UTF-8")
        .env("TZ", "Pacific/Kiritimati")
        .env("HANDBOOK_CACHE_DIR", elsewhere.path().join("cache"))
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        tree(&dir.path().join("one")) == tree(&dir.path().join("two")),
        "byte-identical"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// Any text: the parser returns a briefing or a located error, never panics.
    #[test]
    fn the_briefing_parser_never_panics(text in "(?s)[-a-zA-Z:“”\"'\\n\\r\\t .\u{feff}]{0,400}") {
        match handbook::briefing::text::parse(Path::new("b.txt"), &text) {
            Ok(_) => {}
            Err(d) => prop_assert!(d.primary.is_some()),
        }
    }

    /// Any text: the content loader returns a document or located diagnostics.
    #[test]
    fn the_content_loader_never_panics(text in "(?s)[-a-z0-9:\\[\\]{}&*!|>'\" \\n\\t#]{0,300}") {
        let _ = handbook::content::load::parse(Path::new("c.yaml"), text);
    }

    /// A generated briefing: ingest → YAML → load gives the same document, and ingesting
    /// it again over its own output changes nothing.
    #[test]
    fn ingest_export_reingest_is_stable(
        title in "[A-Z][a-z]{3,10}( [a-z]{3,8}){1,4}",
        insights in prop::collection::vec("[A-Z][a-z]{2,8}( [a-z]{2,8}){2,10}\\.", 1..5),
        actions in prop::collection::vec("[A-Z][a-z]{2,8}( [a-z]{2,8}){2,10}\\.", 1..5),
        impact in prop::option::of("[A-Z][a-z]{2,8}( [a-z]{2,8}){1,6}\\."),
    ) {
        let mut text = format!("{title}\nA subtitle for it.\nAn introduction paragraph.\nKey insights\n");
        for i in &insights {
            text.push_str(&format!("-\n{i}\n"));
            if let Some(x) = &impact { text.push_str(&format!("Impact: {x}\n")); }
        }
        text.push_str("Action items\n");
        for a in &actions { text.push_str(&format!("-\n{a}\n")); }
        let parsed = handbook::briefing::text::parse(Path::new("b.txt"), &text).unwrap();
        let mut doc = handbook::ingest::from_briefing(&parsed, "b.txt");
        handbook::xref::suggest::suggest(&mut doc);
        let yaml = handbook::content::to_yaml(&doc);
        let loaded = handbook::content::load::parse(Path::new("b.yaml"), yaml.clone()).map_err(|d| TestCaseError::fail(format!("{d:?}\n{yaml}")))?;
        prop_assert_eq!(&loaded.doc, &doc);
        let (merged, report) = handbook::ingest::merge(loaded.doc, doc.clone(), None);
        prop_assert!(report.is_empty(), "{report:?}");
        prop_assert_eq!(handbook::content::to_yaml(&merged), yaml);
    }
}
