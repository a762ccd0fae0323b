//! External crates for snippets: `[preprocessor.handbook.snippets.dependencies]`.
//!
//! `mdbook test` cannot give snippets a crate beyond `std` (mdBook issue 706), yet a
//! book about production Rust shows serde and anyhow. The dependencies, written in
//! Cargo's own syntax, are built once by cargo in a project generated in the cache
//! folder; every snippet compile then gets `--extern name=…` for each of them and
//! `-L dependency=…` for what they depend on, as cargo passes them to rustc. The
//! resolved versions are kept in `snippets.lock` beside `book.toml` (cargo's lock file,
//! committed like `Cargo.lock`), so every machine checks against the same crates.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Deserialize;
use sha2::Digest as _;

use super::rustc::Rustc;
use crate::config::SnippetSettings;
use crate::diagnostics::{Diagnostic, Location};

/// The lock file of the snippets' crates, beside `book.toml`.
pub const LOCK_FILE: &str = "snippets.lock";

/// The crates snippets are compiled against, and the compiler that built them: a
/// crate's metadata is read only by the compiler that wrote it, so it compiles the
/// snippets too.
#[derive(Debug, Clone)]
pub struct Crates {
    /// The compiler to run.
    pub rustc: OsString,
    /// rustc arguments: `--extern` for each declared crate, `-L dependency=` folders.
    pub args: Vec<OsString>,
    /// The names snippets use them by (`serde_json`), to tell an undeclared crate.
    pub names: Vec<String>,
    /// Changes when the declared crates or their locked versions change: part of
    /// every cache key.
    pub fingerprint: String,
}

/// What the previous build produced, kept beside the generated project so an
/// unchanged declaration costs no cargo run.
#[derive(serde::Serialize, Deserialize)]
struct Built {
    /// Hash of the manifest and the lock it was built with.
    inputs: String,
    /// `(crate name, library file)` of each declared crate.
    externs: Vec<(String, PathBuf)>,
    /// Folders holding what they depend on.
    search: Vec<PathBuf>,
}

/// Builds the declared crates (or finds them built) for the book at `root`. No
/// dependencies, no cargo: an empty [`Crates`].
pub fn prepare(
    root: &Path,
    settings: &SnippetSettings,
    cache_dir: &Path,
    rustc: &Rustc,
) -> Result<Crates, Diagnostic> {
    if settings.dependencies.is_empty() {
        return Ok(Crates::none(rustc));
    }
    let rustc_version = rustc.version.as_str();
    let manifest = manifest(root, &settings.dependencies);
    let lock_path = root.join(LOCK_FILE);
    let lock = std::fs::read_to_string(&lock_path).ok();
    let dir = cache_dir
        .join("crates")
        .join(&hash(&[&manifest, rustc_version])[..16]);
    let inputs = hash(&[&manifest, lock.as_deref().unwrap_or(""), rustc_version]);
    let record = dir.join("built.json");

    let built = match crate::shared::read_json::<Built>(&record) {
        Some(b) if b.inputs == inputs && b.externs.iter().all(|(_, f)| f.is_file()) => b,
        _ => {
            let b = build(root, &dir, &manifest, lock.as_deref(), rustc)?;
            // The lock cargo wrote (new or updated) goes back to the book.
            let new_lock = std::fs::read_to_string(dir.join("Cargo.lock")).ok();
            if new_lock.is_some() && new_lock != lock {
                crate::shared::write_atomic(&lock_path, new_lock.unwrap_or_default().as_bytes())
                    .map_err(|e| {
                        Diagnostic::error(format!("cannot write `{}`: {e}", lock_path.display()))
                    })?;
            }
            let lock = std::fs::read_to_string(&lock_path).ok();
            let built = Built {
                inputs: hash(&[&manifest, lock.as_deref().unwrap_or(""), rustc_version]),
                externs: b.0,
                search: b.1,
            };
            crate::shared::write_json(&record, &built);
            built
        }
    };

    let mut args = Vec::new();
    for (name, file) in &built.externs {
        let mut arg = OsString::from(format!("{name}="));
        arg.push(file);
        args.push("--extern".into());
        args.push(arg);
    }
    for dir in &built.search {
        let mut arg = OsString::from("dependency=");
        arg.push(dir);
        args.push("-L".into());
        args.push(arg);
    }
    Ok(Crates {
        rustc: rustc.path.clone(),
        args,
        names: built.externs.iter().map(|(n, _)| n.clone()).collect(),
        fingerprint: built.inputs,
    })
}

impl Crates {
    /// No crates: snippets get `std` alone.
    pub fn none(rustc: &Rustc) -> Crates {
        Crates {
            rustc: rustc.path.clone(),
            args: Vec::new(),
            names: Vec::new(),
            fingerprint: String::new(),
        }
    }
}

/// The generated project's manifest: the declared table, with `path`s made absolute
/// (the project lives in the cache, not in the book). Its own `[workspace]` keeps it
/// out of any workspace the cache folder happens to lie in.
fn manifest(root: &Path, dependencies: &toml::Table) -> String {
    let root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    let mut deps = dependencies.clone();
    for (_, value) in deps.iter_mut() {
        if let Some(toml::Value::String(path)) =
            value.as_table_mut().and_then(|t| t.get_mut("path"))
        {
            let absolute = root.join(path.as_str()).to_string_lossy().into_owned();
            *path = absolute;
        }
    }
    let mut doc = toml::Table::new();
    let package: toml::Table = toml::from_str(
        "name = \"handbook-snippet-crates\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false",
    )
    .expect("a valid table");
    doc.insert("package".into(), package.into());
    let lib: toml::Table = toml::from_str("path = \"lib.rs\"").expect("a valid table");
    doc.insert("lib".into(), lib.into());
    doc.insert("dependencies".into(), deps.into());
    doc.insert("workspace".into(), toml::Table::new().into());
    toml::to_string(&doc).expect("a table serialises")
}

fn hash(parts: &[&str]) -> String {
    let mut h = sha2::Sha256::new();
    for part in parts {
        h.update(part.as_bytes());
        h.update([0]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs cargo on the generated project; returns the declared crates' library files
/// and the folders of their dependencies.
#[allow(clippy::type_complexity)]
fn build(
    root: &Path,
    dir: &Path,
    manifest: &str,
    lock: Option<&str>,
    rustc: &Rustc,
) -> Result<(Vec<(String, PathBuf)>, Vec<PathBuf>), Diagnostic> {
    let failed = |what: String| {
        let toml_path = crate::diagnostics::normalize(&root.join("book.toml"));
        let text = std::fs::read_to_string(&toml_path).unwrap_or_default();
        let line = text
            .lines()
            .position(|l| l.trim() == "[preprocessor.handbook.snippets.dependencies]")
            .map_or(1, |i| i + 1);
        Diagnostic::error(format!("the snippets' crates could not be built: {what}"))
            .at(Location::line(
                &toml_path,
                line,
                text.lines().nth(line - 1).unwrap_or(""),
            ))
            .help(format!(
                "fix the crates under [preprocessor.handbook.snippets.dependencies] (Cargo's \
                 [dependencies] syntax; paths relative to the book root); delete `{LOCK_FILE}` \
                 to resolve the versions again"
            ))
    };
    std::fs::create_dir_all(dir).map_err(|e| failed(format!("cannot create its folder: {e}")))?;
    let write = |name: &str, text: &str| {
        std::fs::write(dir.join(name), text)
            .map_err(|e| failed(format!("cannot write {name}: {e}")))
    };
    write("Cargo.toml", manifest)?;
    write("lib.rs", "")?;
    match lock {
        Some(lock) => write("Cargo.lock", lock)?,
        None => {
            let _ = std::fs::remove_file(dir.join("Cargo.lock"));
        }
    }

    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(&cargo)
        .args(["build", "--lib", "--message-format=json-render-diagnostics"])
        .arg("--manifest-path")
        .arg(dir.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(dir.join("target"))
        // The project's own places, whatever the caller's build sets.
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_BUILD_DIR")
        .env_remove("CARGO_BUILD_TARGET")
        .env("RUSTC", &rustc.path)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            failed(format!(
                "cannot run cargo ({}): {e}",
                cargo.to_string_lossy()
            ))
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr
            .lines()
            .map(str::trim)
            .filter(|l| !l.starts_with("Compiling") && !l.starts_with("Locking") && !l.is_empty())
            .collect();
        let tail = tail[tail.len().saturating_sub(12)..].join("\n");
        return Err(failed(format!("cargo says:\n{tail}")));
    }

    // Which packages are the declared ones, and by which name snippets use them. The
    // build fetched only this platform's packages: metadata for other platforms would
    // need the network (a crate with Windows- or wasm-only dependencies), so it is
    // asked for this platform alone.
    let host = rustc.host().map_err(|e| failed(format!("{e:#}")))?;
    let metadata = Command::new(&cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--offline",
            "--filter-platform",
        ])
        .arg(host)
        .arg("--manifest-path")
        .arg(dir.join("Cargo.toml"))
        .env_remove("CARGO_TARGET_DIR")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| failed(format!("cannot run cargo metadata: {e}")))?;
    if !metadata.status.success() {
        return Err(failed(format!(
            "`cargo metadata` failed after the crates were built:\n{}",
            String::from_utf8_lossy(&metadata.stderr).trim()
        )));
    }
    let metadata: Metadata = serde_json::from_slice(&metadata.stdout)
        .map_err(|e| failed(format!("cannot read cargo metadata: {e}")))?;
    let root_id = metadata.resolve.root.unwrap_or_default();
    let declared: BTreeMap<String, String> = metadata
        .resolve
        .nodes
        .into_iter()
        .find(|n| n.id == root_id)
        .map(|n| n.deps.into_iter().map(|d| (d.pkg, d.name)).collect())
        .unwrap_or_default();

    let mut externs = Vec::new();
    let mut search = std::collections::BTreeSet::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(Message::CompilerArtifact {
            package_id,
            target,
            filenames,
        }) = serde_json::from_str::<Message>(line)
        else {
            continue;
        };
        if !target
            .kind
            .iter()
            .any(|k| matches!(k.as_str(), "lib" | "rlib" | "proc-macro"))
        {
            continue;
        }
        for f in &filenames {
            if let Some(parent) = f.parent() {
                search.insert(parent.to_path_buf());
            }
        }
        let Some(name) = declared.get(&package_id) else {
            continue;
        };
        // The rlib (or the proc-macro's shared library), as cargo passes it.
        let file = filenames
            .iter()
            .find(|f| f.extension().is_some_and(|e| e == "rlib"))
            .or_else(|| {
                filenames
                    .iter()
                    .find(|f| f.extension().is_some_and(|e| e != "rmeta"))
            })
            .or(filenames.first());
        if let Some(file) = file {
            externs.push((name.clone(), file.clone()));
        }
    }
    externs.sort();
    externs.dedup();
    Ok((externs, search.into_iter().collect()))
}

#[derive(Deserialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
enum Message {
    CompilerArtifact {
        package_id: String,
        target: Target,
        filenames: Vec<PathBuf>,
    },
}

#[derive(Deserialize)]
struct Target {
    kind: Vec<String>,
}

#[derive(Deserialize)]
struct Metadata {
    resolve: Resolve,
}

#[derive(Deserialize)]
struct Resolve {
    root: Option<String>,
    nodes: Vec<Node>,
}

#[derive(Deserialize)]
struct Node {
    id: String,
    deps: Vec<NodeDep>,
}

#[derive(Deserialize)]
struct NodeDep {
    name: String,
    pkg: String,
}

/// The crate a compiler error says it cannot find, when that is what it says.
pub fn missing_crate(message: &str) -> Option<&str> {
    const PATTERNS: [&str; 6] = [
        "cannot find module or crate `",
        "use of unresolved module or unlinked crate `",
        "use of undeclared crate or module `",
        "can't find crate for `",
        "unresolved import `",
        "failed to resolve: use of unresolved module or unlinked crate `",
    ];
    let rest = PATTERNS
        .iter()
        .find_map(|p| message.find(p).map(|i| &message[i + p.len()..]))?;
    let name = &rest[..rest.find('`')?];
    let name = name.split("::").next().unwrap_or(name);
    let internal = [
        "crate",
        "self",
        "super",
        "std",
        "core",
        "alloc",
        "proc_macro",
    ];
    (!name.is_empty() && !internal.contains(&name)).then_some(name)
}

/// The advice for a snippet that uses `name`, a crate not declared.
pub fn undeclared_help(name: &str) -> String {
    format!(
        "if `{name}` is a crate, declare it in book.toml under \
         [preprocessor.handbook.snippets.dependencies] (Cargo's syntax, e.g. `{} = \"1\"`)",
        name.replace('_', "-")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_crates_are_named_from_rustc_messages() {
        assert_eq!(
            missing_crate(
                "failed to resolve: use of unresolved module or unlinked crate `serde_json`"
            ),
            Some("serde_json")
        );
        assert_eq!(
            missing_crate("unresolved import `anyhow::Context`"),
            Some("anyhow")
        );
        assert_eq!(missing_crate("can't find crate for `rand`"), Some("rand"));
        assert_eq!(missing_crate("unresolved import `crate::x`"), None);
        assert_eq!(missing_crate("mismatched types"), None);
    }

    #[test]
    fn path_dependencies_are_made_absolute() {
        let deps: toml::Table =
            toml::from_str("mine = { path = \"crates/mine\" }\nserde = \"1\"").unwrap();
        let text = manifest(Path::new("/book"), &deps);
        let parsed: toml::Table = toml::from_str(&text).unwrap();
        let mine = &parsed["dependencies"]["mine"]["path"];
        assert_eq!(
            Path::new(mine.as_str().unwrap()),
            Path::new("/book/crates/mine")
        );
        assert_eq!(parsed["dependencies"]["serde"].as_str(), Some("1"));
        assert!(parsed["workspace"].as_table().unwrap().is_empty());
    }
}
