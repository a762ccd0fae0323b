//! A knowledge base that grows: many briefings ingested one after another, revised
//! briefings re-ingested, relations across briefings, and confirming suggestions.

use crate::support::*;

/// A small book with an empty content folder.
fn empty_book() -> tempfile::TempDir {
    let dir = tempdir();
    std::fs::write(
        dir.path().join("book.toml"),
        "[book]\ntitle = \"Portfolio\"\nsrc = \"src\"\n\n[build]\ncreate-missing = false\n\n[preprocessor.handbook]\ncommand = \"handbook preprocess\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::create_dir_all(dir.path().join("content")).unwrap();
    std::fs::write(
        dir.path().join("src/SUMMARY.md"),
        "# Summary\n\n- [Intro](intro.md)\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("src/intro.md"),
        "# Intro\n\nThe portfolio.\n",
    )
    .unwrap();
    dir
}

/// Briefings on recurring topics: four titles, the same section headings, the same
/// findings, some dated and some not.
fn recurring(n: usize) -> String {
    let title = [
        "Localisation review",
        "Quarterly security review",
        "Platform health check",
        "Vendor assessment",
    ][n % 4];
    let region = ["Europe", "Asia", "Americas", "Africa", "Oceania"][n % 5];
    let date = if n.is_multiple_of(3) {
        String::new()
    } else {
        format!("---\ndate: 2026-{:02}-{:02}\n---\n", 1 + n % 12, 1 + n % 28)
    };
    format!(
        "{date}# {title}\n\n*Findings for {region}, round {n}.*\n\nThe review of {region}.\n\n## Background\n\nThe {region} teams were reviewed in round {n}.\n\n## Localisation finding 1\n\nTranslation coverage is uneven in {region}.\n\n## Key insights\n\n- Localisation finding 1 shows gaps in translation coverage.\n  Impact: Customers meet untranslated screens.\n- Release notes lag behind the product by a month.\n\n## Recommendations\n\n- Translate the top screens first.\n  Impact: Most customers see their language.\n- Publish release notes with every release.\n\n## Quotes\n\n> \"We ship faster than we translate.\"\n> — A product manager in {region}\n"
    )
}

#[test]
fn a_hundred_briefings_with_recurring_headings_build_clean() {
    let book = empty_book();
    for n in 0..100 {
        let name = format!("review-{n:03}.md");
        std::fs::write(book.path().join(&name), recurring(n)).unwrap();
        let run = handbook(book.path(), &["ingest", &name, "--out", "content"]);
        assert_eq!(run.code, 0, "briefing {n}: {}", run.stderr);
    }
    let validate = handbook(book.path(), &["validate", "--format", "json"]);
    assert_eq!(validate.code, 0, "{}", validate.stdout);
    assert!(
        !validate.stdout.contains("\"error\""),
        "{}",
        validate.stdout
    );
    let build = handbook(book.path(), &["build"]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    let export = handbook(book.path(), &["export"]);
    let json: serde_json::Value = serde_json::from_str(&export.stdout).unwrap();
    assert_eq!(json["briefings"].as_array().unwrap().len(), 100);
    // Readable and telling: a repeated title gets its date, a repeated heading the
    // briefing's id.
    let ids: Vec<&str> = json["briefings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"localisation-review"), "{ids:?}");
    assert!(ids.contains(&"localisation-review-2026-05"), "{ids:?}");
    let sections: Vec<&str> = json["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert!(sections.contains(&"background"), "{sections:?}");
    assert!(
        sections.contains(&"background-localisation-review-2026-05"),
        "{sections:?}"
    );
}

#[test]
fn reingesting_the_same_briefing_gives_the_same_ids() {
    let book = empty_book();
    for n in 0..3 {
        let name = format!("review-{n}.md");
        std::fs::write(book.path().join(&name), recurring(n * 4)).unwrap();
        assert_eq!(
            handbook(book.path(), &["ingest", &name, "--out", "content"]).code,
            0
        );
    }
    let before = tree(&book.path().join("content"));
    for n in 0..3 {
        let name = format!("content/review-{n}.md");
        let run = handbook(
            book.path(),
            &["ingest", &name, "--out", "content", "--force"],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    assert_eq!(tree(&book.path().join("content")), before);
}

const IDENTITY: &str = "# Identity review\n\n*Who can reach what.*\n\nAccess decides what an attacker reaches.\n\n## Key insights\n\n- Attackers log in with stolen credentials rather than breaking in.\n  Impact: Every unprotected login is a door.\n- Service accounts keep secrets for years.\n  Impact: One leaked token grants standing access.\n\n## Action items\n\n- Inventory all identity providers and the applications that trust them.\n  Impact: Leaders see single points of failure.\n- Replace text-message codes with passkeys for every employee.\n  Impact: Removes the phishing path.\n";

#[test]
fn a_revised_briefing_keeps_its_curated_recommendation() {
    let book = empty_book();
    std::fs::write(book.path().join("identity.md"), IDENTITY).unwrap();
    assert_eq!(
        handbook(book.path(), &["ingest", "identity.md", "--out", "content"]).code,
        0
    );
    let yaml = book.path().join("content/identity-review.yaml");
    // A contributor curates the recommendation and confirms what it addresses.
    let text = read(&yaml);
    let curated = text.replace(
        "  impact: Leaders see single points of failure.\n",
        "  impact: Leaders see single points of failure.\n  addresses:\n  - service-accounts-keep-secrets-years\n  priority: high\n  owner: CISO\n",
    );
    assert!(curated.contains("owner: CISO"), "{text}");
    std::fs::write(&yaml, &curated).unwrap();
    // The briefing is revised: one word of the recommendation and of an insight change.
    let revised = IDENTITY
        .replace(
            "Inventory all identity providers",
            "Inventory every identity provider",
        )
        .replace(
            "Service accounts keep secrets for years.",
            "Service accounts keep their secrets for years.",
        );
    std::fs::write(book.path().join("content/identity.md"), revised).unwrap();
    let run = handbook(
        book.path(),
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
    assert_eq!(
        merged.matches("- id: inventory-").count(),
        1,
        "no duplicate: {merged}"
    );
    assert!(
        merged.contains("- id: inventory-all-identity-providers-applications\n"),
        "{merged}"
    );
    assert!(
        merged.contains("Inventory every identity provider"),
        "the new words: {merged}"
    );
    assert!(
        merged.contains("owner: CISO") && merged.contains("priority: high"),
        "{merged}"
    );
    assert!(
        run.stderr
            .contains("re-worded action `inventory-all-identity-providers-applications`"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("no longer has"), "{}", run.stderr);
    // What answers the re-worded insight is to review.
    let validate = handbook(book.path(), &["validate"]);
    assert!(
        validate.stderr.contains("is to review"),
        "{}",
        validate.stderr
    );
}

/// Revised versions of the labelled briefings (re-wordings, reorderings, a split, a
/// merge, a dropped and an added item): every item's curation lands on the item it
/// became, none is lost and no item is duplicated, whether or not the previous version
/// of the briefing is at hand.
#[test]
fn revisions_of_the_labelled_briefings_keep_every_curation() {
    use handbook::ingest::matching::{Outcome, evaluate_dir};
    for with_previous in [true, false] {
        let scored =
            evaluate_dir(&fixture("revisions"), &fixture("suggest"), with_previous).unwrap();
        assert_eq!(scored.len(), 8);
        let mut total = Outcome::default();
        for (name, o) in &scored {
            assert_eq!(
                (o.wrong, o.duplicated, o.lost),
                (0, 0, 0),
                "{name} ({with_previous}): {o:?}"
            );
            total.add(*o);
        }
        assert_eq!(
            total.kept, 61,
            "every item of the eight originals is accounted for"
        );
    }
}

/// The seed and its one-year follow-up in one knowledge base.
fn seed_and_follow_up() -> tempfile::TempDir {
    let book = empty_book();
    copy_into(&seed(), book.path(), "rust-strategic-rise.txt");
    copy_into(
        &fixture("suggest/across/rust-one-year-in.txt"),
        book.path(),
        "rust-one-year-in.txt",
    );
    for name in ["rust-strategic-rise.txt", "rust-one-year-in.txt"] {
        let run = handbook(book.path(), &["ingest", name, "--out", "content"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    book
}

#[test]
fn a_follow_up_relates_to_the_briefing_it_follows_both_ways() {
    let book = seed_and_follow_up();
    let export = handbook(book.path(), &["export"]);
    let json: serde_json::Value = serde_json::from_str(&export.stdout).unwrap();
    let find = |list: &str, id: &str| {
        json[list]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == id)
            .unwrap_or_else(|| panic!("{id}"))
            .clone()
    };
    let audit = find("actions", "audit-legacy-c-c-backend");
    assert_eq!(
        audit["continued_by"],
        serde_json::json!(["refactor-remaining-seven-high-risk"])
    );
    let memory = find(
        "insights",
        "memory-safety-eliminates-critical-vulnerability",
    );
    assert_eq!(
        memory["updated_by"],
        serde_json::json!(["rewritten-services-have-had-no"])
    );
    assert_eq!(
        find("insights", "rewritten-services-have-had-no")["updates"],
        serde_json::json!(["memory-safety-eliminates-critical-vulnerability"])
    );
    // The earlier briefing's pages say where it is followed up.
    let build = handbook(book.path(), &["build"]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    let page =
        read(book.path().join(
            "book/briefings/rust-strategic-rise-enterprise-infrastructure/recommendations.html",
        ));
    let at = page
        .find("Carried on in:")
        .expect("a backlink to the follow-up");
    assert!(
        page[at..].contains("Refactor the remaining seven high-risk"),
        "{}",
        &page[at..at + 400]
    );
    assert!(page[at..].contains("in Rust Adoption: One Year In"));
    // And why the relation was suggested.
    let explain = handbook(book.path(), &["validate", "--explain"]);
    assert!(
        explain
            .stdout
            .contains("refactor-remaining-seven-high-risk continues audit-legacy-c-c-backend"),
        "{}",
        explain.stdout
    );
    assert!(
        explain
            .stdout
            .contains("in the earlier briefing “Rust's Strategic Rise"),
        "{}",
        explain.stdout
    );
}

#[test]
fn review_lists_confirms_rejects_and_records_without_touching_other_lines() {
    let book = seed_and_follow_up();
    let yaml = book.path().join("content/rust-adoption-one-year.yaml");
    // A contributor's comment and a hand-written field stay where they are.
    let text = read(&yaml).replace(
        "actions:\n",
        "# Reviewed with the platform team on Monday.\nactions:\n",
    );
    std::fs::write(&yaml, &text).unwrap();
    let list = handbook(book.path(), &["review", "--format", "json"]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    let json: serde_json::Value = serde_json::from_str(&list.stdout).unwrap();
    let suggestions = json["suggestions"].as_array().unwrap();
    let across = suggestions
        .iter()
        .find(|s| s["relation"] == "continues" && s["from"] == "refactor-remaining-seven-high-risk")
        .expect("the continuation is listed");
    assert_eq!(across["to"], "audit-legacy-c-c-backend");
    assert!(across["via"].as_str().unwrap().contains("earlier briefing"));
    assert_eq!(across["file"], "content/rust-adoption-one-year.yaml");

    let run = handbook(
        book.path(),
        &[
            "review",
            "confirm",
            "refactor-remaining-seven-high-risk",
            "audit-legacy-c-c-backend",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = handbook(
        book.path(),
        &[
            "review",
            "reject",
            "ai-generated-tests-found-edge",
            "ai-integration-optimizes-testing-documentation",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let after = read(&yaml);
    assert!(
        after.contains("  continues:\n  - audit-legacy-c-c-backend\n"),
        "{after}"
    );
    assert!(
        !after.contains("ai-integration-optimizes-testing-documentation"),
        "{after}"
    );
    assert!(after.contains("# Reviewed with the platform team on Monday.\nactions:\n"));
    // Only the decided lines changed.
    let changed = similar_lines(&text, &after);
    assert!(changed <= 6, "{changed} lines changed");

    // Recording a review writes the fingerprint; the listing no longer shows it.
    let run = handbook(
        book.path(),
        &["review", "reviewed", "refactor-remaining-seven-high-risk"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(read(&yaml).contains("  reviewed: '"), "{}", read(&yaml));
    let validate = handbook(book.path(), &["validate"]);
    assert_eq!(validate.code, 0, "{}", validate.stderr);

    // Mistakes are refused with the closest id, and nothing is written.
    let before = read(&yaml);
    let wrong = handbook(
        book.path(),
        &[
            "review",
            "confirm",
            "refactor-remaining-seven-high-rsk",
            "x",
        ],
    );
    assert_eq!(wrong.code, 1);
    assert!(
        wrong
            .stderr
            .contains("did you mean `refactor-remaining-seven-high-risk`?"),
        "{}",
        wrong.stderr
    );
    let odd = handbook(book.path(), &["review", "reject", "only-one"]);
    assert_eq!(odd.code, 1);
    assert!(odd.stderr.contains("pairs"), "{}", odd.stderr);
    assert_eq!(read(&yaml), before);
}

#[test]
fn review_walk_reads_the_answers() {
    let book = seed_and_follow_up();
    let count = |book: &std::path::Path| {
        let list = handbook(book, &["review", "--format", "json"]);
        let json: serde_json::Value = serde_json::from_str(&list.stdout).unwrap();
        json["suggestions"].as_array().unwrap().len()
    };
    let before = count(book.path());
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_handbook"))
        .args(["review", "walk"])
        .current_dir(book.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"c\nr\ns\nq\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("[1/") && stderr.contains("[c]onfirm, [r]eject"),
        "{stderr}"
    );
    assert!(stderr.contains("review: 2 decision(s) written"), "{stderr}");
    assert_eq!(count(book.path()), before - 2);
}

/// How many lines differ between two texts, as a line diff counts them.
fn similar_lines(a: &str, b: &str) -> usize {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let common = a.iter().filter(|l| b.contains(l)).count();
    (a.len() - common) + (b.len().saturating_sub(common))
}
