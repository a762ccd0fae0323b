//! What Markdown, HTML and Word briefings have in common: a list of blocks (headings,
//! paragraphs, lists, quotations) whose text is inline markdown with source lines, and
//! the rules that assemble a [`Briefing`] from it.
//!
//! Each reader only lowers its format to [`Block`]s; recognising the title, the
//! subtitle, the sections, the item blocks (by their heading, with the usual synonyms),
//! bold lead-ins, `Impact:` labels and attributions happens here once, so the same
//! briefing gives the same tree in every format.

use std::ops::Range;
use std::path::Path;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use super::{Briefing, Item, Lines, Meta, Parsed, Quote, Section, Text, unquote};
use crate::diagnostics::{Diagnostic, Location};

/// One line of inline markdown, with the source line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Line {
    /// 1-based source line.
    pub number: usize,
    /// The line's inline markdown, trimmed.
    pub markdown: String,
}

/// A paragraph: lines of inline markdown (a line break in the source starts a line).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Para {
    pub lines: Vec<Line>,
}

impl Para {
    /// The paragraph as one line of markdown.
    pub(super) fn text(&self) -> String {
        join_lines(&self.lines)
    }

    /// The source lines it spans.
    pub(super) fn span(&self) -> Option<Lines> {
        Some(Lines {
            start: self.lines.first()?.number,
            end: self.lines.last()?.number,
        })
    }

    fn is_empty(&self) -> bool {
        self.lines.iter().all(|l| l.markdown.is_empty())
    }
}

/// An entry of a list: its paragraphs (nested lists and quotations flattened into
/// them), and the lines from its marker to its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ListItem {
    pub paras: Vec<Para>,
    pub lines: Lines,
}

/// A block of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Block {
    /// `# …` to `###### …`, `<h1>` to `<h6>`, Word's heading styles.
    Heading { level: u8, text: Para },
    /// A paragraph.
    Paragraph(Para),
    /// A bulleted (`start: None`) or numbered list.
    List {
        start: Option<u64>,
        items: Vec<ListItem>,
    },
    /// A block quotation.
    Quote { paras: Vec<Para>, lines: Lines },
    /// Anything else (code, a table): kept as markdown in a section's text.
    Other { markdown: String, lines: Lines },
}

/// What a document says about itself outside its body: front matter, a page title.
#[derive(Debug, Clone, Default)]
pub(super) struct Front {
    /// Front matter `title`, with its line.
    pub title: Option<(String, Lines)>,
    /// Front matter `subtitle`.
    pub subtitle: Option<(String, Lines)>,
    /// A title to use when the body has no level-1 heading (an HTML page's `<title>`).
    pub fallback_title: Option<(String, Lines)>,
    /// Date, author, origin, tags.
    pub meta: Meta,
}

/// The file being read, for located messages.
pub(super) struct Source<'a> {
    pub path: &'a Path,
    /// The text whose lines the block lines count (for Word, one line per paragraph).
    pub text: &'a str,
}

impl Source<'_> {
    /// A location marking the whole of `line`.
    pub(super) fn at(&self, line: usize) -> Location {
        let text = self.text.lines().nth(line.saturating_sub(1)).unwrap_or("");
        Location::line(self.path, line, text.trim_end_matches('\r'))
    }

    /// The location of the end of the file.
    fn end(&self) -> Location {
        self.at(self.text.lines().count().max(1))
    }
}

/// The three item blocks that follow the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ItemBlock {
    Insights,
    Actions,
    Quotes,
}

impl ItemBlock {
    fn heading(self) -> &'static str {
        match self {
            ItemBlock::Insights => "Key insights",
            ItemBlock::Actions => "Action items",
            ItemBlock::Quotes => "Quotes",
        }
    }

    /// Recognises a block by its heading, in any case, with or without a trailing colon
    /// or a leading number, under the names briefings commonly give it.
    fn recognise(heading: &str) -> Option<ItemBlock> {
        let name = heading
            .trim()
            .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ')')
            .trim()
            .trim_end_matches(':')
            .trim()
            .to_lowercase();
        match name.as_str() {
            "key insights" | "insights" | "key takeaways" | "takeaways" | "findings"
            | "key findings" => Some(ItemBlock::Insights),
            "action items"
            | "actions"
            | "recommendations"
            | "key recommendations"
            | "recommended actions"
            | "next steps" => Some(ItemBlock::Actions),
            "quotes" | "key quotes" | "voices" | "in their words" | "quotations" => {
                Some(ItemBlock::Quotes)
            }
            _ => None,
        }
    }
}

const BLOCKS_HELP: &str = "a briefing has the headings `Key insights` (or `Key takeaways`, `Findings`) and `Action items` (or `Recommendations`, `Next steps`), each followed by a list of items, and optionally `Quotes`";

/// Where the blocks after the title go.
enum Target {
    Introduction,
    Section,
    Items(ItemBlock, usize),
}

/// Assembles a briefing from the blocks of a document.
pub(super) fn assemble(
    src: &Source<'_>,
    front: Front,
    blocks: Vec<Block>,
    warnings: Vec<Diagnostic>,
) -> Result<Parsed, Diagnostic> {
    let mut blocks = blocks.into_iter().peekable();
    let first_h1 = match blocks.peek() {
        Some(Block::Heading { level: 1, text }) => Some((plain(&text.text()), text.span())),
        _ => None,
    };
    let title = match (front.title, first_h1) {
        (Some((title, lines)), Some((heading, at))) => {
            if heading != title {
                let at = at.map_or(lines.start, |l| l.start);
                return Err(Diagnostic::error(format!(
                    "the front matter's title `{title}` and the first heading `{heading}` differ"
                ))
                .at(src.at(at))
                .help("remove the heading or the front matter's `title`, or make them the same"));
            }
            blocks.next();
            Text { text: title, lines }
        }
        (Some((title, lines)), None) => Text { text: title, lines },
        (None, Some((heading, at))) => {
            blocks.next();
            Text {
                text: heading,
                lines: at.unwrap_or(Lines::one(1)),
            }
        }
        (None, None) => match front.fallback_title {
            Some((title, lines)) => Text { text: title, lines },
            None => {
                let at = match blocks.peek() {
                    Some(b) => src.at(block_lines(b).start),
                    None => src.at(1),
                };
                return Err(Diagnostic::error(
                    "expected a title: the briefing has no level-1 heading and no front matter `title`",
                )
                .at(at)
                .help("start the briefing with its title as a level-1 heading (`# Title` in Markdown), or give `title:` in front matter"));
            }
        },
    };
    let subtitle = match front.subtitle {
        Some((text, lines)) => Some(Text { text, lines }),
        None => match blocks.peek() {
            Some(Block::Paragraph(p)) => {
                let whole = whole_emphasis(&p.text());
                let lines = p.span();
                match (whole, lines) {
                    (Some(text), Some(lines)) => {
                        blocks.next();
                        Some(Text { text, lines })
                    }
                    _ => None,
                }
            }
            _ => None,
        },
    };
    let rest: Vec<Block> = blocks.collect();
    let mut assembler = Assembler {
        src,
        section_level: section_level(&rest),
        introduction: Vec::new(),
        sections: Vec::new(),
        items: [None, None, None],
        target: Target::Introduction,
    };
    for block in rest {
        assembler.add(block)?;
    }
    assembler.finish(title, subtitle, front.meta, warnings)
}

/// The level of section headings: the highest level (smallest number) of the headings
/// that are not item blocks, so `##` sections and `#` sections both work.
fn section_level(blocks: &[Block]) -> u8 {
    blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level, text }
                if ItemBlock::recognise(&plain(&text.text())).is_none() =>
            {
                Some(*level)
            }
            _ => None,
        })
        .min()
        .unwrap_or(2)
}

fn block_lines(block: &Block) -> Lines {
    match block {
        Block::Heading { text, .. } | Block::Paragraph(text) => {
            text.span().unwrap_or(Lines::one(1))
        }
        Block::List { items, .. } => match (items.first(), items.last()) {
            (Some(a), Some(b)) => a.lines.to(b.lines),
            _ => Lines::one(1),
        },
        Block::Quote { lines, .. } | Block::Other { lines, .. } => *lines,
    }
}

/// A section (or the introduction) being read: its heading and its blocks as markdown.
struct Part {
    heading: Option<Text>,
    body: Vec<(String, Lines)>,
}

/// The items read under one block heading, and the heading's line.
struct Items {
    heading: usize,
    items: Vec<Item>,
    quotes: Vec<Quote>,
}

struct Assembler<'s> {
    src: &'s Source<'s>,
    section_level: u8,
    introduction: Vec<(String, Lines)>,
    sections: Vec<Part>,
    /// Insights, actions, quotes, in [`ItemBlock`] order.
    items: [Option<Items>; 3],
    target: Target,
}

impl Assembler<'_> {
    fn add(&mut self, block: Block) -> Result<(), Diagnostic> {
        if let Block::Heading { level, text } = &block {
            let name = plain(&text.text());
            let at = text.span().unwrap_or(Lines::one(1));
            if let Some(kind) = ItemBlock::recognise(&name) {
                let slot = &mut self.items[kind as usize];
                if slot.is_some() {
                    return Err(Diagnostic::error(format!(
                        "`{}` appears a second time",
                        kind.heading()
                    ))
                    .at(self.src.at(at.start))
                    .help("merge the two lists into one, under one heading"));
                }
                *slot = Some(Items {
                    heading: at.start,
                    items: Vec::new(),
                    quotes: Vec::new(),
                });
                self.target = Target::Items(kind, at.start);
                return Ok(());
            }
            if *level <= self.section_level {
                self.sections.push(Part {
                    heading: Some(Text {
                        text: name,
                        lines: at,
                    }),
                    body: Vec::new(),
                });
                self.target = Target::Section;
                return Ok(());
            }
        }
        match self.target {
            Target::Introduction => {
                let part = markdown_of(&block);
                self.introduction.push(part);
                Ok(())
            }
            Target::Section => {
                let part = markdown_of(&block);
                self.sections
                    .last_mut()
                    .expect("a section heading came first")
                    .body
                    .push(part);
                Ok(())
            }
            Target::Items(kind, heading) => self.add_items(kind, heading, block),
        }
    }

    fn add_items(
        &mut self,
        kind: ItemBlock,
        heading: usize,
        block: Block,
    ) -> Result<(), Diagnostic> {
        let src = self.src;
        let slot = self.items[kind as usize]
            .as_mut()
            .expect("opened at its heading");
        match (kind, block) {
            (ItemBlock::Quotes, Block::List { items, .. }) => {
                for li in items {
                    slot.quotes.push(quote(src, &li.paras, li.lines)?);
                }
            }
            (ItemBlock::Quotes, Block::Quote { paras, lines }) => {
                let text = paras.iter().map(Para::text).collect::<Vec<_>>().join(" ");
                match (attribution_of(&text), slot.quotes.last_mut()) {
                    // A quotation style on the attribution too (Word's *Quote*).
                    (Some(who), Some(last)) if last.attribution.is_none() => {
                        last.attribution = Some(who);
                        last.text.lines.end = lines.end;
                    }
                    _ => slot.quotes.push(quote(src, &paras, lines)?),
                }
            }
            (ItemBlock::Quotes, Block::Paragraph(p)) => {
                let lines = p.span().unwrap_or(Lines::one(heading));
                let text = p.text();
                match (attribution_of(&text), slot.quotes.last_mut()) {
                    // "> words" then "— Name" below the quotation.
                    (Some(who), Some(last)) if last.attribution.is_none() => {
                        last.attribution = Some(who);
                        last.text.lines.end = lines.end;
                    }
                    _ if starts_quoted(&text) => slot.quotes.push(quote(src, &[p], lines)?),
                    _ => {
                        return Err(Diagnostic::error(
                            "expected a quotation under `Quotes`, found a paragraph that is not quoted",
                        )
                        .at(src.at(lines.start))
                        .help("write each quote as a block quotation (`> …`), a list item, or a paragraph in quotation marks; an attribution goes on a line starting with `—`"));
                    }
                }
            }
            (ItemBlock::Insights | ItemBlock::Actions, Block::List { items, .. }) => {
                for li in items {
                    slot.items.push(item(src, kind, &li)?);
                }
            }
            (_, block) => {
                let what = match &block {
                    Block::Heading { .. } => "a heading",
                    Block::Paragraph(_) => "a paragraph",
                    Block::Quote { .. } => "a block quotation",
                    Block::List { .. } | Block::Other { .. } => "a block that is not a list",
                };
                return Err(Diagnostic::error(format!(
                    "expected a list of items under `{}`, found {what}",
                    kind.heading()
                ))
                .at(src.at(block_lines(&block).start))
                .help(format!(
                    "write each item of `{}` as a list entry (`- …` or `1. …`); text that is not an item belongs in a section before the item blocks",
                    kind.heading()
                )));
            }
        }
        Ok(())
    }

    fn finish(
        self,
        title: Text,
        subtitle: Option<Text>,
        meta: Meta,
        warnings: Vec<Diagnostic>,
    ) -> Result<Parsed, Diagnostic> {
        let src = self.src;
        let [insights, actions, quotes] = self.items;
        let required = |slot: Option<Items>, kind: ItemBlock| match slot {
            None => Err(Diagnostic::error(format!(
                "this text is not a briefing: expected a `{}` block, found the end of the file",
                kind.heading()
            ))
            .at(src.end())
            .help(BLOCKS_HELP)),
            Some(items) if items.items.is_empty() => Err(no_items(src, kind, items.heading)),
            Some(items) => Ok(items.items),
        };
        let insights = required(insights, ItemBlock::Insights)?;
        let actions = required(actions, ItemBlock::Actions)?;
        let quotes = match quotes {
            Some(q) if q.quotes.is_empty() => {
                return Err(no_items(src, ItemBlock::Quotes, q.heading));
            }
            Some(q) => q.quotes,
            None => Vec::new(),
        };
        let mut sections = Vec::new();
        for part in self.sections {
            let heading = part.heading.expect("sections have headings");
            let Some(body) = join_parts(&part.body) else {
                return Err(Diagnostic::error(format!(
                    "the section `{}` has no text: expected a paragraph below its heading",
                    heading.text
                ))
                .at(src.at(heading.lines.start))
                .help("write the section's paragraphs below its heading, or remove the heading"));
            };
            sections.push(Section { heading, body });
        }
        Ok(Parsed {
            briefing: Briefing {
                title,
                subtitle,
                introduction: join_parts(&self.introduction),
                sections,
                insights,
                actions,
                quotes,
                meta,
            },
            warnings,
        })
    }
}

fn no_items(src: &Source<'_>, kind: ItemBlock, heading: usize) -> Diagnostic {
    Diagnostic::error(format!("the `{}` block has no items", kind.heading()))
        .at(src.at(heading))
        .help("list the items below the heading, one list entry (`- …`) each")
}

/// A block as markdown in a section's text.
fn markdown_of(block: &Block) -> (String, Lines) {
    let lines = block_lines(block);
    let text = match block {
        Block::Heading { level, text } => {
            format!("{} {}", "#".repeat(usize::from(*level)), text.text())
        }
        Block::Paragraph(p) => p.text(),
        Block::List { start, items } => items
            .iter()
            .enumerate()
            .map(|(i, li)| {
                let marker = match start {
                    Some(n) => format!("{}.", n + i as u64),
                    None => "-".to_string(),
                };
                let body = li.paras.iter().map(Para::text).collect::<Vec<_>>();
                format!("{marker} {}", body.join(" "))
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Block::Quote { paras, .. } => paras
            .iter()
            .map(|p| format!("> {}", p.text()))
            .collect::<Vec<_>>()
            .join("\n>\n"),
        Block::Other { markdown, .. } => markdown.clone(),
    };
    (text, lines)
}

fn join_parts(parts: &[(String, Lines)]) -> Option<Text> {
    let parts: Vec<&(String, Lines)> = parts.iter().filter(|(t, _)| !t.trim().is_empty()).collect();
    let (first, last) = (parts.first()?, parts.last()?);
    Some(Text {
        text: parts
            .iter()
            .map(|(t, _)| t.as_str())
            .collect::<Vec<_>>()
            .join("\n\n"),
        lines: first.1.to(last.1),
    })
}

fn join_lines(lines: &[Line]) -> String {
    lines
        .iter()
        .map(|l| l.markdown.as_str())
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Paragraphs (each a run of lines) as text: lines joined by a space, paragraphs by a
/// blank line.
fn paragraphs_text(paras: &[Vec<Line>]) -> Option<Text> {
    let paras: Vec<&Vec<Line>> = paras.iter().filter(|p| !join_lines(p).is_empty()).collect();
    let first = paras.first()?.iter().find(|l| !l.markdown.is_empty())?;
    let last = paras
        .last()?
        .iter()
        .rev()
        .find(|l| !l.markdown.is_empty())?;
    Some(Text {
        text: paras
            .iter()
            .map(|p| join_lines(p))
            .collect::<Vec<_>>()
            .join("\n\n"),
        lines: Lines {
            start: first.number,
            end: last.number,
        },
    })
}

/// An insight or action item from a list entry: an optional bold lead-in as its title,
/// its text, and an optional `Impact:` (plain, bold or emphasised) on a line of its own
/// or, when emphasised, inside a line.
fn item(src: &Source<'_>, kind: ItemBlock, li: &ListItem) -> Result<Item, Diagnostic> {
    if li.paras.iter().all(Para::is_empty) {
        return Err(
            Diagnostic::error(format!("this item of `{}` is empty", kind.heading()))
                .at(src.at(li.lines.start))
                .help("write the item's text after its list marker, or remove the empty entry"),
        );
    }
    // Paragraphs of the text, then of the impact once its label is found.
    let mut text: Vec<Vec<Line>> = Vec::new();
    let mut impact: Option<Vec<Vec<Line>>> = None;
    for para in &li.paras {
        let mut current: Vec<Line> = Vec::new();
        for line in &para.lines {
            let split = impact_at_start(&line.markdown)
                .map(|rest| (String::new(), rest))
                .or_else(|| impact_inside(&line.markdown));
            let Some((before, after)) = split else {
                current.push(line.clone());
                continue;
            };
            if impact.is_some() {
                return Err(Diagnostic::error("this item has a second `Impact:`")
                    .at(src.at(line.number))
                    .help("give each item at most one `Impact:`"));
            }
            current.push(Line {
                number: line.number,
                markdown: before,
            });
            text.push(std::mem::take(&mut current));
            impact = Some(Vec::new());
            current.push(Line {
                number: line.number,
                markdown: after,
            });
        }
        match &mut impact {
            Some(paras) => paras.push(current),
            None => text.push(current),
        }
    }
    let title = lead_in(&mut text);
    let Some(text) = paragraphs_text(&text).or_else(|| {
        // A bold lead-in alone is the item's text.
        title.clone()
    }) else {
        return Err(Diagnostic::error(format!(
            "this item of `{}` has no text: only an impact",
            kind.heading()
        ))
        .at(src.at(li.lines.start))
        .help("write what the item says before its `Impact:`"));
    };
    let title = title.filter(|t| t.text != text.text);
    Ok(Item {
        title,
        text,
        impact: impact.and_then(|paras| paragraphs_text(&paras)),
        lines: li.lines,
    })
}

/// Takes a bold lead-in (`**Title.** text`) off the first line of the text, as the
/// item's title.
fn lead_in(text: &mut [Vec<Line>]) -> Option<Text> {
    let first = text
        .iter_mut()
        .flat_map(|p| p.iter_mut())
        .find(|l| !l.markdown.is_empty())?;
    let md = first.markdown.clone();
    let mut events = Parser::new(&md)
        .into_offset_iter()
        .skip_while(|(e, _)| matches!(e, Event::Start(Tag::Paragraph)));
    let (Event::Start(Tag::Strong), range) = events.next()? else {
        return None;
    };
    if range.start != 0 {
        return None;
    }
    let inner = &md[range.start + 2..range.end - 2];
    let title = plain(inner)
        .trim()
        .trim_end_matches(['.', ':', ';', '—', '–'])
        .trim()
        .to_string();
    if title.is_empty() {
        return None;
    }
    let rest = md[range.end..]
        .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '.' | '—' | '–' | '-'))
        .to_string();
    first.markdown = rest;
    Some(Text {
        text: title,
        lines: Lines::one(first.number),
    })
}

/// Whether inline markdown starts with an `Impact:` label (plain, `**Impact:**`,
/// `*Impact*:`…): the rest of the line after the label.
fn impact_at_start(md: &str) -> Option<String> {
    let (label_end, open) = label_at(md, 0)?;
    Some(reopen(&open, md[label_end..].trim()))
}

/// An emphasised `Impact:` label inside a line: the text before and after it.
fn impact_inside(md: &str) -> Option<(String, String)> {
    for (event, range) in Parser::new(md).into_offset_iter() {
        if matches!(event, Event::Start(Tag::Strong | Tag::Emphasis))
            && range.start > 0
            && let Some((label_end, open)) = label_at(md, range.start)
            && open.is_empty()
        {
            return Some((
                md[..range.start].trim_end().to_string(),
                md[label_end..].trim().to_string(),
            ));
        }
    }
    None
}

/// Reads an `Impact:` label starting at byte `from` of `md`: where it ends (after the
/// colon and any emphasis closed right after it), and the markers of emphasis still
/// open there, which the rest must reopen.
fn label_at(md: &str, from: usize) -> Option<(usize, Vec<&'static str>)> {
    let rest = &md[from..];
    let mut open: Vec<(&'static str, usize)> = Vec::new();
    let mut seen = String::new();
    let mut colon_end = None;
    for (event, range) in Parser::new(rest).into_offset_iter() {
        match event {
            Event::Start(Tag::Paragraph) => {}
            Event::Start(Tag::Strong) => open.push(("**", range.end)),
            Event::Start(Tag::Emphasis) => open.push(("*", range.end)),
            Event::End(TagEnd::Strong | TagEnd::Emphasis) if colon_end.is_none() => {
                open.pop();
            }
            Event::Text(t) if colon_end.is_none() => {
                seen.push_str(&t);
                let lower = seen.trim_start().to_lowercase();
                if !"impact:".starts_with(lower.trim_end()) && !lower.starts_with("impact") {
                    return None;
                }
                let Some(label) = lower.strip_prefix("impact") else {
                    continue;
                };
                if label.trim_start().starts_with(':') {
                    let colon = rest[range.clone()].find(':')?;
                    colon_end = Some(range.start + colon + 1);
                } else if !label.trim().is_empty() {
                    return None;
                }
            }
            _ if colon_end.is_none() => return None,
            _ => break,
        }
        if let Some(end) = colon_end {
            // Emphasis that closes right after the colon closes the label.
            let mut end = end;
            while let Some((marker, close)) = open.last().copied() {
                let closing = close - marker.len();
                if closing >= end && rest[end..closing].trim().is_empty() {
                    end = close;
                    open.pop();
                } else {
                    break;
                }
            }
            return Some((from + end, open.into_iter().map(|(m, _)| m).collect()));
        }
    }
    None
}

/// Reopens emphasis that the label's line left open (`**Impact: big** win` gives
/// `**big** win`).
fn reopen(open: &[&str], rest: &str) -> String {
    let mut out: String = open.concat();
    out.push_str(rest);
    out
}

/// A paragraph wholly in emphasis (`*…*` or `_…_`): the text inside.
fn whole_emphasis(md: &str) -> Option<String> {
    let mut events = Parser::new(md).into_offset_iter().filter(|(e, _)| {
        !matches!(
            e,
            Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph)
        )
    });
    let (Event::Start(Tag::Emphasis), range) = events.next()? else {
        return None;
    };
    (range.start == 0 && range.end == md.len()).then(|| md[1..md.len() - 1].trim().to_string())
}

/// Text written as text (in HTML or Word), with the characters that Markdown would
/// read as markup escaped.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '*' | '_' | '`' | '[' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The words of inline markdown, without its markup.
pub(super) fn plain(md: &str) -> String {
    let mut out = String::new();
    for event in Parser::new(md) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            _ => {}
        }
    }
    out.trim().to_string()
}

const DASHES: &[&str] = &["—", "–", "―", "--", "~"];

/// The name in an attribution line (`— Name`, `-- Name`).
fn attribution_of(text: &str) -> Option<String> {
    let text = text.trim();
    DASHES
        .iter()
        .find_map(|d| text.strip_prefix(d))
        .map(|who| who.trim().to_string())
        .filter(|who| !who.is_empty())
}

fn starts_quoted(text: &str) -> bool {
    text.trim_start()
        .starts_with(['"', '“', '„', '«', '\'', '‘'])
}

/// A quotation from a block quotation or a list entry: its words, and an attribution on
/// a last line starting with a dash, or after the closing quotation mark.
fn quote(src: &Source<'_>, paras: &[Para], lines: Lines) -> Result<Quote, Diagnostic> {
    let mut paras: Vec<Vec<Line>> = paras.iter().map(|p| p.lines.clone()).collect();
    paras.retain(|p| !join_lines(p).is_empty());
    let mut attribution = None;
    let words_before = paras.iter().map(Vec::len).sum::<usize>();
    if words_before > 1
        && let Some(last_para) = paras.last_mut()
        && let Some(last) = last_para.last()
        && let Some(who) = attribution_of(&last.markdown)
    {
        attribution = Some(who);
        last_para.pop();
        if last_para.is_empty() {
            paras.pop();
        }
    }
    let Some(text) = paragraphs_text(&paras) else {
        return Err(Diagnostic::error("this quote has no words")
            .at(src.at(lines.start))
            .help("write the quotation, or remove the entry"));
    };
    let (words, after_marks) = unquote(&text.text);
    if words.is_empty() {
        return Err(
            Diagnostic::error("this quote has no words inside its quotation marks")
                .at(src.at(lines.start))
                .help("write the quotation between the marks, or remove the entry"),
        );
    }
    Ok(Quote {
        text: Text { text: words, lines },
        attribution: attribution.or(after_marks),
    })
}

/// The inline markdown of a run of inline events, split into lines at line breaks.
///
/// Each line is the source as written between its first and last event, so emphasis,
/// links and escapes survive exactly; container markers (`>`, list indentation) lie
/// before a line's first event and are not part of it.
pub(super) fn lines_of(
    text: &str,
    starts: &crate::shared::LineStarts,
    events: &[(bool, Range<usize>)],
) -> Vec<Line> {
    let mut out = Vec::new();
    let mut low = 0;
    let mut segment: Vec<&Range<usize>> = Vec::new();
    let mut flush = |segment: &mut Vec<&Range<usize>>, low: usize, high: usize| {
        let start = segment.iter().map(|r| r.start).filter(|s| *s >= low).min();
        let end = segment.iter().map(|r| r.end).filter(|e| *e <= high).max();
        if let (Some(start), Some(end)) = (start, end)
            && start < end
        {
            out.push(Line {
                number: starts.line(start),
                markdown: text[start..end].trim().to_string(),
            });
        }
        segment.clear();
    };
    for (is_break, range) in events {
        if *is_break {
            flush(&mut segment, low, range.start);
            low = range.end;
        } else {
            segment.push(range);
        }
    }
    flush(&mut segment, low, text.len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_headings_have_synonyms() {
        for h in [
            "Key insights",
            "KEY TAKEAWAYS:",
            "Findings",
            "2. Key insights",
        ] {
            assert_eq!(ItemBlock::recognise(h), Some(ItemBlock::Insights), "{h}");
        }
        for h in ["Recommendations", "Next steps:", "action items"] {
            assert_eq!(ItemBlock::recognise(h), Some(ItemBlock::Actions), "{h}");
        }
        for h in ["Voices", "In their words", "Quotes:"] {
            assert_eq!(ItemBlock::recognise(h), Some(ItemBlock::Quotes), "{h}");
        }
        assert_eq!(ItemBlock::recognise("Background"), None);
    }

    #[test]
    fn impact_labels_in_every_spelling() {
        for md in [
            "Impact: less risk",
            "**Impact:** less risk",
            "*Impact:* less risk",
            "**Impact**: less risk",
            "_Impact_: less risk",
            "IMPACT : less risk",
        ] {
            assert_eq!(impact_at_start(md).as_deref(), Some("less risk"), "{md}");
        }
        assert_eq!(
            impact_at_start("**Impact: less** risk").as_deref(),
            Some("**less** risk")
        );
        assert_eq!(impact_at_start("Impactful work"), None);
        assert_eq!(impact_at_start("The impact: none"), None);
        assert_eq!(
            impact_inside("Do it. **Impact:** faster."),
            Some(("Do it.".into(), "faster.".into()))
        );
        assert_eq!(impact_inside("Do it. Impact: faster."), None);
    }

    #[test]
    fn bold_lead_ins_become_titles() {
        let mut text = vec![vec![Line {
            number: 3,
            markdown: "**Inventory identity providers.** Inventory every one.".into(),
        }]];
        let title = lead_in(&mut text).unwrap();
        assert_eq!(title.text, "Inventory identity providers");
        assert_eq!(text[0][0].markdown, "Inventory every one.");
        let mut text = vec![vec![Line {
            number: 3,
            markdown: "Plain **bold** text".into(),
        }]];
        assert!(lead_in(&mut text).is_none());
    }

    #[test]
    fn whole_emphasis_is_a_subtitle() {
        assert_eq!(
            whole_emphasis("*An analysis.*").as_deref(),
            Some("An analysis.")
        );
        assert_eq!(
            whole_emphasis("_An analysis._").as_deref(),
            Some("An analysis.")
        );
        assert_eq!(whole_emphasis("*An* analysis."), None);
        assert_eq!(whole_emphasis("**Bold.**"), None);
    }
}
