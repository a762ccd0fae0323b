//! The content stage: the YAML model contributors edit, loading it with located
//! diagnostics, its JSON Schema, and writing it back deterministically.

pub mod load;
pub mod model;

pub use load::{ContentFile, PathSegment, load_dir, load_file};
pub use model::{
    Action, BriefingMeta, Doc, Insight, Priority, Quote, Relation, Section, Source, Status,
    Suggested,
};

/// The file name of the JSON Schema kept beside the content files.
pub const SCHEMA_FILE: &str = "handbook.schema.json";

/// The first line of every content file: editors with a YAML language server read it to
/// validate and autocomplete against the schema.
pub const SCHEMA_HEADER: &str = "# yaml-language-server: $schema=handbook.schema.json\n";

/// Serialises a document as a content file, header included. The output depends only on
/// the document: fields come in declaration order and lists keep their order.
pub fn to_yaml(doc: &Doc) -> String {
    let mut body = serde_saphyr::to_string(doc).expect("the content model always serialises");
    if !body.ends_with('\n') {
        body.push('\n');
    }
    format!(
        "{SCHEMA_HEADER}# Relations written `{{id: …, suggested: score}}` were proposed by `handbook ingest`;\n# confirm one by replacing it with the plain id, or delete it.\n{body}"
    )
}

/// The JSON Schema as pretty-printed JSON with a final newline.
pub fn schema_json() -> String {
    let mut s = serde_json::to_string_pretty(&model::schema()).expect("schema is JSON");
    s.push('\n');
    s
}
