//! Our settings in `book.toml`, under `[preprocessor.handbook]`, read once and checked.
//!
//! mdBook reads the same file for its own settings and hands preprocessors an untyped
//! view without positions, so the handbook's table is read here from the file's text: a
//! misspelt key or a wrong type is reported at its line and column in `book.toml`, like
//! every other mistake in a contributor's files.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostics::{Diagnostic, Location};

/// `[preprocessor.handbook]`. With a content folder it makes a book a handbook; a plain
/// mdBook may carry the table for its link and snippet settings alone.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct Settings {
    /// The content folder, relative to the book root (default `content`).
    pub content: Option<PathBuf>,
    /// Link checking, `[preprocessor.handbook.links]`.
    pub links: LinkSettings,
    /// Snippet checking, `[preprocessor.handbook.snippets]`.
    pub snippets: SnippetSettings,
    /// The "What changed" page, `[preprocessor.handbook.changes]`.
    pub changes: ChangeSettings,
    /// The handbook versions that can build the book (`">=0.2"`, `"^0.2"`).
    pub version: Option<String>,
    /// The site's search: `auto`, `mdbook` or `pagefind`.
    pub search: Search,
    // mdBook's own keys of a preprocessor entry, accepted so they are not "unknown".
    #[serde(rename = "command")]
    _command: Option<String>,
    #[serde(rename = "before")]
    _before: Option<Vec<String>>,
    #[serde(rename = "after")]
    _after: Option<Vec<String>>,
    #[serde(rename = "renderers")]
    _renderers: Option<Vec<String>>,
    #[serde(rename = "optional")]
    _optional: Option<bool>,
}

impl Settings {
    /// The content folder of the book at `root`: the one `content` names (which must
    /// exist), else `content/` when there is one. `None` means a plain mdBook that uses
    /// only the checking settings.
    pub fn content_dir(&self, root: &Path) -> Option<PathBuf> {
        match &self.content {
            Some(named) => Some(root.join(named)),
            None => Some(root.join("content")).filter(|d| d.is_dir()),
        }
    }
}

/// The search a site gets, `[preprocessor.handbook] search`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Search {
    /// mdBook's own while the handbook has a page per section; Pagefind above that.
    #[default]
    Auto,
    /// Always mdBook's single index (which also works from `file://`).
    Mdbook,
    /// Always Pagefind's fragments (which need the site served over HTTP).
    Pagefind,
}

impl Search {
    /// Whether Pagefind indexes a handbook whose page plan is `expanded` or not.
    pub fn uses_pagefind(self, expanded: bool) -> bool {
        match self {
            Search::Auto => !expanded,
            Search::Mdbook => false,
            Search::Pagefind => true,
        }
    }
}

/// How links that leave the book are reported.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutsidePolicy {
    /// As broken links (the default: a link out of the book usually is one).
    #[default]
    Error,
    /// As warnings: the book is published beside others it links to.
    Warn,
}

/// `[[preprocessor.handbook.links.remap]]`: where a sibling book the links climb out to
/// is published, as in lychee's `--remap`. Matched against the link resolved from the
/// book's root (`../std/vec/struct.Vec.html#method.push` from any chapter), it turns a
/// link that leaves the book into a remote one, checked with `--remote`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Remap {
    /// A regular expression, e.g. `^\.\./std/`.
    pub from: String,
    /// Its replacement, e.g. `https://doc.rust-lang.org/std/` (`$1` names a group).
    pub to: String,
}

/// Link-checking settings, from `[preprocessor.handbook.links]` in `book.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct LinkSettings {
    /// Links that leave the book: errors or warnings.
    pub outside: OutsidePolicy,
    /// Sibling books published beside this one.
    pub remap: Vec<Remap>,
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

impl Default for LinkSettings {
    fn default() -> Self {
        LinkSettings {
            outside: OutsidePolicy::Error,
            remap: Vec::new(),
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

/// `[preprocessor.handbook.snippets]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct SnippetSettings {
    /// Crates snippets may use, as Cargo's `[dependencies]` table: `anyhow = "1"`,
    /// `serde = { version = "1", features = ["derive"] }`, `mine = { path = "…" }`
    /// (relative to the book root).
    pub dependencies: toml::Table,
}

/// `[preprocessor.handbook.changes]`: which commits the page covers.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct ChangeSettings {
    /// Commits listed at most.
    pub limit: usize,
    /// A tag or commit: only the commits after it are listed (e.g. the last publish).
    pub since: Option<String>,
    /// `commit`: one entry per commit; `tag`: one entry per tag (a publish), with what
    /// changed since the tag before it, and the commits after the last tag first.
    pub per: Per,
}

/// What one entry of the page covers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Per {
    /// Each commit that changed the content.
    #[default]
    Commit,
    /// Each tag: one publish.
    Tag,
}

impl Default for ChangeSettings {
    fn default() -> Self {
        ChangeSettings {
            limit: 20,
            since: None,
            per: Per::Commit,
        }
    }
}

#[derive(Deserialize)]
struct BookToml {
    #[serde(default)]
    preprocessor: Preprocessors,
}

// Other preprocessors' tables belong to them and are not checked here.
#[derive(Default, Deserialize)]
struct Preprocessors {
    handbook: Option<Settings>,
}

/// Reads the handbook's settings from `book.toml` at `root`: `None` when the file or the
/// table is absent (a plain mdBook), a located diagnostic when the file is not valid
/// TOML or the table has a key we do not know.
pub fn read(root: &Path) -> Result<Option<Settings>, ReadError> {
    let path = crate::diagnostics::normalize(&root.join("book.toml"));
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(ReadError::Failed(
                anyhow::Error::new(e).context(format!("reading `{}`", path.display())),
            ));
        }
    };
    let text = crate::diagnostics::decode_utf8(&path, &bytes).map_err(ReadError::Invalid)?;
    parse(&path, text).map_err(ReadError::Invalid)
}

/// Parses the text of a `book.toml`; see [`read`].
pub fn parse(path: &Path, text: &str) -> Result<Option<Settings>, Diagnostic> {
    let settings = toml::from_str::<BookToml>(text)
        .map(|t| t.preprocessor.handbook)
        .map_err(|e| located(path, text, &e, true))?;
    if let Some(s) = &settings {
        check_version(path, text, s.version.as_deref())?;
        let patterns = s
            .links
            .exclude
            .iter()
            .chain(s.links.remap.iter().map(|r| &r.from));
        for pattern in patterns {
            if let Err(e) = regex::Regex::new(pattern) {
                // The pattern as written in TOML (backslashes doubled in basic strings).
                let written = pattern.replace('\\', "\\\\");
                let line = text
                    .lines()
                    .position(|l| l.contains(&written) || l.contains(pattern.as_str()))
                    .map_or(1, |i| i + 1);
                let source_line = text.lines().nth(line - 1).unwrap_or("");
                let first = e.to_string();
                let first = first.lines().last().unwrap_or_default().trim().to_string();
                return Err(Diagnostic::error(format!(
                    "invalid regular expression `{pattern}` in [preprocessor.handbook.links]: {first}"
                ))
                .at(Location::line(path, line, source_line))
                .help("write a regular expression (Rust `regex` syntax); in TOML, `\\.` is a literal dot"));
            }
        }
    }
    Ok(settings)
}

/// The version of this tool, as `handbook --version` prints it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A book may name the handbook versions that can build it: an older tool would build
/// it wrong, so it refuses, naming both versions.
fn check_version(path: &Path, text: &str, required: Option<&str>) -> Result<(), Diagnostic> {
    let Some(required) = required else {
        return Ok(());
    };
    let line = text
        .lines()
        .position(|l| l.trim_start().starts_with("version") && l.contains(required))
        .map_or(1, |i| i + 1);
    let at = Location::line(path, line, text.lines().nth(line - 1).unwrap_or(""));
    let req = semver::VersionReq::parse(required).map_err(|e| {
        Diagnostic::error(format!(
            "invalid book.toml: `version = \"{required}\"` is not a version requirement: {e}"
        ))
        .at(at.clone())
        .help("write a requirement such as `\">=0.2\"` or `\"^0.2\"`")
    })?;
    let ours = semver::Version::parse(VERSION).expect("the crate version is semver");
    if req.matches(&ours) {
        return Ok(());
    }
    Err(Diagnostic::error(format!(
        "this book needs handbook {required}, and this is handbook {VERSION}"
    ))
    .at(at)
    .label("the versions that can build this book")
    .help("install a handbook that matches (`cargo binstall handbook`, `cargo install handbook`, or a release binary), or change the requirement if the book works with this one"))
}

/// Why `book.toml` could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// The contributor's file has a mistake.
    Invalid(Diagnostic),
    /// The file could not be read at all.
    Failed(anyhow::Error),
}

/// A TOML error in `book.toml` (ours or mdBook's reading of it), at its place.
pub(crate) fn located(path: &Path, text: &str, e: &toml::de::Error, ours: bool) -> Diagnostic {
    let message = e.message().trim().to_string();
    let span = e.span().unwrap_or(0..0);
    let start = span.start.min(text.len());
    let before = &text[..start];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..start].chars().count() + 1;
    let width = text[start..span.end.clamp(start, text.len())]
        .lines()
        .next()
        .map_or(1, |l| l.chars().count());
    let help = if !ours {
        "fix the setting as the message says (mdBook's settings are described in its \
         guide, chapter \"Configuration\")"
    } else if message.starts_with("unknown field") {
        "the handbook's settings are `content`, `version`, `search` and the tables `links`, `snippets` and `changes` (see the README); \
         mdBook's `command`, `before`, `after`, `renderers` and `optional` are allowed too"
    } else {
        "fix the value as the message says; the README lists every setting"
    };
    let message = match message.split_once('\n') {
        Some((head, _)) => head.to_string(),
        None => message,
    };
    Diagnostic::error(format!("invalid book.toml: {message}"))
        .at(Location::in_text(path, text, line, column, width))
        .help(help)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_search_is_pagefind_only_for_a_compact_handbook() {
        assert!(!Search::Auto.uses_pagefind(true));
        assert!(Search::Auto.uses_pagefind(false));
        assert!(!Search::Mdbook.uses_pagefind(false));
        assert!(Search::Pagefind.uses_pagefind(true));
    }

    #[test]
    fn unknown_keys_are_located() {
        let text = "[book]\ntitle = \"x\"\n\n[preprocessor.handbook]\ncommand = \"handbook preprocess\"\ncontnet = \"c\"\n";
        let d = parse(Path::new("book.toml"), text).unwrap_err();
        let loc = d.primary.as_ref().unwrap();
        assert_eq!((loc.line, loc.column), (6, 1), "{d:?}");
        assert!(d.message.contains("unknown field `contnet`"), "{d:?}");
    }

    #[test]
    fn unknown_link_settings_are_located() {
        let text = "[preprocessor.handbook.links]\ntimeout = 3\nmax-retry = 1\n";
        let d = parse(Path::new("book.toml"), text).unwrap_err();
        assert_eq!(d.primary.as_ref().unwrap().line, 3, "{d:?}");
    }

    #[test]
    fn other_preprocessors_and_plain_books_pass() {
        let text = "[preprocessor.admonish]\nwhatever = 1\n";
        assert!(parse(Path::new("book.toml"), text).unwrap().is_none());
        let text = "[preprocessor.handbook]\ncontent = \"kb\"\n[preprocessor.handbook.links]\ntimeout = 3\n";
        let s = parse(Path::new("book.toml"), text).unwrap().unwrap();
        assert_eq!(s.content_dir(Path::new("r")).unwrap(), Path::new("r/kb"));
        assert_eq!(s.links.timeout, 3);
    }

    #[test]
    fn bad_patterns_are_located() {
        let text = "[preprocessor.handbook.links]\nexclude = [\"ok\"]\n\n[[preprocessor.handbook.links.remap]]\nfrom = \"^(\\\\.\\\\./std/\"\nto = \"https://doc.rust-lang.org/std/\"\n";
        let d = parse(Path::new("book.toml"), text).unwrap_err();
        assert_eq!(d.primary.as_ref().unwrap().line, 5, "{d:?}");
        assert!(d.message.contains("invalid regular expression"), "{d:?}");
        let ok = text.replace("^(", "^");
        let s = parse(Path::new("book.toml"), &ok).unwrap().unwrap();
        assert_eq!(s.links.remap[0].to, "https://doc.rust-lang.org/std/");
    }

    #[test]
    fn syntax_errors_are_located() {
        let d = parse(Path::new("book.toml"), "[book]\ntitle = \n").unwrap_err();
        assert_eq!(d.primary.as_ref().unwrap().line, 2, "{d:?}");
    }
}
