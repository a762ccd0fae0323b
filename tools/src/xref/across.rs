//! Suggested relations across briefings: a new briefing compared with the knowledge
//! base it joins.
//!
//! A follow-up review updates the insights of the briefing it follows, carries its
//! recommendations on or replaces them, and may answer an earlier insight it does not
//! restate. The evidence is the same as within a briefing (TF-IDF over stemmed words,
//! word pairs and word starts), computed over the new briefing and every earlier one,
//! so words common across the whole knowledge base count for little. A recommendation
//! *replaces* an earlier one when it says so ("instead of", "rather than"…), else it
//! *continues* it.
//!
//! First the briefings the new one follows are found: those whose whole text is most
//! like the new briefing's (a follow-up shares far more vocabulary with what it follows
//! than with a briefing on a neighbouring topic). Items are then paired only with items
//! of those briefings, and only as mutual best matches: the earlier item is the new
//! item's best match and the new item the earlier item's best.

use std::collections::BTreeMap;

use super::suggest::{Evidence, Explained, Vector, cosine, shared_words, vectors};
use crate::content::{Action, Doc, Insight, Relation, Suggested};

/// Below this similarity of whole briefings, a briefing does not follow another.
pub const MIN_RELATED: f64 = 0.2;
/// Briefings followed score at least this share of the most similar one.
const RELATED_SHARE: f64 = 0.75;
/// Below this similarity an insight does not update an earlier one.
pub const MIN_UPDATES: f64 = 0.05;
/// Below this similarity a recommendation neither continues nor replaces an earlier one.
pub const MIN_CONTINUES: f64 = 0.05;
/// Below this similarity a recommendation does not answer an earlier insight.
pub const MIN_ADDRESSES: f64 = 0.1;

/// Words by which a recommendation says it takes another's place.
const REPLACING: &[&str] = &[
    "instead of",
    "rather than",
    "in place of",
    "no longer",
    "stop ",
    "abandon",
    "retire the",
];

/// The text an item is compared by.
fn text_of_insight(x: &Insight) -> String {
    format!(
        "{} {} {}",
        x.title,
        x.text,
        x.impact.as_deref().unwrap_or("")
    )
}

fn text_of_action(x: &Action) -> String {
    format!(
        "{} {} {}",
        x.title,
        x.text,
        x.impact.as_deref().unwrap_or("")
    )
}

/// A briefing's whole text, to tell which earlier briefings a new one follows.
fn whole(d: &Doc) -> String {
    let mut t = format!(
        "{} {} {}",
        d.briefing.title,
        d.briefing.subtitle.as_deref().unwrap_or(""),
        d.briefing.introduction.as_deref().unwrap_or("")
    );
    for x in &d.sections {
        t.push_str(&format!(" {} {}", x.title, x.text));
    }
    for x in &d.insights {
        t.push_str(&format!(" {}", text_of_insight(x)));
    }
    for x in &d.actions {
        t.push_str(&format!(" {}", text_of_action(x)));
    }
    t
}

/// The earlier briefings `doc` follows: the most similar as a whole, and those close
/// to it.
pub fn followed<'a>(doc: &Doc, earlier: &[&'a Doc]) -> Vec<(&'a Doc, f64)> {
    let texts: Vec<String> = std::iter::once(doc)
        .chain(earlier.iter().copied())
        .map(whole)
        .collect();
    let scores = similar_to_first(&texts);
    let scored: Vec<(&Doc, f64)> = earlier.iter().copied().zip(scores).collect();
    let best = scored.iter().map(|(_, s)| *s).fold(0.0, f64::max);
    scored
        .into_iter()
        .filter(|(_, s)| *s >= MIN_RELATED && *s >= best * RELATED_SHARE)
        .collect()
}

/// The cosine similarity of the first text to each of the others, over TF-IDF of
/// stemmed words: cheap enough to compare a new briefing with a thousand whole ones.
fn similar_to_first(texts: &[String]) -> Vec<f64> {
    use std::collections::HashMap;
    let mut counter = super::suggest::TermCounter::default();
    let counts: Vec<HashMap<u32, f64>> = texts.iter().map(|t| counter.count(t)).collect();
    let mut df: HashMap<u32, f64> = HashMap::new();
    for c in &counts {
        for t in c.keys() {
            *df.entry(*t).or_insert(0.0) += 1.0;
        }
    }
    let n = texts.len() as f64;
    // The same weighting as within a briefing (smoothed idf, sublinear tf).
    let weigh = |c: &HashMap<u32, f64>| -> (HashMap<u32, f64>, f64) {
        let v: HashMap<u32, f64> = c
            .iter()
            .map(|(t, tf)| {
                (
                    *t,
                    (1.0 + tf.ln()) * (((1.0 + n) / (1.0 + df[t])).ln() + 1.0),
                )
            })
            .collect();
        let norm = v.values().map(|x| x * x).sum::<f64>().sqrt();
        (v, norm)
    };
    let Some((first, rest)) = counts.split_first() else {
        return Vec::new();
    };
    let (a, na) = weigh(first);
    rest.iter()
        .map(|c| {
            let (b, nb) = weigh(c);
            let dot: f64 = a.iter().filter_map(|(t, x)| b.get(t).map(|y| x * y)).sum();
            if na > 0.0 && nb > 0.0 {
                dot / (na * nb)
            } else {
                0.0
            }
        })
        .collect()
}

/// Whether a recommendation's words say it replaces what came before.
pub fn replaces(text: &str) -> bool {
    let lower = format!("{} ", text.to_lowercase());
    REPLACING.iter().any(|w| lower.contains(w))
}

/// Items of the new briefing and of the earlier ones, as vectors over one corpus.
struct Corpus {
    vectors: Vec<Vector>,
    new_insights: std::ops::Range<usize>,
    new_actions: std::ops::Range<usize>,
    /// Earlier insights and actions: (text index, id).
    old_insights: Vec<(usize, String)>,
    old_actions: Vec<(usize, String)>,
}

impl Corpus {
    fn new(doc: &Doc, earlier: &[&Doc]) -> Corpus {
        let mut texts: Vec<String> = Vec::new();
        let start = texts.len();
        texts.extend(doc.insights.iter().map(text_of_insight));
        let new_insights = start..texts.len();
        let start = texts.len();
        texts.extend(doc.actions.iter().map(text_of_action));
        let new_actions = start..texts.len();
        let mut old_insights = Vec::new();
        let mut old_actions = Vec::new();
        for d in earlier {
            for x in &d.insights {
                old_insights.push((texts.len(), x.id.clone()));
                texts.push(text_of_insight(x));
            }
            for x in &d.actions {
                old_actions.push((texts.len(), x.id.clone()));
                texts.push(text_of_action(x));
            }
        }
        Corpus {
            vectors: vectors(&texts),
            new_insights,
            new_actions,
            old_insights,
            old_actions,
        }
    }

    fn score(&self, a: usize, b: usize) -> f64 {
        cosine(&self.vectors[a], &self.vectors[b])
    }

    /// For each item of `from`, the best item of `to` when the two are each other's
    /// best match and score at least `min`.
    fn mutual_best(
        &self,
        from: std::ops::Range<usize>,
        to: &[(usize, String)],
        min: f64,
    ) -> BTreeMap<usize, (String, f64)> {
        let best_of = |i: usize, candidates: &mut dyn Iterator<Item = usize>| {
            candidates
                .map(|j| (j, self.score(i, j)))
                .max_by(|x, y| x.1.total_cmp(&y.1).then_with(|| y.0.cmp(&x.0)))
        };
        let mut out = BTreeMap::new();
        for i in from.clone() {
            let Some((j, s)) = best_of(i, &mut to.iter().map(|(j, _)| *j)) else {
                continue;
            };
            if s < min {
                continue;
            }
            if best_of(j, &mut from.clone()).map(|(back, _)| back) == Some(i) {
                let id = to
                    .iter()
                    .find(|(k, _)| *k == j)
                    .expect("from `to`")
                    .1
                    .clone();
                out.insert(i, (id, s));
            }
        }
        out
    }
}

fn suggested(id: String, score: f64) -> Relation {
    Relation::Suggested(Suggested {
        id,
        suggested: (score * 100.0).round() / 100.0,
    })
}

/// Adds relations from `doc`, a briefing being ingested, to the `earlier` briefings of
/// the knowledge base: insights it `updates`, recommendations it `continues` or
/// `replaces`, earlier insights its recommendations address. Lists a contributor has
/// decided (any relation in them confirmed) are left as they are.
pub fn suggest(doc: &mut Doc, earlier: &[&Doc]) {
    let related: Vec<&Doc> = followed(doc, earlier).into_iter().map(|(d, _)| d).collect();
    if related.is_empty() {
        return;
    }
    let corpus = Corpus::new(doc, &related);
    let updates = corpus.mutual_best(
        corpus.new_insights.clone(),
        &corpus.old_insights,
        MIN_UPDATES,
    );
    let follows = corpus.mutual_best(
        corpus.new_actions.clone(),
        &corpus.old_actions,
        MIN_CONTINUES,
    );
    let answers = corpus.mutual_best(
        corpus.new_actions.clone(),
        &corpus.old_insights,
        MIN_ADDRESSES,
    );
    let updated: Vec<&String> = updates.values().map(|(id, _)| id).collect();
    for (n, x) in doc.insights.iter_mut().enumerate() {
        if let Some((id, s)) = updates.get(&(corpus.new_insights.start + n))
            && x.updates.iter().all(Relation::is_suggested)
        {
            x.updates = vec![suggested(id.clone(), *s)];
        }
    }
    for (n, x) in doc.actions.iter_mut().enumerate() {
        let i = corpus.new_actions.start + n;
        if let Some((id, s)) = follows.get(&i) {
            let list = if replaces(&x.text) {
                &mut x.replaces
            } else {
                &mut x.continues
            };
            if list.iter().all(Relation::is_suggested) {
                *list = vec![suggested(id.clone(), *s)];
            }
        }
        // An earlier insight that a new insight updates is answered through it.
        if let Some((id, s)) = answers.get(&i)
            && !updated.contains(&id)
            && x.addresses.iter().all(Relation::is_suggested)
            && !x.addresses.iter().any(|r| r.id() == id)
        {
            x.addresses.push(suggested(id.clone(), *s));
        }
    }
}

/// The evidence for every relation from `doc` to another briefing of `others` that was
/// suggested and not yet confirmed: the words the two items share, and the briefing the
/// target belongs to.
pub fn explain(doc: &Doc, others: &[&Doc]) -> Vec<Explained> {
    let mut texts: BTreeMap<&str, (String, &str)> = BTreeMap::new();
    for d in others {
        for x in &d.insights {
            texts.insert(&x.id, (text_of_insight(x), &d.briefing.title));
        }
        for x in &d.actions {
            texts.insert(&x.id, (text_of_action(x), &d.briefing.title));
        }
    }
    let lists = doc
        .insights
        .iter()
        .map(|x| (&x.id, text_of_insight(x), "updates", &x.updates))
        .chain(doc.actions.iter().flat_map(|x| {
            [
                (&x.id, text_of_action(x), "continues", &x.continues),
                (&x.id, text_of_action(x), "replaces", &x.replaces),
                (&x.id, text_of_action(x), "addresses", &x.addresses),
            ]
        }));
    let mut out = Vec::new();
    for (from, text, relation, list) in lists {
        for r in list {
            let Relation::Suggested(s) = r else { continue };
            let Some((target, briefing)) = texts.get(s.id.as_str()) else {
                continue;
            };
            out.push(Explained {
                from: from.clone(),
                relation,
                to: s.id.clone(),
                evidence: Evidence {
                    score: s.suggested,
                    shared: shared_words(&[text.clone(), target.clone()], 0, 1),
                    via: Some(format!("in the earlier briefing “{briefing}”")),
                },
            });
        }
    }
    out
}
