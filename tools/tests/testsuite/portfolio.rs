//! The portfolio leaders read when the handbook holds several briefings: the home page
//! across briefings, the pages by owner and by quarter, the list of every briefing, a
//! replaced briefing, and edit links that open the content file a page comes from.

use std::path::Path;

use crate::support::*;

const PLATFORM: &str = "content/platform-reliability-board-level-concern.yaml";
const RUST: &str = "content/rust-strategic-rise-enterprise-infrastructure.yaml";
/// 2027-02-15: the first quarter of 2027.
const IN_2027_Q1: &str = "1802649600";

/// Gives the recommendation titled `title` more fields.
fn curate(dir: &Path, title: &str, fields: &str) {
    replace_in(
        &dir.join(PLATFORM),
        &format!("  title: {title}\n"),
        &format!("  title: {title}\n{fields}"),
    );
}

/// The two-briefing fixture with owners, statuses and target quarters.
fn curated() -> tempfile::TempDir {
    let dir = fixture_copy("render/two-briefings");
    curate(
        dir.path(),
        "Instrument every customer-facing service with traces",
        "  owner: Head of SRE\n  status: done\n  target: 2026-Q4\n",
    );
    curate(
        dir.path(),
        "Adopt error budgets for the three services",
        "  owner: CTO\n  status: in-progress\n  target: 2027-Q1\n",
    );
    curate(
        dir.path(),
        "Run blameless reviews for every major incident",
        "  owner: Head of SRE\n  priority: high\n  target: 2026-Q3\n",
    );
    dir
}

fn build(dir: &Path) {
    let run = handbook_with(dir, &["build"], &[("SOURCE_DATE_EPOCH", IN_2027_Q1)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// The text of a page's `<main>`.
fn main_of(dir: &Path, page: &str) -> String {
    let html = read(dir.join("book").join(page));
    let main = html
        .split("<main>")
        .nth(1)
        .unwrap_or_else(|| panic!("{page} has a <main>"));
    main.split("</main>").next().unwrap().to_string()
}

/// The text of the section after the heading with `id`, up to the next heading.
fn section<'a>(main: &'a str, id: &str) -> &'a str {
    let at = main
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("a heading `{id}` in {main}"));
    let rest = &main[at..];
    let end = rest[1..].find("<h2").map_or(rest.len(), |e| e + 1);
    &rest[..end]
}

#[test]
fn the_home_page_of_several_briefings_is_the_portfolio() {
    let dir = curated();
    build(dir.path());
    let home = main_of(dir.path(), "executive-summary.html");
    // Figures across both briefings: 7 recommendations, 1 done of 7.
    assert!(home.contains("<strong>2</strong> briefings"), "{home}");
    assert!(
        home.contains("<strong>7</strong> recommendations"),
        "{home}"
    );
    assert!(home.contains("<strong>14%</strong> done"), "{home}");
    // One row per briefing, linking to its page.
    let rows = home.split("<table class=\"hb-portfolio\">").nth(1).unwrap();
    let rows = rows.split("</table>").next().unwrap();
    assert_eq!(rows.matches("<tr><td").count(), 2, "{rows}");
    for id in [
        "platform-reliability-board-level-concern",
        "rust-strategic-rise-enterprise-infrastructure",
    ] {
        assert!(
            rows.contains(&format!("href=\"briefings/{id}/index.html\"")),
            "{rows}"
        );
    }
    // What needs a decision: the blameless reviews are overdue (2026-Q3 < 2027-Q1) and
    // listed before anything else.
    let attention = home.split("<table class=\"hb-attention\">").nth(1).unwrap();
    let first = attention.split("<tr><td").nth(1).unwrap();
    assert!(
        first.contains(">overdue<") && first.contains("Run blameless reviews"),
        "{attention}"
    );
    assert!(home.contains("as of 2027-02-15"), "{home}");
    // The briefings' own decisions are on their own pages.
    let own = main_of(
        dir.path(),
        "briefings/platform-reliability-board-level-concern/index.html",
    );
    assert!(own.contains("<table class=\"hb-decision\">"), "{own}");
    assert!(
        own.contains("<strong>1 of 3</strong> done, 1 in progress"),
        "{own}"
    );
}

#[test]
fn owners_each_have_a_heading_with_their_recommendations() {
    let dir = curated();
    build(dir.path());
    let owners = main_of(dir.path(), "owners.html");
    // Owners in name order, those without an owner last.
    in_order(
        &owners,
        &[
            "id=\"owner-cto\"",
            "id=\"owner-head-sre\"",
            "id=\"owner-none\"",
        ],
    );
    let cto = section(&owners, "owner-cto");
    assert!(
        cto.contains("Adopt error budgets") && cto.contains("2027-Q1"),
        "{cto}"
    );
    assert!(cto.contains("hb-status-in-progress"), "{cto}");
    let sre = section(&owners, "owner-head-sre");
    assert!(
        sre.contains("Instrument every customer-facing service")
            && sre.contains("Run blameless reviews"),
        "{sre}"
    );
    assert!(!sre.contains("Adopt error budgets"), "{sre}");
    // The four recommendations of the other briefing have no owner.
    let none = section(&owners, "owner-none");
    assert_eq!(none.matches("<tr>").count() - 1, 4, "{none}");
}

#[test]
fn quarters_sort_open_work_by_its_target() {
    let dir = curated();
    build(dir.path());
    let quarters = main_of(dir.path(), "quarters.html");
    assert!(
        quarters.contains("2027-02-15"),
        "the page says the day it counts from"
    );
    let overdue = section(&quarters, "overdue");
    assert!(overdue.contains("Run blameless reviews"), "{overdue}");
    let this = section(&quarters, "this-quarter");
    assert!(
        this.contains("This quarter (2027-Q1)") && this.contains("Adopt error budgets"),
        "{this}"
    );
    assert!(section(&quarters, "next-quarter").contains("None."));
    assert_eq!(
        section(&quarters, "no-target").matches("<tr>").count() - 1,
        4
    );
    // Done work is not open: it is counted, not listed.
    assert!(
        !quarters.contains("Instrument every customer-facing service"),
        "{quarters}"
    );
    assert!(quarters.contains("1 are done or dropped"), "{quarters}");

    // A year later the same work is overdue; the day comes from SOURCE_DATE_EPOCH.
    let run = handbook_with(
        dir.path(),
        &["build"],
        &[("SOURCE_DATE_EPOCH", "1834185600")],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let later = main_of(dir.path(), "quarters.html");
    assert!(
        section(&later, "overdue").contains("Adopt error budgets"),
        "{later}"
    );
}

#[test]
fn a_replaced_briefing_leaves_the_home_page_but_not_the_handbook() {
    let dir = curated();
    replace_in(
        &dir.path().join(RUST),
        "  id: rust-strategic-rise-enterprise-infrastructure\n",
        "  id: rust-strategic-rise-enterprise-infrastructure\n  superseded_by: platform-reliability-board-level-concern\n",
    );
    build(dir.path());
    let home = main_of(dir.path(), "executive-summary.html");
    assert!(home.contains("<strong>1</strong> briefings"), "{home}");
    assert!(
        !home.contains("Rust&#39;s Strategic Rise") && !home.contains("Rust's Strategic Rise"),
        "{home}"
    );
    // Listed last among all briefings, marked, with what replaced it.
    let all = main_of(dir.path(), "briefings.html");
    in_order(&all, &["Platform Reliability", "Rust", "superseded"]);
    let page = main_of(
        dir.path(),
        "briefings/rust-strategic-rise-enterprise-infrastructure/index.html",
    );
    assert!(
        page.contains("A later briefing replaces this one"),
        "{page}"
    );
    // Still found by search.
    let index = std::fs::read_dir(dir.path().join("book"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("searchindex")
        })
        .expect("a search index");
    assert!(read(index).contains("Strategic Rise"));
}

#[test]
fn edit_links_open_the_content_file_a_page_comes_from() {
    let edit = |dir: &Path, page: &str| -> Option<String> {
        let html = read(dir.join("book").join(page));
        let at = html.find("rel=\"edit\"")?;
        let start = html[..at].rfind("href=\"")? + 6;
        let href = &html[start..start + html[start..].find('"')?];
        // Browsers resolve `..` in a path before they ask the host.
        Some(url::Url::parse(href).unwrap().path().to_string())
    };
    let hides = |dir: &Path, page: &str| read(dir.join("book").join(page)).contains("hb-no-edit");
    let with_edit_links = |dir: &Path| {
        let toml = dir.join("book.toml");
        let text = read(&toml);
        std::fs::write(
            toml,
            text + "\n[output.html]\nedit-url-template = \"https://git.example.org/team/handbook/edit/main/{path}\"\n",
        )
        .unwrap();
    };

    let dir = curated();
    with_edit_links(dir.path());
    build(dir.path());
    for page in [
        "briefings/platform-reliability-board-level-concern/index.html",
        "briefings/platform-reliability-board-level-concern/recommendations.html",
    ] {
        assert_eq!(
            edit(dir.path(), page).as_deref(),
            Some("/team/handbook/edit/main/content/platform-reliability-board-level-concern.yaml"),
            "{page}"
        );
        assert!(!hides(dir.path(), page));
    }
    // A hand-written chapter opens its markdown.
    assert_eq!(
        edit(dir.path(), "intro.html").as_deref(),
        Some("/team/handbook/edit/main/src/intro.md")
    );
    // Pages drawn from both files have no single file to open: the link is hidden.
    for page in [
        "executive-summary.html",
        "owners.html",
        "quarters.html",
        "roadmap.html",
    ] {
        assert!(hides(dir.path(), page), "{page}");
    }

    // With one briefing, every generated page opens its file.
    std::fs::remove_file(dir.path().join(PLATFORM)).unwrap();
    std::fs::write(dir.path().join("src/intro.md"), "# Introduction\n").unwrap();
    build(dir.path());
    for page in ["executive-summary.html", "roadmap.html", "owners.html"] {
        assert_eq!(
            edit(dir.path(), page).as_deref(),
            Some(
                "/team/handbook/edit/main/content/rust-strategic-rise-enterprise-infrastructure.yaml"
            ),
            "{page}"
        );
        assert!(!hides(dir.path(), page), "{page}");
    }
}

#[test]
fn search_is_mdbooks_index_or_pagefinds_fragments_as_the_book_says() {
    // A small handbook keeps mdBook's index by default.
    let dir = curated();
    build(dir.path());
    let book = dir.path().join("book");
    // mdBook names its index `searchindex-<hash>.js`.
    let mdbook_index = || {
        std::fs::read_dir(&book).unwrap().any(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("searchindex")
        })
    };
    assert!(mdbook_index());
    assert!(!book.join("pagefind").exists());

    // Asked for Pagefind, it gets the fragments instead, without Pagefind's own user
    // interfaces; without the script that puts them behind the box, the build says so.
    replace_in(
        &dir.path().join("book.toml"),
        "[preprocessor.handbook]\n",
        "[preprocessor.handbook]\nsearch = \"pagefind\"\n",
    );
    let run = handbook_with(dir.path(), &["build"], &[("SOURCE_DATE_EPOCH", IN_2027_Q1)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(book.join("pagefind/pagefind.js").is_file());
    assert!(book.join("pagefind/pagefind-entry.json").is_file());
    assert!(!book.join("pagefind/pagefind-ui.js").exists());
    assert!(!mdbook_index());
    assert!(
        run.stderr
            .contains("`theme/search.js` is not among `[output.html] additional-js`"),
        "{}",
        run.stderr
    );
    // Every content page is indexed: one fragment per page, the print view left out.
    let fragments = std::fs::read_dir(book.join("pagefind/fragment"))
        .unwrap()
        .count();
    let pages = walkdir::WalkDir::new(&book)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy();
            name.ends_with(".html") && !["print.html", "toc.html", "404.html"].contains(&&*name)
        })
        .count();
    assert_eq!(fragments, pages);

    let toml = read(dir.path().join("book.toml"));
    std::fs::write(
        dir.path().join("book.toml"),
        format!("{toml}\n[output.html]\nadditional-js = [\"theme/search.js\"]\n"),
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("theme")).unwrap();
    std::fs::copy(
        repo().join("theme/search.js"),
        dir.path().join("theme/search.js"),
    )
    .unwrap();
    let run = handbook_with(dir.path(), &["build"], &[("SOURCE_DATE_EPOCH", IN_2027_Q1)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("search.js"), "{}", run.stderr);
    assert!(read(book.join("executive-summary.html")).contains("<script src=\"theme/search-"));
}

#[test]
fn an_unknown_search_setting_is_refused_with_the_choices() {
    let dir = curated();
    replace_in(
        &dir.path().join("book.toml"),
        "[preprocessor.handbook]\n",
        "[preprocessor.handbook]\nsearch = \"lunr\"\n",
    );
    let run = handbook(dir.path(), &["build"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("book.toml"), "{}", run.stderr);
    for choice in ["auto", "mdbook", "pagefind"] {
        assert!(run.stderr.contains(choice), "{}", run.stderr);
    }
}
