//! The render stage: generated markdown, escaping, templates.

use crate::support::*;
use handbook::render::Renderer;

fn pages(dir: &std::path::Path) -> String {
    let (k, problems) = handbook::xref::load(&dir.join("content"));
    assert!(problems.iter().all(|d| !d.is_error()), "{problems:?}");
    let rendered = Renderer::new(None)
        .unwrap()
        .pages(&k, &Default::default())
        .unwrap();
    let mut out = String::new();
    let mut add = |p: &handbook::render::Page| {
        out.push_str(&format!("==> {} ({})\n{}\n", p.path, p.title, p.content))
    };
    add(&rendered.summary);
    rendered.leaders.iter().for_each(&mut add);
    fn walk(p: &handbook::render::Page, add: &mut dyn FnMut(&handbook::render::Page)) {
        add(p);
        for c in &p.children {
            walk(c, add);
        }
    }
    for p in &rendered.reference {
        walk(p, &mut add);
    }
    out
}

#[test]
fn generated_markdown_of_two_briefings() {
    insta::assert_snapshot!(
        "two_briefings_pages",
        pages(&fixture("render/two-briefings"))
    );
}

#[test]
fn text_from_yaml_cannot_become_html_or_a_directive() {
    let dir = fixture_copy("render/two-briefings");
    let yaml = dir
        .path()
        .join("content/platform-reliability-board-level-concern.yaml");
    let text = read(&yaml).replace(
        "text: Hope is not a strategy.",
        "text: \"<script>alert(1)</script> {{#include ../../secret}} *kept* [link](https://example.org) [bad](javascript:alert(2))\"",
    );
    std::fs::write(&yaml, text).unwrap();
    let out = pages(dir.path());
    assert!(
        out.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{out}"
    );
    assert!(!out.contains("<script>"));
    assert!(out.contains("&#123;&#123;#include ../../secret&#125;&#125;"));
    assert!(out.contains("*kept* [link](https://example.org)"));
    assert!(out.contains("\\[bad](javascript&#58;alert(2))"), "{out}");
    assert!(
        !out.contains("{{#include"),
        "no directive survives anywhere, SVG included"
    );
}

#[test]
fn a_template_typo_names_the_template_and_line() {
    let dir = fixture_copy("render/two-briefings");
    let custom = dir.path().join("theme/handbook");
    std::fs::create_dir_all(&custom).unwrap();
    std::fs::write(
        custom.join("quote-card.md.hbs"),
        "<div>\n\n> {{text}}\n{{atribution}}\n</div>\n",
    )
    .unwrap();
    let (k, _) = handbook::xref::load(&dir.path().join("content"));
    let err = Renderer::new(Some(&dir.path().join("theme")))
        .unwrap()
        .pages(&k, &Default::default())
        .unwrap_err();
    let text = err.render(false);
    assert!(text.contains("quote-card"), "{text}");
    assert!(text.contains("line 4"), "{text}");
    assert!(text.contains("atribution"), "{text}");
}

#[test]
fn a_broken_template_override_is_located() {
    let dir = fixture_copy("render/two-briefings");
    let custom = dir.path().join("theme/handbook");
    std::fs::create_dir_all(&custom).unwrap();
    std::fs::write(
        custom.join("tags.md.hbs"),
        "# Tags\n\n{{#each tags}}\n- {{name}}\n",
    )
    .unwrap();
    let err = Renderer::new(Some(&dir.path().join("theme")))
        .err()
        .expect("unclosed block");
    let text = err.render(false);
    assert!(text.contains("tags.md.hbs"), "{text}");
}

#[test]
fn a_template_override_replaces_the_built_in_one() {
    let dir = fixture_copy("render/two-briefings");
    let custom = dir.path().join("theme/handbook");
    std::fs::create_dir_all(&custom).unwrap();
    std::fs::write(
        custom.join("tags.md.hbs"),
        "# Our tags\n\n{{#each tags}}\n- {{name}}\n{{/each}}\n",
    )
    .unwrap();
    let (k, _) = handbook::xref::load(&dir.path().join("content"));
    let rendered = Renderer::new(Some(&dir.path().join("theme")))
        .unwrap()
        .pages(&k, &Default::default())
        .unwrap();
    let tags = rendered.reference.last().unwrap();
    assert!(
        tags.content
            .starts_with("# Our tags\n\n- operations\n- reliability\n"),
        "{}",
        tags.content
    );
}
