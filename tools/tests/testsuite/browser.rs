//! The handbook in a real browser: Debian's headless Chromium, driven through
//! playwright-core, over `handbook serve` on 127.0.0.1, with axe-core's accessibility
//! rules. Screenshots are kept in `target/screenshots/` for review.

use crate::support::*;

const BRIEFING: &str = "rust-strategic-rise-enterprise-infrastructure";

#[test]
fn leaders_can_read_navigate_and_search_the_handbook() {
    let modules = repo().join("target/node/node_modules");
    assert!(
        modules.join("playwright-core").is_dir() && modules.join("axe-core").is_dir(),
        "playwright-core and axe-core are missing: run `bash .ci/run` (it installs them into target/node)"
    );
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        std::path::Path::new(&chromium).exists(),
        "Chromium is missing: `apt-get install chromium` (`.ci/run` does it)"
    );

    let dir = handbook_copy();
    let server = Server::start(dir.path());
    let shots = repo().join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let out = std::process::Command::new("node")
        .arg(repo().join("tests/browser/check.mjs"))
        .args([
            format!("http://127.0.0.1:{}", server.port),
            shots.display().to_string(),
            BRIEFING.to_string(),
        ])
        .env("HANDBOOK_NODE_MODULES", &modules)
        .env("CHROMIUM", &chromium)
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();

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
    // The summary prints on one A4 page.
    assert_eq!(seen["briefPages"], 1, "the brief is one PDF page");
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
            shots.join(shot).metadata().unwrap().len() > 10_000,
            "{shot}"
        );
    }
}
