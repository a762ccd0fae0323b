//! Re-ingesting a revised briefing into its curated content file.
//!
//! Items of the fresh document are paired with the curated ones: first by id, then,
//! for the rest, by text similarity with their position as a tie-breaker, so an item
//! whose words changed ("Inventory all identity providers…" → "Inventory every identity
//! provider…") keeps its id and everything curated about it. Text fields follow a
//! three-way rule when the previous version of the briefing is known: a field the
//! contributor did not touch takes the briefing's new words; a field they edited is
//! kept. Only items with no counterpart are added, or reported as gone.

use std::collections::{BTreeMap, BTreeSet};

use crate::content::{Action, Doc, Insight, Quote, Relation, Section, Source};
use crate::xref::suggest;

/// Below this text similarity (TF-IDF cosine) two items are different items.
pub const MIN_SAME: f64 = 0.35;
/// How much an item's relative position counts next to its words.
const POSITION_WEIGHT: f64 = 0.15;

/// How a fresh item found its curated counterpart.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Found {
    /// The same id.
    Id(usize),
    /// Different words, recognisably the same item.
    Similar(usize, f64),
}

/// An item that can be merged: its id, its text fields by name, its provenance, and
/// its relation lists.
trait Mergeable: Clone {
    const NOUN: &'static str;
    fn id(&self) -> &str;
    fn texts(&self) -> Vec<(&'static str, Option<String>)>;
    fn set_text(&mut self, field: &str, value: Option<String>);
    /// The words compared to recognise the item.
    fn words(&self) -> String;
    fn source_mut(&mut self) -> &mut Option<Source>;
    fn relations_mut(&mut self) -> Vec<(&'static str, &mut Vec<Relation>)>;
}

macro_rules! mergeable {
    ($ty:ty, $noun:literal, [$($text:ident),*], [$($opt:ident),*], [$($rel:ident),*], $words:expr) => {
        impl Mergeable for $ty {
            const NOUN: &'static str = $noun;
            fn id(&self) -> &str { &self.id }
            fn texts(&self) -> Vec<(&'static str, Option<String>)> {
                vec![$((stringify!($text), Some(self.$text.clone())),)* $((stringify!($opt), self.$opt.clone()),)*]
            }
            fn set_text(&mut self, field: &str, value: Option<String>) {
                match field {
                    $(stringify!($text) => if let Some(v) = value { self.$text = v },)*
                    $(stringify!($opt) => self.$opt = value,)*
                    _ => {}
                }
            }
            fn words(&self) -> String { ($words)(self) }
            fn source_mut(&mut self) -> &mut Option<Source> { &mut self.source }
            fn relations_mut(&mut self) -> Vec<(&'static str, &mut Vec<Relation>)> {
                vec![$((stringify!($rel), &mut self.$rel),)*]
            }
        }
    };
}
mergeable!(
    Section,
    "section",
    [title, text],
    [],
    [],
    |s: &Section| format!("{} {}", s.title, s.text)
);
mergeable!(
    Insight,
    "insight",
    [title, text],
    [impact],
    [discussed_in, updates],
    |x: &Insight| x.text.clone()
);
mergeable!(
    Action,
    "action",
    [title, text],
    [impact],
    [addresses, discussed_in, continues, replaces],
    |x: &Action| x.text.clone()
);
mergeable!(
    Quote,
    "quote",
    [text],
    [attribution],
    [supports],
    |x: &Quote| x.text.clone()
);

/// Pairs each fresh item with at most one curated item: the same id first, then the
/// most similar remaining ones, best pairs first.
fn pair<T: Mergeable>(fresh: &[T], curated: &[T]) -> Vec<Option<Found>> {
    let mut found: Vec<Option<Found>> = fresh
        .iter()
        .map(|f| curated.iter().position(|c| c.id() == f.id()).map(Found::Id))
        .collect();
    let mut taken: BTreeSet<usize> = found
        .iter()
        .filter_map(|f| match f {
            Some(Found::Id(c)) => Some(*c),
            _ => None,
        })
        .collect();
    let open_f: Vec<usize> = (0..fresh.len()).filter(|i| found[*i].is_none()).collect();
    let open_c: Vec<usize> = (0..curated.len()).filter(|i| !taken.contains(i)).collect();
    if open_f.is_empty() || open_c.is_empty() {
        return found;
    }
    let texts: Vec<String> = fresh.iter().chain(curated).map(Mergeable::words).collect();
    let vectors = suggest::vectors(&texts);
    let at = |i: usize, n: usize| {
        if n > 1 {
            i as f64 / (n - 1) as f64
        } else {
            0.5
        }
    };
    let mut candidates: Vec<(f64, f64, usize, usize)> = Vec::new();
    for &f in &open_f {
        for &c in &open_c {
            let words = suggest::cosine(&vectors[f], &vectors[fresh.len() + c]);
            if words < MIN_SAME {
                continue;
            }
            let place = 1.0 - (at(f, fresh.len()) - at(c, curated.len())).abs();
            let score = (1.0 - POSITION_WEIGHT) * words + POSITION_WEIGHT * place;
            candidates.push((score, words, f, c));
        }
    }
    // Best first; ties by position in the files, so the pairing is deterministic.
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.2.cmp(&b.2)).then(a.3.cmp(&b.3)));
    for (_, words, f, c) in candidates {
        if found[f].is_none() && taken.insert(c) {
            found[f] = Some(Found::Similar(c, words));
        }
    }
    found
}

/// What a merge changed, for the report and for the relations pointing at items.
#[derive(Default)]
struct Merged {
    report: Vec<String>,
    /// Fresh id → the curated id its item keeps.
    renamed: BTreeMap<String, String>,
    /// Curated ids whose text fields took the briefing's new words.
    reworded: BTreeSet<String>,
}

/// Merges the fresh items of one list into the curated ones. `old` holds the text
/// fields of the previous version of the briefing by curated id, when it is known.
fn merge_list<T: Mergeable>(
    curated: &mut Vec<T>,
    fresh: Vec<T>,
    old: &BTreeMap<String, Vec<(&'static str, Option<String>)>>,
    renamed: &BTreeMap<String, String>,
    merged: &mut Merged,
) {
    let noun = T::NOUN;
    let pairs = pair(&fresh, curated);
    let original = curated.len();
    let mut kept: BTreeSet<usize> = BTreeSet::new();
    for (mut f, found) in fresh.into_iter().zip(pairs) {
        for (_, list) in f.relations_mut() {
            rename(list, renamed);
        }
        let Some(found) = found else {
            merged.report.push(format!("added {noun} `{}`", f.id()));
            curated.push(f);
            continue;
        };
        let (index, similar) = match found {
            Found::Id(c) => (c, None),
            Found::Similar(c, score) => (c, Some(score)),
        };
        kept.insert(index);
        let c = &mut curated[index];
        let id = c.id().to_string();
        if let Some(score) = similar {
            merged.report.push(format!(
                "re-worded {noun} `{id}` (the briefing now says: \"{}\"; {:.0} % alike): kept its id and curation",
                shorten(&f.words()),
                score * 100.0
            ));
        }
        let before = old.get(&id);
        let mut took_new = false;
        for ((field, kept_value), (_, new)) in c.texts().into_iter().zip(f.texts()) {
            if kept_value == new {
                continue;
            }
            let untouched = match before.and_then(|b| b.iter().find(|(n, _)| *n == field)) {
                // The contributor left the field as the briefing had it.
                Some((_, was)) => *was == kept_value,
                // Without the previous version, a recognised re-wording takes the new
                // words, an item under its own id keeps the curated ones.
                None => similar.is_some(),
            };
            if untouched {
                c.set_text(field, new);
                took_new = true;
            } else {
                merged.report.push(format!(
                    "kept the curated `{field}` of {noun} `{id}` (the briefing says: {})",
                    new.map_or("nothing".to_string(), |t| format!("\"{}\"", shorten(&t)))
                ));
            }
        }
        if took_new {
            merged.reworded.insert(id.clone());
            if similar.is_none() {
                merged
                    .report
                    .push(format!("took the briefing's new words for {noun} `{id}`"));
            }
        }
        if *c.source_mut() != *f.source_mut() {
            *c.source_mut() = f.source_mut().clone();
            if similar.is_none() {
                merged
                    .report
                    .push(format!("updated the source lines of {noun} `{id}`"));
            }
        }
        for ((field, kept), (_, new)) in c.relations_mut().into_iter().zip(f.relations_mut()) {
            if kept.iter().all(Relation::is_suggested) {
                if kept != new {
                    *kept = std::mem::take(new);
                    merged.report.push(format!(
                        "refreshed the suggested `{field}` of {noun} `{id}`"
                    ));
                }
            } else if kept != new {
                merged
                    .report
                    .push(format!("kept the curated `{field}` of {noun} `{id}`"));
            }
        }
    }
    for c in curated[..original]
        .iter()
        .enumerate()
        .filter(|(i, _)| !kept.contains(i))
    {
        merged.report.push(format!(
            "kept {noun} `{}`, which the briefing no longer has",
            c.1.id()
        ));
    }
}

fn rename(list: &mut [Relation], renamed: &BTreeMap<String, String>) {
    for r in list {
        let Some(to) = renamed.get(r.id()) else {
            continue;
        };
        match r {
            Relation::Curated(id) => *id = to.clone(),
            Relation::Suggested(s) => s.id = to.clone(),
        }
    }
}

/// The fresh ids of items that pair with a curated item under another id.
fn renames<T: Mergeable>(fresh: &[T], curated: &[T], into: &mut BTreeMap<String, String>) {
    for (f, found) in fresh.iter().zip(pair(fresh, curated)) {
        if let Some(Found::Similar(c, _)) = found
            && f.id() != curated[c].id()
        {
            into.insert(f.id().to_string(), curated[c].id().to_string());
        }
    }
}

fn old_texts<T: Mergeable>(
    list: &[T],
    into: &mut BTreeMap<String, Vec<(&'static str, Option<String>)>>,
) {
    for x in list {
        into.insert(x.id().to_string(), x.texts());
    }
}

fn shorten(text: &str) -> String {
    let mut s: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        s.push('…');
    }
    s
}

/// Merges a freshly ingested document into a curated one; `old` is the document the
/// previous version of the briefing gives, when that version is still at hand.
///
/// Curated relations, tags and decisions are kept, and so are text fields a
/// contributor edited; re-worded items keep their ids; new items are added; provenance
/// and untouched suggestions are refreshed. A recommendation that answers a re-worded
/// insight through a confirmed relation is marked *to review*. Returns the merged
/// document and a line per decision.
pub fn merge(mut curated: Doc, mut fresh: Doc, old: Option<&Doc>) -> (Doc, Vec<String>) {
    let mut merged = Merged::default();
    merge_briefing(&mut curated, &fresh, &mut merged.report);
    let mut renamed = BTreeMap::new();
    renames(&fresh.sections, &curated.sections, &mut renamed);
    renames(&fresh.insights, &curated.insights, &mut renamed);
    renames(&fresh.actions, &curated.actions, &mut renamed);
    renames(&fresh.quotes, &curated.quotes, &mut renamed);
    merged.renamed = renamed.clone();
    let mut before = BTreeMap::new();
    if let Some(old) = old {
        old_texts(&old.sections, &mut before);
        old_texts(&old.insights, &mut before);
        old_texts(&old.actions, &mut before);
        old_texts(&old.quotes, &mut before);
    }
    let insights_before: Vec<Insight> = curated.insights.clone();
    merge_list(
        &mut curated.sections,
        std::mem::take(&mut fresh.sections),
        &before,
        &renamed,
        &mut merged,
    );
    merge_list(
        &mut curated.insights,
        std::mem::take(&mut fresh.insights),
        &before,
        &renamed,
        &mut merged,
    );
    merge_list(
        &mut curated.actions,
        std::mem::take(&mut fresh.actions),
        &before,
        &renamed,
        &mut merged,
    );
    merge_list(
        &mut curated.quotes,
        std::mem::take(&mut fresh.quotes),
        &before,
        &renamed,
        &mut merged,
    );
    mark_to_review(
        &mut curated,
        &insights_before,
        &merged.reworded,
        &mut merged.report,
    );
    (curated, merged.report)
}

/// A recommendation that answers a re-worded insight through a relation a contributor
/// confirmed, and has no `reviewed` fingerprint yet, gets the fingerprint of what the
/// insights said before: the existing mechanism then marks it *to review* everywhere.
fn mark_to_review(
    doc: &mut Doc,
    before: &[Insight],
    reworded: &BTreeSet<String>,
    report: &mut Vec<String>,
) {
    for action in &mut doc.actions {
        let changed: Vec<&str> = action
            .addresses
            .iter()
            .filter(|r| !r.is_suggested() && reworded.contains(r.id()))
            .map(Relation::id)
            .collect();
        if changed.is_empty() || action.reviewed.is_some() {
            continue;
        }
        let then: Vec<&Insight> = action
            .addresses
            .iter()
            .filter_map(|r| before.iter().find(|x| x.id == r.id()))
            .collect();
        if then.len() != action.addresses.len() {
            continue;
        }
        action.reviewed = Some(crate::xref::fingerprint(&then));
        report.push(format!(
            "marked action `{}` to review: {} re-worded",
            action.id,
            changed
                .iter()
                .map(|id| format!("insight `{id}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
}

/// The briefing's own fields: curated title, subtitle and introduction win; missing
/// metadata is filled in; provenance is refreshed.
fn merge_briefing(curated: &mut Doc, fresh: &Doc, report: &mut Vec<String>) {
    let (c, f) = (&mut curated.briefing, &fresh.briefing);
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
        ("date", &mut c.date, &f.date),
        ("author", &mut c.author, &f.author),
        ("origin", &mut c.origin, &f.origin),
    ] {
        match (kept.as_ref(), new) {
            (None, Some(new)) => {
                report.push(format!("added the `{field}` of the briefing: {new}"));
                *kept = Some(new.clone());
            }
            (Some(k), Some(new)) if k != new => {
                report.push(format!(
                    "kept the curated `{field}` of the briefing (the briefing says: {new})"
                ));
            }
            _ => {}
        }
    }
    if c.tags.is_empty() && !f.tags.is_empty() {
        c.tags = f.tags.clone();
        report.push("added the `tags` of the briefing".to_string());
    }
    if c.source != f.source {
        c.source = f.source.clone();
        report.push("updated the source lines of the briefing".to_string());
    }
}
