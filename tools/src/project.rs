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
use mdbook_preprocessor::{Preprocessor as _, PreprocessorContext};

use crate::book::Handbook;
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
    pub chapters: BTreeMap<PathBuf, Expanded>,
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
    let md = match crate::book::load(root) {
        Ok(md) => md,
        Err(crate::book::BuildError::Findings(mut found)) => {
            diagnostics.append(&mut found);
            return Ok(Loaded {
                project: None,
                diagnostics,
            });
        }
        Err(crate::book::BuildError::Failed(e)) => return Err(e),
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
    if let Some(k) = &project.knowledge {
        // The preprocessor reports unknown ids in `{{#ref}}` at the chapter's line; the
        // references need no history, so git is not asked here.
        let pre = Handbook::with_knowledge(Arc::clone(k), Arc::default());
        let found = pre.problems();
        if pre
            .run(&project.context(), project.md.book.clone())
            .is_err()
        {
            let mut found = std::mem::take(&mut *found.lock().expect("not poisoned"));
            diagnostics.append(&mut found);
        }
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
    fn expand(&self, path: &Path, content: &str) -> (Expanded, Vec<Diagnostic>) {
        let src = self.root.join(self.src());
        let dir = src
            .join(path)
            .parent()
            .map_or_else(|| src.clone(), Path::to_path_buf);
        crate::include::expand(content, &self.src().join(path), &dir, &self.root)
    }

    /// The book as mdBook renders it: our preprocessor first (generated pages added,
    /// `{{#ref}}` expanded on the same lines), then mdBook's `links` (includes
    /// expanded), the order mdBook runs them in. [`Project::chapters`] tells where each
    /// line of a chapter comes from.
    pub fn preprocessed(&self) -> anyhow::Result<mdbook_preprocessor::book::Book> {
        let mut book = match &self.knowledge {
            Some(k) => Handbook::with_knowledge(Arc::clone(k), self.history())
                .run(&self.context(), self.md.book.clone())?,
            None => self.md.book.clone(),
        };
        book.for_each_chapter_mut(|chapter| {
            if let Some(path) = &chapter.source_path {
                chapter.content = self.expand(path, &chapter.content).0.text;
            }
        });
        Ok(book)
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
