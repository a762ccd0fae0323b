//! Data and shell blocks: parsed, with errors located inside the block.

use std::io::Write as _;
use std::process::{Command, Stdio};

/// The result of checking a data or shell block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checked {
    /// It parses.
    Ok,
    /// It does not: the message, and the 1-based line within the block when known.
    Invalid(String, Option<usize>),
    /// It could not be checked here (no shell available).
    Unavailable(String),
}

/// The languages checked here.
pub fn handles(language: &str) -> bool {
    matches!(
        language,
        "toml" | "json" | "yaml" | "yml" | "sh" | "bash" | "shell" | "console"
    )
}

/// Checks `code` written in `language` (one that [`handles`]).
pub fn check(language: &str, code: &str) -> Checked {
    match language {
        "toml" => match code.parse::<toml::Table>() {
            Ok(_) => Checked::Ok,
            Err(e) => {
                let line = e
                    .span()
                    .map(|s| code[..s.start.min(code.len())].matches('\n').count() + 1);
                Checked::Invalid(format!("invalid TOML: {}", e.message()), line)
            }
        },
        "json" => match serde_json::from_str::<serde_json::Value>(code) {
            Ok(_) => Checked::Ok,
            Err(e) => Checked::Invalid(format!("invalid JSON: {e}"), Some(e.line())),
        },
        "yaml" | "yml" => {
            let options = serde_saphyr::options! { with_snippet: false };
            match serde_saphyr::from_str_with_options::<serde_json::Value>(code, options) {
                Ok(_) => Checked::Ok,
                Err(e) => Checked::Invalid(
                    format!("invalid YAML: {}", e.without_snippet()),
                    e.location().map(|l| l.line() as usize),
                ),
            }
        }
        // A transcript (`console`, or shell lines behind a `$ ` prompt) is output with
        // commands in it: only the commands are checked.
        "console" => shell_syntax(&transcript_commands(code)),
        _ if code.lines().any(|l| l.trim_start().starts_with("$ ")) => {
            shell_syntax(&transcript_commands(code))
        }
        _ => shell_syntax(code),
    }
}

/// The commands of a transcript: what follows a `$ ` prompt, and the lines that
/// continue it (after a trailing `\`); output lines become empty, so line numbers stay.
fn transcript_commands(code: &str) -> String {
    let mut continuing = false;
    let mut out = String::new();
    for line in code.lines() {
        let command = match line.trim_start().strip_prefix("$ ") {
            Some(c) => Some(c),
            None if continuing => Some(line),
            None => None,
        };
        continuing = command.is_some_and(|c| c.trim_end().ends_with('\\'));
        out.push_str(command.unwrap_or(""));
        out.push('\n');
    }
    out
}

/// `bash -n`: parse without running anything.
fn shell_syntax(code: &str) -> Checked {
    let child = Command::new("bash")
        .arg("-n")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        return Checked::Unavailable("no `bash` to check shell syntax with".into());
    };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(code.as_bytes());
    }
    match child.wait_with_output() {
        Ok(out) if out.status.success() => Checked::Ok,
        Ok(out) => {
            let text = String::from_utf8_lossy(&out.stderr).trim().to_string();
            // bash: "bash: line 3: syntax error near unexpected token `fi'"
            let line = text
                .split("line ")
                .nth(1)
                .and_then(|r| r.split(':').next())
                .and_then(|n| n.trim().parse().ok());
            let message = text.split_once(": line ").map_or(text.clone(), |(_, r)| {
                r.split_once(": ")
                    .map_or(r.to_string(), |(_, m)| m.to_string())
            });
            Checked::Invalid(format!("shell syntax error: {message}"), line)
        }
        Err(e) => Checked::Unavailable(format!("cannot run bash: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_located_inside_the_block() {
        assert_eq!(check("toml", "[package]\nname = \"x\"\n"), Checked::Ok);
        assert!(matches!(
            check("toml", "a = 1\nb = \n"),
            Checked::Invalid(_, Some(2))
        ));
        assert!(matches!(
            check("json", "{\n\"a\": 1,\n}\n"),
            Checked::Invalid(_, Some(3))
        ));
        assert!(matches!(
            check("yaml", "a: 1\nb: [\n"),
            Checked::Invalid(_, Some(_))
        ));
        assert_eq!(check("yaml", "a: 1\n"), Checked::Ok);
    }

    #[test]
    fn transcripts_check_only_their_commands() {
        let t = "$ cargo new hello\n     Created binary (application) `hello` package\n$ cd hello && \\\n    cargo run\nHello, world! (it's fine)\n";
        assert_eq!(
            transcript_commands(t),
            "cargo new hello\n\ncd hello && \\\n    cargo run\n\n"
        );
        assert_eq!(check("bash", t), Checked::Ok);
        assert!(matches!(
            check("console", "$ if then\noutput\n"),
            Checked::Invalid(..)
        ));
    }
}
