//! The integration test suite: one binary, one module per pipeline stage.

mod architecture;
mod book;
mod browser;
mod content;
mod formats;
mod gate;
mod hostile;
mod ingest;
mod knowledge;
mod leaders;
mod library;
mod links;
mod portfolio;
mod render;
mod scaffold;
mod serve;
mod snippets;
mod suggest;
mod support;
