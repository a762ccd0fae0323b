//! Precision and recall of `ingest`'s suggested relations on a labelled set of
//! briefings (`tests/fixtures/suggest/`): each `<name>.labels.toml` holds the relations
//! a careful reader draws in `<name>.txt`. Prints one table per split (tune, holdout),
//! or JSON with `--json`.
//!
//! usage: cargo run --release -p handbook --example suggest_quality -- DIR [--json] [--each]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use handbook::xref::quality::{Counts, KINDS, Labels, Split, evaluate};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = PathBuf::from(
        args.iter()
            .find(|a| !a.starts_with("--"))
            .map_or("tests/fixtures/suggest", |s| s),
    );
    let json = args.iter().any(|a| a == "--json");
    let each = args.iter().any(|a| a == "--each");

    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".labels.toml"))
        .collect();
    files.sort();
    let mut totals: BTreeMap<(Split, &str), Counts> = BTreeMap::new();
    let mut briefings: BTreeMap<Split, usize> = BTreeMap::new();
    let mut per_briefing = Vec::new();
    for file in &files {
        let labels: Labels = toml::from_str(&std::fs::read_to_string(file)?)?;
        let name = file
            .file_name()
            .unwrap()
            .to_string_lossy()
            .replace(".labels.toml", "");
        let text_path = match &labels.briefing {
            Some(p) => file.parent().unwrap_or(Path::new(".")).join(p),
            None => dir.join(format!("{name}.txt")),
        };
        let text = std::fs::read_to_string(&text_path)?;
        let briefing = handbook::briefing::parse(&text_path, &text)
            .map_err(|d| anyhow::anyhow!("{}", d.message))?;
        let mut doc = handbook::ingest::from_briefing(&briefing, "briefing.txt");
        handbook::xref::suggest::suggest(&mut doc);
        *briefings.entry(labels.split).or_default() += 1;
        for (kind, counts) in evaluate(&doc, &labels) {
            totals.entry((labels.split, kind)).or_default().add(counts);
            per_briefing.push((name.clone(), labels.split, kind, counts));
        }
    }

    let row = |c: &Counts| (c.precision(), c.recall(), c.hits, c.extra, c.missed);
    if json {
        let mut out = serde_json::Map::new();
        for split in [Split::Tune, Split::Holdout] {
            let mut kinds = serde_json::Map::new();
            for kind in KINDS {
                let (p, r, hits, extra, missed) =
                    row(&totals.get(&(split, kind)).copied().unwrap_or_default());
                kinds.insert(kind.into(), serde_json::json!({"precision": p, "recall": r, "hits": hits, "extra": extra, "missed": missed}));
            }
            out.insert(format!("{split:?}").to_lowercase(), kinds.into());
        }
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    for split in [Split::Tune, Split::Holdout] {
        println!(
            "{split:?} ({} briefings)",
            briefings.get(&split).copied().unwrap_or(0)
        );
        println!(
            "  {:<24} {:>9} {:>6}   hits extra missed",
            "relation", "precision", "recall"
        );
        for kind in KINDS {
            let (p, r, hits, extra, missed) =
                row(&totals.get(&(split, kind)).copied().unwrap_or_default());
            println!("  {kind:<24} {p:>9.2} {r:>6.2}   {hits:>4} {extra:>5} {missed:>6}");
        }
    }
    if each {
        for (name, split, kind, c) in &per_briefing {
            let (p, r, ..) = row(c);
            println!("{name:<22} {split:?} {kind:<24} P {p:.2} R {r:.2}");
        }
    }
    Ok(())
}
