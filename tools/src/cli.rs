//! The command line: clap definitions, dispatch to the stages, and all printing.
//!
//! Human messages go to stderr and data (JSON, schema, export) to stdout, so the output
//! of a command can be piped into another tool while problems stay visible.
//!
//! Exit codes: 0 clean (warnings allowed), 1 findings in the input, 2 could not run.

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};

use crate::diagnostics::{Diagnostic, render_all};

/// Turns executive briefings into a cross-linked, checked strategy handbook.
#[derive(Debug, Parser)]
#[command(name = "handbook", version, about, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands, one per pipeline stage.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Turn a plain-text briefing into a content file (YAML) with ids, provenance and
    /// suggested relations.
    Ingest {
        /// The briefing text file.
        briefing: PathBuf,
        /// Folder to write the content file into.
        #[arg(long, default_value = "content")]
        out: PathBuf,
        /// Merge into an existing content file, keeping curated edits.
        #[arg(long)]
        force: bool,
    },
    /// Check every content file and report all problems at once.
    Validate {
        /// The content folder.
        #[arg(long, default_value = "content")]
        content: PathBuf,
        /// How to print problems.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Print the JSON Schema of content files.
    Schema,
    /// The gate: validate the content, build the book into `book/`, check its links
    /// (offline) and its snippets; or one check alone (`check links`, `check snippets`).
    Check {
        /// One check alone.
        #[command(subcommand)]
        what: Option<CheckCommand>,
        /// The handbook's root folder (holding `book.toml`).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output folder of the build (relative to the root).
        #[arg(long, default_value = "book")]
        dest: PathBuf,
        /// How to print the results.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Build the handbook website: validate, render, run mdBook, write `handbook.json`.
    Build {
        /// The handbook's root folder (holding `book.toml`).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output folder (relative to the root); replaced only when the build succeeds.
        #[arg(long, default_value = "book")]
        dest: PathBuf,
        /// How to print problems.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Write the handbook as a plain mdBook (generated pages as markdown files), for
    /// inspection or a stock `mdbook build`.
    Render {
        /// The handbook's root folder (holding `book.toml`).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Folder to write the plain book into.
        #[arg(long)]
        out: PathBuf,
    },
    /// Preview the handbook on 127.0.0.1, rebuilding and reloading on every change.
    Serve {
        /// The handbook's root folder (holding `book.toml`).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Port to listen on (0 picks a free one).
        #[arg(long, short, default_value_t = 3000)]
        port: u16,
    },
    /// Run as an mdBook preprocessor (`command = "handbook preprocess"` in book.toml).
    Preprocess {
        /// `supports <renderer>`: answer whether a renderer is supported.
        #[arg(num_args = 0..=2, value_names = ["supports", "RENDERER"])]
        args: Vec<String>,
    },
    /// Print the knowledge base for other tools.
    Export {
        /// The content folder.
        #[arg(long, default_value = "content")]
        content: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
        format: ExportFormat,
    },
}

/// The checks.
#[derive(Debug, Subcommand)]
pub enum CheckCommand {
    /// Test every code snippet: Rust compiled and run with rustdoc's rules, data blocks
    /// parsed, shell blocks syntax-checked.
    Snippets {
        /// The book's root folder (holding `book.toml`).
        #[arg(long, default_value = ".")]
        book: PathBuf,
        /// How to print the results.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Check every snippet again, ignoring cached results.
        #[arg(long)]
        no_cache: bool,
        /// Parallel compiles and runs (default: the number of CPUs).
        #[arg(long)]
        jobs: Option<usize>,
        /// Seconds a snippet may run before it is stopped.
        #[arg(long, default_value_t = 10)]
        timeout: u64,
    },
    /// Check every link of the built book, offline unless `--remote`.
    Links {
        /// The book's root folder: the book is built and each broken link reported at
        /// the markdown line where it is written.
        #[arg(long, default_value = ".", conflicts_with = "html")]
        book: PathBuf,
        /// Check an already built site instead (lines are then HTML lines).
        #[arg(long)]
        html: Option<PathBuf>,
        /// Check http(s) links too (settings under `[preprocessor.handbook.links]`).
        #[arg(long)]
        remote: bool,
        /// How to print the results.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
}

/// How problems are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Source snippets with markers and hints, on stderr.
    Human,
    /// One JSON document on stdout.
    Json,
    /// GitHub workflow annotations on stdout.
    Github,
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// One JSON document.
    Json,
}

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing wrong (warnings may have been shown).
    Clean,
    /// The input has problems.
    Findings,
    /// The command could not do its job (I/O, bad arguments).
    Failed,
}

impl From<Outcome> for std::process::ExitCode {
    fn from(o: Outcome) -> Self {
        std::process::ExitCode::from(match o {
            Outcome::Clean => 0,
            Outcome::Findings => 1,
            Outcome::Failed => 2,
        })
    }
}

fn color() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}

/// The result of one stage, ready to print in any format.
struct Stage {
    name: &'static str,
    /// Located findings (errors fail the command; warnings do not).
    diagnostics: Vec<Diagnostic>,
    /// One line for people.
    summary: String,
    /// The stage's own report, for `--format json`.
    data: serde_json::Value,
    /// Set when the stage could not run at all.
    failure: Option<String>,
}

impl Stage {
    fn new(
        name: &'static str,
        diagnostics: Vec<Diagnostic>,
        summary: String,
        data: serde_json::Value,
    ) -> Stage {
        Stage {
            name,
            diagnostics,
            summary,
            data,
            failure: None,
        }
    }

    fn failed(name: &'static str, error: &anyhow::Error) -> Stage {
        Stage {
            name,
            diagnostics: Vec::new(),
            summary: format!("{name}: could not run: {error:#}"),
            data: serde_json::json!({ "error": format!("{error:#}") }),
            failure: Some(format!("{error:#}")),
        }
    }

    fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    fn outcome(&self) -> Outcome {
        if self.failure.is_some() {
            Outcome::Failed
        } else if self.errors() > 0 {
            Outcome::Findings
        } else {
            Outcome::Clean
        }
    }
}

/// Prints stages in the chosen format; one stage's JSON is its own report, several
/// stages make one document.
fn emit(stages: &[Stage], format: Format) -> Outcome {
    match format {
        Format::Human => {
            let mut err = std::io::stderr().lock();
            for stage in stages {
                let _ = write!(err, "{}", render_all(&stage.diagnostics, color()));
            }
            for stage in stages {
                let _ = writeln!(err, "{}", stage.summary);
            }
        }
        Format::Json => {
            let doc = match stages {
                [one] => one.data.clone(),
                _ => serde_json::json!({
                    "ok": stages.iter().all(|s| s.outcome() == Outcome::Clean),
                    "stages": stages.iter().map(|s| serde_json::json!({
                        "stage": s.name, "outcome": format!("{:?}", s.outcome()).to_lowercase(),
                        "summary": s.summary, "report": s.data,
                    })).collect::<Vec<_>>(),
                }),
            };
            println!(
                "{}",
                serde_json::to_string_pretty(&doc).expect("reports are JSON")
            );
        }
        Format::Github => {
            let root = std::env::current_dir().unwrap_or_default();
            for stage in stages {
                for d in &stage.diagnostics {
                    println!("{}", d.github(&root));
                }
                if let Some(why) = &stage.failure {
                    println!("::error title={}::{}", stage.name, why.replace('\n', "%0A"));
                }
            }
            // Annotations are the data; the summaries are for the log.
            for stage in stages {
                eprintln!("{}", stage.summary);
            }
        }
    }
    stages
        .iter()
        .map(Stage::outcome)
        .max_by_key(|o| match o {
            Outcome::Clean => 0,
            Outcome::Findings => 1,
            Outcome::Failed => 2,
        })
        .unwrap_or(Outcome::Clean)
}

fn validate_stage(content: &Path) -> (Stage, crate::xref::Knowledge) {
    let (knowledge, problems) = crate::xref::load(content);
    let errors = problems.iter().filter(|d| d.is_error()).count();
    let warnings = problems.len() - errors;
    let mut summary = format!("validate: {errors} error(s), {warnings} warning(s)");
    if errors == 0 {
        summary.push_str(&format!(
            "\nvalidate: {} content file(s), {} item(s) ok",
            knowledge.files.len(),
            knowledge.index.len()
        ));
    }
    let data = serde_json::json!({ "stage": "validate", "errors": errors, "warnings": warnings, "diagnostics": problems });
    (Stage::new("validate", problems, summary, data), knowledge)
}

fn build_stage(root: &Path, dest: &Path) -> Stage {
    match crate::book::build(root, dest, &crate::book::BuildOptions::default()) {
        Ok(built) => {
            let summary = format!(
                "build: built {}",
                crate::diagnostics::normalize(&built.dest).display()
            );
            let data = serde_json::json!({ "dest": built.dest, "warnings": built.warnings });
            Stage::new("build", built.warnings, summary, data)
        }
        Err(crate::book::BuildError::Findings(problems)) => {
            let summary = format!(
                "build: {} error(s); the previous output is unchanged",
                problems.iter().filter(|d| d.is_error()).count()
            );
            let data = serde_json::json!({ "diagnostics": problems });
            Stage::new("build", problems, summary, data)
        }
        Err(crate::book::BuildError::Failed(e)) => {
            let mut stage = Stage::failed("build", &e);
            stage.summary.push_str("; the previous output is unchanged");
            stage
        }
    }
}

fn links_stage(root: &Path, result: anyhow::Result<crate::links::Report>) -> Stage {
    let report = match result {
        Ok(r) => r,
        Err(e) => return Stage::failed("links", &e),
    };
    let diagnostics = report
        .broken
        .iter()
        .map(|b| {
            let path = crate::diagnostics::normalize(&root.join(&b.file));
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let column = text
                .lines()
                .nth(b.line.saturating_sub(1))
                .and_then(|l| l.find(&b.url))
                .map_or(1, |c| l_chars(&text, b.line, c) + 1);
            Diagnostic::error(format!("broken link `{}`: {}", b.url, b.reason))
                .at(crate::diagnostics::Location::in_text(
                    &path,
                    &text,
                    b.line,
                    column,
                    b.url.chars().count(),
                ))
                .help("fix the link target, or the heading or `id` it points at")
        })
        .collect();
    let mut summary = format!(
        "links: {} target(s) checked, {} broken link(s)",
        report.checked,
        report.broken.len()
    );
    if report.cached > 0 {
        summary.push_str(&format!(
            " ({} remote result(s) from the cache)",
            report.cached
        ));
    }
    Stage::new(
        "links",
        diagnostics,
        summary,
        serde_json::to_value(&report).expect("report is JSON"),
    )
}

/// The character column of byte offset `byte` on 1-based `line` of `text`.
fn l_chars(text: &str, line: usize, byte: usize) -> usize {
    text.lines()
        .nth(line.saturating_sub(1))
        .map_or(0, |l| l[..byte.min(l.len())].chars().count())
}

fn snippets_stage(options: &crate::snippets::Options) -> Stage {
    use crate::snippets::Status;
    let report = match crate::snippets::check(options) {
        Ok(r) => r,
        Err(e) => return Stage::failed("snippets", &e),
    };
    let diagnostics = report
        .diagnostics(&options.root)
        .into_iter()
        .map(|mut d| {
            if let Some(loc) = d.primary.as_mut() {
                loc.file = crate::diagnostics::normalize(&options.root.join(&loc.file));
            }
            d
        })
        .collect();
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
        "snippets",
        diagnostics,
        summary,
        serde_json::to_value(&report).expect("report is JSON"),
    )
}

fn snippet_options(
    root: &Path,
    no_cache: bool,
    jobs: Option<usize>,
    timeout: u64,
) -> crate::snippets::Options {
    crate::snippets::Options {
        root: root.to_path_buf(),
        no_cache,
        jobs: jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get())),
        timeout: std::time::Duration::from_secs(timeout),
        cache_dir: crate::snippets::default_cache_dir(),
    }
}

/// The gate: every stage, in pipeline order; a stage that depends on a failed one is
/// not run.
fn gate(root: &Path, dest: &Path, format: Format) -> Outcome {
    let settings = mdbook_driver::MDBook::load(root)
        .and_then(|md| crate::book::Settings::from_config(&md.config));
    let content = match settings {
        Ok(s) => s.content_dir(root),
        Err(e) => return emit(&[Stage::failed("validate", &e)], format),
    };
    let (validate, _) = validate_stage(&content);
    let mut stages = vec![validate];
    if stages[0].outcome() == Outcome::Clean {
        let mut build = build_stage(root, dest);
        // The build repeats the content warnings that `validate` already reported.
        build.diagnostics.retain(Diagnostic::is_error);
        stages.push(build);
    }
    if stages
        .last()
        .is_some_and(|s| s.name == "build" && s.outcome() == Outcome::Clean)
    {
        let site = if dest.is_absolute() {
            dest.to_path_buf()
        } else {
            root.join(dest)
        };
        let options = crate::links::Options {
            remote: false,
            cache_dir: crate::snippets::default_cache_dir(),
        };
        stages.push(links_stage(
            root,
            crate::links::check_site(root, &site, &options),
        ));
    }
    stages.push(snippets_stage(&snippet_options(root, false, None, 10)));
    emit(&stages, format)
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Outcome {
    match cli.command {
        Command::Ingest {
            briefing,
            out,
            force,
        } => ingest(&briefing, &out, force),
        Command::Validate { content, format } => emit(&[validate_stage(&content).0], format),
        Command::Build { root, dest, format } => emit(&[build_stage(&root, &dest)], format),
        Command::Check {
            what: None,
            root,
            dest,
            format,
        } => gate(&root, &dest, format),
        Command::Check {
            what:
                Some(CheckCommand::Links {
                    book,
                    html,
                    remote,
                    format,
                }),
            ..
        } => {
            let options = crate::links::Options {
                remote,
                cache_dir: crate::snippets::default_cache_dir(),
            };
            match html {
                Some(site) => emit(
                    &[links_stage(
                        &site,
                        crate::links::check_html(&site, &options),
                    )],
                    format,
                ),
                None => emit(
                    &[links_stage(
                        &book,
                        crate::links::check_book(&book, &options),
                    )],
                    format,
                ),
            }
        }
        Command::Check {
            what:
                Some(CheckCommand::Snippets {
                    book,
                    format,
                    no_cache,
                    jobs,
                    timeout,
                }),
            ..
        } => emit(
            &[snippets_stage(&snippet_options(
                &book, no_cache, jobs, timeout,
            ))],
            format,
        ),
        Command::Preprocess { args } => preprocess(&args),
        Command::Serve { root, port } => serve(&root, port),
        Command::Render { root, out } => match crate::book::render_plain(&root, &out) {
            Ok(()) => {
                eprintln!("wrote {}", out.display());
                Outcome::Clean
            }
            Err(crate::book::BuildError::Findings(problems)) => {
                let data = serde_json::json!({ "diagnostics": problems });
                emit(
                    &[Stage::new(
                        "render",
                        problems,
                        "render: failed".into(),
                        data,
                    )],
                    Format::Human,
                )
            }
            Err(crate::book::BuildError::Failed(e)) => {
                emit(&[Stage::failed("render", &e)], Format::Human)
            }
        },
        Command::Schema => {
            print!("{}", crate::content::schema_json());
            Outcome::Clean
        }
        Command::Export {
            content,
            format: ExportFormat::Json,
        } => {
            let (knowledge, problems) = crate::xref::load(&content);
            let errors: Vec<Diagnostic> =
                problems.into_iter().filter(Diagnostic::is_error).collect();
            if !errors.is_empty() {
                let summary = format!("content: {} error(s)", errors.len());
                return emit(
                    &[Stage::new(
                        "export",
                        errors,
                        summary,
                        serde_json::Value::Null,
                    )],
                    Format::Human,
                );
            }
            println!(
                "{}",
                serde_json::to_string_pretty(&knowledge.export()).expect("export is JSON")
            );
            Outcome::Clean
        }
    }
}

fn ingest(briefing: &Path, out: &Path, force: bool) -> Outcome {
    match crate::ingest::ingest(briefing, out, force) {
        Ok(outcome) => {
            if let Some(copy) = &outcome.copied_briefing {
                eprintln!("copied {} to {}", briefing.display(), copy.display());
            }
            for line in &outcome.report {
                eprintln!("  {line}");
            }
            eprintln!("wrote {}", outcome.yaml.display());
            Outcome::Clean
        }
        Err(problems) => {
            let errors = problems.len();
            let summary =
                format!("ingest: {errors} error(s), 0 warning(s)\ningest: nothing written");
            emit(
                &[Stage::new(
                    "ingest",
                    problems,
                    summary,
                    serde_json::Value::Null,
                )],
                Format::Human,
            )
        }
    }
}

/// mdBook's command protocol; see [`crate::book::run_command`].
pub fn preprocess(args: &[String]) -> Outcome {
    let supports = match args {
        [] => None,
        [s, renderer] if s == "supports" => Some(renderer.as_str()),
        _ => {
            eprintln!("error: expected no argument or `supports <renderer>`");
            return Outcome::Failed;
        }
    };
    match crate::book::run_command(supports) {
        Ok(true) => Outcome::Clean,
        Ok(false) => Outcome::Findings,
        Err(e) => {
            eprintln!("error: {e:#}");
            Outcome::Failed
        }
    }
}

fn serve(root: &Path, port: u16) -> Outcome {
    use crate::book::serve::Event;
    let result = crate::book::serve::serve(root, port, |event| match event {
        Event::Listening(addr) => {
            eprintln!("serving the handbook on http://{addr}/ (Ctrl-C stops)")
        }
        Event::Changed(paths) => {
            let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            eprintln!("changed: {}; rebuilding", names.join(", "));
        }
        Event::Built(result) => {
            let stage = match result {
                Ok(built) => Stage::new(
                    "build",
                    built.warnings.clone(),
                    format!("build: built {}", built.dest.display()),
                    serde_json::Value::Null,
                ),
                Err(crate::book::BuildError::Findings(p)) => Stage::new(
                    "build",
                    p.clone(),
                    "build: failed".into(),
                    serde_json::Value::Null,
                ),
                Err(crate::book::BuildError::Failed(e)) => Stage::failed("build", e),
            };
            if emit(std::slice::from_ref(&stage), Format::Human) != Outcome::Clean {
                eprintln!("the preview keeps showing the last good build");
            }
        }
    });
    match result {
        Ok(()) => Outcome::Clean,
        Err(e) => {
            eprintln!("error: {e:#}");
            Outcome::Failed
        }
    }
}
