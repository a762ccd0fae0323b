//! The data templates see: items with their relations resolved into links that are
//! relative to the page being rendered.

use serde::Serialize;

use super::layout::Layout;
use crate::content::{Action, Doc, Insight, Priority, Quote, Relation, Section, Source};
use crate::xref::{Backlink, Knowledge};

/// A link to an item.
#[derive(Debug, Clone, Serialize)]
pub struct LinkView {
    /// The item's id.
    pub id: String,
    /// Its title (or the start of a quote).
    pub title: String,
    /// The link, relative to the page being rendered.
    pub href: String,
    /// Whether `ingest` suggested this relation and no contributor confirmed it.
    pub suggested: bool,
    /// The title of the briefing the item belongs to.
    pub briefing: String,
}

/// A tag and its page.
#[derive(Debug, Clone, Serialize)]
pub struct TagView {
    /// The tag.
    pub name: String,
    /// Its page, relative to the page being rendered.
    pub href: String,
}

/// A body section.
#[derive(Debug, Clone, Serialize)]
pub struct SectionView {
    /// Id (also the anchor).
    pub id: String,
    /// Heading.
    pub title: String,
    /// Paragraphs.
    pub text: String,
    /// Link to the section.
    pub href: String,
    /// Insights discussed in it.
    pub insights: Vec<LinkView>,
    /// Recommendations discussed in it.
    pub actions: Vec<LinkView>,
    /// Tags.
    pub tags: Vec<TagView>,
    /// Provenance, for readers who check the source.
    pub source: Option<String>,
}

/// A key insight.
#[derive(Debug, Clone, Serialize)]
pub struct InsightView {
    /// Id (also the anchor).
    pub id: String,
    /// Short name.
    pub title: String,
    /// What it says.
    pub text: String,
    /// Why it matters.
    pub impact: Option<String>,
    /// Link to it.
    pub href: String,
    /// Recommendations that address it.
    pub addressed_by: Vec<LinkView>,
    /// Quotes that support it.
    pub supported_by: Vec<LinkView>,
    /// Sections that discuss it.
    pub discussed_in: Vec<LinkView>,
    /// Insights of earlier briefings it updates.
    pub updates: Vec<LinkView>,
    /// Insights of later briefings that update it: where it is followed up.
    pub updated_by: Vec<LinkView>,
    /// Tags.
    pub tags: Vec<TagView>,
    /// True when no recommendation addresses it.
    pub gap: bool,
    /// Provenance.
    pub source: Option<String>,
}

/// A recommendation (action item).
#[derive(Debug, Clone, Serialize)]
pub struct ActionView {
    /// Id (also the anchor).
    pub id: String,
    /// Short name.
    pub title: String,
    /// What to do.
    pub text: String,
    /// What it achieves.
    pub impact: Option<String>,
    /// Link to it.
    pub href: String,
    /// Insights it addresses.
    pub addresses: Vec<LinkView>,
    /// Quotes that support it.
    pub supported_by: Vec<LinkView>,
    /// Sections that discuss it.
    pub discussed_in: Vec<LinkView>,
    /// Recommendations of earlier briefings it carries on.
    pub continues: Vec<LinkView>,
    /// Recommendations of later briefings that carry it on.
    pub continued_by: Vec<LinkView>,
    /// Recommendations of earlier briefings it replaces.
    pub replaces: Vec<LinkView>,
    /// Recommendations of later briefings that replace it.
    pub replaced_by: Vec<LinkView>,
    /// `high`, `medium` or `low`.
    pub priority: Option<String>,
    /// Adoption phase, 1 first.
    pub phase: Option<u8>,
    /// Who carries it.
    pub owner: Option<String>,
    /// Where it stands (`in-progress`).
    pub status: Option<String>,
    /// The same, for reading (`in progress`).
    pub status_label: Option<String>,
    /// When the status last changed.
    pub status_date: Option<String>,
    /// The quarter it should be done by.
    pub target: Option<String>,
    /// Insights it addresses that changed since it was last reviewed.
    pub to_review: Vec<LinkView>,
    /// Tags.
    pub tags: Vec<TagView>,
    /// Provenance.
    pub source: Option<String>,
}

/// A quote.
#[derive(Debug, Clone, Serialize)]
pub struct QuoteView {
    /// Id (also the anchor).
    pub id: String,
    /// The words.
    pub text: String,
    /// Who said it.
    pub attribution: Option<String>,
    /// Link to it.
    pub href: String,
    /// What it supports.
    pub supports: Vec<LinkView>,
    /// Tags.
    pub tags: Vec<TagView>,
    /// Provenance.
    pub source: Option<String>,
}

/// Builds views for one page.
pub struct Views<'a> {
    /// The knowledge base.
    pub k: &'a Knowledge,
    /// The page plan.
    pub layout: &'a Layout,
    /// The page being rendered (path under `src/`).
    pub page: &'a str,
}

/// The first words of a quote, for link text.
pub fn quote_title(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() <= 8 {
        format!("“{}”", words.join(" "))
    } else {
        format!("“{} …”", words[..8].join(" "))
    }
}

fn source_text(source: &Option<Source>) -> Option<String> {
    source.as_ref().map(|s| {
        // A Word document has no lines: its provenance counts paragraphs.
        let (one, many) = if s.file.to_ascii_lowercase().ends_with(".docx") {
            ("paragraph", "paragraphs")
        } else {
            ("line", "lines")
        };
        if s.line_start == s.line_end {
            format!("{}, {one} {}", s.file, s.line_start)
        } else {
            format!("{}, {many} {}–{}", s.file, s.line_start, s.line_end)
        }
    })
}

/// Sort key of a recommendation: phase, then priority, then its place in the file.
pub fn action_order(a: &Action) -> (u8, u8) {
    let priority = match a.priority {
        Some(Priority::High) => 0,
        Some(Priority::Medium) => 1,
        Some(Priority::Low) => 2,
        None => 3,
    };
    (a.phase.unwrap_or(u8::MAX), priority)
}

impl Views<'_> {
    /// A link to `id`, titled by the item.
    pub fn link(&self, id: &str, suggested: bool) -> LinkView {
        LinkView {
            id: id.to_string(),
            title: self.title(id),
            href: self.layout.href(self.page, id),
            suggested,
            briefing: self
                .k
                .get(id)
                .map(|r| self.k.files[r.file].doc.briefing.title.clone())
                .unwrap_or_default(),
        }
    }

    /// The display title of any item.
    pub fn title(&self, id: &str) -> String {
        let Some(item) = self.k.get(id) else {
            return id.to_string();
        };
        let d = &self.k.files[item.file].doc;
        use crate::xref::Kind;
        match item.kind {
            Kind::Briefing => d.briefing.title.clone(),
            Kind::Section => d.sections[item.index].title.clone(),
            Kind::Insight => d.insights[item.index].title.clone(),
            Kind::Action => d.actions[item.index].title.clone(),
            Kind::Quote => quote_title(&d.quotes[item.index].text),
        }
    }

    fn relations(&self, list: &[Relation]) -> Vec<LinkView> {
        list.iter()
            .map(|r| self.link(r.id(), r.is_suggested()))
            .collect()
    }

    fn backlinks(&self, id: &str, reverse: Backlink) -> Vec<LinkView> {
        self.k
            .backlinks(id, reverse)
            .iter()
            .map(|b| self.link(b, self.is_suggested(b, id)))
            .collect()
    }

    /// Whether the relation from `from` to `to` is a suggestion.
    fn is_suggested(&self, from: &str, to: &str) -> bool {
        let Some(item) = self.k.get(from) else {
            return false;
        };
        let d = &self.k.files[item.file].doc;
        use crate::xref::Kind;
        let lists: Vec<&[Relation]> = match item.kind {
            Kind::Insight => vec![
                &d.insights[item.index].discussed_in,
                &d.insights[item.index].updates,
            ],
            Kind::Action => vec![
                &d.actions[item.index].addresses,
                &d.actions[item.index].discussed_in,
                &d.actions[item.index].continues,
                &d.actions[item.index].replaces,
            ],
            Kind::Quote => vec![&d.quotes[item.index].supports],
            _ => vec![],
        };
        lists
            .iter()
            .flat_map(|l| l.iter())
            .any(|r| r.id() == to && r.is_suggested())
    }

    fn tags(&self, tags: &[String]) -> Vec<TagView> {
        tags.iter()
            .map(|t| TagView {
                name: t.clone(),
                href: self.layout.tag_href(self.page, t),
            })
            .collect()
    }

    /// A section.
    pub fn section(&self, s: &Section) -> SectionView {
        let discusses = self.k.backlinks(&s.id, Backlink::Discusses);
        let of_kind = |kind: crate::xref::Kind| -> Vec<LinkView> {
            discusses
                .iter()
                .filter(|id| self.k.get(id).is_some_and(|r| r.kind == kind))
                .map(|id| self.link(id, self.is_suggested(id, &s.id)))
                .collect()
        };
        SectionView {
            id: s.id.clone(),
            title: s.title.clone(),
            text: s.text.clone(),
            href: self.layout.href(self.page, &s.id),
            insights: of_kind(crate::xref::Kind::Insight),
            actions: of_kind(crate::xref::Kind::Action),
            tags: self.tags(&s.tags),
            source: source_text(&s.source),
        }
    }

    /// An insight.
    pub fn insight(&self, x: &Insight) -> InsightView {
        let addressed_by = self.backlinks(&x.id, Backlink::AddressedBy);
        InsightView {
            id: x.id.clone(),
            title: x.title.clone(),
            text: x.text.clone(),
            impact: x.impact.clone(),
            href: self.layout.href(self.page, &x.id),
            gap: addressed_by.is_empty(),
            addressed_by,
            supported_by: self.backlinks(&x.id, Backlink::SupportedBy),
            discussed_in: self.relations(&x.discussed_in),
            updates: self.relations(&x.updates),
            updated_by: self.backlinks(&x.id, Backlink::UpdatedBy),
            tags: self.tags(&x.tags),
            source: source_text(&x.source),
        }
    }

    /// A recommendation.
    pub fn action(&self, x: &Action) -> ActionView {
        ActionView {
            id: x.id.clone(),
            title: x.title.clone(),
            text: x.text.clone(),
            impact: x.impact.clone(),
            href: self.layout.href(self.page, &x.id),
            addresses: self.relations(&x.addresses),
            supported_by: self.backlinks(&x.id, Backlink::SupportedBy),
            discussed_in: self.relations(&x.discussed_in),
            continues: self.relations(&x.continues),
            continued_by: self.backlinks(&x.id, Backlink::ContinuedBy),
            replaces: self.relations(&x.replaces),
            replaced_by: self.backlinks(&x.id, Backlink::ReplacedBy),
            priority: x.priority.map(|p| crate::shared::variant_name(&p)),
            phase: x.phase,
            owner: x.owner.clone(),
            status: x.status.map(|s| crate::shared::variant_name(&s)),
            status_label: x
                .status
                .map(|s| crate::shared::variant_name(&s).replace('-', " ")),
            status_date: x.status_date.clone(),
            target: x.target.clone(),
            to_review: self
                .k
                .to_review(x)
                .into_iter()
                .map(|id| self.link(id, false))
                .collect(),
            tags: self.tags(&x.tags),
            source: source_text(&x.source),
        }
    }

    /// A quote.
    pub fn quote(&self, x: &Quote) -> QuoteView {
        QuoteView {
            id: x.id.clone(),
            text: x.text.clone(),
            attribution: x.attribution.clone(),
            href: self.layout.href(self.page, &x.id),
            supports: self.relations(&x.supports),
            tags: self.tags(&x.tags),
            source: source_text(&x.source),
        }
    }

    /// Every item of a briefing, as views.
    pub fn briefing_items(
        &self,
        d: &Doc,
    ) -> (
        Vec<SectionView>,
        Vec<InsightView>,
        Vec<ActionView>,
        Vec<QuoteView>,
    ) {
        (
            d.sections.iter().map(|x| self.section(x)).collect(),
            d.insights.iter().map(|x| self.insight(x)).collect(),
            // In the executive summary's order: by phase, then priority, then file.
            {
                let mut actions: Vec<(usize, &Action)> = d.actions.iter().enumerate().collect();
                actions.sort_by_key(|(i, a)| (action_order(a), *i));
                actions.into_iter().map(|(_, x)| self.action(x)).collect()
            },
            d.quotes.iter().map(|x| self.quote(x)).collect(),
        )
    }
}
