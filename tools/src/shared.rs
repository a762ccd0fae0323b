//! Small helpers several stages share: ids from text, atomic writes, result caches,
//! "did you mean" suggestions and work split across threads.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Words that make an id longer without making it more telling.
pub(crate) const FILLER: &[&str] = &[
    "a", "an", "the", "and", "or", "of", "to", "for", "in", "on", "at", "by", "with", "from", "as",
    "is", "are", "be", "it", "its", "that", "this", "there", "you", "your", "we", "our", "s", "t",
];

/// A lower-case ASCII slug of the first `max_words` telling words of `text`. Other
/// scripts are transliterated first ("Café" → `cafe`, "Память" → `pamiat`,
/// "内存安全" → `nei-cun-an-quan`), so every briefing gets readable ids made from its
/// own words, which stay the same when items are reordered.
pub(crate) fn slug(text: &str, max_words: usize) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !FILLER.contains(&w.to_lowercase().as_str()))
        // Transliterated after the filler is dropped: "安全" gives `an-quan`, whose
        // `an` is a syllable, not an article.
        .flat_map(|w| {
            let parts: Vec<String> = deunicode::deunicode(w)
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|p| !p.is_empty())
                .map(str::to_ascii_lowercase)
                .collect();
            // "à" is the filler `a` once transliterated; a syllable of a longer word
            // is not.
            match parts.as_slice() {
                [one] if FILLER.contains(&one.as_str()) => Vec::new(),
                _ => parts,
            }
        })
        .take(max_words)
        .collect::<Vec<_>>()
        .join("-")
}

/// Byte offsets of line starts, to turn byte offsets into 1-based lines.
pub(crate) struct LineStarts(Vec<usize>);

impl LineStarts {
    /// The line starts of `text`.
    pub(crate) fn of(text: &[u8]) -> LineStarts {
        let starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text).map(|i| i + 1))
            .collect();
        LineStarts(starts)
    }

    /// The 1-based line holding byte `offset`.
    pub(crate) fn line(&self, offset: usize) -> usize {
        self.0.partition_point(|&start| start <= offset)
    }

    /// 1-based line `line` of `text` (the text these starts are of), without its line
    /// break; empty past the end.
    pub(crate) fn text<'a>(&self, text: &'a str, line: usize) -> &'a str {
        let Some(&start) = self.0.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self.0.get(line).map_or(text.len(), |&next| next - 1);
        text[start..end].trim_end_matches('\r')
    }
}

/// `work` done on consecutive parts of `items` on every core, the results in the order
/// of the parts; done here, as one part, below `min` items.
pub(crate) fn in_parts<T: Sync, R: Send>(
    items: &[T],
    min: usize,
    work: impl Fn(&[T]) -> R + Sync,
) -> Vec<R> {
    use rayon::prelude::*;
    if items.len() < min.max(2) {
        return vec![work(items)];
    }
    // A few parts per thread, so that one slow part leaves no thread idle for long.
    let size = items
        .len()
        .div_ceil(4 * rayon::current_num_threads())
        .max(1);
    items.par_chunks(size).map(&work).collect()
}

/// The calendar day a date names, as `YYYY-MM-DD`: a day as written, or the day of a
/// date and time (`2026-03-01T09:30:00Z`); `None` when it is not a valid day.
pub(crate) fn date_of(text: &str) -> Option<String> {
    let day = text.trim().get(..10)?;
    let rest = &text.trim()[10..];
    if !(rest.is_empty() || rest.starts_with(['T', ' ', 't'])) {
        return None;
    }
    let parts: Vec<&str> = day.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (u32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days).contains(&d).then(|| day.to_string())
}

/// Writes through a temporary file in the same folder, so a crash never leaves a
/// half-written file behind.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    // A temporary file is private to its owner; the file it replaces keeps its own
    // permissions, and a new one gets those of an ordinary file.
    let permissions = match std::fs::metadata(path) {
        Ok(m) => m.permissions(),
        Err(_) => ordinary_permissions(tmp.as_file())?,
    };
    tmp.as_file().set_permissions(permissions)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// The default cache folder: `$HANDBOOK_CACHE_DIR`, else `$XDG_CACHE_HOME/handbook`,
/// else `~/.cache/handbook`.
pub(crate) fn default_cache_dir() -> std::path::PathBuf {
    if let Some(dir) = std::env::var_os("HANDBOOK_CACHE_DIR") {
        return dir.into();
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("handbook")
}

#[cfg(unix)]
fn ordinary_permissions(_: &std::fs::File) -> std::io::Result<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt as _;
    Ok(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn ordinary_permissions(file: &std::fs::File) -> std::io::Result<std::fs::Permissions> {
    Ok(file.metadata()?.permissions())
}

/// A JSON file this tool wrote for itself; `None` when missing or unreadable.
pub(crate) fn read_json<T: DeserializeOwned>(path: &Path) -> Option<T> {
    std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
}

/// Writes a file for [`read_json`]. Failures are ignored: such files only save work.
pub(crate) fn write_json<T: Serialize>(path: &Path, value: &T) {
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Ok(json) = serde_json::to_vec(value) {
        let _ = write_atomic(path, &json);
    }
}

/// A cache of results by key, kept as one JSON file. A missing or unreadable cache is
/// an empty one: it only ever saves work.
pub(crate) fn read_cache<T: DeserializeOwned>(path: &Path) -> BTreeMap<String, T> {
    read_json(path).unwrap_or_default()
}

/// Writes a cache read with [`read_cache`].
pub(crate) fn write_cache<T: Serialize>(path: &Path, cache: &BTreeMap<String, T>) {
    write_json(path, cache);
}

/// A markdown parser configured as mdBook's renderer configures it, so the checks see
/// the same links and code blocks the reader's page has.
pub(crate) fn markdown(text: &str) -> pulldown_cmark::Parser<'_> {
    mdbook_markdown::new_cmark_parser(text, &mdbook_markdown::MarkdownOptions::default())
}

/// The candidate closest to `name`, when one is close enough to be a likely typo.
pub(crate) fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

/// The serialised name of a unit enum variant (`in-progress`, `high`).
pub(crate) fn variant_name<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_skip_filler() {
        assert_eq!(
            slug("The Strategic Shift Toward Memory-Safe Infrastructure", 6),
            "strategic-shift-toward-memory-safe-infrastructure"
        );
        assert_eq!(
            slug(
                "Cargo’s unified toolchain reduces dependency fragmentation",
                5
            ),
            "cargo-unified-toolchain-reduces-dependency"
        );
    }

    #[test]
    fn slugs_transliterate_other_scripts() {
        assert_eq!(
            slug("Café crème à la française", 4),
            "cafe-creme-la-francaise"
        );
        assert_eq!(
            slug("Größere Straßen für Übergänge", 4),
            "grossere-strassen-fur-ubergange"
        );
        assert_eq!(slug("Безопасность памяти", 2), "bezopasnost-pamiati");
        assert_eq!(slug("内存安全", 4), "nei-cun-an-quan");
        assert_eq!(slug("メモリ安全性", 9), "memorian-quan-xing");
        // Nothing to read: the caller falls back to a generic id.
        assert_eq!(slug("🚀 — …", 3), "");
    }

    #[test]
    fn dates_are_calendar_days() {
        assert_eq!(date_of("2026-03-01").as_deref(), Some("2026-03-01"));
        assert_eq!(
            date_of("2024-02-29T10:00:00Z").as_deref(),
            Some("2024-02-29")
        );
        assert_eq!(date_of("2023-02-29"), None);
        assert_eq!(date_of("2026-13-01"), None);
        assert_eq!(date_of("March 2026"), None);
        assert_eq!(date_of("2026-03-011"), None);
    }

    #[test]
    fn closest_finds_typos_only() {
        assert_eq!(closest("titel", ["title", "text"]), Some("title"));
        assert_eq!(closest("zzz", ["title", "text"]), None);
    }

    #[test]
    fn atomic_writes_replace_whole_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
        assert!(write_atomic(&dir.path().join("missing/f.json"), b"x").is_err());
    }

    #[test]
    fn caches_survive_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/cache.json");
        assert!(read_cache::<u32>(&path).is_empty());
        write_cache(&path, &BTreeMap::from([("k".to_string(), 7u32)]));
        assert_eq!(read_cache::<u32>(&path)["k"], 7);
        std::fs::write(&path, b"{not json").unwrap();
        assert!(read_cache::<u32>(&path).is_empty());
    }
}
