//! The links stage: every link of the built book checked, each broken one reported once,
//! at the markdown line where it is written.
//!
//! Links are taken from the chapters' markdown (hand-written and generated), resolved the
//! way mdBook resolves them (relative to the chapter's folder, `.md` becoming `.html`),
//! and checked against the built HTML (a listing of the site): the target page must exist and a
//! `#fragment` must be an `id` or `name` on *that* page. Working from chapters means
//! mdBook's copies of the same content (`index.html`, `print.html`) and its own pages
//! (`404.html`, `toc.html`) cannot multiply findings or invent false ones. A link on a
//! generated page is reported at the content YAML line it came from.
//!
//! Remote links (`--remote`) are checked by lychee-lib, with bounded concurrency, timeouts, retries with
//! backoff and per-host limits, and their results are cached on disk for a maximum age.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use futures::StreamExt as _;
use lychee_lib::{ClientBuilder, ErrorKind, Status};
use mdbook_preprocessor::book::BookItem;
use pulldown_cmark::{Event, LinkType, Tag};
use serde::{Deserialize, Serialize};

use crate::book::BuildOptions;
use crate::config::{LinkSettings, OutsidePolicy, Remap};
use crate::diagnostics::{Diagnostic, Location, Severity};
use crate::project::Project;
use crate::xref::Knowledge;

mod site;
use site::{FastMap, FastSet, Site};

use crate::shared::LineStarts;

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
    /// `warning` for links that leave the book under `outside = "warn"`: shown, but
    /// they do not fail the check.
    pub severity: Severity,
    /// For a reference-style link, the line of its definition (`[name]: url`), where
    /// the fix goes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub definition_line: Option<usize>,
    /// Column and width of the link as written, where its URL is not on its line (a
    /// reference-style link).
    #[serde(skip)]
    pub span: Option<(usize, usize)>,
    /// The text of its line, when the check had it at hand (the file is read again
    /// otherwise).
    #[serde(skip)]
    pub source_line: Option<String>,
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
        // Findings come by file: each file is read (when a finding has no line of its
        // own) and its line starts found once, and only one file is held at a time (a
        // site's findings can span every page). The files are read again, on every core.
        crate::shared::in_parts(&self.broken, 16, |part| {
            let mut current: Option<(&str, PathBuf, FileLines)> = None;
            part.iter()
                .map(|b| {
                    if current.as_ref().is_none_or(|(file, ..)| *file != b.file) {
                        let path = crate::diagnostics::normalize(&root.join(&b.file));
                        current = Some((&b.file, path, FileLines::default()));
                    }
                    let (_, path, lines) = current.as_mut().expect("just set");
                    let path = &*path;
                    let read;
                    let text = match &b.source_line {
                        Some(line) => line.as_str(),
                        None => {
                            read = lines.line(path, b.line).to_string();
                            read.as_str()
                        }
                    };
                    let d = match b.severity {
                        Severity::Error => {
                            Diagnostic::error(format!("broken link `{}`: {}", b.url, b.reason))
                        }
                        Severity::Warning => {
                            Diagnostic::warning(format!("link `{}` {}", b.url, b.reason))
                        }
                    };
                    // The URL as written, else (a reference-style link, whose URL is on its
                    // definition's line) the link's text as written, else the whole line.
                    let at = match (text.find(&b.url), b.span) {
                        (Some(c), _) => Location::new(
                            path,
                            b.line,
                            text[..c].chars().count() + 1,
                            b.url.chars().count(),
                            text,
                        ),
                        (None, Some((column, width))) => {
                            Location::new(path, b.line, column, width, text)
                        }
                        (None, None) => Location::line(path, b.line, text),
                    };
                    let mut d = d.at(at);
                    if let Some(def) = b.definition_line {
                        d = d.related(
                            Location::line(path, def, lines.line(path, def)),
                            "the link's target is defined here",
                        );
                    }
                    d.help(match b.severity {
                        Severity::Error if b.reason.starts_with("leads outside") => {
                            "fix the link; if the book is published beside the one it \
                             points at, add a `[[preprocessor.handbook.links.remap]]` for \
                             it or set `outside = \"warn\"` under \
                             [preprocessor.handbook.links]"
                        }
                        Severity::Error => {
                            "fix the link target, or the heading or `id` it points at"
                        }
                        Severity::Warning => {
                            "allowed by `outside = \"warn\"`; a remap would check it"
                        }
                    })
                })
                .collect::<Vec<_>>()
        })
        .into_iter()
        .flatten()
        .collect()
    }
}

/// A file's lines, read when one is first asked for.
#[derive(Default)]
struct FileLines {
    read: Option<(String, LineStarts)>,
}

impl FileLines {
    /// 1-based line `n` of the file at `path`; empty past the end or when the file
    /// cannot be read.
    fn line(&mut self, path: &Path, n: usize) -> &str {
        let (text, starts) = self.read.get_or_insert_with(|| {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            let starts = LineStarts::of(text.as_bytes());
            (text, starts)
        });
        starts.text(text, n)
    }
}

/// Settings of a check.
#[derive(Debug, Clone)]
pub struct Options {
    /// Check http(s) links too.
    pub remote: bool,
    /// Where remote results are cached.
    pub cache_dir: PathBuf,
    /// Advanced by one per target checked (hidden unless the caller shows it).
    pub progress: indicatif::ProgressBar,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            remote: false,
            cache_dir: crate::shared::default_cache_dir(),
            progress: indicatif::ProgressBar::hidden(),
        }
    }
}

/// Where a link is written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Origin {
    /// Shared by the links of one file.
    file: std::sync::Arc<str>,
    line: usize,
    url: String,
    /// The line of a reference-style link's definition (`[name]: url`), in `file`.
    definition: Option<usize>,
    /// Column and width of a reference-style link's text on `line`.
    span: Option<(usize, usize)>,
    /// The text of `line`, kept where the link is known to be broken as it is read.
    source: Option<String>,
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
    let settings = project
        .settings
        .as_ref()
        .map(|s| s.links.clone())
        .unwrap_or_default();
    let remaps = Remaps::new(&settings.remap)?;
    let chapters = chapter_links(project)?;
    // The chapters' pages are read as the site is listed, their text kept for the
    // lines of links a preprocessor wrote.
    let pages: FastSet<String> = chapters.iter().filter_map(|(p, _)| built_page(p)).collect();
    let (mut site, texts) =
        Site::list_and_read(site, |p| pages.contains(p), |_, _, text| text.to_vec())
            .context("listing the built book")?;
    let texts: FastMap<String, Vec<u8>> = texts.into_iter().collect();
    let (mut links, rewritten) = as_built(chapters, &site, &texts, &remaps, project.src());
    links.extend(redirect_links(project));
    let resolve = |page: &str, url: &str| target(page, url, &remaps, true);
    let grouped = group(links, resolve, rewritten, options);
    check_links(grouped, &mut site, settings, options)
}

/// Links with the page each is on (a chapter's `.md` path, or the page a redirect leaves).
type OnPage = Vec<(String, Origin)>;

/// Links already resolved to what each points at (`None`: not checked).
type Resolved = Vec<(Option<Target>, Origin)>;

/// The page mdBook builds from a chapter (`a/b.md` → `a/b.html`).
fn built_page(chapter: &str) -> Option<String> {
    chapter.strip_suffix(".md").map(|p| format!("{p}.html"))
}

/// Chapter links as readers get them. A preprocessor may rewrite a link before mdBook
/// renders it (mdbook-spec turns `[text]: items.static`, a rule's name, into a link to
/// the rule's page) or add links of its own: a link that is not on its built page as
/// written is not judged as written, and the links in a built page's `<main>` that no
/// markdown link of its chapter accounts for are judged as built, at the page's line.
/// `texts` holds the text of each built page read. Returns the chapter links that are
/// on their pages, and the other links of the built pages, resolved.
fn as_built(
    links: OnPage,
    site: &Site,
    texts: &FastMap<String, Vec<u8>>,
    remaps: &Remaps,
    src: &Path,
) -> (OnPage, Resolved) {
    let resolve = |html: &str, url: &str| target(html, url, remaps, false);
    // Per built page: its chapter, the targets of its links, and those of the chapter's.
    let mut built: BTreeMap<String, (String, FastSet<Target>, FastSet<Target>)> = BTreeMap::new();
    let mut kept = Vec::with_capacity(links.len());
    for (page, origin) in links {
        let Some((html, p)) = built_page(&page).and_then(|h| site.page(&h).map(|p| (h, p))) else {
            kept.push((page, origin));
            continue;
        };
        let (_, on_page, written) = built.entry(html.clone()).or_insert_with(|| {
            let on_page = p.links.iter().filter_map(|l| resolve(&html, &l.url));
            (page.clone(), on_page.collect(), FastSet::default())
        });
        let as_written = target(&page, &origin.url, remaps, true);
        if as_written.as_ref().is_none_or(|t| on_page.contains(t)) {
            kept.push((page, origin));
        }
        written.extend(as_written);
    }
    let others = built.into_iter().flat_map(|(html, (page, _, written))| {
        let file: std::sync::Arc<str> =
            format!("{html} (built from {})", src.join(&page).display()).into();
        let text = texts.get(&html).map(Vec::as_slice).unwrap_or_default();
        let links = site.page(&html).map(|p| p.links.as_slice());
        links
            .unwrap_or_default()
            .iter()
            .filter(|l| l.in_main)
            .filter_map(|l| {
                let t = resolve(&html, &l.url);
                if t.as_ref().is_some_and(|t| written.contains(t)) {
                    return None;
                }
                let origin = Origin {
                    file: file.clone(),
                    line: l.line,
                    url: l.url.clone(),
                    definition: None,
                    span: None,
                    source: Some(site::line_at(text, l.offset)),
                };
                Some((t, origin))
            })
            .collect::<Vec<_>>()
    });
    (kept, others.collect())
}

/// Every link of every chapter, with where it is written and the page it is on.
fn chapter_links(project: &Project) -> anyhow::Result<OnPage> {
    let book = crate::book::preprocessed(project)?;
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
        for MarkdownLink {
            url,
            line,
            definition,
            span,
        } in markdown_links(&chapter.content)
        {
            let origin = match crate::book::written_in(chapter) {
                // Included markdown is reported in its own file, at its own line.
                Some(source) => {
                    let expanded = project.chapters.get(source);
                    let at = |line| expanded.map(|e| e.origin(line));
                    let (file, line) = match at(line) {
                        Some(o) if !o.file.as_os_str().is_empty() => (o.file, o.line),
                        _ => (src.join(source), line),
                    };
                    let definition = definition.and_then(|d| match at(d) {
                        Some(o) if o.file == file => Some(o.line),
                        Some(_) => None,
                        None => Some(d),
                    });
                    Origin {
                        file: file.to_string_lossy().replace('\\', "/").into(),
                        line,
                        url: url.clone(),
                        definition,
                        span,
                        source: None,
                    }
                }
                // A generated page: the link came from a YAML text field.
                None => match yaml_links.get(&url).and_then(|v| v.first()) {
                    Some((file, line)) => Origin {
                        file: file.as_str().into(),
                        line: *line,
                        url: url.clone(),
                        definition: None,
                        span: None,
                        source: None,
                    },
                    None => Origin {
                        file: format!(
                            "{} (generated page)",
                            src.join(&page).to_string_lossy().replace('\\', "/")
                        )
                        .into(),
                        line,
                        url: url.clone(),
                        definition: None,
                        span: None,
                        source: None,
                    },
                },
            };
            out.push((page.clone(), origin));
        }
    }
    Ok(out)
}

/// `[output.html.redirect]`: where each old page sends its readers, as a link written
/// on the old page (mdBook writes a page there that refreshes to the destination), at
/// the entry's line in `book.toml`.
fn redirect_links(project: &Project) -> OnPage {
    let redirects: BTreeMap<String, String> = project
        .md
        .config
        .get("output.html.redirect")
        .ok()
        .flatten()
        .unwrap_or_default();
    if redirects.is_empty() {
        return Vec::new();
    }
    let text = std::fs::read_to_string(project.root.join("book.toml")).unwrap_or_default();
    let table = text
        .lines()
        .position(|l| l.trim() == "[output.html.redirect]")
        .map_or(1, |i| i + 1);
    redirects
        .into_iter()
        .filter(|(_, to)| !to.is_empty())
        .map(|(from, to)| {
            let line = text
                .lines()
                .position(|l| {
                    let key = l.trim_start();
                    key.starts_with(&format!("\"{from}\"")) || key.starts_with(&format!("'{from}'"))
                })
                .map_or(table, |i| i + 1);
            // The old page, without the fragment a fragment redirect names.
            let page = from
                .split('#')
                .next()
                .unwrap_or_default()
                .trim_start_matches('/')
                .to_string();
            let origin = Origin {
                file: "book.toml".into(),
                line,
                url: to,
                definition: None,
                span: None,
                source: None,
            };
            (page, origin)
        })
        .collect()
}

/// Markdown links in the text fields of the content YAML: destination → (file, line).
fn content_links(root: &Path, k: &Knowledge) -> BTreeMap<String, Vec<(String, usize)>> {
    let mut out: BTreeMap<String, Vec<(String, usize)>> = BTreeMap::new();
    for field in crate::xref::text_fields(&k.files) {
        let rel = crate::diagnostics::relative_to(&field.file.path, root)
            .to_string_lossy()
            .replace('\\', "/");
        for link in markdown_links(field.text) {
            out.entry(link.url)
                .or_default()
                .push((rel.clone(), field.line_of(link.line)));
        }
    }
    out
}

/// A link found in markdown.
struct MarkdownLink {
    url: String,
    /// 1-based.
    line: usize,
    /// For a reference-style link: the line of its definition, and the column and width
    /// of the link's text (its URL is not on `line`).
    definition: Option<usize>,
    span: Option<(usize, usize)>,
}

/// Links and images in markdown.
fn markdown_links(text: &str) -> Vec<MarkdownLink> {
    let lines = crate::shared::LineStarts::of(text.as_bytes());
    let line_of = |offset: usize| lines.line(offset);
    // Column and width, in characters, of a range that stays on one line.
    let span_of = |range: &std::ops::Range<usize>| {
        let written = text.get(range.clone())?;
        let line_start = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
        (!written.contains('\n')).then(|| {
            let column = text[line_start..range.start].chars().count() + 1;
            (column, written.chars().count())
        })
    };
    let mut out = Vec::new();
    let mut events = crate::shared::markdown(text).into_offset_iter();
    while let Some((event, range)) = events.next() {
        match event {
            // `<someone@example.org>` is a `mailto:` link (CommonMark), not a file.
            Event::Start(Tag::Link {
                link_type: LinkType::Email,
                ..
            }) => {}
            Event::Start(
                Tag::Link {
                    dest_url,
                    link_type,
                    id,
                    ..
                }
                | Tag::Image {
                    dest_url,
                    link_type,
                    id,
                    ..
                },
            ) => {
                let reference = matches!(
                    link_type,
                    LinkType::Reference | LinkType::Collapsed | LinkType::Shortcut
                );
                let definition = reference
                    .then(|| {
                        events
                            .reference_definitions()
                            .get(&id)
                            .map(|d| line_of(d.span.start))
                    })
                    .flatten();
                out.push(MarkdownLink {
                    url: dest_url.to_string(),
                    line: line_of(range.start),
                    definition,
                    span: reference.then(|| span_of(&range)).flatten(),
                });
            }
            // Raw HTML in a chapter links too: `<a href>`, `<img src>`…
            Event::Html(html) | Event::InlineHtml(html) => {
                for (url, offset) in site::tokenize(html.as_bytes()).links {
                    out.push(MarkdownLink {
                        url,
                        line: line_of(range.start + offset),
                        definition: None,
                        span: None,
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// What a link points at.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Target {
    /// A page or file of the site, relative to its root, with the `#fragment` as written.
    Local {
        path: String,
        fragment: Option<String>,
    },
    /// An http(s) URL.
    Remote(String),
    /// An http(s) URL a link leaving the book was remapped to.
    Remapped(String),
    /// A relative link that climbs out of the site (resolved from the site's root):
    /// never looked up on disk.
    Outside(String),
}

impl Target {
    /// The URL to fetch, for a remote target.
    fn remote_url(&self) -> Option<&str> {
        match self {
            Target::Remote(u) | Target::Remapped(u) => Some(u),
            Target::Local { .. } | Target::Outside(_) => None,
        }
    }
}

/// Compiled `remap` settings.
pub(crate) struct Remaps(Vec<(regex::Regex, String)>);

impl Remaps {
    /// Compiles the settings; a bad pattern names itself.
    pub(crate) fn new(remaps: &[Remap]) -> anyhow::Result<Remaps> {
        remaps
            .iter()
            .map(|r| {
                regex::Regex::new(&r.from)
                    .map(|re| (re, r.to.clone()))
                    .with_context(|| format!("`from = {:?}` in a links remap", r.from))
            })
            .collect::<anyhow::Result<_>>()
            .map(Remaps)
    }

    /// Where a link that leaves the book (`../std/…`, resolved from the book's root)
    /// is published, when a remap says so.
    fn apply(&self, outside: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(re, _)| re.is_match(outside))
            .map(|(re, to)| re.replace(outside, to.as_str()).into_owned())
    }
}

/// What a link written on `page` (relative to the site's root) points at, as a browser
/// resolves it; `None` for links not checked (mail, phone…). For a chapter
/// (`from_markdown`), the page and a linked `.md` are the `.html` mdBook renders.
fn target(page: &str, url: &str, remaps: &Remaps, from_markdown: bool) -> Option<Target> {
    if url.starts_with("http://") || url.starts_with("https://") {
        return Some(Target::Remote(url.to_string()));
    }
    // A scheme (`mailto:`, `tel:`, `javascript:`…) comes before any `/` or `#`: such
    // links are not checked. Bytes are searched, not characters: a site has thousands
    // of links.
    let bytes = url.as_bytes();
    let first_separator = bytes
        .iter()
        .position(|b| matches!(b, b'/' | b'#'))
        .unwrap_or(bytes.len());
    if memchr::memchr(b':', &bytes[..first_separator]).is_some() {
        return None;
    }
    let (path, fragment) = match memchr::memchr(b'#', bytes) {
        Some(i) => (&url[..i], Some(&url[i + 1..])),
        None => (url, None),
    };
    let path = memchr::memchr(b'?', path.as_bytes()).map_or(path, |i| &path[..i]);
    let path = match memchr::memchr(b'%', path.as_bytes()) {
        Some(_) => percent_encoding::percent_decode_str(path).decode_utf8_lossy(),
        None => std::borrow::Cow::Borrowed(path),
    };
    let as_rendered = |path: String| match path.strip_suffix(".md") {
        Some(stem) if from_markdown => format!("{stem}.html"),
        _ => path,
    };
    let mut resolved = if path.is_empty() {
        as_rendered(page.to_string())
    } else {
        let folder = match path.starts_with('/') {
            true => "",
            false => folder_of(page),
        };
        as_rendered(join(folder, &path))
    };
    if path.ends_with('/') && !resolved.is_empty() {
        resolved.push('/');
    }
    let fragment = fragment.filter(|f| !f.is_empty());
    // A link that climbs out of the book is never resolved against the file system.
    if resolved.starts_with("..") {
        if let Some(f) = fragment {
            resolved.push('#');
            resolved.push_str(f);
        }
        return Some(match remaps.apply(&resolved) {
            Some(url) => Target::Remapped(url),
            None => Target::Outside(resolved),
        });
    }
    Some(Target::Local {
        path: resolved,
        fragment: fragment.map(str::to_string),
    })
}

/// The folder of a page (relative to the site, `/`-separated); "" at the root.
fn folder_of(page: &str) -> &str {
    memchr::memrchr(b'/', page.as_bytes()).map_or("", |i| &page[..i])
}

/// `path` followed from `folder` (both `/`-separated, relative to the site), with `.` and
/// `..` resolved; a path climbing above the site keeps its leading `..`.
fn join(folder: &str, path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in folder.split('/').chain(path.split('/')) {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    parts.join("/")
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

/// Whether a remote target is fine, why not, and whether the result may be cached. A
/// redirect that was not followed to its end is a loop (or a chain too long), named as
/// such with the chain.
fn judge(status: &Status, redirects: Option<&lychee_lib::Redirects>) -> (bool, String, bool) {
    let ok = status.is_success() || status.is_excluded();
    if ok {
        return (true, String::new(), cacheable(status));
    }
    let stopped_redirecting = status.code().is_some_and(|c| c.is_redirection());
    let chain = redirects.and_then(redirect_chain).filter(|c| c.len() > 1);
    match chain {
        Some(chain) if stopped_redirecting => {
            let looped = chain
                .iter()
                .enumerate()
                .any(|(i, u)| chain[..i].contains(u));
            let what = if looped {
                "redirect loop"
            } else {
                "too many redirects"
            };
            // A loop repeats itself: its first turn says enough.
            let shown: Vec<&str> = match chain
                .iter()
                .enumerate()
                .find(|(i, u)| chain[..*i].contains(u))
            {
                Some((i, _)) => chain[..=i].iter().map(String::as_str).collect(),
                None => chain.iter().map(String::as_str).collect(),
            };
            (false, format!("{what}: {}", shown.join(" → ")), false)
        }
        _ => (false, reason(status), cacheable(status)),
    }
}

/// The URLs a request went through: the one asked for, then each redirect's target.
fn redirect_chain(redirects: &lychee_lib::Redirects) -> Option<Vec<String>> {
    let value = serde_json::to_value(redirects).ok()?;
    let mut chain = vec![value["origin"].as_str()?.to_string()];
    for step in value["redirects"].as_array()? {
        chain.push(step["url"].as_str()?.to_string());
    }
    Some(chain)
}

/// Whether a failure may pass on a second try: a server error (5xx) or a connection
/// that failed. Timeouts and 429 are retried by lychee itself.
fn transient(status: &Status) -> bool {
    match status {
        Status::Error(ErrorKind::RejectedStatusCode(code)) => code.is_server_error(),
        Status::Error(ErrorKind::NetworkRequest(e)) => !e.is_timeout(),
        _ => false,
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

/// Links grouped by what they point at: each target once, checked once, and each link
/// with the index of its target. Links stay in one list rather than a list per target,
/// so grouping moves nothing but the targets.
struct Grouped {
    targets: Vec<Target>,
    links: Vec<(usize, Origin)>,
}

/// Groups links by what they point at, with links of built pages already resolved
/// (`built`), dropping remote ones unless asked for.
fn group<P: AsRef<str>>(
    links: impl IntoIterator<Item = (P, Origin)>,
    resolve: impl Fn(&str, &str) -> Option<Target>,
    built: Resolved,
    options: &Options,
) -> Grouped {
    // Pages of one folder share most of their links (navigation, styles, sibling pages):
    // each is resolved once per folder, or per page when it is only a `#fragment`.
    let mut resolved: FastMap<String, FastMap<String, Option<Target>>> = FastMap::default();
    let links = links.into_iter();
    let count = links.size_hint().0 + built.len();
    let targets = links.map(|(page, origin)| {
        let page = page.as_ref();
        let url = origin.url.as_str();
        let base = match url.is_empty() || url.starts_with(['#', '?']) {
            true => page,
            false => folder_of(page),
        };
        let known = resolved.get(base).and_then(|urls| urls.get(url));
        let target = match known {
            Some(target) => target.clone(),
            None => {
                let target = resolve(page, url).filter(|t| is_checked(t, options));
                resolved
                    .entry(base.to_string())
                    .or_default()
                    .insert(url.to_string(), target.clone());
                target
            }
        };
        (target, origin)
    });
    let built = built
        .into_iter()
        .map(|(target, origin)| (target.filter(|t| is_checked(t, options)), origin));
    group_resolved(targets.chain(built), count)
}

/// Whether a target is checked: remote ones only when asked for.
fn is_checked(target: &Target, options: &Options) -> bool {
    options.remote || target.remote_url().is_none()
}

/// Groups links already resolved (`None`: not checked) by their target, in the order
/// the targets first come.
/// `count` is how many links there are, at most: a site's thousands are moved once.
fn group_resolved(
    links: impl IntoIterator<Item = (Option<Target>, Origin)>,
    count: usize,
) -> Grouped {
    let mut targets: indexmap::IndexSet<Target, foldhash::fast::FixedState> =
        indexmap::IndexSet::default();
    let mut grouped = Vec::with_capacity(count);
    grouped.extend(
        links
            .into_iter()
            .filter_map(|(target, origin)| Some((targets.insert_full(target?).0, origin))),
    );
    Grouped {
        targets: targets.into_iter().collect(),
        links: grouped,
    }
}

fn check_links(
    grouped: Grouped,
    site: &mut Site,
    settings: LinkSettings,
    options: &Options,
) -> anyhow::Result<Report> {
    let cache_file = options.cache_dir.join("links.json");
    let mut cache: BTreeMap<String, CachedRemote> = crate::shared::read_cache(&cache_file);
    let max_age = settings.cache_max_age_hours * 3600;
    let excludes = regex::RegexSet::new(&settings.exclude)
        .context("`exclude` in [preprocessor.handbook.links]")?;

    // Per target: `None` when it is fine, else how bad it is and why.
    let mut results: Vec<Option<(Severity, String)>> = vec![None; grouped.targets.len()];
    let mut cached = 0;
    let mut to_fetch = Vec::new();
    // Local targets that exist, with the page they land on, for a fragment check.
    let mut landed = Vec::new();
    let outside_severity = match settings.outside {
        OutsidePolicy::Error => Severity::Error,
        OutsidePolicy::Warn => Severity::Warning,
    };
    for (i, t) in grouped.targets.iter().enumerate() {
        match t {
            Target::Outside(path) => {
                let why = format!("leads outside the book ({path})");
                results[i] = Some((outside_severity, why));
            }
            Target::Local { path, fragment } => match site.landing(path) {
                Ok(page) => {
                    if let Some(fragment) = fragment {
                        landed.push((i, page, fragment));
                    }
                }
                Err(why) => results[i] = Some((Severity::Error, why.to_string())),
            },
            Target::Remote(url) | Target::Remapped(url) if excludes.is_match(url) => {}
            Target::Remote(url) | Target::Remapped(url) => match cache
                .get(url)
                .filter(|c| now().saturating_sub(c.checked) < max_age)
            {
                Some(hit) => {
                    cached += 1;
                    results[i] = (!hit.ok).then(|| (Severity::Error, hit.reason.clone()));
                }
                None => to_fetch.push((i, url.as_str())),
            },
        }
    }

    let pages: Vec<String> = landed.iter().map(|(_, page, _)| page.clone()).collect();
    site.read(&pages);
    for (i, page, fragment) in landed {
        if !site.has_fragment(&page, fragment) {
            results[i] = Some((Severity::Error, site::MISSING_FRAGMENT.to_string()));
        }
    }

    for (i, ok, why, keep) in fetch(to_fetch, &settings, options)? {
        let t = &grouped.targets[i];
        if let (Some(url), true) = (t.remote_url(), keep) {
            cache.insert(
                url.to_string(),
                CachedRemote {
                    ok,
                    reason: why.clone(),
                    checked: now(),
                },
            );
        }
        let why = match t {
            Target::Remapped(url) => format!("{why} (remapped to {url})"),
            _ => why,
        };
        results[i] = (!ok).then_some((Severity::Error, why));
    }
    if options.remote {
        crate::shared::write_cache(&cache_file, &cache);
    }

    let mut broken: Vec<Broken> = grouped
        .links
        .into_iter()
        .filter_map(|(i, o)| {
            let (severity, why) = results[i].as_ref()?;
            Some(Broken {
                file: o.file.to_string(),
                line: o.line,
                url: o.url,
                reason: why.clone(),
                severity: *severity,
                definition_line: o.definition,
                span: o.span,
                source_line: o.source,
            })
        })
        .collect();
    // Links come file by file and in each from the top: mostly in order already.
    broken.sort();
    broken.dedup();
    Ok(Report {
        broken,
        checked: grouped.targets.len(),
        cached,
    })
}

/// Fetches remote targets (slot, URL) with lychee-lib: for each slot, whether it is
/// fine, why not, and whether the result may be cached.
fn fetch(
    targets: Vec<(usize, &str)>,
    settings: &LinkSettings,
    options: &Options,
) -> anyhow::Result<Vec<(usize, bool, String, bool)>> {
    if targets.is_empty() {
        return Ok(Vec::new());
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
    options.progress.set_length(targets.len() as u64);
    let fetched = runtime.block_on(async {
        futures::stream::iter(targets)
            .map(|(slot, url)| {
                let client = &client;
                async move {
                    // lychee retries timeouts and 429s itself; a server error or a failed
                    // connection is retried here, with the same exponential backoff, so
                    // a briefly overloaded site does not fail the check.
                    let mut wait = Duration::from_secs(settings.retry_wait);
                    let mut retries = 0;
                    let (ok, why, keep) = loop {
                        let (verdict, again) = match client.check(url).await {
                            Ok(response) => (
                                judge(response.status(), response.redirects()),
                                transient(response.status()),
                            ),
                            Err(e) => {
                                let status = Status::Error(e);
                                (judge(&status, None), transient(&status))
                            }
                        };
                        if !again || retries >= settings.max_retries {
                            break verdict;
                        }
                        retries += 1;
                        tokio::time::sleep(wait).await;
                        wait = wait.saturating_mul(2);
                    };
                    options.progress.inc(1);
                    (slot, ok, why, keep)
                }
            })
            .buffer_unordered(settings.max_concurrency.max(1))
            .collect()
            .await
    });
    options.progress.finish_and_clear();
    Ok(fetched)
}

/// Checks an already built site (any HTML folder) without its sources: every link of
/// every page except mdBook's `print.html` and `404.html` (and `index.html` when it is
/// mdBook's copy of the first chapter), reported at the HTML line.
pub fn check_html(
    site: &Path,
    settings: LinkSettings,
    options: &Options,
) -> anyhow::Result<Report> {
    // mdBook's `print.html` repeats every chapter and its `404.html` links from the
    // site's root: neither is a page of its own to check.
    let checked = |p: &str| {
        let name = p.rsplit('/').next().unwrap_or(p);
        name != "print.html" && name != "404.html"
    };
    let remaps = Remaps::new(&settings.remap)?;
    // Each page's links are resolved on the thread that read it, while the next pages
    // are read; a link leaving the book is broken whatever else the site holds, and the
    // line it is on is kept for its finding while the page is at hand.
    let (mut site, mut pages) = Site::list_and_read(site, checked, |page, read, text| {
        std::mem::take(&mut read.links)
            .into_iter()
            .map(|link| {
                let target =
                    target(page, &link.url, &remaps, false).filter(|t| is_checked(t, options));
                let source = matches!(target, Some(Target::Outside(_)))
                    .then(|| site::line_at(text, link.offset));
                (target, link.url, link.line, source)
            })
            .collect::<Vec<_>>()
    })
    .with_context(|| format!("listing {}", site.display()))?;
    // Pages come back as they were read: in order, the same targets every run.
    pages.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    // mdBook writes `index.html` as a copy of the first chapter; checking both would
    // report each of that chapter's broken links twice.
    let main_of = |p: &str| site.page(p).and_then(|page| page.main);
    let index_main = main_of("index.html");
    let index_is_a_copy = index_main.is_some()
        && pages.iter().any(|(p, _)| {
            let special = !p.contains('/') && matches!(p.as_str(), "index.html" | "toc.html");
            !special && main_of(p) == index_main
        });
    if index_is_a_copy {
        pages.retain(|(page, _)| page != "index.html");
    }
    let count = pages.iter().map(|(_, links)| links.len()).sum();
    let links = pages.into_iter().flat_map(|(page, links)| {
        let file: std::sync::Arc<str> = page.into();
        links.into_iter().map(move |(target, url, line, source)| {
            let origin = Origin {
                file: file.clone(),
                line,
                url,
                definition: None,
                span: None,
                source,
            };
            (target, origin)
        })
    });
    check_links(group_resolved(links, count), &mut site, settings, options)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(path: &str, fragment: Option<&str>) -> Target {
        Target::Local {
            path: path.into(),
            fragment: fragment.map(str::to_string),
        }
    }

    #[test]
    fn targets_resolve_like_mdbook() {
        let none = Remaps(Vec::new());
        let md = |page, url, remaps| target(page, url, remaps, true).unwrap();
        assert_eq!(md("a/b.md", "c.md#x", &none), local("a/c.html", Some("x")));
        assert_eq!(md("a/b.md", "#top", &none), local("a/b.html", Some("top")));
        assert_eq!(
            md("a/b.md", "../img/p.png", &none),
            local("img/p.png", None)
        );
        assert_eq!(md("a/b.md", "/x.html", &none), local("x.html", None));
        assert_eq!(md("a/b.md", "./", &none), local("a/", None));
        assert_eq!(
            md("b.md", "../../etc/passwd", &none),
            Target::Outside("../../etc/passwd".into())
        );
        assert_eq!(
            md("b.md", "https://e.org/x", &none),
            Target::Remote("https://e.org/x".into())
        );
        assert!(target("b.md", "mailto:a@b.c", &none, true).is_none());
        let std = Remaps::new(&[Remap {
            from: "^\\.\\./std/".into(),
            to: "https://doc.rust-lang.org/std/".into(),
        }])
        .unwrap();
        // From any depth, the link is matched as resolved from the book's root.
        for (page, url) in [
            ("b.md", "../std/vec/index.html#x"),
            ("a/b.md", "../../std/vec/index.html#x"),
        ] {
            assert_eq!(
                md(page, url, &std),
                Target::Remapped("https://doc.rust-lang.org/std/vec/index.html#x".into())
            );
        }
        assert_eq!(
            md("b.md", "../reference/types.md", &std),
            Target::Outside("../reference/types.html".into())
        );
        // Spaces, written as such or percent-encoded, are the same file.
        assert_eq!(md("a b.md", "c d.md", &none), local("c d.html", None));
        assert_eq!(md("a b.md", "c%20d.md", &none), local("c d.html", None));
        // In a built page, a link is to the file as written.
        assert_eq!(
            target("a/b.html", "c.md#x", &none, false).unwrap(),
            local("a/c.md", Some("x"))
        );
    }

    #[test]
    fn raw_html_links_are_found() {
        let found = site::tokenize(
            br#"<a href="nope.html">x</a> <img class=x src='img/a.png' alt="y"> <video src=v.mp4 poster="p.png">"#,
        );
        let urls: Vec<&str> = found.links.iter().map(|(u, _)| u.as_str()).collect();
        assert_eq!(urls, ["nope.html", "img/a.png", "v.mp4", "p.png"]);
        assert!(
            site::tokenize(b"<p data-href=\"x\">no</p>")
                .links
                .is_empty()
        );
        let text =
            "# T\n\nText <a href=\"a.html#x\">a</a>.\n\n<div>\n<img src=\"b.png\">\n</div>\n";
        let found = |text| {
            markdown_links(text)
                .into_iter()
                .map(|l| (l.url, l.line, l.definition, l.span))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            found(text),
            [
                ("a.html#x".to_string(), 3, None, None),
                ("b.png".to_string(), 6, None, None)
            ]
        );
        // A reference-style link is marked where its text is written.
        let text = "# T\n\nSee [universe] and [that][universe].\n\n[universe]: gone.md#x\n";
        assert_eq!(
            found(text),
            [
                ("gone.md#x".to_string(), 3, Some(5), Some((5, 10))),
                ("gone.md#x".to_string(), 3, Some(5), Some((20, 16)))
            ]
        );
    }
}
