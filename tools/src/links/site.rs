//! The built site as the checker sees it: which files exist, which ids each page defines
//! and, for a site checked without its book, which links each page holds.
//!
//! Local links need no HTTP client: a page or file either is in the site or is not, and a
//! `#fragment` either is an `id`/`name` of that page or is not. So the site is listed once
//! and each page is read and tokenized at most once (with html5gum, the tokenizer
//! lychee-lib uses), pages in parallel. Paths are kept relative to the site and never
//! climb out of it, so no file outside the site is ever read.

use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher as _;
use std::path::{Path, PathBuf};

use html5gum::{Emitter, Tokenizer};

/// Hash maps and sets for the checker's many short keys, with a fixed seed (no order
/// depends on it: findings are sorted).
pub(crate) type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;
pub(crate) type FastSet<K> = HashSet<K, foldhash::fast::FixedState>;

/// Why a local link is broken.
pub(crate) const MISSING_FILE: &str = "missing page or file";
pub(crate) const MISSING_FRAGMENT: &str = "missing fragment: no such id on the target page";
pub(crate) const NO_INDEX: &str = "a folder without index.html";

/// What a page holds, read once.
#[derive(Debug, Default)]
pub(crate) struct Page {
    /// Its `id` and `name` attribute values.
    pub ids: FastSet<String>,
    /// Its links (`href`, `src`, `srcset`…).
    pub links: Vec<Link>,
    /// A hash of its `<main>` element, to recognise mdBook's copy of the first chapter.
    pub main: Option<u64>,
}

/// A link of a page.
#[derive(Debug)]
pub(crate) struct Link {
    pub url: String,
    /// 1-based.
    pub line: usize,
    /// Where its value starts in the page, in bytes.
    pub offset: usize,
    /// Whether it is inside the page's `<main>`: a chapter's text, not the theme's.
    pub in_main: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    /// A file (HTML pages are read only when asked for).
    File,
    Folder,
    /// A symbolic link: it exists, but is never followed.
    Link,
}

/// The files of a built site, and the pages read so far.
pub(crate) struct Site {
    root: PathBuf,
    /// Every file and folder, relative to the root with `/` separators ("" is the root).
    entries: FastMap<String, Entry>,
    pages: FastMap<String, Page>,
}

impl Site {
    /// Lists the site's files. Symbolic links are listed as files but never followed.
    #[cfg(test)]
    pub(crate) fn list(root: &Path) -> anyhow::Result<Site> {
        Ok(Site::list_and_read(root, |_| false, |_, _, _| ())?.0)
    }

    /// Lists the site's files and reads the HTML pages `wanted` says to, each as soon as
    /// it is listed, on the thread pool, while the listing goes on. `each` is handed
    /// every page read and its text, on the thread that read it; what it returns comes
    /// back with the page's path, in no particular order.
    pub(crate) fn list_and_read<T: Send>(
        root: &Path,
        wanted: impl Fn(&str) -> bool + Sync,
        each: impl Fn(&str, &mut Page, &[u8]) -> T + Sync,
    ) -> anyhow::Result<(Site, Vec<(String, T)>)> {
        let mut entries = FastMap::default();
        let read = std::sync::Mutex::new(Vec::new());
        let listed: anyhow::Result<()> = rayon::scope(|scope| {
            for entry in walkdir::WalkDir::new(root) {
                let entry = entry?;
                let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
                let rel = rel.to_string_lossy().replace('\\', "/");
                let kind = if entry.file_type().is_dir() {
                    Entry::Folder
                } else if entry.file_type().is_symlink() {
                    Entry::Link
                } else {
                    Entry::File
                };
                if kind == Entry::File && is_html(&rel) && wanted(&rel) {
                    let (page, read, each) = (rel.clone(), &read, &each);
                    scope.spawn(move |_| {
                        let (mut scanned, text) = read_page(entry.path());
                        let done = each(&page, &mut scanned, &text);
                        read.lock()
                            .expect("not poisoned")
                            .push((page, scanned, done));
                    });
                }
                entries.insert(rel, kind);
            }
            Ok(())
        });
        listed?;
        let read = read.into_inner().expect("not poisoned");
        let mut pages = FastMap::default();
        let mut done = Vec::with_capacity(read.len());
        for (path, page, result) in read {
            done.push((path.clone(), result));
            pages.insert(path, page);
        }
        let site = Site {
            root: root.to_path_buf(),
            entries,
            pages,
        };
        Ok((site, done))
    }

    /// Reads the given pages (those not read yet), in parallel.
    pub(crate) fn read(&mut self, pages: &[String]) {
        // Pages are not stat-ed for their size to balance the work: that was a system
        // call per file of the site, and the pool's threads take work from each other.
        let mut todo: Vec<&String> = pages
            .iter()
            .filter(|p| !self.pages.contains_key(*p) && self.is_readable(p))
            .collect();
        // Asked for once per link: each page is read once.
        todo.sort_unstable();
        todo.dedup();
        let root = &self.root;
        let read: Vec<(String, Page)> = todo
            .par_iter()
            .map(|page| ((*page).clone(), read_page(&root.join(page)).0))
            .collect();
        self.pages.extend(read);
    }

    /// A page read so far (by [`Site::list_and_read`] or [`Site::read`]).
    pub(crate) fn page(&self, path: &str) -> Option<&Page> {
        self.pages.get(path)
    }

    fn is_readable(&self, path: &str) -> bool {
        matches!(self.entries.get(path), Some(Entry::File)) && is_html(path)
    }

    /// The page a link to `path` lands on (a folder's `index.html`), or why there is none.
    /// `path` is relative to the site, without `.` or `..` components.
    pub(crate) fn landing(&self, path: &str) -> Result<String, &'static str> {
        let path = path.trim_end_matches('/');
        match self.entries.get(path) {
            Some(Entry::File | Entry::Link) => Ok(path.to_string()),
            Some(Entry::Folder) => {
                let index = if path.is_empty() {
                    "index.html".to_string()
                } else {
                    format!("{path}/index.html")
                };
                match self.entries.get(&index) {
                    Some(Entry::File | Entry::Link) => Ok(index),
                    _ => Err(NO_INDEX),
                }
            }
            None => Err(MISSING_FILE),
        }
    }

    /// Whether `fragment` names an id of `page` (read beforehand). As in lychee, an empty
    /// fragment and `top` always exist, the fragment matches as written or
    /// percent-decoded, a text fragment (`:~:text=…`) is not checked, and only HTML pages
    /// have ids to check.
    pub(crate) fn has_fragment(&self, page: &str, fragment: &str) -> bool {
        let id = fragment.split(":~:").next().unwrap_or_default();
        if id.is_empty() || id.eq_ignore_ascii_case("top") || !self.is_readable(page) {
            return true;
        }
        let Some(p) = self.pages.get(page) else {
            return true;
        };
        p.ids.contains(id)
            || percent_encoding::percent_decode_str(id)
                .decode_utf8()
                .is_ok_and(|decoded| p.ids.contains(decoded.as_ref()))
    }
}

/// A page read and scanned, with its text. An unreadable page defines nothing and
/// links nowhere; its links then report what is wrong.
fn read_page(path: &Path) -> (Page, Vec<u8>) {
    let text = std::fs::read(path).unwrap_or_default();
    (scan(&text), text)
}

fn is_html(path: &str) -> bool {
    path.ends_with(".html") || path.ends_with(".htm")
}

/// A page's ids, links and `<main>` hash.
pub(crate) fn scan(text: &[u8]) -> Page {
    let found = tokenize(text);
    let main = memchr::memmem::find(text, b"<main>").and_then(|start| {
        let rest = &text[start..];
        memchr::memmem::find(rest, b"</main>").map(|end| start..start + end)
    });
    let mut links = lines_of(text, found.links);
    if let Some(main) = &main {
        for link in &mut links {
            link.in_main = main.contains(&link.offset);
        }
    }
    Page {
        ids: found.ids.into_iter().collect(),
        links,
        main: main.map(|m| foldhash::quality::FixedState::default().hash_one(&text[m])),
    }
}

/// Links at byte offsets of `text` to links at 1-based lines. The tokenizer finds them in
/// order, so the line breaks are counted once, up to the last link, and nothing is kept
/// of the lines in between.
fn lines_of(text: &[u8], links: Vec<(String, usize)>) -> Vec<Link> {
    let (mut at, mut line) = (0, 1);
    links
        .into_iter()
        .map(|(url, offset)| {
            if offset < at {
                (at, line) = (0, 1);
            }
            let offset = offset.min(text.len());
            line += newlines(&text[at..offset]);
            at = offset;
            Link {
                url,
                line,
                offset,
                in_main: false,
            }
        })
        .collect()
}

/// The line of `text` holding byte `offset`, without its line break.
pub(crate) fn line_at(text: &[u8], offset: usize) -> String {
    let offset = offset.min(text.len());
    let start = memchr::memrchr(b'\n', &text[..offset]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &text[offset..]).map_or(text.len(), |i| offset + i);
    let line = String::from_utf8_lossy(&text[start..end]);
    line.trim_end_matches('\r').to_string()
}

/// The line breaks in `bytes`, counted in runs of 255 into a byte each, which the
/// compiler turns into vector instructions.
fn newlines(bytes: &[u8]) -> usize {
    bytes
        .chunks(255)
        .map(|run| {
            let n = run.iter().fold(0u8, |n, &b| n + u8::from(b == b'\n'));
            usize::from(n)
        })
        .sum()
}

/// What the tokenizer found in a piece of HTML, with byte offsets.
#[derive(Debug, Default)]
pub(crate) struct Found {
    pub links: Vec<(String, usize)>,
    pub ids: Vec<String>,
}

/// Links and ids in a piece of HTML (a page, or raw HTML in a chapter).
///
/// Links are the attributes lychee-lib's HTML extractor takes (`href`, `src`, `cite`,
/// `usemap` and `srcset` anywhere, and a few element-specific ones such as `poster` of
/// `video`), skipping what it skips: elements inside verbatim ones (`pre`, `code`…) and
/// `rel` = `nofollow`, `preconnect` or `dns-prefetch`. Unlike lychee, URLs in plain text
/// are not links, and the content of `<script>` and `<style>` is not read as HTML.
pub(crate) fn tokenize(html: &[u8]) -> Found {
    let mut found = Found::default();
    let emitter = Extractor {
        found: &mut found,
        position: 0,
        tag: Tag::default(),
        is_end_tag: false,
        self_closing: false,
        last_start_tag: Vec::new(),
        attribute: Vec::new(),
        value_start: 0,
        verbatim: Vec::new(),
    };
    match Tokenizer::new_with_emitter(html, emitter).finish() {
        Ok(()) => {}
        Err(never) => match never {},
    }
    found
}

/// An html5gum emitter that keeps only tag names and the attributes that matter here:
/// no text, comments, doctypes or parse errors are built, which is most of a
/// tokenizer's work on a page.
struct Extractor<'f> {
    found: &'f mut Found,
    /// Byte offset in the input, kept by the tokenizer through `move_position`.
    position: usize,
    tag: Tag,
    is_end_tag: bool,
    self_closing: bool,
    last_start_tag: Vec<u8>,
    /// The attribute being read, and where its value starts in the input.
    attribute: Vec<u8>,
    value_start: usize,
    /// The verbatim elements (`pre`, `code`…) open around the current position.
    verbatim: Vec<Vec<u8>>,
}

impl Extractor<'_> {
    /// Ends the attribute being read: kept when it matters, and the first of its name
    /// (as in browsers).
    fn flush_attribute(&mut self) {
        let tag = &mut self.tag;
        let start = tag.values.len() - tag.reading;
        match wanted(&tag.name, &self.attribute) {
            Some(name) if tag.get(name).is_none() => {
                tag.attributes
                    .push((name, start..tag.values.len(), self.value_start));
            }
            _ => tag.values.truncate(start),
        }
        tag.reading = 0;
        self.attribute.clear();
    }
}

impl Emitter for Extractor<'_> {
    type Token = std::convert::Infallible;

    fn move_position(&mut self, offset: isize) {
        self.position = self.position.saturating_add_signed(offset);
    }

    fn set_last_start_tag(&mut self, last_start_tag: Option<&[u8]>) {
        self.last_start_tag.clear();
        self.last_start_tag
            .extend_from_slice(last_start_tag.unwrap_or_default());
    }

    fn should_emit_errors(&mut self) -> bool {
        false
    }

    fn emit_eof(&mut self) {}
    fn emit_error(&mut self, _: html5gum::Error) {}
    fn pop_token(&mut self) -> Option<Self::Token> {
        None
    }
    fn emit_string(&mut self, _: &[u8]) {}

    fn init_start_tag(&mut self) {
        self.tag.clear();
        self.is_end_tag = false;
        self.self_closing = false;
    }

    fn init_end_tag(&mut self) {
        self.tag.clear();
        self.is_end_tag = true;
    }

    fn emit_current_tag(&mut self) -> Option<html5gum::State> {
        self.flush_attribute();
        if self.is_end_tag {
            self.last_start_tag.clear();
            if self.verbatim.last() == Some(&self.tag.name) {
                self.verbatim.pop();
            }
            return None;
        }
        let verbatim = is_verbatim(&self.tag.name);
        if self.verbatim.is_empty() && !verbatim {
            self.tag.collect(self.found);
        }
        if verbatim && !self.self_closing {
            self.verbatim.push(self.tag.name.clone());
        }
        self.last_start_tag.clear();
        self.last_start_tag.extend_from_slice(&self.tag.name);
        // Reads `<script>`, `<style>`… as text, as browsers do.
        html5gum::naive_next_state(&self.last_start_tag)
    }

    fn set_self_closing(&mut self) {
        if !self.is_end_tag {
            self.self_closing = true;
        }
    }

    fn push_tag_name(&mut self, s: &[u8]) {
        self.tag.name.extend_from_slice(s);
    }

    fn init_attribute(&mut self) {
        self.flush_attribute();
    }

    fn push_attribute_name(&mut self, s: &[u8]) {
        self.attribute.extend_from_slice(s);
    }

    fn init_attribute_value(&mut self) {
        self.value_start = self.position;
    }

    fn push_attribute_value(&mut self, s: &[u8]) {
        self.tag.values.extend_from_slice(s);
        self.tag.reading += s.len();
    }

    fn current_is_appropriate_end_tag_token(&mut self) -> bool {
        self.is_end_tag && !self.last_start_tag.is_empty() && self.last_start_tag == self.tag.name
    }

    fn init_comment(&mut self) {}
    fn emit_current_comment(&mut self) {}
    fn emit_current_doctype(&mut self) {}
    fn set_force_quirks(&mut self) {}
    fn push_comment(&mut self, _: &[u8]) {}
    fn push_doctype_name(&mut self, _: &[u8]) {}
    fn init_doctype(&mut self) {}
    fn set_doctype_public_identifier(&mut self, _: &[u8]) {}
    fn set_doctype_system_identifier(&mut self, _: &[u8]) {}
    fn push_doctype_public_identifier(&mut self, _: &[u8]) {}
    fn push_doctype_system_identifier(&mut self, _: &[u8]) {}
}

/// The start tag being read.
#[derive(Default)]
struct Tag {
    name: Vec<u8>,
    /// The values of the attributes kept, one after the other.
    values: Vec<u8>,
    /// Bytes of the value being read, at the end of `values`.
    reading: usize,
    /// Name, value (in `values`) and the value's byte offset in the input.
    attributes: Vec<(&'static str, std::ops::Range<usize>, usize)>,
}

impl Tag {
    fn clear(&mut self) {
        self.name.clear();
        self.values.clear();
        self.reading = 0;
        self.attributes.clear();
    }

    fn get(&self, name: &str) -> Option<&[u8]> {
        self.attributes
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, range, _)| &self.values[range.clone()])
    }

    fn collect(&self, found: &mut Found) {
        let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
        for name in ["id", "name"] {
            if let Some(id) = self.get(name) {
                found.ids.push(text(id));
            }
        }
        let skipped = self.get("rel").is_some_and(|rel| {
            rel.split(|b| *b == b',' || b.is_ascii_whitespace())
                .any(|r| matches!(r, b"nofollow" | b"preconnect" | b"dns-prefetch"))
        });
        if skipped {
            return;
        }
        for (name, range, at) in &self.attributes {
            let value = &self.values[range.clone()];
            match *name {
                "id" | "name" | "rel" => {}
                // Candidates are "url [descriptor]" separated by commas.
                "srcset" => {
                    for candidate in value.split(|b| *b == b',') {
                        let mut words = candidate
                            .split(u8::is_ascii_whitespace)
                            .filter(|w| !w.is_empty());
                        if let Some(url) = words.next() {
                            found.links.push((text(url), *at));
                        }
                    }
                }
                _ => found.links.push((text(value.trim_ascii()), *at)),
            }
        }
    }
}

/// The attributes kept, by the name they are kept under: ids, what decides about links,
/// and links.
fn wanted(element: &[u8], attribute: &[u8]) -> Option<&'static str> {
    Some(match attribute {
        b"id" => "id",
        b"name" => "name",
        b"rel" => "rel",
        b"srcset" => "srcset",
        b"href" => "href",
        b"src" => "src",
        b"cite" => "cite",
        b"usemap" => "usemap",
        _ => return is_link(element, attribute),
    })
}

/// The element-specific attributes that hold a URL (lychee-lib's list, after the HTML
/// 4.01 and WHATWG attribute indexes), under their name.
fn is_link(element: &[u8], attribute: &[u8]) -> Option<&'static str> {
    Some(match (element, attribute) {
        (b"applet" | b"object", b"codebase") => "codebase",
        (b"body", b"background") => "background",
        (b"button" | b"input", b"formaction") => "formaction",
        (b"command", b"icon") => "icon",
        (b"form", b"action") => "action",
        (b"frame" | b"iframe" | b"img", b"longdesc") => "longdesc",
        (b"head", b"profile") => "profile",
        (b"html", b"manifest") => "manifest",
        (b"object", b"classid") => "classid",
        (b"object", b"data") => "data",
        (b"video", b"poster") => "poster",
        _ => return None,
    })
}

fn is_verbatim(element: &[u8]) -> bool {
    matches!(
        element,
        b"pre"
            | b"code"
            | b"textarea"
            | b"samp"
            | b"kbd"
            | b"var"
            | b"listing"
            | b"plaintext"
            | b"xmp"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_and_ids_of_a_page() {
        let html = "<p id=a>x</p>\n<a name=\"b\" href=\"x.html#a&amp;b\">x</a>\n\
                    <img srcset=\"s.png 1x, t.png 2x\" src=\"u.png\">\n\
                    <pre><a href=\"verbatim.html\">v</a></pre>\n\
                    <script>var s = '<a href=\"script.html\">';</script>\n\
                    <link rel=\"preconnect\" href=\"https://fonts.example\">\n\
                    <video src=v.mp4 poster=p.png></video>";
        let page = scan(html.as_bytes());
        let links: Vec<(&str, usize)> = page
            .links
            .iter()
            .map(|l| (l.url.as_str(), l.line))
            .collect();
        assert_eq!(
            links,
            [
                ("x.html#a&b", 2),
                ("s.png", 3),
                ("t.png", 3),
                ("u.png", 3),
                ("v.mp4", 7),
                ("p.png", 7)
            ]
        );
        let mut ids: Vec<&str> = page.ids.iter().map(String::as_str).collect();
        ids.sort();
        assert_eq!(ids, ["a", "b"]);
        assert!(page.main.is_none());
    }

    #[test]
    fn link_lines_are_counted_in_any_order() {
        let text = b"a\nb\n\nc";
        let links = |offsets: &[usize]| {
            let found = offsets.iter().map(|o| (o.to_string(), *o)).collect();
            lines_of(text, found)
                .into_iter()
                .map(|link| link.line)
                .collect::<Vec<_>>()
        };
        assert_eq!(links(&[0, 1, 2, 4, 5, 99]), [1, 1, 2, 3, 4, 4]);
        assert_eq!(links(&[5, 2, 2]), [4, 2, 2]);
        assert_eq!(line_at(text, 2), "b");
        assert_eq!(line_at(text, 4), "");
        assert_eq!(line_at(b"x\r\ny", 0), "x");
    }

    #[test]
    fn landing_pages_and_fragments() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a/empty")).unwrap();
        std::fs::write(
            dir.path().join("a/index.html"),
            "<h1 id=\"caf%C3%A9\">x</h1>",
        )
        .unwrap();
        std::fs::write(dir.path().join("a/p.html"), "<h2 id=\"café\">x</h2>").unwrap();
        let mut site = Site::list(dir.path()).unwrap();
        assert_eq!(site.landing("a/"), Ok("a/index.html".to_string()));
        assert_eq!(site.landing("a/empty"), Err(NO_INDEX));
        assert_eq!(site.landing("a/q.html"), Err(MISSING_FILE));
        site.read(&["a/index.html".to_string(), "a/p.html".to_string()]);
        assert!(site.has_fragment("a/p.html", "caf%C3%A9"));
        assert!(site.has_fragment("a/p.html", "café"));
        assert!(site.has_fragment("a/p.html", "TOP"));
        assert!(site.has_fragment("a/p.html", ":~:text=anything"));
        assert!(!site.has_fragment("a/p.html", "tea"));
        assert!(site.has_fragment("a/index.html", "caf%C3%A9"));
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_exists_but_is_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside.html");
        std::fs::write(&outside, "<p id=\"secret\">x</p>").unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir(&root).unwrap();
        std::os::unix::fs::symlink(&outside, root.join("link.html")).unwrap();
        let mut site = Site::list(&root).unwrap();
        assert_eq!(site.landing("link.html"), Ok("link.html".to_string()));
        site.read(&["link.html".to_string()]);
        assert!(site.page("link.html").is_none(), "the link was followed");
    }
}
