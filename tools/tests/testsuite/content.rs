//! The committed content: it validates, its schema is current, its export has the
//! documented shape.

use crate::support::*;

#[test]
fn committed_content_validates() {
    let run = handbook(&repo(), &["validate"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn committed_schema_is_what_the_tool_prints() {
    let run = handbook(&repo(), &["schema"]);
    assert_eq!(run.code, 0);
    assert_eq!(
        run.stdout,
        read(repo().join("content/handbook.schema.json")),
        "run `handbook schema > content/handbook.schema.json`"
    );
}

#[test]
fn committed_yaml_points_editors_at_the_schema() {
    for entry in std::fs::read_dir(repo().join("content")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            assert!(
                read(&path).starts_with("# yaml-language-server: $schema=handbook.schema.json\n"),
                "{}",
                path.display()
            );
        }
    }
}

#[test]
fn export_has_the_documented_shape() {
    let run = handbook(&repo(), &["export", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    for key in ["id", "title", "subtitle"] {
        assert!(json["briefings"][0].get(key).is_some(), "briefings[].{key}");
    }
    for list in ["sections", "insights", "actions", "quotes"] {
        let items = json[list].as_array().unwrap();
        assert!(!items.is_empty(), "{list}");
        for item in items {
            for key in ["id", "text", "impact", "source", "tags"] {
                assert!(item.get(key).is_some(), "{list}[].{key} in {item}");
            }
            for key in ["file", "line_start", "line_end"] {
                assert!(item["source"].get(key).is_some(), "{list}[].source.{key}");
            }
        }
    }
    assert!(json["actions"][0]["addresses"].is_array());
    assert!(json["insights"][0]["addressed_by"].is_array());
    assert!(json["quotes"][0]["supports"].is_array());
}

#[test]
fn validate_reports_every_problem_at_once_with_locations() {
    let dir = tempdir();
    let content = dir.path().join("content");
    std::fs::create_dir(&content).unwrap();
    std::fs::write(content.join("a.yaml"), "briefing:\n  id: a\n  titel: A\ninsights:\n  - id: i\n    title: I\n    text: 3\n    tags: x\n").unwrap();
    std::fs::write(content.join("b.yaml"), "briefing:\n  id: b\n  title: B\ninsights:\n  - id: dup\n    title: D\n    text: \"  \"\n  - id: dup\n    title: E\n    text: e\nactions:\n  - id: act\n    title: T\n    text: t\n    addresses: [dupp]\n").unwrap();
    let run = handbook(dir.path(), &["validate"]);
    assert_eq!(run.code, 1);
    for expected in [
        "error: unknown field `titel`",
        "--> content/a.yaml:3:3",
        "help: did you mean `title`?",
        "error: missing required field `title`",
        "error: wrong type for `text`: expected a string, found an integer",
        "--> content/a.yaml:7:11",
        "error: wrong type for `tags`: expected a list, found a string",
        "error: duplicate id `dup`",
        "--> content/b.yaml:8:9",
        "--> content/b.yaml:5:9",
        "error: `text` of this insight is blank",
        "error: unknown id `dupp` in `addresses`",
        "help: did you mean `dup`?",
    ] {
        assert!(
            run.stderr.contains(expected),
            "missing {expected:?} in\n{}",
            run.stderr
        );
    }
}
