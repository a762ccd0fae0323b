//! The command line: clap definitions, dispatch to the stages, and all printing.
//!
//! Human messages go to stderr and data (JSON, schema, export) to stdout, so the output
//! of a command can be piped into another tool while problems stay visible.
//!
//! Exit codes: 0 clean (warnings allowed), 1 findings in the input, 2 could not run.

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};

use crate::diagnostics::{Diagnostic, Severity, render_all};

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
    /// Check the handbook: code snippets, links.
    Check {
        /// What to check.
        #[command(subcommand)]
        what: CheckCommand,
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

/// Prints diagnostics in the chosen format and says whether any is an error.
fn report(diagnostics: &[Diagnostic], format: Format, stage: &str) -> bool {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    match format {
        Format::Human => {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "{}", render_all(diagnostics, color()));
            let _ = writeln!(err, "{stage}: {errors} error(s), {warnings} warning(s)");
        }
        Format::Json => {
            let doc = serde_json::json!({ "stage": stage, "errors": errors, "warnings": warnings, "diagnostics": diagnostics });
            println!(
                "{}",
                serde_json::to_string_pretty(&doc).expect("diagnostics are JSON")
            );
        }
        Format::Github => {
            let root = std::env::current_dir().unwrap_or_default();
            for d in diagnostics {
                println!("{}", d.github(&root));
            }
        }
    }
    errors > 0
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Outcome {
    match cli.command {
        Command::Ingest {
            briefing,
            out,
            force,
        } => ingest(&briefing, &out, force),
        Command::Validate { content, format } => {
            let (knowledge, problems) = crate::xref::load(&content);
            let failed = report(&problems, format, "validate");
            if format == Format::Human && !failed {
                let files = knowledge.files.len();
                let items = knowledge.index.len();
                eprintln!("validate: {files} content file(s), {items} item(s) ok");
            }
            if failed {
                Outcome::Findings
            } else {
                Outcome::Clean
            }
        }
        Command::Build { root, dest, format } => build(&root, &dest, format),
        Command::Check {
            what:
                CheckCommand::Links {
                    book,
                    html,
                    remote,
                    format,
                },
        } => check_links(&book, html.as_deref(), remote, format),
        Command::Check {
            what:
                CheckCommand::Snippets {
                    book,
                    format,
                    no_cache,
                    jobs,
                    timeout,
                },
        } => {
            let options = crate::snippets::Options {
                root: book,
                no_cache,
                jobs: jobs
                    .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get())),
                timeout: std::time::Duration::from_secs(timeout),
                cache_dir: crate::snippets::default_cache_dir(),
            };
            check_snippets(&options, format)
        }
        Command::Preprocess { args } => preprocess(&args),
        Command::Serve { root, port } => serve(&root, port),
        Command::Render { root, out } => match crate::book::render_plain(&root, &out) {
            Ok(()) => {
                eprintln!("wrote {}", out.display());
                Outcome::Clean
            }
            Err(crate::book::BuildError::Findings(problems)) => {
                report(&problems, Format::Human, "render");
                Outcome::Findings
            }
            Err(crate::book::BuildError::Failed(e)) => {
                eprintln!("error: {e:#}");
                Outcome::Failed
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
            let errors: Vec<Diagnostic> = problems
                .into_iter()
                .filter(|d| d.severity == Severity::Error)
                .collect();
            if report_errors(&errors) {
                return Outcome::Findings;
            }
            println!(
                "{}",
                serde_json::to_string_pretty(&knowledge.export()).expect("export is JSON")
            );
            Outcome::Clean
        }
    }
}

/// Prints errors only (for commands whose own output is data); true when there were any.
fn report_errors(errors: &[Diagnostic]) -> bool {
    if errors.is_empty() {
        return false;
    }
    report(errors, Format::Human, "content")
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
            report(&problems, Format::Human, "ingest");
            eprintln!("ingest: nothing written");
            Outcome::Findings
        }
    }
}

fn build(root: &Path, dest: &Path, format: Format) -> Outcome {
    report_build(
        &crate::book::build(root, dest, &crate::book::BuildOptions::default()),
        format,
    )
}

fn report_build(
    result: &Result<crate::book::Built, crate::book::BuildError>,
    format: Format,
) -> Outcome {
    match result {
        Ok(built) => {
            if !built.warnings.is_empty() {
                report(&built.warnings, format, "build");
            }
            eprintln!("built {}", built.dest.display());
            Outcome::Clean
        }
        Err(crate::book::BuildError::Findings(problems)) => {
            report(problems, format, "build");
            eprintln!("build failed: the previous output is unchanged");
            Outcome::Findings
        }
        Err(crate::book::BuildError::Failed(e)) => {
            eprintln!("error: {e:#}");
            eprintln!("build failed: the previous output is unchanged");
            Outcome::Failed
        }
    }
}

/// mdBook's command protocol; see [`crate::book::run_command`].
fn preprocess(args: &[String]) -> Outcome {
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
            if report_build(result, Format::Human) != Outcome::Clean {
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

fn check_snippets(options: &crate::snippets::Options, format: Format) -> Outcome {
    use crate::snippets::Status;
    let report = match crate::snippets::check(options) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e:#}");
            return Outcome::Failed;
        }
    };
    let summary = format!(
        "{} passed, {} failed, {} skipped, {} ignored",
        report.count(Status::Passed),
        report.count(Status::Failed),
        report.count(Status::Skipped),
        report.count(Status::Ignored)
    );
    match format {
        Format::Human => {
            let mut by_file: std::collections::BTreeMap<&str, [usize; 4]> = Default::default();
            for s in &report.snippets {
                by_file.entry(&s.file).or_default()[s.status as usize] += 1;
            }
            let diagnostics = report.diagnostics(&options.root);
            eprint!("{}", render_all(&diagnostics, color()));
            for (file, [passed, failed, ignored, skipped]) in by_file {
                eprintln!(
                    "{file}: {passed} passed, {failed} failed, {skipped} skipped, {ignored} ignored"
                );
            }
            eprintln!(
                "snippets: {} rustc run(s), {} cached verdict(s)",
                report.compiled, report.cached
            );
            eprintln!("{summary}");
        }
        Format::Json => {
            println!(
                "{}",
                serde_json::to_string_pretty(&report).expect("report is JSON")
            );
        }
        Format::Github => {
            let root = std::env::current_dir().unwrap_or_default();
            for d in report.diagnostics(&options.root) {
                let mut d = d;
                if let Some(loc) = d.primary.as_mut() {
                    loc.file = options.root.join(&loc.file);
                }
                println!("{}", d.github(&root));
            }
            println!("{summary}");
        }
    }
    if report.count(Status::Failed) > 0 {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}

fn check_links(book: &Path, html: Option<&Path>, remote: bool, format: Format) -> Outcome {
    let options = crate::links::Options {
        remote,
        cache_dir: crate::snippets::default_cache_dir(),
    };
    let result = match html {
        Some(site) => crate::links::check_html(site, &options),
        None => crate::links::check_book(book, &options),
    };
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e:#}");
            return Outcome::Failed;
        }
    };
    let root = html.unwrap_or(book);
    let diagnostics: Vec<Diagnostic> = report
        .broken
        .iter()
        .map(|b| {
            let path = root.join(&b.file);
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let column = text
                .lines()
                .nth(b.line.saturating_sub(1))
                .and_then(|l| l.find(&b.url))
                .map_or(1, |c| c + 1);
            Diagnostic::error(format!("broken link `{}`: {}", b.url, b.reason))
                .at(crate::diagnostics::Location::in_text(
                    Path::new(&b.file),
                    &text,
                    b.line,
                    column,
                    b.url.chars().count(),
                ))
                .help("fix the link target, or the heading or `id` it points at")
        })
        .collect();
    let summary = format!(
        "{} link target(s) checked, {} broken link(s)",
        report.checked,
        report.broken.len()
    );
    match format {
        Format::Human => {
            eprint!("{}", render_all(&diagnostics, color()));
            if report.cached > 0 {
                eprintln!("links: {} remote result(s) from the cache", report.cached);
            }
            eprintln!("{summary}");
        }
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("report is JSON")
        ),
        Format::Github => {
            let cwd = std::env::current_dir().unwrap_or_default();
            for mut d in diagnostics {
                if let Some(loc) = d.primary.as_mut() {
                    loc.file = root.join(&loc.file);
                }
                println!("{}", d.github(&cwd));
            }
            println!("{summary}");
        }
    }
    if report.broken.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Findings
    }
}
