//! Located problems in the files contributors edit, and the three ways they are printed.
//!
//! Every stage reports problems in its input as [`Diagnostic`] values rather than as
//! Rust errors: a stage collects all of them so a contributor fixes everything in one
//! pass. Only the `cli` decides how to print them: for people (a source snippet with a
//! marker and a hint), as JSON, or as GitHub workflow annotations.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde::Serialize;

/// How bad a problem is. Errors fail the command; warnings are shown and do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The input cannot be used as it is.
    Error,
    /// The input works but a reader would likely want it changed.
    Warning,
}

/// A place in a text file: 1-based line and column (in characters), and the text of
/// that line so the place can be shown without reading the file again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    /// The file, as the user named it (relative paths stay relative).
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// How many characters to mark from `column` (at least one).
    #[serde(skip)]
    pub width: usize,
    /// The whole source line.
    #[serde(skip)]
    pub source_line: String,
}

impl Location {
    /// A location marking the text of a whole line.
    pub fn line(file: &Path, line: usize, source_line: &str) -> Location {
        let indent = source_line
            .chars()
            .take_while(|c| c.is_whitespace())
            .count();
        let width = source_line.trim().chars().count().max(1);
        Location::new(file, line, indent + 1, width, source_line)
    }

    /// A location marking `width` characters from `column` on `line`.
    pub fn new(
        file: &Path,
        line: usize,
        column: usize,
        width: usize,
        source_line: &str,
    ) -> Location {
        Location {
            file: file.to_path_buf(),
            line: line.max(1),
            column: column.max(1),
            width: width.max(1),
            source_line: source_line.to_string(),
        }
    }

    /// A location in `text` given a 1-based line and column, marking `width` characters.
    pub fn in_text(file: &Path, text: &str, line: usize, column: usize, width: usize) -> Location {
        let source_line = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
        Location::new(
            file,
            line,
            column,
            width,
            source_line.trim_end_matches('\r'),
        )
    }
}

/// One problem found in the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, as a phrase starting in lower case.
    pub message: String,
    /// Where it is wrong, when a place is known.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub primary: Option<Location>,
    /// A short label shown under the marked text.
    #[serde(skip)]
    pub label: Option<String>,
    /// Other places that explain the problem (the first definition of a duplicate…).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

/// A secondary place shown with a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Related {
    /// Where.
    #[serde(flatten)]
    pub location: Location,
    /// Why it matters.
    pub note: String,
}

impl Diagnostic {
    /// A new error with no location yet.
    pub fn error(message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Error, message.into())
    }

    /// A new warning with no location yet.
    pub fn warning(message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, message.into())
    }

    fn new(severity: Severity, message: String) -> Diagnostic {
        Diagnostic {
            severity,
            message,
            primary: None,
            label: None,
            related: Vec::new(),
            help: None,
        }
    }

    /// Places the problem.
    pub fn at(mut self, location: Location) -> Diagnostic {
        self.primary = Some(location);
        self
    }

    /// Places the problem when a location is known.
    pub fn at_opt(mut self, location: Option<Location>) -> Diagnostic {
        self.primary = location;
        self
    }

    /// Labels the marked text.
    pub fn label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    /// Adds a second place worth showing.
    pub fn related(mut self, location: Location, note: impl Into<String>) -> Diagnostic {
        self.related.push(Related {
            location,
            note: note.into(),
        });
        self
    }

    /// Says how to fix it.
    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Whether this problem fails the command.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders the diagnostic as cargo and rustc do: a header, `--> file:line:col`, the
    /// source line with a marker, related places and a `help:` line.
    pub fn render(&self, color: bool) -> String {
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let files: Vec<String> = std::iter::once(self.primary.as_ref())
            .chain(self.related.iter().map(|r| Some(&r.location)))
            .map(|l| l.map(|l| l.file.display().to_string()).unwrap_or_default())
            .collect();
        let mut group = Group::with_title(level.primary_title(self.message.as_str()));
        if let Some(loc) = &self.primary {
            let mut annotation = AnnotationKind::Primary.span(char_span(loc));
            if let Some(label) = &self.label {
                annotation = annotation.label(label.as_str());
            }
            group = group.element(
                Snippet::source(loc.source_line.as_str())
                    .line_start(loc.line)
                    .path(files[0].as_str())
                    .annotation(annotation),
            );
        }
        let mut report = vec![group];
        for (related, file) in self.related.iter().zip(&files[1..]) {
            let loc = &related.location;
            report.push(
                Group::with_title(Level::NOTE.secondary_title(related.note.as_str())).element(
                    Snippet::source(loc.source_line.as_str())
                        .line_start(loc.line)
                        .path(file.as_str())
                        .annotation(AnnotationKind::Context.span(char_span(loc))),
                ),
            );
        }
        if let Some(help) = &self.help {
            report.push(Group::with_title(
                Level::HELP.secondary_title(help.as_str()),
            ));
        }
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        renderer.render(&report)
    }

    /// Renders the diagnostic as a GitHub workflow command, with the path relative to
    /// `root` (the repository root) when it lies inside it.
    pub fn github(&self, root: &Path) -> String {
        let command = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut out = format!("::{command}");
        if let Some(loc) = &self.primary {
            let file = relative_to(&loc.file, root);
            let _ = write!(
                out,
                " file={},line={},col={}",
                escape_property(&file.to_string_lossy()),
                loc.line,
                loc.column
            );
        }
        let mut message = self.message.clone();
        if let Some(help) = &self.help {
            let _ = write!(message, "\nhelp: {help}");
        }
        let _ = write!(out, "::{}", escape_data(&message));
        out
    }
}

/// Byte range in `source_line` of the characters a location marks.
fn char_span(loc: &Location) -> std::ops::Range<usize> {
    let line = &loc.source_line;
    let byte_at = |chars: usize| {
        line.char_indices()
            .nth(chars)
            .map_or(line.len(), |(i, _)| i)
    };
    let start = byte_at(loc.column - 1);
    let end = byte_at(loc.column - 1 + loc.width).max(start);
    start..end
}

/// `path` relative to `root` when it is inside it; otherwise unchanged.
pub fn relative_to(path: &Path, root: &Path) -> PathBuf {
    let absolute = |p: &Path| {
        std::path::absolute(p)
            .map(|a| normalize(&a))
            .unwrap_or_else(|_| p.to_path_buf())
    };
    let (p, r) = (absolute(path), absolute(root));
    p.strip_prefix(&r).map(Path::to_path_buf).unwrap_or(p)
}

/// Removes `.` and resolves `..` lexically (without touching the file system).
pub fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                // `..` of the root is the root.
                Some(Component::RootDir | Component::Prefix(_)) => {}
                None | Some(Component::ParentDir) => out.push(".."),
                Some(_) => {
                    out.pop();
                }
            },
            other => out.push(other),
        }
    }
    out
}

// GitHub's workflow command escaping: see "Workflow commands for GitHub Actions",
// section "Setting an error message" and the toolkit's `escapeData`/`escapeProperty`.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Decodes UTF-8, or reports where the first byte that is not UTF-8 sits.
pub fn decode_utf8<'a>(path: &Path, bytes: &'a [u8]) -> Result<&'a str, Diagnostic> {
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
        let line = valid.matches('\n').count() + 1;
        let line_start = valid.rfind('\n').map_or(0, |i| i + 1);
        let column = valid[line_start..].chars().count() + 1;
        let shown: String = valid[line_start..].trim_end_matches('\r').to_string() + "\u{fffd}";
        Diagnostic::error(format!(
            "the file is not UTF-8: byte 0x{:02x} at offset {} is not valid UTF-8",
            bytes[e.valid_up_to()],
            e.valid_up_to()
        ))
        .at(Location::new(path, line, column, 1, &shown))
        .label("not UTF-8")
        .help("save the file as UTF-8 (most editors offer \"Save with encoding\")")
    })
}

/// Renders many diagnostics for people, separated by blank lines.
pub fn render_all(diagnostics: &[Diagnostic], color: bool) -> String {
    render_parts(diagnostics, color).concat()
}

/// [`render_all`] in consecutive parts, to be written one after the other without
/// copying them into one text first.
pub fn render_parts(diagnostics: &[Diagnostic], color: bool) -> Vec<String> {
    // A link check of a large site can report hundreds of findings, and laying out a
    // source excerpt costs more than finding the broken link did: on every core, in order.
    crate::shared::in_parts(diagnostics, 16, |part| {
        let mut out = String::new();
        for d in part {
            out.push_str(&d.render(color));
            out.push_str("\n\n");
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_location_marker_and_help() {
        let d = Diagnostic::error("unknown field `titel`")
            .at(Location::new(
                Path::new("content/a.yaml"),
                3,
                5,
                5,
                "    titel: x",
            ))
            .label("not a field of an insight")
            .help("did you mean `title`?");
        let text = d.render(false);
        assert!(text.contains("--> content/a.yaml:3:5"), "{text}");
        assert!(text.contains("^^^^^"), "{text}");
        assert!(text.contains("help: did you mean `title`?"), "{text}");
    }

    #[test]
    fn many_diagnostics_render_in_their_order() {
        let many: Vec<Diagnostic> = (1..=150)
            .map(|n| {
                Diagnostic::error(format!("problem {n}")).at(Location::line(
                    Path::new("a.md"),
                    n,
                    "text",
                ))
            })
            .collect();
        let one_by_one: String = many
            .iter()
            .map(|d| format!("{}\n\n", d.render(false)))
            .collect();
        assert_eq!(render_all(&many, false), one_by_one);
    }

    #[test]
    fn github_annotations_escape_and_relativise() {
        let d = Diagnostic::warning("a: b\nc").at(Location::line(
            Path::new("/repo/content/x,y.yaml"),
            2,
            "x",
        ));
        assert_eq!(
            d.github(Path::new("/repo")),
            "::warning file=content/x%2Cy.yaml,line=2,col=1::a: b%0Ac"
        );
    }

    #[test]
    fn normalize_resolves_dots_lexically() {
        assert_eq!(normalize(Path::new("a/./b/../c")), Path::new("a/c"));
        assert_eq!(normalize(Path::new("../a/../../b")), Path::new("../../b"));
        assert_eq!(normalize(Path::new("./")), Path::new(""));
        assert_eq!(normalize(Path::new("/a/../..")), Path::new("/"));
        assert_eq!(normalize(Path::new("a/..")), Path::new(""));
    }

    #[test]
    fn relative_to_strips_the_root_only_when_inside() {
        assert_eq!(
            relative_to(Path::new("/repo/content/a.yaml"), Path::new("/repo")),
            Path::new("content/a.yaml")
        );
        assert_eq!(
            relative_to(Path::new("/repo/../x/a.yaml"), Path::new("/repo")),
            Path::new("/x/a.yaml")
        );
        assert_eq!(
            relative_to(Path::new("/repository/a"), Path::new("/repo")),
            Path::new("/repository/a")
        );
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(relative_to(&cwd.join("f"), Path::new(".")), Path::new("f"));
    }

    #[test]
    fn non_utf8_is_located() {
        let e = decode_utf8(Path::new("f"), b"ok\nab\xffcd").unwrap_err();
        let loc = e.primary.unwrap();
        assert_eq!((loc.line, loc.column), (2, 3));
    }
}
