//! `handbook serve`: a live preview on 127.0.0.1 that rebuilds on every change.
//!
//! The site is built into a private temporary folder (never into `book/`, which holds
//! what gets published) with mdBook's live-reload script, which opens a websocket to
//! `/__livereload` and reloads the page on the message `reload`. A change in the
//! chapters (`[book] src`), the content folder, `theme/`, the folders of
//! `[build] extra-watch-dirs` or `book.toml` rebuilds; a failed build is reported and the
//! last good site stays up, because builds only replace the site when they succeed.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::Context as _;
use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::get;
use tokio::sync::broadcast;
use tower_http::services::{ServeDir, ServeFile};

use crate::book::BuildOptions;
use crate::gate::{Outcome, Stage};

/// The websocket path mdBook's live-reload script connects to.
pub(crate) const LIVE_RELOAD_ENDPOINT: &str = "__livereload";

/// What happened, for the caller to print.
pub(crate) enum Event<'a> {
    /// The server listens here.
    Listening(SocketAddr),
    /// A build finished (successfully or not).
    Built(&'a Stage),
    /// Files changed; a rebuild starts.
    Changed(&'a [PathBuf]),
}

/// Serves the handbook at `root` on `127.0.0.1:port` until interrupted.
pub(crate) fn serve(
    root: &Path,
    port: u16,
    report: impl Fn(Event<'_>) + Send + Sync + 'static,
) -> anyhow::Result<()> {
    // Builds use the root as given (so messages show short paths); the watcher reports
    // absolute paths, compared against the absolute root.
    let root = root.to_path_buf();
    let absolute_root = std::path::absolute(&root).context("resolving the book root")?;
    let scratch = tempfile::Builder::new()
        .prefix("handbook-serve-")
        .tempdir()
        .context("creating a folder for the preview")?;
    let site = scratch.path().join("site");
    let options = BuildOptions {
        live_reload: Some(LIVE_RELOAD_ENDPOINT.to_string()),
        site_url: Some("/".to_string()),
    };
    report(Event::Built(&crate::gate::load_and_build(
        &root, &site, &options,
    )));

    let runtime = tokio::runtime::Runtime::new().context("starting the server runtime")?;
    let (reload, _) = broadcast::channel::<()>(16);
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(("127.0.0.1", port)))
        .with_context(|| format!("listening on 127.0.0.1:{port}"))?;
    let addr = listener.local_addr()?;

    let app = Router::new()
        .route(&format!("/{LIVE_RELOAD_ENDPOINT}"), get(websocket))
        .with_state(reload.clone())
        .fallback_service(
            ServeDir::new(&site).not_found_service(ServeFile::new(site.join("404.html"))),
        );

    let report = std::sync::Arc::new(report);
    let watcher_report = std::sync::Arc::clone(&report);
    let (tx, rx) = mpsc::channel();
    let mut debouncer = notify_debouncer_mini::new_debouncer(Duration::from_millis(200), tx)
        .context("starting the file watcher")?;
    // Read once: the watcher watches these folders for the whole session.
    let dirs = watched_dirs(&absolute_root);
    for path in dirs.iter() {
        if path.is_dir() {
            debouncer
                .watcher()
                .watch(
                    path,
                    notify_debouncer_mini::notify::RecursiveMode::Recursive,
                )
                .with_context(|| format!("watching `{}`", path.display()))?;
        }
    }
    debouncer
        .watcher()
        .watch(
            &absolute_root,
            notify_debouncer_mini::notify::RecursiveMode::NonRecursive,
        )
        .context("watching book.toml")?;
    let watch_root = root.clone();
    // Taken before the address is announced: a change made as soon as the preview is
    // up must count as a change.
    let mut last = fingerprint(&absolute_root, &dirs);
    std::thread::spawn(move || {
        // The watcher also reports files being read (by the build itself), so a rebuild
        // starts only when a file's size or modification time really changed.
        for events in rx {
            let Ok(events) = events else { continue };
            let changed: Vec<PathBuf> = events
                .into_iter()
                .map(|e| e.path)
                .filter(|p| relevant(&absolute_root, &dirs, p))
                .collect();
            let now = fingerprint(&absolute_root, &dirs);
            if changed.is_empty() || now == last {
                continue;
            }
            last = now;
            watcher_report(Event::Changed(&changed));
            let built = crate::gate::load_and_build(&watch_root, &site, &options);
            watcher_report(Event::Built(&built));
            if built.outcome() == Outcome::Clean {
                let _ = reload.send(());
            }
        }
    });

    (*report)(Event::Listening(addr));
    runtime.block_on(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
    })?;
    drop(debouncer);
    Ok(())
}

/// Size and modification time of every watched file.
fn fingerprint(
    root: &Path,
    dirs: &[PathBuf],
) -> std::collections::BTreeMap<PathBuf, (u64, Option<std::time::SystemTime>)> {
    let files = dirs
        .iter()
        .flat_map(|dir| {
            walkdir::WalkDir::new(dir)
                .sort_by_file_name()
                .into_iter()
                .flatten()
        })
        .map(|e| e.into_path())
        .chain(std::iter::once(root.join("book.toml")));
    files
        .filter_map(|p| {
            let meta = std::fs::metadata(&p).ok()?;
            meta.is_file()
                .then(|| (p, (meta.len(), meta.modified().ok())))
        })
        .collect()
}

/// The folders whose files make a rebuild: the chapters, the content, the theme and
/// `extra-watch-dirs`, as `book.toml` names them when the preview starts (a folder
/// renamed while serving is watched after a restart).
fn watched_dirs(root: &Path) -> Vec<PathBuf> {
    let mut dirs = vec![root.join("theme")];
    if let Ok(Some(settings)) = crate::config::read(root) {
        dirs.extend(settings.content_dir(root));
    }
    match mdbook_driver::config::Config::from_disk(root.join("book.toml")) {
        Ok(config) => {
            dirs.push(root.join(&config.book.src));
            dirs.extend(config.build.extra_watch_dirs.iter().map(|d| root.join(d)));
        }
        Err(_) => dirs.push(root.join("src")),
    }
    dirs.sort();
    dirs.dedup();
    dirs
}

/// Whether a changed path should trigger a rebuild: anything under the watched
/// folders, and `book.toml` at the root (not the root's other files, such as `book/`).
fn relevant(root: &Path, dirs: &[PathBuf], path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let name = rel.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    // Editors write swap and backup files next to the file being edited.
    if name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp") {
        return false;
    }
    rel == Path::new("book.toml") || dirs.iter().any(|d| path.starts_with(d))
}

async fn websocket(ws: WebSocketUpgrade, State(reload): State<broadcast::Sender<()>>) -> Response {
    let mut rx = reload.subscribe();
    ws.on_upgrade(move |mut socket: WebSocket| async move {
        if rx.recv().await.is_ok() {
            let _ = socket.send(Message::Text("reload".into())).await;
        }
        let _ = socket.send(Message::Close(None)).await;
    })
}
