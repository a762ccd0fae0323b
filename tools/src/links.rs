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
use pulldown_cmark::{Event, LinkType, Tag};
use serde::{Deserialize, Serialize};

use crate::book::BuildOptions;
use crate::diagnostics::{Diagnostic, Location};
use crate::project::Project;
use crate::xref::Knowledge;

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

impl Report {
    /// Broken links as diagnostics at the place each is written; `root` is the folder
    /// the files are relative to.
    pub fn diagnostics(&self, root: &Path) -> Vec<Diagnostic> {
        let mut texts: BTreeMap<&str, (PathBuf, String)> = BTreeMap::new();
        self.broken
            .iter()
            .map(|b| {
                let (path, text) = texts.entry(&b.file).or_insert_with(|| {
                    let path = crate::diagnostics::normalize(&root.join(&b.file));
                    let text = std::fs::read_to_string(&path).unwrap_or_default();
                    (path, text)
                });
                let column = text
                    .lines()
                    .nth(b.line.saturating_sub(1))
                    .and_then(|l| l.find(&b.url).map(|c| l[..c].chars().count() + 1))
                    .unwrap_or(1);
                Diagnostic::error(format!("broken link `{}`: {}", b.url, b.reason))
                    .at(Location::in_text(
                        path,
                        text,
                        b.line,
                        column,
                        b.url.chars().count(),
                    ))
                    .help("fix the link target, or the heading or `id` it points at")
            })
            .collect()
    }
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

/// Settings of a check.
#[derive(Debug, Clone)]
pub struct Options {
    /// Check http(s) links too.
    pub remote: bool,
    /// Where remote results are cached.
    pub cache_dir: PathBuf,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            remote: false,
            cache_dir: crate::snippets::default_cache_dir(),
        }
    }
}

/// Where a link is written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Origin {
    file: String,
    line: usize,
    url: String,
}

/// Checks a loaded book: builds it into a temporary folder, then checks every link.
pub fn check_book(project: &mut Project, options: &Options) -> anyhow::Result<Report> {
    let scratch = tempfile::Builder::new()
        .prefix("handbook-links-")
        .tempdir()?;
    let site = scratch.path().join("site");
    match crate::book::build(project, &site, &BuildOptions::default()) {
        Ok(_) => {}
        Err(crate::book::BuildError::Findings(problems)) => {
            anyhow::bail!(
                "the book does not build ({} problem(s)); run `handbook build` to see them",
                problems.len()
            )
        }
        Err(crate::book::BuildError::Failed(e)) => return Err(e.context("building the book")),
    }
    check_site(project, &site, options)
}

/// Checks the links of a loaded book against its already built `site`.
pub fn check_site(project: &Project, site: &Path, options: &Options) -> anyhow::Result<Report> {
    let links = chapter_links(project)?;
    let by_target = group(links, |page, url| target(site, page, url), options);
    let settings = project
        .settings
        .as_ref()
        .map(|s| s.links.clone())
        .unwrap_or_default();
    check_links(by_target, settings, options)
}

/// Every link of every chapter, with where it is written and the page it is on.
fn chapter_links(project: &Project) -> anyhow::Result<Vec<(String, Origin)>> {
    let book = project.preprocessed()?;
    let yaml_links = project
        .knowledge
        .as_ref()
        .map(|k| content_links(&project.root, k))
        .unwrap_or_default();
    let src = project.src();
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
    Ok(out)
}

/// Markdown links in the text fields of the content YAML: destination → (file, line).
fn content_links(root: &Path, k: &Knowledge) -> BTreeMap<String, Vec<(String, usize)>> {
    let mut out: BTreeMap<String, Vec<(String, usize)>> = BTreeMap::new();
    for field in crate::xref::text_fields(&k.files) {
        let rel = crate::diagnostics::relative_to(&field.file.path, root)
            .to_string_lossy()
            .replace('\\', "/");
        for (url, line) in markdown_links(field.text) {
            out.entry(url)
                .or_default()
                .push((rel.clone(), field.line_of(line)));
        }
    }
    out
}

/// Links and images in markdown, with their 1-based lines.
fn markdown_links(text: &str) -> Vec<(String, usize)> {
    crate::shared::markdown(text)
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            // `<someone@example.org>` is a `mailto:` link (CommonMark), not a file.
            Event::Start(Tag::Link {
                link_type: LinkType::Email,
                ..
            }) => None,
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => Some((
                dest_url.to_string(),
                text[..range.start].matches('\n').count() + 1,
            )),
            _ => None,
        })
        .collect()
}

/// What a link points at.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Target {
    /// A page or file of the site, as a `file://` URL (with its `#fragment`).
    Local(String),
    /// An http(s) URL.
    Remote(String),
    /// A relative link that climbs out of the site: never looked up on disk.
    Outside(String),
}

impl Target {
    fn url(&self) -> &str {
        match self {
            Target::Local(u) | Target::Remote(u) | Target::Outside(u) => u,
        }
    }
}

/// What a link written on `page` points at, as mdBook renders it; `None` for links not
/// checked (mail, phone…).
fn target(site: &Path, page: &str, url: &str) -> Option<Target> {
    if url.starts_with("http://") || url.starts_with("https://") {
        return Some(Target::Remote(url.to_string()));
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
        return Some(Target::Outside(resolved.display().to_string()));
    }
    let file = std::path::absolute(site.join(&resolved)).ok()?;
    let mut out = url::Url::from_file_path(&file).ok()?.to_string();
    // The fragment as written: lychee compares it with the page's ids.
    if let Some(f) = fragment.filter(|f| !f.is_empty()) {
        out.push('#');
        out.push_str(f);
    }
    Some(Target::Local(out))
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
    resolve: impl Fn(&str, &str) -> Option<Target>,
    options: &Options,
) -> BTreeMap<Target, BTreeSet<Origin>> {
    let mut by_target: BTreeMap<Target, BTreeSet<Origin>> = BTreeMap::new();
    for (page, origin) in links {
        let Some(t) = resolve(&page, &origin.url) else {
            continue;
        };
        if matches!(t, Target::Remote(_)) && !options.remote {
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
    by_target: BTreeMap<Target, BTreeSet<Origin>>,
    settings: RemoteSettings,
    options: &Options,
) -> anyhow::Result<Report> {
    let cache_file = options.cache_dir.join("links.json");
    let mut cache: BTreeMap<String, CachedRemote> = crate::shared::read_cache(&cache_file);
    let max_age = settings.cache_max_age_hours * 3600;
    let excludes = regex::RegexSet::new(&settings.exclude)
        .context("`exclude` in [preprocessor.handbook.links]")?;

    let mut results: BTreeMap<&Target, (bool, String)> = BTreeMap::new();
    let mut cached = 0;
    let mut to_check = Vec::new();
    for t in by_target.keys() {
        match t {
            Target::Outside(path) => {
                results.insert(t, (false, format!("leads outside the book ({path})")));
            }
            Target::Remote(url) if excludes.is_match(url) => {
                results.insert(t, (true, String::new()));
            }
            Target::Remote(url) => match cache
                .get(url)
                .filter(|c| now().saturating_sub(c.checked) < max_age)
            {
                Some(hit) => {
                    cached += 1;
                    results.insert(t, (hit.ok, hit.reason.clone()));
                }
                None => to_check.push(t),
            },
            Target::Local(_) => to_check.push(t),
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
    let checked: Vec<(&Target, bool, String, bool)> = runtime.block_on(async {
        futures::stream::iter(to_check)
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
                    let (ok, why, keep) = match client.check(t.url()).await {
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
        if let (Target::Remote(url), true) = (t, keep) {
            cache.insert(
                url.clone(),
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
        crate::shared::write_cache(&cache_file, &cache);
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
pub fn check_html(
    site: &Path,
    settings: RemoteSettings,
    options: &Options,
) -> anyhow::Result<Report> {
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
            if url.starts_with("file://") {
                Some(Target::Local(url.to_string()))
            } else if url.starts_with("http") {
                Some(Target::Remote(url.to_string()))
            } else {
                None
            }
        },
        options,
    );
    check_links(by_target, settings, options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_resolve_like_mdbook() {
        let site = Path::new("/site");
        assert_eq!(
            target(site, "a/b.md", "c.md#x").unwrap(),
            Target::Local("file:///site/a/c.html#x".into())
        );
        assert_eq!(
            target(site, "a/b.md", "#top").unwrap(),
            Target::Local("file:///site/a/b.html#top".into())
        );
        assert_eq!(
            target(site, "a/b.md", "../img/p.png").unwrap(),
            Target::Local("file:///site/img/p.png".into())
        );
        assert_eq!(
            target(site, "a/b.md", "/x.html").unwrap(),
            Target::Local("file:///site/x.html".into())
        );
        assert_eq!(
            target(site, "b.md", "../../etc/passwd").unwrap(),
            Target::Outside("../../etc/passwd".into())
        );
        assert_eq!(
            target(site, "b.md", "https://e.org/x").unwrap(),
            Target::Remote("https://e.org/x".into())
        );
        assert!(target(site, "b.md", "mailto:a@b.c").is_none());
        assert_eq!(
            target(site, "a b.md", "c d.md").unwrap(),
            Target::Local("file:///site/c%20d.html".into())
        );
    }
}
