//! Search for a large handbook. mdBook's search puts every word of the book into one
//! index that each reader downloads before a first result: 78 MB for a thousand
//! briefings, and 1.7 GB of memory to build. Pagefind splits its index into fragments a
//! query loads on demand; `theme/search.js` puts it behind the same search box.

use std::path::Path;

use anyhow::Context as _;
use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;

/// The script that puts Pagefind behind the search box, in the theme.
pub(super) const SCRIPT: &str = "theme/search.js";

/// Pages that are not content: the whole-book print view, the table of contents
/// mdBook loads into its sidebar, and the not-found page.
const NOT_INDEXED: &[&str] = &["print.html", "toc.html", "404.html"];

/// Pagefind's own user interfaces, which `theme/search.js` replaces with mdBook's box:
/// 430 KB a site need not publish.
const NOT_USED: &[&str] = &[
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
];

/// Indexes the HTML pages of the built site in `site` (their `<main>`) and writes
/// Pagefind's bundle to `site/pagefind/`.
pub(super) fn index(site: &Path, language: &str) -> anyhow::Result<usize> {
    let mut pages = Vec::new();
    for entry in walkdir::WalkDir::new(site).sort_by_file_name() {
        let entry = entry.context("listing the built site")?;
        let rel = entry.path().strip_prefix(site).expect("inside the site");
        let rel = rel.to_string_lossy().replace('\\', "/");
        if entry.file_type().is_file()
            && rel.ends_with(".html")
            && !NOT_INDEXED.contains(&rel.as_str())
        {
            pages.push(rel);
        }
    }
    let config = PagefindServiceConfig::builder()
        .root_selector("main".to_string())
        .force_language(language.to_string())
        .keep_index_url(true)
        .build();
    let count = pages.len();
    // mdBook's renderer has just freed the largest part of the build's memory; hand it
    // back before the indexer's threads take theirs, or the two peaks add up.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only returns free memory of the allocator to the system.
    unsafe {
        libc::malloc_trim(0);
    }
    // Pagefind is asynchronous; a runtime of its own on a thread of its own keeps it
    // apart from the one `serve` runs in.
    let files = std::thread::scope(|s| {
        s.spawn(|| {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .context("starting the search indexer")?;
            runtime.block_on(async {
                let mut index = PagefindIndex::new(Some(config))?;
                // One page in memory at a time: the site can be hundreds of megabytes.
                for rel in pages {
                    let html = std::fs::read_to_string(site.join(&rel))
                        .with_context(|| format!("reading `{rel}`"))?;
                    index
                        .add_html_file(None, Some(format!("/{rel}")), html)
                        .await
                        .with_context(|| format!("indexing `{rel}` for search"))?;
                }
                index.get_files().await
            })
        })
        .join()
        .map_err(|_| anyhow::anyhow!("the search indexer stopped unexpectedly"))?
    })?;
    let bundle = site.join("pagefind");
    for file in files
        .iter()
        .filter(|f| !NOT_USED.iter().any(|n| f.filename == Path::new(n)))
    {
        let path = bundle.join(&file.filename);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating `{}`", dir.display()))?;
        }
        std::fs::write(&path, &file.contents)
            .with_context(|| format!("writing `{}`", path.display()))?;
    }
    Ok(count)
}
