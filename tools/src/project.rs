//! A handbook loaded once: `book.toml`, the mdBook (`SUMMARY.md` and its chapters) and
//! the knowledge base, as mdBook's `MDBook::load` and Zola's `Site::load` do before they
//! build anything.
//!
//! Every later stage (build, links, snippets) works from one [`Project`], so a check
//! reads each file once, and every mistake in a contributor's files is found here and
//! returned as a located [`Diagnostic`]. Only what is not the contributor's doing (an
//! unreadable folder) is an error.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use mdbook_driver::MDBook;
use mdbook_preprocessor::PreprocessorContext;

use crate::config::{ReadError, Settings};
use crate::diagnostics::{Diagnostic, Location};
use crate::history::History;
use crate::include::Expanded;
use crate::xref::Knowledge;

/// A loaded book.
pub struct Project {
    /// The book root (holding `book.toml`), as the user named it.
    pub root: PathBuf,
    /// mdBook's view: configuration, and the chapters `SUMMARY.md` lists.
    pub md: MDBook,
    /// `[preprocessor.handbook]`; `None` for a plain mdBook.
    pub settings: Option<Settings>,
    /// The content, when the book is a handbook and its content has no errors.
    pub knowledge: Option<Arc<Knowledge>>,
    /// Each chapter with its `{{#include}}`s expanded, by its path under `src/`.
    pub(crate) chapters: BTreeMap<PathBuf, Expanded>,
    /// What changed in the content, read from git once, when a page first needs it.
    history: std::sync::OnceLock<Arc<History>>,
}

/// What [`load`] found: the project when the book could be loaded, and every problem.
pub struct Loaded {
    /// `None` when `book.toml` or `SUMMARY.md` keep the book from loading.
    pub project: Option<Project>,
    /// Errors and warnings, in the order the files were read.
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    /// Whether any problem is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Loads the book at `root`: its settings, its content (validated and cross-referenced)
/// and its chapters, whose `{{#ref}}` directives are checked against the content.
pub fn load(root: &Path) -> anyhow::Result<Loaded> {
    // mdBook accepts a book without `book.toml`, but not a folder that holds no book.
    if !root.join("book.toml").is_file() && !root.join("src/SUMMARY.md").is_file() {
        anyhow::bail!(
            "`{}` holds no book (no book.toml, no src/SUMMARY.md): run the command in the \
             book's root folder, or name it with --root",
            root.display()
        );
    }
    let mut diagnostics = Vec::new();
    let settings = match crate::config::read(root) {
        Ok(settings) => settings,
        Err(ReadError::Invalid(d)) => {
            return Ok(Loaded {
                project: None,
                diagnostics: vec![d],
            });
        }
        Err(ReadError::Failed(e)) => return Err(e),
    };
    // The content is checked even when the chapters cannot be loaded, so one run shows
    // every mistake.
    let mut knowledge = None;
    if let Some(content) = settings.as_ref().and_then(|s| s.content_dir(root)) {
        if content.is_dir() {
            let (k, problems) = crate::xref::load(&content);
            let clean = !problems.iter().any(Diagnostic::is_error);
            diagnostics.extend(problems);
            knowledge = clean.then(|| Arc::new(k));
        } else {
            diagnostics.push(missing_content(root, &content));
        }
    }
    let md = match load_mdbook(root) {
        Ok(md) => md,
        Err(MdError::Findings(mut found)) => {
            diagnostics.append(&mut found);
            return Ok(Loaded {
                project: None,
                diagnostics,
            });
        }
        Err(MdError::Failed(e)) => return Err(e),
    };
    let mut project = Project {
        root: root.to_path_buf(),
        md,
        settings,
        knowledge,
        chapters: BTreeMap::new(),
        history: std::sync::OnceLock::new(),
    };
    let expanded: Vec<_> = project
        .md
        .book
        .chapters()
        .filter_map(|c| {
            let path = c.source_path.as_ref()?;
            Some((path.clone(), project.expand(path, &c.content)))
        })
        .collect();
    for (path, (text, mut problems)) in expanded {
        diagnostics.append(&mut problems);
        project.chapters.insert(path, text);
    }
    Ok(Loaded {
        project: Some(project),
        diagnostics,
    })
}

impl Project {
    /// Whether the book is a handbook: the preprocessor's table and a content folder.
    pub fn is_handbook(&self) -> bool {
        self.content_dir().is_some()
    }

    /// The preprocessor context of an HTML build, as mdBook would pass it.
    pub fn context(&self) -> PreprocessorContext {
        PreprocessorContext::new(self.root.clone(), self.md.config.clone(), "html".into())
    }

    /// Expands the `{{#include}}`s of `content`, the text of the chapter at `path`
    /// (under `src/`).
    pub(crate) fn expand(&self, path: &Path, content: &str) -> (Expanded, Vec<Diagnostic>) {
        let src = self.root.join(self.src());
        let dir = src
            .join(path)
            .parent()
            .map_or_else(|| src.clone(), Path::to_path_buf);
        crate::include::expand(content, &self.src().join(path), &dir, &self.root)
    }

    /// What changed in the content (`[preprocessor.handbook.changes]`), for the page
    /// that shows it; empty for a plain mdBook.
    pub fn history(&self) -> Arc<History> {
        let read = || match (&self.knowledge, &self.settings) {
            (Some(k), Some(s)) => Arc::new(crate::history::read(k, &s.changes)),
            _ => Arc::default(),
        };
        Arc::clone(self.history.get_or_init(read))
    }

    /// The Rust edition of snippets, `[rust] edition` (rustdoc's 2015 when unset).
    pub fn edition(&self) -> String {
        self.md
            .config
            .rust
            .edition
            .and_then(|e| serde_json::to_value(e).ok())
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| "2015".to_string())
    }

    /// The folder of the chapters (`[book] src`), relative to the root.
    pub fn src(&self) -> &Path {
        &self.md.config.book.src
    }

    /// The content folder, for a handbook.
    pub fn content_dir(&self) -> Option<PathBuf> {
        self.settings.as_ref()?.content_dir(&self.root)
    }
}

/// Why mdBook could not load the book.
enum MdError {
    /// A mistake in the contributor's files.
    Findings(Vec<Diagnostic>),
    /// mdBook or the file system failed.
    Failed(anyhow::Error),
}

#[cfg(test)]
thread_local! {
    /// How often this thread loaded a book with mdBook: the gate loads it once.
    pub(crate) static LOADS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Loads a book, turning mistakes in `SUMMARY.md` into located findings.
fn load_mdbook(root: &Path) -> Result<MDBook, MdError> {
    #[cfg(test)]
    LOADS.with(|n| n.set(n.get() + 1));
    MDBook::load(root).map_err(|e| {
        // mdBook's own settings in book.toml (ours are checked before).
        if let Some(toml_error) = e.chain().find_map(|c| c.downcast_ref::<toml::de::Error>()) {
            let path = crate::diagnostics::normalize(&root.join("book.toml"));
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            return MdError::Findings(vec![crate::config::located(
                &path, &text, toml_error, false,
            )]);
        }
        let text = format!("{e:#}");
        let src = std::fs::read_to_string(root.join("book.toml"))
            .ok()
            .and_then(|t| t.parse::<toml::Table>().ok())
            .and_then(|t| t.get("book")?.get("src")?.as_str().map(str::to_string))
            .unwrap_or_else(|| "src".to_string());
        let summary = crate::diagnostics::normalize(&root.join(src).join("SUMMARY.md"));
        let summary_text = std::fs::read_to_string(&summary).unwrap_or_default();
        let number_after = |key: &str| -> Option<usize> {
            let rest = &text[text.find(key)? + key.len()..];
            rest.split(|c: char| !c.is_ascii_digit())
                .next()?
                .parse()
                .ok()
        };
        if text.contains("Summary parsing failed") {
            let reason = text.rsplit(": ").next().unwrap_or(&text).to_string();
            let location = crate::diagnostics::Location::in_text(
                &summary,
                &summary_text,
                number_after("line ").unwrap_or(1),
                number_after("column ").unwrap_or(1),
                1,
            );
            return MdError::Findings(vec![
                Diagnostic::error(format!("invalid SUMMARY.md: {reason}"))
                    .at(location)
                    .help("each entry is `- [Title](file.md)`, indented by four spaces per level"),
            ]);
        }
        if let Some(chapter) = text
            .split("failed to read chapter `")
            .nth(1)
            .and_then(|r| r.split('`').next())
        {
            // The file exists but cannot be read as text: say where.
            let file = crate::diagnostics::normalize(&summary.with_file_name(chapter));
            if let Ok(bytes) = std::fs::read(&file)
                && let Err(d) = crate::diagnostics::decode_utf8(&file, &bytes)
            {
                return MdError::Findings(vec![d]);
            }
            let line = summary_text
                .lines()
                .position(|l| l.contains(&format!("({chapter})")))
                .map_or(1, |i| i + 1);
            let column = summary_text
                .lines()
                .nth(line - 1)
                .and_then(|l| l.find(chapter))
                .map_or(1, |c| c + 1);
            return MdError::Findings(vec![
                Diagnostic::error(format!(
                    "SUMMARY.md lists `{chapter}`, which does not exist"
                ))
                .at(crate::diagnostics::Location::in_text(
                    &summary,
                    &summary_text,
                    line,
                    column,
                    chapter.chars().count(),
                ))
                .help("create the chapter file, or fix or remove the entry"),
            ]);
        }
        MdError::Failed(e.context(format!("loading the book at `{}`", root.display())))
    })
}

/// The content folder named in `book.toml` does not exist.
fn missing_content(root: &Path, content: &Path) -> Diagnostic {
    let toml_path = crate::diagnostics::normalize(&root.join("book.toml"));
    let text = std::fs::read_to_string(&toml_path).unwrap_or_default();
    let line = text
        .lines()
        .position(|l| l.trim_start().starts_with("content"))
        .or_else(|| {
            text.lines()
                .position(|l| l.trim() == "[preprocessor.handbook]")
        })
        .map_or(1, |i| i + 1);
    Diagnostic::error(format!(
        "the content folder `{}` does not exist",
        crate::diagnostics::normalize(content).display()
    ))
    .at(Location::line(
        &toml_path,
        line,
        text.lines().nth(line - 1).unwrap_or(""),
    ))
    .help(
        "create it (`handbook ingest` writes one), or fix `content` under [preprocessor.handbook]",
    )
}
