//! The book stage: real mdBook builds of the handbook, atomic output, the preprocessor
//! protocol.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::support::*;
use scraper::{Html, Selector};

/// Resolves a relative link found on `page` (a path under the site root).
fn resolve(page: &str, href: &str) -> String {
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    let (path, anchor) = href
        .split_once('#')
        .map_or((href, None), |(p, a)| (p, Some(a)));
    if path.is_empty() {
        return format!("{page}#{}", anchor.unwrap_or_default());
    }
    for seg in path.split('/') {
        match seg {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    match anchor {
        Some(a) => format!("{joined}#{a}"),
        None => joined,
    }
}

/// For each card (by the id of its heading or of its div) on `page`, the resolved
/// targets of its links.
fn card_links(site: &Path, page: &str) -> BTreeMap<String, BTreeSet<String>> {
    let html = Html::parse_document(&read(site.join(page)));
    let cards = Selector::parse("div.hb-card").unwrap();
    let heading = Selector::parse("h2[id], h3[id]").unwrap();
    let links = Selector::parse("a[href]").unwrap();
    let mut out = BTreeMap::new();
    for card in html.select(&cards) {
        let id = card
            .select(&heading)
            .next()
            .and_then(|h| h.value().attr("id"))
            .or_else(|| card.value().attr("id"))
            .expect("every card has an id")
            .to_string();
        let targets = card
            .select(&links)
            .filter_map(|a| a.value().attr("href"))
            .filter(|h| !h.starts_with('#'))
            .map(|h| resolve(page, h))
            .collect();
        out.insert(id, targets);
    }
    out
}

#[test]
fn every_recommendation_and_insight_link_each_other_both_ways() {
    let dir = handbook_copy();
    let run = handbook(dir.path(), &["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let site = dir.path().join("book");
    let export: serde_json::Value =
        serde_json::from_str(&read(site.join("handbook.json"))).unwrap();
    let mut checked = 0;
    for briefing in export["briefings"].as_array().unwrap() {
        let b = briefing["id"].as_str().unwrap();
        let recs_page = format!("briefings/{b}/recommendations.html");
        let insights_page = format!("briefings/{b}/insights.html");
        let recs = card_links(&site, &recs_page);
        let insights = card_links(&site, &insights_page);
        for action in export["actions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["briefing"] == b)
        {
            let a = action["id"].as_str().unwrap();
            for insight in action["addresses"].as_array().unwrap() {
                let i = insight.as_str().unwrap();
                assert!(
                    recs[a].contains(&format!("{insights_page}#{i}")),
                    "{a} → {i}: {:?}",
                    recs[a]
                );
                assert!(
                    insights[i].contains(&format!("{recs_page}#{a}")),
                    "{i} ← {a}: {:?}",
                    insights[i]
                );
                checked += 1;
            }
        }
        // And nothing links that the content does not say.
        for (i, targets) in &insights {
            let expected: BTreeSet<String> = export["insights"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["id"] == i.as_str())
                .unwrap()["addressed_by"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| format!("{recs_page}#{}", a.as_str().unwrap()))
                .collect();
            let actual: BTreeSet<String> = targets
                .iter()
                .filter(|t| t.starts_with(&recs_page))
                .cloned()
                .collect();
            assert_eq!(actual, expected, "links from insight {i}");
        }
    }
    assert!(
        checked >= 4,
        "the handbook has recommendation↔insight links ({checked})"
    );
    // The home page is the executive summary, and the search index was written.
    assert!(read(site.join("index.html")).contains("Recommendations, in the order to act on them"));
    assert!(std::fs::read_dir(&site).unwrap().any(|e| {
        e.unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with("searchindex")
    }));
}

#[test]
fn two_builds_are_byte_identical() {
    let dir = handbook_copy();
    assert_eq!(handbook(dir.path(), &["build", "--dest", "one"]).code, 0);
    assert_eq!(handbook(dir.path(), &["build", "--dest", "two"]).code, 0);
    let (one, two) = (tree(&dir.path().join("one")), tree(&dir.path().join("two")));
    assert!(one.len() > 20);
    assert_eq!(
        one.keys().collect::<Vec<_>>(),
        two.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &one {
        assert!(two[path] == *bytes, "{} differs", path.display());
    }
}

#[test]
fn a_failed_build_leaves_the_previous_site_untouched() {
    let dir = handbook_copy();
    assert_eq!(handbook(dir.path(), &["build"]).code, 0);
    let before = tree(&dir.path().join("book"));
    let chapter = dir.path().join("src/how-to-read.md");
    std::fs::write(
        &chapter,
        read(&chapter) + "\nSee {{#ref audit-legacy-c-c-backnd}}.\n",
    )
    .unwrap();
    let run = handbook(dir.path(), &["build"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("unknown id `audit-legacy-c-c-backnd` in a reference"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("src/how-to-read.md:"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("did you mean `audit-legacy-c-c-backend`?"),
        "{}",
        run.stderr
    );
    assert_eq!(tree(&dir.path().join("book")), before);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().starts_with(".handbook"))
        .collect();
    assert!(leftovers.is_empty(), "staging folders left: {leftovers:?}");
}

#[test]
fn invalid_content_fails_the_build_before_mdbook_runs() {
    let dir = handbook_copy();
    assert_eq!(handbook(dir.path(), &["build"]).code, 0);
    let before = tree(&dir.path().join("book"));
    let yaml = content_yaml(dir.path());
    std::fs::write(&yaml, read(&yaml).replacen("  title:", "  titel:", 1)).unwrap();
    let run = handbook(dir.path(), &["build"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("unknown field `titel`"),
        "{}",
        run.stderr
    );
    assert_eq!(tree(&dir.path().join("book")), before);
}

#[test]
fn references_in_chapters_and_tags_across_briefings() {
    let dir = fixture_copy("render/two-briefings");
    let run = handbook(dir.path(), &["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let intro = read(dir.path().join("book/intro.html"));
    assert!(intro.contains(r#"<a href="briefings/platform-reliability-board-level-concern/insights.html#observability-shortens-incidents-makes-reliability">Observability shortens incidents and makes reliability work measurable</a>"#), "{intro}");
    assert!(
        intro.contains("{{#ref not-expanded}}"),
        "escaped directive kept: {intro}"
    );
    // One page for all tags; each tag is a section with its own anchor.
    let page = read(dir.path().join("book/tags/index.html"));
    let start = page
        .find("id=\"tag-reliability\"")
        .unwrap_or_else(|| panic!("no anchor for the tag: {page}"));
    let rest = &page[start..];
    let tag = &rest[..rest[1..].find("<h2").map_or(rest.len(), |i| i + 1)];
    assert!(tag.contains("Platform Reliability as a Board-Level Concern"));
    assert!(
        tag.contains("Rust&#39;s Strategic Rise")
            || tag.contains("Rust's Strategic Rise")
            || tag.contains("Rust’s Strategic Rise"),
        "{tag}"
    );
}

#[test]
fn the_preprocessor_speaks_mdbooks_protocol() {
    use mdbook_preprocessor::book::{Book, BookItem, Chapter};
    let dir = fixture_copy("render/two-briefings");
    let supports = std::process::Command::new(env!("CARGO_BIN_EXE_mdbook-handbook"))
        .args(["supports", "html"])
        .status()
        .unwrap();
    assert!(supports.success());
    let supports = handbook(dir.path(), &["preprocess", "supports", "html"]);
    assert_eq!(supports.code, 0);

    let config: mdbook_preprocessor::config::Config =
        read(dir.path().join("book.toml")).parse().unwrap();
    let ctx = mdbook_preprocessor::PreprocessorContext::new(
        dir.path().to_path_buf(),
        config,
        "html".to_string(),
    );
    let chapter = Chapter::new(
        "Introduction",
        read(dir.path().join("src/intro.md")),
        "intro.md",
        vec![],
    );
    let book = Book::new_with_items(vec![BookItem::Chapter(chapter)]);
    let input = serde_json::to_vec(&(&ctx, &book)).unwrap();
    for command in [
        env!("CARGO_BIN_EXE_handbook"),
        env!("CARGO_BIN_EXE_mdbook-handbook"),
    ] {
        let mut cmd = std::process::Command::new(command);
        if command.ends_with("/handbook") {
            cmd.arg("preprocess");
        }
        let mut child = cmd
            .current_dir(dir.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write as _;
        child.stdin.take().unwrap().write_all(&input).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        let book: Book = serde_json::from_slice(&out.stdout).unwrap();
        let paths: Vec<String> = book
            .iter()
            .filter_map(|i| match i {
                BookItem::Chapter(c) => c.path.as_ref().map(|p| p.display().to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(paths[0], "executive-summary.md");
        assert!(paths.contains(&"intro.md".to_string()));
        assert!(
            paths.contains(&"tags/index.md".to_string())
                && !paths
                    .iter()
                    .any(|p| p.starts_with("tags/") && p != "tags/index.md"),
            "one page for all tags: {paths:?}"
        );
        let intro = book.chapters().find(|c| c.name == "Introduction").unwrap();
        assert!(
            intro
                .content
                .contains("[Memory safety eliminates critical vulnerability classes]("),
            "{}",
            intro.content
        );
    }
}
