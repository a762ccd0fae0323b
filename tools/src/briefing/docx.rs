//! Word briefings (`.docx`), read with docx-rs.
//!
//! Paragraph styles say what a paragraph is: *Title* and *Heading 1* to *Heading 6*
//! are headings, *Subtitle* the subtitle, *Quote* and *Intense Quote* quotations, and a
//! paragraph with list numbering (or a *List* style) an entry of a list. Bold and
//! italic runs and hyperlinks are kept as Markdown. The result is lowered to the same
//! blocks as Markdown and HTML.
//!
//! A Word document has no lines: provenance counts paragraphs instead, so `line_start:
//! 5` is the fifth paragraph of the document body.

use std::collections::HashMap;
use std::path::Path;

use docx_rs::{DocumentChild, Docx, Paragraph, ParagraphChild, RunChild};

use super::blocks::{self, Block, Front, Line, ListItem, Para, Source};
use super::{Lines, Parsed};
use crate::diagnostics::{Diagnostic, Location};

/// What a paragraph's style makes of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Heading(u8),
    Subtitle,
    Quote,
    ListEntry,
    Body,
}

/// Parses a Word document read from `path`.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Parsed, Diagnostic> {
    let not_word = |why: String| {
        Diagnostic::error(format!("cannot read this Word document: {why}"))
            .at(Location::new(path, 1, 1, 1, ""))
            .help("save it again from the editor as a Word document (.docx), or export it as HTML or Markdown and ingest that")
    };
    if !bytes.starts_with(b"PK") {
        return Err(not_word(
            "it is not a .docx file (a .docx is a zip archive)".into(),
        ));
    }
    // docx-rs stops with a panic on some malformed archives: a refused file, not a crash.
    let read = std::panic::catch_unwind(|| docx_rs::read_docx(bytes));
    let docx = match read {
        Ok(Ok(docx)) => docx,
        Ok(Err(e)) => return Err(not_word(e.to_string())),
        Err(_) => return Err(not_word("the archive is malformed".into())),
    };
    let styles = style_names(&docx);
    let links: HashMap<&str, &str> = docx
        .hyperlinks
        .iter()
        .map(|(id, target, _)| (id.as_str(), target.as_str()))
        .collect();
    let paragraphs: Vec<&Paragraph> = docx
        .document
        .children
        .iter()
        .filter_map(|c| match c {
            DocumentChild::Paragraph(p) => Some(p.as_ref()),
            _ => None,
        })
        .collect();
    // One line per paragraph, so located messages can show the paragraph's words.
    let texts: Vec<String> = paragraphs.iter().map(|p| inline(p, &links)).collect();
    let text = texts
        .iter()
        .map(|t| blocks::plain(t))
        .collect::<Vec<_>>()
        .join("\n");
    let src = Source { path, text: &text };
    let mut lowered: Vec<Block> = Vec::new();
    for (i, (p, markdown)) in paragraphs.iter().zip(texts).enumerate() {
        let number = i + 1;
        if markdown.trim().is_empty() {
            continue;
        }
        let para = Para {
            lines: markdown
                .split('\n')
                .map(|l| Line {
                    number,
                    markdown: l.trim().to_string(),
                })
                .filter(|l| !l.markdown.is_empty())
                .collect(),
        };
        add(&mut lowered, role(p, &styles), para, number);
    }
    blocks::assemble(&src, Front::default(), lowered, Vec::new())
}

/// Adds a paragraph to the blocks: list entries join the list before them.
fn add(blocks: &mut Vec<Block>, role: Role, para: Para, number: usize) {
    let lines = Lines::one(number);
    match role {
        Role::Heading(level) => blocks.push(Block::Heading { level, text: para }),
        Role::Subtitle => {
            let text = blocks::plain(&para.text());
            blocks.push(Block::Paragraph(Para {
                lines: vec![Line {
                    number,
                    markdown: format!("*{text}*"),
                }],
            }));
        }
        Role::Quote => blocks.push(Block::Quote {
            paras: vec![para],
            lines,
        }),
        Role::ListEntry => {
            let item = ListItem {
                paras: vec![para],
                lines,
            };
            match blocks.last_mut() {
                Some(Block::List { items, .. })
                    if items.last().is_some_and(|i| i.lines.end + 1 == number) =>
                {
                    items.push(item)
                }
                _ => blocks.push(Block::List {
                    start: None,
                    items: vec![item],
                }),
            }
        }
        Role::Body => match blocks.last_mut() {
            // A paragraph right below a list entry continues it (an `Impact:` line).
            Some(Block::List { items, .. })
                if items.last().is_some_and(|i| i.lines.end + 1 == number)
                    && para.lines.first().is_some_and(|l| {
                        blocks::plain(&l.markdown)
                            .to_lowercase()
                            .starts_with("impact")
                    }) =>
            {
                let last = items.last_mut().expect("checked above");
                last.paras.push(para);
                last.lines.end = number;
            }
            _ => blocks.push(Block::Paragraph(para)),
        },
    }
}

/// Style ids and their names (`Heading1` → `heading 1`), lower-cased.
fn style_names(docx: &Docx) -> HashMap<String, String> {
    docx.styles
        .styles
        .iter()
        .map(|s| {
            let name = serde_json::to_value(&s.name)
                .ok()
                .and_then(|v| v.as_str().map(str::to_lowercase))
                .unwrap_or_default();
            (s.style_id.clone(), name)
        })
        .collect()
}

fn role(p: &Paragraph, styles: &HashMap<String, String>) -> Role {
    let id = p
        .property
        .style
        .as_ref()
        .map(|s| s.val.as_str())
        .unwrap_or("");
    let name = styles.get(id).cloned().unwrap_or_else(|| id.to_lowercase());
    let compact: String = name.chars().filter(|c| !c.is_whitespace()).collect();
    if compact == "title" {
        return Role::Heading(1);
    }
    if compact == "subtitle" {
        return Role::Subtitle;
    }
    if let Some(level) = compact
        .strip_prefix("heading")
        .and_then(|n| n.parse::<u8>().ok())
        .filter(|n| (1..=6).contains(n))
    {
        return Role::Heading(level);
    }
    if compact == "quote" || compact == "intensequote" {
        return Role::Quote;
    }
    if p.has_numbering || p.property.numbering_property.is_some() || compact.starts_with("list") {
        return Role::ListEntry;
    }
    Role::Body
}

fn flag<T: serde::Serialize>(value: &Option<T>) -> bool {
    value
        .as_ref()
        .and_then(|v| serde_json::to_value(v).ok())
        .is_some_and(|v| v == serde_json::Value::Bool(true))
}

/// A paragraph's runs as inline markdown: bold and italic runs marked, hyperlinks as
/// links, line breaks as `\n`.
fn inline(p: &Paragraph, links: &HashMap<&str, &str>) -> String {
    let mut out = String::new();
    children(&p.children, links, &mut out);
    out
}

fn children(list: &[ParagraphChild], links: &HashMap<&str, &str>, out: &mut String) {
    for child in list {
        match child {
            ParagraphChild::Run(run) => {
                let mut text = String::new();
                for c in &run.children {
                    match c {
                        RunChild::Text(t) => text.push_str(&blocks::escape(&t.text)),
                        RunChild::Tab(_) | RunChild::PTab(_) => text.push(' '),
                        RunChild::Break(_) | RunChild::CarriageReturn(_) => text.push('\n'),
                        _ => {}
                    }
                }
                let marker = match (flag(&run.run_property.bold), flag(&run.run_property.italic)) {
                    (true, true) => "***",
                    (true, false) => "**",
                    (false, true) => "*",
                    (false, false) => "",
                };
                push_marked(out, &text, marker);
            }
            ParagraphChild::Hyperlink(link) => {
                let mut inner = String::new();
                children(&link.children, links, &mut inner);
                let target = match &link.link {
                    docx_rs::HyperlinkData::External { rid, .. } => {
                        links.get(rid.as_str()).copied()
                    }
                    docx_rs::HyperlinkData::Anchor { .. } => None,
                };
                match target {
                    Some(href) if !inner.trim().is_empty() => {
                        out.push_str(&format!("[{}]({})", inner.trim(), href.replace(' ', "%20")));
                    }
                    _ => out.push_str(&inner),
                }
            }
            ParagraphChild::Insert(_) | ParagraphChild::Delete(_) => {}
            _ => {}
        }
    }
}

/// Writes a run, its marker around the words and the spaces outside, merging with the
/// run before when both carry the same marker (Word splits runs freely).
fn push_marked(out: &mut String, text: &str, marker: &str) {
    if marker.is_empty() || text.trim().is_empty() {
        out.push_str(text);
        return;
    }
    let lead = &text[..text.len() - text.trim_start().len()];
    let trail = &text[text.trim_end().len()..];
    if lead.is_empty() && out.ends_with(marker) && !out.ends_with(&format!("{marker}*")) {
        out.truncate(out.len() - marker.len());
        out.push_str(text.trim_end());
        out.push_str(marker);
        out.push_str(trail);
        return;
    }
    out.push_str(lead);
    out.push_str(marker);
    out.push_str(text.trim());
    out.push_str(marker);
    out.push_str(trail);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_merge_their_markers() {
        let mut out = String::new();
        push_marked(&mut out, "Impact:", "**");
        push_marked(&mut out, " less", "");
        assert_eq!(out, "**Impact:** less");
        let mut out = String::new();
        push_marked(&mut out, "Lead", "**");
        push_marked(&mut out, "ing.", "**");
        push_marked(&mut out, " Text", "");
        assert_eq!(out, "**Leading.** Text");
    }

    #[test]
    fn a_zip_that_is_not_word_is_refused() {
        let e = parse(Path::new("b.docx"), b"PK\x03\x04garbage").unwrap_err();
        assert!(
            e.message.contains("cannot read this Word document"),
            "{e:?}"
        );
        let e = parse(Path::new("b.docx"), b"plain text").unwrap_err();
        assert!(e.message.contains("zip"), "{e:?}");
    }
}
