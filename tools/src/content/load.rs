//! Loading content files: YAML → a span-carrying tree → schema check → typed [`Doc`].
//!
//! Parsing into a typed struct stops at the first problem. Contributors want every
//! problem at once, so a file is first read into a small generic tree whose every node
//! knows its line and column; the tree is checked against the format's JSON Schema
//! (every violation is collected) and only then converted into the typed model. Each
//! schema violation is mapped back to a YAML span through its JSON pointer.

use std::path::{Path, PathBuf};

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use super::model::{Doc, schema};
use crate::diagnostics::{Diagnostic, Location, decode_utf8};

/// Content files larger than this are refused before parsing: a handbook's file is a few
/// kilobytes, and a huge one is far more likely a mistake than content.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// A content file that loaded: its path, its text and its typed document.
#[derive(Debug, Clone)]
pub struct ContentFile {
    /// The path as found under the content folder.
    pub path: PathBuf,
    /// The file's text, kept to show source lines in diagnostics.
    pub text: String,
    /// The parsed document.
    pub doc: Doc,
    tree: Spanned<Node>,
}

impl ContentFile {
    /// The location of the value at a JSON pointer such as `/insights/2/id`, or of the
    /// nearest enclosing value when the pointer runs past the tree.
    pub fn locate(&self, pointer: &[PathSegment<'_>]) -> Location {
        locate(&self.path, &self.text, &self.tree, pointer)
    }
}

/// One step of a path into a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathSegment<'a> {
    /// A mapping key.
    Key(&'a str),
    /// A sequence index.
    Index(usize),
}

/// A YAML value with the position of every node, the input of schema checking.
#[derive(Debug, Clone)]
enum Node {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<Node>>),
    Map(Vec<(Spanned<String>, Spanned<Node>)>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Node, D::Error> {
        struct NodeVisitor;
        impl<'de> Visitor<'de> for NodeVisitor {
            type Value = Node;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any YAML value")
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_none<E>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
                Node::deserialize(d)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
                Ok(Node::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
                Ok(Node::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
                Ok(Node::UInt(v))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
                Ok(Node::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Node, E> {
                Ok(Node::Str(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Node, E> {
                Ok(Node::Str(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Node::Seq(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
                let mut entries: Vec<(Spanned<String>, Spanned<Node>)> = Vec::new();
                while let Some((key, value)) = map.next_entry::<Spanned<String>, Spanned<Node>>()? {
                    if entries.iter().any(|(k, _)| k.value == key.value) {
                        return Err(de::Error::custom(format!(
                            "duplicate mapping key: {}",
                            key.value
                        )));
                    }
                    entries.push((key, value));
                }
                Ok(Node::Map(entries))
            }
        }
        deserializer.deserialize_any(NodeVisitor)
    }
}

impl Node {
    fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Int(i) => Value::from(*i),
            Node::UInt(u) => Value::from(*u),
            Node::Float(f) => Value::from(*f),
            Node::Str(s) => Value::String(s.clone()),
            Node::Seq(items) => Value::Array(items.iter().map(|i| i.value.to_json()).collect()),
            Node::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.value.clone(), v.value.to_json()))
                    .collect(),
            ),
        }
    }

    fn describe(&self) -> &'static str {
        match self {
            Node::Null => "nothing (null)",
            Node::Bool(_) => "a boolean",
            Node::Int(_) | Node::UInt(_) => "an integer",
            Node::Float(_) => "a number",
            Node::Str(_) => "a string",
            Node::Seq(_) => "a list",
            Node::Map(_) => "a mapping",
        }
    }
}

fn location_of(file: &Path, text: &str, loc: &serde_saphyr::Location, width: usize) -> Location {
    Location::in_text(
        file,
        text,
        loc.line() as usize,
        loc.column() as usize,
        width,
    )
}

fn scalar_width(node: &Spanned<Node>) -> usize {
    let len = node.referenced.span().len() as usize;
    if len > 0 {
        return len;
    }
    match &node.value {
        Node::Str(s) => s.lines().next().map_or(1, |l| l.chars().count()),
        _ => 1,
    }
}

fn locate(file: &Path, text: &str, root: &Spanned<Node>, pointer: &[PathSegment<'_>]) -> Location {
    let mut node = root;
    let mut key_span: Option<&Spanned<String>> = None;
    for segment in pointer {
        let next = match (&node.value, segment) {
            (Node::Map(entries), PathSegment::Key(k)) => entries
                .iter()
                .find(|(key, _)| key.value == *k)
                .map(|(key, v)| {
                    key_span = Some(key);
                    v
                }),
            (Node::Seq(items), PathSegment::Index(i)) => {
                key_span = None;
                items.get(*i)
            }
            _ => None,
        };
        match next {
            Some(n) => node = n,
            None => break,
        }
    }
    // Containers point at their first entry; a key reads better than a bare dash.
    match (&node.value, key_span) {
        (Node::Map(_) | Node::Seq(_), Some(key)) => {
            location_of(file, text, &key.referenced, key.value.chars().count())
        }
        _ => location_of(file, text, &node.referenced, scalar_width(node)),
    }
}

/// Location of a mapping key (for unknown fields), or of its value's parent.
fn locate_key(
    file: &Path,
    text: &str,
    root: &Spanned<Node>,
    parent: &[PathSegment<'_>],
    key: &str,
) -> Location {
    let mut node = root;
    for segment in parent {
        let next = match (&node.value, segment) {
            (Node::Map(entries), PathSegment::Key(k)) => entries
                .iter()
                .find(|(kk, _)| kk.value == *k)
                .map(|(_, v)| v),
            (Node::Seq(items), PathSegment::Index(i)) => items.get(*i),
            _ => None,
        };
        match next {
            Some(n) => node = n,
            None => break,
        }
    }
    if let Node::Map(entries) = &node.value
        && let Some((k, _)) = entries.iter().find(|(k, _)| k.value == key)
    {
        return location_of(file, text, &k.referenced, key.chars().count());
    }
    locate(file, text, root, parent)
}

#[cfg(test)]
thread_local! {
    /// How often this thread loaded a content folder: the gate loads it once.
    pub(crate) static LOADS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Reads every `*.yaml` / `*.yml` file under `dir` (sorted by path, so the knowledge base
/// and its diagnostics come out in the same order on every machine).
///
/// Returns the files that loaded and the problems found in the others.
pub fn load_dir(dir: &Path) -> (Vec<ContentFile>, Vec<Diagnostic>) {
    #[cfg(test)]
    LOADS.with(|n| n.set(n.get() + 1));
    let mut files = Vec::new();
    let mut problems = Vec::new();
    if !dir.is_dir() {
        problems.push(
            Diagnostic::error(format!(
                "the content folder `{}` does not exist",
                dir.display()
            ))
            .help("run the command from the handbook's root, or pass `--content DIR`"),
        );
        return (files, problems);
    }
    let mut paths = Vec::new();
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e
                    .path()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| dir.to_path_buf());
                let why = if e.loop_ancestor().is_some() {
                    "a symbolic link here loops back to a folder that contains it".to_string()
                } else {
                    e.io_error()
                        .map_or_else(|| e.to_string(), |io| io.to_string())
                };
                problems.push(
                    Diagnostic::error(format!("cannot read `{}`: {why}", path.display()))
                        .help("remove or fix the link; content files must be plain files inside the content folder"),
                );
                continue;
            }
        };
        let is_yaml = entry
            .path()
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml");
        if !entry.file_type().is_file() || !is_yaml {
            continue;
        }
        paths.push(crate::diagnostics::normalize(entry.path()));
    }
    // Each file is read, parsed and checked on its own: in parallel, in path order.
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let chunk = paths.len().div_ceil(workers).max(1);
    let loaded: Vec<Result<ContentFile, Vec<Diagnostic>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = paths
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(|p| load_file(p)).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("loading a content file does not panic"))
            .collect()
    });
    for result in loaded {
        match result {
            Ok(file) => files.push(file),
            Err(mut found) => problems.append(&mut found),
        }
    }
    (files, problems)
}

/// Loads one content file, reporting every schema violation in it.
pub fn load_file(path: &Path) -> Result<ContentFile, Vec<Diagnostic>> {
    let unreadable = |e: std::io::Error| {
        vec![
            Diagnostic::error(format!("cannot read `{}`: {e}", path.display()))
                .help("check that the file exists and is readable"),
        ]
    };
    let size = std::fs::metadata(path).map_err(unreadable)?.len();
    if size > MAX_FILE_BYTES {
        return Err(vec![
            Diagnostic::error(format!(
                "`{}` is {size} bytes, more than the {MAX_FILE_BYTES} bytes a content file may hold",
                path.display()
            ))
            .help("split the briefing into several files, or check that this is the file you meant"),
        ]);
    }
    let bytes = std::fs::read(path).map_err(unreadable)?;
    let text = decode_utf8(path, &bytes).map_err(|d| vec![d])?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text).to_string();
    parse(path, text)
}

/// Parses the text of a content file.
pub fn parse(path: &Path, text: String) -> Result<ContentFile, Vec<Diagnostic>> {
    if text.trim().is_empty()
        || text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Err(vec![
            Diagnostic::error(format!("`{}` holds no content", path.display()))
                .at(Location::in_text(path, &text, 1, 1, 1))
                .help("a content file needs at least a `briefing:` mapping with `id` and `title`; `handbook ingest` writes one from a briefing"),
        ]);
    }
    let tree: Spanned<Node> =
        serde_saphyr::from_str(&text).map_err(|e| vec![yaml_error(path, &text, &e)])?;
    let json = tree.value.to_json();
    let mut problems = check_schema(path, &text, &tree, &json);
    if !problems.is_empty() {
        problems.sort_by_key(|d| d.primary.as_ref().map(|l| (l.line, l.column)));
        return Err(problems);
    }
    let doc: Doc = serde_json::from_value(json).map_err(|e| {
        vec![
            Diagnostic::error(format!("the content does not match the format: {e}"))
                .at(Location::in_text(path, &text, 1, 1, 1))
                .help("compare the file with `handbook schema`"),
        ]
    })?;
    Ok(ContentFile {
        path: path.to_path_buf(),
        text,
        doc,
        tree,
    })
}

fn yaml_error(path: &Path, text: &str, error: &serde_saphyr::Error) -> Diagnostic {
    // The plain message, without serde-saphyr's own snippet and position: we draw ours.
    let message = error.without_snippet().to_string();
    let mut message = message.as_str();
    if let Some((head, rest)) = message.split_once(": ")
        && head.starts_with("line ")
    {
        message = rest;
    }
    if let Some(i) = message.rfind(" at line ") {
        message = &message[..i];
    }
    let message = if message.starts_with("multiple YAML documents") {
        "the file holds several YAML documents (separated by `---`); a content file holds one"
            .to_string()
    } else {
        message.replace(", set DuplicateKeyPolicy in Options if acceptable", "")
    };
    let help = if message.contains("duplicate") {
        "a key may appear once per mapping: remove or rename one of them"
    } else if message.contains("tabs") {
        "YAML indents with spaces only: replace the tabs with spaces"
    } else if message.contains("budget") || message.contains("alias") || message.contains("depth") {
        "the document is too large or too deeply nested once anchors and aliases are expanded: write the values out plainly"
    } else {
        "fix the YAML syntax here; quoting text that contains `: ` or starts with a special character often helps"
    };
    let location = error
        .location()
        .map(|l| location_of(path, text, &l, 1))
        .unwrap_or_else(|| Location::in_text(path, text, 1, 1, 1));
    Diagnostic::error(format!("invalid YAML: {message}"))
        .at(location)
        .help(help)
}

/// The schema `$defs` entry that describes the value at an instance path.
fn def_for(path: &[PathSegment<'_>]) -> Option<&'static str> {
    use PathSegment::{Index, Key};
    match path {
        [] => Some("Doc"),
        [Key("briefing")] => Some("BriefingMeta"),
        [Key("sections"), Index(_)] => Some("Section"),
        [Key("insights"), Index(_)] => Some("Insight"),
        [Key("actions"), Index(_)] => Some("Action"),
        [Key("quotes"), Index(_)] => Some("Quote"),
        [.., Key("source")] => Some("Source"),
        [
            ..,
            Key("addresses" | "discussed_in" | "supports" | "updates" | "continues" | "replaces"),
            Index(_),
        ] => Some("Suggested"),
        _ => None,
    }
}

fn known_fields(schema: &serde_json::Value, def: &str) -> Vec<String> {
    let node = if def == "Doc" {
        schema
    } else {
        &schema["$defs"][def]
    };
    node["properties"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

fn check_schema(
    path: &Path,
    text: &str,
    tree: &Spanned<Node>,
    json: &serde_json::Value,
) -> Vec<Diagnostic> {
    // The schema and its validator are the same for every file: built once.
    static SCHEMA: std::sync::LazyLock<(serde_json::Value, jsonschema::Validator)> =
        std::sync::LazyLock::new(|| {
            let schema = schema();
            let validator =
                jsonschema::validator_for(&schema).expect("the generated schema is valid");
            (schema, validator)
        });
    let (schema, validator) = &*SCHEMA;
    let ctx = SchemaContext {
        path,
        text,
        tree,
        schema,
    };
    let mut problems = Vec::new();
    for error in validator.iter_errors(json) {
        ctx.explain(&error, &mut problems);
    }
    problems
}

struct SchemaContext<'a> {
    path: &'a Path,
    text: &'a str,
    tree: &'a Spanned<Node>,
    schema: &'a serde_json::Value,
}

impl SchemaContext<'_> {
    /// Turns one schema violation into diagnostics a contributor can act on.
    fn explain(&self, error: &jsonschema::ValidationError<'_>, out: &mut Vec<Diagnostic>) {
        use jsonschema::error::ValidationErrorKind as Kind;
        use jsonschema::paths::LocationSegment;
        let segments: Vec<LocationSegment<'_>> = error.instance_path().iter().collect();
        let pointer: Vec<PathSegment<'_>> = segments
            .iter()
            .map(|s| match s {
                LocationSegment::Property(p) => PathSegment::Key(p.as_ref()),
                LocationSegment::Index(i) => PathSegment::Index(*i),
            })
            .collect();
        let (path, text, tree) = (self.path, self.text, self.tree);
        let node = find(tree, &pointer);
        let at = locate(path, text, tree, &pointer);
        let field = match pointer.last() {
            Some(PathSegment::Key(k)) => format!("`{k}`"),
            Some(PathSegment::Index(i)) => match pointer.iter().rev().nth(1) {
                Some(PathSegment::Key(list)) => format!("item {} of `{list}`", i + 1),
                _ => format!("item {}", i + 1),
            },
            None => "the document".to_string(),
        };
        let diagnostic = match error.kind() {
            Kind::AdditionalProperties { unexpected } => {
                let known = def_for(&pointer)
                    .map(|d| known_fields(self.schema, d))
                    .unwrap_or_default();
                for name in unexpected {
                    let d = Diagnostic::error(format!("unknown field `{name}`"))
                        .at(locate_key(path, text, tree, &pointer, name))
                        .label("not a field here");
                    out.push(
                        match crate::shared::closest(name, known.iter().map(String::as_str)) {
                            Some(best) => d.help(format!("did you mean `{best}`?")),
                            None => d.help(format!("the fields here are: {}", known.join(", "))),
                        },
                    );
                }
                return;
            }
            Kind::AnyOf { context } => {
                // `anyOf` stands for an optional value or a relation (id or mapping):
                // explain the branch whose type matches what was written.
                let type_matched = context.iter().find(|branch| {
                    !branch.iter().any(|e| {
                        matches!(e.kind(), Kind::Type { .. })
                            && e.instance_path() == error.instance_path()
                    })
                });
                if let Some(branch) = type_matched.filter(|b| !b.is_empty()) {
                    for e in branch {
                        self.explain(e, out);
                    }
                    return;
                }
                let relation = matches!(
                    pointer.iter().rev().nth(1),
                    Some(PathSegment::Key(
                        "addresses"
                            | "discussed_in"
                            | "supports"
                            | "updates"
                            | "continues"
                            | "replaces"
                    ))
                );
                if relation {
                    Diagnostic::error(format!(
                        "invalid reference in {field}: expected an id, or `{{id: …, suggested: …}}`"
                    ))
                    .at(at)
                    .help("write the id of the item referred to, e.g. `- memory-safety`")
                } else {
                    let expected: Vec<String> = context
                        .iter()
                        .flatten()
                        .filter_map(|e| match e.kind() {
                            Kind::Type { kind } => Some(describe_type(kind)),
                            Kind::Enum { options } => {
                                Some(format!("one of {}", list_values(options)))
                            }
                            _ => None,
                        })
                        .collect();
                    let found = node.map_or("nothing", |n| n.value.describe());
                    Diagnostic::error(format!(
                        "wrong type for {field}: expected {}, found {found}",
                        expected.join(" or ")
                    ))
                    .at(at)
                    .help("change the value to the expected type")
                }
            }
            Kind::OneOfNotValid { context } => {
                // Enums with documented variants become `oneOf` lists of constants.
                let values: Vec<String> = context
                    .iter()
                    .flatten()
                    .filter_map(|e| match e.kind() {
                        Kind::Constant { expected_value } => {
                            Some(list_values(&serde_json::Value::Array(vec![
                                (**expected_value).clone(),
                            ])))
                        }
                        _ => None,
                    })
                    .collect();
                Diagnostic::error(format!(
                    "invalid value for {field}: expected one of {}",
                    values.join(", ")
                ))
                .at(at)
                .help("use one of the listed values")
            }
            Kind::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                Diagnostic::error(format!("missing required field `{name}`"))
                    .at(at)
                    .label(format!("this needs a `{name}`"))
                    .help(format!("add `{name}:` with a value to this mapping"))
            }
            Kind::Type { kind } => {
                let found = node.map_or("nothing", |n| n.value.describe());
                Diagnostic::error(format!(
                    "wrong type for {field}: expected {}, found {found}",
                    describe_type(kind)
                ))
                .at(at)
                .help("change the value to the expected type; quote text so YAML does not read it as a number or boolean")
            }
            Kind::Enum { options } => Diagnostic::error(format!(
                "invalid value for {field}: expected one of {}",
                list_values(options)
            ))
            .at(at)
            .help("use one of the listed values"),
            Kind::MinLength { .. } => Diagnostic::error(format!("{field} is empty"))
                .at(at)
                .help("write the text, or remove the field if it is optional"),
            Kind::Pattern { .. } => {
                let value = node
                    .and_then(|n| match &n.value {
                        Node::Str(s) => Some(format!("`{s}`")),
                        _ => None,
                    })
                    .unwrap_or_default();
                // A pattern is a date, a quarter, a fingerprint or an id, by field.
                let (what, help) = match pointer.last() {
                    Some(PathSegment::Key("date" | "status_date")) => (
                        format!("{field} is not a date: {value}"),
                        "write the day as `YYYY-MM-DD`, e.g. `2026-03-01`",
                    ),
                    Some(PathSegment::Key("target")) => (
                        format!("{field} is not a quarter: {value}"),
                        "write the quarter as `YYYY-Qn`, e.g. `2027-Q1`",
                    ),
                    Some(PathSegment::Key("reviewed")) => (
                        format!("{field} is not a fingerprint: {value}"),
                        "write the value `validate` gives, e.g. `'3f2a-91c0'`, or run `handbook review reviewed ID`",
                    ),
                    _ => (
                        format!("invalid id {value}: ids use lower-case letters, digits and `-`"),
                        "use a slug such as `memory-safety-eliminates-vulnerabilities`",
                    ),
                };
                Diagnostic::error(what).at(at).help(help)
            }
            Kind::Minimum { limit } | Kind::Maximum { limit } => {
                let bound = if matches!(error.kind(), Kind::Minimum { .. }) {
                    "at least"
                } else {
                    "at most"
                };
                Diagnostic::error(format!(
                    "{field} is out of range: it must be {bound} {limit}"
                ))
                .at(at)
                .help(format!("use a value {bound} {limit}"))
            }
            _ => Diagnostic::error(format!("invalid value for {field}: {error}"))
                .at(at)
                .help("compare the value with `handbook schema`"),
        };
        out.push(diagnostic);
    }
}

fn list_values(options: &serde_json::Value) -> String {
    options
        .as_array()
        .map(|o| {
            o.iter()
                .map(|v| {
                    format!(
                        "`{}`",
                        v.as_str().map_or_else(|| v.to_string(), str::to_string)
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

fn find<'t>(tree: &'t Spanned<Node>, pointer: &[PathSegment<'_>]) -> Option<&'t Spanned<Node>> {
    let mut node = tree;
    for segment in pointer {
        node = match (&node.value, segment) {
            (Node::Map(entries), PathSegment::Key(k)) => {
                &entries.iter().find(|(key, _)| key.value == *k)?.1
            }
            (Node::Seq(items), PathSegment::Index(i)) => items.get(*i)?,
            _ => return None,
        };
    }
    Some(node)
}

fn describe_type(kind: &jsonschema::error::TypeKind) -> String {
    let name = |t: &dyn std::fmt::Display| match t.to_string().as_str() {
        "string" => "a string".to_string(),
        "array" => "a list".to_string(),
        "object" => "a mapping".to_string(),
        "integer" => "an integer".to_string(),
        "number" => "a number".to_string(),
        "boolean" => "a boolean".to_string(),
        "null" => "nothing".to_string(),
        other => other.to_string(),
    };
    match kind {
        jsonschema::error::TypeKind::Single(t) => name(t),
        jsonschema::error::TypeKind::Multiple(set) => set
            .iter()
            .map(|t| name(&t))
            .collect::<Vec<_>>()
            .join(" or "),
    }
}
