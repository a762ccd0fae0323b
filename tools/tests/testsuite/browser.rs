//! The handbook in a real browser: Debian's headless Chromium, driven through
//! playwright-core, over `handbook serve` on 127.0.0.1, with axe-core's accessibility
//! rules. Screenshots are kept in `target/screenshots/` for review.

use std::path::Path;

use crate::support::*;

const BRIEFING: &str = "rust-strategic-rise-enterprise-infrastructure";

/// Serves the handbook in `dir` with `handbook serve` and runs `script` (in
/// `tests/browser/`) on it in Chromium; what the script saw, as JSON.
fn in_chromium(dir: &Path, script: &str, args: &[&str]) -> serde_json::Value {
    let modules = repo().join("target/node/node_modules");
    assert!(
        modules.join("playwright-core").is_dir() && modules.join("axe-core").is_dir(),
        "playwright-core and axe-core are missing: run `bash .ci/run` (it installs them into target/node)"
    );
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).exists(),
        "Chromium is missing: `apt-get install chromium` (`.ci/run` does it)"
    );
    let server = Server::start(dir);
    let shots = repo().join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let out = std::process::Command::new("node")
        .arg(repo().join("tests/browser").join(script))
        .args([
            format!("http://127.0.0.1:{}", server.port),
            shots.display().to_string(),
        ])
        .args(args)
        .env("HANDBOOK_NODE_MODULES", &modules)
        .env("CHROMIUM", &chromium)
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// At most 30 links in the sidebar before anything is unfolded.
#[track_caller]
fn assert_sidebar_is_short(links: &serde_json::Value) {
    let links = links.as_array().unwrap();
    assert!(
        !links.is_empty() && links.len() <= 30,
        "{} sidebar links: {links:?}",
        links.len()
    );
}

/// No serious or critical axe violation on any page in any theme.
#[track_caller]
fn assert_accessible_in_every_theme(themes: &serde_json::Value) {
    let themes = themes.as_object().unwrap();
    assert_eq!(themes.len(), 5, "light, rust, coal, navy and ayu");
    for (theme, pages) in themes {
        for (page, violations) in pages.as_object().unwrap() {
            assert_eq!(
                violations,
                &serde_json::json!([]),
                "serious or critical accessibility violations on `{page}` in the {theme} theme"
            );
        }
    }
}

#[test]
fn leaders_can_read_navigate_and_search_the_handbook() {
    let dir = handbook_copy();
    let seen = in_chromium(dir.path(), "check.mjs", &[BRIEFING]);

    assert_eq!(
        seen["homeTitle"], "Rust’s Strategic Rise in Enterprise Infrastructure",
        "{seen}"
    );
    assert_eq!(seen["homeFigures"], 4);
    // At 1280×800 every recommendation is on the first screen, each on one line.
    let rows = seen["home"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 4, "{seen}");
    let bottom = rows.last().unwrap()["bottom"].as_f64().unwrap();
    assert!(
        bottom <= 800.0,
        "the last recommendation ends at {bottom} px"
    );
    let heights: Vec<f64> = rows.iter().map(|r| r["height"].as_f64().unwrap()).collect();
    assert!(
        heights
            .iter()
            .all(|h| (h - heights[0]).abs() < 1.0 && *h < 40.0),
        "one line per recommendation: row heights {heights:?}"
    );
    // At 390 wide, the first recommendation is on the first screen.
    let first = seen["phone"]["rows"][0]["bottom"].as_f64().unwrap();
    assert!(
        first <= 844.0,
        "the first recommendation ends at {first} px on a phone"
    );
    // The summary prints on one sheet of A4 and of US Letter.
    assert_eq!(
        seen["briefPages"],
        serde_json::json!({ "A4": 1, "Letter": 1 }),
        "the brief is one page"
    );
    assert_sidebar_is_short(&seen["sidebar"]);
    assert_eq!(seen["roadmapCards"], 4);
    // The graph: text of 12 px or more at 1280 wide, every title whole, no edge
    // running under a box it does not join.
    let graph = &seen["graph"];
    assert!(
        graph["minFontPx"].as_f64().unwrap() >= 12.0,
        "graph text at {} px",
        graph["minFontPx"]
    );
    assert_eq!(graph["crossings"], serde_json::json!([]), "{graph}");
    for label in graph["labels"].as_array().unwrap() {
        assert_eq!(label["shown"], label["title"], "a title is shown whole");
    }

    let link = &seen["insightLink"];
    let expected = link["expectedId"].as_str().unwrap();
    assert_eq!(
        link["landedOn"],
        format!("/briefings/{BRIEFING}/insights.html#{expected}"),
        "{link}"
    );
    assert_eq!(link["targetVisible"], true, "{link}");
    // The link lands on the card of the insight it names, titled as in the content.
    let export: serde_json::Value =
        serde_json::from_str(&handbook(&repo(), &["export"]).stdout).unwrap();
    let title = export["insights"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == expected)
        .map(|i| i["title"].as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("`{expected}` is an insight"));
    let target_text = link["targetText"].as_str().unwrap_or_default();
    assert!(
        target_text.contains(&title),
        "landed on {target_text:?}, expected the card of {title:?}"
    );

    let results = seen["searchResults"].as_array().unwrap();
    assert!(
        results
            .iter()
            .any(|r| r.as_str().unwrap().to_lowercase().contains("memory safety")),
        "search results: {results:?}"
    );

    assert_eq!(
        seen["consoleErrors"],
        serde_json::json!([]),
        "the console shows no errors"
    );
    for page in [
        "home",
        "recommendation",
        "matrix",
        "roadmap",
        "changes",
        "graph",
    ] {
        assert_eq!(
            seen["axe"][page],
            serde_json::json!([]),
            "serious or critical accessibility violations on {page}"
        );
    }
    assert_accessible_in_every_theme(&seen["axeThemes"]);
    assert!(
        seen["printHeadings"].as_u64().unwrap() >= 8,
        "print.html holds the whole handbook"
    );
    for shot in [
        "home.png",
        "home-phone.png",
        "roadmap.png",
        "changes.png",
        "recommendation.png",
        "search.png",
        "matrix.png",
        "graph.png",
    ] {
        assert!(
            repo()
                .join("target/screenshots")
                .join(shot)
                .metadata()
                .unwrap()
                .len()
                > 10_000,
            "{shot}"
        );
    }
}

/// Topics of the briefings a portfolio grows by, in the Markdown layout, one a month.
const TOPICS: &[(&str, &str)] = &[
    ("Cloud Cost Governance", "cloud spend"),
    ("Zero Trust Access", "access control"),
    ("Data Platform Consolidation", "the data platform"),
    ("Developer Experience Investment", "developer tooling"),
    ("Responsible AI Adoption", "AI models"),
    ("Software Supply-Chain Security", "dependencies"),
    ("Mainframe Modernisation", "mainframe workloads"),
    ("Edge Computing for Retail", "store systems"),
    ("Accessibility as a Product Standard", "accessibility"),
    ("An Open-Source Program Office", "open-source use"),
    ("Incident Communication", "customer updates"),
    ("Green Software", "energy use"),
];

/// A briefing on `topic` as a person would write it in Markdown.
fn briefing_markdown(n: usize, (title, subject): (&str, &str)) -> String {
    let item = |i: usize, lead: &str| {
        format!(
            "- {lead} {subject} is measured every quarter {i}.\n  **Impact:** Leaders see where {subject} stands before they decide.\n"
        )
    };
    format!(
        "---\ndate: 2026-{:02}-10\nauthor: Strategy Office\n---\n\n# {title}\n\n*Why {subject} needs a decision this year.*\n\n\
         Spending on {subject} grew faster than the work it supports, and nobody owns the whole picture.\n\n\
         ## Where {subject} stands\n\nEach team decides on {subject} alone, so the organisation pays twice for the same capability.\n\n\
         ## What others do\n\nPeers put one owner in charge of {subject} and review it with finance every quarter.\n\n\
         ## Key insights\n\n{}{}{}\n## Action items\n\n{}{}{}\n## Quotes\n\n> \"What is not owned is not managed.\" — A finance director\n",
        n % 12 + 1,
        item(1, "Visibility of"),
        item(2, "Ownership of"),
        item(3, "The cost of"),
        item(4, "Name one owner for"),
        item(5, "Publish a quarterly report on"),
        item(6, "Set a budget for"),
    )
}

/// The repository's handbook with `more` briefings ingested: the platform briefing, then
/// those of [`TOPICS`].
fn portfolio_of(more: usize) -> tempfile::TempDir {
    let dir = handbook_copy();
    let mut files = vec![fixture("briefings/platform-reliability.txt")];
    for (n, topic) in TOPICS.iter().enumerate().take(more.saturating_sub(1)) {
        let file = dir.path().join(format!("briefing-{n}.md"));
        std::fs::write(&file, briefing_markdown(n, *topic)).unwrap();
        files.push(file);
    }
    for file in files.iter().take(more) {
        let run = handbook(dir.path(), &["ingest", file.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    dir
}

#[test]
fn the_portfolio_scales_from_two_to_fourteen_briefings() {
    // Two briefings are searched with mdBook's index; fourteen with Pagefind's
    // fragments (as a large handbook is), behind the same box.
    for (more, query, pagefind) in [(1, "error budgets", false), (13, "energy use", true)] {
        let dir = portfolio_of(more);
        let briefings = more + 1;
        if pagefind {
            replace_in(
                &dir.path().join("book.toml"),
                "content = \"content\"\n",
                "content = \"content\"\nsearch = \"pagefind\"\n",
            );
        }
        let run = handbook(dir.path(), &["build"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let seen = in_chromium(
            dir.path(),
            "portfolio.mjs",
            &[&briefings.to_string(), query],
        );
        let search = &seen["search"];
        assert_eq!(search["pagefind"], pagefind, "{search}");
        let results = search["results"].as_array().unwrap();
        assert!(!results.is_empty(), "`{query}` finds something: {search}");
        let wanted = if pagefind {
            "Green Software"
        } else {
            "Platform Reliability"
        };
        assert!(
            results
                .iter()
                .any(|r| r["text"].as_str().unwrap().contains(wanted)),
            "`{query}` finds {wanted}: {search}"
        );
        assert!(
            search["landed"].as_str().unwrap().ends_with(".html"),
            "{search}"
        );
        let home = &seen["home"];
        // Every briefing is a row on the first 1280×800 screen, one line each.
        let rows = home["rows"].as_array().unwrap();
        assert_eq!(rows.len(), briefings, "{home}");
        for row in rows {
            assert!(
                row["bottom"].as_f64().unwrap() <= 800.0,
                "{briefings} briefings: {row}"
            );
            assert!(row["height"].as_f64().unwrap() < 40.0, "one line: {row}");
        }
        assert_eq!(home["figures"], 4, "{home}");
        assert_sidebar_is_short(&seen["sidebar"]);
        // Without JavaScript, a briefing's page leads to each of its pages.
        let plain = &seen["withoutScript"];
        let links = plain["links"].as_array().unwrap();
        for page in [
            "insights.html",
            "recommendations.html",
            "quotes.html",
            "roadmap.html",
            "matrix.html",
            "graph.html",
        ] {
            assert!(links.iter().any(|l| l == page), "{page} from {plain}");
        }
        assert_accessible_in_every_theme(&seen["axe"]);
        // The home page prints on one sheet; nothing printed is wider than the paper.
        let print = seen["print"].as_object().unwrap();
        assert_eq!(print["home"]["A4"], 1, "{print:?}");
        assert_eq!(print["home"]["Letter"], 1, "{print:?}");
        for (page, counts) in print {
            assert_eq!(counts["overflow"], 0, "{page} is cut when printed");
        }
        assert_eq!(seen["consoleErrors"], serde_json::json!([]));
    }
}
