//! The relation graph of a briefing as static SVG: quotes, insights and
//! recommendations in three columns, joined by the relations between them. Every node
//! links to its item, and the picture needs no JavaScript.

use std::fmt::Write as _;

use super::escape::html;
use super::layout::html_href;
use super::views::{LinkView, Views, quote_title};
use crate::content::Doc;

const NODE_W: usize = 250;
const NODE_H: usize = 40;
const ROW: usize = 52;
const GAP: usize = 110;
const TOP: usize = 40;
const MAX_LABEL: usize = 34;

struct Node {
    id: String,
    label: String,
    title: String,
    href: String,
    class: &'static str,
    column: usize,
    row: usize,
}

fn truncate(text: &str) -> String {
    if text.chars().count() <= MAX_LABEL {
        text.to_string()
    } else {
        let cut: String = text.chars().take(MAX_LABEL - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

/// Draws the graph of one briefing, with links relative to the page `views` renders.
pub fn svg(views: &Views<'_>, doc: &Doc) -> String {
    let mut nodes = Vec::new();
    let mut add = |id: &str, title: String, class: &'static str, column: usize, row: usize| {
        nodes.push(Node {
            id: id.to_string(),
            label: truncate(&title),
            href: html_href(&views.layout.href(views.page, id)),
            title,
            class,
            column,
            row,
        });
    };
    for (i, q) in doc.quotes.iter().enumerate() {
        add(&q.id, quote_title(&q.text), "hb-node-quote", 0, i);
    }
    for (i, x) in doc.insights.iter().enumerate() {
        add(&x.id, x.title.clone(), "hb-node-insight", 1, i);
    }
    for (i, x) in doc.actions.iter().enumerate() {
        add(&x.id, x.title.clone(), "hb-node-action", 2, i);
    }
    let positions: std::collections::BTreeMap<&str, (usize, usize)> = nodes
        .iter()
        .map(|n| (n.id.as_str(), (n.column, n.row)))
        .collect();
    let position = |id: &str| positions.get(id).copied();
    let x_of = |column: usize| column * (NODE_W + GAP);
    let y_of = |row: usize| TOP + row * ROW;

    let mut edges = String::new();
    let mut edge = |from: &str, to: &LinkView, class: &str| {
        let (Some((fc, fr)), Some((tc, tr))) = (position(from), position(&to.id)) else {
            return;
        };
        // Edges leave the right side of the left node and enter the left side of the right one.
        let ((lc, lr), (rc, rr)) = if fc <= tc {
            ((fc, fr), (tc, tr))
        } else {
            ((tc, tr), (fc, fr))
        };
        let (x1, y1) = (x_of(lc) + NODE_W, y_of(lr) + NODE_H / 2);
        let (x2, y2) = (x_of(rc), y_of(rr) + NODE_H / 2);
        let bend = (x2 - x1) / 2;
        let suggested = if to.suggested {
            " hb-edge-suggested"
        } else {
            ""
        };
        let _ = writeln!(
            edges,
            r#"<path class="hb-edge {class}{suggested}" d="M{x1},{y1} C{},{y1} {},{y2} {x2},{y2}"/>"#,
            x1 + bend,
            x2 - bend,
        );
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

    let rows = [doc.quotes.len(), doc.insights.len(), doc.actions.len()]
        .into_iter()
        .max()
        .unwrap_or(0);
    let width = 3 * NODE_W + 2 * GAP;
    let height = TOP + rows * ROW + 8;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg class="hb-graph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" aria-labelledby="hb-graph-title-{id}">"#,
        id = html(&doc.briefing.id)
    );
    let _ = writeln!(
        out,
        r#"<title id="hb-graph-title-{}">Relations between the quotes, insights and recommendations of {}</title>"#,
        html(&doc.briefing.id),
        html(&doc.briefing.title)
    );
    for (column, name) in ["Quotes", "Insights", "Recommendations"].iter().enumerate() {
        let _ = writeln!(
            out,
            r#"<text class="hb-graph-heading" x="{}" y="{}">{name}</text>"#,
            x_of(column) + 4,
            TOP - 14
        );
    }
    out.push_str(&edges);
    for n in &nodes {
        let (x, y) = (x_of(n.column), y_of(n.row));
        let _ = writeln!(
            out,
            r#"<a href="{href}" aria-label="{title}"><g class="hb-node {class}"><title>{title}</title><rect x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" rx="6"/><text x="{}" y="{}">{label}</text></g></a>"#,
            x + 10,
            y + NODE_H / 2 + 5,
            href = html(&n.href),
            title = html(&n.title),
            class = n.class,
            label = html(&n.label),
        );
    }
    out.push_str("</svg>\n");
    out
}
