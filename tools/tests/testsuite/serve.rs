//! `handbook serve`: a real server on 127.0.0.1, a real websocket, real file changes.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::support::*;

struct Server {
    child: Child,
    lines: mpsc::Receiver<String>,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(root: &std::path::Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_handbook"))
            .args(["serve", "--port", "0"])
            .current_dir(root)
            .env("NO_COLOR", "1")
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                if tx.send(line.unwrap_or_default()).is_err() {
                    break;
                }
            }
        });
        let mut server = Server {
            child,
            lines,
            port: 0,
        };
        let line = server.wait_for("serving the handbook on http://127.0.0.1:");
        server.port = line
            .rsplit(':')
            .next()
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        server
    }

    /// Waits for a stderr line containing `needle`; panics after 60 s.
    fn wait_for(&self, needle: &str) -> String {
        let mut seen = Vec::new();
        loop {
            match self.lines.recv_timeout(Duration::from_secs(60)) {
                Ok(line) if line.contains(needle) => return line,
                Ok(line) => seen.push(line),
                Err(_) => panic!("no line with {needle:?}; saw:\n{}", seen.join("\n")),
            }
        }
    }

    fn get(&self, path: &str) -> (u16, String) {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut body = String::new();
        s.read_to_string(&mut body).unwrap();
        let status = body.split_whitespace().nth(1).unwrap().parse().unwrap();
        (status, body)
    }
}

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
    let yaml = std::fs::read_dir(dir.path().join("content"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "yaml"))
        .unwrap();
    std::fs::write(&yaml, "briefing: [unclosed\n").unwrap();
    server.wait_for("invalid YAML");
    server.wait_for("the preview keeps showing the last good build");
    let (status, page) = server.get("/how-to-read.html");
    assert_eq!(status, 200);
    assert!(page.contains("A sentence added while serving."));
}
