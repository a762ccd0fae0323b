//! The plain-text briefing format: parsing it into a [`Briefing`] with line spans.
//!
//! A briefing is a title line, a subtitle line, an introduction, body sections (a short
//! heading line followed by its paragraphs), then the blocks `Key insights`,
//! `Action items` and `Quotes`. Insights and action items start with a line holding a
//! lone `-` (or `- text`), then their text, then an optional `Impact: …` line.
//!
//! This module knows nothing of YAML or mdBook: it returns a syntax tree whose every part
//! carries the 1-based lines it came from, so later stages can record provenance.

use std::path::Path;

use super::{Briefing, Item, Lines, Meta, Quote, Section, Text, unquote};
use crate::diagnostics::{Diagnostic, Location};

/// The blocks that follow the body, in the order the format gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    Insights,
    Actions,
    Quotes,
}

impl Block {
    fn heading(self) -> &'static str {
        match self {
            Block::Insights => "Key insights",
            Block::Actions => "Action items",
            Block::Quotes => "Quotes",
        }
    }

    fn recognise(line: &str) -> Option<Block> {
        let name = line.trim_end_matches(':').trim().to_lowercase();
        match name.as_str() {
            "key insights" | "insights" => Some(Block::Insights),
            "action items" | "actions" | "recommendations" => Some(Block::Actions),
            "quotes" => Some(Block::Quotes),
            _ => None,
        }
    }
}

/// One source line: its 1-based number and its text without the line ending and
/// trailing whitespace.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    number: usize,
    text: &'a str,
}

impl Line<'_> {
    fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }
}

/// Parses briefing text read from `path` (used only in messages).
///
/// Accepts a UTF-8 byte-order mark, CRLF line endings, trailing spaces and blank lines.
pub fn parse(path: &Path, text: &str) -> Result<Briefing, Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<Line<'_>> = text
        .lines()
        .enumerate()
        .map(|(i, l)| Line {
            number: i + 1,
            text: l.trim_end(),
        })
        .collect();
    Parser {
        path,
        lines: &lines,
        pos: 0,
    }
    .briefing()
}

struct Parser<'a> {
    path: &'a Path,
    lines: &'a [Line<'a>],
    pos: usize,
}

impl<'a> Parser<'a> {
    fn error(&self, line: Option<Line<'_>>, message: String, help: &str) -> Diagnostic {
        let location = match line {
            Some(l) => Location::line(self.path, l.number, l.text),
            None => {
                let last = self.lines.last();
                Location::line(
                    self.path,
                    last.map_or(1, |l| l.number),
                    last.map_or("", |l| l.text),
                )
            }
        };
        Diagnostic::error(message).at(location).help(help)
    }

    fn peek(&self) -> Option<Line<'a>> {
        self.lines.get(self.pos).copied()
    }

    fn skip_blank(&mut self) {
        while self.peek().is_some_and(|l| l.is_blank()) {
            self.pos += 1;
        }
    }

    fn next_nonblank(&mut self) -> Option<Line<'a>> {
        self.skip_blank();
        let line = self.peek()?;
        self.pos += 1;
        Some(line)
    }

    fn briefing(mut self) -> Result<Briefing, Diagnostic> {
        let Some(title) = self.next_nonblank() else {
            return Err(self.error(
                None,
                "the briefing is empty: expected a title on line 1".into(),
                "a briefing starts with a title line, a subtitle line and an introduction",
            ));
        };
        if Block::recognise(title.text).is_some() || title.text.trim() == "-" {
            return Err(self.error(
                Some(title),
                format!("expected a title, found `{}`", title.text.trim()),
                "a briefing starts with a title line, a subtitle line and an introduction",
            ));
        }
        let title = single(title);
        let subtitle = match self.peek_nonblank() {
            Some(l) if Block::recognise(l.text).is_none() => self.next_nonblank().map(single),
            _ => None,
        };
        let introduction = self.paragraphs_until_heading();
        let mut sections = Vec::new();
        while let Some(line) = self.peek_nonblank() {
            if Block::recognise(line.text).is_some() {
                break;
            }
            let heading = self.next_nonblank().map(single).expect("peeked");
            match self.paragraphs_until_heading() {
                Some(body) => sections.push(Section { heading, body }),
                None => {
                    return Err(self.error(
                        self.lines.get(heading.lines.start - 1).copied(),
                        format!(
                            "the section `{}` has no text: expected a paragraph below its heading",
                            heading.text
                        ),
                        "write the section's paragraph on the lines after its heading, or remove the heading",
                    ));
                }
            }
        }

        let mut insights = None;
        let mut actions = None;
        let mut quotes = None;
        while let Some(line) = self.next_nonblank() {
            let Some(block) = Block::recognise(line.text) else {
                return Err(self.error(
                    Some(line),
                    format!(
                        "expected `Key insights`, `Action items` or `Quotes`, found `{}`",
                        line.text.trim()
                    ),
                    "after the body sections come the blocks `Key insights`, `Action items` and `Quotes`, each on its own line",
                ));
            };
            let seen = match block {
                Block::Insights => insights.is_some(),
                Block::Actions => actions.is_some(),
                Block::Quotes => quotes.is_some(),
            };
            if seen {
                return Err(self.error(
                    Some(line),
                    format!("`{}` appears a second time", block.heading()),
                    "merge the two blocks into one",
                ));
            }
            match block {
                Block::Insights => insights = Some(self.items(block)?),
                Block::Actions => actions = Some(self.items(block)?),
                Block::Quotes => quotes = Some(self.quotes()?),
            }
        }
        let missing = |block: Block| {
            self.error(
                None,
                format!(
                    "this text is not a briefing: expected a `{}` block, found the end of the file",
                    block.heading()
                ),
                "a briefing ends with `Key insights`, `Action items` and `Quotes` blocks; each item starts with a line holding `-`",
            )
        };
        let insights = insights.ok_or_else(|| missing(Block::Insights))?;
        let actions = actions.ok_or_else(|| missing(Block::Actions))?;
        Ok(Briefing {
            title,
            subtitle,
            introduction,
            sections,
            insights,
            actions,
            quotes: quotes.unwrap_or_default(),
            meta: Meta::default(),
        })
    }

    fn peek_nonblank(&self) -> Option<Line<'a>> {
        self.lines[self.pos..]
            .iter()
            .find(|l| !l.is_blank())
            .copied()
    }

    /// A heading is a short line without closing punctuation that starts a paragraph
    /// block (after a blank line or a finished sentence) and is followed by text.
    fn is_heading_at(&self, index: usize) -> bool {
        let Some(line) = self.lines.get(index) else {
            return false;
        };
        let text = line.text.trim();
        if text.is_empty() || Block::recognise(text).is_some() {
            return false;
        }
        let words = text.split_whitespace().count();
        let closes = text.ends_with(['.', '!', '?', ':', ';', ',', '"', '”', '’']);
        let starts_block = index == 0
            || self.lines[index - 1].is_blank()
            || self.lines[index - 1]
                .text
                .trim_end()
                .ends_with(['.', '!', '?', '"', '”']);
        let followed_by_text = self.lines[index + 1..]
            .iter()
            .find(|l| !l.is_blank())
            .is_some_and(|l| Block::recognise(l.text).is_none());
        words <= 14 && text.chars().count() <= 120 && !closes && starts_block && followed_by_text
    }

    /// Reads paragraphs up to the next section heading or block heading.
    fn paragraphs_until_heading(&mut self) -> Option<Text> {
        let mut parts: Vec<Line<'a>> = Vec::new();
        while let Some(line) = self.peek() {
            if !line.is_blank()
                && (Block::recognise(line.text).is_some() || self.is_heading_at(self.pos))
            {
                break;
            }
            parts.push(line);
            self.pos += 1;
        }
        join(&parts)
    }

    fn items(&mut self, block: Block) -> Result<Vec<Item>, Diagnostic> {
        let mut items = Vec::new();
        while let Some(line) = self.peek_nonblank() {
            if Block::recognise(line.text).is_some() {
                break;
            }
            let dash = self.next_nonblank().expect("peeked");
            let Some(rest) = dash.text.trim_start().strip_prefix('-') else {
                return Err(self.error(
                    Some(dash),
                    format!(
                        "expected a line holding `-` to start an item of `{}`, found `{}`",
                        block.heading(),
                        dash.text.trim()
                    ),
                    "start each item with a line holding a lone `-`, then its text, then an optional `Impact: …` line",
                ));
            };
            let mut text_lines = Vec::new();
            if !rest.trim().is_empty() {
                text_lines.push(Line {
                    number: dash.number,
                    text: rest.trim(),
                });
            }
            let mut impact_lines: Vec<Line<'a>> = Vec::new();
            while let Some(line) = self.peek() {
                let t = line.text.trim();
                if t == "-" || t.starts_with("- ") || Block::recognise(t).is_some() {
                    break;
                }
                self.pos += 1;
                if line.is_blank() {
                    continue;
                }
                if let Some(impact) = impact_label(t) {
                    if !impact_lines.is_empty() {
                        return Err(self.error(
                            Some(line),
                            "this item has a second `Impact:` line".into(),
                            "give each item at most one `Impact:` line",
                        ));
                    }
                    impact_lines.push(Line {
                        number: line.number,
                        text: impact,
                    });
                } else if impact_lines.is_empty() {
                    text_lines.push(line);
                } else {
                    impact_lines.push(line);
                }
            }
            let Some(text) = join(&text_lines) else {
                return Err(self.error(
                    Some(dash),
                    format!(
                        "this item of `{}` has no text: expected its text on the line after `-`",
                        block.heading()
                    ),
                    "write the item's text below its `-` line, or remove the empty item",
                ));
            };
            let impact = join(&impact_lines).filter(|t| !t.text.is_empty());
            let end = impact.as_ref().map_or(text.lines.end, |i| i.lines.end);
            items.push(Item {
                title: None,
                text,
                impact,
                lines: Lines {
                    start: dash.number,
                    end,
                },
            });
        }
        if items.is_empty() {
            let at = self.lines.get(self.pos.saturating_sub(1)).copied();
            return Err(self.error(
                at,
                format!("the `{}` block has no items", block.heading()),
                "start each item with a line holding a lone `-`, then its text",
            ));
        }
        Ok(items)
    }

    fn quotes(&mut self) -> Result<Vec<Quote>, Diagnostic> {
        let mut quotes = Vec::new();
        while let Some(line) = self.peek_nonblank() {
            if Block::recognise(line.text).is_some() {
                break;
            }
            self.next_nonblank();
            let (words, attribution) = unquote(line.text.trim().trim_start_matches("- "));
            if words.is_empty() {
                return Err(self.error(
                    Some(line),
                    "this quote has no words inside its quotation marks".into(),
                    "write the quotation between the marks, or remove the line",
                ));
            }
            quotes.push(Quote {
                text: Text {
                    text: words,
                    lines: Lines {
                        start: line.number,
                        end: line.number,
                    },
                },
                attribution,
            });
        }
        Ok(quotes)
    }
}

fn single(line: Line<'_>) -> Text {
    Text {
        text: line.text.trim().to_string(),
        lines: Lines {
            start: line.number,
            end: line.number,
        },
    }
}

/// Joins lines into paragraphs: consecutive lines with a space, blank lines as a
/// paragraph break. Leading and trailing blank lines are not part of the span.
fn join(lines: &[Line<'_>]) -> Option<Text> {
    let first = lines.iter().position(|l| !l.is_blank())?;
    let last = lines.iter().rposition(|l| !l.is_blank())?;
    let mut text = String::new();
    let mut blank = false;
    for line in &lines[first..=last] {
        if line.is_blank() {
            blank = true;
            continue;
        }
        if !text.is_empty() {
            text.push_str(if blank { "\n\n" } else { " " });
        }
        blank = false;
        text.push_str(line.text.trim());
    }
    Some(Text {
        text,
        lines: Lines {
            start: lines[first].number,
            end: lines[last].number,
        },
    })
}

fn impact_label(line: &str) -> Option<&str> {
    let (label, rest) = line.split_once(':')?;
    label
        .trim()
        .eq_ignore_ascii_case("impact")
        .then(|| rest.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Briefing, Diagnostic> {
        parse(Path::new("b.txt"), text)
    }

    const SMALL: &str = "Title\nSub title here.\nIntro paragraph.\nFirst Heading\nBody one.\nKey insights\n-\nInsight one.\nImpact: Big.\nAction items\n-\nDo it.\nQuotes\n“\"Hello.\"”\n";

    #[test]
    fn parses_every_part_with_lines() {
        let b = parse_str(SMALL).unwrap();
        assert_eq!(b.title.text, "Title");
        assert_eq!(b.subtitle.unwrap().text, "Sub title here.");
        assert_eq!(b.introduction.unwrap().text, "Intro paragraph.");
        assert_eq!(b.sections.len(), 1);
        assert_eq!(b.sections[0].heading.text, "First Heading");
        assert_eq!(b.sections[0].body.lines, Lines { start: 5, end: 5 });
        assert_eq!(b.insights[0].lines, Lines { start: 7, end: 9 });
        assert_eq!(b.insights[0].impact.as_ref().unwrap().text, "Big.");
        assert_eq!(b.actions[0].impact, None);
        assert_eq!(b.quotes[0].text.text, "Hello.");
        assert_eq!(b.quotes[0].text.lines.start, 14);
    }

    #[test]
    fn crlf_bom_and_trailing_spaces_are_the_same_briefing() {
        let messy = format!("\u{feff}{}", SMALL.replace('\n', "  \r\n"));
        assert_eq!(parse_str(&messy).unwrap(), parse_str(SMALL).unwrap());
    }

    #[test]
    fn blank_lines_split_paragraphs_but_not_items() {
        let text = "T\nS.\n\nIntro a.\n\nIntro b.\n\nHeading\n\nBody.\n\nKey insights\n\n-\n\nI.\n\nImpact: X.\n\nAction items\n- A inline.\n";
        let b = parse_str(text).unwrap();
        assert_eq!(b.introduction.unwrap().text, "Intro a.\n\nIntro b.");
        assert_eq!(b.insights[0].text.text, "I.");
        assert_eq!(b.actions[0].text.text, "A inline.");
        assert!(b.quotes.is_empty());
    }

    #[test]
    fn errors_name_the_line_and_what_was_expected() {
        let e = parse_str("").unwrap_err();
        assert!(e.message.contains("empty"), "{e:?}");
        let e = parse_str("Title\nSub.\nJust prose.\n").unwrap_err();
        assert!(e.message.contains("Key insights"), "{e:?}");
        let e =
            parse_str("T\nS.\nKey insights\n-\nImpact: none\nAction items\n-\nA.\n").unwrap_err();
        assert_eq!(e.primary.as_ref().unwrap().line, 4);
        assert!(e.message.contains("no text"), "{e:?}");
    }
}
