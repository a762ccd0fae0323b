//! `ingest`: a parsed briefing becomes a content file of the knowledge base, with ids
//! unique across it, provenance and suggested relations; re-ingesting a revised
//! briefing keeps what contributors curated.
//!
//! - [`ids`] makes ids from an item's own words, distinct from every id already taken;
//! - [`merge`](mod@merge) pairs a revised briefing's items with the curated ones (by id, then by
//!   text similarity and position) and keeps every curated field;
//! - [`quality`] measures the suggested relations against labelled briefings, and
//!   [`matching`] the pairing of revised items against revised labelled briefings.
//!
//! The content file is never replaced silently: without `--force` an existing file is
//! left alone, and with it the curated file is the base the briefing is merged into.
//! Nothing is written that `validate` would reject.

pub mod ids;
pub mod matching;
pub mod merge;
pub mod quality;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub use ids::{from_briefing, from_briefing_in, title_of};
pub use merge::merge;

use crate::briefing::{self, Format};
use crate::content::{self, ContentFile, Doc, Relation};
use crate::diagnostics::{Diagnostic, normalize};
use crate::shared::write_atomic;
use crate::xref::suggest;

/// What `ingest` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The content file written.
    pub yaml: PathBuf,
    /// The briefing copied beside it, when it came from elsewhere.
    pub copied_briefing: Option<PathBuf>,
    /// What was decided: ids changed to stay unique, and with `--force` what was kept
    /// from the curated file and what changed.
    pub report: Vec<String>,
    /// What the reader noticed without refusing the briefing (front matter it does
    /// not use).
    pub warnings: Vec<Diagnostic>,
}

/// How to ingest.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The briefing's format; by default the one its extension names.
    pub format: Option<Format>,
    /// Merge into the existing content file of the same briefing.
    pub force: bool,
    /// The id of the briefing this file is a revision of, when it does not come from
    /// the same file.
    pub revises: Option<String>,
}

/// Reads `briefing_path` and writes its content file into `out_dir`, the content
/// folder of the knowledge base.
///
/// The briefing is the provenance source, so when it lies outside `out_dir` it is
/// copied there (`<out_dir>/<file name>`) and the YAML names the copy.
pub fn ingest(
    briefing_path: &Path,
    out_dir: &Path,
    options: &Options,
) -> Result<Outcome, Vec<Diagnostic>> {
    let one = |d: Diagnostic| vec![d];
    let bytes = std::fs::read(briefing_path).map_err(|e| {
        one(
            Diagnostic::error(format!("cannot read `{}`: {e}", briefing_path.display()))
                .help("check the path of the briefing"),
        )
    })?;
    let format = options
        .format
        .unwrap_or_else(|| Format::of_path(briefing_path));
    let parsed = briefing::parse_file(briefing_path, &bytes, format).map_err(one)?;
    let (parsed, warnings) = (parsed.briefing, parsed.warnings);

    std::fs::create_dir_all(out_dir).map_err(|e| {
        one(Diagnostic::error(format!(
            "cannot create `{}`: {e}",
            out_dir.display()
        )))
    })?;
    let files = knowledge_base(out_dir)?;
    let (source_name, copy_to) = source_in(briefing_path, out_dir);
    if let Some(copy) = &copy_to
        && let Ok(existing) = std::fs::read(copy)
        && existing != bytes
        && !options.force
    {
        return Err(one(
            Diagnostic::error(format!(
                "`{}` already exists and differs from `{}`",
                copy.display(),
                briefing_path.display()
            ))
            .help("pass `--force` to replace the stored briefing (the curated YAML is kept), or rename the briefing"),
        ));
    }

    let same = same_briefing(&files, out_dir, &source_name, &parsed, options)?;
    let taken: BTreeSet<String> = files
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != same)
        .flat_map(|(_, f)| {
            crate::xref::items(&f.doc)
                .into_iter()
                .map(|(_, _, id)| id.to_string())
        })
        .collect();
    let (mut fresh, suffixed) = from_briefing_in(&parsed, &source_name, &taken);
    suggest::suggest(&mut fresh);
    let earlier = earlier_briefings(&files, same, &fresh);
    crate::xref::across::suggest(&mut fresh, &earlier);
    let mut report = Vec::new();

    let (doc, yaml) = match same {
        Some(i) => {
            let curated = &files[i];
            if !options.force {
                return Err(one(
                    Diagnostic::error(format!("`{}` already exists", curated.path.display()))
                        .at(crate::diagnostics::Location::in_text(&curated.path, &curated.text, 1, 1, 1))
                        .label("this content file may hold curated edits")
                        .help("it may hold curated edits: pass `--force` to merge the briefing into it (curated edits are kept and reported), or `--out DIR` to write elsewhere"),
                ));
            }
            let old = previous_version(curated, &bytes, &taken);
            let (doc, merged) = merge(curated.doc.clone(), fresh, old.as_ref());
            report.extend(merged);
            (doc, curated.path.clone())
        }
        None => {
            let base = crate::shared::slug(&parsed.title.text, 6);
            if fresh.briefing.id != base && !base.is_empty() {
                report.push(format!(
                    "another briefing is `{base}`: this one is `{}`; to re-ingest a revision of `{base}` from this file, pass `--force --revises {base}`",
                    fresh.briefing.id
                ));
            }
            if !suffixed.is_empty() {
                report.push(format!(
                    "{} id(s) that other briefings already hold got the suffix `-{}`: {}",
                    suffixed.len(),
                    ids::short(&fresh.briefing.id),
                    suffixed.join(", ")
                ));
            }
            let yaml = out_dir.join(format!("{}.yaml", fresh.briefing.id));
            (fresh, yaml)
        }
    };

    check_before_writing(files, same, &yaml, &doc, out_dir)?;
    if let Some(copy) = &copy_to
        && std::fs::read(copy).ok().as_deref() != Some(&bytes[..])
    {
        write_atomic(copy, &bytes).map_err(|e| one(cannot_write(copy, e)))?;
    }
    write_atomic(&yaml, content::to_yaml(&doc).as_bytes())
        .map_err(|e| one(cannot_write(&yaml, e)))?;
    Ok(Outcome {
        yaml,
        copied_briefing: copy_to,
        report,
        warnings,
    })
}

/// The briefings a new one may follow: every other briefing of the knowledge base but
/// those written after it (when both are dated) and those that follow it, directly or
/// through others (when it is re-ingested), so relations across briefings never go
/// round in a circle.
fn earlier_briefings<'a>(files: &'a [ContentFile], same: Option<usize>, new: &Doc) -> Vec<&'a Doc> {
    let mut later: BTreeSet<usize> = same.into_iter().collect();
    let item_ids = |f: usize| -> BTreeSet<&str> {
        crate::xref::items(&files[f].doc)
            .into_iter()
            .map(|(_, _, id)| id)
            .collect()
    };
    loop {
        let reached: BTreeSet<&str> = later.iter().flat_map(|f| item_ids(*f)).collect();
        let more: Vec<usize> = (0..files.len())
            .filter(|f| !later.contains(f))
            .filter(|f| across_targets(&files[*f].doc).any(|id| reached.contains(id)))
            .collect();
        if more.is_empty() {
            break;
        }
        later.extend(more);
    }
    files
        .iter()
        .enumerate()
        .filter(|(i, _)| !later.contains(i))
        .map(|(_, f)| &f.doc)
        .filter(|d| match (&d.briefing.date, &new.briefing.date) {
            (Some(then), Some(now)) => then <= now,
            _ => true,
        })
        .collect()
}

/// The ids a briefing's relations across briefings name (and its `addresses`, which may
/// cross too).
fn across_targets(d: &Doc) -> impl Iterator<Item = &str> {
    d.insights
        .iter()
        .flat_map(|x| &x.updates)
        .chain(
            d.actions
                .iter()
                .flat_map(|x| x.continues.iter().chain(&x.replaces).chain(&x.addresses)),
        )
        .map(Relation::id)
}

/// The content files already in `out_dir`. Ids must be unique across them, so a file
/// that cannot be read stops the ingest with its problems.
fn knowledge_base(out_dir: &Path) -> Result<Vec<ContentFile>, Vec<Diagnostic>> {
    let (files, problems) = content::load_dir(out_dir);
    if problems.iter().any(Diagnostic::is_error) {
        let mut problems: Vec<Diagnostic> =
            problems.into_iter().filter(Diagnostic::is_error).collect();
        problems.push(
            Diagnostic::error(format!(
                "the knowledge base in `{}` has errors: ids of a new briefing could clash with those of a file that cannot be read",
                out_dir.display()
            ))
            .help("fix the errors above (`handbook validate` shows them all), then ingest again"),
        );
        return Err(problems);
    }
    Ok(files)
}

/// The content file of the briefing being ingested, when the knowledge base has it:
/// the one `--revises` names, else the one whose provenance is the same briefing file,
/// else a hand-written one with the same id and no provenance.
fn same_briefing(
    files: &[ContentFile],
    out_dir: &Path,
    source_name: &str,
    parsed: &briefing::Briefing,
    options: &Options,
) -> Result<Option<usize>, Vec<Diagnostic>> {
    if let Some(id) = &options.revises {
        let found = files.iter().position(|f| &f.doc.briefing.id == id);
        return match found {
            Some(i) => Ok(Some(i)),
            None => {
                let ids = files.iter().map(|f| f.doc.briefing.id.as_str());
                let mut d = Diagnostic::error(format!("`--revises {id}`: no briefing has this id"));
                d = match crate::shared::closest(id, ids) {
                    Some(best) => d.help(format!("did you mean `{best}`?")),
                    None => d.help(
                        "name the id of a briefing under `briefing: id:` in the content folder",
                    ),
                };
                Err(vec![d])
            }
        };
    }
    let ours = normalize(&out_dir.join(source_name));
    let by_source = files.iter().position(|f| {
        f.doc.briefing.source.as_ref().is_some_and(|s| {
            let base = f.path.parent().unwrap_or(Path::new(""));
            normalize(&base.join(&s.file)) == ours
        })
    });
    let base = crate::shared::slug(&parsed.title.text, 6);
    Ok(by_source.or_else(|| {
        files
            .iter()
            .position(|f| f.doc.briefing.id == base && f.doc.briefing.source.is_none())
    }))
}

/// The document the previous version of the briefing gave, when the stored copy is
/// still the previous version: it tells which curated texts a contributor edited.
fn previous_version(curated: &ContentFile, new: &[u8], taken: &BTreeSet<String>) -> Option<Doc> {
    let source = curated.doc.briefing.source.as_ref()?;
    let path = curated.path.parent()?.join(&source.file);
    let bytes = std::fs::read(&path).ok()?;
    if bytes == new {
        return None;
    }
    let parsed = briefing::parse_file(&path, &bytes, Format::of_path(&path)).ok()?;
    Some(from_briefing_in(&parsed.briefing, &source.file, taken).0)
}

/// Resolves the knowledge base as it will be after writing: ingest never writes content
/// that `validate` rejects.
fn check_before_writing(
    mut files: Vec<ContentFile>,
    same: Option<usize>,
    yaml: &Path,
    doc: &Doc,
    out_dir: &Path,
) -> Result<(), Vec<Diagnostic>> {
    let text = content::to_yaml(doc);
    let written = content::load::parse(yaml, text).map_err(|mut problems| {
        problems.push(internal("the content file written would not load"));
        problems
    })?;
    match same {
        Some(i) => files[i] = written,
        None => files.push(written),
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let (_, problems) = crate::xref::resolve(files, out_dir);
    let errors: Vec<Diagnostic> = problems.into_iter().filter(Diagnostic::is_error).collect();
    if errors.is_empty() {
        return Ok(());
    }
    let mut errors = errors;
    errors.push(internal(
        "the knowledge base would not validate after this ingest; nothing was written",
    ));
    Err(errors)
}

fn internal(what: &str) -> Diagnostic {
    Diagnostic::error(what.to_string())
        .help("this is a fault of `handbook ingest`, not of the briefing: please report it with the briefing and the content folder")
}

/// The name the YAML uses for the briefing, and where to copy it when it lies outside
/// the output folder.
fn source_in(briefing: &Path, out_dir: &Path) -> (String, Option<PathBuf>) {
    let abs = |p: &Path| {
        std::path::absolute(p)
            .map(|a| normalize(&a))
            .unwrap_or_else(|_| p.to_path_buf())
    };
    if let Ok(rel) = abs(briefing).strip_prefix(abs(out_dir)) {
        return (rel.to_string_lossy().replace('\\', "/"), None);
    }
    let name = briefing.file_name().map_or_else(
        || "briefing.txt".to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    (name.clone(), Some(out_dir.join(name)))
}

fn cannot_write(path: &Path, e: std::io::Error) -> Diagnostic {
    Diagnostic::error(format!("cannot write `{}`: {e}", path.display()))
}
