//! `handbook ingest` on briefings as people write them: Markdown, HTML exports and Word
//! documents, against the plain-text seed.

use serde_json::Value;

use crate::support::*;

/// Ingests `file` (a fixture path) as `name` into a fresh folder and returns the
/// exported knowledge base.
#[track_caller]
fn ingest_export(from: &std::path::Path, name: &str, extra: &[&str]) -> (tempfile::TempDir, Value) {
    let dir = tempdir();
    copy_into(from, dir.path(), name);
    let mut args = vec!["ingest", name, "--out", "content"];
    args.extend(extra);
    let run = handbook(dir.path(), &args);
    assert_eq!(run.code, 0, "{name}: {}", run.stderr);
    let export = handbook(dir.path(), &["export", "--content", "content"]);
    assert_eq!(export.code, 0, "{}", export.stderr);
    let json = serde_json::from_str(&export.stdout).unwrap();
    (dir, json)
}

/// What a briefing says, whatever its format: every field of every item except where
/// it was read from (and the metadata only front matter can carry).
fn knowledge(json: &Value) -> Value {
    let mut json = json.clone();
    for list in ["briefings", "sections", "insights", "actions", "quotes"] {
        for item in json[list].as_array_mut().unwrap() {
            let item = item.as_object_mut().unwrap();
            for field in ["source", "file", "date", "author", "origin", "tags"] {
                item.remove(field);
            }
        }
    }
    json
}

fn item<'a>(json: &'a Value, list: &str, id: &str) -> &'a Value {
    json[list]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no {list} item `{id}` in {json:#}"))
}

#[test]
fn the_seed_as_text_markdown_html_and_word_gives_the_same_knowledge() {
    let (_t, text) = ingest_export(&seed(), "b.txt", &[]);
    let (md_dir, md) = ingest_export(&fixture("briefings/rust-strategic-rise.md"), "b.md", &[]);
    let (_h, html) = ingest_export(
        &fixture("briefings/rust-strategic-rise.html"),
        "b.html",
        &[],
    );
    let (_w, word) = ingest_export(
        &fixture("briefings/rust-strategic-rise.docx"),
        "b.docx",
        &[],
    );
    let expected = knowledge(&text);
    assert_eq!(expected["insights"].as_array().unwrap().len(), 4);
    assert_eq!(expected["quotes"].as_array().unwrap().len(), 3);
    for (name, json) in [("markdown", &md), ("html", &html), ("word", &word)] {
        assert_eq!(
            knowledge(json),
            expected,
            "{name} differs from the text format"
        );
    }
    // Provenance points into each file as written.
    let md_text = read(md_dir.path().join("content/b.md"));
    let insight = item(
        &md,
        "insights",
        "memory-safety-eliminates-critical-vulnerability",
    );
    let line = insight["source"]["line_start"].as_u64().unwrap() as usize;
    assert!(
        md_text
            .lines()
            .nth(line - 1)
            .unwrap()
            .starts_with("- Memory safety eliminates"),
        "line {line}"
    );
    assert_eq!(insight["source"]["file"], "content/b.md");
    let word_source = &item(&word, "quotes", "quote-memory-safety-idea-no")["source"];
    assert_eq!(word_source["file"], "content/b.docx");
    // Front matter reaches the briefing.
    let b = &md["briefings"][0];
    assert_eq!(b["date"], "2026-01-15");
    assert_eq!(b["author"], "Strategy Office");
    assert_eq!(
        b["origin"],
        "https://example.org/briefings/rust-strategic-rise"
    );
    assert_eq!(b["tags"], serde_json::json!(["rust", "strategy"]));
}

#[test]
fn markdown_forms_people_write() {
    let (dir, json) = ingest_export(&fixture("briefings/identity-forms.md"), "identity.md", &[]);
    let b = &json["briefings"][0];
    // Front matter: title, subtitle, date, tags as a comma list, author, source.
    assert_eq!(b["title"], "Identity as the New Perimeter");
    assert_eq!(
        b["subtitle"],
        "Why access, not networks, decides what an attacker reaches."
    );
    assert_eq!(b["date"], "2026-02-10");
    assert_eq!(b["tags"], serde_json::json!(["security", "identity"]));
    // A sub-heading and an emphasis stay in the section's text.
    let section = item(&json, "sections", "where-credentials-leak");
    assert!(section["text"].as_str().unwrap().contains("*long-lived*"));
    assert!(
        section["text"]
            .as_str()
            .unwrap()
            .contains("\n\n### A note on scope\n\n")
    );
    // `## Key takeaways:`, a numbered list, bold lead-ins, `*Impact:*` and
    // `**Impact**:` in a second paragraph, an item over several lines.
    let insight = item(
        &json,
        "insights",
        "stolen-credentials-drive-most-intrusions",
    );
    assert_eq!(insight["title"], "Stolen credentials drive most intrusions");
    assert_eq!(
        insight["text"],
        "Attackers log in rather than break in, so perimeter controls no longer stop them."
    );
    assert_eq!(
        insight["impact"],
        "Every unprotected login is a door an attacker can open."
    );
    let insight = item(&json, "insights", "service-accounts-blind-spot");
    assert_eq!(
        insight["impact"],
        "A single leaked token grants standing access to production."
    );
    // `## Next steps`: an `**Impact:**` inside the line, and an item without impact.
    let action = item(&json, "actions", "inventory-identity-providers");
    assert_eq!(
        action["text"],
        "Inventory all identity providers and the applications that trust them."
    );
    assert_eq!(
        action["impact"],
        "Leaders see which systems share a single point of failure."
    );
    assert_eq!(
        item(
            &json,
            "actions",
            "rotate-service-account-secrets-automatically"
        )["impact"],
        Value::Null
    );
    // `## In their words`: `-- Name` in the quotation, `— Name` below it, in a list item.
    let quotes: Vec<(&str, &str)> = json["quotes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            (
                q["text"].as_str().unwrap(),
                q["attribution"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        quotes,
        [
            (
                "Attackers don't break in anymore, they log in.",
                "Incident responder"
            ),
            (
                "We found tokens in build logs that were four years old.",
                "Platform engineer"
            ),
            (
                "Passkeys were the first security change our staff thanked us for.",
                "IT director"
            ),
        ]
    );
    // The unused front matter key is reported, not dropped silently.
    let again = handbook(dir.path(), &["ingest", "identity.md", "--out", "other"]);
    assert!(
        again
            .stderr
            .contains("warning: front matter `layout` is not used")
            && again.stderr.contains("identity.md:8:9"),
        "{}",
        again.stderr
    );
}

#[test]
fn a_word_web_page_export_loses_its_noise() {
    let (_dir, json) = ingest_export(&fixture("briefings/word-export.html"), "cloud.html", &[]);
    let b = &json["briefings"][0];
    assert_eq!(b["title"], "Cloud Cost Control");
    assert_eq!(
        b["subtitle"],
        "Spending follows architecture: what leaders can change this year."
    );
    let insights: Vec<&str> = json["insights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["text"].as_str().unwrap())
        .collect();
    // Word's bullets (`·` in an `mso-list:Ignore` span) and conditional comments are gone.
    assert_eq!(
        insights,
        [
            "Unowned resources cost as much as the busiest service.",
            "Rightsizing by hand never keeps up."
        ]
    );
    assert_eq!(
        json["insights"][1]["impact"],
        "Savings decay within a quarter."
    );
    assert_eq!(
        json["actions"][0]["text"],
        "Tag every resource with an owning team and delete what has none after thirty days."
    );
    assert_eq!(json["quotes"][0]["attribution"], "Finance partner");
    assert!(
        !json.to_string().contains("document.write"),
        "scripts are not text"
    );
}

#[test]
fn a_script_in_an_html_item_shows_as_text_in_the_handbook() {
    let dir = fixture_copy("render/two-briefings");
    let page = "<html><body><h1>Hostile page</h1><h2>Key insights</h2><ul><li>Attackers paste &lt;script&gt;alert(1)&lt;/script&gt; into wikis.</li></ul><h2>Actions</h2><ul><li>Escape <b>every</b> text.</li></ul></body></html>";
    std::fs::write(dir.path().join("hostile.html"), page).unwrap();
    let run = handbook(dir.path(), &["ingest", "hostile.html", "--out", "content"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let yaml = read(dir.path().join("content/hostile-page.yaml"));
    assert!(yaml.contains("<script>alert(1)</script>"), "{yaml}");
    assert!(yaml.contains("Escape **every** text."), "{yaml}");
    let build = handbook(dir.path(), &["build"]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    let html = read(dir.path().join("book/briefings/hostile-page/insights.html"));
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(!html.contains("<script>alert(1)"), "the script stays text");
}

#[test]
fn reingesting_markdown_with_force_keeps_curation() {
    let (dir, _) = ingest_export(&fixture("briefings/identity-forms.md"), "identity.md", &[]);
    let yaml = dir.path().join("content/identity-new-perimeter.yaml");
    let curated = read(&yaml).replace(
        "  title: Inventory identity providers\n",
        "  title: Inventory identity providers\n  owner: CISO\n  priority: high\n",
    );
    std::fs::write(&yaml, &curated).unwrap();
    let md = dir.path().join("content/identity.md");
    std::fs::write(
        &md,
        read(&md).replace(
            "- Rotate service-account",
            "- Review access every quarter.\n- Rotate service-account",
        ),
    )
    .unwrap();
    let refused = handbook(
        dir.path(),
        &["ingest", "content/identity.md", "--out", "content"],
    );
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert_eq!(read(&yaml), curated, "nothing written without --force");
    let run = handbook(
        dir.path(),
        &[
            "ingest",
            "content/identity.md",
            "--out",
            "content",
            "--force",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let merged = read(&yaml);
    assert!(
        merged.contains("owner: CISO") && merged.contains("priority: high"),
        "{merged}"
    );
    assert!(
        run.stderr
            .contains("added action `review-access-every-quarter`"),
        "{}",
        run.stderr
    );
}

#[test]
fn format_follows_the_extension_and_the_flag_overrides_it() {
    let dir = tempdir();
    copy_into(
        &fixture("briefings/identity-forms.md"),
        dir.path(),
        "identity.wiki",
    );
    let plain = handbook(dir.path(), &["ingest", "identity.wiki", "--out", "content"]);
    assert_eq!(plain.code, 1, "read as plain text, it is no briefing");
    let run = handbook(
        dir.path(),
        &[
            "ingest",
            "identity.wiki",
            "--format",
            "markdown",
            "--out",
            "content",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        dir.path()
            .join("content/identity-new-perimeter.yaml")
            .is_file()
    );
}

#[test]
fn a_very_large_briefing_is_refused_before_parsing() {
    let dir = tempdir();
    let mut text = String::from("# Big\n\n");
    while text.len() < 5 * 1024 * 1024 {
        text.push_str("- an item that repeats to make a large file\n");
    }
    std::fs::write(dir.path().join("big.md"), &text).unwrap();
    let run = handbook(dir.path(), &["ingest", "big.md", "--out", "content"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("a briefing may be at most 4 MiB"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("content").exists(), "nothing written");
}

#[test]
fn deep_nesting_is_bounded_in_every_format() {
    let dir = tempdir();
    let md = format!("# T\n\n{}deep\n", "> ".repeat(5000));
    let html = format!("<h1>T</h1>{}deep", "<blockquote>".repeat(5000));
    let list = format!(
        "# T\n\n{}",
        (0..300)
            .map(|i| format!("{}- x\n", "  ".repeat(i)))
            .collect::<String>()
    );
    for (name, text) in [("q.md", md), ("q.html", html), ("l.md", list)] {
        std::fs::write(dir.path().join(name), text).unwrap();
        let run = handbook(dir.path(), &["ingest", name, "--out", "content"]);
        assert_eq!(run.code, 1, "{name}: {}", run.stderr);
        assert!(
            run.stderr.contains("nested more than"),
            "{name}: {}",
            run.stderr
        );
    }
}
