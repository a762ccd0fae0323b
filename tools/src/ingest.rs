//! `ingest`: a parsed briefing becomes a content file with stable ids, provenance and
//! suggested relations; re-ingesting keeps what contributors curated.
//!
//! Ids are slugs of an item's own words, never of its position, so reordering items in
//! the briefing keeps every id (and every reference to it). The content file is never
//! replaced silently: without `--force` an existing file is left alone, and with it the
//! curated file is the base that the briefing's new material is merged into.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::briefing::{self, Briefing, Format, Lines};
use crate::content::{self, Action, BriefingMeta, Doc, Insight, Quote, Relation, Section, Source};
use crate::diagnostics::{Diagnostic, normalize};
use crate::shared::{slug, write_atomic};
use crate::xref::suggest;

/// What `ingest` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The content file written.
    pub yaml: PathBuf,
    /// The briefing copied beside it, when it came from elsewhere.
    pub copied_briefing: Option<PathBuf>,
    /// With `--force`: what was kept from the curated file and what changed.
    pub report: Vec<String>,
    /// What the reader noticed without refusing the briefing (front matter it does
    /// not use).
    pub warnings: Vec<Diagnostic>,
}

/// Reads `briefing_path` in `format` (by default the one its extension names) and
/// writes `<out_dir>/<briefing-id>.yaml`.
///
/// The briefing is the provenance source, so when it lies outside `out_dir` it is
/// copied there (`<out_dir>/<file name>`) and the YAML names the copy.
pub fn ingest(
    briefing_path: &Path,
    out_dir: &Path,
    format: Option<Format>,
    force: bool,
) -> Result<Outcome, Vec<Diagnostic>> {
    let one = |d: Diagnostic| vec![d];
    let bytes = std::fs::read(briefing_path).map_err(|e| {
        one(
            Diagnostic::error(format!("cannot read `{}`: {e}", briefing_path.display()))
                .help("check the path of the briefing"),
        )
    })?;
    let format = format.unwrap_or_else(|| Format::of_path(briefing_path));
    let parsed = briefing::parse_file(briefing_path, &bytes, format).map_err(one)?;
    let (parsed, warnings) = (parsed.briefing, parsed.warnings);

    std::fs::create_dir_all(out_dir).map_err(|e| {
        one(Diagnostic::error(format!(
            "cannot create `{}`: {e}",
            out_dir.display()
        )))
    })?;
    let (source_name, copy_to) = source_in(briefing_path, out_dir);
    if let Some(copy) = &copy_to
        && let Ok(existing) = std::fs::read(copy)
        && existing != bytes
        && !force
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

    let mut fresh = from_briefing(&parsed, &source_name);
    suggest::suggest(&mut fresh);
    let yaml = out_dir.join(format!("{}.yaml", fresh.briefing.id));

    let (doc, report) = if yaml.exists() {
        if !force {
            return Err(one(
                Diagnostic::error(format!("`{}` already exists", yaml.display()))
                    .at(crate::diagnostics::Location::in_text(&yaml, &std::fs::read_to_string(&yaml).unwrap_or_default(), 1, 1, 1))
                    .label("this content file may hold curated edits")
                    .help("it may hold curated edits: pass `--force` to merge the briefing into it (curated edits are kept and reported), or `--out DIR` to write elsewhere"),
            ));
        }
        let curated = content::load_file(&yaml)?;
        merge(curated.doc, fresh)
    } else {
        (fresh, Vec::new())
    };

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

fn source(file: &str, lines: Lines) -> Option<Source> {
    Some(Source {
        file: file.to_string(),
        line_start: lines.start as u32,
        line_end: lines.end as u32,
    })
}

/// Builds the content document for a briefing, with ids and provenance, no relations.
pub fn from_briefing(b: &Briefing, source_file: &str) -> Doc {
    let mut taken = BTreeSet::new();
    let mut id = |words: &str, max: usize, fallback: &str| {
        let base = Some(slug(words, max))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| fallback.to_string());
        let mut candidate = base.clone();
        let mut n = 2;
        while !taken.insert(candidate.clone()) {
            candidate = format!("{base}-{n}");
            n += 1;
        }
        candidate
    };
    let whole = Lines {
        start: 1,
        end: [
            b.quotes.last().map(|q| q.text.lines.end),
            b.actions.last().map(|a| a.lines.end),
            b.insights.last().map(|a| a.lines.end),
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(b.title.lines.end),
    };
    let briefing = BriefingMeta {
        id: id(&b.title.text, 6, "briefing"),
        title: b.title.text.clone(),
        subtitle: b.subtitle.as_ref().map(|t| t.text.clone()),
        introduction: b.introduction.as_ref().map(|t| t.text.clone()),
        summary: None,
        date: b.meta.date.clone(),
        author: b.meta.author.clone(),
        origin: b.meta.origin.clone(),
        source: source(source_file, whole),
        tags: b.meta.tags.clone(),
    };
    let sections = b
        .sections
        .iter()
        .map(|s| Section {
            id: id(&s.heading.text, 6, "section"),
            title: s.heading.text.clone(),
            text: s.body.text.clone(),
            source: source(
                source_file,
                Lines {
                    start: s.heading.lines.start,
                    end: s.body.lines.end,
                },
            ),
            tags: Vec::new(),
        })
        .collect();
    let insights = b
        .insights
        .iter()
        .map(|x| Insight {
            id: id(id_words(x), 5, "insight"),
            title: item_title(x),
            text: x.text.text.clone(),
            impact: x.impact.as_ref().map(|t| t.text.clone()),
            source: source(source_file, x.lines),
            tags: Vec::new(),
            discussed_in: Vec::new(),
        })
        .collect();
    let actions = b
        .actions
        .iter()
        .map(|x| Action {
            id: id(id_words(x), 5, "action"),
            title: item_title(x),
            text: x.text.text.clone(),
            impact: x.impact.as_ref().map(|t| t.text.clone()),
            source: source(source_file, x.lines),
            tags: Vec::new(),
            addresses: Vec::new(),
            discussed_in: Vec::new(),
            priority: None,
            phase: None,
            owner: None,
            status: None,
            status_date: None,
            target: None,
            reviewed: None,
        })
        .collect();
    let quotes = b
        .quotes
        .iter()
        .map(|q| Quote {
            id: id(&format!("quote {}", q.text.text), 5, "quote"),
            text: q.text.text.clone(),
            attribution: q.attribution.clone(),
            source: source(source_file, q.text.lines),
            tags: Vec::new(),
            supports: Vec::new(),
        })
        .collect();
    Doc {
        briefing,
        sections,
        insights,
        actions,
        quotes,
    }
}

/// The words an item's id is made of: the title its author gave it, else its text.
fn id_words(item: &briefing::Item) -> &str {
    item.title.as_ref().map_or(&item.text.text, |t| &t.text)
}

/// The title the author gave an item (a bold lead-in), else one made from its text.
fn item_title(item: &briefing::Item) -> String {
    match &item.title {
        Some(t) => t.text.clone(),
        None => title_of(&item.text.text),
    }
}

/// A short title for an item: its first clause, at most eight words.
pub fn title_of(text: &str) -> String {
    let first_sentence = text.split(". ").next().unwrap_or(text);
    let clause = first_sentence
        .split_once(", ")
        .filter(|(head, _)| head.split_whitespace().count() >= 3)
        .map_or(first_sentence, |(head, _)| head);
    let mut words: Vec<&str> = clause.split_whitespace().take(8).collect();
    // A title cut mid-clause must not end on a word that promises more ("… and").
    while words.len() > 1
        && words
            .last()
            .is_some_and(|w| crate::shared::FILLER.contains(&w.to_ascii_lowercase().as_str()))
    {
        words.pop();
    }
    words
        .join(" ")
        .trim_end_matches(|c: char| c.is_ascii_punctuation() && c != ')')
        .to_string()
}

/// An item that can be merged: its id, its texts by field name, its provenance, and its
/// relation lists.
trait Mergeable {
    fn id(&self) -> &str;
    fn texts(&self) -> Vec<(&'static str, Option<&String>)>;
    fn source_mut(&mut self) -> &mut Option<Source>;
    fn relations_mut(&mut self) -> Vec<(&'static str, &mut Vec<Relation>)>;
}

macro_rules! mergeable {
    ($ty:ty, [$($text:ident),*], [$($opt:ident),*], [$($rel:ident),*]) => {
        impl Mergeable for $ty {
            fn id(&self) -> &str { &self.id }
            fn texts(&self) -> Vec<(&'static str, Option<&String>)> {
                vec![$((stringify!($text), Some(&self.$text)),)* $((stringify!($opt), self.$opt.as_ref()),)*]
            }
            fn source_mut(&mut self) -> &mut Option<Source> { &mut self.source }
            fn relations_mut(&mut self) -> Vec<(&'static str, &mut Vec<Relation>)> {
                vec![$((stringify!($rel), &mut self.$rel),)*]
            }
        }
    };
}
mergeable!(Section, [title, text], [], []);
mergeable!(Insight, [title, text], [impact], [discussed_in]);
mergeable!(Action, [title, text], [impact], [addresses, discussed_in]);
mergeable!(Quote, [text], [attribution], [supports]);

fn merge_list<T: Mergeable + Clone>(
    noun: &str,
    curated: &mut Vec<T>,
    fresh: Vec<T>,
    report: &mut Vec<String>,
) {
    let fresh_ids: BTreeSet<String> = fresh.iter().map(|f| f.id().to_string()).collect();
    for mut f in fresh {
        let Some(c) = curated.iter_mut().find(|c| c.id() == f.id()) else {
            report.push(format!("added {noun} `{}`", f.id()));
            curated.push(f);
            continue;
        };
        for ((field, kept), (_, new)) in c.texts().into_iter().zip(f.texts()) {
            if kept != new {
                report.push(format!(
                    "kept the curated `{field}` of {noun} `{}` (the briefing says: {})",
                    f.id(),
                    new.map_or("nothing".to_string(), |t| format!("\"{}\"", shorten(t)))
                ));
            }
        }
        if *c.source_mut() != *f.source_mut() {
            *c.source_mut() = f.source_mut().clone();
            report.push(format!("updated the source lines of {noun} `{}`", f.id()));
        }
        let id = f.id().to_string();
        for ((field, kept), (_, new)) in c.relations_mut().into_iter().zip(f.relations_mut()) {
            if kept.iter().all(Relation::is_suggested) {
                if kept != new {
                    *kept = std::mem::take(new);
                    report.push(format!(
                        "refreshed the suggested `{field}` of {noun} `{id}`"
                    ));
                }
            } else {
                report.push(format!("kept the curated `{field}` of {noun} `{id}`"));
            }
        }
    }
    for c in curated.iter().filter(|c| !fresh_ids.contains(c.id())) {
        report.push(format!(
            "kept {noun} `{}`, which the briefing no longer has",
            c.id()
        ));
    }
}

fn shorten(text: &str) -> String {
    let mut s: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        s.push('…');
    }
    s
}

/// Merges a freshly ingested document into a curated one: curated texts, relations,
/// tags and decisions win; new items are added; provenance and untouched suggestions
/// are refreshed. Returns the merged document and a line per decision.
pub fn merge(mut curated: Doc, fresh: Doc) -> (Doc, Vec<String>) {
    let mut report = Vec::new();
    let (c, f) = (&mut curated.briefing, fresh.briefing);
    for (field, kept, new) in [
        ("title", Some(&c.title), Some(&f.title)),
        ("subtitle", c.subtitle.as_ref(), f.subtitle.as_ref()),
        (
            "introduction",
            c.introduction.as_ref(),
            f.introduction.as_ref(),
        ),
    ] {
        if kept != new {
            report.push(format!("kept the curated `{field}` of the briefing"));
        }
    }
    for (field, kept, new) in [
        ("date", &mut c.date, f.date),
        ("author", &mut c.author, f.author),
        ("origin", &mut c.origin, f.origin),
    ] {
        match (kept.as_ref(), new) {
            (None, Some(new)) => {
                report.push(format!("added the `{field}` of the briefing: {new}"));
                *kept = Some(new);
            }
            (Some(k), Some(new)) if *k != new => {
                report.push(format!(
                    "kept the curated `{field}` of the briefing (the briefing says: {new})"
                ));
            }
            _ => {}
        }
    }
    if c.tags.is_empty() && !f.tags.is_empty() {
        c.tags = f.tags;
        report.push("added the `tags` of the briefing".to_string());
    }
    if c.source != f.source {
        c.source = f.source;
        report.push("updated the source lines of the briefing".to_string());
    }
    merge_list(
        "section",
        &mut curated.sections,
        fresh.sections,
        &mut report,
    );
    merge_list(
        "insight",
        &mut curated.insights,
        fresh.insights,
        &mut report,
    );
    merge_list("action", &mut curated.actions, fresh.actions, &mut report);
    merge_list("quote", &mut curated.quotes, fresh.quotes, &mut report);
    (curated, report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_first_clauses() {
        assert_eq!(
            title_of(
                "Memory safety eliminates critical vulnerability classes, driving regulatory adoption."
            ),
            "Memory safety eliminates critical vulnerability classes"
        );
        assert_eq!(title_of("Short one."), "Short one");
    }
}
