//! How well `ingest --force` keeps identities when a briefing is revised: the revised
//! labelled briefings of `tests/fixtures/revisions/` merged into their curated
//! originals, with and without the previous version of the briefing at hand.
//!
//! usage: cargo run --release -p handbook --example revision_quality -- [REVISIONS] [ORIGINALS]

use std::path::PathBuf;

use handbook::ingest::matching::{Outcome, evaluate_dir};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let revisions = PathBuf::from(args.first().map_or("tests/fixtures/revisions", |s| s));
    let originals = PathBuf::from(args.get(1).map_or("tests/fixtures/suggest", |s| s));
    for with_previous in [true, false] {
        println!(
            "\n{}",
            if with_previous {
                "previous version at hand (re-ingest from another file, or the stored copy)"
            } else {
                "previous version unknown (the stored copy edited in place)"
            }
        );
        println!(
            "| briefing | kept | wrong | duplicated | lost |\n| --- | ---: | ---: | ---: | ---: |"
        );
        let mut total = Outcome::default();
        for (name, o) in evaluate_dir(&revisions, &originals, with_previous)? {
            println!(
                "| {name} | {} | {} | {} | {} |",
                o.kept, o.wrong, o.duplicated, o.lost
            );
            total.add(o);
        }
        println!(
            "| **all** | {} | {} | {} | {} |",
            total.kept, total.wrong, total.duplicated, total.lost
        );
    }
    Ok(())
}
