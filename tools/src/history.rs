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

use crate::config::{ChangeSettings, Per};
use crate::xref::Knowledge;

/// The content's history, newest first.
#[derive(Debug, Clone, Default, Serialize)]
pub struct History {
    /// One entry per commit that changed something a reader sees.
    pub entries: Vec<Entry>,
    /// Why there is no history (no git, not a repository), when there is none.
    pub unavailable: Option<String>,
    /// When the clone holds only part of the history (a shallow clone): the oldest
    /// commit it holds, whose changes cannot be told from what came before.
    pub truncated: Option<Truncated>,
}

/// Where a shallow clone's history stops.
#[derive(Debug, Clone, Serialize)]
pub struct Truncated {
    /// The short hash of the oldest commit held.
    pub commit: String,
    /// Its commit date.
    pub date: String,
}

impl Truncated {
    /// What a contributor should know, for the build's warning.
    pub fn warning(&self) -> String {
        format!(
            "the git history stops at {} ({}), a shallow clone: \"What changed\" shows only the commits after it; fetch the whole history (`git fetch --unshallow`, or `fetch-depth: 0` for actions/checkout)",
            self.commit, self.date
        )
    }
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
        truncated: None,
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

    let steps = match settings.per {
        Per::Commit => commit_steps(&top, &rel, settings),
        Per::Tag => tag_steps(&top, settings),
    };
    let Some(steps) = steps else {
        return unavailable(&format!(
            "`since = \"{}\"` under [preprocessor.handbook.changes] names no commit or tag of this repository",
            settings.since.as_deref().unwrap_or_default()
        ));
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
    let shallow = git(&top, &["rev-parse", "--is-shallow-repository"])
        .is_some_and(|answer| answer.trim() == "true");
    let mut truncated = None;
    for step in steps {
        let before = match &step.base {
            Some(base) => snapshot(base),
            // In a shallow clone, a commit whose parent the clone does not hold:
            // comparing it with nothing would call everything it holds new. Its
            // changes are unknown.
            None if shallow && has_parents(&top, &step.rev) => {
                truncated = Some(Truncated {
                    commit: step.rev.chars().take(7).collect(),
                    date: step.date.clone(),
                });
                break;
            }
            None => Snapshot::new(),
        };
        let changes = compare(&before, &snapshot(&step.rev));
        if !changes.is_empty() {
            entries.push(Entry {
                label: Some(step.label),
                date: Some(step.date),
                subject: step.subject,
                changes,
            });
        }
    }
    History {
        entries,
        unavailable: None,
        truncated,
    }
}

/// Whether a commit names parents (whether or not this clone holds them): a root
/// commit names none.
fn has_parents(top: &Path, rev: &str) -> bool {
    git(top, &["cat-file", "-p", rev]).is_some_and(|object| {
        object
            .lines()
            .take_while(|l| !l.is_empty())
            .any(|l| l.starts_with("parent "))
    })
}

/// One entry to compute: the content at `rev` against the content at `base`.
struct Step {
    rev: String,
    base: Option<String>,
    label: String,
    date: String,
    subject: Option<String>,
}

/// One step per commit that touched the content, newest first; `None` when `since`
/// names nothing.
fn commit_steps(top: &Path, rel: &str, settings: &ChangeSettings) -> Option<Vec<Step>> {
    let range = match &settings.since {
        Some(since) => format!("{since}..HEAD"),
        None => "HEAD".to_string(),
    };
    let limit = format!("-n{}", settings.limit);
    let format = "--format=%H%x09%cs%x09%s";
    let log = match git(
        top,
        &["log", "--no-merges", format, &limit, &range, "--", rel],
    ) {
        Some(log) => log,
        None if settings.since.is_some() => return None,
        // A repository without commits yet.
        None => String::new(),
    };
    let steps = log
        .lines()
        .filter_map(|line| {
            let mut parts = line.splitn(3, '\t');
            let (hash, date, subject) = (parts.next()?, parts.next()?, parts.next()?);
            let tags = git(top, &["tag", "--points-at", hash]).unwrap_or_default();
            let tags: Vec<&str> = tags
                .lines()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .collect();
            Some(Step {
                rev: hash.to_string(),
                base: git(top, &["rev-parse", "--verify", "-q", &format!("{hash}^")])
                    .map(|p| p.trim().to_string()),
                label: if tags.is_empty() {
                    hash.chars().take(7).collect()
                } else {
                    tags.join(", ")
                },
                date: date.to_string(),
                subject: Some(subject.to_string()),
            })
        })
        .collect();
    Some(steps)
}

/// One step per tag reachable from HEAD, newest first, each against the tag before it;
/// the commits after the newest tag come first. `None` when `since` names nothing.
fn tag_steps(top: &Path, settings: &ChangeSettings) -> Option<Vec<Step>> {
    let since = match &settings.since {
        Some(s) => Some(git(
            top,
            &["rev-parse", "--verify", "-q", &format!("{s}^{{commit}}")],
        )?),
        None => None,
    };
    let date_of = |rev: &str| {
        git(top, &["log", "-1", "--format=%cs", rev])
            .map_or_else(String::new, |d| d.trim().to_string())
    };
    let commit_of = |rev: &str| {
        git(
            top,
            &["rev-parse", "--verify", "-q", &format!("{rev}^{{commit}}")],
        )
        .map(|c| c.trim().to_string())
    };
    // Tags on HEAD's history, newest commit first (ties by name, for a stable order).
    let listed = git(top, &["tag", "--merged", "HEAD"]).unwrap_or_default();
    let mut tags: Vec<(String, String, String)> = listed
        .lines()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .filter_map(|t| {
            let commit = commit_of(t)?;
            let time = git(top, &["log", "-1", "--format=%ct", &commit])?
                .trim()
                .to_string();
            Some((time, t.to_string(), commit))
        })
        .collect();
    tags.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    // Stop at `since`: it is the base of the oldest entry.
    if let Some(since) = &since {
        let since = since.trim();
        if let Some(end) = tags.iter().position(|t| t.2 == since) {
            tags.truncate(end + 1);
        }
    }
    let mut steps = Vec::new();
    let head = commit_of("HEAD");
    if let (Some(head), Some(newest)) = (&head, tags.first())
        && *head != newest.2
    {
        steps.push(Step {
            rev: head.clone(),
            base: Some(newest.2.clone()),
            label: format!("since {}", newest.1),
            date: date_of(head),
            subject: None,
        });
    }
    for (i, (_, tag, commit)) in tags.iter().enumerate() {
        let base = tags.get(i + 1).map(|t| t.2.clone());
        if since.as_deref().map(str::trim) == Some(commit.as_str()) {
            break;
        }
        steps.push(Step {
            rev: commit.clone(),
            base,
            label: tag.clone(),
            date: date_of(commit),
            subject: None,
        });
    }
    steps.truncate(settings.limit);
    Some(steps)
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
    let item = |id: &str, title: &str, text: &str, impact: &Option<String>| Item {
        id: id.to_string(),
        title: title.to_string(),
        text: text.to_string(),
        impact: impact.clone(),
        ..Item::default()
    };
    let mut out = Snapshot::new();
    for f in &k.files {
        let insights = f
            .doc
            .insights
            .iter()
            .map(|x| item(&x.id, &x.title, &x.text, &x.impact))
            .collect();
        let actions = f
            .doc
            .actions
            .iter()
            .map(|x| Item {
                priority: x.priority.as_ref().map(crate::shared::variant_name),
                phase: x.phase.map(u32::from),
                status: x.status.as_ref().map(crate::shared::variant_name),
                ..item(&x.id, &x.title, &x.text, &x.impact)
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
