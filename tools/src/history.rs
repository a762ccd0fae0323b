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

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::rc::Rc;

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

/// Starts `git args` in `dir`, its output read by [`finish`].
fn start(dir: &Path, args: &[impl AsRef<std::ffi::OsStr>]) -> Option<Child> {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()
}

/// What a started `git` printed, when it succeeded.
fn finish(child: Option<Child>) -> Option<String> {
    let out = child?.wait_with_output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    finish(start(dir, args))
}

/// Reads the history of `k`'s content folder.
pub fn read(k: &Knowledge, settings: &ChangeSettings) -> History {
    let unavailable = |why: &str| History {
        entries: Vec::new(),
        unavailable: Some(why.to_string()),
        truncated: None,
    };
    // Starting `git` costs about as much as laying out a chapter, so the page starts
    // three processes at once (a fourth with tags), however long the history: whether
    // this is a (shallow) repository, the log, and one `cat-file --batch` for every
    // object. All run in the content folder, so paths are relative to it (`HEAD:./`).
    let dir = k.content_root();
    let shallow = start(dir, &["rev-parse", "--is-shallow-repository"]);
    let log = match settings.per {
        Per::Commit => start(dir, &log_args(settings)),
        Per::Tag => None,
    };
    let objects = Objects::start(dir);
    // Both waited for before anything returns, so no process is left unreaped (`serve`
    // builds again and again).
    let (shallow, log) = (finish(shallow), finish(log));
    let Some(shallow) = shallow else {
        return unavailable(
            "the content is not in a git repository (or git is not installed), so there is no history to compare",
        );
    };
    let shallow = shallow.trim() == "true";
    let Some(mut objects) = objects else {
        return unavailable("git could not read the repository's objects");
    };
    let has_head = objects.get("HEAD").is_some();
    let steps = match settings.per {
        Per::Commit => match log {
            Some(log) => Some(commit_steps(&log)),
            None if settings.since.is_some() => None,
            // A repository without commits yet has no log.
            None if !has_head => Some(Vec::new()),
            None => {
                return unavailable(
                    "git could not list the commits that changed the content (`git log` failed; git 2.16 or later is needed)",
                );
            }
        },
        Per::Tag => tag_steps(dir, settings),
    };
    let Some(steps) = steps else {
        return unavailable(&format!(
            "`since = \"{}\"` under [preprocessor.handbook.changes] names no commit or tag of this repository",
            settings.since.as_deref().unwrap_or_default()
        ));
    };
    let (entries, truncated) = entries(&mut objects, has_head, &of_knowledge(k), steps, shallow);
    History {
        entries,
        unavailable: None,
        truncated,
    }
}

/// The entries of the page, newest first: the uncommitted content against HEAD (when
/// there is a HEAD), then each step; and where a shallow clone's history stops.
fn entries(
    objects: &mut Objects,
    has_head: bool,
    current: &Snapshot,
    steps: Vec<Step>,
    shallow: bool,
) -> (Vec<Entry>, Option<Truncated>) {
    let mut entries = Vec::new();
    let base = if has_head {
        objects.snapshot("HEAD")
    } else {
        Rc::default()
    };
    let changes = compare(&base, current);
    if !changes.is_empty() {
        entries.push(Entry {
            label: None,
            date: None,
            subject: None,
            changes,
        });
    }
    for step in steps {
        let before = match &step.base {
            Some(base) => objects.snapshot(base),
            // In a shallow clone, a commit whose parent the clone does not hold:
            // comparing it with nothing would call everything it holds new. Its
            // changes are unknown.
            None if shallow && objects.has_parents(&step.rev) => {
                let truncated = Truncated {
                    commit: step.rev.chars().take(7).collect(),
                    date: step.date.clone(),
                };
                return (entries, Some(truncated));
            }
            None => Rc::default(),
        };
        let changes = compare(&before, &objects.snapshot(&step.rev));
        if !changes.is_empty() {
            entries.push(Entry {
                label: Some(step.label),
                date: Some(step.date),
                subject: step.subject,
                changes,
            });
        }
    }
    (entries, None)
}

/// One `git cat-file --batch`, asked for one object at a time.
struct Objects {
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
    /// Each content file read, by blob id: a file unchanged between revisions is
    /// parsed once.
    parsed: HashMap<String, Option<Loose>>,
    /// Each revision's content, shared rather than copied: a revision is compared twice
    /// (as a commit and as the base of the next), and a large handbook's holds every
    /// item.
    snapshots: HashMap<String, Rc<Snapshot>>,
}

impl Objects {
    fn start(dir: &Path) -> Option<Objects> {
        let mut child = Command::new("git")
            .args(["cat-file", "--batch"])
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let input = child.stdin.take()?;
        let output = BufReader::new(child.stdout.take()?);
        Some(Objects {
            child,
            input,
            output,
            parsed: HashMap::new(),
            snapshots: HashMap::new(),
        })
    }

    /// The object `name` names (`rev`, `rev:path`, an id) as (id, type, contents);
    /// `None` when there is none.
    fn get(&mut self, name: &str) -> Option<(String, String, Vec<u8>)> {
        // One write per question: the pipe is unbuffered, and `cat-file` wakes for each.
        self.input.write_all(format!("{name}\n").as_bytes()).ok()?;
        let mut header = String::new();
        self.output.read_line(&mut header).ok()?;
        // `<id> <type> <size>`, or `<name> missing` (or `ambiguous`) with no contents.
        let mut fields = header.split_whitespace();
        let (id, kind, size) = (fields.next()?, fields.next()?, fields.next()?);
        let size: usize = size.parse().ok()?;
        let mut contents = vec![0; size + 1];
        self.output.read_exact(&mut contents).ok()?;
        contents.pop();
        Some((id.to_string(), kind.to_string(), contents))
    }

    /// Whether a commit names parents (whether or not this clone holds them): a root
    /// commit names none.
    fn has_parents(&mut self, rev: &str) -> bool {
        self.get(rev).is_some_and(|(_, _, commit)| {
            String::from_utf8_lossy(&commit)
                .lines()
                .take_while(|l| !l.is_empty())
                .any(|l| l.starts_with("parent "))
        })
    }

    /// The content at a revision: every YAML file under the content folder.
    fn snapshot(&mut self, rev: &str) -> Rc<Snapshot> {
        if let Some(done) = self.snapshots.get(rev) {
            return Rc::clone(done);
        }
        let read = Rc::new(self.read_snapshot(rev));
        self.snapshots.insert(rev.to_string(), Rc::clone(&read));
        read
    }

    fn read_snapshot(&mut self, rev: &str) -> Snapshot {
        let mut blobs = Vec::new();
        if let Some((id, kind, tree)) = self.get(&format!("{rev}:./"))
            && kind == "tree"
        {
            // 20 bytes for SHA-1, 32 for SHA-256: as long as the tree's own id.
            self.yaml_blobs(&tree, id.len() / 2, &mut blobs);
        }
        let mut out = Snapshot::new();
        for id in blobs {
            if !self.parsed.contains_key(&id) {
                // A file that does not parse at that revision contributes nothing.
                let doc = self.get(&id).and_then(|(_, _, text)| {
                    serde_saphyr::from_str::<Loose>(std::str::from_utf8(&text).ok()?).ok()
                });
                self.parsed.insert(id.clone(), doc);
            }
            if let Some(doc) = &self.parsed[&id] {
                add(&mut out, doc.insights.clone(), doc.actions.clone());
            }
        }
        out
    }

    /// The ids of the `.yaml`/`.yml` files of a tree and its subtrees, in the order
    /// `git ls-tree -r` lists them. A raw tree entry is `<mode> <name>\0<id bytes>`.
    fn yaml_blobs(&mut self, tree: &[u8], id_len: usize, blobs: &mut Vec<String>) {
        let mut rest = tree;
        while let Some(nul) = rest.iter().position(|&b| b == 0) {
            let Some(id) = rest.get(nul + 1..nul + 1 + id_len) else {
                return;
            };
            let entry = String::from_utf8_lossy(&rest[..nul]).into_owned();
            let id: String = id.iter().map(|b| format!("{b:02x}")).collect();
            rest = &rest[nul + 1 + id_len..];
            let Some((mode, name)) = entry.split_once(' ') else {
                continue;
            };
            match mode {
                "40000" => {
                    if let Some((_, _, subtree)) = self.get(&id) {
                        self.yaml_blobs(&subtree, id_len, blobs);
                    }
                }
                "100644" | "100755" if name.ends_with(".yaml") || name.ends_with(".yml") => {
                    blobs.push(id);
                }
                _ => {}
            }
        }
    }
}

impl Drop for Objects {
    fn drop(&mut self) {
        // `cat-file` ends at the end of its input; reaped so no zombie is left.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One entry to compute: the content at `rev` against the content at `base`.
struct Step {
    rev: String,
    base: Option<String>,
    label: String,
    date: String,
    subject: Option<String>,
}

/// The log of the commits that touched the content folder (the current one): hash,
/// parents, date, the tags on it and the subject, one line per commit. A shallow
/// clone's oldest commit shows no parents.
fn log_args(settings: &ChangeSettings) -> Vec<String> {
    let range = match &settings.since {
        Some(since) => format!("{since}..HEAD"),
        None => "HEAD".to_string(),
    };
    [
        "log",
        "--no-merges",
        "--decorate-refs=refs/tags/",
        "--format=%H%x09%P%x09%cs%x09%D%x09%s",
        &format!("-n{}", settings.limit),
        &range,
        "--",
        ".",
    ]
    .map(str::to_string)
    .to_vec()
}

/// One step per commit of the `log`, newest first.
fn commit_steps(log: &str) -> Vec<Step> {
    log.lines()
        .filter_map(|line| {
            let mut parts = line.splitn(5, '\t');
            let (hash, parents, date, refs, subject) = (
                parts.next()?,
                parts.next()?,
                parts.next()?,
                parts.next()?,
                parts.next()?,
            );
            // `tag: v1, tag: v2` (a ref name holds no space), in `git tag`'s order.
            let mut tags: Vec<&str> = refs
                .split(", ")
                .filter_map(|r| r.strip_prefix("tag: "))
                .collect();
            tags.sort_unstable();
            Some(Step {
                rev: hash.to_string(),
                base: parents
                    .split(' ')
                    .next()
                    .filter(|p| !p.is_empty())
                    .map(str::to_string),
                label: if tags.is_empty() {
                    hash.chars().take(7).collect()
                } else {
                    tags.join(", ")
                },
                date: date.to_string(),
                subject: Some(subject.to_string()),
            })
        })
        .collect()
}

/// One step per tag reachable from HEAD, newest first, each against the tag before it;
/// the commits after the newest tag come first. `None` when `since` names nothing.
fn tag_steps(dir: &Path, settings: &ChangeSettings) -> Option<Vec<Step>> {
    let commit_of = |rev: &str| {
        git(
            dir,
            &["rev-parse", "--verify", "-q", &format!("{rev}^{{commit}}")],
        )
        .map(|c| c.trim().to_string())
    };
    let since = match &settings.since {
        Some(s) => Some(commit_of(s)?),
        None => None,
    };
    let tags = tags_on_head(dir, commit_of);
    // Stop at `since`: it is the base of the oldest entry.
    let tags = match &since {
        Some(since) => match tags.iter().position(|t| t.commit == *since) {
            Some(end) => &tags[..=end],
            None => &tags[..],
        },
        None => &tags[..],
    };
    let mut steps = Vec::new();
    let head = git(dir, &["log", "-1", "--format=%H%x09%cs", "HEAD"]);
    let head = head.as_deref().and_then(|h| h.trim().split_once('\t'));
    if let (Some((head, date)), Some(newest)) = (head, tags.first())
        && head != newest.commit
    {
        steps.push(Step {
            rev: head.to_string(),
            base: Some(newest.commit.clone()),
            label: format!("since {}", newest.name),
            date: date.to_string(),
            subject: None,
        });
    }
    for (i, tag) in tags.iter().enumerate() {
        if since.as_deref() == Some(tag.commit.as_str()) {
            break;
        }
        steps.push(Step {
            rev: tag.commit.clone(),
            base: tags.get(i + 1).map(|t| t.commit.clone()),
            label: tag.name.clone(),
            date: tag.date.clone(),
            subject: None,
        });
    }
    steps.truncate(settings.limit);
    Some(steps)
}

/// A tag and the commit it names.
struct Tag {
    name: String,
    commit: String,
    date: String,
}

/// The tags on HEAD's history that name a commit, newest commit first (ties by name,
/// for a stable order), from one `git for-each-ref`.
fn tags_on_head(dir: &Path, commit_of: impl Fn(&str) -> Option<String>) -> Vec<Tag> {
    // An annotated tag's own fields, then those of the object it names (`*`).
    let format = "--format=%(refname:lstrip=2)%09%(objecttype)%09%(objectname)\
                  %09%(committerdate:unix)%09%(committerdate:short)%09%(*objecttype)\
                  %09%(*objectname)%09%(*committerdate:unix)%09%(*committerdate:short)";
    let listed = git(
        dir,
        &["for-each-ref", "--merged", "HEAD", format, "refs/tags"],
    );
    let mut tags: Vec<(i64, Tag)> = listed
        .unwrap_or_default()
        .lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            let [
                name,
                kind,
                id,
                time,
                date,
                peeled_kind,
                peeled,
                peeled_time,
                peeled_date,
            ] = f[..]
            else {
                return None;
            };
            let (commit, time, date) = match (kind, peeled_kind) {
                ("commit", _) => (id.to_string(), time.to_string(), date.to_string()),
                (_, "commit") => (
                    peeled.to_string(),
                    peeled_time.to_string(),
                    peeled_date.to_string(),
                ),
                // A tag of a tag (or of no commit at all): rare enough to ask git.
                _ => {
                    let commit = commit_of(&format!("refs/tags/{name}"))?;
                    let dated = git(dir, &["log", "-1", "--format=%ct%x09%cs", &commit])?;
                    let (time, date) = dated.trim().split_once('\t')?;
                    (commit, time.to_string(), date.to_string())
                }
            };
            Some((
                time.parse().ok()?,
                Tag {
                    name: name.to_string(),
                    commit,
                    date,
                },
            ))
        })
        .collect();
    tags.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
    tags.into_iter().map(|(_, t)| t).collect()
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
