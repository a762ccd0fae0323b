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
mod search;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::diagnostics::{Diagnostic, render_all};
use crate::history::History;
use crate::project::Project;
use crate::render::layout::Layout;
use crate::render::{Page, Renderer};
use crate::xref::Knowledge;
use anyhow::Context as _;
use mdbook_preprocessor::book::{Book, BookItem, Chapter, SectionNumber};
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};

/// The `handbook` preprocessor.
#[derive(Default)]
pub struct Handbook {
    /// A knowledge base already loaded by the caller, with its history; both are read
    /// from `content` otherwise.
    given: Option<(Arc<Knowledge>, Arc<History>)>,
    /// Problems found while preprocessing, for callers that print diagnostics
    /// themselves (mdBook only carries an error message back).
    problems: Arc<Mutex<Vec<Diagnostic>>>,
}

impl Handbook {
    /// A preprocessor that loads the content itself.
    pub fn new() -> Handbook {
        Handbook::default()
    }

    /// A preprocessor using an already validated knowledge base and its history.
    pub fn with_knowledge(knowledge: Arc<Knowledge>, history: Arc<History>) -> Handbook {
        Handbook {
            given: Some((knowledge, history)),
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
        let loaded;
        let (knowledge, history) = match &self.given {
            Some((k, h)) => (k.as_ref(), Arc::clone(h)),
            None => {
                // Under a stock `mdbook`, the table exists (it names this command).
                let settings = match crate::config::read(&ctx.root) {
                    Ok(settings) => settings.unwrap_or_default(),
                    Err(crate::config::ReadError::Invalid(d)) => return Err(self.fail(vec![d])),
                    Err(crate::config::ReadError::Failed(e)) => return Err(e),
                };
                // A plain mdBook with only our checking settings: nothing to add.
                let Some(content) = settings.content_dir(&ctx.root) else {
                    return Ok(book);
                };
                let (k, problems) = crate::xref::load(&content);
                if problems.iter().any(Diagnostic::is_error) {
                    return Err(self.fail(problems));
                }
                let history = Arc::new(crate::history::read(&k, &settings.changes));
                loaded = k;
                (&loaded, history)
            }
        };
        let renderer =
            Renderer::new(Some(&ctx.root.join("theme"))).map_err(|d| self.fail(vec![d]))?;
        let rendered = renderer
            .pages(knowledge, &history)
            .map_err(|d| self.fail(vec![d]))?;

        let src = ctx.root.join(&ctx.config.book.src);
        let problems = expand_refs(&mut book, &ctx.root, &src, knowledge, &rendered.layout);
        if !problems.is_empty() {
            return Err(self.fail(problems));
        }

        let up = up_from(&ctx.config.book.src);
        let leader = |p: &Page| BookItem::Chapter(chapter(p, &[], &up, None));
        // mdBook nests (and folds) a chapter's sub-pages in the sidebar by their section
        // numbers, so the reference pages are numbered after the hand-written chapters.
        let first = book
            .chapters()
            .filter_map(|c| c.number.as_ref()?.first().copied())
            .max()
            .unwrap_or(0)
            + 1;
        let mut items = vec![leader(&rendered.summary)];
        items.extend(rendered.leaders.iter().map(leader));
        items.append(&mut book.items);
        items.push(BookItem::Separator);
        items.push(BookItem::PartTitle("Reference".to_string()));
        items.extend(
            rendered
                .reference
                .iter()
                .zip(first..)
                .map(|(p, n)| BookItem::Chapter(chapter(p, &[], &up, Some(vec![n])))),
        );
        book.items = items;
        Ok(book)
    }
}

/// The way from the book's `src` folder back up to its root (`..` for `src`), so that a
/// generated chapter can name its content file where mdBook expects a path under `src`.
fn up_from(src: &Path) -> PathBuf {
    src.components()
        .filter(|c| matches!(c, std::path::Component::Normal(_)))
        .map(|_| Path::new(".."))
        .collect()
}

/// A generated page as an mdBook chapter, with its sub-pages. Its `source_path` names
/// the content file it comes from, which mdBook's edit link opens; a page drawn from
/// several files has no single file to edit, and hides the link (see `handbook.css`).
fn chapter(page: &Page, parents: &[String], up: &Path, number: Option<Vec<u32>>) -> Chapter {
    let mut content = page.content.clone();
    if page.source.is_none() {
        content.push_str("\n<div class=\"hb-no-edit\" hidden></div>\n");
    }
    let mut c = Chapter::new(&page.title, content, &page.path, parents.to_vec());
    c.source_path = page.source.as_ref().map(|s| up.join(s));
    c.number = number.clone().map(SectionNumber::new);
    let mut names = parents.to_vec();
    names.push(page.title.clone());
    c.sub_items = (1..)
        .zip(&page.children)
        .map(|(i, p)| {
            let number = number.as_ref().map(|n| [n.as_slice(), &[i]].concat());
            BookItem::Chapter(chapter(p, &names, up, number))
        })
        .collect();
    c
}

/// The markdown file under `src` a chapter was written in; `None` for a generated page,
/// whose `source_path` names the content YAML it comes from.
pub fn written_in(chapter: &Chapter) -> Option<&Path> {
    chapter
        .source_path
        .as_deref()
        .filter(|p| !matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
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
    /// What the build could do but a reader would miss.
    pub warnings: Vec<Diagnostic>,
}

/// Extra settings for an in-process build.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Inject mdBook's live-reload script, connecting to this endpoint (for `serve`).
    pub live_reload: Option<String>,
    /// Override `output.html.site-url`: a local preview is served from `/`, so the
    /// 404 page's links must start there (as mdBook's own `serve` does).
    pub site_url: Option<String>,
}

/// Builds a loaded handbook into `dest` (relative to the book root unless absolute):
/// runs mdBook's HTML renderer with the preprocessor in-process, writes
/// `handbook.json` beside the HTML, and only then swaps the new site into place. A
/// failed build leaves `dest` as it was. Other `[output.*]` renderers of the book are
/// not run: the site is what gets checked and published.
///
/// The caller has loaded the project without errors ([`crate::project::load`]).
pub fn build(
    project: &mut Project,
    dest: &Path,
    options: &BuildOptions,
) -> Result<Built, BuildError> {
    let root = project.root.clone();
    if project.is_handbook() && project.knowledge.is_none() {
        return Err(BuildError::Failed(anyhow::anyhow!(
            "the content has errors; load the project and report them before building"
        )));
    }
    let dest = if dest.is_absolute() {
        dest.to_path_buf()
    } else {
        root.join(dest)
    };
    let parent = dest
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| root.clone());
    std::fs::create_dir_all(&parent).with_context(|| format!("creating `{}`", parent.display()))?;
    remove_abandoned_staging(&parent);
    let staging = tempfile::Builder::new()
        .prefix(&format!("{STAGING}{}-", std::process::id()))
        .tempdir_in(&parent)
        .with_context(|| format!("creating a staging folder in `{}`", parent.display()))?;

    let history = project.history();
    let md = &mut project.md;
    md.config.build.build_dir = staging.path().to_path_buf();
    md.config.build.create_missing = false;
    if let Some(endpoint) = &options.live_reload {
        md.config
            .set("output.html.live-reload-endpoint", endpoint)?;
    }
    if let Some(url) = &options.site_url {
        md.config.set("output.html.site-url", url)?;
    }
    let mut found = Arc::default();
    let mut pagefind = false;
    if let Some(k) = &project.knowledge {
        let expanded = Layout::plan(k).expanded;
        // A handbook too large for a page per section is too large to print as one
        // page (a thousand briefings make a print view of 90 MB): each briefing prints
        // from its own page instead.
        if !expanded {
            md.config.set("output.html.print.enable", false)?;
        }
        let searchable = md
            .config
            .get::<bool>("output.html.search.enable")
            .ok()
            .flatten()
            .unwrap_or(true);
        let wanted = project
            .settings
            .as_ref()
            .map(|s| s.search)
            .unwrap_or_default();
        if searchable && wanted.uses_pagefind(expanded) {
            md.config.set("output.html.search.enable", false)?;
            pagefind = true;
        }
        let pre = Handbook::with_knowledge(Arc::clone(k), history);
        found = pre.problems();
        md.with_preprocessor(pre);
    } else if project.settings.is_some() {
        // Our table holds only checking settings: its command has nothing to add.
        md.with_preprocessor(Handbook::default());
    }
    let html = mdbook_html::HtmlHandlebars::new();
    if let Err(e) = md.execute_build_process(&html) {
        let found = std::mem::take(&mut *found.lock().expect("not poisoned"));
        return Err(if found.is_empty() {
            BuildError::Failed(explain_missing_preprocessor(e, &md.config))
        } else {
            BuildError::Findings(found)
        });
    }
    // With several `[output.*]` tables mdBook gives each renderer a subfolder.
    let site = md.build_dir_for("html");
    let mut warnings = Vec::new();
    if pagefind {
        let language = md.config.book.language.as_deref().unwrap_or("en");
        search::index(&site, language)?;
        let boxed = md
            .config
            .get::<Vec<PathBuf>>("output.html.additional-js")
            .ok()
            .flatten()
            .unwrap_or_default()
            .iter()
            .any(|js| js.ends_with(search::SCRIPT));
        if !boxed {
            warnings.push(
                Diagnostic::warning(format!(
                    "the site is searched with Pagefind, but `{}` is not among `[output.html] additional-js`: readers get no search box",
                    search::SCRIPT
                ))
                .help("copy `theme/search.js` from a new handbook (`handbook new`) and add it to `additional-js` in book.toml"),
            );
        }
    }
    if let Some(k) = &project.knowledge {
        let mut text =
            serde_json::to_string_pretty(&k.export()).context("serialising handbook.json")?;
        text.push('\n');
        std::fs::write(site.join("handbook.json"), text).context("writing handbook.json")?;
    }
    let staged = staging.keep();
    if site != staged {
        let inner = staged.with_extension("html");
        std::fs::rename(&site, &inner).context("moving the HTML out of its subfolder")?;
        let _ = std::fs::remove_dir_all(&staged);
        swap_into_place(inner, &dest)?;
    } else {
        swap_into_place(staged, &dest)?;
    }
    Ok(Built { dest, warnings })
}

/// Unknown ids in the chapters' `{{#ref}}` directives, each at its chapter's line, as
/// the preprocessor reports them. The references need no history, so git is not asked.
pub fn check_refs(project: &Project) -> Vec<Diagnostic> {
    let Some(k) = &project.knowledge else {
        return Vec::new();
    };
    // The page plan is enough: the pages themselves need not be rendered.
    let layout = Layout::plan(k);
    let mut book = project.md.book.clone();
    let src = project.root.join(project.src());
    expand_refs(&mut book, &project.root, &src, k, &layout)
}

/// Expands the `{{#ref}}` directives of the hand-written chapters in place; the unknown
/// ids, each at its chapter's line.
fn expand_refs(
    book: &mut Book,
    root: &Path,
    src: &Path,
    k: &Knowledge,
    layout: &Layout,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    book.for_each_chapter_mut(|chapter| {
        let Some(path) = chapter.path.clone() else {
            return;
        };
        let file = chapter
            .source_path
            .as_ref()
            .map_or_else(|| src.join(&path), |p| src.join(p));
        let file = crate::diagnostics::relative_to(&file, root);
        let page = path.to_string_lossy().replace('\\', "/");
        match refs::expand(&chapter.content, &file, k, layout, &page) {
            Ok(text) => chapter.content = text,
            Err(mut found) => problems.append(&mut found),
        }
    });
    problems
}

/// The book as mdBook renders it: our preprocessor first (generated pages added,
/// `{{#ref}}` expanded on the same lines), then mdBook's `links` (includes expanded),
/// the order mdBook runs them in. The project knows where each line of a
/// chapter comes from.
pub fn preprocessed(project: &Project) -> anyhow::Result<mdbook_preprocessor::book::Book> {
    let mut book = match &project.knowledge {
        Some(k) => Handbook::with_knowledge(Arc::clone(k), project.history())
            .run(&project.context(), project.md.book.clone())?,
        None => project.md.book.clone(),
    };
    book.for_each_chapter_mut(|chapter| {
        if let Some(path) = written_in(chapter).map(Path::to_path_buf) {
            chapter.content = project.expand(&path, &chapter.content).0.text;
        }
    });
    Ok(book)
}

/// mdBook says only that it could not run a preprocessor; say which command it looked
/// for and how to build without it.
fn explain_missing_preprocessor(
    e: anyhow::Error,
    config: &mdbook_preprocessor::config::Config,
) -> anyhow::Error {
    let text = format!("{e:#}");
    let Some(name) = text
        .split("Unable to run the preprocessor `")
        .nth(1)
        .and_then(|r| r.split('`').next())
        .map(str::to_string)
    else {
        return e;
    };
    let command = config
        .get::<String>(&format!("preprocessor.{name}.command"))
        .ok()
        .flatten()
        .unwrap_or_else(|| format!("mdbook-{name}"));
    e.context(format!(
        "book.toml names the preprocessor `{name}`, whose command `{command}` is not \
         installed: install it, or set `optional = true` under [preprocessor.{name}] to \
         build without it"
    ))
}

/// Staging folders are named `.handbook-build-<pid>-<random>`.
const STAGING: &str = ".handbook-build-";

/// Removes the staging folders of builds whose process is gone (killed before it could
/// clean up). Where processes cannot be looked up (no `/proc`), they are left alone.
fn remove_abandoned_staging(parent: &Path) {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(STAGING))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if !proc.join(pid.to_string()).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
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
    swap_by_renames(&staging, dest).map_err(cleanup_staging)
}

/// The portable swap: the old site is moved aside, the new one into place, and the old
/// one put back if that fails. Between the two renames `dest` is briefly missing.
fn swap_by_renames(staging: &Path, dest: &Path) -> std::io::Result<()> {
    let old = dest.with_extension("old");
    let _ = std::fs::remove_dir_all(&old);
    std::fs::rename(dest, &old)?;
    if let Err(e) = std::fs::rename(staging, dest) {
        let _ = std::fs::rename(&old, dest);
        return Err(e);
    }
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

/// Writes the handbook as a plain mdBook to `out`: every generated page as a markdown
/// file, a complete `SUMMARY.md`, the theme, and `book.toml` without the handbook
/// preprocessor. A stock `mdbook build` of `out` renders the same pages; this is what
/// the benchmarks compare with, and a way to inspect what the templates produce.
///
/// The caller has loaded the project without errors ([`crate::project::load`]).
pub fn render_plain(project: &Project, out: &Path) -> anyhow::Result<()> {
    let root = &project.root;
    let book = preprocessed(project)?;

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

#[cfg(test)]
mod tests {
    use super::*;

    fn site(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::create_dir_all(&path).unwrap();
        std::fs::write(path.join("index.html"), text).unwrap();
        path
    }

    #[test]
    fn swaps_replace_the_site_whole() {
        let dir = tempfile::tempdir().unwrap();
        let dest = site(dir.path(), "book", "old");
        swap_into_place(site(dir.path(), "new", "new"), &dest).unwrap();
        assert_eq!(
            std::fs::read_to_string(dest.join("index.html")).unwrap(),
            "new"
        );
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "only the site remains");
        // The first build has nothing to swap with.
        let fresh = dir.path().join("fresh");
        swap_into_place(site(dir.path(), "n2", "first"), &fresh).unwrap();
        assert!(fresh.join("index.html").is_file());
    }

    #[test]
    fn the_portable_swap_restores_the_old_site_on_failure() {
        let dir = tempfile::tempdir().unwrap();
        let dest = site(dir.path(), "book", "old");
        swap_by_renames(&site(dir.path(), "new", "new"), &dest).unwrap();
        assert_eq!(
            std::fs::read_to_string(dest.join("index.html")).unwrap(),
            "new"
        );
        assert!(!dir.path().join("book.old").exists());
        // A staging folder that vanished: the old site must come back.
        let err = swap_by_renames(&dir.path().join("gone"), &dest);
        assert!(err.is_err());
        assert_eq!(
            std::fs::read_to_string(dest.join("index.html")).unwrap(),
            "new"
        );
    }

    #[test]
    fn abandoned_staging_folders_of_dead_processes_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let mine = format!("{STAGING}{}-abc", std::process::id());
        // No process has pid u32::MAX on Linux (pid_max is at most 2^22).
        let dead = format!("{STAGING}{}-abc", u32::MAX);
        for name in [&mine, &dead, &format!("{dead}.html"), &"other".to_string()] {
            std::fs::create_dir_all(dir.path().join(name)).unwrap();
        }
        remove_abandoned_staging(dir.path());
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        if Path::new("/proc/self").exists() {
            assert_eq!(left, [mine, "other".to_string()]);
        }
    }
}
