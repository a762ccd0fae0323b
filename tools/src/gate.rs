//! The stages as typed results, and the gate that runs them in pipeline order.
//!
//! `handbook check` loads the book once ([`crate::project::load`]) and passes the one
//! [`Project`] through validate → build → links → snippets; the single commands
//! (`validate`, `build`, `check links`…) run the same stage functions. Each stage
//! returns a [`Stage`]: located diagnostics, a summary line for people and its own
//! report for machines. Printing them is the `cli`'s job.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::diagnostics::Diagnostic;
use crate::project::{Loaded, Project};

/// The stages, in pipeline order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StageName {
    /// Turning a briefing into content.
    Ingest,
    /// Checking the content and the book's structure.
    Validate,
    /// Building the site.
    Build,
    /// Writing the generated pages as a plain mdBook.
    Render,
    /// Printing the knowledge base.
    Export,
    /// Writing a contributor's decisions.
    Review,
    /// Writing a new handbook.
    New,
    /// Checking the links of the built site.
    Links,
    /// Testing the code snippets.
    Snippets,
}

impl std::fmt::Display for StageName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = serde_json::to_value(self).expect("a stage name is JSON");
        f.write_str(name.as_str().expect("a stage name is a string"))
    }
}

/// A stage's own report, made JSON only when JSON is asked for: a link check of a
/// large site reports hundreds of findings that human output never needs as JSON
/// (a fifth of the main thread's work on a book with 238 broken links).
pub trait StageReport: std::fmt::Debug + Send + Sync {
    /// The report as `--format json` prints it.
    fn to_json(&self) -> serde_json::Value;
}

impl<T: Serialize + std::fmt::Debug + Send + Sync> StageReport for T {
    fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a report is JSON")
    }
}

/// How a stage (or a command) ended, from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Nothing wrong (warnings may have been shown).
    Clean,
    /// The input has problems.
    Findings,
    /// The stage could not do its job (I/O, a missing tool).
    Failed,
}

/// The result of one stage, ready to print in any format.
#[derive(Debug)]
pub struct Stage {
    /// Which stage.
    pub name: StageName,
    /// Located findings (errors fail the stage; warnings do not).
    pub diagnostics: Vec<Diagnostic>,
    /// Lines for people.
    pub summary: String,
    /// The stage's own report, for `--format json`.
    pub report: Box<dyn StageReport>,
    /// Set when the stage could not run at all.
    pub failure: Option<String>,
}

impl Stage {
    /// A stage that ran.
    pub fn new(
        name: StageName,
        diagnostics: Vec<Diagnostic>,
        summary: String,
        report: impl StageReport + 'static,
    ) -> Stage {
        Stage {
            name,
            diagnostics,
            summary,
            report: Box::new(report),
            failure: None,
        }
    }

    /// A stage that could not run.
    pub fn failed(name: StageName, error: &anyhow::Error) -> Stage {
        Stage {
            name,
            diagnostics: Vec::new(),
            summary: format!("{name}: could not run: {error:#}"),
            report: Box::new(serde_json::json!({ "error": format!("{error:#}") })),
            failure: Some(format!("{error:#}")),
        }
    }

    /// How many diagnostics are errors.
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// How the stage ended.
    pub fn outcome(&self) -> Outcome {
        if self.failure.is_some() {
            Outcome::Failed
        } else if self.errors() > 0 {
            Outcome::Findings
        } else {
            Outcome::Clean
        }
    }
}

/// The worst outcome of several stages (clean when there are none).
pub fn outcome(stages: &[Stage]) -> Outcome {
    stages
        .iter()
        .map(Stage::outcome)
        .max()
        .unwrap_or(Outcome::Clean)
}

fn count(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    (errors, diagnostics.len() - errors)
}

/// Validates the book at `root`: `book.toml`, `SUMMARY.md`, the content and the
/// chapters' `{{#ref}}`s. Returns the project when it could be loaded.
pub fn validate(root: &Path) -> (Stage, Option<Project>) {
    let loaded = match crate::project::load(root) {
        Ok(loaded) => loaded,
        Err(e) => return (Stage::failed(StageName::Validate, &e), None),
    };
    let Loaded {
        project,
        mut diagnostics,
    } = loaded;
    if let Some(p) = &project {
        diagnostics.extend(crate::book::check_refs(p));
    }
    let ok = project.as_ref().map(|p| {
        let chapters = p.md.book.chapters().filter(|c| c.path.is_some()).count();
        match &p.knowledge {
            Some(k) => format!(
                "{} content file(s), {} item(s), {chapters} chapter(s) ok",
                k.files.len(),
                k.index.len()
            ),
            None => format!("{chapters} chapter(s) ok"),
        }
    });
    (validate_stage(diagnostics, ok), project)
}

/// The validate stage for its diagnostics; `ok` says what was found when there is no
/// error.
fn validate_stage(diagnostics: Vec<Diagnostic>, ok: Option<String>) -> Stage {
    let (errors, warnings) = count(&diagnostics);
    let mut summary = format!("validate: {errors} error(s), {warnings} warning(s)");
    if let Some(ok) = ok.filter(|_| errors == 0) {
        summary.push_str(&format!("\nvalidate: {ok}"));
    }
    let report = serde_json::json!({
        "stage": "validate", "errors": errors, "warnings": warnings, "diagnostics": diagnostics,
    });
    Stage::new(StageName::Validate, diagnostics, summary, report)
}

/// Validates a content folder alone (no book around it).
pub fn validate_content(content: &Path) -> (Stage, crate::xref::Knowledge) {
    let (knowledge, problems) = crate::xref::load(content);
    let ok = format!(
        "{} content file(s), {} item(s) ok",
        knowledge.files.len(),
        knowledge.index.len()
    );
    (validate_stage(problems, Some(ok)), knowledge)
}

/// Builds a validated project into `dest`.
pub fn build(project: &mut Project, dest: &Path, options: &crate::book::BuildOptions) -> Stage {
    match crate::book::build(project, dest, options) {
        Ok(built) => {
            let summary = format!(
                "build: built {}",
                crate::diagnostics::normalize(&built.dest).display()
            );
            // A page that cannot show all of what changed says so, and so does the build.
            let mut warnings: Vec<Diagnostic> = project
                .history()
                .truncated
                .iter()
                .map(|t| Diagnostic::warning(t.warning()))
                .collect();
            warnings.extend(built.warnings);
            let report = serde_json::json!({ "dest": built.dest, "diagnostics": &warnings });
            Stage::new(StageName::Build, warnings, summary, report)
        }
        Err(crate::book::BuildError::Findings(problems)) => build_findings(problems),
        Err(crate::book::BuildError::Failed(e)) => {
            let mut stage = Stage::failed(StageName::Build, &e);
            stage.summary.push_str("; the previous output is unchanged");
            stage
        }
    }
}

fn build_findings(problems: Vec<Diagnostic>) -> Stage {
    let summary = format!(
        "build: {} error(s); the previous output is unchanged",
        problems.iter().filter(|d| d.is_error()).count()
    );
    let report = serde_json::json!({ "diagnostics": problems });
    Stage::new(StageName::Build, problems, summary, report)
}

/// `handbook build` and each rebuild of `serve`: load, then build when the files have
/// no errors. One stage, holding the load's warnings or errors too.
pub fn load_and_build(root: &Path, dest: &Path, options: &crate::book::BuildOptions) -> Stage {
    let (validated, project) = validate(root);
    if validated.outcome() == Outcome::Failed {
        let mut stage = Stage {
            name: StageName::Build,
            ..validated
        };
        stage.summary = stage.summary.replacen("validate:", "build:", 1);
        stage.summary.push_str("; the previous output is unchanged");
        return stage;
    }
    let (mut project, diagnostics) = match project {
        Some(p) if validated.errors() == 0 => (p, validated.diagnostics),
        // Warnings wait until the errors are fixed, as the build reported them before.
        _ => {
            let errors = validated
                .diagnostics
                .into_iter()
                .filter(Diagnostic::is_error);
            return build_findings(errors.collect());
        }
    };
    let mut stage = build(&mut project, dest, options);
    let mut all = diagnostics;
    all.append(&mut stage.diagnostics);
    stage.diagnostics = all;
    stage
}

/// Checks the links of a loaded book: built into a temporary folder unless `site`
/// holds its build already.
pub fn links(project: &mut Project, site: Option<&Path>, options: &crate::links::Options) -> Stage {
    let result = match site {
        Some(site) => crate::links::check_site(project, site, options),
        None => crate::links::check_book(project, options),
    };
    links_stage(&project.root, result)
}

/// Whether `site` is where the book at `root` builds (`[build] build-dir`, or its
/// `html/` subfolder when the book has a second renderer): its findings can then be
/// reported at the markdown lines the pages come from.
pub fn is_site_of(root: &Path, site: &Path) -> bool {
    // Asked first, as mdBook's error for a missing file records a backtrace when
    // `RUST_BACKTRACE` is set.
    let book_toml = root.join("book.toml");
    if !book_toml.is_file() {
        return false;
    }
    let Ok(config) = mdbook_driver::config::Config::from_disk(book_toml) else {
        return false;
    };
    let out = root.join(&config.build.build_dir);
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    same(site, &out) || same(site, &out.join("html"))
}

/// Checks the links of an already built site, without its sources.
pub fn links_html(
    site: &Path,
    settings: crate::config::LinkSettings,
    options: &crate::links::Options,
) -> Stage {
    links_stage(site, crate::links::check_html(site, settings, options))
}

fn links_stage(root: &Path, result: anyhow::Result<crate::links::Report>) -> Stage {
    let report = match result {
        Ok(r) => r,
        Err(e) => return Stage::failed(StageName::Links, &e),
    };
    let diagnostics = report.diagnostics(root);
    let (errors, warnings) = count(&diagnostics);
    let mut summary = format!(
        "links: {} target(s) checked, {errors} broken link(s)",
        report.checked,
    );
    if warnings > 0 {
        summary.push_str(&format!(", {warnings} warning(s)"));
    }
    if report.cached > 0 {
        summary.push_str(&format!(
            " ({} remote result(s) from the cache)",
            report.cached
        ));
    }
    Stage::new(StageName::Links, diagnostics, summary, report)
}

/// Tests the snippets of a loaded book.
pub fn snippets(project: &Project, options: &crate::snippets::Options) -> Stage {
    match crate::snippets::check(project, options) {
        Err(crate::snippets::CheckError::Invalid(d)) => {
            // The same shape as a report, with the finding that stopped the check.
            let report = serde_json::json!({
                "snippets": [], "compiled": 0, "cached": 0, "diagnostics": [&d],
            });
            Stage::new(
                StageName::Snippets,
                vec![d],
                "snippets: not checked".to_string(),
                report,
            )
        }
        Err(crate::snippets::CheckError::Failed(e)) => snippets_stage(&project.root, Err(e)),
        Ok(report) => snippets_stage(&project.root, Ok(report)),
    }
}

/// One report from the JSON reports of a sharded run's parts (`--format json`
/// output of `check snippets --shard K/N`); `root` is the book they checked.
pub fn snippets_merged(root: &Path, parts: &[PathBuf]) -> Stage {
    let reports: anyhow::Result<Vec<crate::snippets::Report>> = parts
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p)
                .map_err(|e| anyhow::anyhow!("reading `{}`: {e}", p.display()))?;
            serde_json::from_str(&text).map_err(|e| {
                anyhow::anyhow!(
                    "`{}` is not a report of `check snippets --format json`: {e}",
                    p.display()
                )
            })
        })
        .collect();
    snippets_stage(root, reports.map(crate::snippets::merge))
}

fn snippets_stage(root: &Path, report: anyhow::Result<crate::snippets::Report>) -> Stage {
    use crate::snippets::Status;
    let report = match report {
        Ok(r) => r,
        Err(e) => return Stage::failed(StageName::Snippets, &e),
    };
    let summary = format!(
        "snippets: {} rustc run(s), {} cached verdict(s)\n{} passed, {} failed, {} skipped, {} ignored",
        report.compiled,
        report.cached,
        report.count(Status::Passed),
        report.count(Status::Failed),
        report.count(Status::Skipped),
        report.count(Status::Ignored),
    );
    Stage::new(
        StageName::Snippets,
        report.diagnostics(root),
        summary,
        report,
    )
}

/// Settings of the gate.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Where the site is built, relative to the root unless absolute.
    pub dest: PathBuf,
    /// Link checking (the gate checks offline).
    pub links: crate::links::Options,
    /// Snippet testing.
    pub snippets: crate::snippets::Options,
}

/// The gate: validate, build, links, snippets, on one loaded project. A stage that
/// needs what a failed one should have produced is not run.
pub fn check(root: &Path, options: &CheckOptions) -> Vec<Stage> {
    let (validated, project) = validate(root);
    let clean = validated.errors() == 0;
    let mut stages = vec![validated];
    let Some(mut project) = project else {
        return stages;
    };
    if clean {
        let built = build(&mut project, &options.dest, &Default::default());
        let site = (built.outcome() == Outcome::Clean).then(|| {
            if options.dest.is_absolute() {
                options.dest.clone()
            } else {
                project.root.join(&options.dest)
            }
        });
        stages.push(built);
        if let Some(site) = site {
            stages.push(links(&mut project, Some(&site), &options.links));
        }
    }
    stages.push(snippets(&project, &options.snippets));
    stages
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copy(from: &Path, to: &Path) {
        for entry in walkdir::WalkDir::new(from) {
            let entry = entry.unwrap();
            let target = to.join(entry.path().strip_prefix(from).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&target).unwrap();
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
    }

    #[test]
    fn the_gate_loads_the_book_and_its_content_once() {
        let fixture =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/render/two-briefings");
        let dir = tempfile::tempdir().unwrap();
        copy(&fixture, dir.path());
        let cache = tempfile::tempdir().unwrap();
        let options = CheckOptions {
            dest: PathBuf::from("book"),
            links: crate::links::Options {
                cache_dir: cache.path().to_path_buf(),
                ..Default::default()
            },
            snippets: crate::snippets::Options {
                cache_dir: cache.path().to_path_buf(),
                ..Default::default()
            },
        };
        crate::content::load::LOADS.with(|n| n.set(0));
        crate::project::LOADS.with(|n| n.set(0));
        let stages = check(dir.path(), &options);
        let names: Vec<_> = stages.iter().map(|s| (s.name, s.outcome())).collect();
        assert_eq!(
            names,
            [
                (StageName::Validate, Outcome::Clean),
                (StageName::Build, Outcome::Clean),
                (StageName::Links, Outcome::Clean),
                (StageName::Snippets, Outcome::Clean),
            ],
            "{:#?}",
            stages.iter().map(|s| &s.summary).collect::<Vec<_>>()
        );
        assert_eq!(crate::content::load::LOADS.with(|n| n.get()), 1);
        assert_eq!(crate::project::LOADS.with(|n| n.get()), 1);
        assert!(dir.path().join("book/handbook.json").is_file());
    }
}
