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
    "ensure", "ensures", "ensuring",
];

/// Splits text into stemmed, lower-case content words.
pub fn terms(text: &str, stemmer: &Stemmer) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() > 1 && !w.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_lowercase)
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .map(|w| stemmer.stem(&w).into_owned())
        .collect()
}

/// A sparse, L2-normalised TF-IDF vector.
type Vector = BTreeMap<String, f64>;

/// TF-IDF vectors for `texts`, each compared against the same corpus.
pub fn vectors(texts: &[String]) -> Vec<Vector> {
    let stemmer = Stemmer::create(Algorithm::English);
    let counts: Vec<BTreeMap<String, f64>> = texts
        .iter()
        .map(|t| {
            let mut m = BTreeMap::new();
            for term in terms(t, &stemmer) {
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
    counts
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
        .collect()
}

/// Cosine similarity of two normalised vectors.
pub fn cosine(a: &Vector, b: &Vector) -> f64 {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    small
        .iter()
        .filter_map(|(t, x)| large.get(t).map(|y| x * y))
        .sum()
}

/// Picks the targets worth suggesting from `(id, score)` pairs.
fn pick(mut scored: Vec<(String, f64)>) -> Vec<Relation> {
    scored.retain(|(_, s)| *s >= MIN_SCORE);
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let best = scored.first().map_or(0.0, |s| s.1);
    scored
        .into_iter()
        .filter(|(_, s)| *s >= best * RUNNER_UP_SHARE)
        .take(MAX_SUGGESTIONS)
        .map(|(id, s)| {
            Relation::Suggested(Suggested {
                id,
                suggested: (s * 100.0).round() / 100.0,
            })
        })
        .collect()
}

/// Adds suggested relations to `doc`: which insights each action addresses, which
/// insights or actions each quote supports, which sections discuss each insight and
/// action. Lists that already hold any relation are left as they are: a contributor
/// has decided them.
pub fn suggest(doc: &mut Doc) {
    let mut texts: Vec<String> = Vec::new();
    let mut push = |t: String| {
        texts.push(t);
        texts.len() - 1
    };
    let sections: Vec<(String, usize)> = doc
        .sections
        .iter()
        .map(|s| (s.id.clone(), push(format!("{} {}", s.title, s.text))))
        .collect();
    let insights: Vec<(String, usize)> = doc
        .insights
        .iter()
        .map(|x| {
            (
                x.id.clone(),
                push(format!(
                    "{} {} {}",
                    x.title,
                    x.text,
                    x.impact.as_deref().unwrap_or("")
                )),
            )
        })
        .collect();
    let actions: Vec<(String, usize)> = doc
        .actions
        .iter()
        .map(|x| {
            (
                x.id.clone(),
                push(format!(
                    "{} {} {}",
                    x.title,
                    x.text,
                    x.impact.as_deref().unwrap_or("")
                )),
            )
        })
        .collect();
    let quotes: Vec<usize> = doc.quotes.iter().map(|q| push(q.text.clone())).collect();
    let v = vectors(&texts);
    let score = |from: usize, to: &[(String, usize)]| -> Vec<(String, f64)> {
        to.iter()
            .map(|(id, j)| (id.clone(), cosine(&v[from], &v[*j])))
            .collect()
    };

    for (x, (_, i)) in doc.insights.iter_mut().zip(&insights) {
        if x.discussed_in.is_empty() {
            x.discussed_in = pick(score(*i, &sections));
        }
    }
    for (x, (_, i)) in doc.actions.iter_mut().zip(&actions) {
        if x.addresses.is_empty() {
            x.addresses = pick(score(*i, &insights));
        }
        if x.discussed_in.is_empty() {
            x.discussed_in = pick(score(*i, &sections));
        }
    }
    let supportable: Vec<(String, usize)> = insights.iter().chain(&actions).cloned().collect();
    for (q, i) in doc.quotes.iter_mut().zip(&quotes) {
        if q.supports.is_empty() {
            q.supports = pick(score(*i, &supportable));
        }
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
        let ids: Vec<_> = picked.iter().map(Relation::id).collect();
        assert_eq!(ids, ["a", "b"]);
    }
}
