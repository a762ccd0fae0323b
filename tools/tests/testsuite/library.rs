//! The library as another tool uses it: the example of the crate's documentation.

use std::path::Path;

use crate::support::*;

#[test]
fn the_documented_library_example_runs() {
    let book = handbook_copy();
    let root = book.path();
    // The knowledge base in a content folder, and everything wrong with it.
    let (knowledge, problems) = handbook::xref::load(&root.join("content"));
    assert!(!problems.iter().any(|d| d.is_error()), "{problems:?}");
    let json = knowledge.export();
    assert_eq!(json["briefings"].as_array().unwrap().len(), 1);
    // Its pages, as markdown, through the templates.
    let renderer = handbook::render::Renderer::new(None).unwrap();
    let pages = renderer.pages(&knowledge, &Default::default()).unwrap();
    assert!(pages.summary.content.contains("hb-decision"));
    // The checks on a book: validate and load once, then links and snippets.
    let (validated, project) = handbook::gate::validate(root);
    let mut project = project.expect("the book loads");
    assert_eq!(validated.errors(), 0);
    let links = handbook::gate::links(&mut project, None, &Default::default());
    assert!(links.diagnostics.is_empty(), "{:?}", links.diagnostics);
    // The suite's cache, as the binary's runs use it: the crates snippets need are
    // built once.
    let options = handbook::snippets::Options {
        cache_dir: Path::new(env!("CARGO_TARGET_TMPDIR")).join("cache"),
        ..Default::default()
    };
    let snippets = handbook::gate::snippets(&project, &options);
    assert!(
        snippets.diagnostics.is_empty(),
        "{:?}",
        snippets.diagnostics
    );
    for d in validated
        .diagnostics
        .iter()
        .chain(&links.diagnostics)
        .chain(&snippets.diagnostics)
    {
        let _ = d.render(false);
    }
}
