//! mdBook integration: the `handbook` preprocessor and the in-process build.
//!
//! The preprocessor is written once and runs in two places: in-process from
//! `handbook build` / `handbook serve` (registered with `MDBook::with_preprocessor`,
//! which replaces the `[preprocessor.handbook]` command entry of `book.toml`), and as a
//! command under a stock `mdbook build` / `mdbook serve` through mdBook's JSON protocol
//! (`handbook preprocess`, or the `mdbook-handbook` binary).
//!
//! It adds the generated pages (executive summary first, the reference part last) and
//! expands `{{#ref id}}` in hand-written chapters into a link titled by the item.

pub mod refs;
pub mod serve;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use mdbook_driver::MDBook;
use mdbook_preprocessor::book::{Book, BookItem, Chapter};
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};
use serde::Deserialize;

use crate::diagnostics::{Diagnostic, render_all};
use crate::render::{Page, Renderer};
use crate::xref::Knowledge;

/// Our settings in `book.toml`, under `[preprocessor.handbook]` (mdBook's own keys
/// such as `command` and `after` live in the same table and are ignored here).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct Settings {
    /// The content folder, relative to the book root (default `content`).
    pub content: Option<PathBuf>,
}

impl Settings {
    /// Reads the settings from a book's configuration.
    pub fn from_config(config: &mdbook_preprocessor::config::Config) -> anyhow::Result<Settings> {
        Ok(config
            .get::<Settings>("preprocessor.handbook")?
            .unwrap_or_default())
    }

    /// The content folder of the book at `root`.
    pub fn content_dir(&self, root: &Path) -> PathBuf {
        root.join(self.content.as_deref().unwrap_or(Path::new("content")))
    }
}

/// The `handbook` preprocessor.
#[derive(Default)]
pub struct Handbook {
    /// A knowledge base already loaded by the caller; loaded from `content` otherwise.
    knowledge: Option<Knowledge>,
    /// Problems found while preprocessing, for callers that print diagnostics
    /// themselves (mdBook only carries an error message back).
    problems: Arc<Mutex<Vec<Diagnostic>>>,
}

impl Handbook {
    /// A preprocessor that loads the content itself.
    pub fn new() -> Handbook {
        Handbook::default()
    }

    /// A preprocessor using an already validated knowledge base.
    pub fn with_knowledge(knowledge: Knowledge) -> Handbook {
        Handbook {
            knowledge: Some(knowledge),
            problems: Arc::default(),
        }
    }

    /// A handle on the problems the preprocessor reports.
    pub fn problems(&self) -> Arc<Mutex<Vec<Diagnostic>>> {
        Arc::clone(&self.problems)
    }

    fn fail(&self, problems: Vec<Diagnostic>) -> anyhow::Error {
        let text = render_all(&problems, false);
        let errors = problems.iter().filter(|d| d.is_error()).count();
        self.problems.lock().expect("not poisoned").extend(problems);
        anyhow::anyhow!("the handbook has {errors} error(s):\n\n{text}")
    }
}

impl Preprocessor for Handbook {
    fn name(&self) -> &str {
        "handbook"
    }

    fn run(&self, ctx: &PreprocessorContext, mut book: Book) -> anyhow::Result<Book> {
        let settings = Settings::from_config(&ctx.config)?;
        let loaded;
        let knowledge = match &self.knowledge {
            Some(k) => k,
            None => {
                let content = settings.content_dir(&ctx.root);
                let (k, problems) = crate::xref::load(&content);
                if problems.iter().any(Diagnostic::is_error) {
                    return Err(self.fail(problems));
                }
                loaded = k;
                &loaded
            }
        };
        let renderer =
            Renderer::new(Some(&ctx.root.join("theme"))).map_err(|d| self.fail(vec![d]))?;
        let rendered = renderer.pages(knowledge).map_err(|d| self.fail(vec![d]))?;

        let src = ctx.root.join(&ctx.config.book.src);
        let mut problems = Vec::new();
        book.for_each_chapter_mut(|chapter| {
            let Some(path) = chapter.path.clone() else {
                return;
            };
            let file = chapter
                .source_path
                .as_ref()
                .map_or_else(|| src.join(&path), |p| src.join(p));
            let file = crate::diagnostics::relative_to(&file, &ctx.root);
            let page = path.to_string_lossy().replace('\\', "/");
            match refs::expand(&chapter.content, &file, knowledge, &rendered.layout, &page) {
                Ok(text) => chapter.content = text,
                Err(mut found) => problems.append(&mut found),
            }
        });
        if !problems.is_empty() {
            return Err(self.fail(problems));
        }

        let mut items = vec![BookItem::Chapter(chapter(&rendered.summary, &[]))];
        items.append(&mut book.items);
        items.push(BookItem::Separator);
        items.push(BookItem::PartTitle("Reference".to_string()));
        items.extend(
            rendered
                .reference
                .iter()
                .map(|p| BookItem::Chapter(chapter(p, &[]))),
        );
        book.items = items;
        Ok(book)
    }
}

/// A generated page as an mdBook chapter, with its sub-pages.
fn chapter(page: &Page, parents: &[String]) -> Chapter {
    let mut c = Chapter::new(
        &page.title,
        page.content.clone(),
        &page.path,
        parents.to_vec(),
    );
    c.source_path = None;
    let mut names = parents.to_vec();
    names.push(page.title.clone());
    c.sub_items = page
        .children
        .iter()
        .map(|p| BookItem::Chapter(chapter(p, &names)))
        .collect();
    c
}

/// Runs the preprocessor as an mdBook command: `supports <renderer>` answers by exit
/// status, otherwise `[context, book]` JSON is read from stdin and the book written to
/// stdout.
pub fn run_command(supports: Option<&str>) -> anyhow::Result<bool> {
    let pre = Handbook::new();
    if let Some(renderer) = supports {
        return pre.supports_renderer(renderer);
    }
    let (ctx, book) = mdbook_preprocessor::parse_input(std::io::stdin().lock())?;
    let book = pre.run(&ctx, book)?;
    serde_json::to_writer(std::io::stdout().lock(), &book)?;
    Ok(true)
}

/// Why a build failed.
#[derive(Debug)]
pub enum BuildError {
    /// The content or the hand-written chapters have problems.
    Findings(Vec<Diagnostic>),
    /// mdBook or the file system failed.
    Failed(anyhow::Error),
}

impl From<anyhow::Error> for BuildError {
    fn from(e: anyhow::Error) -> Self {
        BuildError::Failed(e)
    }
}

/// What a successful build produced.
#[derive(Debug)]
pub struct Built {
    /// The output folder.
    pub dest: PathBuf,
    /// Warnings found on the way.
    pub warnings: Vec<Diagnostic>,
}

/// Extra settings for an in-process build.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Inject mdBook's live-reload script, connecting to this endpoint (for `serve`).
    pub live_reload: Option<String>,
    /// Override `output.html.site-url` (a local preview is served from `/`).
    pub site_url: Option<String>,
}

/// Builds the handbook at `root` into `dest`: validates the content, runs mdBook with
/// the preprocessor in-process, writes `handbook.json` beside the HTML, and only then
/// swaps the new site into place. A failed build leaves `dest` as it was.
pub fn build(root: &Path, dest: &Path, options: &BuildOptions) -> Result<Built, BuildError> {
    let mut md = load(root)?;
    // Any mdBook builds; only a handbook (with `[preprocessor.handbook]`) has content.
    let uses_handbook = md
        .config
        .get::<toml::Value>("preprocessor.handbook")?
        .is_some();
    let mut warnings = Vec::new();
    let mut handbook = None;
    if uses_handbook {
        let settings = Settings::from_config(&md.config)?;
        let content = settings.content_dir(root);
        if !content.is_dir() {
            return Err(BuildError::Findings(vec![missing_content(root, &content)]));
        }
        let (knowledge, problems) = crate::xref::load(&content);
        let errors: Vec<Diagnostic>;
        (errors, warnings) = problems.into_iter().partition(Diagnostic::is_error);
        if !errors.is_empty() {
            return Err(BuildError::Findings(errors));
        }
        handbook = Some((knowledge.export(), Handbook::with_knowledge(knowledge)));
    }

    let dest = if dest.is_absolute() {
        dest.to_path_buf()
    } else {
        root.join(dest)
    };
    let parent = dest
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| root.to_path_buf());
    std::fs::create_dir_all(&parent).with_context(|| format!("creating `{}`", parent.display()))?;
    let staging = tempfile::Builder::new()
        .prefix(".handbook-build-")
        .tempdir_in(&parent)
        .with_context(|| format!("creating a staging folder in `{}`", parent.display()))?;

    md.config.build.build_dir = staging.path().to_path_buf();
    md.config.build.create_missing = false;
    if let Some(endpoint) = &options.live_reload {
        md.config
            .set("output.html.live-reload-endpoint", endpoint)?;
    }
    let mut export = None;
    let mut found = Arc::default();
    if let Some((json, pre)) = handbook {
        found = pre.problems();
        md.with_preprocessor(pre);
        export = Some(json);
    }
    if let Err(e) = md.build() {
        let found = std::mem::take(&mut *found.lock().expect("not poisoned"));
        return Err(if found.is_empty() {
            BuildError::Failed(e)
        } else {
            BuildError::Findings(found)
        });
    }
    if let Some(json) = &export {
        let mut text = serde_json::to_string_pretty(json).context("serialising handbook.json")?;
        text.push('\n');
        std::fs::write(staging.path().join("handbook.json"), text)
            .context("writing handbook.json")?;
    }
    swap_into_place(staging.keep(), &dest)?;
    Ok(Built { dest, warnings })
}

/// Loads a book, turning mistakes in `SUMMARY.md` into located findings.
pub fn load(root: &Path) -> Result<MDBook, BuildError> {
    MDBook::load(root).map_err(|e| {
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
            return BuildError::Findings(vec![
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
            let line = summary_text
                .lines()
                .position(|l| l.contains(&format!("({chapter})")))
                .map_or(1, |i| i + 1);
            let column = summary_text
                .lines()
                .nth(line - 1)
                .and_then(|l| l.find(chapter))
                .map_or(1, |c| c + 1);
            return BuildError::Findings(vec![
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
        BuildError::Failed(e.context(format!("loading the book at `{}`", root.display())))
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
    .at(crate::diagnostics::Location::line(
        &toml_path,
        line,
        text.lines().nth(line - 1).unwrap_or(""),
    ))
    .help(
        "create it (`handbook ingest` writes one), or fix `content` under [preprocessor.handbook]",
    )
}

/// Moves the finished build to `dest`, replacing what was there in one step where the
/// platform allows it.
fn swap_into_place(staging: PathBuf, dest: &Path) -> anyhow::Result<()> {
    let cleanup_staging = |e: std::io::Error| {
        let _ = std::fs::remove_dir_all(&staging);
        anyhow::Error::new(e).context(format!("moving the new build to `{}`", dest.display()))
    };
    if !dest.exists() {
        return std::fs::rename(&staging, dest).map_err(cleanup_staging);
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        if renameat_with(CWD, &staging, CWD, dest, RenameFlags::EXCHANGE).is_ok() {
            // `staging` now holds the previous build.
            let _ = std::fs::remove_dir_all(&staging);
            return Ok(());
        }
    }
    let old = dest.with_extension("old");
    let _ = std::fs::remove_dir_all(&old);
    std::fs::rename(dest, &old).map_err(cleanup_staging)?;
    if let Err(e) = std::fs::rename(&staging, dest) {
        let _ = std::fs::rename(&old, dest);
        return Err(cleanup_staging(e));
    }
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

/// Writes the handbook as a plain mdBook to `out`: every generated page as a markdown
/// file, a complete `SUMMARY.md`, the theme, and `book.toml` without the handbook
/// preprocessor. A stock `mdbook build` of `out` renders the same pages; this is what
/// the benchmarks compare with, and a way to inspect what the templates produce.
pub fn render_plain(root: &Path, out: &Path) -> Result<(), BuildError> {
    let md =
        MDBook::load(root).with_context(|| format!("loading the book at `{}`", root.display()))?;
    let settings = Settings::from_config(&md.config)?;
    let (knowledge, problems) = crate::xref::load(&settings.content_dir(root));
    let errors: Vec<_> = problems.into_iter().filter(Diagnostic::is_error).collect();
    if !errors.is_empty() {
        return Err(BuildError::Findings(errors));
    }
    let ctx = PreprocessorContext::new(root.to_path_buf(), md.config.clone(), "html".to_string());
    let pre = Handbook::with_knowledge(knowledge);
    let found = pre.problems();
    let book = pre.run(&ctx, md.book.clone()).map_err(|e| {
        let found = std::mem::take(&mut *found.lock().expect("not poisoned"));
        if found.is_empty() {
            BuildError::Failed(e)
        } else {
            BuildError::Findings(found)
        }
    })?;

    let src = out.join("src");
    let mut summary = String::from("# Summary\n\n");
    let mut write = |chapter: &Chapter, depth: usize, summary: &mut String| -> anyhow::Result<()> {
        let Some(path) = &chapter.path else {
            return Ok(());
        };
        let file = src.join(path);
        std::fs::create_dir_all(file.parent().expect("a chapter file has a folder"))?;
        std::fs::write(&file, &chapter.content)
            .with_context(|| format!("writing `{}`", file.display()))?;
        let link = format!(
            "[{}](<{}>)",
            chapter.name.replace(['[', ']'], ""),
            path.display()
        );
        summary.push_str(
            &if depth == 0 && chapter.number.is_none() && !summary.contains("\n- ") {
                format!("{link}\n\n")
            } else {
                format!("{}- {link}\n", "    ".repeat(depth))
            },
        );
        Ok(())
    };
    fn walk(
        items: &[BookItem],
        depth: usize,
        summary: &mut String,
        write: &mut dyn FnMut(&Chapter, usize, &mut String) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        for item in items {
            match item {
                BookItem::Chapter(c) => {
                    write(c, depth, summary)?;
                    walk(&c.sub_items, depth + 1, summary, write)?;
                }
                BookItem::Separator => summary.push_str("\n---\n\n"),
                BookItem::PartTitle(t) => summary.push_str(&format!("\n# {t}\n\n")),
            }
        }
        Ok(())
    }
    walk(&book.items, 0, &mut summary, &mut write)?;
    std::fs::write(src.join("SUMMARY.md"), summary).context("writing SUMMARY.md")?;

    let mut config: toml::Table = std::fs::read_to_string(root.join("book.toml"))
        .context("reading book.toml")?
        .parse()
        .context("parsing book.toml")?;
    if let Some(toml::Value::Table(pre)) = config.get_mut("preprocessor") {
        pre.remove("handbook");
    }
    std::fs::write(
        out.join("book.toml"),
        toml::to_string(&config).context("writing book.toml")?,
    )
    .context("writing book.toml")?;
    let theme = root.join("theme");
    if theme.is_dir() {
        for entry in walkdir::WalkDir::new(&theme) {
            let entry = entry.context("reading theme/")?;
            let target = out
                .join("theme")
                .join(entry.path().strip_prefix(&theme).expect("inside theme"));
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&target).context("copying theme/")?;
            } else {
                std::fs::copy(entry.path(), &target).context("copying theme/")?;
            }
        }
    }
    Ok(())
}
