//! Briefings as people write them, parsed into one syntax tree with line spans.
//!
//! A briefing is a title, a subtitle, an introduction, body sections, then three item
//! blocks: *Key insights* and *Action items* (each item with an optional `Impact:`) and
//! *Quotes*. It arrives in one of several formats:
//!
//! - [`text`]: the plain-text layout of the seed briefing, line by line;
//! - [`markdown`]: CommonMark with YAML front matter, read with pulldown-cmark;
//! - [`html`]: a document editor's "download as web page" or a wiki page, read with the
//!   html5gum tokenizer;
//! - [`docx`]: a Word document, read with docx-rs.
//!
//! Markdown, HTML and Word are lowered to the same list of blocks (headings,
//! paragraphs, lists, quotations) and assembled by one set of rules, so a briefing gives
//! the same tree whatever it was written in.
//!
//! This module knows nothing of YAML or mdBook: every part of the tree carries the
//! 1-based lines it came from, so later stages can record provenance.

mod blocks;
pub mod docx;
pub mod html;
pub mod markdown;
pub mod text;

use std::path::Path;

use crate::diagnostics::{Diagnostic, Location};

/// An inclusive, 1-based range of source lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lines {
    /// First line.
    pub start: usize,
    /// Last line (inclusive).
    pub end: usize,
}

impl Lines {
    /// One line.
    pub fn one(line: usize) -> Lines {
        Lines {
            start: line,
            end: line,
        }
    }

    /// From the start of `self` to the end of `other`.
    pub fn to(self, other: Lines) -> Lines {
        Lines {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// A piece of text and the lines it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// The text (markdown), with paragraphs separated by a blank line.
    pub text: String,
    /// Where it came from.
    pub lines: Lines,
}

/// A body section: a heading and its paragraphs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The heading line.
    pub heading: Text,
    /// The paragraphs below it.
    pub body: Text,
}

/// A key insight or an action item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// A short title the author gave the item (a bold lead-in), when there is one.
    pub title: Option<Text>,
    /// What the item says.
    pub text: Text,
    /// Its `Impact:` line, without the label, when the briefing has one.
    pub impact: Option<Text>,
    /// From its first line to its last line.
    pub lines: Lines,
}

/// A quotation, with its quotation marks removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// The words quoted.
    pub text: Text,
    /// Who said it, when the briefing names them (`"…" — Name`).
    pub attribution: Option<String>,
}

/// What a briefing says about itself (Markdown front matter), beyond its title.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meta {
    /// When it was written, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Who wrote it.
    pub author: Option<String>,
    /// Where it comes from: a URL or a document reference.
    pub origin: Option<String>,
    /// Free-form labels.
    pub tags: Vec<String>,
}

/// A parsed briefing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Briefing {
    /// The title.
    pub title: Text,
    /// The line or paragraph under the title.
    pub subtitle: Option<Text>,
    /// The paragraphs between the subtitle and the first section heading.
    pub introduction: Option<Text>,
    /// Body sections in source order.
    pub sections: Vec<Section>,
    /// The `Key insights` block.
    pub insights: Vec<Item>,
    /// The `Action items` block.
    pub actions: Vec<Item>,
    /// The `Quotes` block.
    pub quotes: Vec<Quote>,
    /// Date, author, origin and tags, when the format carries them.
    pub meta: Meta,
}

/// The formats a briefing can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The plain-text layout: title line, subtitle line, `Key insights` and `-` items.
    Text,
    /// CommonMark with optional YAML front matter.
    Markdown,
    /// An HTML page (a document editor's export, a wiki page).
    Html,
    /// A Word document (`.docx`).
    Docx,
}

impl Format {
    /// The format a file name implies: `.md`/`.markdown`, `.html`/`.htm`, `.docx`; the
    /// plain-text layout for anything else.
    pub fn of_path(path: &Path) -> Format {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match ext.as_deref() {
            Some("md" | "markdown" | "mdown" | "mkd") => Format::Markdown,
            Some("html" | "htm" | "xhtml") => Format::Html,
            Some("docx") => Format::Docx,
            _ => Format::Text,
        }
    }

    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Docx => "docx",
        }
    }
}

/// A parsed briefing and what the reader noticed without refusing it.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The briefing.
    pub briefing: Briefing,
    /// Warnings: parts of the file that were read but not used.
    pub warnings: Vec<Diagnostic>,
}

/// Briefings larger than this are refused before parsing: a briefing is a few pages,
/// and the bound keeps time and memory small whatever a file holds.
pub const MAX_BYTES: usize = 4 * 1024 * 1024;

/// Parses the bytes of the briefing at `path` (used in messages) written in `format`.
pub fn parse_file(path: &Path, bytes: &[u8], format: Format) -> Result<Parsed, Diagnostic> {
    if bytes.len() > MAX_BYTES {
        return Err(Diagnostic::error(format!(
            "the briefing is {:.1} MiB; a briefing may be at most {} MiB",
            bytes.len() as f64 / 1024.0 / 1024.0,
            MAX_BYTES / 1024 / 1024
        ))
        .at(Location::new(path, 1, 1, 1, ""))
        .help("split the document into several briefings, or remove embedded images and data"));
    }
    if format == Format::Docx {
        return docx::parse(path, bytes);
    }
    let text = decode(path, bytes, format)?;
    check_format(path, text, format)?;
    match format {
        Format::Text => text::parse(path, text).map(|briefing| Parsed {
            briefing,
            warnings: Vec::new(),
        }),
        Format::Markdown => markdown::parse(path, text),
        Format::Html => html::parse(path, text),
        Format::Docx => unreachable!("read above"),
    }
}

/// The file's text, without a byte-order mark; a file holding NUL bytes or bytes that
/// are not UTF-8 is not a briefing written as text.
fn decode<'a>(path: &Path, bytes: &'a [u8], format: Format) -> Result<&'a str, Diagnostic> {
    if let Some(at) = memchr::memchr(0, bytes) {
        let hint = if bytes.starts_with(b"PK\x03\x04") {
            "this looks like a Word document or another zip archive: name it `.docx`, or pass `--format docx`"
        } else {
            "a briefing is a text file (plain text, Markdown or HTML) or a Word document (`.docx`)"
        };
        let before = &bytes[..at];
        let line_start = before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        let shown = String::from_utf8_lossy(&before[line_start..]);
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        return Err(Diagnostic::error(format!(
            "this is not a text file: it holds a NUL byte at offset {at}"
        ))
        .at(Location::new(
            path,
            line,
            shown.chars().count() + 1,
            1,
            &format!("{shown}\u{fffd}"),
        ))
        .label("a NUL byte")
        .help(hint));
    }
    let text = crate::diagnostics::decode_utf8(path, bytes).map_err(|d| {
        if format == Format::Html {
            d.help("save the page as UTF-8 (in most editors: \"Web page\" with the encoding Unicode (UTF-8))")
        } else {
            d
        }
    })?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// Whether the text starts like an HTML document.
fn looks_like_html(text: &str) -> bool {
    let head: String = text
        .trim_start()
        .chars()
        .take(15)
        .collect::<String>()
        .to_ascii_lowercase();
    head.starts_with("<!doctype html") || head.starts_with("<html") || head.starts_with("<?xml")
}

/// A Markdown or text file that is really an HTML page, and an HTML file without a
/// single tag, are refused with the format to use: parsing either as what its name
/// says gives a briefing nobody wrote.
fn check_format(path: &Path, text: &str, format: Format) -> Result<(), Diagnostic> {
    let first = text.lines().next().unwrap_or("");
    let at = Location::line(path, 1, first);
    match format {
        Format::Markdown | Format::Text if looks_like_html(text) => {
            Err(Diagnostic::error(format!(
                "this file is an HTML page, not {}",
                if format == Format::Text {
                    "a plain-text briefing"
                } else {
                    "Markdown"
                }
            ))
            .at(at)
            .label("an HTML document starts here")
            .help("name the file `.html`, or pass `--format html`"))
        }
        Format::Html if !text.contains('<') => Err(Diagnostic::error(
            "this file holds no HTML tag: it is not an HTML page",
        )
        .at(at)
        .help(if text.trim_start().starts_with('#') {
            "it looks like Markdown: name the file `.md`, or pass `--format markdown`"
        } else {
            "name the file `.md` or `.txt` for the format it is written in, or pass `--format`"
        })),
        _ => Ok(()),
    }
}

/// Removes the quotation marks around a quote, however deeply they are nested, and
/// splits off an attribution written after a closing mark (`"…" — Name`).
pub(crate) fn unquote(line: &str) -> (String, Option<String>) {
    const OPENING: &[char] = &['"', '“', '„', '«', '\'', '‘'];
    const CLOSING: &[char] = &['"', '”', '“', '»', '\'', '’'];
    let mut text = line.trim();
    let mut attribution = None;
    if text.starts_with(OPENING) {
        for dash in [" — ", " – ", " -- ", " - ", "—", "–"] {
            if let Some((quoted, who)) = text.rsplit_once(dash) {
                let quoted = quoted.trim_end();
                if quoted.ends_with(CLOSING) && !who.trim().is_empty() && !who.contains(CLOSING) {
                    attribution = Some(who.trim().to_string());
                    text = quoted;
                    break;
                }
            }
        }
    }
    loop {
        let stripped = text
            .strip_prefix(OPENING)
            .and_then(|t| t.strip_suffix(CLOSING));
        match stripped {
            Some(inner) => text = inner.trim(),
            None => break,
        }
    }
    (text.to_string(), attribution)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_lose_nested_marks_and_keep_attribution() {
        assert_eq!(unquote("“\"x y\"”"), ("x y".into(), None));
        assert_eq!(unquote("'plain'"), ("plain".into(), None));
        assert_eq!(
            unquote("“Ship it.” — Jane Doe"),
            ("Ship it.".into(), Some("Jane Doe".into()))
        );
        assert_eq!(
            unquote("\"Ship it.\" -- Jane Doe"),
            ("Ship it.".into(), Some("Jane Doe".into()))
        );
        assert_eq!(unquote("no marks"), ("no marks".into(), None));
    }

    #[test]
    fn formats_follow_the_extension() {
        assert_eq!(Format::of_path(Path::new("a/b.MD")), Format::Markdown);
        assert_eq!(Format::of_path(Path::new("b.htm")), Format::Html);
        assert_eq!(Format::of_path(Path::new("b.docx")), Format::Docx);
        assert_eq!(Format::of_path(Path::new("b")), Format::Text);
    }

    #[test]
    fn a_page_in_the_wrong_format_is_refused() {
        let path = Path::new("b.md");
        let e = check_format(path, "<!DOCTYPE html>\n<html>", Format::Markdown).unwrap_err();
        assert!(e.message.contains("HTML page"), "{e:?}");
        let e = check_format(path, "# Title\n\nText", Format::Html).unwrap_err();
        assert!(e.help.unwrap().contains("Markdown"));
        let e = decode(path, b"PK\x03\x04\0\0", Format::Text).unwrap_err();
        assert!(e.help.unwrap().contains("docx"));
    }
}
