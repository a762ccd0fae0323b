//! The leaders' pages: a recommendation's lifecycle on the summary and the roadmap,
//! what changed between commits of the content, and recommendations to review when an
//! insight they address is re-worded.

use std::path::Path;
use std::process::Command;

use crate::support::*;

const FILE: &str = "content/platform-reliability-board-level-concern.yaml";

fn git(dir: &Path, args: &[&str], date: &str) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Editor")
        .env("GIT_AUTHOR_EMAIL", "editor@example.org")
        .env("GIT_COMMITTER_NAME", "Editor")
        .env("GIT_COMMITTER_EMAIL", "editor@example.org")
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn edit(dir: &Path, from: &str, to: &str) {
    replace_in(&dir.join(FILE), from, to);
}

/// The fixture with a lifecycle: one recommendation done, one in progress with a
/// target quarter, one reviewed against the insight it addresses.
fn with_lifecycle() -> tempfile::TempDir {
    let dir = fixture_copy("render/two-briefings");
    edit(
        dir.path(),
        "  impact: Makes every outage diagnosable within minutes.\n",
        "  impact: Makes every outage diagnosable within minutes.\n  phase: 1\n  status: done\n  status_date: '2026-10-02'\n",
    );
    edit(
        dir.path(),
        "  impact: Aligns release pace with the reliability customers actually experience.\n",
        "  impact: Aligns release pace with the reliability customers actually experience.\n  phase: 2\n  status: in-progress\n  status_date: '2026-11-03'\n  target: 2027-Q1\n",
    );
    dir
}

/// The fixture with a lifecycle as the first commit of a new repository.
fn committed(message: &str) -> tempfile::TempDir {
    let dir = with_lifecycle();
    let date = "2026-09-01T10:00:00Z";
    git(dir.path(), &["init", "-q", "-b", "main"], date);
    git(dir.path(), &["add", "."], date);
    git(dir.path(), &["commit", "-qm", message], date);
    dir
}

#[test]
fn status_and_progress_show_on_the_summary_and_the_roadmap() {
    let dir = with_lifecycle();
    let run = handbook(dir.path(), &["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The home page counts across briefings; each briefing's page counts its own.
    let summary = read(dir.path().join("book/executive-summary.html"));
    assert!(summary.contains("<strong>14%</strong> done"), "progress");
    let briefing = read(
        dir.path()
            .join("book/briefings/platform-reliability-board-level-concern/index.html"),
    );
    assert!(
        briefing.contains("<strong>1 of 3</strong> done, 1 in progress"),
        "progress"
    );
    assert!(
        briefing.contains(r#"<span class="hb-badge hb-status-in-progress">in progress</span>"#)
    );
    let roadmap = read(dir.path().join("book/roadmap.html"));
    // Phases as columns in order, unphased last; cards coloured by status.
    in_order(
        &roadmap,
        &[">Phase 1</h2>", ">Phase 2</h2>", ">No phase</h2>"],
    );
    assert!(roadmap.contains(r#"class="hb-road-card hb-road-done""#));
    assert!(roadmap.contains("since 2026-11-03") && roadmap.contains("Target: 2027-Q1"));
    let main = roadmap
        .split("<main>")
        .nth(1)
        .unwrap()
        .split("</main>")
        .next()
        .unwrap();
    assert!(!main.contains("<script"), "static HTML, no JavaScript");

    // A malformed date or quarter is a located error.
    edit(dir.path(), "target: 2027-Q1", "target: Q1 2027");
    let run = handbook(dir.path(), &["validate"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(&format!("{FILE}:")) && run.stderr.contains("target"),
        "{}",
        run.stderr
    );
}

#[test]
fn what_changed_follows_the_git_history_and_marks_recommendations_to_review() {
    let dir = with_lifecycle();
    // Without history the page says so and the build succeeds.
    assert_eq!(handbook(dir.path(), &["build"]).code, 0);
    assert!(read(dir.path().join("book/changes.html")).contains("not in a git repository"));

    // Reviewed against the insight as it is now: nothing to review.
    let validate = handbook(dir.path(), &["validate"]);
    let fingerprint = validate
        .stderr
        .lines()
        .find(|l| l.contains("set `reviewed:"))
        .map(str::to_string);
    assert!(fingerprint.is_none(), "{}", validate.stderr);
    edit(
        dir.path(),
        "  status: in-progress\n",
        "  status: in-progress\n  reviewed: '0000'\n",
    );
    let validate = handbook(dir.path(), &["validate"]);
    let help = validate
        .stderr
        .lines()
        .find(|l| l.contains("set `reviewed:"))
        .unwrap_or_else(|| panic!("{}", validate.stderr));
    let current = help
        .split("reviewed: '")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap()
        .to_string();
    edit(
        dir.path(),
        "reviewed: '0000'",
        &format!("reviewed: '{current}'"),
    );
    assert!(
        !handbook(dir.path(), &["validate"])
            .stderr
            .contains("to review")
    );

    git(
        dir.path(),
        &["init", "-q", "-b", "main"],
        "2026-09-01T10:00:00Z",
    );
    git(dir.path(), &["add", "."], "2026-09-01T10:00:00Z");
    git(
        dir.path(),
        &["commit", "-qm", "First publish"],
        "2026-09-01T10:00:00Z",
    );
    git(dir.path(), &["tag", "publish-1"], "2026-09-01T10:00:00Z");
    // A month later: the insight is re-worded, a recommendation moves, one is removed.
    edit(
        dir.path(),
        "    Error budgets turn the trade-off between release speed and stability into a\n    shared rule.",
        "    Error budgets turn the trade-off between release speed and stability into a\n    rule that product and operations both sign.",
    );
    edit(dir.path(), "  status: done\n", "  status: dropped\n");
    git(
        dir.path(),
        &["commit", "-qam", "Quarterly review"],
        "2026-10-15T09:00:00Z",
    );

    let validate = handbook(dir.path(), &["validate"]);
    assert!(
        validate.stderr.contains(
            "recommendation `adopt-error-budgets-three-services` is to review: insight `error-budgets-turn-trade-off` changed since it was reviewed"
        ),
        "{}",
        validate.stderr
    );
    assert_eq!(validate.code, 0, "a warning, not an error");

    // Uncommitted: a new status, shown first.
    edit(dir.path(), "  status: in-progress\n", "  status: done\n");
    assert_eq!(handbook(dir.path(), &["build"]).code, 0);
    let changes = read(dir.path().join("book/changes.html"));
    // Newest first.
    let order = in_order(
        &changes,
        &[
            "Not yet committed",
            "2026-10-15 · ",
            "2026-09-01 · publish-1",
        ],
    );
    let between = |a: usize, b: usize| &changes[order[a]..order[b]];
    assert!(between(0, 1).contains("in progress → done"));
    assert!(between(1, 2).contains("done → dropped") && between(1, 2).contains("re-worded"));
    assert!(changes.contains("Quarterly review"));
    // To review: on the what-changed page, the card, the summary and the matrix.
    let review = changes.split("Not yet committed").next().unwrap();
    assert!(
        review.contains("To review") && review.contains("Adopt error budgets"),
        "{review}"
    );
    let card = read(
        dir.path()
            .join("book/briefings/platform-reliability-board-level-concern/recommendations.html"),
    );
    assert!(card.contains("hb-review"), "the card says so");
    let summary = read(dir.path().join("book/executive-summary.html"));
    assert!(summary.contains("to review"));
    let matrix = read(
        dir.path()
            .join("book/briefings/platform-reliability-board-level-concern/matrix.html"),
    );
    assert!(matrix.contains("◎"));

    // The same repository builds the same pages.
    let first = read(dir.path().join("book/changes.html"));
    assert_eq!(handbook(dir.path(), &["build"]).code, 0);
    assert_eq!(read(dir.path().join("book/changes.html")), first);

    // `since` limits the page to the commits after the last publish.
    let toml = dir.path().join("book.toml");
    std::fs::write(
        &toml,
        read(&toml) + "\n[preprocessor.handbook.changes]\nsince = \"publish-1\"\n",
    )
    .unwrap();
    assert_eq!(handbook(dir.path(), &["build"]).code, 0, "{}", read(&toml));
    let changes = read(dir.path().join("book/changes.html"));
    assert!(changes.contains("Quarterly review") && !changes.contains("First publish"));

    // One entry per publish (tag): what changed since the last tag, then each tag.
    std::fs::write(
        &toml,
        read(&toml).replace("since = \"publish-1\"", "per = \"tag\""),
    )
    .unwrap();
    assert_eq!(handbook(dir.path(), &["build"]).code, 0);
    let changes = read(dir.path().join("book/changes.html"));
    let order = in_order(
        &changes,
        &[
            "Not yet committed",
            "2026-10-15 · since publish-1",
            "2026-09-01 · publish-1",
        ],
    );
    assert!(changes[order[1]..order[2]].contains("done → dropped"));
    assert!(
        changes[order[2]..].contains("added"),
        "the first publish adds everything"
    );
}

/// A clone of depth 1 (what CI's checkout gives by default) holds one commit whose
/// parent is missing: the page says the history stops there and lists nothing as added
/// at that boundary; the build warns; a full clone shows the whole history.
#[test]
fn a_shallow_clone_does_not_invent_history() {
    let origin = committed("First publish");
    edit(origin.path(), "  status: done\n", "  status: dropped\n");
    git(
        origin.path(),
        &["commit", "-qam", "Quarterly review"],
        "2026-10-15T09:00:00Z",
    );
    std::fs::write(origin.path().join("NOTES.txt"), "unrelated\n").unwrap();
    git(origin.path(), &["add", "NOTES.txt"], "2026-10-20T09:00:00Z");
    git(
        origin.path(),
        &["commit", "-qm", "Notes"],
        "2026-10-20T09:00:00Z",
    );

    let clones = tempdir();
    let url = format!("file://{}", origin.path().display());
    let shallow = clones.path().join("shallow");
    git(
        clones.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            &url,
            shallow.to_str().unwrap(),
        ],
        "2026-10-21T09:00:00Z",
    );
    let build = handbook(&shallow, &["build"]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    assert!(
        build.stderr.contains("warning: the git history stops at")
            && build.stderr.contains("fetch-depth: 0"),
        "{}",
        build.stderr
    );
    let changes = read(shallow.join("book/changes.html"));
    assert!(
        changes.contains("Earlier history is not shown"),
        "{changes}"
    );
    assert!(
        !changes.contains("hb-change-added"),
        "nothing invented as added: {changes}"
    );

    let full = clones.path().join("full");
    git(
        clones.path(),
        &["clone", "-q", &url, full.to_str().unwrap()],
        "2026-10-21T09:00:00Z",
    );
    let build = handbook(&full, &["build"]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    assert!(!build.stderr.contains("history stops"), "{}", build.stderr);
    let changes = read(full.join("book/changes.html"));
    assert!(!changes.contains("Earlier history is not shown"));
    in_order(&changes, &["2026-10-15 · ", "2026-09-01 · "]);
    assert!(changes.contains("done → dropped") && changes.contains("hb-change-added"));
}

/// The page reads git's history through a fixed number of `git` processes, however
/// many commits touched the content (each costs about as much as laying out a
/// chapter), and shows every one of them.
#[test]
fn what_changed_asks_git_a_fixed_number_of_times() {
    let dir = committed("First");
    let mut status = "done";
    for day in 2..=12 {
        let next = if status == "done" { "dropped" } else { "done" };
        edit(
            dir.path(),
            &format!("  status: {status}\n"),
            &format!("  status: {next}\n"),
        );
        status = next;
        let date = format!("2026-09-{day:02}T10:00:00Z");
        git(
            dir.path(),
            &["commit", "-qam", &format!("Step {day}")],
            &date,
        );
    }
    git(
        dir.path(),
        &["tag", "-a", "publish-1", "-m", "one"],
        "2026-09-13T10:00:00Z",
    );

    // Every `git` the build starts, logged by a stand-in first on PATH.
    let bin = tempdir();
    let log = bin.path().join("git.log");
    let path = git_first_on_path(bin.path(), &log, None);

    let build = handbook_with(dir.path(), &["build"], &[("PATH", &path)]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    // Started together, so logged in any order.
    let asked = read(&log);
    let mut asked: Vec<&str> = asked.lines().collect();
    asked.sort_unstable();
    assert_eq!(
        asked,
        ["cat-file", "log", "rev-parse"],
        "one question of each kind"
    );
    let changes = read(dir.path().join("book/changes.html"));
    in_order(
        &changes,
        &["2026-09-12 · publish-1", "2026-09-02 · ", "2026-09-01 · "],
    );
    assert_eq!(changes.matches("done → dropped").count(), 6, "{changes}");
    assert_eq!(changes.matches("dropped → done").count(), 5, "{changes}");
}

/// A git without what the page asks of `git log` (as git before 2.16): the page says the
/// history could not be read instead of showing an empty one.
#[test]
fn a_failing_git_log_is_said_on_the_page() {
    let dir = committed("First");
    let bin = tempdir();
    let path = git_first_on_path(bin.path(), &bin.path().join("git.log"), Some("log"));
    let build = handbook_with(dir.path(), &["build"], &[("PATH", &path)]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    let changes = read(dir.path().join("book/changes.html"));
    assert!(
        changes.contains("git could not list the commits"),
        "{changes}"
    );
    assert!(!changes.contains("hb-change-added"), "{changes}");
}

/// A `git` first on a PATH returned for the build: it logs each command's name to `log`
/// and runs the real git, except `failing`, which fails as an unknown option would.
fn git_first_on_path(bin: &Path, log: &Path, failing: Option<&str>) -> String {
    let real = Command::new("sh")
        .args(["-c", "command -v git"])
        .output()
        .expect("sh runs");
    let real = String::from_utf8_lossy(&real.stdout).trim().to_string();
    let fail = failing
        .map(|c| format!("if [ \"$1\" = {c} ]; then echo 'unknown option' >&2; exit 129; fi\n"))
        .unwrap_or_default();
    let body = format!(
        "echo \"$1\" >> '{}'\n{fail}exec '{real}' \"$@\"\n",
        log.display()
    );
    first_on_path(bin, "git", &body)
}
