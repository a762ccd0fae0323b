//! Writes a synthetic knowledge base for benchmarks: `cargo run --release --example synth
//! -- ITEMS DIR`. Briefings hold 40 items each (5 sections, 10 insights, 10 actions, 15
//! quotes), with relations and tags, like an ingested and curated briefing.

use handbook::content::{
    Action, BriefingMeta, Doc, Insight, Priority, Quote, Relation, Section, Status, to_yaml,
};

const WORDS: &[&str] = &[
    "memory",
    "safety",
    "governance",
    "testing",
    "latency",
    "cargo",
    "compliance",
    "review",
    "budget",
    "observability",
    "training",
    "ownership",
    "dependency",
    "release",
    "incident",
    "security",
    "platform",
    "migration",
    "automation",
    "documentation",
];

fn sentence(seed: usize, words: usize) -> String {
    let mut s: Vec<&str> = (0..words)
        .map(|i| WORDS[(seed * 7 + i * 3) % WORDS.len()])
        .collect();
    s[0] = "Teams";
    format!("{} improve outcomes.", s.join(" "))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [items, dir] = args.as_slice() else {
        eprintln!("usage: synth ITEMS DIR");
        std::process::exit(2);
    };
    let items: usize = items.parse().expect("ITEMS is a number");
    let dir = std::path::Path::new(dir);
    std::fs::create_dir_all(dir).expect("create DIR");
    for b in 0..items.div_ceil(40) {
        let id = |kind: &str, i: usize| format!("b{b}-{kind}-{i}");
        let tags = |i: usize| vec![format!("topic-{}", (b + i) % 20)];
        let doc = Doc {
            briefing: BriefingMeta {
                id: format!("briefing-{b}"),
                title: format!("Synthetic briefing {b}"),
                subtitle: Some(sentence(b, 12)),
                introduction: Some(sentence(b + 1, 40)),
                summary: None,
                // Spread over the years, so portfolios have old and recent briefings.
                date: Some(format!(
                    "{}-{:02}-{:02}",
                    2020 + b / 12 % 7,
                    1 + b % 12,
                    1 + b % 28
                )),
                author: Some(format!("Team {}", b % 7)),
                origin: None,
                source: None,
                tags: Vec::new(),
                superseded_by: None,
            },
            sections: (0..5)
                .map(|i| Section {
                    id: id("s", i),
                    title: format!("Section {i} of briefing {b}"),
                    text: sentence(i, 80),
                    source: None,
                    tags: Vec::new(),
                })
                .collect(),
            insights: (0..10)
                .map(|i| Insight {
                    id: id("i", i),
                    title: format!("Insight {i} of briefing {b}"),
                    text: sentence(b * 10 + i, 20),
                    impact: Some(sentence(i, 15)),
                    source: None,
                    tags: tags(i),
                    discussed_in: vec![Relation::Curated(id("s", i % 5))],
                    updates: Vec::new(),
                })
                .collect(),
            actions: (0..10)
                .map(|i| Action {
                    id: id("a", i),
                    title: format!("Action {i} of briefing {b}"),
                    text: sentence(b * 10 + i + 3, 20),
                    impact: Some(sentence(i + 1, 15)),
                    source: None,
                    tags: tags(i + 1),
                    addresses: vec![
                        Relation::Curated(id("i", i)),
                        Relation::Curated(id("i", (i + 3) % 10)),
                    ],
                    discussed_in: vec![Relation::Curated(id("s", (i + 1) % 5))],
                    continues: Vec::new(),
                    replaces: Vec::new(),
                    priority: Some([Priority::High, Priority::Medium, Priority::Low][i % 3]),
                    phase: Some((i % 3 + 1) as u8),
                    // Owners, statuses and targets vary, as in a portfolio a year on.
                    owner: Some(
                        [
                            "Head of engineering",
                            "CISO",
                            "Platform lead",
                            "CFO",
                            "Head of data",
                        ][(b + i) % 5]
                            .into(),
                    ),
                    status: [
                        None,
                        Some(Status::Proposed),
                        Some(Status::Accepted),
                        Some(Status::InProgress),
                        Some(Status::Done),
                        Some(Status::Done),
                        Some(Status::Dropped),
                    ][(b * 3 + i) % 7],
                    status_date: None,
                    target: Some(format!("{}-Q{}", 2025 + (b + i) % 3, 1 + (b + i) % 4)),
                    reviewed: None,
                })
                .collect(),
            quotes: (0..15)
                .map(|i| Quote {
                    id: id("q", i),
                    text: sentence(b + i, 18),
                    attribution: None,
                    source: None,
                    tags: Vec::new(),
                    supports: vec![
                        Relation::Curated(id("i", i % 10)),
                        Relation::Curated(id("a", (i + 2) % 10)),
                    ],
                })
                .collect(),
        };
        std::fs::write(dir.join(format!("briefing-{b:04}.yaml")), to_yaml(&doc))
            .expect("write YAML");
    }
}
