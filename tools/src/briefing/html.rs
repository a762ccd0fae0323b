//! HTML briefings: a document editor's "download as web page" or a wiki page, read
//! with the html5gum tokenizer.
//!
//! The page is lowered to the blocks Markdown lowers to: `h1`–`h6`
//! are headings, `p` paragraphs, `ul`/`ol`/`li` lists, `blockquote` quotations, `br`
//! a line break. Inline `strong`/`b`, `em`/`i`, `code` and links are kept as Markdown,
//! as is bold or italic set by a `style` attribute or by a class of the page's style
//! sheet (how Google Docs marks it). Scripts, styles, comments, navigation and editor
//! markup (Word's list bullets, `span style=…`) are dropped. Without a level-1 heading
//! the page's `<title>` is the briefing's title; Google Docs' and Word's *Title*,
//! *Subtitle*, *Quote* and list paragraph styles are read as what they are.
//!
//! Text is taken as text: a `<script>` written in an item (`&lt;script&gt;`) stays
//! words, which the handbook escapes like any other text.

use std::collections::HashSet;
use std::path::Path;

use html5gum::{DefaultEmitter, Token, Tokenizer};

use super::Lines;
use super::Parsed;
use super::blocks::{self, Block, Front, Line, ListItem, Para, Source};
use crate::diagnostics::Diagnostic;
use crate::shared::LineStarts;

/// Elements nested deeper than this are refused.
const MAX_DEPTH: usize = 256;

/// Parses an HTML briefing read from `path`.
pub fn parse(path: &Path, text: &str) -> Result<Parsed, Diagnostic> {
    let src = Source { path, text };
    let starts = LineStarts::of(text.as_bytes());
    let mut emitter = DefaultEmitter::<usize>::new_with_span();
    // `<script>`, `<style>`, `<title>`… hold text, not tags, as in browsers.
    emitter.naively_switch_states(true);
    let mut lower = Lowering::new(&starts);
    for token in Tokenizer::new_with_emitter(text, emitter) {
        let Ok(token) = token;
        lower.token(token).map_err(|line| {
            Diagnostic::error(format!("elements are nested more than {MAX_DEPTH} deep"))
                .at(src.at(line))
                .help("a briefing needs headings, paragraphs and flat lists: save the page without the nesting")
        })?;
    }
    lower.finish_all();
    let front = Front {
        fallback_title: lower.title.filter(|(t, _)| !t.is_empty()),
        ..Front::default()
    };
    blocks::assemble(&src, front, lower.blocks, Vec::new())
}

/// Inline content, as a tree: emphasis must wrap words, not the spaces around them.
#[derive(Debug)]
enum Node {
    Text(String),
    Break(usize),
    Marked(&'static str, Vec<Node>),
    Code(Vec<Node>),
    Link(String, Vec<Node>),
}

/// What an open inline element does to its content.
#[derive(Debug, Clone, PartialEq)]
enum Inline {
    Plain,
    Marked(&'static str),
    Code,
    Link(String),
    /// Editor markup whose text is not the author's (Word's list bullets).
    Drop,
}

/// A paragraph being read: its first line, and its inline elements still open (the
/// root first).
#[derive(Debug)]
struct Building {
    heading: Option<u8>,
    /// Wrap the whole paragraph in emphasis (a *Subtitle* paragraph style).
    subtitle: bool,
    first_line: Option<usize>,
    open: Vec<(Vec<u8>, Inline, Vec<Node>)>,
}

#[derive(Debug)]
enum Container {
    List {
        start: Option<u64>,
        items: Vec<ListItem>,
        /// Made for Word's list paragraphs, which have no `ul`.
        implied: bool,
    },
    Item {
        paras: Vec<Para>,
        start: usize,
        end: usize,
    },
    Quote {
        paras: Vec<Para>,
        start: usize,
        end: usize,
        /// Made for a Word quote paragraph: it ends with the paragraph.
        word: bool,
    },
}

struct Lowering<'a> {
    starts: &'a LineStarts,
    blocks: Vec<Block>,
    containers: Vec<Container>,
    para: Option<Building>,
    /// An element whose content is dropped, and how deeply it nests in itself.
    skipping: Option<(Vec<u8>, usize)>,
    /// Reading `<title>` or `<style>`.
    reading: Option<(Vec<u8>, String, usize)>,
    title: Option<(String, Lines)>,
    bold: HashSet<String>,
    italic: HashSet<String>,
    /// Open elements, for the nesting bound.
    depth: usize,
}

const SKIPPED: &[&str] = &[
    "script", "noscript", "template", "nav", "iframe", "object", "svg", "math", "canvas", "video",
    "audio", "button", "select",
];

const BLOCK: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "header",
    "footer",
    "main",
    "aside",
    "figure",
    "figcaption",
    "pre",
    "table",
    "thead",
    "tbody",
    "tr",
    "td",
    "th",
    "hr",
    "dl",
    "dt",
    "dd",
    "address",
    "center",
    "body",
    "html",
    "form",
    "fieldset",
];

fn heading_level(name: &str) -> Option<u8> {
    match name {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        "h5" => Some(5),
        "h6" => Some(6),
        _ => None,
    }
}

/// An attribute's value as text.
fn attr(tag: &html5gum::StartTag<usize>, name: &str) -> Option<String> {
    tag.attributes
        .get(name.as_bytes())
        .map(|v| String::from_utf8_lossy(&v.value).into_owned())
}

impl<'a> Lowering<'a> {
    fn new(starts: &'a LineStarts) -> Lowering<'a> {
        Lowering {
            starts,
            blocks: Vec::new(),
            containers: Vec::new(),
            para: None,
            skipping: None,
            reading: None,
            title: None,
            bold: HashSet::new(),
            italic: HashSet::new(),
            depth: 0,
        }
    }

    /// Takes one token; `Err(line)` when elements nest too deeply.
    fn token(&mut self, token: Token<usize>) -> Result<(), usize> {
        match token {
            Token::StartTag(tag) => self.start(tag),
            Token::EndTag(tag) => {
                let name = String::from_utf8_lossy(&tag.name).to_ascii_lowercase();
                self.end(&name, tag.span.end);
                Ok(())
            }
            Token::String(s) => {
                self.text(&String::from_utf8_lossy(&s.value), s.span.start);
                Ok(())
            }
            Token::Comment(_) | Token::Doctype(_) | Token::Error(_) => Ok(()),
        }
    }

    fn line(&self, offset: usize) -> usize {
        self.starts.line(offset)
    }

    fn start(&mut self, tag: html5gum::StartTag<usize>) -> Result<(), usize> {
        let name = String::from_utf8_lossy(&tag.name).to_ascii_lowercase();
        let line = self.line(tag.span.start);
        if let Some((skipped, depth)) = &mut self.skipping {
            if *skipped == name.as_bytes() && !tag.self_closing {
                *depth += 1;
            }
            return Ok(());
        }
        if name == "title" || name == "style" {
            self.reading = Some((name.into_bytes(), String::new(), line));
            return Ok(());
        }
        if SKIPPED.contains(&name.as_str()) {
            if !tag.self_closing {
                self.skipping = Some((name.into_bytes(), 0));
            }
            return Ok(());
        }
        if !tag.self_closing
            && !matches!(
                name.as_str(),
                "br" | "hr" | "img" | "meta" | "link" | "input" | "wbr"
            )
        {
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return Err(line);
            }
        }
        let class = attr(&tag, "class").unwrap_or_default();
        let classes: Vec<&str> = class.split_whitespace().collect();
        let has_class = |wanted: &str| classes.iter().any(|c| c.eq_ignore_ascii_case(wanted));
        let word_list = classes
            .iter()
            .any(|c| c.to_ascii_lowercase().starts_with("msolistparagraph"));
        if word_list || name != "p" {
            self.end_implied_list();
        }
        match name.as_str() {
            "br" => self.push_node(Node::Break(line), line),
            "ul" | "ol" => {
                self.finish_para();
                let start = (name == "ol").then(|| {
                    attr(&tag, "start")
                        .and_then(|s| s.trim().parse().ok())
                        .unwrap_or(1)
                });
                self.containers.push(Container::List {
                    start,
                    items: Vec::new(),
                    implied: false,
                });
            }
            "li" => {
                self.finish_para();
                if matches!(self.containers.last(), Some(Container::Item { .. })) {
                    self.close_container();
                }
                self.containers.push(Container::Item {
                    paras: Vec::new(),
                    start: line,
                    end: line,
                });
            }
            "blockquote" => {
                self.finish_para();
                self.containers.push(Container::Quote {
                    paras: Vec::new(),
                    start: line,
                    end: line,
                    word: false,
                });
            }
            "p" if word_list => {
                self.finish_para();
                if !matches!(
                    self.containers.last(),
                    Some(Container::List { implied: true, .. })
                ) {
                    self.containers.push(Container::List {
                        start: None,
                        items: Vec::new(),
                        implied: true,
                    });
                }
                self.containers.push(Container::Item {
                    paras: Vec::new(),
                    start: line,
                    end: line,
                });
            }
            "p" if has_class("msoquote") || has_class("msointensequote") => {
                self.finish_para();
                self.containers.push(Container::Quote {
                    paras: Vec::new(),
                    start: line,
                    end: line,
                    word: true,
                });
            }
            _ if heading_level(&name).is_some() => {
                self.finish_para();
                self.open_para(heading_level(&name), false);
            }
            "p" | "div" if has_class("title") || has_class("msotitle") => {
                self.finish_para();
                self.open_para(Some(1), false);
            }
            "p" | "div" if has_class("subtitle") || has_class("msosubtitle") => {
                self.finish_para();
                self.open_para(None, true);
            }
            _ if BLOCK.contains(&name.as_str()) => self.finish_para(),
            _ => {
                if tag.self_closing {
                    return Ok(());
                }
                let inline = self.inline_kind(&name, &tag, &classes);
                let para = self.para_at(line);
                para.open.push((name.into_bytes(), inline, Vec::new()));
            }
        }
        Ok(())
    }

    /// What an inline element does: emphasis from its name, its `style` or its classes.
    fn inline_kind(&self, name: &str, tag: &html5gum::StartTag<usize>, classes: &[&str]) -> Inline {
        match name {
            "strong" | "b" => return Inline::Marked("**"),
            "em" | "i" | "cite" => return Inline::Marked("*"),
            "code" | "kbd" | "samp" | "tt" => return Inline::Code,
            "a" => {
                return match attr(tag, "href") {
                    Some(href)
                        if !href.trim().is_empty() && !href.trim_start().starts_with('#') =>
                    {
                        Inline::Link(href.trim().to_string())
                    }
                    _ => Inline::Plain,
                };
            }
            _ => {}
        }
        let style = attr(tag, "style").unwrap_or_default().to_ascii_lowercase();
        let style: String = style.chars().filter(|c| !c.is_whitespace()).collect();
        if style.contains("mso-list:ignore") || style.contains("display:none") {
            return Inline::Drop;
        }
        let bold = style.contains("font-weight:700")
            || style.contains("font-weight:bold")
            || classes.iter().any(|c| self.bold.contains(*c));
        let italic =
            style.contains("font-style:italic") || classes.iter().any(|c| self.italic.contains(*c));
        match (bold, italic) {
            (true, true) => Inline::Marked("***"),
            (true, false) => Inline::Marked("**"),
            (false, true) => Inline::Marked("*"),
            (false, false) => Inline::Plain,
        }
    }

    fn end(&mut self, name: &str, offset: usize) {
        let line = self.line(offset.saturating_sub(1));
        if let Some((skipped, depth)) = &mut self.skipping {
            if skipped == name.as_bytes() {
                if *depth == 0 {
                    self.skipping = None;
                } else {
                    *depth -= 1;
                }
            }
            return;
        }
        if let Some((reading, text, first)) = self.reading.take() {
            if reading == name.as_bytes() {
                match name {
                    "title" => {
                        let title = text.split_whitespace().collect::<Vec<_>>().join(" ");
                        self.title.get_or_insert((title, Lines::one(first)));
                    }
                    _ => self.read_style_sheet(&text),
                }
            } else {
                self.reading = Some((reading, text, first));
            }
            return;
        }
        self.depth = self.depth.saturating_sub(1);
        self.extend_container(line);
        match name {
            "ul" | "ol" => {
                self.finish_para();
                if matches!(self.containers.last(), Some(Container::Item { .. })) {
                    self.close_container();
                }
                if matches!(
                    self.containers.last(),
                    Some(Container::List { implied: false, .. })
                ) {
                    self.close_container();
                }
            }
            "li" | "blockquote" => {
                self.finish_para();
                let matches = match self.containers.last() {
                    Some(Container::Item { .. }) => name == "li",
                    Some(Container::Quote { .. }) => name == "blockquote",
                    _ => false,
                };
                if matches {
                    self.close_container();
                }
            }
            "p" => {
                self.finish_para();
                // Word's list and quote paragraphs are containers of their own.
                let word_item = matches!(self.containers.last(), Some(Container::Item { .. }))
                    && matches!(
                        self.containers.iter().rev().nth(1),
                        Some(Container::List { implied: true, .. })
                    );
                let word_quote = matches!(
                    self.containers.last(),
                    Some(Container::Quote { word: true, .. })
                );
                if word_item || word_quote {
                    self.close_container();
                }
            }
            _ if heading_level(name).is_some() || BLOCK.contains(&name) => self.finish_para(),
            _ => self.close_inline(name),
        }
    }

    fn text(&mut self, text: &str, offset: usize) {
        if self.skipping.is_some() {
            return;
        }
        if let Some((_, buffer, _)) = &mut self.reading {
            buffer.push_str(text);
            return;
        }
        if text.trim().is_empty() && self.para.is_none() {
            return;
        }
        let line = self.line(offset + text.len() - text.trim_start().len());
        self.push_node(Node::Text(text.to_string()), line);
    }

    fn para_at(&mut self, line: usize) -> &mut Building {
        if self.para.is_none() {
            self.open_para(None, false);
        }
        let para = self.para.as_mut().expect("opened above");
        para.first_line.get_or_insert(line);
        para
    }

    fn open_para(&mut self, heading: Option<u8>, subtitle: bool) {
        self.para = Some(Building {
            heading,
            subtitle,
            first_line: None,
            open: vec![(Vec::new(), Inline::Plain, Vec::new())],
        });
    }

    fn push_node(&mut self, node: Node, line: usize) {
        let para = self.para_at(line);
        para.open.last_mut().expect("the root is open").2.push(node);
    }

    /// Closes the inline element `name` and any opened inside it and left open.
    fn close_inline(&mut self, name: &str) {
        let Some(para) = &mut self.para else {
            return;
        };
        let Some(at) = para.open.iter().rposition(|(n, _, _)| n == name.as_bytes()) else {
            return;
        };
        if at == 0 {
            return;
        }
        while para.open.len() > at {
            let (_, kind, children) = para.open.pop().expect("above the root");
            let node = match kind {
                Inline::Plain => Node::Marked("", children),
                Inline::Marked(m) => Node::Marked(m, children),
                Inline::Code => Node::Code(children),
                Inline::Link(href) => Node::Link(href, children),
                Inline::Drop => continue,
            };
            para.open.last_mut().expect("the root stays").2.push(node);
        }
    }

    /// Ends the paragraph being read and adds it to the innermost container.
    fn finish_para(&mut self) {
        if self.para.is_none() {
            return;
        }
        self.close_inline_all();
        let para = self.para.take().expect("checked above");
        let first = para.first_line.unwrap_or(1);
        let (_, _, nodes) = para.open.into_iter().next().expect("the root");
        let mut markdown = String::new();
        let mut breaks = Vec::new();
        render(&nodes, &mut markdown, &mut breaks, false);
        let mut numbers = std::iter::once(first).chain(breaks);
        let mut lines: Vec<Line> = markdown
            .split('\n')
            .map(|l| Line {
                number: numbers.next().unwrap_or(first),
                markdown: collapse(l),
            })
            .filter(|l| !l.markdown.is_empty())
            .collect();
        if lines.is_empty() {
            return;
        }
        if para.subtitle {
            let text = blocks::plain(
                &lines
                    .iter()
                    .map(|l| l.markdown.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            );
            lines = vec![Line {
                number: lines[0].number,
                markdown: format!("*{}*", blocks::escape(&text)),
            }];
        }
        let para = match para.heading {
            Some(level) => {
                let block = Block::Heading {
                    level,
                    text: Para { lines },
                };
                self.add_block(block);
                return;
            }
            None => Para { lines },
        };
        match self.containers.last_mut() {
            Some(Container::Item { paras, .. } | Container::Quote { paras, .. }) => {
                paras.push(para)
            }
            Some(Container::List { items, .. }) => {
                // Text directly in a list, outside any `li`: an entry of its own.
                let lines = para.span().unwrap_or(Lines::one(first));
                items.push(ListItem {
                    paras: vec![para],
                    lines,
                });
            }
            None => self.blocks.push(Block::Paragraph(para)),
        }
    }

    fn close_inline_all(&mut self) {
        while let Some(para) = &self.para {
            if para.open.len() <= 1 {
                break;
            }
            let name = String::from_utf8_lossy(&para.open.last().expect("checked").0).into_owned();
            self.close_inline(&name);
        }
    }

    /// A heading inside a list entry or a quotation is one more of its paragraphs.
    fn add_block(&mut self, block: Block) {
        match (block, self.containers.last_mut()) {
            (
                Block::Heading { text, .. },
                Some(Container::Item { paras, .. } | Container::Quote { paras, .. }),
            ) => {
                paras.push(text);
            }
            (block, _) => self.blocks.push(block),
        }
    }

    fn extend_container(&mut self, line: usize) {
        for c in &mut self.containers {
            if let Container::Item { end, .. } | Container::Quote { end, .. } = c {
                *end = (*end).max(line);
            }
        }
    }

    /// Closes the innermost container; a list or quotation inside a list entry or a
    /// quotation becomes more of its paragraphs.
    fn close_container(&mut self) {
        let Some(container) = self.containers.pop() else {
            return;
        };
        match container {
            Container::Item { paras, start, end } => {
                if let Some(Container::List { items, .. }) = self.containers.last_mut() {
                    items.push(ListItem {
                        paras,
                        lines: Lines { start, end },
                    });
                }
            }
            Container::List { start, items, .. } => match self.containers.last_mut() {
                Some(Container::Item { paras, .. } | Container::Quote { paras, .. }) => {
                    paras.extend(items.into_iter().flat_map(|i| i.paras));
                }
                _ => self.blocks.push(Block::List { start, items }),
            },
            Container::Quote {
                paras: inner,
                start,
                end,
                ..
            } => match self.containers.last_mut() {
                Some(Container::Item { paras, .. } | Container::Quote { paras, .. }) => {
                    paras.extend(inner);
                }
                _ => self.blocks.push(Block::Quote {
                    paras: inner,
                    lines: Lines { start, end },
                }),
            },
        }
    }

    /// Word's list paragraphs end their implied list at the first block that is not one.
    fn end_implied_list(&mut self) {
        if matches!(
            self.containers.last(),
            Some(Container::List { implied: true, .. })
        ) {
            self.finish_para();
            self.close_container();
        }
    }

    fn finish_all(&mut self) {
        self.finish_para();
        while !self.containers.is_empty() {
            self.close_container();
        }
    }

    /// Reads which classes of the page's style sheet set bold or italic text.
    fn read_style_sheet(&mut self, css: &str) {
        for rule in css.split('}') {
            let Some((selectors, declarations)) = rule.split_once('{') else {
                continue;
            };
            let declarations: String = declarations
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_ascii_lowercase();
            let bold = declarations.contains("font-weight:700")
                || declarations.contains("font-weight:bold");
            let italic = declarations.contains("font-style:italic");
            for selector in selectors.split(',') {
                let selector = selector.trim();
                let Some(class) = selector.strip_prefix('.') else {
                    continue;
                };
                if class.is_empty()
                    || !class
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
                {
                    continue;
                }
                if bold {
                    self.bold.insert(class.to_string());
                }
                if italic {
                    self.italic.insert(class.to_string());
                }
            }
        }
    }
}

/// Writes inline nodes as markdown; `\n` for a line break, whose source line goes to
/// `breaks`.
fn render(nodes: &[Node], out: &mut String, breaks: &mut Vec<usize>, in_code: bool) {
    for node in nodes {
        match node {
            Node::Text(t) => {
                let t = t.replace('\u{a0}', " ");
                if in_code {
                    out.push_str(&t);
                } else {
                    out.push_str(&blocks::escape(&t));
                }
            }
            Node::Break(line) => {
                out.push('\n');
                breaks.push(*line);
            }
            Node::Marked(marker, children) => {
                let mut inner = String::new();
                render(children, &mut inner, breaks, in_code);
                wrap(out, &inner, marker, marker);
            }
            Node::Code(children) => {
                let mut inner = String::new();
                render(children, &mut inner, breaks, true);
                let inner = collapse(&inner);
                if !inner.is_empty() {
                    let fence = if inner.contains('`') { "``" } else { "`" };
                    out.push_str(&format!("{fence}{inner}{fence}"));
                }
            }
            Node::Link(href, children) => {
                let mut inner = String::new();
                render(children, &mut inner, breaks, in_code);
                let href = href.replace(' ', "%20").replace(')', "%29");
                wrap(out, &inner, "[", &format!("]({href})"));
            }
        }
    }
}

/// Writes `inner` between `open` and `close`, with the spaces around it outside: a
/// Markdown delimiter next to a space does not open or close emphasis.
fn wrap(out: &mut String, inner: &str, open: &str, close: &str) {
    let core = inner.trim_matches(|c: char| c == ' ' || c == '\t' || c == '\r');
    if core.is_empty() || open.is_empty() {
        out.push_str(inner);
        return;
    }
    let lead = &inner[..inner.len() - inner.trim_start_matches([' ', '\t', '\r']).len()];
    let trail = &inner[inner.trim_end_matches([' ', '\t', '\r']).len()..];
    out.push_str(lead);
    out.push_str(open);
    out.push_str(core);
    out.push_str(close);
    out.push_str(trail);
}

/// HTML whitespace: runs of spaces and line ends are one space.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Parsed, Diagnostic> {
        parse(Path::new("b.html"), text)
    }

    #[test]
    fn every_part_from_an_export() {
        let page = r#"<!DOCTYPE html>
<html><head><title>Page title</title>
<style>.c1{font-weight:700}.c2{font-style:italic;color:red}</style>
<script>alert("x")</script></head>
<body>
<!-- a comment -->
<h1>Title</h1>
<p><em>Sub title here.</em></p>
<p>Intro <span style="color:red">paragraph</span>.</p>
<h2>First Heading</h2>
<p>Body one with <a href="https://example.org/x">a link</a>.</p>
<h2>Key insights</h2>
<ul>
<li><span class="c1">Lead.</span> Insight one.<br>Impact: Big.
<li><p>Insight two &lt;script&gt;.</p><p><b>Impact:</b> Small.</p></li>
</ul>
<h2>Next steps</h2>
<ol><li>Do it.</li></ol>
<h2>Quotes</h2>
<blockquote><p>“Hello.”</p><p>— Jane</p></blockquote>
</body></html>"#;
        let b = parse_str(page).unwrap().briefing;
        assert_eq!(b.title.text, "Title");
        assert_eq!(b.title.lines.start, 7);
        assert_eq!(b.subtitle.unwrap().text, "Sub title here.");
        assert_eq!(b.introduction.unwrap().text, "Intro paragraph.");
        assert_eq!(
            b.sections[0].body.text,
            "Body one with [a link](https://example.org/x)."
        );
        assert_eq!(b.insights[0].title.as_ref().unwrap().text, "Lead");
        assert_eq!(b.insights[0].text.text, "Insight one.");
        assert_eq!(b.insights[0].impact.as_ref().unwrap().text, "Big.");
        assert_eq!(b.insights[0].lines.start, 14);
        assert_eq!(b.insights[1].text.text, "Insight two <script>.");
        assert_eq!(b.insights[1].impact.as_ref().unwrap().text, "Small.");
        assert_eq!(b.actions[0].text.text, "Do it.");
        assert_eq!(b.quotes[0].text.text, "Hello.");
        assert_eq!(b.quotes[0].attribution.as_deref(), Some("Jane"));
    }

    #[test]
    fn word_list_paragraphs_and_bullets() {
        let page = "<html><body><p class=MsoTitle>T</p>\n<h2>Key insights</h2>\n<p class=MsoListParagraphCxSpFirst><![if !supportLists]><span style='mso-list:Ignore'>·<span>&nbsp;&nbsp;</span></span><![endif]>One.</p>\n<p class=MsoListParagraphCxSpLast><span style='mso-list:Ignore'>·</span>Two.</p>\n<h2>Actions</h2><ul><li>A.</li></ul></body></html>";
        let b = parse_str(page).unwrap().briefing;
        assert_eq!(b.title.text, "T");
        let texts: Vec<_> = b.insights.iter().map(|i| i.text.text.as_str()).collect();
        assert_eq!(texts, ["One.", "Two."]);
    }

    #[test]
    fn the_page_title_is_the_fallback() {
        let page = "<html><head><title>  From   title </title></head><body><h2>Key insights</h2><ul><li>I.</li></ul><h2>Actions</h2><ul><li>A.</li></ul></body></html>";
        assert_eq!(parse_str(page).unwrap().briefing.title.text, "From title");
    }

    #[test]
    fn emphasis_keeps_spaces_outside() {
        let mut out = String::new();
        render(
            &[
                Node::Text("a".into()),
                Node::Marked("**", vec![Node::Text(" b ".into())]),
                Node::Text("c".into()),
            ],
            &mut out,
            &mut Vec::new(),
            false,
        );
        assert_eq!(out, "a **b** c");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let page = format!("<h1>T</h1>{}", "<div>".repeat(1000));
        let e = parse_str(&page).unwrap_err();
        assert!(e.message.contains("nested"), "{e:?}");
    }
}
