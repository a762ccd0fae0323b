//! How well re-ingesting a revised briefing keeps identities, measured on revised
//! versions of the labelled briefings (`tests/fixtures/revisions/`).
//!
//! Each original briefing is ingested and curated (an owner on every recommendation, a
//! tag on every insight, every suggested `addresses` confirmed), then its revision is
//! merged in. `<name>.toml` says where each original item went; an item's curation must
//! end up on the revised item it became. Split items may keep the identity in either
//! half; of items merged into one, one keeps it and the others are reported gone.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::content::{Doc, Relation};

/// Where each item of an original briefing went: `I1 = "I2"`, several positions for a
/// split, `""` for an item the revision dropped.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Moves {
    /// Insights by position.
    #[serde(default)]
    pub insights: BTreeMap<String, Target>,
    /// Recommendations by position.
    #[serde(default)]
    pub actions: BTreeMap<String, Target>,
}

/// Where one item went.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Target {
    /// One position, or `""` when it is gone.
    One(String),
    /// A split: any of these positions may keep the identity.
    Split(Vec<String>),
}

impl Target {
    fn positions(&self) -> Vec<&str> {
        match self {
            Target::One(p) if p.is_empty() => Vec::new(),
            Target::One(p) => vec![p.as_str()],
            Target::Split(ps) => ps.iter().map(String::as_str).collect(),
        }
    }
}

/// The outcome for one revised briefing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Items whose curation landed on the item they became (or stayed with an item that
    /// is gone, when it is).
    pub kept: usize,
    /// Curation that landed on an item the original did not become.
    pub wrong: usize,
    /// Items that have a counterpart but were added anew beside the curated one: a
    /// duplicate, with the curation on the stale copy.
    pub duplicated: usize,
    /// Curated fields no longer found anywhere.
    pub lost: usize,
}

impl Outcome {
    /// Adds another outcome.
    pub fn add(&mut self, o: Outcome) {
        self.kept += o.kept;
        self.wrong += o.wrong;
        self.duplicated += o.duplicated;
        self.lost += o.lost;
    }
}

/// Curates an ingested document as a contributor would: an owner on every
/// recommendation, a tag on every insight (both naming the item's position), every
/// suggested `addresses` confirmed.
pub fn curate(doc: &mut Doc) {
    for (i, a) in doc.actions.iter_mut().enumerate() {
        a.owner = Some(format!("owner of A{}", i + 1));
        a.addresses = a
            .addresses
            .iter()
            .map(|r| Relation::Curated(r.id().to_string()))
            .collect();
    }
    for (i, x) in doc.insights.iter_mut().enumerate() {
        x.tags.push(format!("curated-I{}", i + 1));
    }
}

/// Measures one revision: `original` and `revised` are the two briefings' documents as
/// ingested; `with_previous` gives the merge the original as the previous version.
pub fn measure(original: &Doc, revised: Doc, moves: &Moves, with_previous: bool) -> Outcome {
    let mut curated = original.clone();
    curate(&mut curated);
    let previous = with_previous.then_some(original);
    let (merged, _) = super::merge(curated, revised.clone(), previous);
    let mut outcome = Outcome::default();
    // Where the merged item holding each original item's curation now comes from: the
    // revised briefing's line (its provenance is refreshed), or none when it is gone.
    let line = |s: &Option<crate::content::Source>| {
        s.as_ref()
            .filter(|s| s.file == REVISED)
            .map(|s| s.line_start)
    };
    let holders_i: Vec<Option<Option<u32>>> = (1..=original.insights.len())
        .map(|n| {
            let tag = format!("curated-I{n}");
            merged
                .insights
                .iter()
                .find(|x| x.tags.contains(&tag))
                .map(|x| line(&x.source))
        })
        .collect();
    let holders_a: Vec<Option<Option<u32>>> = (1..=original.actions.len())
        .map(|n| {
            let owner = format!("owner of A{n}");
            merged
                .actions
                .iter()
                .find(|x| x.owner.as_deref() == Some(&owner))
                .map(|x| line(&x.source))
        })
        .collect();
    let starts = |list: Vec<&Option<crate::content::Source>>| -> Vec<u32> {
        list.into_iter()
            .filter_map(|s| s.as_ref().map(|s| s.line_start))
            .collect()
    };
    let revised_i = starts(revised.insights.iter().map(|x| &x.source).collect());
    let revised_a = starts(revised.actions.iter().map(|x| &x.source).collect());
    let merged_i = starts(merged.insights.iter().map(|x| &x.source).collect());
    let merged_a = starts(merged.actions.iter().map(|x| &x.source).collect());
    for (prefix, holders, moves, revised_lines, merged_lines) in [
        ('I', &holders_i, &moves.insights, &revised_i, &merged_i),
        ('A', &holders_a, &moves.actions, &revised_a, &merged_a),
    ] {
        for (i, holder) in holders.iter().enumerate() {
            let label = format!("{prefix}{}", i + 1);
            let Some(holder) = holder else {
                outcome.lost += 1;
                continue;
            };
            let targets: Vec<u32> = moves
                .get(&label)
                .map(Target::positions)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|p| p[1..].parse::<usize>().ok())
                .filter_map(|n| revised_lines.get(n - 1).copied())
                .collect();
            match holder {
                Some(at) if targets.contains(at) => outcome.kept += 1,
                Some(_) => outcome.wrong += 1,
                None => {
                    // Gone: right when the item was dropped, or merged into an item
                    // another original holds; a duplicate when what it became was
                    // added beside it.
                    let held_by_other = |t: &u32| {
                        holders
                            .iter()
                            .enumerate()
                            .any(|(j, h)| j != i && *h == Some(Some(*t)))
                    };
                    if targets.is_empty() || targets.iter().all(held_by_other) {
                        outcome.kept += 1;
                    } else if targets.iter().any(|t| merged_lines.contains(t)) {
                        outcome.duplicated += 1;
                    } else {
                        outcome.wrong += 1;
                    }
                }
            }
        }
    }
    outcome
}

/// The file name the revised briefings are ingested under, to tell refreshed
/// provenance from stale.
const REVISED: &str = "revised.txt";

/// Measures every revision in `revisions` (`<name>.txt` and `<name>.toml`) against its
/// original in `originals` (`<name>.txt`, or the briefing its labels file names).
pub fn evaluate_dir(
    revisions: &Path,
    originals: &Path,
    with_previous: bool,
) -> anyhow::Result<Vec<(String, Outcome)>> {
    let mut names: Vec<String> = std::fs::read_dir(revisions)?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_suffix(".toml")
                .map(str::to_string)
        })
        .collect();
    names.sort();
    let read_doc = |path: &Path, name: &str| -> anyhow::Result<Doc> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let parsed = crate::briefing::text::parse(path, &text)
            .map_err(|d| anyhow::anyhow!("{}: {}", path.display(), d.message))?;
        let mut doc = super::from_briefing(&parsed, name);
        crate::xref::suggest::suggest(&mut doc);
        Ok(doc)
    };
    let mut out = Vec::new();
    for name in names {
        let labels = originals.join(format!("{name}.labels.toml"));
        let original = match std::fs::read_to_string(&labels)
            .ok()
            .and_then(|t| toml::from_str::<super::quality::Labels>(&t).ok())
            .and_then(|l| l.briefing)
        {
            Some(p) => originals.join(p),
            None => originals.join(format!("{name}.txt")),
        };
        let moves: Moves = toml::from_str(&std::fs::read_to_string(
            revisions.join(format!("{name}.toml")),
        )?)?;
        let original = read_doc(&original, "briefing.txt")?;
        let revised = read_doc(&revisions.join(format!("{name}.txt")), REVISED)?;
        out.push((name, measure(&original, revised, &moves, with_previous)));
    }
    Ok(out)
}
