//! What changed in the content, read from git: for each commit that touched the content
//! folder (newest first), the recommendations and insights added, removed, re-worded,
//! re-prioritised and moved between statuses, with the commit's date, so a leader who
//! returns after a month sees the difference on one page.
//!
//! Everything comes from the repository (commit dates, never the clock), so the same
//! history builds the same page. Content not yet committed is compared with the last
//! commit and listed first. Old revisions are read leniently (only the fields compared
//! here), so a file that an older version of the schema allowed still counts. Without
//! git, or outside a repository, the page says so instead of failing the build.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::{Deserialize, Serialize};

use crate::xref::Knowledge;

/// `[preprocessor.handbook.changes]`: which commits the page covers.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct ChangeSettings {
    /// Commits listed at most.
    pub limit: usize,
    /// A tag or commit: only the commits after it are listed (e.g. the last publish).
    pub since: Option<String>,
}

impl Default for ChangeSettings {
    fn default() -> Self {
        ChangeSettings {
            limit: 20,
            since: None,
        }
    }
}

/// The content's history, newest first.
#[derive(Debug, Clone, Default, Serialize)]
pub struct History {
    /// One entry per commit that changed something a reader sees.
    pub entries: Vec<Entry>,
    /// Why there is no history (no git, not a repository), when there is none.
    pub unavailable: Option<String>,
}

/// The changes of one commit (or of the uncommitted content).
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// The tags on the commit, else its short hash; `None` for uncommitted content.
    pub label: Option<String>,
    /// Commit date, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// The commit's subject line.
    pub subject: Option<String>,
    /// What changed, recommendations first.
    pub changes: Vec<Change>,
}

/// What happened to one item in one commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// `recommendation` or `insight`.
    pub kind: &'static str,
    /// The item's id.
    pub id: String,
    /// Its title (the old one when it was removed).
    pub title: String,
    /// Each move, in a fixed order.
    pub moves: Vec<Move>,
}

/// One kind of change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Move {
    /// `added`, `removed`, `re-worded`, `re-prioritised` or `status`.
    pub what: &'static str,
    /// Before and after, for moves (`medium → high`, `proposed → in progress`).
    pub detail: Option<String>,
}

/// The fields compared, read leniently.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default)]
struct Item {
    id: String,
    title: String,
    text: String,
    impact: Option<String>,
    priority: Option<String>,
    phase: Option<u32>,
    status: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Loose {
    insights: Vec<Item>,
    actions: Vec<Item>,
}

/// Items by id: (kind, item).
type Snapshot = BTreeMap<String, (&'static str, Item)>;

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Reads the history of `k`'s content folder.
pub fn read(k: &Knowledge, settings: &ChangeSettings) -> History {
    let dir = k.content_root();
    let unavailable = |why: &str| History {
        entries: Vec::new(),
        unavailable: Some(why.to_string()),
    };
    let Some(top) = git(dir, &["rev-parse", "--show-toplevel"]) else {
        return unavailable(
            "the content is not in a git repository (or git is not installed), so there is no history to compare",
        );
    };
    let top = PathBuf::from(top.trim());
    let Some(rel) = git(dir, &["rev-parse", "--show-prefix"]) else {
        return unavailable("git could not place the content folder in its repository");
    };
    let rel = rel.trim().trim_end_matches('/').to_string();
    let rel = if rel.is_empty() { ".".to_string() } else { rel };

    let range = match &settings.since {
        Some(since) => format!("{since}..HEAD"),
        None => "HEAD".to_string(),
    };
    let limit = format!("-n{}", settings.limit);
    let log = match git(
        &top,
        &[
            "log",
            "--no-merges",
            "--format=%H%x09%cs%x09%s",
            &limit,
            &range,
            "--",
            &rel,
        ],
    ) {
        Some(log) => log,
        None if settings.since.is_some() => {
            return unavailable(&format!(
                "`since = \"{}\"` under [preprocessor.handbook.changes] names no commit or tag of this repository",
                settings.since.as_deref().unwrap_or_default()
            ));
        }
        // A repository without commits yet.
        None => String::new(),
    };
    let mut snapshots: BTreeMap<String, Snapshot> = BTreeMap::new();
    let mut snapshot = |rev: &str| -> Snapshot {
        snapshots
            .entry(rev.to_string())
            .or_insert_with(|| at_revision(&top, rev, &rel))
            .clone()
    };

    let mut entries = Vec::new();
    // Uncommitted content first: what the working tree holds against the last commit.
    let head = git(&top, &["rev-parse", "--verify", "-q", "HEAD"]);
    let current = of_knowledge(k);
    let base = match head {
        Some(_) => snapshot("HEAD"),
        None => Snapshot::new(),
    };
    let changes = compare(&base, &current);
    if !changes.is_empty() {
        entries.push(Entry {
            label: None,
            date: None,
            subject: None,
            changes,
        });
    }
    for line in log.lines() {
        let mut parts = line.splitn(3, '\t');
        let (Some(hash), Some(date), Some(subject)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let parent = git(&top, &["rev-parse", "--verify", "-q", &format!("{hash}^")]);
        let before = match parent {
            Some(p) => snapshot(p.trim()),
            None => Snapshot::new(),
        };
        let changes = compare(&before, &snapshot(hash));
        if changes.is_empty() {
            continue;
        }
        let tags = git(&top, &["tag", "--points-at", hash]).unwrap_or_default();
        let tags: Vec<&str> = tags
            .lines()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect();
        entries.push(Entry {
            label: Some(if tags.is_empty() {
                hash.chars().take(7).collect()
            } else {
                tags.join(", ")
            }),
            date: Some(date.to_string()),
            subject: Some(subject.to_string()),
            changes,
        });
    }
    History {
        entries,
        unavailable: None,
    }
}

/// The content at a revision: every YAML file under the content folder.
fn at_revision(top: &Path, rev: &str, rel: &str) -> Snapshot {
    let mut out = Snapshot::new();
    let files = git(top, &["ls-tree", "-r", "--name-only", rev, "--", rel]).unwrap_or_default();
    for file in files
        .lines()
        .filter(|f| f.ends_with(".yaml") || f.ends_with(".yml"))
    {
        let Some(text) = git(top, &["show", &format!("{rev}:{file}")]) else {
            continue;
        };
        // A file that does not parse at that revision contributes nothing.
        let Ok(doc) = serde_saphyr::from_str::<Loose>(&text) else {
            continue;
        };
        add(&mut out, doc.insights, doc.actions);
    }
    out
}

fn add(out: &mut Snapshot, insights: Vec<Item>, actions: Vec<Item>) {
    for x in insights {
        out.insert(x.id.clone(), ("insight", x));
    }
    for x in actions {
        out.insert(x.id.clone(), ("recommendation", x));
    }
}

fn of_knowledge(k: &Knowledge) -> Snapshot {
    let mut out = Snapshot::new();
    for f in &k.files {
        let insights = f
            .doc
            .insights
            .iter()
            .map(|x| Item {
                id: x.id.clone(),
                title: x.title.clone(),
                text: x.text.clone(),
                impact: x.impact.clone(),
                ..Item::default()
            })
            .collect();
        let actions = f
            .doc
            .actions
            .iter()
            .map(|x| Item {
                id: x.id.clone(),
                title: x.title.clone(),
                text: x.text.clone(),
                impact: x.impact.clone(),
                priority: x.priority.as_ref().map(crate::shared::variant_name),
                phase: x.phase.map(u32::from),
                status: x.status.as_ref().map(crate::shared::variant_name),
            })
            .collect();
        add(&mut out, insights, actions);
    }
    out
}

/// The changes from `before` to `after`, recommendations first, then by id.
fn compare(before: &Snapshot, after: &Snapshot) -> Vec<Change> {
    let mut out = Vec::new();
    let moved = |what, detail| Move { what, detail };
    for (id, (kind, new)) in after {
        let mut moves = Vec::new();
        match before.get(id) {
            None => moves.push(moved("added", None)),
            Some((_, old)) => {
                if (&old.title, &old.text, &old.impact) != (&new.title, &new.text, &new.impact) {
                    moves.push(moved("re-worded", None));
                }
                if (&old.priority, old.phase) != (&new.priority, new.phase) {
                    let show = |x: &Item| {
                        let phase = x.phase.map(|p| format!("phase {p}"));
                        [x.priority.clone(), phase]
                            .into_iter()
                            .flatten()
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    let detail = format!("{} → {}", or_none(&show(old)), or_none(&show(new)));
                    moves.push(moved("re-prioritised", Some(detail)));
                }
                if old.status != new.status {
                    let show = |s: &Option<String>| or_none(s.as_deref().unwrap_or(""));
                    let detail = format!("{} → {}", show(&old.status), show(&new.status));
                    moves.push(moved("status", Some(detail)));
                }
            }
        }
        if !moves.is_empty() {
            out.push(Change {
                kind,
                id: id.clone(),
                title: new.title.clone(),
                moves,
            });
        }
    }
    for (id, (kind, old)) in before {
        if !after.contains_key(id) {
            out.push(Change {
                kind,
                id: id.clone(),
                title: old.title.clone(),
                moves: vec![moved("removed", None)],
            });
        }
    }
    out.sort_by(|a, b| {
        (a.kind != "recommendation", &a.id).cmp(&(b.kind != "recommendation", &b.id))
    });
    out
}

fn or_none(s: &str) -> String {
    if s.is_empty() {
        "none".to_string()
    } else {
        s.replace('-', " ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, title: &str, status: Option<&str>) -> Item {
        Item {
            id: id.into(),
            title: title.into(),
            text: "t".into(),
            status: status.map(str::to_string),
            ..Item::default()
        }
    }

    #[test]
    fn compares_two_snapshots() {
        let mut before = Snapshot::new();
        before.insert(
            "a".into(),
            ("recommendation", item("a", "A", Some("proposed"))),
        );
        before.insert("gone".into(), ("insight", item("gone", "Gone", None)));
        before.insert("x".into(), ("insight", item("x", "X", None)));
        let mut after = Snapshot::new();
        after.insert(
            "a".into(),
            ("recommendation", item("a", "A", Some("in-progress"))),
        );
        after.insert("x".into(), ("insight", item("x", "X, re-worded", None)));
        after.insert("new".into(), ("recommendation", item("new", "New", None)));
        let got: Vec<String> = compare(&before, &after)
            .into_iter()
            .map(|c| {
                let moves: Vec<String> = c
                    .moves
                    .iter()
                    .map(|m| format!("{} {}", m.what, m.detail.as_deref().unwrap_or("")))
                    .collect();
                format!("{} {}: {}", c.kind, c.id, moves.join("; ").trim())
            })
            .collect();
        assert_eq!(
            got,
            [
                "recommendation a: status proposed → in progress",
                "recommendation new: added",
                "insight gone: removed",
                "insight x: re-worded",
            ]
        );
    }
}
