//! The integration test suite: one binary, one module per pipeline stage.

mod content;
mod ingest;
mod support;
