//! The relation graph of a briefing as static SVG: quotes, insights and
//! recommendations in three columns, joined by the relations between them. Every node
//! links to its item, and the picture needs no JavaScript.
//!
//! Titles are shown whole, wrapped inside their boxes. An edge between the outer columns
//! (a quote supporting a recommendation) crosses the middle column through a gap between
//! its boxes, never under one. Hovering a node highlights its relations with CSS alone
//! (`:has()`, one rule per node, in the SVG's own `<style>`). The picture keeps its text
//! at a readable size: narrower screens scroll it instead of shrinking it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::escape::html;
use super::layout::html_href;
use super::views::{LinkView, Views, quote_title};
use crate::content::Doc;

const NODE_W: usize = 232;
const GAP: usize = 42;
const TOP: usize = 44;
/// Space between two boxes of a column: edges between the outer columns pass there.
const SPACING: usize = 18;
const FONT: usize = 14;
const LINE: usize = 18;
const PAD: usize = 9;
/// Characters per line of a label at [`FONT`] in a box [`NODE_W`] wide.
const WRAP: usize = 28;
/// The smallest scale the picture is shown at: text stays at 12 px or more.
const MIN_SCALE: f64 = 12.0 / FONT as f64;

struct Node {
    id: String,
    lines: Vec<String>,
    title: String,
    href: String,
    class: &'static str,
    column: usize,
    y: usize,
}

impl Node {
    fn height(&self) -> usize {
        self.lines.len() * LINE + 2 * PAD - 4
    }
}

/// Words into lines of at most [`WRAP`] characters (a longer word has a line alone).
fn wrap(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= WRAP => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

fn x_of(column: usize) -> usize {
    column * (NODE_W + GAP)
}

/// Draws the graph of one briefing, with links relative to the page `views` renders.
pub fn svg(views: &Views<'_>, doc: &Doc) -> String {
    let mut columns: [Vec<Node>; 3] = Default::default();
    let mut add = |id: &str, title: String, class: &'static str, column: usize| {
        let y = columns[column]
            .last()
            .map_or(TOP, |n: &Node| n.y + n.height() + SPACING);
        columns[column].push(Node {
            id: id.to_string(),
            lines: wrap(&title),
            href: html_href(&views.layout.href(views.page, id)),
            title,
            class,
            column,
            y,
        });
    };
    for q in &doc.quotes {
        add(&q.id, quote_title(&q.text), "hb-node-quote", 0);
    }
    for x in &doc.insights {
        add(&x.id, x.title.clone(), "hb-node-insight", 1);
    }
    for x in &doc.actions {
        add(&x.id, x.title.clone(), "hb-node-action", 2);
    }
    let nodes: BTreeMap<&str, &Node> = columns
        .iter()
        .flatten()
        .map(|n| (n.id.as_str(), n))
        .collect();
    let bottom = columns
        .iter()
        .filter_map(|c| c.last().map(|n| n.y + n.height()))
        .max()
        .unwrap_or(TOP);
    // Where an edge may cross the middle column: above, between and below its boxes.
    let mut corridors: Vec<usize> = vec![TOP - SPACING / 2];
    corridors.extend(columns[1].iter().map(|n| n.y + n.height() + SPACING / 2));

    let mut edges = String::new();
    let mut related: Vec<(&str, &str)> = Vec::new();
    let mut edge = |from: &str, to: &LinkView, class: &str| {
        let (Some(a), Some(b)) = (nodes.get(from), nodes.get(to.id.as_str())) else {
            return;
        };
        let (l, r) = if a.column <= b.column { (a, b) } else { (b, a) };
        let (x1, y1) = (x_of(l.column) + NODE_W, l.y + l.height() / 2);
        let (x2, y2) = (x_of(r.column), r.y + r.height() / 2);
        let path = if r.column - l.column < 2 {
            let bend = (x2 - x1) / 2;
            format!(
                "M{x1},{y1} C{},{y1} {},{y2} {x2},{y2}",
                x1 + bend,
                x2 - bend
            )
        } else {
            // Through the gap of the middle column nearest to the straight line.
            let mid = (y1 + y2) / 2;
            let cy = corridors
                .iter()
                .copied()
                .min_by_key(|c| c.abs_diff(mid))
                .unwrap_or(mid);
            let (m1, m2) = (x_of(1), x_of(1) + NODE_W);
            let b1 = (m1 - x1) / 2;
            let b2 = (x2 - m2) / 2;
            format!(
                "M{x1},{y1} C{},{y1} {},{cy} {m1},{cy} L{m2},{cy} C{},{cy} {},{y2} {x2},{y2}",
                x1 + b1,
                m1 - b1,
                m2 + b2,
                x2 - b2
            )
        };
        let suggested = if to.suggested {
            " hb-edge-suggested"
        } else {
            ""
        };
        let _ = writeln!(
            edges,
            r#"<path class="hb-edge {class}{suggested}" data-ends="{} {}" d="{path}"/>"#,
            html(from),
            html(&to.id),
        );
        related.push((a.id.as_str(), b.id.as_str()));
    };
    for a in &doc.actions {
        for target in views.action(a).addresses {
            edge(&a.id, &target, "hb-edge-addresses");
        }
    }
    for q in &doc.quotes {
        for target in views.quote(q).supports {
            edge(&q.id, &target, "hb-edge-supports");
        }
    }

    let width = 3 * NODE_W + 2 * GAP + 2;
    let height = bottom + 8;
    let id = html(&doc.briefing.id);
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<div class="hb-graph-scroll"><svg class="hb-graph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" style="min-width: {}px" role="group" aria-labelledby="hb-graph-title-{id}">"#,
        (width as f64 * MIN_SCALE).ceil() as usize
    );
    let _ = writeln!(
        out,
        r#"<title id="hb-graph-title-{id}">Relations between the quotes, insights and recommendations of {}</title>"#,
        html(&doc.briefing.title)
    );
    // Hovering (or focusing) a node lights up its edges and its neighbours.
    out.push_str("<style>");
    for n in nodes.keys() {
        let n = html(n);
        let _ = write!(
            out,
            r#".hb-graph:has(a[data-node="{n}"]:is(:hover,:focus)) .hb-edge[data-ends~="{n}"]{{stroke-opacity:1;stroke-width:3}}"#
        );
    }
    for (a, b) in &related {
        for (from, to) in [(a, b), (b, a)] {
            let _ = write!(
                out,
                r#".hb-graph:has(a[data-node="{}"]:is(:hover,:focus)) a[data-node="{}"] rect{{stroke-width:3}}"#,
                html(from),
                html(to)
            );
        }
    }
    out.push_str("</style>\n");
    for (column, name) in ["Quotes", "Insights", "Recommendations"].iter().enumerate() {
        let _ = writeln!(
            out,
            r#"<text class="hb-graph-heading" x="{}" y="{}">{name}</text>"#,
            x_of(column) + 2,
            TOP - 18
        );
    }
    out.push_str(&edges);
    for n in nodes.values() {
        let x = x_of(n.column) + 1;
        let mut text = String::new();
        for (i, line) in n.lines.iter().enumerate() {
            let _ = write!(
                text,
                r#"<tspan x="{}" y="{}">{}</tspan>"#,
                x + 10,
                n.y + PAD + FONT - 2 + i * LINE,
                html(line)
            );
        }
        let _ = writeln!(
            out,
            r#"<a href="{href}" data-node="{id}"><g class="hb-node {class}"><title>{title}</title><rect x="{x}" y="{y}" width="{NODE_W}" height="{h}" rx="6"/><text>{text}</text></g></a>"#,
            href = html(&n.href),
            id = html(&n.id),
            title = html(&n.title),
            class = n.class,
            y = n.y,
            h = n.height(),
        );
    }
    out.push_str("</svg></div>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn labels_wrap_at_word_boundaries() {
        assert_eq!(
            wrap("Memory safety eliminates critical vulnerability classes"),
            [
                "Memory safety eliminates",
                "critical vulnerability",
                "classes"
            ]
        );
        assert_eq!(wrap(""), [""]);
    }
}
