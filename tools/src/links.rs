//! The links stage: every link of the built book checked, each broken one reported once,
//! at the markdown line where it is written.
//!
//! Links are taken from the chapters' markdown (hand-written and generated), resolved the
//! way mdBook resolves them (relative to the chapter's folder, `.md` becoming `.html`),
//! and checked by lychee-lib against the built HTML: the target page must exist and a
//! `#fragment` must be an `id` or `name` on *that* page. Working from chapters means
//! mdBook's copies of the same content (`index.html`, `print.html`) and its own pages
//! (`404.html`, `toc.html`) cannot multiply findings or invent false ones. A link on a
//! generated page is reported at the content YAML line it came from.
//!
//! Remote links (`--remote`) are checked with bounded concurrency, timeouts, retries with
//! backoff and per-host limits, and their results are cached on disk for a maximum age.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use futures::StreamExt as _;
use lychee_lib::{ClientBuilder, ErrorKind, Status};
use mdbook_preprocessor::book::BookItem;
use mdbook_preprocessor::{Preprocessor as _, PreprocessorContext};
use pulldown_cmark::{Event, Options as CmarkOptions, Parser, Tag};
use serde::{Deserialize, Serialize};

use crate::book::{BuildOptions, Handbook};

/// A broken link.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Broken {
    /// The file the link is written in, relative to the book root.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// The link as written.
    pub url: String,
    /// Why it is broken.
    pub reason: String,
}

/// What a check found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Broken links, by file and line.
    pub broken: Vec<Broken>,
    /// Distinct targets checked.
    pub checked: usize,
    /// Remote results taken from the cache.
    pub cached: usize,
}

/// Remote-checking settings, from `[preprocessor.handbook.links]` in `book.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct RemoteSettings {
    /// Status codes that count as success.
    pub accept: Vec<u16>,
    /// Regular expressions of URLs never checked.
    pub exclude: Vec<String>,
    /// Seconds before a request is abandoned.
    pub timeout: u64,
    /// Retries after a failed request (with exponential backoff).
    pub max_retries: u64,
    /// Seconds before the first retry.
    pub retry_wait: u64,
    /// Requests in flight at once.
    pub max_concurrency: usize,
    /// Requests in flight at once per host.
    pub host_concurrency: usize,
    /// Milliseconds between two requests to the same host.
    pub host_interval_ms: u64,
    /// Hours a cached remote result stays valid.
    pub cache_max_age_hours: u64,
}

impl Default for RemoteSettings {
    fn default() -> Self {
        RemoteSettings {
            accept: vec![200, 203, 204, 206],
            exclude: Vec::new(),
            timeout: 20,
            max_retries: 2,
            retry_wait: 1,
            max_concurrency: 16,
            host_concurrency: 4,
            host_interval_ms: 100,
            cache_max_age_hours: 24,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct HandbookTable {
    links: Option<RemoteSettings>,
}

/// Settings of a check.
#[derive(Debug, Clone)]
pub struct Options {
    /// Check http(s) links too.
    pub remote: bool,
    /// Where remote results are cached.
    pub cache_dir: PathBuf,
}

/// Where a link is written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Origin {
    file: String,
    line: usize,
    url: String,
}

/// Checks the book at `root`: builds it into a temporary folder, then checks every link.
pub fn check_book(root: &Path, options: &Options) -> anyhow::Result<Report> {
    let scratch = tempfile::Builder::new()
        .prefix("handbook-links-")
        .tempdir()?;
    let site = scratch.path().join("site");
    match crate::book::build(root, &site, &BuildOptions::default()) {
        Ok(_) => {}
        Err(crate::book::BuildError::Findings(problems)) => {
            anyhow::bail!(
                "the book does not build ({} problem(s)); run `handbook build` to see them",
                problems.len()
            )
        }
        Err(crate::book::BuildError::Failed(e)) => return Err(e.context("building the book")),
    }
    check_site(root, &site, options)
}

/// Checks the links of the book at `root` against its already built `site`.
pub fn check_site(root: &Path, site: &Path, options: &Options) -> anyhow::Result<Report> {
    let (links, settings) = chapter_links(root)?;
    let by_target = group(links, |page, url| target(site, page, url), options);
    check_links(by_target, settings, options)
}

/// Every link of every chapter, with where it is written and the page it is on.
fn chapter_links(root: &Path) -> anyhow::Result<(Vec<(String, Origin)>, RemoteSettings)> {
    let md = mdbook_driver::MDBook::load(root)
        .with_context(|| format!("loading the book at `{}`", root.display()))?;
    let table: Option<HandbookTable> = md.config.get("preprocessor.handbook")?;
    let settings = table
        .as_ref()
        .and_then(|t| t.links.clone())
        .unwrap_or_default();
    let mut book = md.book.clone();
    let mut yaml_links: BTreeMap<String, Vec<(String, usize)>> = BTreeMap::new();
    if table.is_some() {
        let ctx =
            PreprocessorContext::new(root.to_path_buf(), md.config.clone(), "html".to_string());
        book = Handbook::new().run(&ctx, book)?;
        yaml_links = content_links(
            root,
            &crate::book::Settings::from_config(&md.config)?.content_dir(root),
        );
    }
    let src = md.config.book.src.clone();
    let mut out = Vec::new();
    for item in book.iter() {
        let BookItem::Chapter(chapter) = item else {
            continue;
        };
        let Some(path) = &chapter.path else { continue };
        let page = path.to_string_lossy().replace('\\', "/");
        for (url, line) in markdown_links(&chapter.content) {
            let origin = match &chapter.source_path {
                Some(source) => Origin {
                    file: src.join(source).to_string_lossy().replace('\\', "/"),
                    line,
                    url: url.clone(),
                },
                // A generated page: the link came from a YAML text field.
                None => match yaml_links.get(&url).and_then(|v| v.first()) {
                    Some((file, line)) => Origin {
                        file: file.clone(),
                        line: *line,
                        url: url.clone(),
                    },
                    None => Origin {
                        file: format!(
                            "{} (generated page)",
                            src.join(&page).to_string_lossy().replace('\\', "/")
                        ),
                        line,
                        url: url.clone(),
                    },
                },
            };
            out.push((page.clone(), origin));
        }
    }
    Ok((out, settings))
}

/// Markdown links in the text fields of the content YAML: destination → (file, line).
fn content_links(root: &Path, content: &Path) -> BTreeMap<String, Vec<(String, usize)>> {
    let (files, _) = crate::content::load_dir(content);
    let mut out: BTreeMap<String, Vec<(String, usize)>> = BTreeMap::new();
    for file in &files {
        let rel = crate::diagnostics::relative_to(&file.path, root)
            .to_string_lossy()
            .replace('\\', "/");
        for (kind, index, field, text) in crate::xref::texts(&file.doc) {
            let mut path = crate::xref::item_path(kind, index);
            path.push(crate::content::PathSegment::Key(field));
            let at = file.locate(&path);
            let block = at.source_line.trim_end().ends_with(['|', '>', '-', '+']);
            for (url, line) in markdown_links(text) {
                let yaml_line = if block { at.line + line } else { at.line };
                out.entry(url).or_default().push((rel.clone(), yaml_line));
            }
        }
    }
    out
}

/// Links and images in markdown, with their 1-based lines.
fn markdown_links(text: &str) -> Vec<(String, usize)> {
    let mut options = CmarkOptions::empty();
    options.insert(CmarkOptions::ENABLE_TABLES);
    options.insert(CmarkOptions::ENABLE_FOOTNOTES);
    options.insert(CmarkOptions::ENABLE_HEADING_ATTRIBUTES);
    Parser::new_ext(text, options)
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => Some((
                dest_url.to_string(),
                text[..range.start].matches('\n').count() + 1,
            )),
            _ => None,
        })
        .collect()
}

/// What a link written on `page` points at, as mdBook renders it: a file URL for local
/// links, the URL itself for remote ones, `None` for links not checked (mail, phone…).
fn target(site: &Path, page: &str, url: &str) -> Option<String> {
    if url.starts_with("http://") || url.starts_with("https://") {
        return Some(url.to_string());
    }
    if url.contains(':')
        && !url.starts_with('#')
        && url
            .split(['/', '#'])
            .next()
            .is_some_and(|s| s.contains(':'))
    {
        return None; // mailto:, tel:, javascript:…
    }
    let (path, fragment) = match url.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (url, None),
    };
    let path = path.split('?').next().unwrap_or_default();
    let page_html = Path::new(page).with_extension("html");
    let resolved = if path.is_empty() {
        page_html
    } else if let Some(abs) = path.strip_prefix('/') {
        PathBuf::from(abs)
    } else {
        page_html.parent().unwrap_or(Path::new("")).join(path)
    };
    let mut resolved = crate::diagnostics::normalize(&resolved);
    if resolved.extension().is_some_and(|e| e == "md") {
        resolved.set_extension("html");
    }
    // A link that climbs out of the book is never resolved against the file system.
    if resolved.starts_with("..") {
        return Some(format!("outside:{}", resolved.display()));
    }
    let file = site.join(&resolved);
    let mut out = url_from_path(&file)?;
    if let Some(f) = fragment.filter(|f| !f.is_empty()) {
        out.push('#');
        out.push_str(f);
    }
    Some(out)
}

fn url_from_path(path: &Path) -> Option<String> {
    let abs = std::path::absolute(path).ok()?;
    let mut s = String::from("file://");
    for c in abs.to_string_lossy().replace('\\', "/").chars() {
        match c {
            ' ' => s.push_str("%20"),
            '#' => s.push_str("%23"),
            '?' => s.push_str("%3F"),
            '%' => s.push_str("%25"),
            _ => s.push(c),
        }
    }
    Some(s)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct CachedRemote {
    ok: bool,
    reason: String,
    checked: u64,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn reason(status: &Status) -> String {
    match status {
        Status::Error(ErrorKind::InvalidFilePath(_)) => "missing page or file".to_string(),
        Status::Error(ErrorKind::InvalidFragment(_)) => {
            "missing fragment: no such id on the target page".to_string()
        }
        Status::Error(ErrorKind::InvalidIndexFile(_)) => "a folder without index.html".to_string(),
        Status::Timeout(_) => "timed out".to_string(),
        other => match other.code() {
            Some(code) => format!("HTTP {}", code.as_u16()),
            None => other.details(),
        },
    }
}

/// Whether a remote result may be reused on later runs: successes and definitive client
/// errors are; timeouts, rate limits and server errors are transient.
fn cacheable(status: &Status) -> bool {
    match status {
        Status::Ok(_) => true,
        other => other
            .code()
            .is_some_and(|c| c.is_client_error() && c.as_u16() != 429),
    }
}

/// Groups links by what they point at (each target is checked once), dropping remote
/// ones unless asked for.
fn group(
    links: Vec<(String, Origin)>,
    resolve: impl Fn(&str, &str) -> Option<String>,
    options: &Options,
) -> BTreeMap<String, BTreeSet<Origin>> {
    let mut by_target: BTreeMap<String, BTreeSet<Origin>> = BTreeMap::new();
    for (page, origin) in links {
        let Some(t) = resolve(&page, &origin.url) else {
            continue;
        };
        if t.starts_with("http") && !options.remote {
            continue;
        }
        by_target.entry(t).or_default().insert(origin);
    }
    by_target
}

/// mdBook writes `index.html` as a copy of the first chapter; checking both would report
/// each of that chapter's broken links twice.
fn index_is_a_copy(site: &Path) -> bool {
    let main = |text: &str| {
        text.split_once("<main>")
            .and_then(|(_, rest)| rest.split_once("</main>"))
            .map(|(m, _)| m.to_string())
    };
    let Some(index) = std::fs::read_to_string(site.join("index.html"))
        .ok()
        .as_deref()
        .and_then(main)
    else {
        return false;
    };
    walkdir::WalkDir::new(site)
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .filter(|e| {
            e.depth() > 1
                || !matches!(
                    e.file_name().to_str(),
                    Some("index.html" | "print.html" | "404.html" | "toc.html")
                )
        })
        .any(|e| {
            std::fs::read_to_string(e.path())
                .ok()
                .as_deref()
                .and_then(main)
                .is_some_and(|m| m == index)
        })
}

fn check_links(
    by_target: BTreeMap<String, BTreeSet<Origin>>,
    settings: RemoteSettings,
    options: &Options,
) -> anyhow::Result<Report> {
    let cache_file = options.cache_dir.join("links.json");
    let mut cache: BTreeMap<String, CachedRemote> = std::fs::read(&cache_file)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let max_age = settings.cache_max_age_hours * 3600;
    let excludes = regex::RegexSet::new(&settings.exclude)
        .context("`exclude` in [preprocessor.handbook.links]")?;

    let mut results: BTreeMap<String, (bool, String)> = BTreeMap::new();
    let mut cached = 0;
    let mut to_check = Vec::new();
    for t in by_target.keys() {
        if let Some(outside) = t.strip_prefix("outside:") {
            results.insert(
                t.clone(),
                (false, format!("leads outside the book ({outside})")),
            );
        } else if t.starts_with("http") && excludes.is_match(t) {
            results.insert(t.clone(), (true, String::new()));
        } else if let Some(hit) = cache
            .get(t)
            .filter(|c| t.starts_with("http") && now().saturating_sub(c.checked) < max_age)
        {
            cached += 1;
            results.insert(t.clone(), (hit.ok, hit.reason.clone()));
        } else {
            to_check.push(t.clone());
        }
    }

    let accepted: HashSet<http::StatusCode> = settings
        .accept
        .iter()
        .filter_map(|c| http::StatusCode::from_u16(*c).ok())
        .collect();
    let client = ClientBuilder::builder()
        .fragment_checker_options(lychee_lib::FragmentCheckerOptions {
            check_anchor_fragments: true,
            check_text_fragments: false,
        })
        .index_files(Some(vec!["index.html".to_string()]))
        .accepted(accepted)
        .timeout(Duration::from_secs(settings.timeout))
        .max_retries(settings.max_retries)
        .retry_wait_time(Duration::from_secs(settings.retry_wait))
        .rate_limit_config(lychee_lib::ratelimit::RateLimitConfig {
            concurrency: settings.host_concurrency,
            request_interval: Duration::from_millis(settings.host_interval_ms),
        })
        .build()
        .client()
        .context("setting up the link checker")?;
    let runtime = tokio::runtime::Runtime::new().context("starting the link checker runtime")?;
    let checked: Vec<(String, bool, String, bool)> = runtime.block_on(async {
        futures::stream::iter(to_check.iter().cloned())
            .map(|t| {
                let client = &client;
                async move {
                    let judge = |status: &Status| {
                        let ok = status.is_success() || status.is_excluded();
                        (
                            ok,
                            if ok { String::new() } else { reason(status) },
                            cacheable(status),
                        )
                    };
                    let (ok, why, keep) = match client.check(t.as_str()).await {
                        Ok(response) => judge(response.status()),
                        Err(e) => judge(&Status::Error(e)),
                    };
                    (t, ok, why, keep)
                }
            })
            .buffer_unordered(settings.max_concurrency.max(1))
            .collect()
            .await
    });
    for (t, ok, why, keep) in checked {
        if t.starts_with("http") && keep {
            cache.insert(
                t.clone(),
                CachedRemote {
                    ok,
                    reason: why.clone(),
                    checked: now(),
                },
            );
        }
        results.insert(t, (ok, why));
    }
    if options.remote {
        let _ = std::fs::create_dir_all(&options.cache_dir);
        if let Ok(json) = serde_json::to_vec(&cache) {
            let _ = crate::ingest::write_atomic(&cache_file, &json);
        }
    }

    let mut broken: BTreeSet<Broken> = BTreeSet::new();
    for (t, origins) in &by_target {
        let Some((false, why)) = results.get(t) else {
            continue;
        };
        for o in origins {
            broken.insert(Broken {
                file: o.file.clone(),
                line: o.line,
                url: o.url.clone(),
                reason: why.clone(),
            });
        }
    }
    Ok(Report {
        broken: broken.into_iter().collect(),
        checked: by_target.len(),
        cached,
    })
}

/// Checks an already built site (any HTML folder) without its sources: every link of
/// every page except mdBook's `print.html` and `404.html`, reported at the HTML line.
pub fn check_html(site: &Path, options: &Options) -> anyhow::Result<Report> {
    use lychee_lib::{BaseInfo, Collector, Input, Request, RequestError};
    let runtime = tokio::runtime::Runtime::new()?;
    let site = std::path::absolute(site)?;
    let mut excluded = vec![r"/print\.html$".to_string(), r"/404\.html$".to_string()];
    if index_is_a_copy(&site) {
        excluded.push(format!(
            "^{}$",
            regex::escape(&site.join("index.html").to_string_lossy())
        ));
    }
    let requests: Vec<Result<Request, RequestError>> = runtime.block_on(async {
        let collector = Collector::new(Some(site.clone()), BaseInfo::none())?
            .skip_ignored(false)
            .excluded_paths(lychee_lib::filter::PathExcludes::new(&excluded)?);
        let inputs = HashSet::from([Input::from_value(&site.to_string_lossy())?]);
        anyhow::Ok(
            collector
                .collect_links_from_file_types(inputs, lychee_lib::FileType::Html.into())
                .collect::<Vec<_>>()
                .await,
        )
    })?;
    let mut links = Vec::new();
    for request in requests.into_iter().flatten() {
        let file = request.source.to_string();
        let page = Path::new(&file)
            .strip_prefix(&site)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or(file.clone());
        let line = request.span.map_or(1, |s| s.line.get());
        let url = request.uri.to_string();
        links.push((
            page.clone(),
            Origin {
                file: page,
                line,
                url,
            },
        ));
    }
    // URLs from HTML are already absolute: check them as they are.
    let by_target = group(
        links,
        |_, url| {
            Some(url.to_string()).filter(|u| u.starts_with("file://") || u.starts_with("http"))
        },
        options,
    );
    check_links(by_target, RemoteSettings::default(), options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_resolve_like_mdbook() {
        let site = Path::new("/site");
        assert_eq!(
            target(site, "a/b.md", "c.md#x").unwrap(),
            "file:///site/a/c.html#x"
        );
        assert_eq!(
            target(site, "a/b.md", "#top").unwrap(),
            "file:///site/a/b.html#top"
        );
        assert_eq!(
            target(site, "a/b.md", "../img/p.png").unwrap(),
            "file:///site/img/p.png"
        );
        assert_eq!(
            target(site, "a/b.md", "/x.html").unwrap(),
            "file:///site/x.html"
        );
        assert_eq!(
            target(site, "b.md", "../../etc/passwd").unwrap(),
            "outside:../../etc/passwd"
        );
        assert_eq!(
            target(site, "b.md", "https://e.org/x").unwrap(),
            "https://e.org/x"
        );
        assert!(target(site, "b.md", "mailto:a@b.c").is_none());
    }
}
