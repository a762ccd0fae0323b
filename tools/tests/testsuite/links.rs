//! `handbook check links`: exactly the true findings, each at its markdown line; remote
//! checks against a real HTTP server on 127.0.0.1, with a cache.

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::*;

fn check(
    dir: &std::path::Path,
    cache: &std::path::Path,
    extra: &[&str],
) -> (Run, serde_json::Value) {
    let mut args = vec!["check", "links", "--book", ".", "--format", "json"];
    args.extend_from_slice(extra);
    handbook_json(Some(dir), cache, &args)
}

fn broken(json: &serde_json::Value) -> Vec<(String, u64, String, String)> {
    json["broken"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["file"].as_str().unwrap().to_string(),
                b["line"].as_u64().unwrap(),
                b["url"].as_str().unwrap().to_string(),
                b["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The broken links as (file, line, url).
fn located(json: &serde_json::Value) -> Vec<(String, u64, String)> {
    broken(json)
        .into_iter()
        .map(|(f, l, u, _)| (f, l, u))
        .collect()
}

#[test]
fn exactly_the_broken_links_each_once_at_its_markdown_line() {
    let dir = fixture_copy("links/broken");
    let cache = tempdir();
    let (run, json) = check(dir.path(), cache.path(), &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let found: Vec<(String, u64, String)> = located(&json);
    assert_eq!(
        found,
        vec![
            (
                "src/guide.md".to_string(),
                15,
                "#setup-and-install".to_string()
            ),
            (
                "src/guide.md".to_string(),
                17,
                "img/missing.png".to_string()
            ),
            ("src/index.md".to_string(), 8, "missing.md".to_string()),
            (
                "src/index.md".to_string(),
                10,
                "guide.md#no-such-section".to_string()
            ),
            ("src/nested/deep.md".to_string(), 5, "guide.md".to_string()),
        ]
    );
    let reasons: Vec<String> = broken(&json).into_iter().map(|b| b.3).collect();
    assert!(
        reasons[0].contains("missing fragment") && reasons[2].contains("missing page"),
        "{reasons:?}"
    );
}

#[test]
fn the_handbook_itself_has_no_broken_links_and_yaml_links_are_located() {
    let dir = handbook_copy();
    let cache = tempdir();
    let (run, json) = check(dir.path(), cache.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(json["checked"].as_u64().unwrap() > 10, "{json}");

    // A broken link written in a YAML text field is reported at that YAML line.
    let yaml = content_yaml(dir.path());
    let text = read(&yaml);
    let at = text.find("  impact: ").unwrap();
    let line = text[..at].matches('\n').count() + 1;
    std::fs::write(
        &yaml,
        format!(
            "{}  impact: See [the appendix](appendix.md).\n{}",
            &text[..at],
            &text[text[at..].find('\n').unwrap() + at + 1..]
        ),
    )
    .unwrap();
    let (run, json) = check(dir.path(), cache.path(), &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let rel = yaml
        .strip_prefix(dir.path())
        .unwrap()
        .to_string_lossy()
        .to_string();
    assert_eq!(
        located(&json),
        vec![(rel, line as u64, "appendix.md".to_string())]
    );
}

/// A real HTTP server on 127.0.0.1 counting requests per path.
fn serve() -> (u16, Arc<Mutex<BTreeMap<String, usize>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let counts: Arc<Mutex<BTreeMap<String, usize>>> = Arc::default();
    let seen = Arc::clone(&counts);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let seen = Arc::clone(&seen);
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request = String::new();
                if reader.read_line(&mut request).is_err() {
                    return;
                }
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
                        break;
                    }
                }
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
                let n = {
                    let mut c = seen.lock().unwrap();
                    let n = c.entry(path.clone()).or_insert(0);
                    *n += 1;
                    *n
                };
                let response = match path.as_str() {
                    "/ok" => "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".to_string(),
                    "/missing" => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_string(),
                    "/moved" => "HTTP/1.1 301 Moved Permanently\r\nLocation: /ok\r\nContent-Length: 0\r\n\r\n".to_string(),
                    "/busy" if n == 1 => "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n".to_string(),
                    "/busy" => "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".to_string(),
                    "/flaky" if n == 1 => "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n".to_string(),
                    "/flaky" => "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".to_string(),
                    "/down" => "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n".to_string(),
                    "/loop" => "HTTP/1.1 302 Found\r\nLocation: /loop-back\r\nContent-Length: 0\r\n\r\n".to_string(),
                    "/loop-back" => "HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\n\r\n".to_string(),
                    "/slow" => {
                        std::thread::sleep(Duration::from_secs(4));
                        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".to_string()
                    }
                    _ => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_string(),
                };
                let _ = stream.write_all(
                    response
                        .replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n")
                        .as_bytes(),
                );
            });
        }
    });
    (port, counts)
}

#[test]
fn remote_links_against_a_local_server_with_retries_timeouts_and_a_cache() {
    let (port, counts) = serve();
    let dir = fixture_copy("render/two-briefings");
    let toml = dir.path().join("book.toml");
    std::fs::write(&toml, read(&toml) + "\n[preprocessor.handbook.links]\ntimeout = 1\nmax-retries = 1\nretry-wait = 1\nmax-concurrency = 4\n").unwrap();
    let chapter = dir.path().join("src/intro.md");
    let base = format!("http://127.0.0.1:{port}");
    std::fs::write(&chapter, format!(
        "# Introduction\n\n[ok]({base}/ok)\n\n[missing]({base}/missing)\n\n[moved]({base}/moved)\n\n[busy]({base}/busy)\n\n[slow]({base}/slow)\n\n[ok again]({base}/ok)\n"
    )).unwrap();
    let cache = tempdir();

    let (offline, json) = check(dir.path(), cache.path(), &[]);
    assert_eq!(offline.code, 0, "offline by default: {}", offline.stderr);
    assert!(json["broken"].as_array().unwrap().is_empty());
    assert!(
        counts.lock().unwrap().is_empty(),
        "no request without --remote"
    );

    let (run, json) = check(dir.path(), cache.path(), &["--remote"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let found = broken(&json);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(
        (found[0].1, found[0].2.as_str(), found[0].3.as_str()),
        (5, format!("{base}/missing").as_str(), "HTTP 404")
    );
    assert_eq!(
        (found[1].1, found[1].2.as_str()),
        (11, format!("{base}/slow").as_str())
    );
    assert!(found[1].3.contains("timed out"), "{:?}", found[1]);
    let first = counts.lock().unwrap().clone();
    // `/ok` is written twice but requested once, plus once at the end of `/moved`.
    assert_eq!(first.get("/ok"), Some(&2), "{first:?}");
    assert!(
        first.get("/busy").copied().unwrap_or(0) >= 2,
        "429 is retried: {first:?}"
    );

    let (again, json) = check(dir.path(), cache.path(), &["--remote"]);
    assert_eq!(again.code, 1);
    assert_eq!(broken(&json).len(), 2);
    let second = counts.lock().unwrap().clone();
    for path in ["/ok", "/missing", "/moved", "/busy"] {
        assert_eq!(
            first.get(path),
            second.get(path),
            "cached: no new request for {path}"
        );
    }
    assert!(json["cached"].as_u64().unwrap() >= 4);
}

#[test]
fn a_built_site_is_checked_at_markdown_lines_beside_its_book_and_html_lines_alone() {
    let dir = tempdir();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("book.toml"), "[book]\ntitle = \"L\"\n").unwrap();
    std::fs::write(
        dir.path().join("src/SUMMARY.md"),
        "# Summary\n\n- [One](one.md)\n- [Two](two.md)\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("src/one.md"),
        "# One\n\n[gone](missing.md) and [two](two.md#two)\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("src/two.md"),
        "# Two\n\n[nowhere](one.md#nowhere)\n",
    )
    .unwrap();
    assert_eq!(
        handbook(dir.path(), &["build"]).code,
        0,
        "any mdBook builds"
    );
    let cache = tempdir();
    let run: Run = std::process::Command::new(env!("CARGO_BIN_EXE_handbook"))
        .args(["check", "links", "--html", "book", "--format", "json"])
        .current_dir(dir.path())
        .env("HANDBOOK_CACHE_DIR", cache.path())
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 1, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let located = |json: &serde_json::Value| -> Vec<(String, u64)> {
        json["broken"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                (
                    b["file"].as_str().unwrap().to_string(),
                    b["line"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    // The site is the book's own output: findings at the markdown lines.
    assert_eq!(
        located(&json),
        [("src/one.md".to_string(), 3), ("src/two.md".to_string(), 3)],
        "{json}"
    );

    // The same site elsewhere, without its book: HTML lines, and `index.html` (mdBook's
    // copy of `one.html`) does not repeat the broken link.
    let elsewhere = tempdir();
    copy_tree(&dir.path().join("book"), &elsewhere.path().join("site"));
    let (run, json) = handbook_json(
        Some(elsewhere.path()),
        cache.path(),
        &["check", "links", "--html", "site", "--format", "json"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let files: Vec<String> = located(&json).into_iter().map(|(f, _)| f).collect();
    assert_eq!(files, ["one.html", "two.html"], "{json}");
}

#[test]
fn a_second_renderer_an_email_autolink_and_a_relative_book_path_change_nothing() {
    let cache = tempdir();
    let plain = fixture_copy("links/broken");
    let (_, expected) = check(plain.path(), cache.path(), &[]);

    // The same book with a second `[output.*]` (mdBook then gives each renderer a
    // subfolder), a CommonMark email autolink, checked by a relative path from its parent.
    let parent = tempdir();
    let book = parent.path().join("the book");
    copy_tree(&fixture("links/broken"), &book);
    let toml = book.join("book.toml");
    std::fs::write(
        &toml,
        read(&toml) + "\n[output.html]\n\n[output.markdown]\n",
    )
    .unwrap();
    let guide = book.join("src/guide.md");
    std::fs::write(&guide, read(&guide) + "\nWrite to <someone@example.org>.\n").unwrap();
    let (run, json) = handbook_json(
        Some(parent.path()),
        cache.path(),
        &["check", "links", "--book", "the book", "--format", "json"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(broken(&json), broken(&expected));
    assert_eq!(json["checked"], expected["checked"]);
    assert!(
        !book.join("book").exists(),
        "only a temporary build was made"
    );
}

#[test]
fn options_of_check_apply_to_its_subcommands_in_any_order() {
    let cache = tempdir();
    let dir = fixture_copy("links/broken");
    let root = dir.path().to_str().unwrap();
    let (_, expected) = check(dir.path(), cache.path(), &[]);
    let elsewhere = tempdir();
    for args in [
        ["check", "--root", root, "--format", "json", "links"],
        ["check", "links", "--root", root, "--format", "json"],
        ["check", "--format", "json", "links", "--book", root],
    ] {
        let (run, json) = handbook_json(Some(elsewhere.path()), cache.path(), &args);
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        assert_eq!(broken(&json), broken(&expected), "{args:?}");
    }
}

/// A book published beside sibling books (`../std/…`): an error by default, a warning
/// with `outside = "warn"`, and a remote link checked with `--remote` once remapped.
#[test]
fn links_to_sibling_books_are_errors_warnings_or_remapped() {
    let (port, counts) = serve();
    let dir = fixture_copy("links/broken");
    std::fs::write(
        dir.path().join("src/nested/deep.md"),
        "# Deep\n\n[Vec](../../std/ok) and [push](../../std/missing#method.push) and\n[the reference](../../reference/types.md).\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("src/index.md"),
        "# Home\n\nSee [Vec](../std/ok).\n",
    )
    .unwrap();
    let toml = dir.path().join("book.toml");
    let base_toml = read(&toml);
    let cache = tempdir();
    let siblings = |json: &serde_json::Value| -> Vec<(String, u64, String, String)> {
        json["broken"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| {
                let url = b["url"].as_str().unwrap();
                url.contains("std/") || url.contains("reference/")
            })
            .map(|b| {
                (
                    b["file"].as_str().unwrap().to_string(),
                    b["line"].as_u64().unwrap(),
                    b["url"].as_str().unwrap().to_string(),
                    b["severity"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };

    // By default a link out of the book is an error, with a hint at the settings.
    let (run, json) = check(dir.path(), cache.path(), &[]);
    assert_eq!(run.code, 1);
    let found = siblings(&json);
    assert_eq!(found.len(), 4, "{found:?}");
    assert!(found.iter().all(|f| f.3 == "error"));
    let (human, _) = (handbook(dir.path(), &["check", "links"]), ());
    assert!(human.stderr.contains("remap"), "{}", human.stderr);

    // `outside = "warn"`: shown in every format, failing nothing on their own.
    std::fs::write(
        &toml,
        format!("{base_toml}\n[preprocessor.handbook]\n\n[preprocessor.handbook.links]\noutside = \"warn\"\n"),
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("content")).unwrap();
    std::fs::write(
        dir.path().join("content/b.yaml"),
        "briefing: {id: b, title: B}\n",
    )
    .unwrap();
    let (_, json) = check(dir.path(), cache.path(), &[]);
    let found = siblings(&json);
    assert_eq!(found.len(), 4, "{found:?}");
    assert!(found.iter().all(|f| f.3 == "warning"), "{found:?}");
    let github = handbook(dir.path(), &["check", "links", "--format", "github"]);
    assert!(
        github
            .stdout
            .lines()
            .any(|l| l.starts_with("::warning file=src/index.md,line=3,")),
        "{}",
        github.stdout
    );

    // A remap makes `../std/` a remote link, checked with `--remote` (and cached);
    // `../reference/` still leaves the book.
    std::fs::write(
        &toml,
        format!(
            "{base_toml}\n[preprocessor.handbook]\n\n[[preprocessor.handbook.links.remap]]\nfrom = \"^\\\\.\\\\./std/\"\nto = \"http://127.0.0.1:{port}/\"\n"
        ),
    )
    .unwrap();
    let (run, json) = check(dir.path(), cache.path(), &[]);
    assert_eq!(run.code, 1);
    let found = siblings(&json);
    assert_eq!(
        found,
        vec![(
            "src/nested/deep.md".to_string(),
            4,
            "../../reference/types.md".to_string(),
            "error".to_string()
        )],
        "offline, remapped links are not checked"
    );
    assert!(counts.lock().unwrap().is_empty());
    let (_, json) = check(dir.path(), cache.path(), &["--remote"]);
    let found = siblings(&json);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].2, "../../std/missing#method.push");
    let reason = json["broken"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["url"] == "../../std/missing#method.push")
        .unwrap()["reason"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        reason.contains("HTTP 404") && reason.contains(&format!("127.0.0.1:{port}/missing")),
        "{reason}"
    );
    // `../std/ok` from two chapters is one target, asked for once.
    assert_eq!(counts.lock().unwrap().get("/ok"), Some(&1));
}

/// Links written as raw HTML in a chapter are checked at their markdown line, and ids
/// defined in raw HTML are targets like any heading.
#[test]
fn raw_html_links_and_anchors_in_chapters() {
    let cache = tempdir();
    let plain = fixture_copy("links/broken");
    let (_, expected) = check(plain.path(), cache.path(), &[]);
    let dir = fixture_copy("links/broken");
    let chapter = dir.path().join("src/nested/deep.md");
    let before = read(&chapter);
    let first = before.lines().count() + 2;
    std::fs::write(
        &chapter,
        format!(
            "{before}\n<a href=\"nope.html\">gone</a> and <a href=\"../guide.html#raw-target\">fine</a>\n\n<div id=\"raw-target-2\">\n<img src=\"../img/absent.png\" alt=\"\">\n<img src=\"../img/logo.png\" alt=\"\">\n</div>\n\n[to the raw id](#raw-target-2) and [to a missing one](#raw-target-3)\n"
        ),
    )
    .unwrap();
    let guide = dir.path().join("src/guide.md");
    std::fs::write(&guide, read(&guide) + "\n<span id=\"raw-target\"></span>\n").unwrap();
    let (run, json) = check(dir.path(), cache.path(), &[]);
    assert_eq!(run.code, 1);
    let mut new: Vec<(String, u64, String)> = located(&json)
        .into_iter()
        .filter(|b| !located(&expected).contains(b))
        .collect();
    new.sort();
    let f = "src/nested/deep.md".to_string();
    assert_eq!(
        new,
        vec![
            (f.clone(), first as u64, "nope.html".to_string()),
            (f.clone(), first as u64 + 3, "../img/absent.png".to_string()),
            (f.clone(), first as u64 + 7, "#raw-target-3".to_string()),
        ]
    );
}

/// Links in `{{#include}}`d markdown are checked, and reported at the included file's
/// line.
#[test]
fn links_in_included_markdown_are_reported_in_the_included_file() {
    let book = fixture_copy("includes");
    let cache = tempdir();
    let (run, json) = check(book.path(), cache.path(), &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let found: Vec<(String, u64, String)> = located(&json);
    assert_eq!(
        found,
        [(
            "src/parts/links.md".to_string(),
            1,
            "missing.md".to_string()
        )]
    );
}

/// `--remote` on a terminal (a pseudo-terminal from `script`) shows how many targets are
/// checked of how many; piped, nothing but the report.
#[test]
fn remote_checking_shows_progress_on_a_terminal_only() {
    let (port, _) = serve();
    let dir = fixture_copy("render/two-briefings");
    let base = format!("http://127.0.0.1:{port}");
    std::fs::write(
        dir.path().join("src/intro.md"),
        format!("# Introduction\n\n[ok]({base}/ok) and [missing]({base}/missing)\n"),
    )
    .unwrap();
    let cache = tempdir();
    let book = dir.path().to_str().unwrap();
    let tty = on_a_terminal(
        cache.path(),
        &["check", "links", "--remote", "--book", book],
    );
    assert!(
        tty.stdout.contains("links: ") && tty.stdout.contains("\u{1b}[2K"),
        "{:?}",
        tty.stdout
    );
    let piped = handbook(dir.path(), &["check", "links", "--remote", "--no-cache"]);
    assert!(
        !piped.stderr.contains('\u{1b}') && !piped.stderr.contains('\r'),
        "{}",
        piped.stderr
    );
}

/// A reference-style link is marked where its text is written, and its definition,
/// where the fix goes, is named too.
#[test]
fn a_reference_style_link_is_marked_at_its_text_and_its_definition() {
    let dir = fixture_copy("links/broken");
    std::fs::write(
        dir.path().join("src/nested/deep.md"),
        "# Deep\n\nSee the [universe] and [that one][universe].\n\n[universe]: ../gone.md#x\n",
    )
    .unwrap();
    let run = handbook(dir.path(), &["check", "links"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let (first, second) = run
        .stderr
        .split_at(run.stderr.find("--> src/nested/deep.md:3:24").unwrap());
    in_order(
        first,
        &[
            "broken link `../gone.md#x`: missing page or file",
            "--> src/nested/deep.md:3:9",
            &format!("|{}{}\n", " ".repeat(9), "^".repeat(10)),
            "the link's target is defined here",
            "--> src/nested/deep.md:5:1",
        ],
    );
    in_order(
        second,
        &[
            &format!("|{}{}\n", " ".repeat(24), "^".repeat(20)),
            "--> src/nested/deep.md:5:1",
        ],
    );
}

/// `[output.html.redirect]` sends readers of an old page to a new one: a destination
/// that does not exist (a page renamed since), a missing fragment, and one that leaves
/// the book are reported at their line in book.toml, by `--book` and by `--html` on the
/// book's own output alike; a good redirect is not.
#[test]
fn redirects_are_checked_at_their_book_toml_line() {
    let dir = fixture_copy("links/broken");
    let toml = dir.path().join("book.toml");
    std::fs::write(
        &toml,
        read(&toml)
            + "\n[output.html.redirect]\n\"/old/guide.html\" = \"../guide.html\"\n\"/repetition-placement.html\" = \"repetition-replacement.html\"\n\"/setup.html\" = \"guide.html#no-such-heading\"\n\"/away.html\" = \"../../elsewhere/book.html\"\n",
    )
    .unwrap();
    let cache = tempdir();
    let (run, json) = check(dir.path(), cache.path(), &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let on_toml: Vec<(u64, String, String)> = broken(&json)
        .into_iter()
        .filter(|b| b.0 == "book.toml")
        .map(|(_, l, u, r)| (l, u, r))
        .collect();
    let urls: Vec<&str> = on_toml.iter().map(|b| b.1.as_str()).collect();
    assert_eq!(
        urls,
        [
            "repetition-replacement.html",
            "guide.html#no-such-heading",
            "../../elsewhere/book.html"
        ],
        "{on_toml:?}"
    );
    let line = |needle: &str| {
        read(&toml)
            .lines()
            .position(|l| l.contains(needle))
            .unwrap() as u64
            + 1
    };
    assert_eq!(on_toml[0].0, line("repetition-placement"));
    assert!(on_toml[0].2.contains("missing page"), "{on_toml:?}");
    assert!(on_toml[1].2.contains("missing fragment"), "{on_toml:?}");
    assert!(on_toml[2].2.contains("leads outside"), "{on_toml:?}");
    // The book's own output, checked with --html, says the same.
    let build = handbook(dir.path(), &["build"]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    let (_, html) = check(dir.path(), cache.path(), &["--html", "book"]);
    let html_toml: Vec<(u64, String, String)> = broken(&html)
        .into_iter()
        .filter(|b| b.0 == "book.toml")
        .map(|(_, l, u, r)| (l, u, r))
        .collect();
    assert_eq!(html_toml, on_toml);
}

/// A link answered 503 once and 200 after passes (retried with backoff, as
/// `max-retries` says); one that stays 503 fails after its retries; a redirect loop is
/// named as one, with its chain; a refused port is reported.
#[test]
fn flaky_hosts_are_retried_and_redirect_loops_named() {
    let (port, counts) = serve();
    let dir = fixture_copy("render/two-briefings");
    let toml = dir.path().join("book.toml");
    std::fs::write(
        &toml,
        read(&toml)
            + "\n[preprocessor.handbook.links]\ntimeout = 2\nmax-retries = 2\nretry-wait = 1\n",
    )
    .unwrap();
    // A port nothing listens on.
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    std::fs::write(
        dir.path().join("src/intro.md"),
        format!(
            "# Introduction\n\n[flaky]({base}/flaky)\n\n[down]({base}/down)\n\n[loop]({base}/loop)\n\n[refused](http://127.0.0.1:{closed}/x)\n"
        ),
    )
    .unwrap();
    let cache = tempdir();
    let (run, json) = check(dir.path(), cache.path(), &["--remote"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let found = broken(&json);
    let lines: Vec<u64> = found.iter().map(|b| b.1).collect();
    assert_eq!(lines, [5, 7, 9], "the flaky link passes: {found:?}");
    assert_eq!(found[0].3, "HTTP 503", "{found:?}");
    assert!(
        found[1].3.starts_with("redirect loop: ")
            && found[1].3.contains("/loop → ")
            && found[1].3.contains("/loop-back"),
        "{found:?}"
    );
    let seen = counts.lock().unwrap().clone();
    assert_eq!(
        seen.get("/flaky"),
        Some(&2),
        "one retry was enough: {seen:?}"
    );
    assert_eq!(
        seen.get("/down"),
        Some(&3),
        "two retries, then reported: {seen:?}"
    );
}

/// A preprocessor (here mdbook-spec's way: a rule's name as the destination) may rewrite
/// a link before mdBook renders it: the link as written is not judged, the link as built
/// is, at the built page's line.
#[test]
fn links_a_preprocessor_rewrites_are_judged_as_built() {
    let dir = tempdir();
    let root = dir.path();
    std::fs::create_dir_all(root.join("src")).unwrap();
    let write = |path: &str, text: &str| std::fs::write(root.join(path), text).unwrap();
    write(
        "book.toml",
        "[book]\ntitle = \"Rules\"\nsrc = \"src\"\n\n[preprocessor.rules]\ncommand = \"sh rules.sh\"\n",
    );
    write(
        "src/SUMMARY.md",
        "# Summary\n\n- [One](one.md)\n- [Two](two.md)\n",
    );
    write(
        "src/one.md",
        "# One\n\nSee [the rule](rule.two) and [the other](rule.gone).\n\nAnd [two](two.md#nowhere).\n",
    );
    write("src/two.md", "# Two\n\n## Heading\n");
    // mdBook hands a preprocessor `[context, book]` and takes the book back.
    write(
        "rules.sh",
        "[ \"$1\" = supports ] && exit 0\nsed -e 's/^.*,{\"items\":/{\"items\":/' -e 's/]$//' \
         -e 's/(rule\\.two)/(two.md#heading)/g' -e 's/(rule\\.gone)/(gone.md)/g'\n",
    );
    let cache = tempdir();
    let (run, json) = check(root, cache.path(), &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let found = broken(&json);
    let urls: Vec<&str> = found.iter().map(|b| b.2.as_str()).collect();
    assert_eq!(urls, ["gone.html", "two.md#nowhere"], "{found:?}");
    // What the preprocessor wrote is at the built page's line, naming the chapter it
    // was built from; what was written as built stays at its markdown line.
    assert!(
        found[0].0.starts_with("one.html (built from ") && found[0].0.ends_with("one.md)"),
        "{found:?}"
    );
    assert!(found[0].3.contains("missing page"), "{found:?}");
    assert_eq!((found[1].0.as_str(), found[1].1), ("src/one.md", 5));
    assert!(found[1].3.contains("missing fragment"), "{found:?}");
    let human = handbook(root, &["check", "links"]);
    assert!(
        human
            .stderr
            .contains(r#"<a href="gone.html">the other</a>"#),
        "{}",
        human.stderr
    );
}
