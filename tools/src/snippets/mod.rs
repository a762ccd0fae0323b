//! The snippets stage: every code block of the book checked, each verdict located.
//!
//! Blocks come from the hand-written chapters and from the text fields of the content
//! YAML (the generated pages hold nothing else). Rust blocks follow rustdoc's rules and
//! are compiled together where possible ([`rust`]); TOML, JSON and YAML blocks are
//! parsed, shell blocks syntax-checked ([`data`]); any other language is reported as
//! skipped, never as passed. Rust verdicts are cached by snippet text, attributes,
//! edition and compiler version, so an unchanged snippet is not compiled again.

pub mod crates;
pub mod data;
pub mod extract;
pub mod rust;
pub mod rustc;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::Digest as _;

use crate::diagnostics::{Diagnostic, Location};
use crate::project::Project;

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
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Finding {
    /// The file, relative to the book root.
    pub file: String,
    /// 1-based line of the opening fence (of the first line for indented blocks).
    pub line: usize,
    /// 1-based line of the first error, when the compiler or parser gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_line: Option<usize>,
    /// The file of `error_line` when it is not `file`: a file the block includes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_file: Option<String>,
    /// `rust`, `toml`… (the language the block was treated as).
    pub lang: String,
    /// The verdict.
    pub status: Status,
    /// Why it failed or was skipped.
    pub message: Option<String>,
}

/// What `check` found.
#[derive(Debug, Clone, Serialize, Deserialize)]
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

    /// Failures as diagnostics, with the source line shown; `root` is the folder the
    /// files are relative to.
    pub fn diagnostics(&self, root: &Path) -> Vec<Diagnostic> {
        let mut texts: BTreeMap<String, String> = BTreeMap::new();
        self.snippets
            .iter()
            .filter(|s| s.status == Status::Failed)
            .map(|s| {
                let message = s.message.clone().unwrap_or_default();
                let (head, rest) = message.split_once('\n').unwrap_or((&message, ""));
                let mut at = |file: &str, line: usize| {
                    let text = texts.entry(file.to_string()).or_insert_with(|| {
                        std::fs::read_to_string(root.join(file)).unwrap_or_default()
                    });
                    let path = crate::diagnostics::normalize(&root.join(file));
                    Location::in_text(&path, text, line, 1, 1).widen()
                };
                let mut d = Diagnostic::error(format!("{} snippet failed: {head}", s.lang));
                d = match &s.error_file {
                    // The error lies in a file the block includes.
                    Some(included) => d
                        .at(at(included, s.error_line.unwrap_or(1)))
                        .related(at(&s.file, s.line), "in the block that includes it"),
                    None => d.at(at(&s.file, s.error_line.unwrap_or(s.line))),
                };
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
    /// Ignore the cache (and do not update it).
    pub no_cache: bool,
    /// Parallel compiles and runs.
    pub jobs: usize,
    /// Time limit per run.
    pub timeout: Duration,
    /// Where the cache lives.
    pub cache_dir: PathBuf,
    /// `(k, n)`: check only the k-th of n parts (1-based), for a CI matrix.
    pub shard: Option<(usize, usize)>,
    /// Advanced by one per Rust snippet checked (hidden unless the caller shows it).
    pub progress: indicatif::ProgressBar,
}

/// Seconds a snippet may run by default.
pub const DEFAULT_TIMEOUT_SECS: u64 = 10;

impl Default for Options {
    fn default() -> Self {
        Options {
            no_cache: false,
            jobs: std::thread::available_parallelism().map_or(2, |n| n.get()),
            timeout: Duration::from_secs(DEFAULT_TIMEOUT_SECS),
            cache_dir: crate::shared::default_cache_dir(),
            shard: None,
            progress: indicatif::ProgressBar::hidden(),
        }
    }
}

/// A block to check, and where it is.
struct Source {
    file: String,
    /// The chapter (path under `src/`) whose expanded text the lines count in.
    chapter: Option<PathBuf>,
    /// Markdown line of the fence.
    line: usize,
    /// Markdown line of the first code line.
    code_line: usize,
    block: extract::Block,
}

/// Collects the blocks of a book: chapters listed in `SUMMARY.md`, and the text fields
/// of the content YAML when the book is a handbook.
fn sources(project: &Project) -> Vec<Source> {
    let src = project.src();
    let mut out = Vec::new();
    for chapter in project.md.book.chapters() {
        let Some(path) = &chapter.source_path else {
            continue;
        };
        let file = src.join(path).to_string_lossy().replace('\\', "/");
        let text = project
            .chapters
            .get(path)
            .map_or(chapter.content.as_str(), |e| e.text.as_str());
        for block in extract::blocks(text) {
            out.push(Source {
                file: file.clone(),
                chapter: Some(path.clone()),
                line: block.line,
                code_line: block.code_line,
                block,
            });
        }
    }
    let Some(k) = &project.knowledge else {
        return out;
    };
    for field in crate::xref::text_fields(&k.files) {
        if !field.text.contains("```") && !field.text.contains("\n    ") {
            continue;
        }
        let rel = crate::diagnostics::relative_to(&field.file.path, &project.root)
            .to_string_lossy()
            .replace('\\', "/");
        for block in extract::blocks(field.text) {
            out.push(Source {
                file: rel.clone(),
                chapter: None,
                line: field.line_of(block.line),
                code_line: field.line_of(block.code_line),
                block,
            });
        }
    }
    out
}

/// Which of `n` parts each source belongs to: the costliest first, each to the part
/// with the least work so far (ties to the lowest part), costs equal ordered by file
/// and line. Deterministic, and balanced by what a check costs: a Rust block is a
/// compile share and a run, a data block almost nothing.
fn shard(sources: &[Source], n: usize) -> Vec<usize> {
    let cost = |s: &Source| -> u64 {
        if extract::lang_string(&s.block.info).rust {
            100 + s.block.code.lines().count() as u64
        } else {
            1
        }
    };
    let mut order: Vec<usize> = (0..sources.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&sources[a], &sources[b]);
        cost(y)
            .cmp(&cost(x))
            .then_with(|| (&x.file, x.line).cmp(&(&y.file, y.line)))
    });
    let mut load = vec![0u64; n.max(1)];
    let mut part = vec![0; sources.len()];
    for i in order {
        let lightest = (0..load.len()).min_by_key(|&p| (load[p], p)).unwrap_or(0);
        load[lightest] += cost(&sources[i]);
        part[i] = lightest;
    }
    part
}

/// Merges the JSON reports of the parts of a sharded run into one.
pub fn merge(reports: Vec<Report>) -> Report {
    let mut merged = Report {
        snippets: Vec::new(),
        compiled: 0,
        cached: 0,
    };
    for r in reports {
        merged.snippets.extend(r.snippets);
        merged.compiled += r.compiled;
        merged.cached += r.cached;
    }
    merged
        .snippets
        .sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    merged
        .snippets
        .dedup_by(|a, b| (&a.file, a.line) == (&b.file, b.line));
    merged
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Cached {
    status: Status,
    message: Option<String>,
    /// The failing line, relative to the first line of code.
    line_offset: Option<usize>,
}

fn cache_key(rustc: &str, crates: &str, s: &rust::RustSnippet, info: &str) -> String {
    let mut h = sha2::Sha256::new();
    for part in [rustc, crates, &s.edition, info, &s.code] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Why the snippets could not be checked.
#[derive(Debug)]
pub enum CheckError {
    /// A mistake in the book's settings (crates that do not build), at its place.
    Invalid(Diagnostic),
    /// The environment's problem (no compiler).
    Failed(anyhow::Error),
}

impl From<anyhow::Error> for CheckError {
    fn from(e: anyhow::Error) -> Self {
        CheckError::Failed(e)
    }
}

/// Checks every snippet of the book.
pub fn check(project: &Project, options: &Options) -> Result<Report, CheckError> {
    // The compiler answers (20 ms and more through rustup's proxy) while the chapters
    // are read.
    let rustc = rustc::Rustc::ask(&project.root);
    let mut sources = sources(project);
    if let Some((k, n)) = options.shard {
        let part = shard(&sources, n);
        sources = sources
            .into_iter()
            .zip(part)
            .filter(|(_, p)| *p + 1 == k)
            .map(|(s, _)| s)
            .collect();
    }
    // The other blocks are checked while the Rust ones compile: a shell block costs a
    // `bash` start (the Cargo book has 60 of them, 0.1 s one after the other).
    let (others, rust) = std::thread::scope(|scope| {
        let others = scope.spawn(|| other_findings(&sources));
        let rust = check_rust(project, options, &sources, rustc);
        let others = others
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (others, rust)
    });
    let (mut findings, compiled, cached) = rust?;
    for (finding, other) in findings.iter_mut().zip(others) {
        if finding.is_none() {
            *finding = other;
        }
    }
    // Lines of a chapter count in its expanded text: back to the files they come from.
    for (s, finding) in sources.iter().zip(findings.iter_mut()) {
        let (Some(chapter), Some(f)) = (
            s.chapter.as_ref().and_then(|c| project.chapters.get(c)),
            finding.as_mut(),
        ) else {
            continue;
        };
        let shown = |p: &Path| p.to_string_lossy().replace('\\', "/");
        let fence = chapter.origin(f.line);
        (f.file, f.line) = (shown(&fence.file), fence.line);
        if let Some(line) = f.error_line {
            let at = chapter.origin(line);
            f.error_line = Some(at.line);
            f.error_file = (shown(&at.file) != f.file).then(|| shown(&at.file));
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

/// The findings of the blocks that are not Rust among `sources` (`None` for Rust ones):
/// data blocks parsed, shell blocks syntax-checked, other languages skipped.
fn other_findings(sources: &[Source]) -> Vec<Option<Finding>> {
    let parts = crate::shared::in_parts(sources, 8, |part| {
        part.iter().map(other_finding).collect::<Vec<_>>()
    });
    parts.into_iter().flatten().collect()
}

fn other_finding(s: &Source) -> Option<Finding> {
    let lang = extract::lang_string(&s.block.info);
    if lang.rust {
        return None;
    }
    let language = lang.language.unwrap_or_default();
    let finding = |status, message: Option<String>, error_line| Finding {
        file: s.file.clone(),
        line: s.line,
        error_line,
        error_file: None,
        lang: if language.is_empty() {
            "text".into()
        } else {
            language.clone()
        },
        status,
        message,
    };
    let ignored = lang.ignore;
    // Data languages are matched in any case (`TOML`); the report keeps the spelling.
    let key = language.to_ascii_lowercase();
    Some(if data::handles(&key) && ignored {
        // A deliberately partial fragment (`toml,ignore`), as rustdoc's `ignore`.
        finding(
            Status::Ignored,
            Some("`ignore`: not parsed".to_string()),
            None,
        )
    } else if data::handles(&key) {
        match data::check(&key, &s.block.code) {
            data::Checked::Ok => finding(Status::Passed, None, None),
            data::Checked::Invalid(m, line) => {
                finding(Status::Failed, Some(m), line.map(|l| s.code_line + l - 1))
            }
            data::Checked::Unavailable(m) => finding(Status::Skipped, Some(m), None),
        }
    } else if key == "rust" {
        // `Rust`, `RUST`…: only `rust` itself is a Rust tag to rustdoc.
        finding(
            Status::Skipped,
            Some(
                "not tested: rustdoc reads only a lower-case `rust` as Rust; write \
                     `rust` to test this block"
                    .to_string(),
            ),
            None,
        )
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
    })
}

/// The findings of the Rust blocks among `sources` (`None` for the others), how many
/// were compiled and how many came from the cache.
fn check_rust(
    project: &Project,
    options: &Options,
    sources: &[Source],
    rustc: rustc::Asked,
) -> Result<(Vec<Option<Finding>>, usize, usize), CheckError> {
    let book_edition = project.edition();
    let cache_file = options.cache_dir.join("snippets.json");
    let mut cache: BTreeMap<String, Cached> = if options.no_cache {
        BTreeMap::new()
    } else {
        crate::shared::read_cache(&cache_file)
    };
    let any_rust = sources
        .iter()
        .any(|s| extract::lang_string(&s.block.info).rust);
    // Without Rust blocks, a missing compiler is no problem.
    let rustc = match rustc.answer() {
        Ok(rustc) => rustc,
        Err(e) if any_rust => return Err(e.into()),
        Err(_) => rustc::Rustc {
            path: "rustc".into(),
            version: String::new(),
        },
    };
    let crates = match &project.settings {
        Some(settings) if any_rust => crates::prepare(
            &project.root,
            &settings.snippets,
            &options.cache_dir,
            &rustc,
        )
        .map_err(CheckError::Invalid)?,
        _ => crates::Crates::none(&rustc),
    };

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
            let key = cache_key(&rustc.version, &crates.fingerprint, &snippet, &s.block.info);
            if let Some(hit) = cache.get(&key).filter(|_| !options.no_cache) {
                cached += 1;
                findings.push(Some(Finding {
                    file: s.file.clone(),
                    line: s.line,
                    error_line: hit.line_offset.map(|o| s.code_line + o),
                    error_file: None,
                    lang: "rust".into(),
                    status: hit.status,
                    message: hit.message.clone(),
                }));
            } else {
                pending.push((i, snippet, key));
                findings.push(None);
            }
        } else {
            findings.push(None);
        }
    }

    let rust_snippets: Vec<rust::RustSnippet> = pending.iter().map(|(_, s, _)| s.clone()).collect();
    options.progress.set_length(rust_snippets.len() as u64);
    let (verdicts, compiled) = rust::check(
        &rust_snippets,
        &crates,
        options.jobs,
        options.timeout,
        &options.progress,
    );
    options.progress.finish_and_clear();
    for ((i, snippet, key), verdict) in pending.into_iter().zip(verdicts) {
        let s = &sources[i];
        let timed_out = matches!(verdict, rust::Verdict::TimedOut { .. });
        let (status, message, line) = match verdict {
            rust::Verdict::Passed => (Status::Passed, None, None),
            rust::Verdict::Ignored => (
                Status::Ignored,
                Some("`ignore`: not compiled".to_string()),
                None,
            ),
            rust::Verdict::Failed { message, line } => {
                // rustdoc's rule that surprises: a block without a language is Rust.
                let message = if s.block.indented {
                    format!(
                        "{message}\n(an indented block is Rust to rustdoc; fence it as ```text if it is not code)"
                    )
                } else if s.block.info.trim().is_empty() {
                    format!(
                        "{message}\n(a block without a language is Rust to rustdoc; write ```text if it is not code)"
                    )
                } else {
                    message
                };
                // A crate the book does not declare: say where to declare it.
                let undeclared = message
                    .lines()
                    .filter_map(crates::missing_crate)
                    .find(|name| !crates.names.iter().any(|n| n == name));
                let message = match undeclared {
                    Some(name) => format!("{message}\n{}", crates::undeclared_help(name)),
                    None => message,
                };
                (Status::Failed, Some(message), line)
            }
            rust::Verdict::TimedOut { message } => (Status::Failed, Some(message), None),
        };
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
            error_file: None,
            lang: "rust".into(),
            status,
            message,
        });
    }
    if !options.no_cache {
        crate::shared::write_cache(&cache_file, &cache);
    }
    Ok((findings, compiled, cached))
}
