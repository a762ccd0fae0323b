//! The relation graph: ids resolved across every content file, backlinks, coverage.
//!
//! `xref` takes the loaded files and builds a [`Knowledge`] base in which every reference
//! points at an item that exists and is of the right kind. It reports duplicate ids
//! (both places), unknown ids (with the closest one), empty texts and provenance outside
//! the content folder as errors, and coverage gaps as warnings.

pub mod across;
pub mod suggest;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::content::{ContentFile, Doc, PathSegment, Relation, Source};
use crate::diagnostics::{Diagnostic, normalize};
use crate::shared::closest;

/// What kind of item an id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A briefing as a whole.
    Briefing,
    /// A body section.
    Section,
    /// A key insight.
    Insight,
    /// An action item (recommendation).
    Action,
    /// A quote.
    Quote,
}

impl Kind {
    /// The key of the list holding items of this kind in a content file.
    pub fn list(self) -> &'static str {
        match self {
            Kind::Briefing => "briefing",
            Kind::Section => "sections",
            Kind::Insight => "insights",
            Kind::Action => "actions",
            Kind::Quote => "quotes",
        }
    }

    /// A singular noun for messages.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Briefing => "briefing",
            Kind::Section => "section",
            Kind::Insight => "insight",
            Kind::Action => "action",
            Kind::Quote => "quote",
        }
    }
}

/// Where an item lives: which file, which list, which position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemRef {
    /// Index into [`Knowledge::files`].
    pub file: usize,
    /// Its kind.
    pub kind: Kind,
    /// Its position in its list (0 for a briefing).
    pub index: usize,
}

/// Every content file, with ids resolved and backlinks computed.
#[derive(Debug, Clone)]
pub struct Knowledge {
    /// The loaded files, in path order.
    pub files: Vec<ContentFile>,
    /// Every id and where its item lives.
    pub index: BTreeMap<String, ItemRef>,
    /// Reverse relations: for a target id, the ids that point at it, by relation name.
    backlinks: BTreeMap<String, BTreeMap<Backlink, Vec<String>>>,
    /// The content folder the files were loaded from.
    content_root: PathBuf,
}

/// A computed reverse relation: what points at an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Backlink {
    /// Actions whose `addresses` names the insight.
    AddressedBy,
    /// Quotes whose `supports` names the insight or action.
    SupportedBy,
    /// Items whose `discussed_in` names the section.
    Discusses,
    /// Insights of later briefings whose `updates` names the insight.
    UpdatedBy,
    /// Recommendations of later briefings whose `continues` names the recommendation.
    ContinuedBy,
    /// Recommendations of later briefings whose `replaces` names the recommendation.
    ReplacedBy,
}

/// A relation field: its name, the kinds it may point at, its reverse, and whether it
/// relates briefings (its target must lie in another briefing).
struct RelationField {
    name: &'static str,
    targets: &'static [Kind],
    reverse: Backlink,
    across: bool,
}

const ADDRESSES: RelationField = RelationField {
    name: "addresses",
    targets: &[Kind::Insight],
    reverse: Backlink::AddressedBy,
    across: false,
};
const SUPPORTS: RelationField = RelationField {
    name: "supports",
    targets: &[Kind::Insight, Kind::Action],
    reverse: Backlink::SupportedBy,
    across: false,
};
const DISCUSSED_IN: RelationField = RelationField {
    name: "discussed_in",
    targets: &[Kind::Section],
    reverse: Backlink::Discusses,
    across: false,
};
const UPDATES: RelationField = RelationField {
    name: "updates",
    targets: &[Kind::Insight],
    reverse: Backlink::UpdatedBy,
    across: true,
};
const CONTINUES: RelationField = RelationField {
    name: "continues",
    targets: &[Kind::Action],
    reverse: Backlink::ContinuedBy,
    across: true,
};
const REPLACES: RelationField = RelationField {
    name: "replaces",
    targets: &[Kind::Action],
    reverse: Backlink::ReplacedBy,
    across: true,
};

/// Every relation list of a document, with the item that holds it.
fn relations(doc: &Doc) -> Vec<(Kind, usize, &str, &RelationField, &[Relation])> {
    let mut out: Vec<(Kind, usize, &str, &RelationField, &[Relation])> = Vec::new();
    for (i, x) in doc.insights.iter().enumerate() {
        out.push((Kind::Insight, i, &x.id, &DISCUSSED_IN, &x.discussed_in));
        out.push((Kind::Insight, i, &x.id, &UPDATES, &x.updates));
    }
    for (i, x) in doc.actions.iter().enumerate() {
        out.push((Kind::Action, i, &x.id, &ADDRESSES, &x.addresses));
        out.push((Kind::Action, i, &x.id, &DISCUSSED_IN, &x.discussed_in));
        out.push((Kind::Action, i, &x.id, &CONTINUES, &x.continues));
        out.push((Kind::Action, i, &x.id, &REPLACES, &x.replaces));
    }
    for (i, x) in doc.quotes.iter().enumerate() {
        out.push((Kind::Quote, i, &x.id, &SUPPORTS, &x.supports));
    }
    out
}

/// Every item of a document: kind, position, id.
pub fn items(doc: &Doc) -> Vec<(Kind, usize, &str)> {
    let mut out = vec![(Kind::Briefing, 0, doc.briefing.id.as_str())];
    out.extend(
        doc.sections
            .iter()
            .enumerate()
            .map(|(i, x)| (Kind::Section, i, x.id.as_str())),
    );
    out.extend(
        doc.insights
            .iter()
            .enumerate()
            .map(|(i, x)| (Kind::Insight, i, x.id.as_str())),
    );
    out.extend(
        doc.actions
            .iter()
            .enumerate()
            .map(|(i, x)| (Kind::Action, i, x.id.as_str())),
    );
    out.extend(
        doc.quotes
            .iter()
            .enumerate()
            .map(|(i, x)| (Kind::Quote, i, x.id.as_str())),
    );
    out
}

/// Every text field of a document: the item, the field name and its value.
pub fn texts(doc: &Doc) -> Vec<(Kind, usize, &'static str, &str)> {
    let mut out = vec![(Kind::Briefing, 0, "title", doc.briefing.title.as_str())];
    for (field, v) in [
        ("subtitle", &doc.briefing.subtitle),
        ("introduction", &doc.briefing.introduction),
    ] {
        if let Some(v) = v {
            out.push((Kind::Briefing, 0, field, v.as_str()));
        }
    }
    for (i, x) in doc.sections.iter().enumerate() {
        out.push((Kind::Section, i, "title", &x.title));
        out.push((Kind::Section, i, "text", &x.text));
    }
    for (i, x) in doc.insights.iter().enumerate() {
        out.push((Kind::Insight, i, "title", &x.title));
        out.push((Kind::Insight, i, "text", &x.text));
        if let Some(v) = &x.impact {
            out.push((Kind::Insight, i, "impact", v));
        }
    }
    for (i, x) in doc.actions.iter().enumerate() {
        out.push((Kind::Action, i, "title", &x.title));
        out.push((Kind::Action, i, "text", &x.text));
        if let Some(v) = &x.impact {
            out.push((Kind::Action, i, "impact", v));
        }
    }
    for (i, x) in doc.quotes.iter().enumerate() {
        out.push((Kind::Quote, i, "text", &x.text));
    }
    out
}

/// A text field of the content (markdown that lands on a page), with where it is.
pub struct TextField<'a> {
    /// The file holding it.
    pub file: &'a ContentFile,
    /// The text, as parsed.
    pub text: &'a str,
    /// The YAML line of the text's first line: the key's line for a plain or quoted
    /// scalar, the first line after the indicator for a block scalar (`|`, `>`).
    pub first_line: usize,
}

impl TextField<'_> {
    /// The YAML line of the text's 1-based line `n`. Exact in block scalars, the only
    /// ones whose text has several lines that are also the file's lines.
    pub fn line_of(&self, n: usize) -> usize {
        self.first_line + n.saturating_sub(1)
    }
}

/// Every text field of the files, in file order, with the line its text starts on.
pub fn text_fields(files: &[ContentFile]) -> Vec<TextField<'_>> {
    let mut out = Vec::new();
    for file in files {
        for (kind, index, field, text) in texts(&file.doc) {
            out.push(TextField {
                file,
                text,
                first_line: file.locate(&field_path(kind, index, field)).line,
            });
        }
    }
    out
}

fn sources(doc: &Doc) -> Vec<(Kind, usize, &Source)> {
    let mut out = Vec::new();
    if let Some(s) = &doc.briefing.source {
        out.push((Kind::Briefing, 0, s));
    }
    out.extend(
        doc.sections
            .iter()
            .enumerate()
            .filter_map(|(i, x)| Some((Kind::Section, i, x.source.as_ref()?))),
    );
    out.extend(
        doc.insights
            .iter()
            .enumerate()
            .filter_map(|(i, x)| Some((Kind::Insight, i, x.source.as_ref()?))),
    );
    out.extend(
        doc.actions
            .iter()
            .enumerate()
            .filter_map(|(i, x)| Some((Kind::Action, i, x.source.as_ref()?))),
    );
    out.extend(
        doc.quotes
            .iter()
            .enumerate()
            .filter_map(|(i, x)| Some((Kind::Quote, i, x.source.as_ref()?))),
    );
    out
}

/// The path from a document's root to an item of `kind` at `index`.
pub fn item_path(kind: Kind, index: usize) -> Vec<PathSegment<'static>> {
    match kind {
        Kind::Briefing => vec![PathSegment::Key("briefing")],
        _ => vec![PathSegment::Key(kind.list()), PathSegment::Index(index)],
    }
}

fn field_path(kind: Kind, index: usize, field: &'static str) -> Vec<PathSegment<'static>> {
    let mut p = item_path(kind, index);
    p.push(PathSegment::Key(field));
    p
}

/// Resolves references across `files` and reports every problem found.
///
/// The knowledge base is returned even when there are errors, so callers can show as
/// much as possible; they must not publish it while errors remain.
pub fn resolve(files: Vec<ContentFile>, content_root: &Path) -> (Knowledge, Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let mut index: BTreeMap<String, ItemRef> = BTreeMap::new();
    for (f, file) in files.iter().enumerate() {
        for (kind, i, id) in items(&file.doc) {
            if let Some(first) = index.get(id) {
                let here = file.locate(&field_path(kind, i, "id"));
                let there = files[first.file].locate(&field_path(first.kind, first.index, "id"));
                problems.push(
                    Diagnostic::error(format!("duplicate id `{id}`"))
                        .at(here)
                        .label(format!("this {} reuses the id", kind.noun()))
                        .related(there, format!("`{id}` is first used by this {}", first.kind.noun()))
                        .help("ids are unique across all content files: rename one of them (and the references to it)"),
                );
                continue;
            }
            index.insert(
                id.to_string(),
                ItemRef {
                    file: f,
                    kind,
                    index: i,
                },
            );
        }
    }

    let mut backlinks: BTreeMap<String, BTreeMap<Backlink, Vec<String>>> = BTreeMap::new();
    for file in &files {
        for (kind, i, id, field, list) in relations(&file.doc) {
            for (r, relation) in list.iter().enumerate() {
                let target = relation.id();
                let mut path = field_path(kind, i, field.name);
                path.push(PathSegment::Index(r));
                if relation.is_suggested() {
                    path.push(PathSegment::Key("id"));
                }
                match index.get(target) {
                    Some(t)
                        if field.across
                            && files[t.file].doc.briefing.id == file.doc.briefing.id =>
                    {
                        problems.push(
                            Diagnostic::error(format!(
                                "`{}` relates briefings, but `{target}` is {} of this same briefing",
                                field.name,
                                article(t.kind.noun())
                            ))
                            .at(file.locate(&path))
                            .help(format!(
                                "name {} of an earlier briefing here; within one briefing, relations are `addresses`, `supports` and `discussed_in`",
                                article(field.targets[0].noun())
                            )),
                        );
                    }
                    Some(t) if field.targets.contains(&t.kind) => {
                        backlinks
                            .entry(target.to_string())
                            .or_default()
                            .entry(field.reverse)
                            .or_default()
                            .push(id.to_string());
                    }
                    Some(t) => problems.push(
                        Diagnostic::error(format!(
                            "`{}` of {} `{id}` names {} `{target}`, but it must name {}",
                            field.name,
                            kind.noun(),
                            article(t.kind.noun()),
                            field
                                .targets
                                .iter()
                                .map(|k| format!("{}s", k.noun()))
                                .collect::<Vec<_>>()
                                .join(" or ")
                        ))
                        .at(file.locate(&path))
                        .label(format!("this is {}", article(t.kind.noun())))
                        .help(format!(
                            "put the id of {} here",
                            field
                                .targets
                                .iter()
                                .map(|k| article(k.noun()))
                                .collect::<Vec<_>>()
                                .join(" or ")
                        )),
                    ),
                    None => {
                        let candidates = index
                            .iter()
                            .filter(|(_, r)| field.targets.contains(&r.kind))
                            .map(|(id, _)| id.as_str());
                        let mut d =
                            Diagnostic::error(format!("unknown id `{target}` in `{}`", field.name))
                                .at(file.locate(&path))
                                .label("no item has this id");
                        d = match closest(target, candidates) {
                            Some(best) => d.help(format!("did you mean `{best}`?")),
                            None => d.help(format!(
                                "`{}` names {}; check the id or remove the reference",
                                field.name,
                                field
                                    .targets
                                    .iter()
                                    .map(|k| format!("{}s", k.noun()))
                                    .collect::<Vec<_>>()
                                    .join(" or ")
                            )),
                        };
                        problems.push(d);
                    }
                }
            }
        }
        for (kind, i, field, text) in texts(&file.doc) {
            if text.trim().is_empty() {
                problems.push(
                    Diagnostic::error(format!("`{field}` of this {} is blank", kind.noun()))
                        .at(file.locate(&field_path(kind, i, field)))
                        .help("write the text; optional fields such as `impact` can be removed instead"),
                );
            }
        }
        for (kind, i, source) in sources(&file.doc) {
            if let Some(problem) = check_source(file, content_root, source) {
                problems.push(problem.at(file.locate(&field_path(kind, i, "source"))));
            }
        }
        problems.extend(check_superseded(file, &files, &index));
    }
    for targets in backlinks.values_mut() {
        for ids in targets.values_mut() {
            ids.sort();
            ids.dedup();
        }
    }
    let knowledge = Knowledge {
        files,
        index,
        backlinks,
        content_root: content_root.to_path_buf(),
    };
    problems.extend(knowledge.coverage_warnings());
    (knowledge, problems)
}

/// `superseded_by` names another briefing, and following it never comes back round.
fn check_superseded(
    file: &ContentFile,
    files: &[ContentFile],
    index: &BTreeMap<String, ItemRef>,
) -> Option<Diagnostic> {
    let b = &file.doc.briefing;
    let by = b.superseded_by.as_ref()?;
    let at = file.locate(&field_path(Kind::Briefing, 0, "superseded_by"));
    let briefings = || {
        index
            .iter()
            .filter(|(_, r)| r.kind == Kind::Briefing)
            .map(|(id, _)| id.as_str())
    };
    match index.get(by) {
        _ if *by == b.id => Some(
            Diagnostic::error(format!("briefing `{by}` is superseded by itself"))
                .at(at)
                .help("name the briefing that replaces this one, or remove `superseded_by`"),
        ),
        Some(t) if t.kind != Kind::Briefing => Some(
            Diagnostic::error(format!(
                "`superseded_by` names {} `{by}`, but it must name a briefing",
                article(t.kind.noun())
            ))
            .at(at)
            .help(
                "put the id of the briefing that replaces this one (`briefing: id:` in its file)",
            ),
        ),
        Some(_) => {
            // Follow the chain; coming back to this briefing means none of them is current.
            let mut chain = vec![b.id.as_str(), by.as_str()];
            let mut next = by.as_str();
            while let Some(r) = index.get(next).filter(|r| r.kind == Kind::Briefing) {
                let after = files[r.file].doc.briefing.superseded_by.as_deref()?;
                chain.push(after);
                if after == b.id {
                    return Some(
                        Diagnostic::error(format!(
                            "`superseded_by` goes round in a circle: {}",
                            chain.join(" → ")
                        ))
                        .at(at)
                        .help("the newest briefing of a line is superseded by none: remove `superseded_by` from it"),
                    );
                }
                if chain.len() > files.len() + 1 {
                    return None;
                }
                next = after;
            }
            None
        }
        None => {
            let d = Diagnostic::error(format!("unknown briefing `{by}` in `superseded_by`"))
                .at(at)
                .label("no briefing has this id");
            Some(match closest(by, briefings()) {
                Some(best) => d.help(format!("did you mean `{best}`?")),
                None => d.help("put the id of the briefing that replaces this one"),
            })
        }
    }
}

fn article(noun: &str) -> String {
    if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {noun}")
    } else {
        format!("a {noun}")
    }
}

/// Provenance must name a file inside the content folder: the handbook is published
/// from the repository, and a path leading elsewhere would be read on someone's machine.
fn check_source(file: &ContentFile, content_root: &Path, source: &Source) -> Option<Diagnostic> {
    let named = Path::new(&source.file);
    let base = file.path.parent().unwrap_or(Path::new(""));
    let resolved = normalize(&base.join(named));
    if named.is_absolute() || !resolved.starts_with(normalize(content_root)) {
        return Some(
            Diagnostic::error(format!("source file `{}` lies outside the content folder", source.file))
                .help("keep the briefing beside its YAML file and name it by a relative path such as `briefing.txt`"),
        );
    }
    if source.line_start > source.line_end {
        return Some(
            Diagnostic::error(format!(
                "source lines run backwards: line_start {} is after line_end {}",
                source.line_start, source.line_end
            ))
            .help("swap the two numbers"),
        );
    }
    None
}

/// What a recommendation answers, condensed: one 4-digit hex group per insight it
/// addresses (title, text and impact), in `addresses` order. Written as `reviewed` when
/// a contributor confirms the recommendation still answers them.
pub fn fingerprint(insights: &[&crate::content::Insight]) -> String {
    use sha2::Digest as _;
    insights
        .iter()
        .map(|x| {
            let mut h = sha2::Sha256::new();
            for part in [&x.title, &x.text, x.impact.as_deref().unwrap_or("")] {
                h.update(part.as_bytes());
                h.update([0]);
            }
            let d = h.finalize();
            format!("{:02x}{:02x}", d[0], d[1])
        })
        .collect::<Vec<_>>()
        .join("-")
}

impl Knowledge {
    /// The insight with `id`, if that is what it is.
    pub fn insight(&self, id: &str) -> Option<&crate::content::Insight> {
        let r = self.get(id).filter(|r| r.kind == Kind::Insight)?;
        self.files[r.file].doc.insights.get(r.index)
    }

    /// The fingerprint of what `action` addresses now.
    pub fn fingerprint_of(&self, action: &crate::content::Action) -> String {
        let insights: Vec<_> = action
            .addresses
            .iter()
            .filter_map(|r| self.insight(r.id()))
            .collect();
        fingerprint(&insights)
    }

    /// The insights `action` addresses that changed since a contributor last reviewed
    /// it (`reviewed`); empty when it was never reviewed or nothing changed. An insight
    /// added to or removed from `addresses` counts as changed.
    pub fn to_review<'a>(&self, action: &'a crate::content::Action) -> Vec<&'a str> {
        let Some(reviewed) = &action.reviewed else {
            return Vec::new();
        };
        let then: Vec<&str> = reviewed.split('-').collect();
        let now = self.fingerprint_of(action);
        let now: Vec<&str> = now.split('-').collect();
        let ids: Vec<&str> = action.addresses.iter().map(|r| r.id()).collect();
        if then.len() != now.len() {
            return ids;
        }
        ids.into_iter()
            .zip(then.iter().zip(&now))
            .filter(|(_, (a, b))| a != b)
            .map(|(id, _)| id)
            .collect()
    }

    /// Ids of the briefings that `id` supersedes, sorted.
    pub fn supersedes(&self, id: &str) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .files
            .iter()
            .filter(|f| f.doc.briefing.superseded_by.as_deref() == Some(id))
            .map(|f| f.doc.briefing.id.as_str())
            .collect();
        out.sort();
        out
    }

    /// The content folder the knowledge base was read from.
    pub fn content_root(&self) -> &Path {
        &self.content_root
    }

    /// Where `id` lives, if it exists.
    pub fn get(&self, id: &str) -> Option<ItemRef> {
        self.index.get(id).copied()
    }

    /// Ids that point at `id` through the relation `reverse`, sorted.
    pub fn backlinks(&self, id: &str, reverse: Backlink) -> &[String] {
        self.backlinks
            .get(id)
            .and_then(|m| m.get(&reverse))
            .map_or(&[], Vec::as_slice)
    }

    /// Ids of insights that no action addresses, in file order.
    pub fn coverage_gaps(&self) -> Vec<&str> {
        let docs: Vec<&Doc> = self.files.iter().map(|f| &f.doc).collect();
        self.coverage_gaps_in(&docs)
    }

    /// The insights of `docs` that no recommendation addresses.
    pub fn coverage_gaps_in<'a>(&self, docs: &[&'a Doc]) -> Vec<&'a str> {
        docs.iter()
            .flat_map(|d| &d.insights)
            .filter(|i| self.backlinks(&i.id, Backlink::AddressedBy).is_empty())
            .map(|i| i.id.as_str())
            .collect()
    }

    fn coverage_warnings(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for file in &self.files {
            for (i, a) in file.doc.actions.iter().enumerate() {
                if a.addresses.is_empty() {
                    out.push(
                        Diagnostic::warning(format!("action `{}` addresses no insight", a.id))
                            .at(file.locate(&field_path(Kind::Action, i, "id")))
                            .help("add `addresses: [insight-id]` so leaders see why this action matters"),
                    );
                }
                let changed = self.to_review(a);
                if !changed.is_empty() {
                    out.push(
                        Diagnostic::warning(format!(
                            "recommendation `{}` is to review: {} changed since it was reviewed",
                            a.id,
                            changed
                                .iter()
                                .map(|id| format!("insight `{id}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                        .at(file.locate(&field_path(Kind::Action, i, "reviewed")))
                        .help(format!(
                            "read the recommendation against the changed text; when it still holds, set `reviewed: '{}'`",
                            self.fingerprint_of(a)
                        )),
                    );
                }
                if a.impact.is_none() {
                    out.push(
                        Diagnostic::warning(format!("action `{}` has no impact", a.id))
                            .at(file.locate(&field_path(Kind::Action, i, "id")))
                            .help("add `impact:` saying what the action achieves"),
                    );
                }
            }
            for (i, x) in file.doc.insights.iter().enumerate() {
                if self.backlinks(&x.id, Backlink::AddressedBy).is_empty() {
                    out.push(
                        Diagnostic::warning(format!(
                            "coverage gap: no action addresses insight `{}`",
                            x.id
                        ))
                        .at(file.locate(&field_path(Kind::Insight, i, "id")))
                        .help(
                            "add this id to the `addresses` of an action, or add an action for it",
                        ),
                    );
                }
                if x.impact.is_none() {
                    out.push(
                        Diagnostic::warning(format!("insight `{}` has no impact", x.id))
                            .at(file.locate(&field_path(Kind::Insight, i, "id")))
                            .help("add `impact:` saying why the insight matters"),
                    );
                }
            }
        }
        out
    }

    /// The path of the briefing text a source names, as seen from the working folder.
    pub fn source_path(&self, file: usize, source: &Source) -> PathBuf {
        let base = self.files[file].path.parent().unwrap_or(Path::new(""));
        normalize(&base.join(&source.file))
    }

    /// A path as published: relative to the folder holding the content folder (the book
    /// root), so exports do not depend on where the command ran.
    pub fn published(&self, path: &Path) -> String {
        let content = normalize(&self.content_root);
        let root = content.parent().unwrap_or(Path::new(""));
        let rel = normalize(path);
        rel.strip_prefix(root)
            .unwrap_or(&rel)
            .to_string_lossy()
            .replace('\\', "/")
    }

    /// The knowledge base as one JSON document for other tools (`handbook export`).
    pub fn export(&self) -> serde_json::Value {
        use serde_json::{Value, json};
        let ids = |list: &[Relation]| list.iter().map(|r| r.id().to_string()).collect::<Vec<_>>();
        let mut briefings = Vec::new();
        let (mut sections, mut insights, mut actions, mut quotes) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (f, file) in self.files.iter().enumerate() {
            let doc = &file.doc;
            let source = |s: &Option<Source>| match s {
                Some(s) => json!({
                    "file": self.published(&self.source_path(f, s)),
                    "line_start": s.line_start,
                    "line_end": s.line_end,
                }),
                None => Value::Null,
            };
            let b = &doc.briefing;
            briefings.push(json!({
                "id": b.id, "title": b.title, "subtitle": b.subtitle, "introduction": b.introduction,
                "summary": b.summary, "date": b.date, "author": b.author, "origin": b.origin,
                "source": source(&b.source), "tags": b.tags,
                "superseded_by": b.superseded_by,
                "supersedes": self.supersedes(&b.id),
                "file": self.published(&file.path),
            }));
            for s in &doc.sections {
                sections.push(json!({
                    "id": s.id, "briefing": b.id, "title": s.title, "text": s.text, "impact": Value::Null,
                    "source": source(&s.source), "tags": s.tags,
                    "discusses": self.backlinks(&s.id, Backlink::Discusses),
                }));
            }
            for x in &doc.insights {
                insights.push(json!({
                    "id": x.id, "briefing": b.id, "title": x.title, "text": x.text, "impact": x.impact,
                    "source": source(&x.source), "tags": x.tags,
                    "discussed_in": ids(&x.discussed_in),
                    "addressed_by": self.backlinks(&x.id, Backlink::AddressedBy),
                    "supported_by": self.backlinks(&x.id, Backlink::SupportedBy),
                    "updates": ids(&x.updates),
                    "updated_by": self.backlinks(&x.id, Backlink::UpdatedBy),
                }));
            }
            for x in &doc.actions {
                actions.push(json!({
                    "id": x.id, "briefing": b.id, "title": x.title, "text": x.text, "impact": x.impact,
                    "source": source(&x.source), "tags": x.tags,
                    "addresses": ids(&x.addresses),
                    "discussed_in": ids(&x.discussed_in),
                    "supported_by": self.backlinks(&x.id, Backlink::SupportedBy),
                    "continues": ids(&x.continues),
                    "continued_by": self.backlinks(&x.id, Backlink::ContinuedBy),
                    "replaces": ids(&x.replaces),
                    "replaced_by": self.backlinks(&x.id, Backlink::ReplacedBy),
                    "priority": x.priority, "phase": x.phase, "owner": x.owner, "status": x.status,
                    "status_date": x.status_date, "target": x.target, "to_review": self.to_review(x),
                }));
            }
            for x in &doc.quotes {
                quotes.push(json!({
                    "id": x.id, "briefing": b.id, "text": x.text, "impact": Value::Null,
                    "attribution": x.attribution,
                    "source": source(&x.source), "tags": x.tags,
                    "supports": ids(&x.supports),
                }));
            }
        }
        json!({
            "briefings": briefings,
            "sections": sections,
            "insights": insights,
            "actions": actions,
            "quotes": quotes,
            "coverage_gaps": self.coverage_gaps(),
        })
    }
}

/// Loads and resolves the content folder: the whole `content → xref` half of the
/// pipeline, returning every problem found on the way.
pub fn load(content_dir: &Path) -> (Knowledge, Vec<Diagnostic>) {
    let (files, mut problems) = crate::content::load_dir(content_dir);
    let (knowledge, mut more) = resolve(files, content_dir);
    problems.append(&mut more);
    (knowledge, problems)
}
