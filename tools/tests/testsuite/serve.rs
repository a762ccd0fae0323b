//! `handbook serve`: a real server on 127.0.0.1, a real websocket, real file changes.

use crate::support::*;

#[test]
fn serve_rebuilds_reloads_and_keeps_the_last_good_site() {
    let dir = handbook_copy();
    let server = Server::start(dir.path());
    let (status, home) = server.get("/");
    assert_eq!(status, 200);
    assert!(
        home.contains("__livereload"),
        "the live-reload script is injected"
    );
    assert_eq!(server.get("/no-such-page.html").0, 404);

    let (mut socket, _) =
        tungstenite::connect(format!("ws://127.0.0.1:{}/__livereload", server.port)).unwrap();
    // Nothing changed, so nothing reloads (the build reading files must not count).
    let tcp = |s: &tungstenite::WebSocket<
        tungstenite::stream::MaybeTlsStream<std::net::TcpStream>,
    >| match s.get_ref() {
        tungstenite::stream::MaybeTlsStream::Plain(t) => t.try_clone().unwrap(),
        _ => unreachable!("plain ws://"),
    };
    tcp(&socket)
        .set_read_timeout(Some(std::time::Duration::from_millis(1500)))
        .unwrap();
    assert!(socket.read().is_err(), "no reload without a change");
    tcp(&socket).set_read_timeout(None).unwrap();
    let chapter = dir.path().join("src/how-to-read.md");
    std::fs::write(
        &chapter,
        read(&chapter) + "\nA sentence added while serving.\n",
    )
    .unwrap();
    let message = socket.read().unwrap();
    assert_eq!(message.into_text().unwrap().as_str(), "reload");
    assert!(
        server
            .get("/how-to-read.html")
            .1
            .contains("A sentence added while serving.")
    );

    // A broken content file: the error is reported and the last good site stays up.
    let yaml = content_yaml(dir.path());
    std::fs::write(&yaml, "briefing: [unclosed\n").unwrap();
    server.wait_for("invalid YAML");
    server.wait_for("the preview keeps showing the last good build");
    let (status, page) = server.get("/how-to-read.html");
    assert_eq!(status, 200);
    assert!(page.contains("A sentence added while serving."));
}

#[test]
fn serve_honours_site_url_and_the_configured_folders() {
    let dir = handbook_copy();
    // The chapters and the content live in folders of other names, and one more folder
    // is watched: serve must follow book.toml, not assume `src/` and `content/`.
    std::fs::rename(dir.path().join("src"), dir.path().join("chapters")).unwrap();
    std::fs::rename(dir.path().join("content"), dir.path().join("kb")).unwrap();
    std::fs::create_dir(dir.path().join("notes")).unwrap();
    let toml = dir.path().join("book.toml");
    let text = read(&toml)
        .replace("src = \"src\"", "src = \"chapters\"")
        .replace("content = \"content\"", "content = \"kb\"")
        .replace(
            "extra-watch-dirs = [\"content\", \"theme\"]",
            "extra-watch-dirs = [\"kb\", \"theme\", \"notes\"]",
        );
    assert!(text.contains("site-url = \"/rust-strategy-handbook/\""));
    std::fs::write(&toml, text).unwrap();
    let server = Server::start(dir.path());

    // The preview is served from `/`: the 404 page's links must start there, not at
    // the published site-url.
    let (status, page) = server.get("/no-such-page.html");
    assert_eq!(status, 404);
    assert!(page.contains("<base href=\"/\""), "{page:.2000}");
    assert!(!page.contains("/rust-strategy-handbook/"), "{page:.2000}");

    let chapter = dir.path().join("chapters/how-to-read.md");
    std::fs::write(&chapter, read(&chapter) + "\nEdited in chapters/.\n").unwrap();
    server.wait_for("rebuilding");
    server.wait_for("build: built");
    assert!(
        server
            .get("/how-to-read.html")
            .1
            .contains("Edited in chapters/.")
    );

    let yaml = std::fs::read_dir(dir.path().join("kb"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "yaml"))
        .unwrap();
    std::fs::write(&yaml, "briefing: [unclosed\n").unwrap();
    server.wait_for("invalid YAML");

    std::fs::write(dir.path().join("notes/n.txt"), "x").unwrap();
    server.wait_for("rebuilding");
    server.wait_for("invalid YAML");
}
