//! `handbook ingest`: the seed and other briefings, safety, determinism, curation.

use crate::support::*;

fn ingest_seed(dir: &std::path::Path) -> String {
    copy_into(&seed(), dir, "rust-strategic-rise.txt");
    let run = handbook(dir, &["ingest", "rust-strategic-rise.txt", "--out", "."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    read(dir.join("rust-strategic-rise-enterprise-infrastructure.yaml"))
}

#[test]
fn seed_yaml_snapshot() {
    let dir = tempdir();
    insta::assert_snapshot!("seed_yaml", ingest_seed(dir.path()));
}

#[test]
fn same_input_gives_byte_identical_yaml() {
    let (a, b) = (tempdir(), tempdir());
    assert_eq!(ingest_seed(a.path()), ingest_seed(b.path()));
}

#[test]
fn crlf_bom_trailing_spaces_and_blank_lines_change_nothing_but_lines() {
    let dir = tempdir();
    let clean = ingest_seed(dir.path());
    let messy_dir = tempdir();
    let text = read(seed());
    let messy: String = format!("\u{feff}{}", text.replace('\n', "   \r\n"));
    std::fs::write(messy_dir.path().join("rust-strategic-rise.txt"), messy).unwrap();
    let run = handbook(
        messy_dir.path(),
        &["ingest", "rust-strategic-rise.txt", "--out", "."],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        read(
            messy_dir
                .path()
                .join("rust-strategic-rise-enterprise-infrastructure.yaml")
        ),
        clean
    );
}

#[test]
fn another_topic_with_a_missing_impact_and_attributed_quote() {
    let dir = tempdir();
    copy_into(
        &fixture("briefings/platform-reliability.txt"),
        dir.path(),
        "platform.txt",
    );
    let run = handbook(dir.path(), &["ingest", "platform.txt", "--out", "content"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let export = handbook(dir.path(), &["export", "--content", "content"]);
    assert_eq!(export.code, 0, "{}", export.stderr);
    let json: serde_json::Value = serde_json::from_str(&export.stdout).unwrap();
    let insight = json["insights"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "blameless-incident-reviews-reduce-repeat")
        .unwrap();
    assert_eq!(insight["impact"], serde_json::Value::Null);
    assert_eq!(insight["source"]["line_start"], 22);
    let quote = &json["quotes"][0];
    assert_eq!(quote["text"], "Hope is not a strategy.");
    assert_eq!(quote["attribution"], "Traditional SRE saying");
    assert_eq!(
        json["briefings"][0]["title"],
        "Platform Reliability as a Board-Level Concern"
    );
    assert_eq!(json["sections"].as_array().unwrap().len(), 3);
}

#[test]
fn reordering_items_keeps_their_ids() {
    let dir = tempdir();
    let original = ingest_seed(dir.path());
    let text = read(seed());
    let lines: Vec<&str> = text.lines().collect();
    // Swap the first two insights (lines 15-17 and 18-20, 1-based).
    let mut swapped: Vec<&str> = lines[..14].to_vec();
    swapped.extend(&lines[17..20]);
    swapped.extend(&lines[14..17]);
    swapped.extend(&lines[20..]);
    let other = tempdir();
    std::fs::write(
        other.path().join("rust-strategic-rise.txt"),
        swapped.join("\n"),
    )
    .unwrap();
    assert_eq!(
        handbook(
            other.path(),
            &["ingest", "rust-strategic-rise.txt", "--out", "."]
        )
        .code,
        0
    );
    let reordered = read(
        other
            .path()
            .join("rust-strategic-rise-enterprise-infrastructure.yaml"),
    );
    let ids = |yaml: &str| {
        let mut ids: Vec<String> = yaml
            .lines()
            .filter_map(|l| l.trim().strip_prefix("- id: ").map(str::to_string))
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(&original), ids(&reordered));
    assert_ne!(original, reordered, "the order itself did change");
}

#[test]
fn existing_yaml_is_never_overwritten_without_force() {
    let dir = tempdir();
    ingest_seed(dir.path());
    let yaml = dir
        .path()
        .join("rust-strategic-rise-enterprise-infrastructure.yaml");
    std::fs::write(
        &yaml,
        read(&yaml).replace(
            "Memory safety eliminates critical vulnerability classes\n",
            "Curated title\n",
        ),
    )
    .unwrap();
    let before = std::fs::read(&yaml).unwrap();
    let run = handbook(
        dir.path(),
        &["ingest", "rust-strategic-rise.txt", "--out", "."],
    );
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    assert_eq!(std::fs::read(&yaml).unwrap(), before);
}

#[test]
fn force_keeps_curated_edits_and_reports_them() {
    let dir = tempdir();
    let yaml_text = ingest_seed(dir.path());
    let yaml = dir
        .path()
        .join("rust-strategic-rise-enterprise-infrastructure.yaml");
    // A contributor edits a title, confirms one relation, adds a priority and a tag.
    let curated = yaml_text
        .replace("title: Memory safety eliminates critical vulnerability classes\n", "title: Memory safety closes whole bug classes\n")
        // The first action's list only (a later one starts the same way).
        .replacen(
            "  addresses:\n  - id: memory-safety-eliminates-critical-vulnerability\n    suggested: 0.23\n",
            "  addresses:\n  - memory-safety-eliminates-critical-vulnerability\n  priority: high\n  tags:\n  - security\n",
            1,
        );
    assert_ne!(curated, yaml_text, "the edits applied");
    std::fs::write(&yaml, &curated).unwrap();
    // The briefing gains an action.
    let briefing = dir.path().join("rust-strategic-rise.txt");
    let text = read(&briefing).replace(
        "Quotes\n",
        "-\nPublish a yearly memory-safety roadmap for the board.\nImpact: Keeps leaders informed.\nQuotes\n",
    );
    std::fs::write(&briefing, text).unwrap();

    let run = handbook(
        dir.path(),
        &["ingest", "rust-strategic-rise.txt", "--out", ".", "--force"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let merged = read(&yaml);
    assert!(merged.contains("title: Memory safety closes whole bug classes\n"));
    assert!(
        merged.contains("  - memory-safety-eliminates-critical-vulnerability\n  discussed_in:"),
        "{merged}"
    );
    assert!(merged.contains("priority: high"));
    assert!(merged.contains("- security"));
    assert!(
        merged.contains("id: publish-yearly-memory-safety-roadmap"),
        "{merged}"
    );
    assert!(
        run.stderr.contains(
            "kept the curated `title` of insight `memory-safety-eliminates-critical-vulnerability`"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("kept the curated `addresses` of action `audit-legacy-c-c-backend`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("added action `publish-yearly-memory-safety-roadmap`"),
        "{}",
        run.stderr
    );
    // Quotes moved down by three lines: provenance follows.
    assert!(
        run.stderr.contains("updated the source lines of quote"),
        "{}",
        run.stderr
    );
}

#[test]
fn reingesting_unchanged_briefing_changes_nothing() {
    let dir = tempdir();
    let first = ingest_seed(dir.path());
    let run = handbook(
        dir.path(),
        &["ingest", "rust-strategic-rise.txt", "--out", ".", "--force"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        !run.stderr.contains("kept") && !run.stderr.contains("added"),
        "{}",
        run.stderr
    );
    assert_eq!(
        read(
            dir.path()
                .join("rust-strategic-rise-enterprise-infrastructure.yaml")
        ),
        first
    );
}

#[test]
fn ingest_export_round_trip_keeps_every_text_and_line() {
    let dir = tempdir();
    copy_into(&seed(), dir.path(), "rust-strategic-rise.txt");
    assert_eq!(
        handbook(dir.path(), &["ingest", "rust-strategic-rise.txt"]).code,
        0
    );
    let export = handbook(dir.path(), &["export"]);
    assert_eq!(export.code, 0, "{}", export.stderr);
    let json: serde_json::Value = serde_json::from_str(&export.stdout).unwrap();
    let parsed =
        handbook::briefing::text::parse(std::path::Path::new("seed"), &read(seed())).unwrap();
    let texts = |key: &str| -> Vec<(String, u64, u64)> {
        json[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["text"].as_str().unwrap().to_string(),
                    i["source"]["line_start"].as_u64().unwrap(),
                    i["source"]["line_end"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let expect = |items: &[handbook::briefing::Item]| -> Vec<(String, u64, u64)> {
        items
            .iter()
            .map(|i| {
                (
                    i.text.text.clone(),
                    i.lines.start as u64,
                    i.lines.end as u64,
                )
            })
            .collect()
    };
    assert_eq!(texts("insights"), expect(&parsed.insights));
    assert_eq!(texts("actions"), expect(&parsed.actions));
    let quotes: Vec<String> = parsed.quotes.iter().map(|q| q.text.text.clone()).collect();
    assert_eq!(
        texts("quotes").into_iter().map(|q| q.0).collect::<Vec<_>>(),
        quotes
    );
    assert_eq!(
        json["sections"].as_array().unwrap().len(),
        parsed.sections.len()
    );
    assert_eq!(
        json["sections"][0]["text"],
        parsed.sections[0].body.text.as_str()
    );
    // Every action's `addresses` shows up as the insight's computed `addressed_by`.
    for action in json["actions"].as_array().unwrap() {
        for insight in action["addresses"].as_array().unwrap() {
            let target = json["insights"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["id"] == *insight)
                .unwrap();
            assert!(
                target["addressed_by"]
                    .as_array()
                    .unwrap()
                    .contains(&action["id"])
            );
        }
    }
}

/// Briefings in French, German, Russian and Chinese get readable ASCII ids made from
/// their own words, and reordering their items keeps them.
#[test]
fn non_ascii_briefings_get_readable_stable_ids() {
    let cases = [
        (
            "Sécurité mémoire en entreprise",
            ["Élimine des failles critiques", "Réduit les coûts d’audit"],
            [
                "Adopter Rust pour les services exposés",
                "Former les équipes réseau",
            ],
        ),
        (
            "Speichersicherheit für Unternehmen",
            [
                "Größere Angriffsflächen schließen",
                "Prüfkosten sinken deutlich",
            ],
            ["Dienste schrittweise übertragen", "Teams gezielt schulen"],
        ),
        (
            "Безопасность памяти в компании",
            [
                "Устраняет критические уязвимости",
                "Снижает стоимость аудита",
            ],
            ["Переписать сетевые сервисы", "Обучить команды"],
        ),
        (
            "企业内存安全",
            ["消除关键漏洞", "降低审计成本"],
            ["重写网络服务", "培训团队"],
        ),
    ];
    for (title, insights, actions) in cases {
        let briefing = |order: [usize; 2]| {
            let mut text = format!("{title}\nSous-titre.\nIntroduction.\nKey insights\n");
            for i in order {
                text.push_str(&format!("-\n{}.\nImpact: {}.\n", insights[i], insights[i]));
            }
            text.push_str("Action items\n");
            for i in order {
                text.push_str(&format!("-\n{}.\n", actions[i]));
            }
            text
        };
        let ids = |text: String| -> Vec<String> {
            let dir = tempdir();
            std::fs::write(dir.path().join("b.txt"), text).unwrap();
            let run = handbook(dir.path(), &["ingest", "b.txt", "--out", "."]);
            assert_eq!(run.code, 0, "{title}: {}", run.stderr);
            let yaml = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().path())
                .find(|p| p.extension().is_some_and(|e| e == "yaml"))
                .unwrap();
            let mut ids: Vec<String> = read(yaml)
                .lines()
                .filter_map(|l| l.trim().strip_prefix("- id: ").map(str::to_string))
                .collect();
            ids.sort();
            ids
        };
        let original = ids(briefing([0, 1]));
        assert_eq!(
            ids(briefing([1, 0])),
            original,
            "{title}: reordering keeps ids"
        );
        for id in &original {
            assert!(
                id.len() > 3
                    && id
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                    && !id.starts_with("insight")
                    && !id.starts_with("action"),
                "{title}: `{id}` is not a readable id made from the item's words"
            );
        }
    }
}
