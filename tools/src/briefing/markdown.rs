//! Markdown briefings: CommonMark with optional YAML front matter, read with
//! pulldown-cmark's events and offsets.
//!
//! ```markdown
//! ---
//! date: 2026-03-01
//! tags: [security]
//! ---
//! # Title
//!
//! *The subtitle, emphasised.*
//!
//! The introduction.
//!
//! ## A section
//!
//! Its paragraphs.
//!
//! ## Key insights
//!
//! - **A lead-in.** What the insight says.
//!   **Impact:** why it matters.
//!
//! ## Action items
//!
//! 1. What to do.
//!    Impact: what it achieves.
//!
//! ## Quotes
//!
//! > Words someone said.
//! > — Their name
//! ```
//!
//! The document is lowered to the blocks every format shares, from which one set of
//! rules assembles the briefing.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use pulldown_cmark::{Event, MetadataBlockKind, Options, Parser, Tag, TagEnd};
use serde_saphyr::Spanned;

use super::blocks::{self, Block, Front, ListItem, Para, Source};
use super::{Lines, Parsed};
use crate::diagnostics::{Diagnostic, Location};
use crate::shared::LineStarts;

/// Lists and quotations nested deeper than this are refused: a briefing has no use for
/// them, and the bound keeps the work per document small.
const MAX_DEPTH: usize = 64;

/// Parses a Markdown briefing read from `path`.
pub fn parse(path: &Path, text: &str) -> Result<Parsed, Diagnostic> {
    let src = Source { path, text };
    let starts = LineStarts::of(text.as_bytes());
    let mut lower = Lowering {
        text,
        starts: &starts,
        blocks: Vec::new(),
        stack: Vec::new(),
        inline: None,
        raw: None,
        front: None,
    };
    let options = Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_HEADING_ATTRIBUTES;
    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        lower.event(event, range).map_err(|line| {
            Diagnostic::error(format!(
                "lists and quotations are nested more than {MAX_DEPTH} deep"
            ))
            .at(src.at(line))
            .help("a briefing's items are flat lists: remove the nesting")
        })?;
    }
    lower.close_inline();
    let (front, warnings) = match lower.front {
        Some((yaml, first_line)) => front_matter(&src, &yaml, first_line)?,
        None => (Front::default(), Vec::new()),
    };
    blocks::assemble(&src, front, lower.blocks, warnings)
}

/// A container being read: a list, a list entry or a block quotation.
enum Open {
    List {
        start: Option<u64>,
        items: Vec<ListItem>,
    },
    Item {
        paras: Vec<Para>,
        range: Range<usize>,
    },
    Quote {
        paras: Vec<Para>,
        range: Range<usize>,
    },
}

/// Inline events of a paragraph or heading being read: whether each is a line break,
/// and its byte range.
struct Inline {
    heading: Option<u8>,
    events: Vec<(bool, Range<usize>)>,
}

struct Lowering<'a> {
    text: &'a str,
    starts: &'a LineStarts,
    blocks: Vec<Block>,
    stack: Vec<Open>,
    inline: Option<Inline>,
    /// A block kept as written (code, table, HTML): its start and nesting depth.
    raw: Option<(usize, usize)>,
    /// Front matter text and its first line.
    front: Option<(String, usize)>,
}

impl Lowering<'_> {
    /// Takes one event; `Err(line)` when nesting goes too deep.
    fn event(&mut self, event: Event<'_>, range: Range<usize>) -> Result<(), usize> {
        if let Some((start, depth)) = &mut self.raw {
            match &event {
                Event::Start(_) => *depth += 1,
                Event::End(_) if *depth > 0 => *depth -= 1,
                Event::End(_) => {
                    let start = *start;
                    self.raw = None;
                    self.raw_block(start..range.end.max(start));
                }
                _ => {}
            }
            return Ok(());
        }
        match event {
            Event::Start(Tag::MetadataBlock(MetadataBlockKind::YamlStyle)) => {
                let first_line = self.starts.line(range.start) + 1;
                let yaml = self.text[range].lines().skip(1).collect::<Vec<_>>();
                let yaml = yaml[..yaml.len().saturating_sub(1)].join("\n");
                if self.front.is_none() && self.blocks.is_empty() {
                    self.front = Some((yaml, first_line));
                }
                self.raw = Some((usize::MAX, 0));
            }
            Event::Start(Tag::Paragraph) => self.open_inline(None),
            Event::Start(Tag::Heading { level, .. }) => self.open_inline(Some(level as u8)),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_)) => self.close_inline(),
            Event::Start(Tag::List(start)) => {
                self.close_inline();
                self.push(
                    Open::List {
                        start,
                        items: Vec::new(),
                    },
                    range.start,
                )?;
            }
            Event::Start(Tag::Item) => {
                self.close_inline();
                let at = range.start;
                self.push(
                    Open::Item {
                        paras: Vec::new(),
                        range,
                    },
                    at,
                )?;
            }
            Event::Start(Tag::BlockQuote(_)) => {
                self.close_inline();
                let at = range.start;
                self.push(
                    Open::Quote {
                        paras: Vec::new(),
                        range,
                    },
                    at,
                )?;
            }
            Event::End(TagEnd::List(_) | TagEnd::Item | TagEnd::BlockQuote(_)) => {
                self.close_inline();
                self.pop();
            }
            Event::Start(
                Tag::CodeBlock(_)
                | Tag::Table(_)
                | Tag::HtmlBlock
                | Tag::FootnoteDefinition(_)
                | Tag::DefinitionList
                | Tag::MetadataBlock(_),
            ) => {
                self.close_inline();
                self.raw = Some((range.start, 0));
            }
            Event::Rule => self.close_inline(),
            Event::SoftBreak | Event::HardBreak => self.inline_event(true, range),
            // Checkboxes of task lists are markup, not words.
            Event::TaskListMarker(_) => {}
            _ => self.inline_event(false, range),
        }
        Ok(())
    }

    fn open_inline(&mut self, heading: Option<u8>) {
        self.close_inline();
        self.inline = Some(Inline {
            heading,
            events: Vec::new(),
        });
    }

    /// An inline event; text directly in a list entry (a tight list) opens a paragraph.
    fn inline_event(&mut self, is_break: bool, range: Range<usize>) {
        self.inline
            .get_or_insert_with(|| Inline {
                heading: None,
                events: Vec::new(),
            })
            .events
            .push((is_break, range));
    }

    fn close_inline(&mut self) {
        let Some(inline) = self.inline.take() else {
            return;
        };
        let para = Para {
            lines: blocks::lines_of(self.text, self.starts, &inline.events),
        };
        match (inline.heading, self.stack.last_mut()) {
            (_, Some(Open::Item { paras, .. } | Open::Quote { paras, .. })) => paras.push(para),
            (Some(level), _) => self.blocks.push(Block::Heading { level, text: para }),
            (None, _) => self.blocks.push(Block::Paragraph(para)),
        }
    }

    fn push(&mut self, open: Open, at: usize) -> Result<(), usize> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(self.starts.line(at));
        }
        self.stack.push(open);
        Ok(())
    }

    /// Closes the innermost container; a list or quotation inside a list entry or a
    /// quotation becomes more of its paragraphs.
    fn pop(&mut self) {
        let Some(open) = self.stack.pop() else {
            return;
        };
        // A container's range runs over the blank lines after it; its lines do not.
        let text = self.text;
        let lines = |range: &Range<usize>| {
            let end = range.start + text[range.clone()].trim_end().len();
            Lines {
                start: self.starts.line(range.start),
                end: self.starts.line(end.saturating_sub(1).max(range.start)),
            }
        };
        match open {
            Open::Item { paras, range } => {
                let lines = lines(&range);
                if let Some(Open::List { items, .. }) = self.stack.last_mut() {
                    items.push(ListItem { paras, lines });
                }
            }
            Open::List { start, items } => match self.stack.last_mut() {
                Some(Open::Item { paras, .. } | Open::Quote { paras, .. }) => {
                    paras.extend(items.into_iter().flat_map(|i| i.paras));
                }
                _ => self.blocks.push(Block::List { start, items }),
            },
            Open::Quote {
                paras: inner,
                range,
            } => {
                let lines = lines(&range);
                match self.stack.last_mut() {
                    Some(Open::Item { paras, .. } | Open::Quote { paras, .. }) => {
                        paras.extend(inner);
                    }
                    _ => self.blocks.push(Block::Quote {
                        paras: inner,
                        lines,
                    }),
                }
            }
        }
    }

    /// A block kept as written: in a section, as markdown; in an item, as its lines.
    fn raw_block(&mut self, range: Range<usize>) {
        if range.start == usize::MAX {
            return; // front matter, read above
        }
        let markdown = self.text[range.clone()].trim_end().to_string();
        if markdown.trim_start().starts_with("<!--") && markdown.trim_end().ends_with("-->") {
            return; // an HTML comment is not part of the text
        }
        let lines = Lines {
            start: self.starts.line(range.start),
            end: self
                .starts
                .line(range.end.saturating_sub(1).max(range.start)),
        };
        match self.stack.last_mut() {
            Some(Open::Item { paras, .. } | Open::Quote { paras, .. }) => {
                paras.push(Para {
                    lines: markdown
                        .lines()
                        .enumerate()
                        .map(|(i, l)| blocks::Line {
                            number: lines.start + i,
                            markdown: l.trim().to_string(),
                        })
                        .collect(),
                });
            }
            _ => self.blocks.push(Block::Other { markdown, lines }),
        }
    }
}

/// Reads front matter: `title`, `subtitle`, `date`, `tags`, `author`, `source`; other
/// keys are reported as warnings and left out.
fn front_matter(
    src: &Source<'_>,
    yaml: &str,
    first_line: usize,
) -> Result<(Front, Vec<Diagnostic>), Diagnostic> {
    let at = |line: u64, column: u64, width: usize| {
        let line = first_line + (line.max(1) as usize) - 1;
        let text = src.text.lines().nth(line - 1).unwrap_or("");
        Location::new(src.path, line, column.max(1) as usize, width, text)
    };
    let map: Option<BTreeMap<String, Spanned<serde_json::Value>>> = serde_saphyr::from_str(yaml)
        .map_err(|e| {
            let location = e
                .location()
                .map_or(at(1, 1, 1), |l| at(l.line(), l.column(), 1));
            let message = e.without_snippet().to_string();
            let message = message
                .split(" at line ")
                .next()
                .unwrap_or(&message)
                .to_string();
            Diagnostic::error(format!("invalid front matter: {message}"))
                .at(location)
                .help("front matter is YAML between two `---` lines: `key: value`, one per line")
        })?;
    let mut front = Front::default();
    let mut warnings = Vec::new();
    for (key, value) in map.unwrap_or_default() {
        let here = at(value.referenced.line(), value.referenced.column(), 1);
        let lines = Lines::one(here.line);
        let text = |value: &serde_json::Value| -> Result<String, Diagnostic> {
            match value {
                serde_json::Value::String(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
                serde_json::Value::Number(n) => Ok(n.to_string()),
                _ => Err(
                    Diagnostic::error(format!("front matter `{key}` must be text"))
                        .at(here.clone())
                        .help(format!("write `{key}: …` with the text on the same line")),
                ),
            }
        };
        match key.as_str() {
            "title" => front.title = Some((text(&value.value)?, lines)),
            "subtitle" => front.subtitle = Some((text(&value.value)?, lines)),
            "author" => front.meta.author = Some(text(&value.value)?),
            "source" => front.meta.origin = Some(text(&value.value)?),
            "date" => {
                let date = text(&value.value)?;
                front.meta.date = Some(crate::shared::date_of(&date).ok_or_else(|| {
                    Diagnostic::error(format!("front matter `date` is not a date: `{date}`"))
                        .at(here.clone())
                        .help("write the day the briefing was written as `YYYY-MM-DD`, e.g. `2026-03-01`")
                })?);
            }
            "tags" => {
                front.meta.tags = match &value.value {
                    serde_json::Value::Array(items) => items
                        .iter()
                        .map(&text)
                        .collect::<Result<Vec<_>, _>>()?,
                    serde_json::Value::String(s) => s
                        .split(',')
                        .map(|t| t.trim().to_string())
                        .filter(|t| !t.is_empty())
                        .collect(),
                    _ => {
                        return Err(Diagnostic::error("front matter `tags` must be a list")
                            .at(here)
                            .help("write `tags: [security, cloud]` or `tags: security, cloud`"));
                    }
                };
            }
            _ => warnings.push(
                Diagnostic::warning(format!("front matter `{key}` is not used"))
                    .at(here)
                    .help("a briefing's front matter may give `title`, `subtitle`, `date`, `author`, `source` and `tags`"),
            ),
        }
    }
    Ok((front, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Parsed, Diagnostic> {
        parse(Path::new("b.md"), text)
    }

    const SMALL: &str = "---\ndate: 2026-03-01\ntags: [a, b]\nauthor: Jo\nlayout: post\n---\n# Title\n\n*Sub title here.*\n\nIntro paragraph\nover two lines.\n\n## First Heading\n\nBody one.\n\n## Key insights:\n\n- **Lead.** Insight one.\n  **Impact:** Big.\n- Insight two.\n\n  *Impact:* Small.\n\n## Recommendations\n\n1. Do it.\n2. Do that,\n   then more.\n   Impact: Done.\n\n## Voices\n\n> \"Hello.\"\n> — Jane\n\n- “Bye.” -- Joe\n";

    #[test]
    fn every_part_with_lines() {
        let parsed = parse_str(SMALL).unwrap();
        let b = parsed.briefing;
        assert_eq!(b.title.text, "Title");
        assert_eq!(b.title.lines.start, 7);
        assert_eq!(b.subtitle.unwrap().text, "Sub title here.");
        assert_eq!(
            b.introduction.unwrap().text,
            "Intro paragraph over two lines."
        );
        assert_eq!(b.sections[0].heading.text, "First Heading");
        assert_eq!(b.sections[0].body.text, "Body one.");
        assert_eq!(b.insights.len(), 2);
        assert_eq!(b.insights[0].title.as_ref().unwrap().text, "Lead");
        assert_eq!(b.insights[0].text.text, "Insight one.");
        assert_eq!(b.insights[0].impact.as_ref().unwrap().text, "Big.");
        assert_eq!(b.insights[0].lines, Lines { start: 20, end: 21 });
        assert_eq!(b.insights[1].impact.as_ref().unwrap().text, "Small.");
        assert_eq!(b.actions[1].text.text, "Do that, then more.");
        assert_eq!(b.actions[1].impact.as_ref().unwrap().text, "Done.");
        assert_eq!(b.quotes[0].text.text, "Hello.");
        assert_eq!(b.quotes[0].attribution.as_deref(), Some("Jane"));
        assert_eq!(b.quotes[1].attribution.as_deref(), Some("Joe"));
        assert_eq!(b.meta.date.as_deref(), Some("2026-03-01"));
        assert_eq!(b.meta.tags, ["a", "b"]);
        assert_eq!(parsed.warnings.len(), 1, "layout is not used");
        assert_eq!(parsed.warnings[0].primary.as_ref().unwrap().line, 5);
    }

    #[test]
    fn errors_are_located() {
        let e = parse_str("Just notes.\n").unwrap_err();
        assert!(e.message.contains("title"), "{e:?}");
        let e = parse_str("# T\n\nIntro.\n\n## Key insights\n\n- One.\n").unwrap_err();
        assert!(e.message.contains("Action items"), "{e:?}");
        let e =
            parse_str("# T\n\n## Key insights\n\n- One.\n-\n\n## Actions\n\n- A.\n").unwrap_err();
        assert!(e.message.contains("empty"), "{e:?}");
        assert_eq!(e.primary.unwrap().line, 6);
        let e = parse_str("---\ndate: soon\n---\n# T\n").unwrap_err();
        assert_eq!(e.primary.unwrap().line, 2, "{}", e.message);
        let e = parse_str("# T\n\n## Key insights\n\nWe found:\n\n- One.\n").unwrap_err();
        assert!(e.message.contains("found a paragraph"), "{e:?}");
        let deep = format!("# T\n\n{}x\n", "> ".repeat(200));
        let e = parse_str(&deep).unwrap_err();
        assert!(e.message.contains("nested"), "{e:?}");
    }
}
