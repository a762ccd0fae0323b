//! The portfolio: what leaders read when the handbook holds many briefings. A home page
//! with the figures across briefings, one row per briefing and the decisions that need
//! attention now; a page per owner and per quarter; the list of every briefing.
//!
//! "This quarter" needs a day to count from. The clock would make two builds of the same
//! content differ, so the day is `SOURCE_DATE_EPOCH` when set (the reproducible-builds
//! convention), else the newest commit of the content, else the newest date the content
//! names; the pages say which day they count from.

use serde::Serialize;
use serde_json::json;

use super::views::{ActionView, Views, action_order};
use crate::content::{Action, Doc, Priority, Status};
use crate::history::History;
use crate::xref::Knowledge;

/// At most this many briefings are listed on the home page: the most recent ones.
pub const HOME_BRIEFINGS: usize = 20;
/// At most this many decisions needing attention are listed on the home page.
pub const HOME_ATTENTION: usize = 6;

/// A quarter: year and 1 to 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quarter(pub i32, pub u8);

impl Quarter {
    /// The quarter of a day (`2026-03-01`).
    pub fn of_day(day: &str) -> Option<Quarter> {
        let (y, rest) = day.split_once('-')?;
        let month: u8 = rest
            .get(..2)?
            .parse()
            .ok()
            .filter(|m| (1..=12).contains(m))?;
        Some(Quarter(y.parse().ok()?, (month - 1) / 3 + 1))
    }

    /// A `target` (`2027-Q1`).
    pub fn parse(target: &str) -> Option<Quarter> {
        let (y, q) = target.split_once("-Q")?;
        let q: u8 = q.parse().ok()?;
        Some(Quarter(y.parse().ok()?, q)).filter(|_| (1..=4).contains(&q))
    }

    /// The quarter after this one.
    pub fn next(self) -> Quarter {
        if self.1 == 4 {
            Quarter(self.0 + 1, 1)
        } else {
            Quarter(self.0, self.1 + 1)
        }
    }
}

impl std::fmt::Display for Quarter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-Q{}", self.0, self.1)
    }
}

/// The day the pages count from, and where it comes from.
pub fn reference_day(k: &Knowledge, history: &History) -> Option<(String, &'static str)> {
    if let Some(day) = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(day_of_epoch)
    {
        return Some((day, "the build date (SOURCE_DATE_EPOCH)"));
    }
    if let Some(day) = history.entries.iter().filter_map(|e| e.date.clone()).max() {
        return Some((day, "the newest change to the content"));
    }
    let named = k.files.iter().flat_map(|f| {
        let d = &f.doc;
        d.briefing
            .date
            .iter()
            .chain(d.actions.iter().filter_map(|a| a.status_date.as_ref()))
    });
    named
        .max()
        .map(|d| (d.clone(), "the newest date in the content"))
}

/// `YYYY-MM-DD` of a Unix time.
fn day_of_epoch(seconds: i64) -> Option<String> {
    chrono::DateTime::from_timestamp(seconds, 0).map(|t| t.format("%Y-%m-%d").to_string())
}

/// Whether a recommendation is still to be done.
fn open(a: &Action) -> bool {
    !matches!(a.status, Some(Status::Done | Status::Dropped))
}

/// Whether work on a recommendation has not started yet.
fn not_started(a: &Action) -> bool {
    matches!(a.status, None | Some(Status::Proposed | Status::Accepted))
}

/// Whether a later briefing of the knowledge base replaces this one.
fn superseded(k: &Knowledge, d: &Doc) -> bool {
    d.briefing
        .superseded_by
        .as_ref()
        .is_some_and(|by| k.get(by).is_some())
}

/// The briefings a reader follows, those no later briefing supersedes: the most recent
/// first.
pub fn current(k: &Knowledge) -> Vec<&Doc> {
    newest_first(k)
        .into_iter()
        .map(|i| &k.files[i].doc)
        .filter(|d| !superseded(k, d))
        .collect()
}

/// The order briefings are listed in: current ones first, the most recent first
/// (undated ones after, by title), then those replaced. Indices into `k.files`.
pub fn newest_first(k: &Knowledge) -> Vec<usize> {
    let mut order: Vec<usize> = (0..k.files.len()).collect();
    order.sort_by_cached_key(|&i| {
        let d = &k.files[i].doc;
        (
            superseded(k, d),
            std::cmp::Reverse(d.briefing.date.clone()),
            d.briefing.title.clone(),
        )
    });
    order
}

/// A recommendation on a portfolio page: the card's data and its briefing.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// The recommendation.
    #[serde(flatten)]
    pub action: ActionView,
    /// Its briefing's title.
    pub briefing: String,
    /// A link to its briefing.
    pub briefing_href: String,
}

/// Every recommendation of the current briefings, in the order to act on them.
fn rows<'a>(v: &Views<'_>, docs: &[&'a Doc]) -> Vec<(Row, &'a Action)> {
    let mut all: Vec<(usize, &Doc, &Action)> = docs
        .iter()
        .flat_map(|d| d.actions.iter().map(move |a| (*d, a)))
        .enumerate()
        .map(|(i, (d, a))| (i, d, a))
        .collect();
    all.sort_by_key(|(i, _, a)| (action_order(a), *i));
    all.into_iter()
        .map(|(_, d, a)| {
            let row = Row {
                action: v.action(a),
                briefing: d.briefing.title.clone(),
                briefing_href: v.layout.href(v.page, &d.briefing.id),
            };
            (row, a)
        })
        .collect()
}

/// Why a recommendation needs a decision now, if it does: a short label, its style and
/// the longer reason.
fn attention(
    k: &Knowledge,
    a: &Action,
    now: Option<Quarter>,
) -> Option<(&'static str, &'static str, &'static str)> {
    if !k.to_review(a).is_empty() {
        return Some((
            "to review",
            "review",
            "what it relies on changed since it was last reviewed",
        ));
    }
    let target = a.target.as_deref().and_then(Quarter::parse);
    if let (Some(t), Some(now)) = (target, now)
        && t < now
        && open(a)
    {
        return Some(("overdue", "overdue", "its target quarter has passed"));
    }
    if a.priority == Some(Priority::High) && not_started(a) {
        return Some((
            "high priority",
            "priority-high",
            "high priority, not started",
        ));
    }
    None
}

/// Counts by status, in the order work moves.
fn by_status(actions: &[&Action]) -> serde_json::Value {
    let count = |s: Option<Status>| actions.iter().filter(|a| a.status == s).count();
    let counts = [
        ("proposed", count(Some(Status::Proposed)) + count(None)),
        ("accepted", count(Some(Status::Accepted))),
        ("in-progress", count(Some(Status::InProgress))),
        ("done", count(Some(Status::Done))),
        ("dropped", count(Some(Status::Dropped))),
    ];
    json!(
        counts
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| json!({ "status": s, "label": s.replace('-', " "), "count": n }))
            .collect::<Vec<_>>()
    )
}

/// How many recommendations are done, and what share of those not dropped that is.
fn progress(actions: &[&Action]) -> (usize, usize) {
    let done = actions
        .iter()
        .filter(|a| a.status == Some(Status::Done))
        .count();
    let counted = actions
        .iter()
        .filter(|a| a.status != Some(Status::Dropped))
        .count();
    (done, (done * 100).checked_div(counted).unwrap_or(0))
}

/// The home page's data: figures across the current briefings, a row per briefing (the
/// most recent first, at most [`HOME_BRIEFINGS`]), the decisions needing attention.
pub fn home(v: &Views<'_>, history: &History, links: serde_json::Value) -> serde_json::Value {
    let k = v.k;
    let docs = current(k);
    let day = reference_day(k, history);
    let now = day.as_ref().and_then(|(d, _)| Quarter::of_day(d));
    let all = rows(v, &docs);
    let actions: Vec<&Action> = all.iter().map(|(_, a)| *a).collect();
    let listed: Vec<serde_json::Value> = docs
        .iter()
        .take(HOME_BRIEFINGS)
        .map(|d| {
            let own: Vec<&Action> = d.actions.iter().collect();
            let (done, percent) = progress(&own);
            json!({
                "title": d.briefing.title,
                "href": v.layout.href(v.page, &d.briefing.id),
                "date": d.briefing.date,
                "recommendations": own.len(),
                "not_started": own.iter().filter(|a| not_started(a)).count(),
                "in_progress": own.iter().filter(|a| a.status == Some(Status::InProgress)).count(),
                "done": done,
                "percent": percent,
                "to_review": own.iter().filter(|a| !k.to_review(a).is_empty()).count(),
            })
        })
        .collect();
    let mut needing: Vec<(&str, serde_json::Value)> = all
        .iter()
        .filter_map(|(row, a)| {
            let (reason, class, why) = attention(k, a, now)?;
            Some((
                reason,
                json!({ "reason": reason, "class": class, "why": why, "row": row }),
            ))
        })
        .collect();
    // Late work first, then what changed under a decision, then what has not started.
    needing.sort_by_key(|(reason, _)| {
        ["overdue", "to review"]
            .iter()
            .position(|r| r == reason)
            .unwrap_or(2)
    });
    let needing: Vec<serde_json::Value> = needing.into_iter().map(|(_, n)| n).collect();
    let (done, percent) = progress(&actions);
    json!({
        "as_of": day.as_ref().map(|(d, _)| d),
        "as_of_from": day.as_ref().map(|(_, why)| why),
        "figures": {
            "briefings": docs.len(),
            "recommendations": actions.len(),
            "done": done,
            "percent": percent,
            "attention": needing.len(),
            "to_review": actions.iter().filter(|a| !k.to_review(a).is_empty()).count(),
        },
        "briefings": listed,
        "more_briefings": docs.len().saturating_sub(HOME_BRIEFINGS),
        "attention": needing.iter().take(HOME_ATTENTION).collect::<Vec<_>>(),
        "more_attention": needing.len().saturating_sub(HOME_ATTENTION),
        "links": links,
    })
}

/// Every briefing, current ones first (most recent first), then those superseded.
pub fn all_briefings(v: &Views<'_>) -> serde_json::Value {
    let k = v.k;
    let docs: Vec<&Doc> = newest_first(k)
        .into_iter()
        .map(|i| &k.files[i].doc)
        .collect();
    json!({
        "briefings": docs.iter().map(|d| {
            let own: Vec<&Action> = d.actions.iter().collect();
            json!({
                "title": d.briefing.title,
                "href": v.layout.href(v.page, &d.briefing.id),
                "date": d.briefing.date,
                "author": d.briefing.author,
                "recommendations": own.len(),
                "by_status": by_status(&own),
                "superseded_by": d.briefing.superseded_by.as_deref().filter(|id| k.get(id).is_some()).map(|id| v.link(id, false)),
            })
        }).collect::<Vec<_>>(),
    })
}

/// The recommendations of the current briefings by owner: each owner a heading, in name
/// order, those without an owner last.
pub fn owners(v: &Views<'_>) -> serde_json::Value {
    let docs = current(v.k);
    let mut by: std::collections::BTreeMap<Option<String>, Vec<Row>> = Default::default();
    for (row, a) in rows(v, &docs) {
        by.entry(a.owner.clone()).or_default().push(row);
    }
    let mut groups: Vec<(Option<String>, Vec<Row>)> = by.into_iter().collect();
    groups.sort_by_key(|(owner, _)| owner.is_none());
    let mut ids = std::collections::HashSet::new();
    let owners: Vec<serde_json::Value> = groups
        .into_iter()
        .map(|(owner, rows)| {
            let open = rows
                .iter()
                .filter(|r| !matches!(r.action.status.as_deref(), Some("done" | "dropped")))
                .count();
            let slug = owner.as_deref().map_or("none".to_string(), |o| {
                Some(crate::shared::slug(o, usize::MAX))
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| "unnamed".to_string())
            });
            // Two owners whose names differ only in case or punctuation keep apart.
            let id = (1..)
                .map(|n| match n {
                    1 => format!("owner-{slug}"),
                    n => format!("owner-{slug}-{n}"),
                })
                .find(|id| ids.insert(id.clone()))
                .expect("an unused id");
            json!({
                "name": owner.unwrap_or_else(|| "No owner yet".to_string()),
                "id": id,
                "open": open,
                "rows": rows,
            })
        })
        .collect();
    json!({ "owners": owners })
}

/// The open recommendations of the current briefings by target quarter: overdue, this
/// quarter, next quarter, later, and those without a target; done ones apart.
pub fn quarters(v: &Views<'_>, history: &History) -> serde_json::Value {
    let docs = current(v.k);
    let day = reference_day(v.k, history);
    let now = day.as_ref().and_then(|(d, _)| Quarter::of_day(d));
    let mut groups: Vec<(String, &'static str, Vec<Row>)> = vec![
        ("Overdue".into(), "overdue", Vec::new()),
        (
            now.map_or_else(|| "This quarter".into(), |q| format!("This quarter ({q})")),
            "this-quarter",
            Vec::new(),
        ),
        (
            now.map_or_else(
                || "Next quarter".into(),
                |q| format!("Next quarter ({})", q.next()),
            ),
            "next-quarter",
            Vec::new(),
        ),
        ("Later".into(), "later", Vec::new()),
        ("No target quarter".into(), "no-target", Vec::new()),
    ];
    let mut done = 0;
    for (row, a) in rows(v, &docs) {
        if !open(a) {
            done += 1;
            continue;
        }
        let slot = match (a.target.as_deref().and_then(Quarter::parse), now) {
            (None, _) => 4,
            (Some(_), None) => 3,
            (Some(t), Some(n)) if t < n => 0,
            (Some(t), Some(n)) if t == n => 1,
            (Some(t), Some(n)) if t == n.next() => 2,
            _ => 3,
        };
        groups[slot].2.push(row);
    }
    json!({
        "as_of": day.as_ref().map(|(d, _)| d),
        "as_of_from": day.as_ref().map(|(_, why)| why),
        "done": done,
        "groups": groups.into_iter().map(|(name, id, rows)| json!({ "name": name, "id": id, "rows": rows })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_and_days() {
        assert_eq!(Quarter::of_day("2026-03-31"), Some(Quarter(2026, 1)));
        assert_eq!(Quarter::of_day("2026-04-01"), Some(Quarter(2026, 2)));
        assert_eq!(Quarter::parse("2027-Q4").unwrap().next(), Quarter(2028, 1));
        assert_eq!(Quarter::parse("2027-Q5"), None);
        assert!(Quarter(2026, 4) < Quarter(2027, 1));
        assert_eq!(Quarter::of_day("2026-00-01"), None);
        assert_eq!(day_of_epoch(0).unwrap(), "1970-01-01");
        assert_eq!(day_of_epoch(951_782_400).unwrap(), "2000-02-29");
    }
}
