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
