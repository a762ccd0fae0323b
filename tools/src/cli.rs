//! The command line: clap definitions, and printing what the stages of [`crate::gate`]
//! return.
//!
//! Human messages go to stderr and data (JSON, schema, export) to stdout, so the output
//! of a command can be piped into another tool while problems stay visible.
//!
//! Exit codes: 0 clean (warnings allowed), 1 findings in the input, 2 could not run.

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};

use crate::diagnostics::{Diagnostic, render_all, render_parts};
use crate::gate::{self, Stage, StageName};
use crate::project::Project;

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
    /// Start a new handbook in a new or empty folder: book.toml, a first chapter, the
    /// content with a first briefing, the theme, a GitHub workflow, .gitignore, README.
    New {
        /// The folder to create.
        dir: PathBuf,
        /// The first briefing (`.txt`, `.md`, `.html`, `.docx`); an example to replace
        /// when absent.
        #[arg(long, value_name = "BRIEFING")]
        from: Option<PathBuf>,
        /// The first briefing's format, when its extension does not say it.
        #[arg(long, value_enum, requires = "from")]
        format: Option<BriefingFormat>,
        /// The handbook's title (by default, the first briefing's).
        #[arg(long)]
        title: Option<String>,
    },
    /// Turn a briefing (plain text, Markdown, HTML or Word) into a content file (YAML)
    /// with ids, provenance and suggested relations.
    Ingest {
        /// The briefing: `.txt`, `.md`, `.html` or `.docx`.
        briefing: PathBuf,
        /// The briefing's format, when its extension does not say it.
        #[arg(long, value_enum)]
        format: Option<BriefingFormat>,
        /// Folder to write the content file into.
        #[arg(long, default_value = "content")]
        out: PathBuf,
        /// Merge into the existing content file of this briefing, keeping curated edits.
        #[arg(long)]
        force: bool,
        /// With `--force`: the id of the briefing this file is a revision of, when it is
        /// not the file that briefing was ingested from.
        #[arg(long, value_name = "BRIEFING-ID", requires = "force")]
        revises: Option<String>,
        /// Show, for each suggested relation, its score and the words behind it.
        #[arg(long)]
        explain: bool,
    },
    /// Check every content file and report all problems at once.
    Validate {
        /// The book's root folder: `book.toml`, `SUMMARY.md`, the chapters' `{{#ref}}`s
        /// and the content are checked (only `content/` when there is no `book.toml`).
        #[arg(long, default_value = ".", conflicts_with = "content")]
        root: PathBuf,
        /// Check this content folder alone.
        #[arg(long)]
        content: Option<PathBuf>,
        /// How to print problems.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Show, for each relation still only suggested, its score and the words behind it.
        #[arg(long)]
        explain: bool,
    },
    /// List the suggested relations and the recommendations to review, with the
    /// evidence; or write decisions (`confirm`, `reject`, `reviewed`, `walk`).
    Review {
        /// A decision to write; without one, what waits for a decision is listed.
        #[command(subcommand)]
        what: Option<ReviewCommand>,
        /// The content folder.
        #[arg(long, global = true, default_value = "content")]
        content: PathBuf,
        /// How to print the list.
        #[arg(long, global = true, value_enum, default_value_t = Format::Human)]
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
        /// The book's root folder (holding `book.toml`).
        #[arg(long, global = true, default_value = ".", visible_alias = "book")]
        root: PathBuf,
        /// Output folder of the gate's build (relative to the root).
        #[arg(long, global = true, default_value = "book")]
        dest: PathBuf,
        /// How to print the results.
        #[arg(long, global = true, value_enum, default_value_t = Format::Human)]
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
        /// Check every snippet again, ignoring cached results.
        #[arg(long)]
        no_cache: bool,
        /// Parallel compiles and runs (default: the number of CPUs).
        #[arg(long)]
        jobs: Option<usize>,
        /// Seconds a snippet may run before it is stopped.
        #[arg(long, default_value_t = crate::snippets::DEFAULT_TIMEOUT_SECS)]
        timeout: u64,
        /// Check only part K of N (e.g. `2/4`): a deterministic split balanced by cost,
        /// for the jobs of a CI matrix.
        #[arg(long, value_name = "K/N", value_parser = parse_shard)]
        shard: Option<(usize, usize)>,
        /// Merge the JSON reports of the parts into one report, checking nothing.
        #[arg(long, value_name = "REPORT", num_args = 1.., conflicts_with = "shard")]
        merge: Vec<PathBuf>,
    },
    /// Check every link of the book, built into a temporary folder and each broken link
    /// reported at the markdown line where it is written; offline unless `--remote`.
    Links {
        /// Check an already built site instead (lines are then HTML lines).
        #[arg(long)]
        html: Option<PathBuf>,
        /// Check http(s) links too (settings under `[preprocessor.handbook.links]`).
        #[arg(long)]
        remote: bool,
    },
}

/// Decisions `review` writes into the YAML.
#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Confirm suggested relations, given as `FROM TO` pairs of ids (or `--all`).
    Confirm {
        /// `FROM TO` pairs: the item the relation is written on, and the item it names.
        #[arg(value_name = "FROM TO")]
        pairs: Vec<String>,
        /// Every suggestion (at least `--min-score` when given).
        #[arg(long, conflicts_with = "pairs")]
        all: bool,
        /// With `--all`: only suggestions scoring at least this.
        #[arg(long, requires = "all")]
        min_score: Option<f64>,
    },
    /// Reject suggested relations, given as `FROM TO` pairs of ids.
    Reject {
        /// `FROM TO` pairs.
        #[arg(value_name = "FROM TO", required = true)]
        pairs: Vec<String>,
    },
    /// Record that recommendations still answer their insights as they read now.
    Reviewed {
        /// Recommendation ids.
        #[arg(required = true)]
        actions: Vec<String>,
    },
    /// Ask about each suggestion in turn (confirm, reject, skip, quit), reading the
    /// answers from standard input; the decisions are written at the end.
    Walk,
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

/// The formats `ingest` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BriefingFormat {
    /// The plain-text layout: a title line, a subtitle line, `Key insights` and `-` items.
    Text,
    /// CommonMark with optional YAML front matter.
    Markdown,
    /// An HTML page: a document editor's export, a wiki page.
    Html,
    /// A Word document.
    Docx,
}

impl From<BriefingFormat> for crate::briefing::Format {
    fn from(f: BriefingFormat) -> Self {
        use crate::briefing::Format;
        match f {
            BriefingFormat::Text => Format::Text,
            BriefingFormat::Markdown => Format::Markdown,
            BriefingFormat::Html => Format::Html,
            BriefingFormat::Docx => Format::Docx,
        }
    }
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// One JSON document.
    Json,
}

pub use crate::gate::Outcome;

/// The exit status of an outcome: 0 clean, 1 findings, 2 could not run.
pub fn exit_code(o: Outcome) -> std::process::ExitCode {
    std::process::ExitCode::from(match o {
        Outcome::Clean => 0,
        Outcome::Findings => 1,
        Outcome::Failed => 2,
    })
}

/// A progress bar on a terminal for human output; hidden otherwise, so JSON and
/// annotations stay clean and logs get no control characters.
fn progress(format: Format, what: &'static str) -> indicatif::ProgressBar {
    if format != Format::Human || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let style = indicatif::ProgressStyle::with_template("{msg}: {pos}/{len} {wide_bar} {elapsed}")
        .expect("a valid template");
    indicatif::ProgressBar::new(0)
        .with_style(style)
        .with_message(what)
}

fn color() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}

/// Prints one stage in the chosen format; its JSON is the stage's own report.
fn emit(stages: &[Stage], format: Format) -> Outcome {
    print(stages, format, false)
}

/// Prints the gate's stages; its JSON is one document `{ok, stages}`, however many
/// stages ran.
fn emit_gate(stages: &[Stage], format: Format) -> Outcome {
    print(stages, format, true)
}

/// Output cut short by a closed pipe (`| head`) is not an error.
fn print(stages: &[Stage], format: Format, gate: bool) -> Outcome {
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    match format {
        Format::Human => {
            for stage in stages {
                for part in render_parts(&stage.diagnostics, color()) {
                    let _ = err.write_all(part.as_bytes());
                }
            }
            for stage in stages {
                let _ = writeln!(err, "{}", stage.summary);
            }
        }
        Format::Json => {
            let doc = match stages {
                [one] if !gate => one.report.to_json(),
                _ => serde_json::json!({
                    "ok": gate::outcome(stages) == Outcome::Clean,
                    "stages": stages.iter().map(|s| serde_json::json!({
                        "stage": s.name, "outcome": s.outcome(),
                        "summary": s.summary, "report": s.report.to_json(),
                    })).collect::<Vec<_>>(),
                }),
            };
            let text = serde_json::to_string_pretty(&doc).expect("reports are JSON");
            let _ = writeln!(out, "{text}");
        }
        Format::Github => {
            let root = std::env::current_dir().unwrap_or_default();
            for stage in stages {
                for d in &stage.diagnostics {
                    let _ = writeln!(out, "{}", d.github(&root));
                }
                if let Some(why) = &stage.failure {
                    let _ = writeln!(
                        out,
                        "::error title={}::{}",
                        stage.name,
                        why.replace('%', "%25").replace('\n', "%0A")
                    );
                }
            }
            // Annotations are the data; the summaries are for the log.
            for stage in stages {
                let _ = writeln!(err, "{}", stage.summary);
            }
        }
    }
    gate::outcome(stages)
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Outcome {
    match cli.command {
        Command::Ingest {
            briefing,
            format,
            out,
            force,
            revises,
            explain,
        } => {
            let options = crate::ingest::Options {
                format: format.map(Into::into),
                force,
                revises,
            };
            ingest(&briefing, &out, &options, explain)
        }
        Command::Validate {
            root,
            content,
            format,
            explain,
        } => {
            let (stage, knowledge) = match content {
                Some(content) => {
                    let (stage, k) = gate::validate_content(&content);
                    (stage, Some(std::sync::Arc::new(k)))
                }
                None if !root.join("book.toml").is_file() => {
                    let (stage, k) = gate::validate_content(&root.join("content"));
                    (stage, Some(std::sync::Arc::new(k)))
                }
                None => {
                    let (stage, project) = gate::validate(&root);
                    (stage, project.and_then(|p| p.knowledge))
                }
            };
            if explain && let Some(k) = &knowledge {
                for file in &k.files {
                    print_explanations(&file.path, &file.doc, &k.files);
                }
            }
            emit(&[stage], format)
        }
        Command::Build { root, dest, format } => emit(
            &[gate::load_and_build(&root, &dest, &Default::default())],
            format,
        ),
        Command::Check {
            what: None,
            root,
            dest,
            format,
        } => {
            let mut options = gate::CheckOptions {
                dest,
                ..Default::default()
            };
            options.snippets.progress = progress(format, "snippets");
            emit_gate(&gate::check(&root, &options), format)
        }
        Command::Check {
            what: Some(CheckCommand::Links { html, remote }),
            root,
            format,
            ..
        } => {
            let options = crate::links::Options {
                remote,
                progress: if remote {
                    progress(format, "links")
                } else {
                    indicatif::ProgressBar::hidden()
                },
                ..Default::default()
            };
            if let Some(site) = html {
                // The book's own output: findings at the markdown lines, as `--book`.
                if gate::is_site_of(&root, &site) {
                    return with_project(&root, format, |project| {
                        gate::links(project, Some(&site), &options)
                    });
                }
                // The book's link settings apply when there is one.
                let settings = match crate::config::read(&root) {
                    Ok(settings) => settings.map(|s| s.links).unwrap_or_default(),
                    Err(crate::config::ReadError::Invalid(d)) => {
                        return emit(&[invalid(StageName::Links, d)], format);
                    }
                    Err(crate::config::ReadError::Failed(e)) => {
                        return emit(&[Stage::failed(StageName::Links, &e)], format);
                    }
                };
                return emit(&[gate::links_html(&site, settings, &options)], format);
            }
            with_project(&root, format, |project| {
                gate::links(project, None, &options)
            })
        }
        Command::Check {
            what:
                Some(CheckCommand::Snippets {
                    no_cache,
                    jobs,
                    timeout,
                    shard,
                    merge,
                }),
            root,
            format,
            ..
        } => {
            if !merge.is_empty() {
                return emit(&[gate::snippets_merged(&root, &merge)], format);
            }
            let defaults = crate::snippets::Options::default();
            let options = crate::snippets::Options {
                no_cache,
                jobs: jobs.unwrap_or(defaults.jobs),
                timeout: std::time::Duration::from_secs(timeout),
                shard,
                progress: progress(format, "snippets"),
                ..defaults
            };
            with_project(&root, format, |project| gate::snippets(project, &options))
        }
        Command::Preprocess { args } => preprocess(&args),
        Command::Serve { root, port } => serve(&root, port),
        Command::Render { root, out } => {
            with_project(
                &root,
                Format::Human,
                |project| match crate::book::render_plain(project, &out) {
                    Ok(()) => Stage::new(
                        StageName::Render,
                        Vec::new(),
                        format!("render: wrote {}", out.display()),
                        serde_json::Value::Null,
                    ),
                    Err(e) => Stage::failed(StageName::Render, &e),
                },
            )
        }
        Command::Review {
            what,
            content,
            format,
        } => review(&content, what, format),
        Command::New {
            dir,
            from,
            format,
            title,
        } => new(
            &dir,
            &crate::scaffold::Options {
                from,
                format: format.map(Into::into),
                title,
            },
        ),
        Command::Schema => {
            let _ = write!(
                std::io::stdout().lock(),
                "{}",
                crate::content::schema_json()
            );
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
                        StageName::Export,
                        errors,
                        summary,
                        serde_json::Value::Null,
                    )],
                    Format::Human,
                );
            }
            let text = serde_json::to_string_pretty(&knowledge.export()).expect("export is JSON");
            let _ = writeln!(std::io::stdout().lock(), "{text}");
            Outcome::Clean
        }
    }
}

/// `K/N` with 1 ≤ K ≤ N.
fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    let parsed = text
        .split_once('/')
        .and_then(|(k, n)| Some((k.trim().parse().ok()?, n.trim().parse().ok()?)));
    match parsed {
        Some((k, n)) if k >= 1 && k <= n => Ok((k, n)),
        _ => Err(format!("`{text}` is not K/N with 1 ≤ K ≤ N, e.g. `1/4`")),
    }
}

/// A stage holding one problem in the contributor's files.
fn invalid(name: StageName, d: Diagnostic) -> Stage {
    let summary = format!("{name}: 1 error(s)");
    let report = serde_json::json!({ "diagnostics": [&d] });
    Stage::new(name, vec![d], summary, report)
}

/// Loads the book at `root` and runs `stage` on it; when the book's files have errors,
/// those are printed instead, located as `validate` shows them.
fn with_project(root: &Path, format: Format, stage: impl FnOnce(&mut Project) -> Stage) -> Outcome {
    let (validated, project) = gate::validate(root);
    match project {
        Some(mut project) if validated.errors() == 0 => {
            let done = stage(&mut project);
            // Content warnings are for `validate` and the gate; a single check shows
            // only its own findings.
            emit(&[done], format)
        }
        _ => emit(&[validated], format),
    }
}

/// Each unconfirmed relation of a content file with its score and evidence, on stdout;
/// `all` is the knowledge base, for relations to other briefings.
fn print_explanations(path: &Path, doc: &crate::content::Doc, all: &[crate::content::ContentFile]) {
    let others: Vec<&crate::content::Doc> = all
        .iter()
        .map(|f| &f.doc)
        .filter(|d| d.briefing.id != doc.briefing.id)
        .collect();
    let mut explained = crate::xref::suggest::explain(doc);
    explained.extend(crate::xref::across::explain(doc, &others));
    if explained.is_empty() {
        return;
    }
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "{}: {} suggested relation(s) to confirm (write the plain id) or delete:",
        path.display(),
        explained.len()
    );
    for crate::xref::suggest::Explained {
        from,
        relation,
        to,
        evidence: e,
    } in explained
    {
        let mut why = Vec::new();
        if !e.shared.is_empty() {
            why.push(format!("shared words: {}", e.shared.join(", ")));
        }
        why.extend(e.via);
        if why.is_empty() {
            why.push("no shared words: it answers the insight the other side backs".into());
        }
        let _ = writeln!(
            out,
            "  {from} {} {to}  (score {:.2})\n      {}",
            relation.replace('_', " "),
            e.score,
            why.join("; ")
        );
    }
}

fn ingest(briefing: &Path, out: &Path, options: &crate::ingest::Options, explain: bool) -> Outcome {
    match crate::ingest::ingest(briefing, out, options) {
        Ok(outcome) => {
            let _ = write!(
                std::io::stderr().lock(),
                "{}",
                render_all(&outcome.warnings, color())
            );
            if explain {
                let (files, _) = crate::content::load_dir(out);
                if let Some(file) = files.iter().find(|f| f.path == outcome.yaml) {
                    print_explanations(&outcome.yaml, &file.doc, &files);
                }
            }
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
                    StageName::Ingest,
                    problems,
                    summary,
                    serde_json::Value::Null,
                )],
                Format::Human,
            )
        }
    }
}

/// `handbook new`.
fn new(dir: &Path, options: &crate::scaffold::Options) -> Outcome {
    match crate::scaffold::create(dir, options) {
        Ok(created) => {
            for file in &created.files {
                eprintln!("  {}", file.display());
            }
            eprintln!(
                "created the handbook {} ({} files); next: `cd {}` and `handbook serve`",
                created.root.display(),
                created.files.len(),
                created.root.display()
            );
            Outcome::Clean
        }
        Err(problems) => {
            let summary = format!("new: {} error(s)\nnew: nothing written", problems.len());
            emit(
                &[Stage::new(
                    StageName::New,
                    problems,
                    summary,
                    serde_json::Value::Null,
                )],
                Format::Human,
            )
        }
    }
}

/// `handbook review`: lists, or writes decisions.
fn review(content: &Path, what: Option<ReviewCommand>, format: Format) -> Outcome {
    use crate::review::Decision;
    let load = || {
        let (k, problems) = crate::xref::load(content);
        let errors: Vec<Diagnostic> = problems.into_iter().filter(Diagnostic::is_error).collect();
        if errors.is_empty() {
            Ok(k)
        } else {
            Err(errors)
        }
    };
    let pairs = |pairs: &[String],
                 make: fn(String, String) -> Decision|
     -> Result<Vec<Decision>, Vec<Diagnostic>> {
        if !pairs.len().is_multiple_of(2) {
            return Err(vec![
                Diagnostic::error("ids come in pairs: `FROM TO` for each relation").help(
                    "e.g. `handbook review confirm audit-legacy-services memory-safety-eliminates`",
                ),
            ]);
        }
        Ok(pairs
            .chunks(2)
            .map(|p| make(p[0].clone(), p[1].clone()))
            .collect())
    };
    let decisions = match what {
        None => {
            return match load() {
                Ok(k) => print_pending(&k, format),
                Err(errors) => failed_review(errors),
            };
        }
        Some(ReviewCommand::Confirm {
            pairs: p,
            all,
            min_score,
        }) => {
            if all {
                match load() {
                    Ok(k) => Ok(crate::review::pending(&k)
                        .0
                        .into_iter()
                        .filter(|s| min_score.is_none_or(|m| s.evidence.score >= m))
                        .map(|s| Decision::Confirm {
                            from: s.from,
                            to: s.to,
                        })
                        .collect()),
                    Err(e) => Err(e),
                }
            } else {
                pairs(&p, |from, to| Decision::Confirm { from, to })
            }
        }
        Some(ReviewCommand::Reject { pairs: p }) => {
            pairs(&p, |from, to| Decision::Reject { from, to })
        }
        Some(ReviewCommand::Reviewed { actions }) => Ok(actions
            .into_iter()
            .map(|action| Decision::Reviewed { action })
            .collect()),
        Some(ReviewCommand::Walk) => load().map(|k| walk(&k)),
    };
    let decisions = match decisions {
        Ok(d) => d,
        Err(errors) => return failed_review(errors),
    };
    if decisions.is_empty() {
        eprintln!("review: nothing to write");
        return Outcome::Clean;
    }
    match crate::review::apply(content, &decisions) {
        Ok(done) => {
            for line in done {
                eprintln!("  {line}");
            }
            eprintln!("review: {} decision(s) written", decisions.len());
            Outcome::Clean
        }
        Err(errors) => failed_review(errors),
    }
}

fn failed_review(errors: Vec<Diagnostic>) -> Outcome {
    let summary = format!("review: {} error(s)\nreview: nothing written", errors.len());
    emit(
        &[Stage::new(
            StageName::Review,
            errors,
            summary,
            serde_json::Value::Null,
        )],
        Format::Human,
    )
}

/// Prints every suggestion with its evidence, and every recommendation to review.
fn print_pending(k: &crate::xref::Knowledge, format: Format) -> Outcome {
    let (suggestions, to_review) = crate::review::pending(k);
    // Output cut short by a closed pipe (`| head`) is not an error.
    let mut out = std::io::stdout().lock();
    if format == Format::Json {
        let doc = serde_json::json!({
            "suggestions": suggestions.iter().map(|s| serde_json::json!({
                "file": s.file, "line": s.line, "from": s.from, "relation": s.relation,
                "to": s.to, "score": s.evidence.score, "shared": s.evidence.shared, "via": s.evidence.via,
            })).collect::<Vec<_>>(),
            "to_review": to_review.iter().map(|r| serde_json::json!({
                "file": r.file, "line": r.line, "action": r.action, "changed": r.changed,
            })).collect::<Vec<_>>(),
        });
        let _ = writeln!(out, "{}", serde_json::to_string_pretty(&doc).expect("JSON"));
        return Outcome::Clean;
    }
    for s in &suggestions {
        let _ = writeln!(
            out,
            "{}:{}: {} {} {}  (score {:.2})",
            s.file.display(),
            s.line,
            s.from,
            s.relation.replace('_', " "),
            s.to,
            s.evidence.score
        );
        let _ = writeln!(out, "    {}", why(&s.evidence));
    }
    for r in &to_review {
        let _ = writeln!(
            out,
            "{}:{}: {} is to review: {} changed",
            r.file.display(),
            r.line,
            r.action,
            r.changed.join(", ")
        );
    }
    eprintln!(
        "review: {} suggestion(s) (`handbook review confirm FROM TO`, `reject FROM TO`, or `walk`), {} recommendation(s) to review (`handbook review reviewed ACTION`)",
        suggestions.len(),
        to_review.len()
    );
    Outcome::Clean
}

fn why(e: &crate::xref::suggest::Evidence) -> String {
    let mut why = Vec::new();
    if !e.shared.is_empty() {
        why.push(format!("shared words: {}", e.shared.join(", ")));
    }
    why.extend(e.via.clone());
    if why.is_empty() {
        why.push("no shared words: it answers the insight the other side backs".into());
    }
    why.join("; ")
}

/// Asks about each suggestion on standard error, reads the answers from standard input.
fn walk(k: &crate::xref::Knowledge) -> Vec<crate::review::Decision> {
    use crate::review::Decision;
    use std::io::BufRead as _;
    let (suggestions, _) = crate::review::pending(k);
    let mut decisions = Vec::new();
    let mut input = std::io::stdin().lock();
    for (n, s) in suggestions.iter().enumerate() {
        eprintln!(
            "\n[{}/{}] {} {} {}  (score {:.2}, {}:{})\n    {}\n    {} ⟶ {}",
            n + 1,
            suggestions.len(),
            s.from,
            s.relation.replace('_', " "),
            s.to,
            s.evidence.score,
            s.file.display(),
            s.line,
            why(&s.evidence),
            title(k, &s.from),
            title(k, &s.to)
        );
        eprint!("[c]onfirm, [r]eject, [s]kip, [q]uit? ");
        let mut answer = String::new();
        if input.read_line(&mut answer).unwrap_or(0) == 0 {
            eprintln!();
            break;
        }
        match answer.trim().to_lowercase().as_str() {
            "c" | "confirm" | "y" | "yes" => decisions.push(Decision::Confirm {
                from: s.from.clone(),
                to: s.to.clone(),
            }),
            "r" | "reject" | "n" | "no" => decisions.push(Decision::Reject {
                from: s.from.clone(),
                to: s.to.clone(),
            }),
            "q" | "quit" => break,
            _ => {}
        }
    }
    decisions
}

fn title(k: &crate::xref::Knowledge, id: &str) -> String {
    let Some(r) = k.get(id) else {
        return id.to_string();
    };
    let d = &k.files[r.file].doc;
    match r.kind {
        crate::xref::Kind::Briefing => d.briefing.title.clone(),
        crate::xref::Kind::Section => d.sections[r.index].title.clone(),
        crate::xref::Kind::Insight => d.insights[r.index].title.clone(),
        crate::xref::Kind::Action => d.actions[r.index].title.clone(),
        crate::xref::Kind::Quote => d.quotes[r.index].text.chars().take(60).collect(),
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
            // mdBook shows this among its own messages: say which tool spoke.
            eprintln!("error (handbook {}): {e:#}", crate::config::VERSION);
            Outcome::Failed
        }
    }
}

fn serve(root: &Path, port: u16) -> Outcome {
    use crate::serve::Event;
    let result = crate::serve::serve(root, port, |event| match event {
        Event::Listening(addr) => {
            eprintln!("serving the handbook on http://{addr}/ (Ctrl-C stops)")
        }
        Event::Changed(paths) => {
            let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            eprintln!("changed: {}; rebuilding", names.join(", "));
        }
        Event::Built(stage) => {
            if emit(std::slice::from_ref(stage), Format::Human) != Outcome::Clean {
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
