//! Which page every item lives on, and links between pages.
//!
//! mdBook's HTML build time grows with the square of the number of chapters (every page
//! is rendered with the whole table of contents), so the page plan is chosen by size:
//! a handbook of ordinary size gets a page per body section and per item list; a very
//! large knowledge base gets one page per briefing, with every item as an anchor on it.
//! Either way an item's link is `page#id`, so templates never know which plan is used.

use std::collections::BTreeMap;

use crate::xref::{Kind, Knowledge};

/// Above this many pages the compact plan is used.
pub const MAX_EXPANDED_PAGES: usize = 300;

/// The page plan.
#[derive(Debug, Clone)]
pub struct Layout {
    /// One page per body section and per item list (otherwise one page per briefing).
    pub expanded: bool,
    /// The page (path relative to `src/`) each id lives on, and whether the item is
    /// the whole page (briefings, section pages) rather than an anchor on it.
    pages: BTreeMap<String, (String, bool)>,
    /// Tags and their anchors on the tags page.
    pub tags: BTreeMap<String, String>,
}

/// The page of the executive summary, the book's first page.
pub const SUMMARY_PAGE: &str = "executive-summary.md";
/// The page listing all tags.
pub const TAGS_PAGE: &str = "tags/index.md";
/// Recommendations by phase and status.
pub const ROADMAP_PAGE: &str = "roadmap.md";
/// What changed in the content, from git.
pub const CHANGES_PAGE: &str = "changes.md";
/// Recommendations by owner.
pub const OWNERS_PAGE: &str = "owners.md";
/// Recommendations by target quarter.
pub const QUARTERS_PAGE: &str = "quarters.md";
/// Every briefing, for a handbook of several.
pub const BRIEFINGS_PAGE: &str = "briefings.md";

/// `x.md#y` → `x.html#y`: mdBook rewrites links in markdown, not in raw HTML or SVG.
pub fn html_href(href: &str) -> String {
    match href.split_once('#') {
        Some((page, anchor)) => format!("{}#{anchor}", page.replace(".md", ".html")),
        None => href.replace(".md", ".html"),
    }
}

/// A briefing's pages in the expanded plan (its overview in the compact one).
pub fn briefing_page(briefing: &str, expanded: bool) -> String {
    if expanded {
        format!("briefings/{briefing}/index.md")
    } else {
        format!("briefings/{briefing}.md")
    }
}

/// A list page of a briefing (`insights`, `recommendations`, `quotes`, `matrix`,
/// `graph`, and `roadmap` when the handbook holds several); in the compact plan, the briefing page itself.
pub fn list_page(briefing: &str, list: &str, expanded: bool) -> String {
    if expanded {
        format!("briefings/{briefing}/{list}.md")
    } else {
        briefing_page(briefing, false)
    }
}

/// A file-name-safe slug of a tag.
pub fn tag_slug(tag: &str) -> String {
    let slug = crate::shared::slug(tag, usize::MAX);
    if slug.is_empty() {
        "tag".to_string()
    } else {
        slug
    }
}

impl Layout {
    /// Plans the pages of a knowledge base.
    pub fn plan(k: &Knowledge) -> Layout {
        let mut tags = BTreeMap::new();
        for file in &k.files {
            let d = &file.doc;
            let all = d
                .briefing
                .tags
                .iter()
                .chain(d.sections.iter().flat_map(|x| &x.tags))
                .chain(d.insights.iter().flat_map(|x| &x.tags))
                .chain(d.actions.iter().flat_map(|x| &x.tags))
                .chain(d.quotes.iter().flat_map(|x| &x.tags));
            for tag in all {
                tags.entry(tag.clone())
                    .or_insert_with(|| format!("tag-{}", tag_slug(tag)));
            }
        }
        // Tags share one page: a sidebar entry per tag would crowd out the handbook.
        let expanded_pages: usize = 5 + k
            .files
            .iter()
            .map(|f| 6 + f.doc.sections.len())
            .sum::<usize>();
        let expanded = expanded_pages <= MAX_EXPANDED_PAGES;
        let mut pages = BTreeMap::new();
        for (id, item) in &k.index {
            let b = &k.files[item.file].doc.briefing.id;
            let page = match item.kind {
                Kind::Briefing => (briefing_page(b, expanded), true),
                Kind::Section if expanded => (format!("briefings/{b}/{id}.md"), true),
                Kind::Section => (briefing_page(b, false), false),
                Kind::Insight => (list_page(b, "insights", expanded), false),
                Kind::Action => (list_page(b, "recommendations", expanded), false),
                Kind::Quote => (list_page(b, "quotes", expanded), false),
            };
            pages.insert(id.clone(), page);
        }
        Layout {
            expanded,
            pages,
            tags,
        }
    }

    /// The page an item lives on.
    pub fn page_of(&self, id: &str) -> Option<&str> {
        self.pages.get(id).map(|(page, _)| page.as_str())
    }

    /// A link from page `from` to item `id`: to the page itself for briefings and
    /// section pages, to an anchor on the list page otherwise.
    pub fn href(&self, from: &str, id: &str) -> String {
        let Some((page, whole_page)) = self.pages.get(id) else {
            return relative(from, SUMMARY_PAGE);
        };
        if *whole_page {
            relative(from, page)
        } else {
            format!("{}#{id}", relative(from, page))
        }
    }

    /// A link from page `from` to the page of `tag`.
    pub fn tag_href(&self, from: &str, tag: &str) -> String {
        let page = relative(from, TAGS_PAGE);
        match self.tags.get(tag) {
            Some(anchor) => format!("{page}#{anchor}"),
            None => page,
        }
    }
}

/// A relative link between two pages given by their paths under `src/`. mdBook
/// resolves links in a chapter against the chapter's own folder.
pub fn relative(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> = from.split('/').collect::<Vec<_>>();
    let from_dir = &from_dir[..from_dir.len() - 1];
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dir
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = "../".repeat(from_dir.len() - common);
    out.push_str(&to_parts[common..].join("/"));
    out
}

#[cfg(test)]
mod tests {
    use super::relative;

    #[test]
    fn relative_links_between_pages() {
        assert_eq!(
            relative("executive-summary.md", "briefings/b/insights.md"),
            "briefings/b/insights.md"
        );
        assert_eq!(
            relative("briefings/b/insights.md", "briefings/b/recommendations.md"),
            "recommendations.md"
        );
        assert_eq!(
            relative("briefings/b/insights.md", "tags/x.md"),
            "../../tags/x.md"
        );
        assert_eq!(relative("tags/x.md", "briefings/c.md"), "../briefings/c.md");
    }
}
