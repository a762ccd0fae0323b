//! Reviewing the knowledge base: the relations `ingest` suggested and the
//! recommendations whose insights changed, listed with their evidence, and the
//! contributor's decisions written back into the YAML.
//!
//! The YAML stays the source of truth, so decisions are edits of its text, not a
//! rewrite of the document: a confirmed suggestion `{id: x, suggested: 0.3}` becomes the
//! plain id `x`, a rejected one is removed (with its key when the list empties), and a
//! review writes `reviewed: '…'`. Every other line (comments, order, quoting) stays as
//! it was. The edited files must load and resolve before anything is written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::content::{ContentFile, PathSegment, Relation};
use crate::diagnostics::Diagnostic;
use crate::xref::suggest::Evidence;
use crate::xref::{Kind, Knowledge, item_path};

/// A suggested relation waiting for a decision.
#[derive(Debug, Clone)]
pub struct Suggestion {
    /// The content file that holds it.
    pub file: PathBuf,
    /// Its line there.
    pub line: usize,
    /// The item it is written on.
    pub from: String,
    /// The relation (`addresses`, `updates`…).
    pub relation: &'static str,
    /// The item it points at.
    pub to: String,
    /// Why it was suggested.
    pub evidence: Evidence,
}

/// A recommendation whose insights changed since it was last reviewed.
#[derive(Debug, Clone)]
pub struct ToReview {
    /// The content file that holds it.
    pub file: PathBuf,
    /// Its line there.
    pub line: usize,
    /// The recommendation.
    pub action: String,
    /// The insights that changed.
    pub changed: Vec<String>,
}

/// Everything waiting for a contributor, in file order.
pub fn pending(k: &Knowledge) -> (Vec<Suggestion>, Vec<ToReview>) {
    let mut suggestions = Vec::new();
    let mut to_review = Vec::new();
    for file in &k.files {
        let others: Vec<&crate::content::Doc> = k
            .files
            .iter()
            .map(|f| &f.doc)
            .filter(|d| d.briefing.id != file.doc.briefing.id)
            .collect();
        let mut explained = crate::xref::suggest::explain(&file.doc);
        explained.extend(crate::xref::across::explain(&file.doc, &others));
        for e in explained {
            let line = entry(file, &e.from, e.relation, &e.to)
                .map_or(1, |(path, _)| file.locate(&path).line);
            suggestions.push(Suggestion {
                file: file.path.clone(),
                line,
                from: e.from,
                relation: e.relation,
                to: e.to,
                evidence: e.evidence,
            });
        }
        for (i, a) in file.doc.actions.iter().enumerate() {
            let changed = k.to_review(a);
            if !changed.is_empty() {
                let mut path = item_path(Kind::Action, i);
                path.push(PathSegment::Key("reviewed"));
                to_review.push(ToReview {
                    file: file.path.clone(),
                    line: file.locate(&path).line,
                    action: a.id.clone(),
                    changed: changed.iter().map(|s| s.to_string()).collect(),
                });
            }
        }
    }
    suggestions.sort_by(|a, b| a.file.cmp(&b.file).then(a.line.cmp(&b.line)));
    (suggestions, to_review)
}

/// A contributor's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The suggested relation holds: write the plain id.
    Confirm {
        /// The item the relation is written on.
        from: String,
        /// The item it names.
        to: String,
    },
    /// It does not: remove it.
    Reject {
        /// The item the relation is written on.
        from: String,
        /// The item it names.
        to: String,
    },
    /// The recommendation still answers its insights as they read now: record their
    /// fingerprint in `reviewed`.
    Reviewed {
        /// The recommendation.
        action: String,
    },
}

/// An item's relation lists, by field name.
type Lists<'a> = Vec<(&'static str, &'a [Relation])>;

/// The relation lists an item may hold, with the item's kind and position.
fn lists<'a>(file: &'a ContentFile, id: &str) -> Option<(Kind, usize, Lists<'a>)> {
    let d = &file.doc;
    if let Some(i) = d.insights.iter().position(|x| x.id == id) {
        let x = &d.insights[i];
        return Some((
            Kind::Insight,
            i,
            vec![
                ("discussed_in", &x.discussed_in[..]),
                ("updates", &x.updates[..]),
            ],
        ));
    }
    if let Some(i) = d.actions.iter().position(|x| x.id == id) {
        let x = &d.actions[i];
        return Some((
            Kind::Action,
            i,
            vec![
                ("addresses", &x.addresses[..]),
                ("discussed_in", &x.discussed_in[..]),
                ("continues", &x.continues[..]),
                ("replaces", &x.replaces[..]),
            ],
        ));
    }
    let i = d.quotes.iter().position(|x| x.id == id)?;
    Some((
        Kind::Quote,
        i,
        vec![("supports", &d.quotes[i].supports[..])],
    ))
}

/// The path of the relation entry from `from` to `to` (in `relation` when given), and
/// whether it is the only entry of its list.
fn entry(
    file: &ContentFile,
    from: &str,
    relation: &str,
    to: &str,
) -> Option<(Vec<PathSegment<'static>>, bool)> {
    let (kind, i, lists) = lists(file, from)?;
    for (field, list) in lists {
        if !relation.is_empty() && field != relation {
            continue;
        }
        if let Some(r) = list.iter().position(|r| r.id() == to) {
            let mut path = item_path(kind, i);
            path.push(PathSegment::Key(field));
            path.push(PathSegment::Index(r));
            return Some((path, list.len() == 1));
        }
    }
    None
}

/// One edit of a file's lines: replace lines `start..end` (0-based, end exclusive) by
/// `with`.
#[derive(Debug)]
struct LineEdit {
    start: usize,
    end: usize,
    with: Vec<String>,
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// The lines of the block entry that starts on `first` (0-based): up to the next line
/// indented no deeper than its dash (blank lines and comments at the end excluded).
fn entry_end(lines: &[&str], first: usize) -> usize {
    let dash = indent_of(lines[first]);
    let mut end = first + 1;
    let mut last_content = first + 1;
    while end < lines.len() {
        let l = lines[end];
        let blank = l.trim().is_empty() || l.trim_start().starts_with('#');
        if !blank && indent_of(l) <= dash {
            break;
        }
        end += 1;
        if !blank {
            last_content = end;
        }
    }
    last_content
}

/// The edit a decision makes in `file`.
fn edit_for(
    file: &ContentFile,
    k: &Knowledge,
    decision: &Decision,
) -> Result<LineEdit, Diagnostic> {
    let lines: Vec<&str> = file.text.lines().collect();
    match decision {
        Decision::Confirm { from, to } | Decision::Reject { from, to } => {
            let Some((path, only)) = entry(file, from, "", to) else {
                return Err(
                    Diagnostic::error(format!("`{from}` has no relation to `{to}`"))
                        .help("`handbook review` lists the suggestions and their ids"),
                );
            };
            let first = file.locate(&path).line - 1;
            let text = lines[first];
            let dash = text.find("- ").filter(|d| text[..*d].trim().is_empty()).ok_or_else(|| {
                Diagnostic::error(format!("the relation from `{from}` to `{to}` is not written as a block list entry (`- …`)"))
                    .at(file.locate(&path))
                    .help("edit this relation by hand: write the plain id to confirm it, or delete it")
            })?;
            let end = entry_end(&lines, first);
            match decision {
                Decision::Confirm { .. } => Ok(LineEdit {
                    start: first,
                    end,
                    with: vec![format!("{}- {to}", " ".repeat(dash))],
                }),
                _ if only => {
                    // The list empties: its key goes with it.
                    let list = &path[..path.len() - 1];
                    let key = file.locate(list).line - 1;
                    Ok(LineEdit {
                        start: key,
                        end,
                        with: Vec::new(),
                    })
                }
                _ => Ok(LineEdit {
                    start: first,
                    end,
                    with: Vec::new(),
                }),
            }
        }
        Decision::Reviewed { action } => {
            let Some(i) = file.doc.actions.iter().position(|a| &a.id == action) else {
                return Err(Diagnostic::error(format!(
                    "no recommendation `{action}` in this file"
                )));
            };
            let a = &file.doc.actions[i];
            let value = format!("reviewed: '{}'", k.fingerprint_of(a));
            let mut id = item_path(Kind::Action, i);
            id.push(PathSegment::Key("id"));
            let first = file.locate(&id).line - 1;
            // The keys of a list entry line up after its dash (`- id: …`).
            let line = lines[first];
            let key_indent = indent_of(line)
                + if line.trim_start().starts_with("- ") {
                    2
                } else {
                    0
                };
            if a.reviewed.is_some() {
                let mut path = item_path(Kind::Action, i);
                path.push(PathSegment::Key("reviewed"));
                let line = file.locate(&path).line - 1;
                return Ok(LineEdit {
                    start: line,
                    end: line + 1,
                    with: vec![format!("{}{value}", " ".repeat(indent_of(lines[line])))],
                });
            }
            let end = entry_end(&lines, first);
            Ok(LineEdit {
                start: end,
                end,
                with: vec![format!("{}{value}", " ".repeat(key_indent))],
            })
        }
    }
}

/// Which file a decision edits: the one holding its item.
fn file_of(k: &Knowledge, decision: &Decision) -> Option<usize> {
    let id = match decision {
        Decision::Confirm { from, .. } | Decision::Reject { from, .. } => from,
        Decision::Reviewed { action } => action,
    };
    k.get(id).map(|r| r.file)
}

/// Applies `decisions` to the content folder `content_dir` and returns a line per
/// decision. Nothing is written unless every edited file loads and the knowledge base
/// still resolves.
pub fn apply(content_dir: &Path, decisions: &[Decision]) -> Result<Vec<String>, Vec<Diagnostic>> {
    let (k, problems) = crate::xref::load(content_dir);
    let errors: Vec<Diagnostic> = problems.into_iter().filter(Diagnostic::is_error).collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut edits: BTreeMap<usize, Vec<LineEdit>> = BTreeMap::new();
    let mut done = Vec::new();
    for d in decisions {
        let Some(f) = file_of(&k, d) else {
            let id = match d {
                Decision::Confirm { from, .. } | Decision::Reject { from, .. } => from,
                Decision::Reviewed { action } => action,
            };
            let mut diag = Diagnostic::error(format!("no item has the id `{id}`"));
            if let Some(best) = crate::shared::closest(id, k.index.keys().map(String::as_str)) {
                diag = diag.help(format!("did you mean `{best}`?"));
            }
            return Err(vec![diag]);
        };
        let file = &k.files[f];
        let edit = edit_for(file, &k, d).map_err(|e| vec![e])?;
        done.push(match d {
            Decision::Confirm { from, to } => {
                format!("confirmed {from} → {to} in {}", file.path.display())
            }
            Decision::Reject { from, to } => {
                format!("rejected {from} → {to} in {}", file.path.display())
            }
            Decision::Reviewed { action } => {
                format!("recorded the review of {action} in {}", file.path.display())
            }
        });
        edits.entry(f).or_default().push(edit);
    }
    let mut written: Vec<(PathBuf, String)> = Vec::new();
    let mut files: Vec<ContentFile> = k.files.clone();
    for (f, mut list) in edits {
        // From the bottom up, so the line numbers of the edits above stay true.
        list.sort_by_key(|e| std::cmp::Reverse(e.start));
        let original = &k.files[f].text;
        let newline = if original.contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        };
        let mut lines: Vec<String> = original.lines().map(str::to_string).collect();
        for e in list {
            lines.splice(e.start..e.end, e.with);
        }
        let mut text = lines.join(newline);
        text.push_str(newline);
        let parsed = crate::content::load::parse(&k.files[f].path, text.clone())?;
        files[f] = parsed;
        written.push((k.files[f].path.clone(), text));
    }
    let (_, problems) = crate::xref::resolve(files, content_dir);
    let errors: Vec<Diagnostic> = problems.into_iter().filter(Diagnostic::is_error).collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    for (path, text) in written {
        crate::shared::write_atomic(&path, text.as_bytes()).map_err(|e| {
            vec![Diagnostic::error(format!(
                "cannot write `{}`: {e}",
                path.display()
            ))]
        })?;
    }
    Ok(done)
}
