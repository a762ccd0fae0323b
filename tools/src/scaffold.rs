//! `handbook new`: a complete handbook repository in a new folder, as `mdbook init`,
//! `cargo new` and `zola init` start theirs.
//!
//! The folder gets `book.toml` (our preprocessor, the HTML settings, the handbook
//! versions that can build it), a chapter telling contributors how to work, `content/`
//! with a first briefing ingested (the one given, or an example to replace), the theme,
//! a GitHub workflow that installs this version's release binary and publishes to
//! Pages, `.gitignore` and a short README. Everything is written into a temporary folder
//! beside the target and moved into place at the end, so a failure leaves nothing half
//! made.

use std::path::{Path, PathBuf};

use crate::briefing::Format;
use crate::diagnostics::Diagnostic;

/// Where the tool is developed and released: the release binaries the new workflow
/// installs come from here.
pub const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");

/// The theme every handbook uses, written into `theme/` of a new one.
pub const THEME: &[(&str, &str)] = &[
    ("handbook.css", include_str!("../assets/theme/handbook.css")),
    ("a11y.js", include_str!("../assets/theme/a11y.js")),
    ("search.js", include_str!("../assets/theme/search.js")),
];

const BOOK_TOML: &str = include_str!("../assets/new/book.toml");
const SUMMARY: &str = include_str!("../assets/new/SUMMARY.md");
const INTRODUCTION: &str = include_str!("../assets/new/introduction.md");
const README: &str = include_str!("../assets/new/README.md");
const WORKFLOW: &str = include_str!("../assets/new/workflow.yml");
const GITIGNORE: &str = include_str!("../assets/new/gitignore");
const EXAMPLE: &str = include_str!("../assets/new/example-briefing.md");

/// What `handbook new` is asked for.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The first briefing; an example briefing when `None`.
    pub from: Option<PathBuf>,
    /// Its format, when its extension does not say it.
    pub format: Option<Format>,
    /// The book's title; the first briefing's title by default.
    pub title: Option<String>,
}

/// What was written.
#[derive(Debug, Clone)]
pub struct Created {
    /// The new handbook's folder.
    pub root: PathBuf,
    /// Its files, relative to the folder, in the order written.
    pub files: Vec<PathBuf>,
    /// The content file of the first briefing.
    pub briefing: PathBuf,
}

/// The version requirement a new book carries: this version or a later compatible one.
pub fn version_requirement() -> String {
    let v = semver::Version::parse(env!("CARGO_PKG_VERSION")).expect("the crate version is semver");
    format!("^{}.{}", v.major, v.minor)
}

/// Writes a new handbook into `dir`, which must not exist or be empty.
pub fn create(dir: &Path, options: &Options) -> Result<Created, Vec<Diagnostic>> {
    let one = |d: Diagnostic| vec![d];
    if let Ok(mut entries) = std::fs::read_dir(dir)
        && entries.next().is_some()
    {
        return Err(one(
            Diagnostic::error(format!("`{}` is not empty", dir.display())).help(
                "`handbook new` starts a handbook in a new or empty folder; to add a briefing to an existing handbook, run `handbook ingest` there",
            ),
        ));
    }
    if dir.exists() && !dir.is_dir() {
        return Err(one(Diagnostic::error(format!(
            "`{}` is a file, not a folder",
            dir.display()
        ))));
    }
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| one(io(parent, &e)))?;
    let staging = tempfile::Builder::new()
        .prefix(".handbook-new-")
        .tempdir_in(parent)
        .map_err(|e| one(io(parent, &e)))?;
    let root = staging.path();

    // The first briefing, ingested into the new content folder.
    let content = root.join("content");
    let (briefing, briefing_path) = match &options.from {
        Some(path) => (path.clone(), None),
        None => {
            let example = root.join("example-briefing.md");
            std::fs::write(&example, EXAMPLE).map_err(|e| one(io(&example, &e)))?;
            (example.clone(), Some(example))
        }
    };
    let ingested = crate::ingest::ingest(
        &briefing,
        &content,
        &crate::ingest::Options {
            format: options.format,
            ..Default::default()
        },
    )?;
    if let Some(example) = briefing_path {
        // The example lives in content/ like any ingested briefing.
        let _ = std::fs::remove_file(example);
    }
    let doc = crate::content::load_file(&ingested.yaml)?.doc;
    let title = options
        .title
        .clone()
        .unwrap_or_else(|| doc.briefing.title.clone());

    let repository_path = REPOSITORY
        .trim_start_matches("https://github.com/")
        .trim_end_matches('/');
    let fill = |template: &str| {
        template
            .replace("{title}", &title)
            .replace("{version}", env!("CARGO_PKG_VERSION"))
            .replace("{repository_path}", repository_path)
            .replace("{repository}", REPOSITORY)
    };
    let book_toml = BOOK_TOML
        .replace("{title}", &toml::Value::String(title.clone()).to_string())
        .replace("{version}", &version_requirement());
    let mut files: Vec<(PathBuf, String)> = vec![
        ("book.toml".into(), book_toml),
        ("src/SUMMARY.md".into(), SUMMARY.to_string()),
        ("src/introduction.md".into(), INTRODUCTION.to_string()),
        (
            "content/handbook.schema.json".into(),
            crate::content::schema_json(),
        ),
        (".github/workflows/handbook.yml".into(), fill(WORKFLOW)),
        (".gitignore".into(), GITIGNORE.to_string()),
        ("README.md".into(), fill(README)),
    ];
    for (name, text) in THEME {
        files.push((Path::new("theme").join(name), (*text).to_string()));
    }
    for (rel, text) in &files {
        let path = root.join(rel);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).map_err(|e| one(io(p, &e)))?;
        }
        std::fs::write(&path, text).map_err(|e| one(io(&path, &e)))?;
    }

    let staged = staging.keep();
    move_into_place(&staged, dir).map_err(|e| {
        let _ = std::fs::remove_dir_all(&staged);
        one(io(dir, &e))
    })?;
    let mut written: Vec<PathBuf> = files.into_iter().map(|(rel, _)| rel).collect();
    let briefing_rel = Path::new("content").join(ingested.yaml.file_name().unwrap_or_default());
    written.push(briefing_rel.clone());
    if let Some(copy) = &ingested.copied_briefing {
        written.push(Path::new("content").join(copy.file_name().unwrap_or_default()));
    }
    Ok(Created {
        root: dir.to_path_buf(),
        files: written,
        briefing: dir.join(briefing_rel),
    })
}

/// Moves the staged folder to `dir`: a rename when `dir` does not exist, its entries one
/// by one into an empty `dir`.
fn move_into_place(staged: &Path, dir: &Path) -> std::io::Result<()> {
    if !dir.exists() {
        return std::fs::rename(staged, dir);
    }
    for entry in std::fs::read_dir(staged)? {
        let entry = entry?;
        std::fs::rename(entry.path(), dir.join(entry.file_name()))?;
    }
    std::fs::remove_dir(staged)
}

fn io(path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(format!("cannot write `{}`: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_books_require_a_compatible_version() {
        let req = semver::VersionReq::parse(&version_requirement()).unwrap();
        assert!(req.matches(&semver::Version::parse(env!("CARGO_PKG_VERSION")).unwrap()));
    }
}
