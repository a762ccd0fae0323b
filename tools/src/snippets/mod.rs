//! The snippets stage: every code block of the book checked, each verdict located.
//!
//! Blocks come from the hand-written chapters and from the text fields of the content
//! YAML (the generated pages hold nothing else). Rust blocks follow rustdoc's rules and
//! are compiled together where possible ([`rust`]); TOML, JSON and YAML blocks are
//! parsed, shell blocks syntax-checked ([`data`]); any other language is reported as
//! skipped, never as passed. Rust verdicts are cached by snippet text, attributes,
//! edition and compiler version, so an unchanged snippet is not compiled again.

pub mod data;
pub mod extract;
pub mod rust;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use serde::{Deserialize, Serialize};
use sha2::Digest as _;

use crate::diagnostics::{Diagnostic, Location};

/// How a snippet fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// It does what the text says.
    Passed,
    /// It does not.
    Failed,
    /// `ignore`d, as rustdoc would.
    Ignored,
    /// A language we do not check.
    Skipped,
}

/// One checked snippet.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The file, relative to the book root.
    pub file: String,
    /// 1-based line of the opening fence (of the first line for indented blocks).
    pub line: usize,
    /// 1-based line of the first error, when the compiler or parser gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_line: Option<usize>,
    /// `rust`, `toml`… (the language the block was treated as).
    pub lang: String,
    /// The verdict.
    pub status: Status,
    /// Why it failed or was skipped.
    pub message: Option<String>,
}

/// What `check` found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Every snippet, in file and line order.
    pub snippets: Vec<Finding>,
    /// rustc invocations made (0 when everything came from the cache).
    pub compiled: usize,
    /// Rust verdicts taken from the cache.
    pub cached: usize,
}

impl Report {
    /// How many snippets have `status`.
    pub fn count(&self, status: Status) -> usize {
        self.snippets.iter().filter(|s| s.status == status).count()
    }

    /// Failures as diagnostics, with the source line shown.
    pub fn diagnostics(&self, root: &Path) -> Vec<Diagnostic> {
        let mut texts: BTreeMap<&str, String> = BTreeMap::new();
        self.snippets
            .iter()
            .filter(|s| s.status == Status::Failed)
            .map(|s| {
                let text = texts.entry(&s.file).or_insert_with(|| {
                    std::fs::read_to_string(root.join(&s.file)).unwrap_or_default()
                });
                let message = s.message.clone().unwrap_or_default();
                let (head, rest) = message.split_once('\n').unwrap_or((&message, ""));
                let mut d = Diagnostic::error(format!("{} snippet failed: {head}", s.lang)).at(
                    Location::in_text(
                        Path::new(&s.file),
                        text,
                        s.error_line.unwrap_or(s.line),
                        1,
                        1,
                    )
                    .widen(),
                );
                if !rest.is_empty() {
                    d = d.help(rest.to_string());
                }
                d
            })
            .collect()
    }
}

impl Location {
    /// The same place, marking the whole line.
    fn widen(self) -> Location {
        let line = self.source_line.clone();
        Location::line(&self.file, self.line, &line)
    }
}

/// Settings of a check.
#[derive(Debug, Clone)]
pub struct Options {
    /// The book root (holding `book.toml`).
    pub root: PathBuf,
    /// Ignore the cache (and do not update it).
    pub no_cache: bool,
    /// Parallel compiles and runs.
    pub jobs: usize,
    /// Time limit per run.
    pub timeout: Duration,
    /// Where the cache lives.
    pub cache_dir: PathBuf,
}

/// The default cache folder: `$HANDBOOK_CACHE_DIR`, else `$XDG_CACHE_HOME/handbook`,
/// else `~/.cache/handbook`.
pub fn default_cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("HANDBOOK_CACHE_DIR") {
        return dir.into();
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("handbook")
}

/// A block to check, and where it is.
struct Source {
    file: String,
    /// Markdown line of the fence.
    line: usize,
    /// Markdown line of the first code line.
    code_line: usize,
    block: extract::Block,
}

/// Collects the blocks of the book at `root`: chapters listed in `SUMMARY.md`, and the
/// text fields of the content YAML when the book uses the handbook preprocessor.
fn sources(root: &Path) -> anyhow::Result<(Vec<Source>, String)> {
    let md = mdbook_driver::MDBook::load(root)
        .with_context(|| format!("loading the book at `{}`", root.display()))?;
    let edition = md.config.rust.edition.map_or_else(
        || "2015".to_string(),
        |e| {
            serde_json::to_value(e)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_else(|| "2015".into())
        },
    );
    let src = md.config.book.src.clone();
    let mut out = Vec::new();
    for chapter in md.book.chapters() {
        let Some(path) = &chapter.source_path else {
            continue;
        };
        let file = src.join(path).to_string_lossy().replace('\\', "/");
        for block in extract::blocks(&chapter.content) {
            out.push(Source {
                file: file.clone(),
                line: block.line,
                code_line: block.code_line,
                block,
            });
        }
    }
    let settings = crate::book::Settings::from_config(&md.config)?;
    let uses_handbook = md
        .config
        .get::<toml::Value>("preprocessor.handbook")?
        .is_some();
    if uses_handbook {
        let content = settings.content_dir(root);
        let (files, _) = crate::content::load_dir(&content);
        for file in &files {
            let rel = crate::diagnostics::relative_to(&file.path, root)
                .to_string_lossy()
                .replace('\\', "/");
            for (kind, index, field, text) in crate::xref::texts(&file.doc) {
                if !text.contains("```") && !text.contains("\n    ") {
                    continue;
                }
                let mut path = crate::xref::item_path(kind, index);
                path.push(crate::content::PathSegment::Key(field));
                let at = file.locate(&path);
                // Block scalars (`|`, `>`) start on the line after their indicator.
                let indicator = at.source_line.trim_end();
                let first = if indicator.ends_with(['|', '>', '-', '+']) {
                    at.line + 1
                } else {
                    at.line
                };
                for block in extract::blocks(text) {
                    out.push(Source {
                        file: rel.clone(),
                        line: first + block.line - 1,
                        code_line: first + block.code_line - 1,
                        block,
                    });
                }
            }
        }
    }
    Ok((out, edition))
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Cached {
    status: Status,
    message: Option<String>,
    /// The failing line, relative to the first line of code.
    line_offset: Option<usize>,
}

fn cache_key(rustc: &str, s: &rust::RustSnippet, info: &str) -> String {
    let mut h = sha2::Sha256::new();
    for part in [rustc, &s.edition, info, &s.code] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks every snippet of the book.
pub fn check(options: &Options) -> anyhow::Result<Report> {
    let (sources, book_edition) = sources(&options.root)?;
    let cache_file = options.cache_dir.join("snippets.json");
    let mut cache: BTreeMap<String, Cached> = if options.no_cache {
        BTreeMap::new()
    } else {
        std::fs::read(&cache_file)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    };
    let rustc = rust::rustc_version();

    let mut findings: Vec<Option<Finding>> = Vec::with_capacity(sources.len());
    let mut pending: Vec<(usize, rust::RustSnippet, String)> = Vec::new();
    let mut cached = 0;
    for (i, s) in sources.iter().enumerate() {
        let lang = extract::lang_string(&s.block.info);
        if lang.rust {
            let snippet = rust::RustSnippet {
                code: s.block.code.clone(),
                edition: lang.edition.clone().unwrap_or_else(|| book_edition.clone()),
                lang,
                first_line: s.code_line,
            };
            let key = cache_key(&rustc, &snippet, &s.block.info);
            if let Some(hit) = cache.get(&key).filter(|_| !options.no_cache) {
                cached += 1;
                findings.push(Some(Finding {
                    file: s.file.clone(),
                    line: s.line,
                    error_line: hit.line_offset.map(|o| s.code_line + o),
                    lang: "rust".into(),
                    status: hit.status,
                    message: hit.message.clone(),
                }));
            } else {
                pending.push((i, snippet, key));
                findings.push(None);
            }
            continue;
        }
        let language = lang.language.unwrap_or_default();
        let finding = |status, message: Option<String>, error_line| Finding {
            file: s.file.clone(),
            line: s.line,
            error_line,
            lang: if language.is_empty() {
                "text".into()
            } else {
                language.clone()
            },
            status,
            message,
        };
        findings.push(Some(if data::handles(&language) {
            match data::check(&language, &s.block.code) {
                data::Checked::Ok => finding(Status::Passed, None, None),
                data::Checked::Invalid(m, line) => {
                    finding(Status::Failed, Some(m), line.map(|l| s.code_line + l - 1))
                }
                data::Checked::Unavailable(m) => finding(Status::Skipped, Some(m), None),
            }
        } else {
            finding(
                Status::Skipped,
                Some(format!(
                    "`{}` blocks are not checked",
                    if language.is_empty() {
                        "text"
                    } else {
                        &language
                    }
                )),
                None,
            )
        }));
    }

    let rust_snippets: Vec<rust::RustSnippet> = pending.iter().map(|(_, s, _)| s.clone()).collect();
    let (verdicts, compiled) = rust::check(&rust_snippets, options.jobs, options.timeout);
    for ((i, snippet, key), verdict) in pending.into_iter().zip(verdicts) {
        let s = &sources[i];
        let (status, message, line) = match verdict {
            rust::Verdict::Passed => (Status::Passed, None, None),
            rust::Verdict::Ignored => (
                Status::Ignored,
                Some("`ignore`: not compiled".to_string()),
                None,
            ),
            rust::Verdict::Failed { message, line } => (Status::Failed, Some(message), line),
        };
        let timed_out = message
            .as_deref()
            .is_some_and(|m| m.starts_with("timed out"));
        if !timed_out {
            cache.insert(
                key,
                Cached {
                    status,
                    message: message.clone(),
                    line_offset: line.map(|l| l - snippet.first_line),
                },
            );
        }
        findings[i] = Some(Finding {
            file: s.file.clone(),
            line: s.line,
            error_line: line,
            lang: "rust".into(),
            status,
            message,
        });
    }
    if !options.no_cache {
        // A cache that cannot be written only costs time on the next run.
        let _ = std::fs::create_dir_all(&options.cache_dir);
        if let Ok(json) = serde_json::to_vec(&cache) {
            let _ = crate::ingest::write_atomic(&cache_file, &json);
        }
    }
    let mut snippets: Vec<Finding> = findings.into_iter().flatten().collect();
    snippets.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    Ok(Report {
        snippets,
        compiled,
        cached,
    })
}
