//! mdBook's `{{#include}}`, `{{#rustdoc_include}}` and `{{#playground}}` directives,
//! expanded as mdBook's `links` preprocessor expands them, with the origin of every
//! line kept, so the checks report a problem in an included file at that file's line
//! and at the chapter line of the directive that brought it in.
//!
//! mdBook's own expansion is private to its preprocessor and logs a file it cannot read
//! instead of returning an error; the rules here follow its source (`links.rs` and
//! `take_lines.rs` of mdbook-driver 0.5): `path:N` is line N, `path:N:M` lines N to M,
//! `path:N:` from N, `path::M` up to M, `path:name` the lines between `ANCHOR: name` and
//! `ANCHOR_END: name` (other anchor lines left out); `rustdoc_include` keeps the whole
//! file and hides (`# `) what lies outside the range or anchor; `playground` wraps the
//! file in a `rust` fence with its attributes; `\{{#…}}` is the directive as text.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use crate::diagnostics::{Diagnostic, Location};

/// How deep includes may nest (mdBook's limit).
const MAX_DEPTH: usize = 10;

/// Where a line of expanded text comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Origin {
    /// The file, as the chapter's path was given (relative to the book root).
    pub file: PathBuf,
    /// 1-based line in that file.
    pub line: usize,
    /// For an included line, the chapter line of the outermost directive.
    pub directive: Option<usize>,
}

/// A chapter with its directives expanded.
#[derive(Debug, Clone)]
pub(crate) struct Expanded {
    /// The text mdBook renders.
    pub text: String,
    /// The origin of each line of `text`.
    origins: Vec<Origin>,
}

impl Expanded {
    /// Where 1-based line `line` of the expanded text comes from.
    pub(crate) fn origin(&self, line: usize) -> Origin {
        self.origins
            .get(line.saturating_sub(1))
            .or(self.origins.last())
            .cloned()
            .unwrap_or(Origin {
                file: PathBuf::new(),
                line,
                directive: None,
            })
    }
}

static DIRECTIVE: LazyLock<regex::Regex> = LazyLock::new(|| {
    // mdBook's pattern: an escaped directive, or `{{#type target props}}`.
    regex::Regex::new(r"\\\{\{\#.*\}\}|\{\{\s*\#([a-zA-Z0-9_]+)\s+([^}]+)\}\}")
        .expect("a valid pattern")
});
static ANCHOR_START: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"ANCHOR:\s*([\w_-]+)").expect("a valid pattern"));
static ANCHOR_END: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"ANCHOR_END:\s*([\w_-]+)").expect("a valid pattern"));

/// Expands the directives of a chapter's `text`. `file` names the chapter in reports
/// (relative to the book root), `dir` is the folder its relative paths start from, and
/// `root` the book root, which reported paths are relative to. Problems (a missing file
/// or anchor) are reported at the directive, which stays in the text as mdBook leaves
/// it.
pub(crate) fn expand(
    text: &str,
    file: &Path,
    dir: &Path,
    root: &Path,
) -> (Expanded, Vec<Diagnostic>) {
    let mut out = Builder::default();
    let mut problems = Vec::new();
    expand_into(
        &mut out,
        &mut problems,
        text,
        &Source {
            file,
            dir,
            root,
            directive: None,
            lines: &[],
            depth: 0,
        },
    );
    (out.finish(), problems)
}

struct Source<'a> {
    file: &'a Path,
    dir: &'a Path,
    root: &'a Path,
    /// The chapter line of the outermost directive, for included text.
    directive: Option<usize>,
    /// For included text, the file's line number of each of its lines.
    lines: &'a [usize],
    depth: usize,
}

impl Source<'_> {
    /// The file's line number of 1-based line `n` of the text being expanded.
    fn file_line(&self, n: usize) -> usize {
        self.lines.get(n - 1).copied().unwrap_or(n)
    }
}

/// Expanded text being built, line origins alongside.
#[derive(Default)]
struct Builder {
    text: String,
    origins: Vec<Origin>,
    /// Whether the line being written has its origin already.
    open: bool,
}

impl Builder {
    /// Appends `piece`, which starts on 1-based line `line` of the text of `src`.
    fn push(&mut self, piece: &str, src: &Source<'_>, line: usize) {
        let mut line = line;
        for ch in piece.chars() {
            if !self.open {
                self.origins.push(Origin {
                    file: src.file.to_path_buf(),
                    line: src.file_line(line),
                    directive: src.directive,
                });
                self.open = true;
            }
            self.text.push(ch);
            if ch == '\n' {
                self.open = false;
                line += 1;
            }
        }
    }

    fn finish(self) -> Expanded {
        Expanded {
            text: self.text,
            origins: self.origins,
        }
    }
}

fn line_at(text: &str, byte: usize) -> usize {
    text[..byte].matches('\n').count() + 1
}

fn expand_into(out: &mut Builder, problems: &mut Vec<Diagnostic>, text: &str, src: &Source<'_>) {
    let mut last = 0;
    for cap in DIRECTIVE.captures_iter(text) {
        let whole = cap.get(0).expect("the whole match");
        let line = line_at(text, whole.start());
        out.push(&text[last..whole.start()], src, line_at(text, last));
        last = whole.end();
        let (Some(kind), Some(rest)) = (cap.get(1), cap.get(2)) else {
            // `\{{#…}}`: the directive as text, without the backslash.
            out.push(&whole.as_str()[1..], src, line);
            continue;
        };
        let kind = kind.as_str();
        if kind == "title" {
            // `{{#title …}}` sets the page title and leaves nothing.
            continue;
        }
        if !matches!(
            kind,
            "include" | "rustdoc_include" | "playground" | "playpen"
        ) {
            // Another preprocessor's directive.
            out.push(whole.as_str(), src, line);
            continue;
        }
        let mut words = rest.as_str().split_whitespace();
        let target = words.next().unwrap_or_default();
        let props: Vec<&str> = words.collect();
        let playground = matches!(kind, "playground" | "playpen");
        let (path, selector) = match target.split_once(':') {
            Some((p, s)) if !playground => (p, Some(s)),
            _ => (target, None),
        };
        let fail = |message: String, help: &str| {
            let line_start = text[..whole.start()].rfind('\n').map_or(0, |i| i + 1);
            let column = text[line_start..whole.start()].chars().count() + 1;
            let at =
                Location::in_text(src.file, text, line, column, whole.as_str().chars().count());
            Diagnostic::error(message)
                .at(Location {
                    line: src.file_line(line),
                    ..at
                })
                .help(help.to_string())
        };
        // As in mdBook, a book may include files from beside it (the mdBook guide
        // includes the repository's examples): the book's author chose them.
        let included = crate::diagnostics::normalize(&src.dir.join(path));
        let problem = (src.depth + 1 >= MAX_DEPTH).then(|| {
            fail(
                format!("includes nest deeper than {MAX_DEPTH} levels (a cycle?)"),
                "remove the include that brings a file into itself",
            )
        });
        let content = match problem {
            Some(p) => Err(p),
            None => match std::fs::read(&included) {
                Ok(bytes) => String::from_utf8(bytes).map_err(|_| {
                    fail(
                        format!("cannot include `{path}`: the file is not UTF-8"),
                        "save the included file as UTF-8",
                    )
                }),
                Err(e) => Err(fail(
                    format!("cannot include `{path}`: {e}"),
                    "fix the path; it is relative to the file that holds the directive",
                )),
            },
        };
        let selected = content.and_then(|c| {
            select(&c, kind, selector).map_err(|anchor| {
                fail(
                    format!("`{path}` has no anchor `{anchor}` (`ANCHOR: {anchor}` … `ANCHOR_END: {anchor}`)"),
                    "add the anchor comments to the file, or fix the name",
                )
            })
        });
        let lines = match selected {
            Ok(lines) => lines,
            Err(problem) => {
                problems.push(problem);
                // mdBook leaves the directive in the page.
                out.push(whole.as_str(), src, line);
                continue;
            }
        };
        if playground {
            let fence = if props.is_empty() {
                "```rust\n".to_string()
            } else {
                format!("```rust,{}\n", props.join(","))
            };
            out.push(&fence, src, line);
        }
        let mut piece = lines
            .iter()
            .map(|(_, l)| l.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        if playground {
            piece.push('\n');
        }
        let numbers: Vec<usize> = lines.iter().map(|(n, _)| *n).collect();
        let shown = crate::diagnostics::relative_to(&included, src.root);
        let inner = Source {
            file: &shown,
            dir: included.parent().unwrap_or(src.dir),
            root: src.root,
            directive: src.directive.or(Some(line)),
            lines: &numbers,
            depth: src.depth + 1,
        };
        expand_into(out, problems, &piece, &inner);
        if playground {
            out.push("```\n", src, line);
        }
    }
    out.push(&text[last..], src, line_at(text, last));
}

/// The lines of `content` a directive takes, each with its 1-based line number, or the
/// anchor that was not found.
fn select(
    content: &str,
    kind: &str,
    selector: Option<&str>,
) -> Result<Vec<(usize, String)>, String> {
    let all: Vec<(usize, &str)> = content
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .collect();
    let rustdoc = kind == "rustdoc_include";
    let hidden = |l: &str| format!("# {l}");
    match parse_selector(selector) {
        Selector::Range(start, end) => {
            let inside = |n: usize| n > start && end.is_none_or(|e| n <= e);
            Ok(all
                .iter()
                .filter(|(n, _)| rustdoc || inside(*n))
                .map(|(n, l)| (*n, if inside(*n) { l.to_string() } else { hidden(l) }))
                .collect())
        }
        Selector::Anchor(name) => {
            let mut out = Vec::new();
            let mut within = false;
            let mut found = false;
            for (n, l) in &all {
                let starts = ANCHOR_START.captures(l).is_some_and(|c| &c[1] == name);
                let ends = ANCHOR_END.captures(l).is_some_and(|c| &c[1] == name);
                if within {
                    if ends {
                        within = false;
                        if !rustdoc {
                            break;
                        }
                    } else if !ANCHOR_START.is_match(l) && !ANCHOR_END.is_match(l) {
                        out.push((*n, l.to_string()));
                    }
                } else if starts {
                    within = true;
                    found = true;
                } else if rustdoc && !ANCHOR_END.is_match(l) && !ANCHOR_START.is_match(l) {
                    out.push((*n, hidden(l)));
                }
            }
            if found {
                Ok(out)
            } else {
                Err(name.to_string())
            }
        }
    }
}

enum Selector<'a> {
    /// Lines after `start` (0-based, exclusive) up to `end` (1-based, inclusive).
    Range(usize, Option<usize>),
    Anchor(&'a str),
}

/// mdBook's `parse_range_or_anchor`.
fn parse_selector(selector: Option<&str>) -> Selector<'_> {
    let mut parts = selector.unwrap_or("").splitn(3, ':');
    let first = parts.next();
    let start = match first {
        Some(s) if s.parse::<usize>().is_ok() => {
            Some(s.parse::<usize>().unwrap_or(1).saturating_sub(1))
        }
        Some("") | None => None,
        Some(anchor) => return Selector::Anchor(anchor),
    };
    let end = parts.next().map(str::parse::<usize>);
    match (start, end) {
        (Some(s), Some(Ok(e))) => Selector::Range(s, Some(e)),
        (Some(s), Some(Err(_))) => Selector::Range(s, None),
        (Some(s), None) => Selector::Range(s, Some(s + 1)),
        (None, Some(Ok(e))) => Selector::Range(0, Some(e)),
        (None, _) => Selector::Range(0, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("src/ex")).unwrap();
        std::fs::write(
            dir.path().join("src/ex/a.rs"),
            "use std::fmt;\n// ANCHOR: body\nfn body() {}\n// ANCHOR_END: body\nfn main() {}\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("src/ex/part.md"),
            "Part line one.\n{{#include a.rs:3}}\n",
        )
        .unwrap();
        dir
    }

    fn run(dir: &Path, text: &str) -> (Expanded, Vec<Diagnostic>) {
        expand(text, Path::new("src/ch.md"), &dir.join("src"), dir)
    }

    #[test]
    fn ranges_anchors_and_hiding_follow_mdbook() {
        let dir = book();
        let d = dir.path();
        assert_eq!(run(d, "{{#include ex/a.rs:1}}").0.text, "use std::fmt;");
        assert_eq!(
            run(d, "{{#include ex/a.rs:2:3}}").0.text,
            "// ANCHOR: body\nfn body() {}"
        );
        assert_eq!(run(d, "{{#include ex/a.rs::1}}").0.text, "use std::fmt;");
        assert_eq!(run(d, "{{#include ex/a.rs:5:}}").0.text, "fn main() {}");
        assert_eq!(run(d, "{{#include ex/a.rs:body}}").0.text, "fn body() {}");
        assert_eq!(
            run(d, "{{#rustdoc_include ex/a.rs:body}}").0.text,
            "# use std::fmt;\nfn body() {}\n# fn main() {}"
        );
        assert_eq!(
            run(d, "{{#rustdoc_include ex/a.rs:1}}").0.text,
            "use std::fmt;\n# // ANCHOR: body\n# fn body() {}\n# // ANCHOR_END: body\n# fn main() {}"
        );
        assert_eq!(
            run(d, "{{#playground ex/a.rs editable}}")
                .0
                .text
                .lines()
                .next(),
            Some("```rust,editable")
        );
        assert_eq!(
            run(d, "\\{{#include ex/a.rs}}").0.text,
            "{{#include ex/a.rs}}"
        );
        assert_eq!(run(d, "a {{#title New}}b").0.text, "a b");
    }

    #[test]
    fn every_line_knows_where_it_came_from() {
        let dir = book();
        let (e, problems) = run(
            dir.path(),
            "# Ch\n\n```rust\n{{#include ex/a.rs:body}}\n```\n\n{{#include ex/part.md}}\nEnd.\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        let at = |n| {
            let o = e.origin(n);
            (o.file.to_string_lossy().into_owned(), o.line, o.directive)
        };
        assert_eq!(e.text.lines().nth(3), Some("fn body() {}"));
        assert_eq!(at(3), ("src/ch.md".into(), 3, None));
        assert_eq!(at(4), ("src/ex/a.rs".into(), 3, Some(4)));
        assert_eq!(at(5), ("src/ch.md".into(), 5, None));
        assert_eq!(at(7), ("src/ex/part.md".into(), 1, Some(7)));
        // Nested: part.md includes line 3 of a.rs; the directive is still the chapter's.
        assert_eq!(at(8), ("src/ex/a.rs".into(), 3, Some(7)));
        assert_eq!(at(9), ("src/ch.md".into(), 8, None));
    }

    #[test]
    fn missing_files_and_anchors_are_located_at_the_directive() {
        let dir = book();
        let (e, problems) = run(
            dir.path(),
            "Text.\n\nSee {{#include ex/nope.rs}} and {{#include ex/a.rs:nothing}}.\n{{#include ../../absent-beside.rs}}\n",
        );
        assert_eq!(problems.len(), 3, "{problems:?}");
        let first = problems[0].primary.as_ref().unwrap();
        assert_eq!((first.line, first.column), (3, 5));
        assert!(problems[1].message.contains("no anchor `nothing`"));
        // A file beside the book may be included; one that does not exist may not.
        assert!(
            problems[2].message.contains("absent-beside.rs"),
            "{}",
            problems[2].message
        );
        assert_eq!(problems[2].primary.as_ref().unwrap().line, 4);
        assert!(
            e.text.contains("{{#include ex/nope.rs}}"),
            "left as mdBook leaves it"
        );
    }
}
