//! `handbook` turns executive briefings into a hosted, cross-linked strategy handbook.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! briefing ──ingest──▶ content ──▶ xref ──▶ render ──▶ book ──▶ links / snippets
//! ```
//!
//! - [`briefing`] parses briefings as people write them (plain text, Markdown, HTML,
//!   Word) into one tree with line spans;
//! - [`ingest`] turns a parsed briefing into a content file with stable ids, provenance
//!   and suggested relations, keeping what contributors curated;
//! - [`content`] is the YAML model contributors edit, loaded with located diagnostics;
//! - [`xref`] resolves references between items, computes backlinks and coverage, and
//!   suggests relations from text similarity;
//! - [`render`] turns the knowledge base into markdown pages through handlebars, with
//!   what changed in the content read from git by [`history`];
//! - [`project`] loads a book once (its [`config`], chapters and content) for every
//!   later stage;
//! - [`book`] runs mdBook with our preprocessor and swaps the built site into place;
//!   `serve` previews it with live reload;
//! - [`links`] and [`snippets`] check the built book, on chapters whose
//!   `{{#include}}`s are expanded with the origin of every line;
//! - [`review`] lists what waits for a contributor's decision and writes decisions
//!   back into the YAML;
//! - [`gate`] runs the stages in order and returns typed results; [`scaffold`] writes
//!   a new handbook (`handbook new`);
//! - [`cli`] parses the command line and is the only module that prints.
//!
//! # As a library
//!
//! Another tool loads a knowledge base, exports it, renders its pages, or runs the
//! checks on any mdBook; every problem in the contributor's files comes back as a
//! located [`diagnostics::Diagnostic`], and only a failure to run is an error:
//!
//! ```text
//! // The knowledge base in a content folder, and everything wrong with it.
//! let (knowledge, problems) = handbook::xref::load(Path::new("content"));
//! let json = knowledge.export();                       // what `handbook export` prints
//!
//! // Its pages, as markdown, through the (overridable) templates.
//! let renderer = handbook::render::Renderer::new(None)?;
//! let pages = renderer.pages(&knowledge, &Default::default())?;
//!
//! // The checks on a book: validate and load once, then links and snippets.
//! let (validated, project) = handbook::gate::validate(Path::new("."));
//! let mut project = project.expect("the book loads");
//! let links = handbook::gate::links(&mut project, None, &Default::default());
//! let snippets = handbook::gate::snippets(&project, &Default::default());
//! for d in validated.diagnostics.iter().chain(&links.diagnostics).chain(&snippets.diagnostics) {
//!     eprintln!("{}", d.render(false));
//! }
//! ```
//!
//! (`tools/tests/testsuite/library.rs` runs this example.)

pub mod book;
pub mod briefing;
pub mod cli;
pub mod config;
pub mod content;
pub mod diagnostics;
pub mod gate;
pub mod history;
mod include;
pub mod ingest;
pub mod links;
pub mod project;
pub mod render;
pub mod review;
pub mod scaffold;
mod serve;
mod shared;
pub mod snippets;
pub mod xref;
