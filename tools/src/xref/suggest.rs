//! Suggested relations from text similarity: TF-IDF vectors over stemmed words without
//! stop words, compared by cosine.
//!
//! Briefings rarely say which insight an action answers; the shared vocabulary usually
//! does ("memory safety", "governance", "testing"). Suggestions are written as
//! `{id, suggested: score}` so contributors can tell them from what they confirmed.

use std::collections::BTreeMap;

use rust_stemmers::{Algorithm, Stemmer};

use crate::content::{Doc, Relation, Suggested};

/// Below this cosine similarity two texts are treated as unrelated.
pub const MIN_SCORE: f64 = 0.05;
/// At most this many suggestions per relation list.
pub const MAX_SUGGESTIONS: usize = 2;
/// A runner-up is suggested only when it scores at least this share of the best match,
/// so one strong relation is not diluted by a weak one.
const RUNNER_UP_SHARE: f64 = 0.6;

// Common English function words and briefing filler; they carry no topic.
const STOP_WORDS: &[&str] = &[
    "a", "about", "above", "across", "after", "again", "against", "all", "also", "am", "an", "and",
    "any", "are", "as", "at", "be", "because", "been", "before", "being", "below", "between",
    "both", "but", "by", "can", "could", "did", "do", "does", "doing", "don", "down", "during",
    "each", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here",
    "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just",
    "let", "ll", "may", "me", "might", "more", "most", "much", "must", "my", "no", "nor", "not",
    "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "out", "over", "own",
    "rather", "re", "s", "same", "she", "should", "so", "some", "such", "t", "than", "that", "the",
    "their", "theirs", "them", "then", "there", "these", "they", "this", "those", "through", "to",
    "too", "under", "until", "up", "us", "ve", "very", "was", "we", "were", "what", "when",
    "where", "which", "while", "who", "whom", "why", "will", "with", "without", "would", "you",
    "your", "yours", "going", "want", "like", "whether", "within", "via", "per", "across",
    "rather", "less", "many", "one", "two", "three", "make", "makes", "making", "need", "needs",
    "ensure", "ensures", "ensuring", "every",
];

/// Splits text into stemmed, lower-case content words.
pub fn terms(text: &str, stemmer: &Stemmer) -> Vec<String> {
    content_words(text)
        .map(|w| stemmer.stem(&w).into_owned())
        .collect()
}

/// Lower-cased words that carry a topic: not stop words, not numbers, not one letter.
fn content_words(text: &str) -> impl Iterator<Item = String> + '_ {
    // Looked up for every word of every text: a set, not the list.
    static STOP: std::sync::LazyLock<std::collections::HashSet<&'static str>> =
        std::sync::LazyLock::new(|| STOP_WORDS.iter().copied().collect());
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().nth(1).is_some() && !w.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_lowercase)
        .filter(|w| !STOP.contains(w.as_str()))
}

/// Terms as numbers, for comparing many long texts: each distinct word is lower-cased
/// and stemmed once, however often it appears.
pub struct TermCounter {
    stemmer: Stemmer,
    /// Word as written → its term, or `None` for a word that carries no topic.
    words: std::collections::HashMap<String, Option<u32>>,
    /// Stem → term.
    stems: std::collections::HashMap<String, u32>,
}

impl Default for TermCounter {
    fn default() -> Self {
        TermCounter {
            stemmer: Stemmer::create(Algorithm::English),
            words: Default::default(),
            stems: Default::default(),
        }
    }
}

impl TermCounter {
    /// How often each term occurs in `text`.
    pub fn count(&mut self, text: &str) -> std::collections::HashMap<u32, f64> {
        let mut out = std::collections::HashMap::new();
        for word in text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            let term = match self.words.get(word) {
                Some(t) => *t,
                None => {
                    let t = content_words(word).next().map(|w| {
                        let stem = self.stemmer.stem(&w).into_owned();
                        let next = self.stems.len() as u32;
                        *self.stems.entry(stem).or_insert(next)
                    });
                    self.words.insert(word.to_string(), t);
                    t
                }
            };
            if let Some(t) = term {
                *out.entry(t).or_insert(0.0) += 1.0;
            }
        }
        out
    }
}

/// Content words as `(stem, word as written, lower-cased)`.
fn words(text: &str, stemmer: &Stemmer) -> Vec<(String, String)> {
    content_words(text)
        .map(|w| (stemmer.stem(&w).into_owned(), w))
        .collect()
}

/// The terms of a text, each with words that show it: its stemmed words and each pair
/// of neighbouring words, so a shared phrase ("memory safety", "error budget") counts
/// for more than its words apart.
fn features(text: &str, stemmer: &Stemmer) -> Vec<(String, String)> {
    let words = words(text, stemmer);
    let pairs: Vec<(String, String)> = words
        .windows(2)
        .map(|w| {
            (
                format!("{} {}", w[0].0, w[1].0),
                format!("{} {}", w[0].1, w[1].1),
            )
        })
        .collect();
    // Word families the stemmer keeps apart (referred, referral) share their start.
    let starts: Vec<(String, String)> = words
        .iter()
        .filter(|(stem, _)| stem.chars().count() >= PREFIX)
        .map(|(stem, _)| {
            let start: String = stem.chars().take(PREFIX).collect();
            (format!("{start}~"), format!("{start}…"))
        })
        .collect();
    words.into_iter().chain(pairs).chain(starts).collect()
}

/// Letters of a word's start that make a word family.
const PREFIX: usize = 4;

/// A sparse, L2-normalised TF-IDF vector.
/// A TF-IDF vector: weight by term.
pub type Vector = BTreeMap<String, f64>;

/// TF-IDF vectors for `texts`, each compared against the same corpus.
pub fn vectors(texts: &[String]) -> Vec<Vector> {
    vectors_and_words(texts).0
}

/// [`vectors`], and for each term the words that first showed it.
fn vectors_and_words(texts: &[String]) -> (Vec<Vector>, BTreeMap<String, String>) {
    let stemmer = Stemmer::create(Algorithm::English);
    let mut shown: BTreeMap<String, String> = BTreeMap::new();
    let counts: Vec<BTreeMap<String, f64>> = texts
        .iter()
        .map(|t| {
            let mut m = BTreeMap::new();
            for (term, word) in features(t, &stemmer) {
                shown.entry(term.clone()).or_insert(word);
                *m.entry(term).or_insert(0.0) += 1.0;
            }
            m
        })
        .collect();
    let mut df: BTreeMap<&str, f64> = BTreeMap::new();
    for c in &counts {
        for term in c.keys() {
            *df.entry(term.as_str()).or_insert(0.0) += 1.0;
        }
    }
    let n = texts.len() as f64;
    let vectors = counts
        .iter()
        .map(|c| {
            // Smoothed idf (as in scikit-learn) keeps terms shared by every text above zero.
            let mut v: Vector = c
                .iter()
                .map(|(t, tf)| {
                    (
                        t.clone(),
                        (1.0 + tf.ln()) * (((1.0 + n) / (1.0 + df[t.as_str()])).ln() + 1.0),
                    )
                })
                .collect();
            let norm = v.values().map(|x| x * x).sum::<f64>().sqrt();
            if norm > 0.0 {
                v.values_mut().for_each(|x| *x /= norm);
            }
            v
        })
        .collect();
    (vectors, shown)
}

/// Cosine similarity of two normalised vectors.
pub fn cosine(a: &Vector, b: &Vector) -> f64 {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    small
        .iter()
        .filter_map(|(t, x)| large.get(t).map(|y| x * y))
        .sum()
}

/// Why a relation is suggested: its score and the terms the two texts share, most
/// weighty first.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    /// The score the suggestion was ranked by (0 to 1).
    pub score: f64,
    /// Shared terms (stems; two words for a shared phrase), by weight.
    pub shared: Vec<String>,
    /// Other evidence: the section both are discussed in, the insight a quote and an
    /// action share.
    pub via: Option<String>,
}

/// The texts of a briefing's items, as vectors, with what is needed to score pairs.
struct Scorer {
    vectors: Vec<Vector>,
    /// Each term as the texts write it, to explain a score in words.
    shown: BTreeMap<String, String>,
    /// For each text, its similarity to each section (L2-normalised): two items that
    /// the same section discusses share context even when their words differ.
    profiles: Vec<Vec<f64>>,
    section_titles: Vec<String>,
}

/// Weight of the shared-section context against the direct text similarity.
const CONTEXT: f64 = 0.35;
/// Added to the score of a quote for an action that answers the insight the quote
/// backs.
const ANSWER_BONUS: f64 = 0.05;
/// A quote's weaker side (insight or action) is kept when it scores at least this
/// share of the stronger.
const QUOTE_SHARE: f64 = 0.3;

impl Scorer {
    fn new(texts: &[String], sections: &[usize], section_titles: Vec<String>) -> Scorer {
        let (vectors, shown) = vectors_and_words(texts);
        let profiles = vectors
            .iter()
            .map(|v| {
                let mut p: Vec<f64> = sections.iter().map(|&s| cosine(v, &vectors[s])).collect();
                let norm = p.iter().map(|x| x * x).sum::<f64>().sqrt();
                if norm > 0.0 {
                    p.iter_mut().for_each(|x| *x /= norm);
                }
                p
            })
            .collect();
        Scorer {
            vectors,
            shown,
            profiles,
            section_titles,
        }
    }

    fn direct(&self, a: usize, b: usize) -> f64 {
        cosine(&self.vectors[a], &self.vectors[b])
    }

    fn context(&self, a: usize, b: usize) -> f64 {
        self.profiles[a]
            .iter()
            .zip(&self.profiles[b])
            .map(|(x, y)| x * y)
            .sum()
    }

    /// Text similarity, raised by a shared section.
    fn score(&self, a: usize, b: usize) -> f64 {
        let direct = self.direct(a, b);
        (1.0 - CONTEXT) * direct + CONTEXT * direct.sqrt() * self.context(a, b)
    }

    fn evidence(&self, a: usize, b: usize, score: f64) -> Evidence {
        // The section both are most discussed in, when they agree on one.
        let top = |p: &[f64]| {
            p.iter()
                .enumerate()
                .max_by(|x, y| x.1.total_cmp(y.1))
                .filter(|(_, v)| **v > 0.0)
                .map(|(i, _)| i)
        };
        let via = match (top(&self.profiles[a]), top(&self.profiles[b])) {
            (Some(x), Some(y)) if x == y => {
                Some(format!("both discussed in “{}”", self.section_titles[x]))
            }
            _ => None,
        };
        Evidence {
            score: (score * 100.0).round() / 100.0,
            shared: shared_terms(&self.vectors[a], &self.vectors[b], &self.shown),
            via,
        }
    }
}

/// The terms texts `a` and `b` of `texts` share, most weighty first, as the texts write
/// them: the evidence for a relation between items of different briefings.
pub fn shared_words(texts: &[String], a: usize, b: usize) -> Vec<String> {
    let (vectors, shown) = vectors_and_words(texts);
    shared_terms(&vectors[a], &vectors[b], &shown)
}

/// The six weightiest terms two vectors share, as written. Word starts (`owne~`) only
/// repeat what a shared word already shows.
fn shared_terms(a: &Vector, b: &Vector, shown: &BTreeMap<String, String>) -> Vec<String> {
    let mut shared: Vec<(&String, f64)> = a
        .iter()
        .filter(|(t, _)| !t.ends_with('~'))
        .filter_map(|(t, x)| b.get(t).map(|y| (t, x * y)))
        .collect();
    shared.sort_by(|x, y| y.1.total_cmp(&x.1).then_with(|| x.0.cmp(y.0)));
    shared
        .into_iter()
        .take(6)
        .map(|(t, _)| shown.get(t).unwrap_or(t).clone())
        .collect()
}

/// Picks the targets worth suggesting from `(id, score)` pairs.
fn pick(mut scored: Vec<(String, f64)>) -> Vec<(String, f64)> {
    scored.retain(|(_, s)| *s >= MIN_SCORE);
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let best = scored.first().map_or(0.0, |s| s.1);
    scored
        .into_iter()
        .filter(|(_, s)| *s >= best * RUNNER_UP_SHARE)
        .take(MAX_SUGGESTIONS)
        .collect()
}

fn relations(picked: &[(String, f64)]) -> Vec<Relation> {
    picked
        .iter()
        .map(|(id, s)| {
            Relation::Suggested(Suggested {
                id: id.clone(),
                suggested: (s * 100.0).round() / 100.0,
            })
        })
        .collect()
}

/// A briefing's items as texts to compare: `(id, text index)` per kind.
struct Model {
    scorer: Scorer,
    sections: Vec<(String, usize)>,
    insights: Vec<(String, usize)>,
    actions: Vec<(String, usize)>,
    quotes: Vec<(String, usize)>,
}

impl Model {
    fn new(doc: &Doc) -> Model {
        let mut texts: Vec<String> = Vec::new();
        let mut push = |t: String| {
            texts.push(t);
            texts.len() - 1
        };
        let item = |title: &str, text: &str, impact: &Option<String>| {
            format!("{title} {text} {}", impact.as_deref().unwrap_or(""))
        };
        let sections: Vec<(String, usize)> = doc
            .sections
            .iter()
            .map(|s| (s.id.clone(), push(format!("{} {}", s.title, s.text))))
            .collect();
        let insights = doc
            .insights
            .iter()
            .map(|x| (x.id.clone(), push(item(&x.title, &x.text, &x.impact))))
            .collect();
        let actions = doc
            .actions
            .iter()
            .map(|x| (x.id.clone(), push(item(&x.title, &x.text, &x.impact))))
            .collect();
        let quotes = doc
            .quotes
            .iter()
            .map(|q| (q.id.clone(), push(q.text.clone())))
            .collect();
        let scorer = Scorer::new(
            &texts,
            &sections.iter().map(|(_, i)| *i).collect::<Vec<_>>(),
            doc.sections.iter().map(|s| s.title.clone()).collect(),
        );
        Model {
            scorer,
            sections,
            insights,
            actions,
            quotes,
        }
    }

    fn text_of(&self, id: &str) -> Option<usize> {
        self.sections
            .iter()
            .chain(&self.insights)
            .chain(&self.actions)
            .chain(&self.quotes)
            .find(|(x, _)| x == id)
            .map(|(_, i)| *i)
    }
}

/// A suggested relation and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Explained {
    /// The item the relation is written on.
    pub from: String,
    /// `addresses`, `supports` or `discussed_in`.
    pub relation: &'static str,
    /// The item it points at.
    pub to: String,
    /// Why.
    pub evidence: Evidence,
}

/// The evidence for every relation of `doc` that `ingest` suggested and no contributor
/// has confirmed yet, in file order: what `--explain` shows.
pub fn explain(doc: &Doc) -> Vec<Explained> {
    let model = Model::new(doc);
    let lists = doc
        .insights
        .iter()
        .map(|x| (&x.id, "discussed_in", &x.discussed_in))
        .chain(doc.actions.iter().flat_map(|x| {
            [
                (&x.id, "addresses", &x.addresses),
                (&x.id, "discussed_in", &x.discussed_in),
            ]
        }))
        .chain(doc.quotes.iter().map(|x| (&x.id, "supports", &x.supports)));
    let mut out = Vec::new();
    for (from, relation, list) in lists {
        for r in list {
            let Relation::Suggested(s) = r else { continue };
            let (Some(a), Some(b)) = (model.text_of(from), model.text_of(&s.id)) else {
                continue;
            };
            let mut evidence = model.scorer.evidence(a, b, s.suggested);
            if relation == "discussed_in" {
                // "Both discussed in" the section itself says nothing.
                evidence.via = None;
            }
            out.push(Explained {
                from: from.clone(),
                relation,
                to: s.id.clone(),
                evidence,
            });
        }
    }
    out
}

/// Adds suggested relations to `doc`: which insights each action addresses, which
/// insights or actions each quote supports, which sections discuss each insight and
/// action. Lists that already hold any relation are left as they are: a contributor
/// has decided them.
pub fn suggest(doc: &mut Doc) {
    let Model {
        scorer,
        sections,
        insights,
        actions,
        quotes,
    } = Model::new(doc);
    let score = |from: usize, to: &[(String, usize)]| -> Vec<(String, f64)> {
        to.iter()
            .map(|(id, j)| (id.clone(), scorer.score(from, *j)))
            .collect()
    };

    // Sections: text similarity alone (a section is its own context).
    let direct = |from: usize, to: &[(String, usize)]| -> Vec<(String, f64)> {
        to.iter()
            .map(|(id, j)| (id.clone(), scorer.direct(from, *j)))
            .collect()
    };
    for (x, (_, i)) in doc.insights.iter_mut().zip(&insights) {
        if x.discussed_in.is_empty() {
            let picked = pick(direct(*i, &sections));
            x.discussed_in = relations(&picked);
        }
    }
    for (x, (_, i)) in doc.actions.iter_mut().zip(&actions) {
        if x.discussed_in.is_empty() {
            let picked = pick(direct(*i, &sections));
            x.discussed_in = relations(&picked);
        }
    }

    // Actions → insights: each action's best matches, and each insight's best action
    // (mutual best match), so an obvious pair is not lost to a runner-up rule.
    let mut addresses: BTreeMap<usize, Vec<(String, f64)>> = BTreeMap::new();
    for (a, (x, (_, i))) in doc.actions.iter().zip(&actions).enumerate() {
        if x.addresses.is_empty() {
            addresses.insert(a, pick(score(*i, &insights)));
        }
    }
    for (insight, j) in &insights {
        let best = actions
            .iter()
            .enumerate()
            .map(|(a, (_, i))| (a, scorer.score(*i, *j)))
            .filter(|(_, s)| *s >= MIN_SCORE)
            .max_by(|x, y| x.1.total_cmp(&y.1).then_with(|| y.0.cmp(&x.0)));
        if let Some((a, s)) = best
            && let Some(list) = addresses.get_mut(&a)
            && !list.iter().any(|(id, _)| id == insight)
        {
            list.push((insight.clone(), s));
        }
    }
    for (a, picked) in addresses {
        doc.actions[a].addresses = relations(&picked);
    }

    // Quotes: the insight they back best, and the action they back best, preferring
    // an action that addresses that insight (a quote that backs a finding backs the
    // answer to it too).
    let addressed: Vec<Vec<String>> = doc
        .actions
        .iter()
        .map(|a| a.addresses.iter().map(|r| r.id().to_string()).collect())
        .collect();
    for (q, (_, i)) in doc.quotes.iter_mut().zip(&quotes) {
        if !q.supports.is_empty() {
            continue;
        }
        let best = |list: Vec<(String, f64)>| {
            list.into_iter()
                .filter(|(_, s)| *s >= MIN_SCORE)
                .max_by(|x, y| x.1.total_cmp(&y.1).then_with(|| y.0.cmp(&x.0)))
        };
        // Each side is helped by the other's direct best: the action that answers the
        // insight the quote sounds like, the insight the action it sounds like answers.
        let direct_insight = best(score(*i, &insights));
        let direct_action = best(score(*i, &actions))
            .and_then(|(a, _)| actions.iter().position(|(id, _)| *id == a));
        let insight = best(
            insights
                .iter()
                .map(|(x, j)| {
                    let answered = direct_action.is_some_and(|a| addressed[a].contains(x));
                    let s = scorer.score(*i, *j);
                    (x.clone(), if answered { s + ANSWER_BONUS } else { s })
                })
                .collect(),
        );
        let action = best(
            actions
                .iter()
                .zip(&addressed)
                .map(|((a, j), targets)| {
                    let follows = direct_insight
                        .as_ref()
                        .is_some_and(|(x, _)| targets.contains(x));
                    let s = scorer.score(*i, *j);
                    (a.clone(), if follows { s + ANSWER_BONUS } else { s })
                })
                .collect(),
        );
        let picked: Vec<(String, f64)> = [insight, action].into_iter().flatten().collect();
        let top = picked.iter().map(|p| p.1).fold(0.0, f64::max);
        let picked: Vec<_> = picked
            .into_iter()
            .filter(|(_, s)| *s >= top * QUOTE_SHARE)
            .collect();
        q.supports = relations(&picked);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_and_drops_stop_words() {
        let s = Stemmer::create(Algorithm::English);
        assert_eq!(
            terms("The testing of tests, and Tested code!", &s),
            ["test", "test", "test", "code"]
        );
    }

    #[test]
    fn similar_texts_score_higher_than_unrelated_ones() {
        let v = vectors(&[
            "memory safety removes vulnerabilities".into(),
            "audit services for memory safety vulnerabilities".into(),
            "governance by open RFC process".into(),
        ]);
        assert!(cosine(&v[0], &v[1]) > cosine(&v[0], &v[2]));
        assert!((cosine(&v[0], &v[0]) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn picks_best_and_close_runner_up_only() {
        let picked = pick(vec![
            ("a".into(), 0.5),
            ("b".into(), 0.4),
            ("c".into(), 0.1),
            ("d".into(), 0.01),
        ]);
        let ids: Vec<_> = picked.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
    }
}
