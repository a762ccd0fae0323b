//! How good the suggested relations are: precision and recall against the relations a
//! careful reader wrote down for a set of briefings (`tests/fixtures/suggest/`), per
//! relation kind. A third of the set is held out from tuning and reported apart, so a
//! figure is not fitted to the data it is measured on.
//!
//! Labels name items by kind and position in the briefing (`S2` the second body
//! section, `I1` the first key insight, `A3`, `Q1`), so they do not depend on ids.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::content::{Doc, Relation};

/// Whether a labelled briefing may be looked at while tuning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    /// Used to choose the method and its constants.
    Tune,
    /// Never looked at while tuning: the honest figure.
    Holdout,
}

/// One labelled briefing (`<name>.labels.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Labels {
    /// Tuning or held-out.
    pub split: Split,
    /// The briefing, relative to the labels file, when it is not `<name>.txt` beside it.
    #[serde(default)]
    pub briefing: Option<PathBuf>,
    /// Action → the insights it addresses.
    #[serde(default)]
    pub addresses: BTreeMap<String, Vec<String>>,
    /// Quote → the insights and actions it supports.
    #[serde(default)]
    pub supports: BTreeMap<String, Vec<String>>,
    /// Insight or action → the sections that discuss it.
    #[serde(default)]
    pub discussed_in: BTreeMap<String, Vec<String>>,
    /// For a briefing that follows another: that briefing, relative to the labels file.
    /// Its items are named `E:I1`, `E:A2`.
    #[serde(default)]
    pub earlier: Option<PathBuf>,
    /// Insight → the earlier insights it updates.
    #[serde(default)]
    pub updates: BTreeMap<String, Vec<String>>,
    /// Action → the earlier actions it carries on.
    #[serde(default)]
    pub continues: BTreeMap<String, Vec<String>>,
    /// Action → the earlier actions it replaces.
    #[serde(default)]
    pub replaces: BTreeMap<String, Vec<String>>,
}

/// The relation kinds measured, in report order.
pub const KINDS: [&str; 3] = [
    "action → insight",
    "quote → insight/action",
    "item → section",
];

/// Agreement between suggestions and labels for one relation kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Suggested and labelled.
    pub hits: usize,
    /// Suggested, not labelled.
    pub extra: usize,
    /// Labelled, not suggested.
    pub missed: usize,
}

impl Counts {
    /// Share of suggestions a reader would draw (1 when nothing was suggested).
    pub fn precision(&self) -> f64 {
        let n = self.hits + self.extra;
        if n == 0 {
            1.0
        } else {
            self.hits as f64 / n as f64
        }
    }

    /// Share of the reader's relations that were suggested (1 when there are none).
    pub fn recall(&self) -> f64 {
        let n = self.hits + self.missed;
        if n == 0 {
            1.0
        } else {
            self.hits as f64 / n as f64
        }
    }

    /// Adds another count.
    pub fn add(&mut self, other: Counts) {
        self.hits += other.hits;
        self.extra += other.extra;
        self.missed += other.missed;
    }
}

/// Labels of every item of `doc` by position: id → `I2`.
fn positions(doc: &Doc) -> BTreeMap<&str, String> {
    let lists: [(char, Vec<&str>); 4] = [
        ('S', doc.sections.iter().map(|x| x.id.as_str()).collect()),
        ('I', doc.insights.iter().map(|x| x.id.as_str()).collect()),
        ('A', doc.actions.iter().map(|x| x.id.as_str()).collect()),
        ('Q', doc.quotes.iter().map(|x| x.id.as_str()).collect()),
    ];
    let mut out = BTreeMap::new();
    for (prefix, ids) in lists {
        for (i, id) in ids.into_iter().enumerate() {
            out.insert(id, format!("{prefix}{}", i + 1));
        }
    }
    out
}

/// Pairs of positions (`A1`, `I2`) related in one direction.
pub type Pairs = BTreeSet<(String, String)>;

/// What was suggested and what the labels hold, by kind.
pub fn compare(doc: &Doc, labels: &Labels) -> BTreeMap<&'static str, (Pairs, Pairs)> {
    let at = positions(doc);
    let pairs = |from: &str, list: &[Relation]| -> Vec<(String, String)> {
        list.iter()
            .filter_map(|r| at.get(r.id()))
            .map(|to| (at[from].clone(), to.clone()))
            .collect()
    };
    let mut found: BTreeMap<&str, Pairs> = BTreeMap::new();
    for a in &doc.actions {
        found
            .entry(KINDS[0])
            .or_default()
            .extend(pairs(&a.id, &a.addresses));
        found
            .entry(KINDS[2])
            .or_default()
            .extend(pairs(&a.id, &a.discussed_in));
    }
    for q in &doc.quotes {
        found
            .entry(KINDS[1])
            .or_default()
            .extend(pairs(&q.id, &q.supports));
    }
    for x in &doc.insights {
        found
            .entry(KINDS[2])
            .or_default()
            .extend(pairs(&x.id, &x.discussed_in));
    }
    let expected = |map: &BTreeMap<String, Vec<String>>| -> Pairs {
        map.iter()
            .flat_map(|(from, tos)| tos.iter().map(move |to| (from.clone(), to.clone())))
            .collect()
    };
    let wanted = [
        expected(&labels.addresses),
        expected(&labels.supports),
        expected(&labels.discussed_in),
    ];
    KINDS
        .iter()
        .zip(wanted)
        .map(|(kind, wanted)| (*kind, (found.remove(kind).unwrap_or_default(), wanted)))
        .collect()
}

/// One labelled briefing, ingested and compared.
#[derive(Debug, Clone)]
pub struct Scored {
    /// The labels file's name without `.labels.toml`.
    pub name: String,
    /// Its split.
    pub split: Split,
    /// Suggested and labelled pairs, by kind.
    pub pairs: BTreeMap<&'static str, (Pairs, Pairs)>,
}

impl Scored {
    /// Agreement for one kind.
    pub fn counts(&self, kind: &str) -> Counts {
        self.pairs
            .get(kind)
            .map_or_else(Counts::default, |(got, wanted)| Counts {
                hits: got.intersection(wanted).count(),
                extra: got.difference(wanted).count(),
                missed: wanted.difference(got).count(),
            })
    }
}

/// Ingests every labelled briefing of `dir` (`<name>.labels.toml` beside `<name>.txt`)
/// as `ingest` does, and compares its suggestions with the labels, in name order.
pub fn evaluate_dir(dir: &Path) -> anyhow::Result<Vec<Scored>> {
    let mut out = Vec::new();
    for (name, labels, briefing) in labelled(dir)? {
        let doc = ingest_text(&briefing, &mut BTreeSet::new())?;
        out.push(Scored {
            name,
            split: labels.split,
            pairs: compare(&doc, &labels),
        });
    }
    Ok(out)
}

/// Agreement summed over the briefings of one split, by kind.
pub fn totals(scored: &[Scored], split: Split) -> BTreeMap<&'static str, Counts> {
    let mut out: BTreeMap<&'static str, Counts> = BTreeMap::new();
    for s in scored.iter().filter(|s| s.split == split) {
        for kind in KINDS {
            out.entry(kind).or_default().add(s.counts(kind));
        }
    }
    out
}

/// A briefing that follows another, ingested into a knowledge base of every labelled
/// briefing, with the relations across briefings it was given and those its labels
/// hold, as `(relation, from, to)` (`("updates", "I1", "E:I2")`; an item of a briefing
/// other than the earlier one is `other:I3`).
#[derive(Debug, Clone)]
pub struct Across {
    /// The labels file's name without `.labels.toml`.
    pub name: String,
    /// Its split.
    pub split: Split,
    /// Suggested relations across briefings.
    pub got: BTreeSet<(String, String, String)>,
    /// Labelled relations across briefings.
    pub wanted: BTreeSet<(String, String, String)>,
}

impl Across {
    /// Agreement between suggested and labelled relations.
    pub fn counts(&self) -> Counts {
        Counts {
            hits: self.got.intersection(&self.wanted).count(),
            extra: self.got.difference(&self.wanted).count(),
            missed: self.wanted.difference(&self.got).count(),
        }
    }
}

/// Ingests every labelled briefing of `originals` into one knowledge base, then each
/// follow-up of `across` (`<name>.labels.toml` with `earlier`) into it, and compares
/// the relations across briefings it gets with its labels, in name order.
pub fn evaluate_across(across: &Path, originals: &Path) -> anyhow::Result<Vec<Across>> {
    let mut taken = BTreeSet::new();
    let mut base: Vec<(PathBuf, Doc)> = Vec::new();
    for (_, _, path) in labelled(originals)? {
        let doc = ingest_text(&path, &mut taken)?;
        base.push((normalize_path(&path), doc));
    }
    let mut out = Vec::new();
    for (name, labels, path) in labelled(across)? {
        let file = across.join(format!("{name}.labels.toml"));
        let earlier = labels
            .earlier
            .as_ref()
            .map(|p| normalize_path(&file.parent().unwrap_or(Path::new("")).join(p)))
            .ok_or_else(|| anyhow::anyhow!("{}: no `earlier`", file.display()))?;
        let mut taken = taken.clone();
        let mut doc = ingest_text(&path, &mut taken)?;
        let others: Vec<&Doc> = base.iter().map(|(_, d)| d).collect();
        crate::xref::across::suggest(&mut doc, &others);
        // Labels by position: the new briefing's plain, the earlier one's `E:`.
        let mut at: BTreeMap<String, String> = positions(&doc)
            .into_iter()
            .map(|(id, p)| (id.to_string(), p))
            .collect();
        for (p, d) in &base {
            let prefix = if *p == earlier { "E:" } else { "other:" };
            for (id, pos) in positions(d) {
                at.insert(id.to_string(), format!("{prefix}{pos}"));
            }
        }
        let mut got = BTreeSet::new();
        let mut add = |rel: &str, from: &str, list: &[Relation]| {
            for r in list {
                let to = &at[r.id()];
                if to.contains(':') {
                    got.insert((rel.to_string(), at[from].clone(), to.clone()));
                }
            }
        };
        for x in &doc.insights {
            add("updates", &x.id, &x.updates);
        }
        for x in &doc.actions {
            add("continues", &x.id, &x.continues);
            add("replaces", &x.id, &x.replaces);
            add("addresses", &x.id, &x.addresses);
        }
        let mut wanted = BTreeSet::new();
        for (rel, map) in [
            ("updates", &labels.updates),
            ("continues", &labels.continues),
            ("replaces", &labels.replaces),
            ("addresses", &labels.addresses),
        ] {
            for (from, tos) in map {
                for to in tos.iter().filter(|t| t.contains(':')) {
                    wanted.insert((rel.to_string(), from.clone(), to.clone()));
                }
            }
        }
        out.push(Across {
            name,
            split: labels.split,
            got,
            wanted,
        });
    }
    Ok(out)
}

/// The labels files of a folder, in name order: each one's name (without
/// `.labels.toml`), its labels and the briefing it labels.
fn labelled(dir: &Path) -> anyhow::Result<Vec<(String, Labels, PathBuf)>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".labels.toml"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let labels: Labels = toml::from_str(&std::fs::read_to_string(&file)?)
            .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
        let name = file
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .replace(".labels.toml", "");
        let briefing = match &labels.briefing {
            Some(p) => dir.join(p),
            None => dir.join(format!("{name}.txt")),
        };
        out.push((name, labels, briefing));
    }
    Ok(out)
}

/// A plain-text briefing ingested as `ingest` does, its ids distinct from `taken`.
fn ingest_text(path: &Path, taken: &mut BTreeSet<String>) -> anyhow::Result<Doc> {
    let text =
        std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let parsed = crate::briefing::text::parse(path, &text)
        .map_err(|d| anyhow::anyhow!("{}: {}", path.display(), d.message))?;
    let (mut doc, _) = crate::ingest::from_briefing_in(&parsed, "briefing.txt", taken);
    crate::xref::suggest::suggest(&mut doc);
    taken.extend(
        crate::xref::items(&doc)
            .into_iter()
            .map(|(_, _, id)| id.to_string()),
    );
    Ok(doc)
}

fn normalize_path(p: &Path) -> PathBuf {
    crate::diagnostics::normalize(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precision_and_recall() {
        let c = Counts {
            hits: 3,
            extra: 1,
            missed: 3,
        };
        assert_eq!((c.precision(), c.recall()), (0.75, 0.5));
        assert_eq!(
            (Counts::default().precision(), Counts::default().recall()),
            (1.0, 1.0)
        );
    }
}
