//! Ids: slugs of an item's own words, unique across the whole knowledge base.
//!
//! Ids never come from positions, so reordering items keeps every id (and every
//! reference to it). Briefings on recurring topics share headings ("Background",
//! "Localisation finding 1"): an id another file already holds gets the briefing's own
//! id as a suffix (`background-localisation-review`), and a briefing whose title another
//! briefing already has gets its date (`localisation-review-2026-03`). Both depend only
//! on the briefing and the ids already taken, so re-ingesting gives the same ids.

use std::collections::BTreeSet;

use crate::briefing::{self, Briefing, Lines};
use crate::content::{Action, BriefingMeta, Doc, Insight, Quote, Section, Source};
use crate::shared::slug;

/// Hands out ids for one briefing.
struct Ids<'a> {
    /// Ids of the other content files.
    elsewhere: &'a BTreeSet<String>,
    /// Ids given in this briefing so far.
    here: BTreeSet<String>,
    /// What tells this briefing's items apart from another's with the same words.
    suffix: String,
    /// Ids that got the suffix.
    suffixed: Vec<String>,
}

impl Ids<'_> {
    /// The briefing's id: its title's slug; with its date (`-2026-03`, then the whole
    /// day) or a number when another briefing holds it.
    fn briefing(b: &Briefing, taken: &BTreeSet<String>) -> String {
        let base = Some(slug(&b.title.text, 6))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "briefing".to_string());
        let mut candidates = vec![base.clone()];
        if let Some(date) = &b.meta.date {
            candidates.push(format!("{base}-{}", &date[..7]));
            candidates.push(format!("{base}-{date}"));
        }
        candidates
            .into_iter()
            .chain((2..).map(|n| format!("{base}-{n}")))
            .find(|c| !taken.contains(c))
            .expect("an unbounded sequence has a free id")
    }

    /// The next id for an item made of `words` (at most `max` of them).
    fn next(&mut self, words: &str, max: usize, fallback: &str) -> String {
        let base = Some(slug(words, max))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| fallback.to_string());
        let suffixed = self.elsewhere.contains(&base);
        let stem = if suffixed {
            format!("{base}-{}", self.suffix)
        } else {
            base
        };
        let free = |c: &String| !self.here.contains(c) && !self.elsewhere.contains(c);
        let id = std::iter::once(stem.clone())
            .chain((2..).map(|n| format!("{stem}-{n}")))
            .find(free)
            .expect("an unbounded sequence has a free id");
        self.here.insert(id.clone());
        if suffixed {
            self.suffixed.push(id.clone());
        }
        id
    }
}

/// A briefing id shortened for a suffix: its first four words.
pub(crate) fn short(briefing_id: &str) -> String {
    briefing_id.split('-').take(4).collect::<Vec<_>>().join("-")
}

fn source(file: &str, lines: Lines) -> Option<Source> {
    Some(Source {
        file: file.to_string(),
        line_start: lines.start as u32,
        line_end: lines.end as u32,
    })
}

/// Builds the content document for a briefing, with ids and provenance, no relations.
pub fn from_briefing(b: &Briefing, source_file: &str) -> Doc {
    from_briefing_in(b, source_file, &BTreeSet::new()).0
}

/// Builds the content document for a briefing whose ids must differ from `taken`, the
/// ids of the rest of the knowledge base; also returns the ids that got the briefing's
/// suffix because another file holds their plain form.
pub fn from_briefing_in(
    b: &Briefing,
    source_file: &str,
    taken: &BTreeSet<String>,
) -> (Doc, Vec<String>) {
    let briefing_id = Ids::briefing(b, taken);
    let mut ids = Ids {
        elsewhere: taken,
        here: BTreeSet::from([briefing_id.clone()]),
        suffix: short(&briefing_id),
        suffixed: Vec::new(),
    };
    let mut id = |words: &str, max: usize, fallback: &str| ids.next(words, max, fallback);
    let whole = Lines {
        start: 1,
        end: [
            b.quotes.last().map(|q| q.text.lines.end),
            b.actions.last().map(|a| a.lines.end),
            b.insights.last().map(|a| a.lines.end),
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(b.title.lines.end),
    };
    let briefing = BriefingMeta {
        id: briefing_id,
        title: b.title.text.clone(),
        subtitle: b.subtitle.as_ref().map(|t| t.text.clone()),
        introduction: b.introduction.as_ref().map(|t| t.text.clone()),
        summary: None,
        date: b.meta.date.clone(),
        author: b.meta.author.clone(),
        origin: b.meta.origin.clone(),
        source: source(source_file, whole),
        tags: b.meta.tags.clone(),
        superseded_by: None,
    };
    let sections = b
        .sections
        .iter()
        .map(|s| Section {
            id: id(&s.heading.text, 6, "section"),
            title: s.heading.text.clone(),
            text: s.body.text.clone(),
            source: source(
                source_file,
                Lines {
                    start: s.heading.lines.start,
                    end: s.body.lines.end,
                },
            ),
            tags: Vec::new(),
        })
        .collect();
    let insights = b
        .insights
        .iter()
        .map(|x| Insight {
            id: id(id_words(x), 5, "insight"),
            title: item_title(x),
            text: x.text.text.clone(),
            impact: x.impact.as_ref().map(|t| t.text.clone()),
            source: source(source_file, x.lines),
            tags: Vec::new(),
            discussed_in: Vec::new(),
            updates: Vec::new(),
        })
        .collect();
    let actions = b
        .actions
        .iter()
        .map(|x| Action {
            id: id(id_words(x), 5, "action"),
            title: item_title(x),
            text: x.text.text.clone(),
            impact: x.impact.as_ref().map(|t| t.text.clone()),
            source: source(source_file, x.lines),
            tags: Vec::new(),
            addresses: Vec::new(),
            discussed_in: Vec::new(),
            continues: Vec::new(),
            replaces: Vec::new(),
            priority: None,
            phase: None,
            owner: None,
            status: None,
            status_date: None,
            target: None,
            reviewed: None,
        })
        .collect();
    let quotes = b
        .quotes
        .iter()
        .map(|q| Quote {
            id: id(&format!("quote {}", q.text.text), 5, "quote"),
            text: q.text.text.clone(),
            attribution: q.attribution.clone(),
            source: source(source_file, q.text.lines),
            tags: Vec::new(),
            supports: Vec::new(),
        })
        .collect();
    let doc = Doc {
        briefing,
        sections,
        insights,
        actions,
        quotes,
    };
    (doc, ids.suffixed)
}

/// The words an item's id is made of: the title its author gave it, else its text.
fn id_words(item: &briefing::Item) -> &str {
    item.title.as_ref().map_or(&item.text.text, |t| &t.text)
}

/// The title the author gave an item (a bold lead-in), else one made from its text.
fn item_title(item: &briefing::Item) -> String {
    match &item.title {
        Some(t) => t.text.clone(),
        None => title_of(&item.text.text),
    }
}

/// A short title for an item: its first clause, at most eight words.
pub fn title_of(text: &str) -> String {
    let first_sentence = text.split(". ").next().unwrap_or(text);
    let clause = first_sentence
        .split_once(", ")
        .filter(|(head, _)| head.split_whitespace().count() >= 3)
        .map_or(first_sentence, |(head, _)| head);
    let mut words: Vec<&str> = clause.split_whitespace().take(8).collect();
    // A title cut mid-clause must not end on a word that promises more ("… and").
    while words.len() > 1
        && words
            .last()
            .is_some_and(|w| crate::shared::FILLER.contains(&w.to_ascii_lowercase().as_str()))
    {
        words.pop();
    }
    words
        .join(" ")
        .trim_end_matches(|c: char| c.is_ascii_punctuation() && c != ')')
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn briefing(title: &str, date: Option<&str>, section: &str) -> Briefing {
        let text = format!(
            "{title}\nSub.\nIntro.\n{section}\nBody.\nKey insights\n-\nAn insight.\nAction items\n-\nAn action.\n"
        );
        let mut b = crate::briefing::text::parse(std::path::Path::new("b.txt"), &text).unwrap();
        b.meta.date = date.map(str::to_string);
        b
    }

    #[test]
    fn ids_taken_elsewhere_get_the_briefing_as_suffix() {
        let first = from_briefing(
            &briefing("Localisation review", Some("2026-01-10"), "Background"),
            "a.txt",
        );
        let taken: BTreeSet<String> = crate::xref::items(&first)
            .into_iter()
            .map(|(_, _, id)| id.to_string())
            .collect();
        let (second, suffixed) = from_briefing_in(
            &briefing("Localisation review", Some("2026-03-02"), "Background"),
            "b.txt",
            &taken,
        );
        assert_eq!(second.briefing.id, "localisation-review-2026-03");
        assert_eq!(
            second.sections[0].id,
            "background-localisation-review-2026-03"
        );
        assert_eq!(second.insights[0].id, "insight-localisation-review-2026-03");
        assert_eq!(suffixed.len(), 3, "{suffixed:?}");
        // The same input gives the same ids.
        let (again, _) = from_briefing_in(
            &briefing("Localisation review", Some("2026-03-02"), "Background"),
            "b.txt",
            &taken,
        );
        assert_eq!(again, second);
        // Without a date, a number.
        let (third, _) = from_briefing_in(
            &briefing("Localisation review", None, "Background"),
            "c.txt",
            &taken,
        );
        assert_eq!(third.briefing.id, "localisation-review-2");
    }

    #[test]
    fn titles_are_first_clauses() {
        assert_eq!(
            title_of(
                "Memory safety eliminates critical vulnerability classes, driving regulatory adoption."
            ),
            "Memory safety eliminates critical vulnerability classes"
        );
        assert_eq!(title_of("Short one."), "Short one");
    }
}
