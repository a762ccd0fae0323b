//! `handbook` turns executive briefings into a hosted, cross-linked strategy handbook.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! briefing ──ingest──▶ content ──▶ xref ──▶ render ──▶ book ──▶ links / snippets
//! ```
//!
//! - [`briefing`] parses the plain-text briefing format, with line spans;
//! - [`ingest`] turns a parsed briefing into a content file with stable ids, provenance
//!   and suggested relations, keeping what contributors curated;
//! - [`content`] is the YAML model contributors edit, loaded with located diagnostics;
//! - [`xref`] resolves references between items, computes backlinks and coverage, and
//!   suggests relations from text similarity;
//! - [`render`] turns the knowledge base into markdown pages through handlebars;
//! - [`book`] runs mdBook with our preprocessor and swaps the built site into place;
//! - [`cli`] parses the command line and is the only module that prints.

pub mod book;
pub mod briefing;
pub mod cli;
pub mod content;
pub mod diagnostics;
pub mod ingest;
pub mod links;
pub mod render;
pub mod snippets;
pub mod xref;
