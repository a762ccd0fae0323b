//! Precision and recall of `ingest`'s suggested relations on a labelled set of
//! briefings (`tests/fixtures/suggest/`): each `<name>.labels.toml` holds the relations
//! a careful reader draws in `<name>.txt`. Prints one table per split (tune, holdout),
//! or JSON with `--json`.
//!
//! The follow-ups in `DIR/across/` are then ingested into a knowledge base of the
//! labelled briefings and their relations across briefings compared with their labels.
//!
//! usage: cargo run --release -p handbook --example suggest_quality -- [DIR] [--json]
//!        [--each: per briefing] [--tune: the tuning split only]
//!        [--misses: every missed and extra pair of the tuning split]

use std::path::PathBuf;

use handbook::ingest::quality::{Counts, KINDS, Split, evaluate_across, evaluate_dir, totals};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |f: &str| args.iter().any(|a| a == f);
    let dir = PathBuf::from(
        args.iter()
            .find(|a| !a.starts_with("--"))
            .map_or("tests/fixtures/suggest", |s| s),
    );
    let scored = evaluate_dir(&dir)?;
    // While tuning, only the tuning split is looked at.
    let splits: &[Split] = if flag("--tune") {
        &[Split::Tune]
    } else {
        &[Split::Tune, Split::Holdout]
    };

    if flag("--json") {
        let mut out = serde_json::Map::new();
        for &split in splits {
            let t = totals(&scored, split);
            let kinds: serde_json::Map<String, serde_json::Value> = KINDS
                .iter()
                .map(|k| {
                    let c = t[k];
                    let v = serde_json::json!({
                        "precision": c.precision(), "recall": c.recall(),
                        "hits": c.hits, "extra": c.extra, "missed": c.missed,
                    });
                    (k.to_string(), v)
                })
                .collect();
            out.insert(format!("{split:?}").to_lowercase(), kinds.into());
        }
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    for &split in splits {
        let n = scored.iter().filter(|s| s.split == split).count();
        println!("{split:?} ({n} briefings)");
        println!(
            "  {:<24} {:>9} {:>6}   hits extra missed",
            "relation", "precision", "recall"
        );
        let t = totals(&scored, split);
        for kind in KINDS {
            let c = t[kind];
            println!(
                "  {kind:<24} {:>9.2} {:>6.2}   {:>4} {:>5} {:>6}",
                c.precision(),
                c.recall(),
                c.hits,
                c.extra,
                c.missed
            );
        }
    }
    let across = evaluate_across(&dir.join("across"), &dir)?;
    for &split in splits {
        let mut total = Counts::default();
        for a in across.iter().filter(|a| a.split == split) {
            total.add(a.counts());
        }
        let n = across.iter().filter(|a| a.split == split).count();
        println!(
            "{split:?}, across briefings ({n} follow-ups): precision {:.2} recall {:.2}   hits {} extra {} missed {}",
            total.precision(),
            total.recall(),
            total.hits,
            total.extra,
            total.missed
        );
    }
    for a in across
        .iter()
        .filter(|a| a.split == Split::Tune && flag("--misses"))
    {
        for p in a.wanted.difference(&a.got) {
            println!("{}: across: missed {} {} → {}", a.name, p.0, p.1, p.2);
        }
        for p in a.got.difference(&a.wanted) {
            println!("{}: across: extra {} {} → {}", a.name, p.0, p.1, p.2);
        }
    }
    for s in scored.iter().filter(|s| splits.contains(&s.split)) {
        if flag("--each") {
            for kind in KINDS {
                let c = s.counts(kind);
                println!(
                    "{:<22} {:?} {kind:<24} P {:.2} R {:.2}",
                    s.name,
                    s.split,
                    c.precision(),
                    c.recall()
                );
            }
        }
        if flag("--misses") && s.split == Split::Tune {
            for (kind, (got, wanted)) in &s.pairs {
                for p in wanted.difference(got) {
                    println!("{}: {kind}: missed {} → {}", s.name, p.0, p.1);
                }
                for p in got.difference(wanted) {
                    println!("{}: {kind}: extra {} → {}", s.name, p.0, p.1);
                }
            }
        }
    }
    Ok(())
}
