//! Rust snippets: rustdoc's doctest transformation, merged compilation, isolated runs.
//!
//! rustdoc compiles each doctest on its own, which is what makes `mdbook test` slow.
//! Here every snippet that can share a crate becomes a module of one program per
//! edition, compiled by a single `rustc`; the program runs once per snippet (its index
//! as argument), each run in its own process and temporary folder, with a timeout and a
//! cap on captured output, on threads of their own while the next programs compile.
//! Crate-level lint levels and inner doc comments become the module's own, and
//! `crate::` paths are rooted at the module. A snippet that cannot be merged (other crate
//! attributes, `extern crate`, `$crate`, a crate's one allocator or panic handler,
//! `test_harness`, `standalone_crate`) is compiled alone; `compile_fail` blocks are
//! type-checked together, and one that shows no error of its own there is compiled alone,
//! in full. When a merged compile fails, rustc's errors are mapped back to their snippets
//! by line, those snippets fail (a snippet whose paths were rewritten, or whose `deny`
//! or `forbid` was moved from the crate to its module, is compiled alone for rustdoc's
//! exact verdict), and the rest are compiled again without them.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde::Deserialize;
use wait_timeout::ChildExt as _;

use super::extract::LangString;

/// Bytes of stdout/stderr kept per run; the rest is read and dropped.
pub const OUTPUT_CAP: usize = 64 * 1024;

/// A Rust snippet to check.
#[derive(Debug, Clone)]
pub struct RustSnippet {
    /// The code as written in the markdown (hidden lines still marked with `# `).
    pub code: String,
    /// Its attributes.
    pub lang: LangString,
    /// The edition to compile with.
    pub edition: String,
    /// Markdown line of the first line of code.
    pub first_line: usize,
}

/// The verdict on one snippet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// It does what its attributes say.
    Passed,
    /// It does not; the message says why, and the line (markdown) where, when known.
    Failed {
        /// What went wrong.
        message: String,
        /// Markdown line of the first error, when the compiler gave one.
        line: Option<usize>,
    },
    /// `ignore`: not compiled, as rustdoc does.
    Ignored,
    /// The run was stopped at the time limit; a slower machine may be the cause, so the
    /// verdict is never cached.
    TimedOut {
        /// What happened.
        message: String,
    },
}

/// The program text of a snippet after rustdoc's transformation, with a map from each
/// program line to the markdown line it came from.
#[derive(Debug, Clone)]
struct Prepared {
    crate_attrs: Vec<String>,
    body: Vec<(String, Option<usize>)>,
    mergeable: bool,
    /// It names paths from the crate root (`crate::…`), which a merged program points
    /// at the snippet's module instead.
    crate_paths: bool,
    /// It denies or forbids lints for the whole crate, which a merged program does for
    /// the snippet's module only.
    denies: bool,
    /// Markdown line of its first `#![feature(…)]`, which a stable compiler refuses.
    feature_line: Option<usize>,
}

/// Applies rustdoc's doctest rules: `# ` lines are compiled but hidden, `##` stands for
/// a literal `#`, crate attributes are hoisted, `#![allow(unused)]` is added, and code
/// without `fn main` is wrapped in one (returning a `Result` when the code ends with
/// `(())`, so `?` works with a final `Ok::<(), E>(())`).
fn prepare(s: &RustSnippet) -> Prepared {
    let mut crate_attrs = Vec::new();
    let mut externs = Vec::new();
    let mut rest: Vec<(String, Option<usize>)> = Vec::new();
    let mut leading = true;
    let mut feature_line = None;
    for (i, raw) in s.code.lines().enumerate() {
        let trimmed = raw.trim();
        let line = if trimmed.starts_with("##") {
            raw.replacen("##", "#", 1)
        } else if let Some(hidden) = trimmed.strip_prefix("# ") {
            hidden.to_string()
        } else if trimmed == "#" {
            String::new()
        } else {
            raw.to_string()
        };
        let md_line = Some(s.first_line + i);
        let t = line.trim();
        // `//!` is an inner attribute (`#![doc]`): crate-level, as rustdoc hoists it.
        if leading && (t.starts_with("#![") || t.starts_with("//!")) {
            if is_feature(t) && feature_line.is_none() {
                feature_line = md_line;
            }
            crate_attrs.push(line);
        } else if leading && t.starts_with("extern crate") {
            externs.push((line, md_line));
        } else {
            if !t.is_empty() && !t.starts_with("//") {
                leading = false;
            }
            rest.push((line, md_line));
        }
    }
    // rustdoc keeps only what parses as statements and items: doc comments that
    // document nothing at the end are dropped (inside `fn main` they would be E0585).
    while let Some((last, _)) = rest.last() {
        let t = last.trim();
        if t.is_empty() || (t.starts_with("///") && !t.starts_with("////")) {
            rest.pop();
        } else {
            break;
        }
    }
    let code: String = rest
        .iter()
        .map(|(l, _)| l.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let has_main = has_fn_main(&code);
    let mut body = externs.clone();
    if has_main {
        body.extend(rest);
    } else if code.trim_end().ends_with("(())") {
        body.push((
            "fn main() { fn _inner() -> core::result::Result<(), impl core::fmt::Debug> {".into(),
            None,
        ));
        body.extend(rest);
        body.push(("} _inner().unwrap() }".into(), None));
    } else {
        body.push(("fn main() {".into(), None));
        body.extend(rest);
        body.push(("}".into(), None));
    }
    let crate_paths = body.iter().any(|(l, _)| l.contains("crate::"));
    let denies = crate_attrs
        .iter()
        .any(|a| lint_level(a).is_some_and(|l| matches!(l, "deny" | "forbid")));
    let mergeable = crate_attrs
        .iter()
        .all(|a| lint_level(a).is_some() || a.trim().starts_with("//!"))
        && !crate_attrs
            .iter()
            .any(|a| CRATE_WIDE_LINTS.iter().any(|l| a.contains(l)))
        && externs.is_empty()
        && lexes_whole(&code)
        && !code.contains("$crate")
        && !code.contains("macro_export")
        && !ONE_PER_CRATE.iter().any(|a| code.contains(a))
        && !s.lang.test_harness
        && !s.lang.standalone
        && !(s.edition == "2015" && roots_at_the_crate(&code));
    Prepared {
        crate_attrs,
        body,
        mergeable,
        crate_paths,
        denies,
        feature_line,
    }
}

/// Whether rustc's lexer gets through `code` and finds its delimiters balanced. A
/// literal or comment left open, or a delimiter without its pair, stops rustc reading
/// the whole file: in a merged program it would hide every later snippet's errors, one
/// compile after another. Such a snippet is compiled alone.
fn lexes_whole(code: &str) -> bool {
    use ra_ap_rustc_lexer::{LiteralKind as L, TokenKind as T};
    let mut open = Vec::new();
    for token in ra_ap_rustc_lexer::tokenize(code, ra_ap_rustc_lexer::FrontmatterAllowed::No) {
        match token.kind {
            T::BlockComment { terminated, .. }
            | T::Literal {
                kind:
                    L::Char { terminated }
                    | L::Byte { terminated }
                    | L::Str { terminated }
                    | L::ByteStr { terminated }
                    | L::CStr { terminated },
                ..
            } if !terminated => return false,
            T::Literal {
                kind:
                    L::RawStr { n_hashes: None }
                    | L::RawByteStr { n_hashes: None }
                    | L::RawCStr { n_hashes: None },
                ..
            } => return false,
            T::OpenParen => open.push(T::CloseParen),
            T::OpenBrace => open.push(T::CloseBrace),
            T::OpenBracket => open.push(T::CloseBracket),
            close @ (T::CloseParen | T::CloseBrace | T::CloseBracket)
                if open.pop() != Some(close) =>
            {
                return false;
            }
            _ => {}
        }
    }
    open.is_empty()
}

/// `#![feature(…)]`: unstable features, which only a nightly compiler accepts.
fn is_feature(attr: &str) -> bool {
    attr.trim()
        .strip_prefix("#![")
        .and_then(|r| r.trim_start().strip_prefix("feature"))
        .is_some_and(|r| r.trim_start().starts_with('('))
}

/// `line` with each path from the crate root (`crate::x`, not `$crate::x` or
/// `pub(crate)`) rooted at `module` instead: in a merged program, the snippet's crate
/// root is its module.
fn rooted_at(line: &str, module: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        let is_path = !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$');
        let end = at + "crate::".len();
        out.push_str(&rest[..end]);
        if is_path {
            out.push_str(module);
            out.push_str("::");
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Whether `code` has a `use` path or a `::` path that starts with an item it declares.
/// In the 2015 edition such paths start at the crate root (`use foo::bar`, `::a::f()`),
/// where a merged program has its own items and not the snippet's: the snippet is
/// compiled alone.
fn roots_at_the_crate(code: &str) -> bool {
    let name = |c: char| c.is_alphanumeric() || c == '_';
    let first_name = |text: &str| {
        let text = text.trim_start().trim_start_matches("::");
        text.split(|c: char| !name(c))
            .next()
            .unwrap_or_default()
            .to_string()
    };
    // `at` is at the start of a word (or of a path, for `::`).
    let starts = |line: &str, at: usize, continues: &dyn Fn(char) -> bool| {
        !line[..at].chars().next_back().is_some_and(continues)
    };
    let declared: std::collections::BTreeSet<String> = code
        .lines()
        .flat_map(|line| {
            let keywords = [
                "mod ",
                "struct ",
                "enum ",
                "fn ",
                "trait ",
                "type ",
                "union ",
                "const ",
                "static ",
                "macro_rules! ",
            ];
            keywords.into_iter().flat_map(move |k| {
                line.match_indices(k)
                    .filter(move |(i, _)| starts(line, *i, &name))
                    .map(move |(i, _)| first_name(&line[i + k.len()..]))
            })
        })
        .filter(|n| !n.is_empty())
        .collect();
    code.lines().any(|line| {
        let uses = line
            .match_indices("use ")
            .filter(|(i, _)| starts(line, *i, &name))
            .map(|(i, _)| i + 4);
        // `::` after a name or `>` continues a path; anywhere else it starts one.
        let roots = line
            .match_indices("::")
            .filter(|(i, _)| starts(line, *i, &|c| name(c) || c == '>' || c == ':'))
            .map(|(i, _)| i);
        uses.chain(roots)
            .any(|i| declared.contains(&first_name(&line[i..])))
    })
}

/// Items a crate may have only one of: two merged snippets defining one each would give
/// the second an error it does not have alone.
const ONE_PER_CRATE: [&str; 3] = ["global_allocator", "panic_handler", "alloc_error_handler"];

/// Lints that look at the crate itself or at what it exports: denied in a snippet's
/// module (private, inside a program) they would not see what they see in the snippet's
/// own crate, so a snippet that denies them is compiled alone.
const CRATE_WIDE_LINTS: [&str; 6] = [
    "missing_docs",
    "missing_debug_implementations",
    "missing_copy_implementations",
    "unreachable_pub",
    "unused_crate_dependencies",
    "unused_extern_crates",
];

/// The lint level a crate attribute sets, when that is all it does: such an attribute
/// can be set on the snippet's module instead, where the lints of the snippet's code are
/// reported. `allow`, `warn` and `expect` make nothing fail (a merged program fails only
/// on errors). `deny` and `forbid` crate-wide can also reject what is outside the
/// module (the crate's own documentation, say): a snippet failing under them is
/// compiled alone for its verdict.
fn lint_level(attr: &str) -> Option<&'static str> {
    let a = attr.trim();
    let inner = a.strip_prefix("#![")?.strip_suffix(")]")?.trim_start();
    ["allow", "warn", "expect", "deny", "forbid"]
        .into_iter()
        .find(|level| {
            inner
                .strip_prefix(level)
                .is_some_and(|r| r.trim_start().starts_with('(') && !r.contains([']', '[']))
        })
}

fn has_fn_main(code: &str) -> bool {
    code.lines().any(|l| {
        let l = l.trim_start();
        let l = l.strip_prefix("pub ").unwrap_or(l);
        let l = l.strip_prefix("async ").unwrap_or(l);
        l.strip_prefix("fn").is_some_and(|r| {
            r.starts_with(char::is_whitespace)
                && r.trim_start()
                    .strip_prefix("main")
                    .is_some_and(|m| m.trim_start().starts_with(['(', '<']))
        })
    })
}

/// A program handed to rustc, with its line map.
struct Program {
    source: String,
    /// For each line of `source` (0-based): the snippet index and markdown line.
    lines: Vec<Option<(usize, Option<usize>)>>,
}

impl Program {
    fn push(&mut self, text: &str, origin: Option<(usize, Option<usize>)>) {
        self.source.push_str(text);
        self.source.push('\n');
        self.lines.push(origin);
    }
}

fn standalone_program(index: usize, p: &Prepared) -> Program {
    let mut prog = Program {
        source: String::new(),
        lines: Vec::new(),
    };
    prog.push("#![allow(unused)]", None);
    for a in &p.crate_attrs {
        prog.push(a, Some((index, None)));
    }
    for (line, md) in &p.body {
        prog.push(line, Some((index, *md)));
    }
    prog
}

/// The snippets `members` (indices into `prepared`) as one program, a module each.
fn merged_program(members: &[usize], prepared: &[Prepared]) -> Program {
    let mut prog = Program {
        source: String::new(),
        lines: Vec::new(),
    };
    prog.push("#![allow(unused)]", None);
    for index in members {
        let p = &prepared[*index];
        prog.push(&format!("mod __snippet_{index} {{"), None);
        // Lint levels of the crate, as the module's own (see `lint_level`).
        for a in &p.crate_attrs {
            prog.push(a, Some((*index, None)));
        }
        let module = format!("__snippet_{index}");
        for (line, md) in &p.body {
            if p.crate_paths {
                prog.push(&rooted_at(line, &module), Some((*index, *md)));
            } else {
                prog.push(line, Some((*index, *md)));
            }
        }
        prog.push("pub(crate) fn __run() -> std::process::ExitCode { std::process::Termination::report(main()) }", None);
        prog.push("}", None);
    }
    prog.push("fn main() -> std::process::ExitCode {", None);
    prog.push("    match std::env::args().nth(1).as_deref() {", None);
    for index in members {
        prog.push(
            &format!("        Some(\"{index}\") => __snippet_{index}::__run(),"),
            None,
        );
    }
    prog.push("        _ => std::process::ExitCode::FAILURE,", None);
    prog.push("    }", None);
    prog.push("}", None);
    prog
}

#[derive(Deserialize)]
struct RustcDiagnostic {
    message: String,
    code: Option<RustcCode>,
    level: String,
    spans: Vec<RustcSpan>,
}

#[derive(Deserialize)]
struct RustcCode {
    code: String,
}

#[derive(Deserialize)]
struct RustcSpan {
    line_start: usize,
    is_primary: bool,
}

/// A compiler error, located in the program.
#[derive(Debug, Clone)]
struct CompileError {
    code: Option<String>,
    message: String,
    origin: Option<(usize, Option<usize>)>,
    /// rustc crashed here (an internal compiler error): the place points at the snippet
    /// that set it off, not at a mistake in it.
    crash: bool,
}

impl CompileError {
    fn describe(&self) -> String {
        if self.crash {
            return format!("error: internal compiler error: {}", self.message);
        }
        match &self.code {
            Some(code) => format!("error[{code}]: {}", self.message),
            None => format!("error: {}", self.message),
        }
    }
}

/// Compiles `prog` in `dir`; `Ok(binary)` or the errors.
/// The name a `#![crate_name = "…"]` attribute gives the crate.
fn crate_name_attribute(source: &str) -> Option<&str> {
    source.lines().find_map(|l| {
        let rest = l.trim().strip_prefix("#![")?.trim_start();
        let rest = rest
            .strip_prefix("crate_name")?
            .trim_start()
            .strip_prefix('=')?;
        let name = rest.trim_start().strip_prefix('"')?;
        name.split('"').next()
    })
}

/// How far a compile goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Emit {
    /// A program to run.
    Binary,
    /// Type-checked only, as rustdoc compiles `no_run` and `compile_fail` blocks: no
    /// code generation and no linking, so `extern` functions need no library.
    Metadata,
}

fn compile(
    prog: &Program,
    crates: &super::crates::Crates,
    dir: &Path,
    edition: &str,
    test_harness: bool,
    emit: Emit,
) -> Result<std::path::PathBuf, Vec<CompileError>> {
    let src = dir.join("main.rs");
    let bin = dir.join(if cfg!(windows) {
        "snippet.exe"
    } else {
        "snippet"
    });
    std::fs::write(&src, &prog.source).map_err(|e| {
        vec![CompileError {
            code: None,
            message: format!("cannot write the program: {e}"),
            origin: None,
            crash: false,
        }]
    })?;
    // `#![crate_name = "x"]` must agree with `--crate-name`.
    let crate_name = crate_name_attribute(&prog.source).unwrap_or("snippet");
    let mut cmd = Command::new(&crates.rustc);
    cmd.arg("--edition")
        .arg(edition)
        .args(["--crate-name", crate_name])
        .args(match emit {
            Emit::Binary => &[][..],
            Emit::Metadata => &["--emit=metadata"][..],
        })
        .args([
            "--error-format=json",
            "-C",
            "debuginfo=0",
            "-C",
            "opt-level=0",
        ])
        .args(if test_harness {
            &["--test"][..]
        } else {
            &["--crate-type", "bin"][..]
        })
        .args(&crates.args)
        .arg("-o")
        .arg(&bin)
        .arg(&src)
        .current_dir(dir)
        .stdin(Stdio::null());
    let out = match cmd.output() {
        Ok(o) => o,
        Err(e) => {
            return Err(vec![CompileError {
                code: None,
                message: format!("cannot run rustc: {e}"),
                origin: None,
                crash: false,
            }]);
        }
    };
    if out.status.success() {
        return Ok(bin);
    }
    let mut errors = Vec::new();
    for line in String::from_utf8_lossy(&out.stderr).lines() {
        let Ok(d) = serde_json::from_str::<RustcDiagnostic>(line) else {
            continue;
        };
        // A crash is reported as an error of its own level, often at the code that set
        // it off: a merged program that crashes can then be split where it points.
        let crash = d.level == "error: internal compiler error";
        if !(d.level == "error" || crash) || d.message.starts_with("aborting due to") {
            continue;
        }
        let origin = d
            .spans
            .iter()
            .find(|s| s.is_primary)
            .or(d.spans.first())
            .and_then(|s| {
                prog.lines
                    .get(s.line_start.saturating_sub(1))
                    .copied()
                    .flatten()
            })
            .or_else(|| module_named(&d.message, prog));
        errors.push(CompileError {
            code: d.code.map(|c| c.code),
            message: d.message,
            origin,
            crash,
        });
    }
    if errors.iter().all(|e| e.crash) {
        // No error of the program's own: rustc itself failed (an internal compiler
        // error, say). Its own words, without the temporary folder (so the same input
        // gives the same report), shortened.
        let stderr = String::from_utf8_lossy(&out.stderr);
        let folder = format!("{}{}", dir.display(), std::path::MAIN_SEPARATOR);
        let rendered: Vec<String> = stderr
            .lines()
            .map(|l| match serde_json::from_str::<serde_json::Value>(l) {
                Ok(d) => d["rendered"].as_str().unwrap_or(l).trim_end().to_string(),
                Err(_) => l.to_string(),
            })
            .collect();
        let text = rendered.join("\n").replace(&folder, "");
        let mut lines: Vec<&str> = text.lines().take(20).collect();
        if text.lines().count() > lines.len() {
            lines.push("[…]");
        }
        errors.insert(
            0,
            CompileError {
                code: None,
                message: format!(
                    "rustc failed ({}) without an error in the snippet:\n{}",
                    out.status,
                    lines.join("\n")
                ),
                origin: None,
                crash: false,
            },
        );
    }
    Err(errors)
}

/// rustc's refusal of unstable features, when it refuses them: `p`'s `#![feature]`
/// lines compiled with nothing else.
fn features_refused(
    p: &Prepared,
    crates: &super::crates::Crates,
    edition: &str,
) -> Option<CompileError> {
    let dir = tempfile::Builder::new()
        .prefix("handbook-snippet-")
        .tempdir()
        .ok()?;
    let mut prog = Program {
        source: String::new(),
        lines: Vec::new(),
    };
    for attr in p.crate_attrs.iter().filter(|a| is_feature(a)) {
        prog.push(attr, None);
    }
    prog.push("fn main() {}", None);
    let errors = compile(&prog, crates, dir.path(), edition, false, Emit::Metadata).err()?;
    errors
        .into_iter()
        .find(|e| e.code.as_deref() == Some("E0554"))
}

/// The snippet whose module (`__snippet_N`) an error without a place names, as an
/// overflow evaluating a trait bound does: the snippet, at no line of its own.
fn module_named(message: &str, prog: &Program) -> Option<(usize, Option<usize>)> {
    let (_, rest) = message.split_once("__snippet_")?;
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let index: usize = rest[..digits].parse().ok()?;
    prog.lines
        .iter()
        .flatten()
        .any(|(i, _)| *i == index)
        .then_some((index, None))
}

/// The outcome of one run of a program.
struct RunOutcome {
    success: bool,
    timed_out: bool,
    status: String,
    stderr: String,
}

fn capped(mut r: impl std::io::Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buf = [0u8; 8192];
        let mut dropped = 0usize;
        while let Ok(n) = r.read(&mut buf) {
            if n == 0 {
                break;
            }
            let room = OUTPUT_CAP.saturating_sub(kept.len());
            kept.extend_from_slice(&buf[..n.min(room)]);
            dropped += n.saturating_sub(room);
        }
        let mut s = String::from_utf8_lossy(&kept).into_owned();
        if dropped > 0 {
            s.push_str(&format!("\n[{dropped} more bytes of output dropped]"));
        }
        s
    })
}

impl RunOutcome {
    fn not_started(e: &std::io::Error) -> RunOutcome {
        RunOutcome {
            success: false,
            timed_out: false,
            status: "could not start".into(),
            stderr: e.to_string(),
        }
    }
}

fn run(bin: &Path, arg: Option<usize>, timeout: Duration) -> RunOutcome {
    let dir = match tempfile::Builder::new().prefix("handbook-run-").tempdir() {
        Ok(d) => d,
        Err(e) => return RunOutcome::not_started(&e),
    };
    let mut cmd = Command::new(bin);
    if let Some(i) = arg {
        cmd.arg(i.to_string());
    }
    let child = cmd
        .current_dir(dir.path())
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => return RunOutcome::not_started(&e),
    };
    let out = capped(child.stdout.take().expect("piped"));
    let err = capped(child.stderr.take().expect("piped"));
    let (status, timed_out) = match child.wait_timeout(timeout) {
        Ok(Some(status)) => (Some(status), false),
        _ => {
            let _ = child.kill();
            (child.wait().ok(), true)
        }
    };
    let _ = out.join();
    let stderr = err.join().unwrap_or_default();
    RunOutcome {
        success: !timed_out && status.is_some_and(|s| s.success()),
        timed_out,
        status: status.map_or_else(|| "unknown".into(), |s| s.to_string()),
        stderr,
    }
}

/// Rewrites `…/main.rs:LINE:COL` in a panic message to the markdown line, and
/// returns the first such line.
fn map_panic(prog: &Program, text: &str) -> (String, Option<usize>) {
    let mut first = None;
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mapped = line.find("main.rs:").and_then(|at| {
            let start = line[..at]
                .rfind(|c: char| c.is_whitespace())
                .map_or(0, |i| i + 1);
            let rest = &line[at + "main.rs:".len()..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            let md = prog
                .lines
                .get(digits.parse::<usize>().ok()?.checked_sub(1)?)
                .copied()
                .flatten()?
                .1?;
            let end = at
                + "main.rs:".len()
                + rest
                    .find(|c: char| !c.is_ascii_digit() && c != ':')
                    .unwrap_or(rest.len());
            Some((
                format!(
                    "{}markdown line {md}{}",
                    &line[..start],
                    line[end..].trim_start_matches(':')
                ),
                md,
            ))
        });
        // `thread 'main' (12345) panicked`: the thread id changes on every run.
        let mapped = mapped.map(|(l, md)| (without_thread_id(&l), md));
        match mapped {
            Some((l, md)) => {
                first.get_or_insert(md);
                out.push_str(&l);
            }
            None => out.push_str(line),
        }
        out.push('\n');
    }
    (out.trim_end().to_string(), first)
}

fn without_thread_id(line: &str) -> String {
    match line.split_once("thread '").and_then(|(head, rest)| {
        let (name, rest) = rest.split_once("' (")?;
        let (id, tail) = rest.split_once(") ")?;
        id.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| format!("{head}thread '{name}' {tail}"))
    }) {
        Some(l) => l,
        None => line.to_string(),
    }
}

fn run_verdict(
    lang: &LangString,
    outcome: RunOutcome,
    timeout: Duration,
    prog: &Program,
) -> Verdict {
    let fail = |message: String| {
        let (message, line) = map_panic(prog, &message);
        Verdict::Failed { message, line }
    };
    if outcome.timed_out {
        return Verdict::TimedOut {
            message: format!(
                "timed out after {} s (an endless loop?); the run was stopped",
                timeout.as_secs()
            ),
        };
    }
    match (lang.should_panic, outcome.success) {
        (false, true) | (true, false) => Verdict::Passed,
        (true, true) => {
            fail("should_panic, but the program ran to the end without panicking".into())
        }
        (false, false) => {
            let panic = outcome
                .stderr
                .lines()
                .skip_while(|l| !l.contains("panicked at"))
                .take(3)
                .collect::<Vec<_>>()
                .join("\n");
            let detail = if panic.is_empty() {
                outcome.stderr.trim().to_string()
            } else {
                panic
            };
            fail(format!(
                "the program failed ({}):\n{detail}",
                outcome.status
            ))
        }
    }
}

/// A merged program compiled to a binary, kept with its folder while its snippets run.
struct Built {
    _dir: tempfile::TempDir,
    bin: std::path::PathBuf,
    prog: Program,
}

type RunState = (
    std::collections::VecDeque<(usize, std::sync::Arc<Built>)>,
    usize,
);

/// Runs waiting for a thread: the snippets of compiled programs, each with its program,
/// and how many compile workers may still add some.
struct RunQueue {
    state: std::sync::Mutex<RunState>,
    changed: std::sync::Condvar,
}

/// Held by a compile worker: when it drops (the worker is done, or panicked), the run
/// threads stop waiting for that worker's runs.
struct Compiler<'a>(&'a RunQueue);

impl Drop for Compiler<'_> {
    fn drop(&mut self) {
        let mut state = self.0.state.lock().unwrap_or_else(|e| e.into_inner());
        state.1 -= 1;
        self.0.changed.notify_all();
    }
}

impl RunQueue {
    fn new(compilers: usize) -> RunQueue {
        RunQueue {
            state: std::sync::Mutex::new((Default::default(), compilers)),
            changed: std::sync::Condvar::new(),
        }
    }

    fn compiler(&self) -> Compiler<'_> {
        Compiler(self)
    }

    fn push(&self, runs: impl IntoIterator<Item = (usize, std::sync::Arc<Built>)>) {
        self.state.lock().expect("not poisoned").0.extend(runs);
        self.changed.notify_all();
    }

    /// The next run, waiting for one while a compile worker is still at work; `None`
    /// when all is done.
    fn next(&self) -> Option<(usize, std::sync::Arc<Built>)> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(run) = state.0.pop_front() {
                return Some(run);
            }
            if state.1 == 0 {
                return None;
            }
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }
}

/// The merged programs of `groups` (one per edition and kind): the largest halved until
/// every worker has one, since rustc compiles a crate on one core and smaller crates
/// compile side by side. No more than that: each program pays rustc's start and link.
fn programs_for(mut groups: Vec<Vec<usize>>, workers: usize) -> Vec<Vec<usize>> {
    while groups.len() < workers {
        groups.sort_by_key(|g| std::cmp::Reverse(g.len()));
        let Some(largest) = groups.first_mut().filter(|g| g.len() >= 16) else {
            break;
        };
        let half = largest.split_off(largest.len() / 2);
        groups.push(half);
    }
    groups
}

/// `no_run` blocks are only type-checked, as rustdoc does. A `compile_fail` block is
/// compiled in full, as rustdoc does too: lints of the later passes (an index known to
/// be out of bounds, say) and the linker can reject a program that type-checks.
fn emit_of(lang: &LangString) -> Emit {
    if lang.no_run && !lang.compile_fail {
        Emit::Metadata
    } else {
        Emit::Binary
    }
}

/// Checks snippets. Returns one verdict per snippet and the number of rustc runs.
pub fn check(
    snippets: &[RustSnippet],
    crates: &super::crates::Crates,
    jobs: usize,
    timeout: Duration,
    progress: &indicatif::ProgressBar,
) -> (Vec<Verdict>, usize) {
    let mut verdicts: Vec<Option<Verdict>> = vec![None; snippets.len()];
    let prepared: Vec<Prepared> = snippets.iter().map(prepare).collect();
    let compiles = std::sync::atomic::AtomicUsize::new(0);

    // Standalone work and merge groups (one per edition), with `compile_fail` blocks
    // apart: they are type-checked together, each expected to fail.
    let mut groups: std::collections::BTreeMap<(&str, Emit), Vec<usize>> = Default::default();
    let mut failing: std::collections::BTreeMap<&str, Vec<usize>> = Default::default();
    let mut alone = Vec::new();
    let mut gated = Vec::new();
    for (i, s) in snippets.iter().enumerate() {
        if s.lang.ignore {
            verdicts[i] = Some(Verdict::Ignored);
        } else if s.lang.compile_fail && prepared[i].mergeable {
            failing.entry(s.edition.as_str()).or_default().push(i);
        } else if prepared[i].mergeable {
            groups
                .entry((s.edition.as_str(), emit_of(&s.lang)))
                .or_default()
                .push(i);
        } else if prepared[i].feature_line.is_some() && !s.lang.compile_fail {
            gated.push(i);
        } else {
            alone.push(i);
        }
    }

    enum Job {
        Alone(usize),
        Group(Vec<usize>),
        Failing(Vec<usize>),
        Gated(Vec<usize>),
    }
    // One merged program per edition, or more to keep every worker busy (`programs_for`).
    let workers = jobs.max(1);
    let mut waiting = Vec::new();
    let chunks: Vec<Vec<usize>> = groups
        .into_iter()
        .map(|((_, emit), mut members)| {
            // Snippets that sleep take time without using the machine: they get a small
            // program of their own, compiled first, so that their waits start early
            // and overlap the other compiles instead of ending the check.
            if emit == Emit::Binary {
                let (waits, rest): (Vec<usize>, Vec<usize>) = members
                    .iter()
                    .partition(|&&i| snippets[i].code.contains("sleep"));
                if !waits.is_empty() && !rest.is_empty() {
                    waiting.push(waits);
                    members = rest;
                }
            }
            members
        })
        .collect();
    let mut chunks = programs_for(chunks, workers);
    // Largest first, so a big merged program does not start last and hold up the end.
    chunks.sort_by_key(|c| std::cmp::Reverse(c.len()));
    let mut queue: std::collections::VecDeque<Job> =
        waiting.into_iter().chain(chunks).map(Job::Group).collect();
    queue.extend(
        programs_for(failing.into_values().collect(), workers)
            .into_iter()
            .map(Job::Failing),
    );
    if !gated.is_empty() {
        // A small compile that decides many blocks: first.
        queue.push_front(Job::Gated(gated));
    }
    queue.extend(alone.into_iter().map(Job::Alone));
    let runs = RunQueue::new(workers);
    // The jobs, and how many a worker is on: a worker with nothing to take waits while
    // another may still add one (the half of a program being halved).
    let work = std::sync::Mutex::new((queue, 0usize));
    let more = std::sync::Condvar::new();
    let results = std::sync::Mutex::new(Vec::<(usize, Verdict)>::new());

    let standalone = |i: usize| -> Verdict {
        let s = &snippets[i];
        let Ok(dir) = tempfile::Builder::new()
            .prefix("handbook-snippet-")
            .tempdir()
        else {
            return Verdict::Failed {
                message: "cannot create a temporary folder".into(),
                line: None,
            };
        };
        compiles.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let prog = standalone_program(i, &prepared[i]);
        match compile(
            &prog,
            crates,
            dir.path(),
            &s.edition,
            s.lang.test_harness,
            emit_of(&s.lang),
        ) {
            Ok(_) if s.lang.compile_fail => Verdict::Failed {
                message: "compile_fail, but the snippet compiled".into(),
                line: None,
            },
            Ok(_) if s.lang.no_run => Verdict::Passed,
            Ok(bin) => run_verdict(&s.lang, run(&bin, None, timeout), timeout, &prog),
            Err(errors) if s.lang.compile_fail => {
                let found: Vec<&str> = errors.iter().filter_map(|e| e.code.as_deref()).collect();
                let missing: Vec<&String> = s
                    .lang
                    .error_codes
                    .iter()
                    .filter(|c| !found.contains(&c.as_str()))
                    .collect();
                if missing.is_empty() {
                    Verdict::Passed
                } else {
                    Verdict::Failed {
                        message: format!(
                            "compile_fail expects {}, but the compiler reported {}",
                            missing
                                .iter()
                                .map(|c| c.as_str())
                                .collect::<Vec<_>>()
                                .join(", "),
                            errors
                                .iter()
                                .map(CompileError::describe)
                                .collect::<Vec<_>>()
                                .join("; ")
                        ),
                        line: errors.iter().find_map(|e| e.origin.and_then(|o| o.1)),
                    }
                }
            }
            Err(errors) => {
                let first = &errors[0];
                Verdict::Failed {
                    message: errors
                        .iter()
                        .map(CompileError::describe)
                        .collect::<Vec<_>>()
                        .join("\n"),
                    line: first.origin.and_then(|o| o.1),
                }
            }
        }
    };

    let group = |members: Vec<usize>| -> Vec<(usize, Verdict)> {
        let mut out = Vec::new();
        // Programs still to compile: the group, then what is left of it after its
        // failing snippets are taken out, or its halves.
        let mut pending = vec![members];
        while let Some(mut members) = pending.pop() {
            if members.is_empty() {
                continue;
            }
            let Ok(dir) = tempfile::Builder::new()
                .prefix("handbook-snippets-")
                .tempdir()
            else {
                out.extend(members.iter().map(|&i| {
                    (
                        i,
                        Verdict::Failed {
                            message: "cannot create a temporary folder".into(),
                            line: None,
                        },
                    )
                }));
                continue;
            };
            let prog = merged_program(&members, &prepared);
            compiles.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let first = &snippets[members[0]];
            match compile(
                &prog,
                crates,
                dir.path(),
                &first.edition,
                false,
                emit_of(&first.lang),
            ) {
                Ok(bin) => {
                    // Each snippet runs in its own process, on the run threads, while
                    // this worker goes on compiling.
                    let (no_run, to_run): (Vec<usize>, Vec<usize>) =
                        members.iter().partition(|&&i| snippets[i].lang.no_run);
                    out.extend(no_run.into_iter().map(|i| (i, Verdict::Passed)));
                    let built = std::sync::Arc::new(Built {
                        _dir: dir,
                        bin,
                        prog,
                    });
                    runs.push(to_run.into_iter().map(|i| (i, built.clone())));
                }
                Err(errors) => {
                    let mut failed: std::collections::BTreeMap<usize, Vec<&CompileError>> =
                        Default::default();
                    for e in &errors {
                        if let Some((i, _)) = e.origin {
                            failed.entry(i).or_default().push(e);
                        }
                    }
                    if failed.is_empty() {
                        // Errors we cannot place (rustc crashed, say): halve the
                        // program until the snippet that causes them compiles alone.
                        if members.len() <= 2 {
                            out.extend(members.iter().map(|&i| (i, standalone(i))));
                        } else {
                            // The other half goes to an idle worker: the halving is a
                            // chain of compiles that would otherwise run one at a time.
                            let second = members.split_off(members.len() / 2);
                            let mut work = work.lock().expect("not poisoned");
                            work.0.push_front(Job::Group(second));
                            more.notify_one();
                            pending.push(members);
                        }
                        continue;
                    }
                    for (i, errs) in &failed {
                        // Its messages would name the rewritten paths, its lints were
                        // denied for its module only, rustc crashed on it, or no error
                        // has a line of its own: the snippet's own compile gives the
                        // verdict, and the line, rustdoc gives.
                        let crashed = errs.iter().any(|e| e.crash);
                        let unlocated =
                            errs.iter().all(|e| e.origin.is_some_and(|o| o.1.is_none()));
                        if prepared[*i].crate_paths || prepared[*i].denies || crashed || unlocated {
                            out.push((*i, standalone(*i)));
                            continue;
                        }
                        out.push((
                            *i,
                            Verdict::Failed {
                                message: errs
                                    .iter()
                                    .map(|e| e.describe())
                                    .collect::<Vec<_>>()
                                    .join("\n"),
                                line: errs.iter().find_map(|e| e.origin.and_then(|o| o.1)),
                            },
                        ));
                    }
                    members.retain(|i| !failed.contains_key(i));
                    // The rest is compiled again, and may fail again (errors of a later
                    // phase show once the earlier ones are gone): a worker with nothing
                    // to do takes half of it, instead of waiting for this chain.
                    let mut work = work.lock().expect("not poisoned");
                    if members.len() >= 2 && work.0.is_empty() && work.1 < workers {
                        let second = members.split_off(members.len() / 2);
                        work.0.push_front(Job::Group(second));
                        more.notify_one();
                    }
                    drop(work);
                    pending.push(members);
                }
            }
        }
        out
    };

    // The error codes each of `members` shows, type-checked as one program; `None` when
    // no folder can be made for it.
    let type_check = |members: &[usize]| -> Option<std::collections::BTreeMap<usize, Vec<String>>> {
        let dir = tempfile::Builder::new()
            .prefix("handbook-snippets-")
            .tempdir()
            .ok()?;
        let prog = merged_program(members, &prepared);
        compiles.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let first = &snippets[members[0]];
        let errors = compile(
            &prog,
            crates,
            dir.path(),
            &first.edition,
            false,
            Emit::Metadata,
        )
        .err()
        .unwrap_or_default();
        let mut codes: std::collections::BTreeMap<usize, Vec<String>> = Default::default();
        for e in errors.into_iter().filter(|e| !e.crash) {
            if let Some((i, _)) = e.origin {
                codes.entry(i).or_default().extend(e.code);
            }
        }
        Some(codes)
    };
    // `compile_fail` blocks: one with an error of its own (and every error code it
    // names) fails as expected. An error of one can keep rustc from looking for
    // another's (it checks no borrows while a constant's definition is a cycle, for
    // one): the blocks that showed none are type-checked again without those that did,
    // until a round shows no more. A block left, or with other errors than it names,
    // gets its own compile, which gives rustdoc's verdict and message.
    let expected_failures = |members: Vec<usize>| -> Vec<(usize, Verdict)> {
        let mut verdicts = Vec::with_capacity(members.len());
        let mut pending = members;
        while !pending.is_empty() {
            let Some(codes) = type_check(&pending) else {
                break;
            };
            let (showed, silent): (Vec<usize>, Vec<usize>) =
                pending.iter().partition(|i| codes.contains_key(i));
            for i in showed {
                let failed_as_expected = snippets[i]
                    .lang
                    .error_codes
                    .iter()
                    .all(|c| codes[&i].contains(c));
                verdicts.push(match failed_as_expected {
                    true => (i, Verdict::Passed),
                    false => (i, standalone(i)),
                });
            }
            if silent.len() == pending.len() {
                break;
            }
            pending = silent;
        }
        verdicts.extend(pending.into_iter().map(|i| (i, standalone(i))));
        verdicts
    };

    // Blocks with `#![feature(…)]`: a compiler that refuses unstable features (stable,
    // beta) fails each of them with E0554, whatever else it holds, so one compile of a
    // block's feature lines alone asks it, instead of a compile per block. A compiler
    // that accepts them (nightly, `RUSTC_BOOTSTRAP`) gets each block alone.
    let gated = |members: Vec<usize>| -> Vec<(usize, Verdict)> {
        compiles.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let first = members[0];
        match features_refused(&prepared[first], crates, &snippets[first].edition) {
            Some(refusal) => members
                .iter()
                .map(|&i| {
                    let message = format!(
                        "{}\n(this compiler refuses every `#![feature]`: the block cannot \
                         compile here, whatever else it holds, and its other errors are not \
                         looked for; test it with a nightly compiler, or mark it `ignore`)",
                        refusal.describe()
                    );
                    let line = prepared[i].feature_line;
                    (i, Verdict::Failed { message, line })
                })
                .collect(),
            None => {
                let mut work = work.lock().expect("not poisoned");
                work.0.extend(members.into_iter().map(Job::Alone));
                more.notify_all();
                Vec::new()
            }
        }
    };

    let record = |done: Vec<(usize, Verdict)>| {
        progress.inc(done.len() as u64);
        results.lock().expect("not poisoned").extend(done);
    };
    // The next job, once there is one; `None` when the queue is empty and no worker
    // can add to it.
    let next_job = || -> Option<Job> {
        let mut work = work.lock().expect("not poisoned");
        loop {
            if let Some(job) = work.0.pop_front() {
                work.1 += 1;
                return Some(job);
            }
            if work.1 == 0 {
                return None;
            }
            work = more.wait(work).expect("not poisoned");
        }
    };
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let _done = runs.compiler();
                while let Some(job) = next_job() {
                    record(match job {
                        Job::Alone(i) => vec![(i, standalone(i))],
                        Job::Group(members) => group(members),
                        Job::Failing(members) => expected_failures(members),
                        Job::Gated(members) => gated(members),
                    });
                    work.lock().expect("not poisoned").1 -= 1;
                    more.notify_all();
                }
            });
        }
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some((i, built)) = runs.next() {
                    let s = &snippets[i];
                    let outcome = run(&built.bin, Some(i), timeout);
                    record(vec![(
                        i,
                        run_verdict(&s.lang, outcome, timeout, &built.prog),
                    )]);
                }
            });
        }
    });
    for (i, v) in results.into_inner().expect("not poisoned") {
        verdicts[i] = Some(v);
    }
    let verdicts = verdicts
        .into_iter()
        .map(|v| {
            v.unwrap_or(Verdict::Failed {
                message: "not checked".into(),
                line: None,
            })
        })
        .collect();
    (verdicts, compiles.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snippet(code: &str) -> RustSnippet {
        RustSnippet {
            code: code.into(),
            lang: super::super::extract::lang_string(""),
            edition: "2021".into(),
            first_line: 10,
        }
    }

    #[test]
    fn a_2015_snippet_with_paths_from_the_crate_root_is_compiled_alone() {
        let in_2015 = |code: &str| {
            let mut s = snippet(code);
            s.edition = "2015".into();
            prepare(&s).mergeable
        };
        for alone in [
            "mod a { pub fn f() {} }\nmod b { fn g() { ::a::f(); } }",
            "mod foo { pub mod x {} }\nmod bar { use foo::x; }",
            "enum E { A }\nuse E::A;",
            "mod m { pub struct X; }\nfn main() { use m::X; }",
        ] {
            assert!(!in_2015(alone), "{alone}");
            assert!(prepare(&snippet(alone)).mergeable, "{alone}");
        }
        for merged in [
            "use std::collections::HashMap;",
            "let v = ::std::vec::Vec::<u8>::new();",
            "let n = <u8 as Default>::default(); let s = String::new();",
            "use self::m::X; mod m { pub struct X; }",
            // Not the snippet's own: it resolves (or fails) the same way merged.
            "use rustc_middle::ty::TyCtxt;",
        ] {
            assert!(in_2015(merged), "{merged}");
        }
    }

    #[test]
    fn a_snippet_that_stops_rustcs_lexer_is_compiled_alone() {
        for ok in [
            "let c = 'a'; let s = \"x\"; /* c */ let r = r#\"q\"#;",
            "fn f<'a>(x: &'a [u8]) {}",
        ] {
            assert!(lexes_whole(ok), "{ok}");
            assert!(prepare(&snippet(ok)).mergeable, "{ok}");
        }
        // A backtick is an error rustc reports and reads past: it stays merged.
        assert!(lexes_whole("let x = `a`;"));
        for stops in [
            "let c = '\\u{41};",
            "/* open",
            "let s = \"open;",
            "fn f() {",
            "fn f() )",
            "let r = r#\"x\";",
        ] {
            assert!(!lexes_whole(stops), "{stops}");
            assert!(!prepare(&snippet(stops)).mergeable, "{stops}");
        }
    }

    #[test]
    fn an_error_without_a_place_is_given_to_the_module_it_names() {
        let mut prog = Program {
            source: String::new(),
            lines: Vec::new(),
        };
        prog.push("mod __snippet_7 {", None);
        prog.push("trait T {}", Some((7, Some(12))));
        assert_eq!(
            module_named("overflow evaluating `<() as __snippet_7::T>`", &prog),
            Some((7, None))
        );
        assert_eq!(module_named("overflow in `__snippet_8::T`", &prog), None);
        assert_eq!(module_named("mismatched types", &prog), None);
    }

    #[test]
    fn feature_attributes_are_recognised() {
        assert!(is_feature("#![feature(never_type)]"));
        assert!(is_feature("  #![ feature (a, b)]"));
        assert!(!is_feature("#![features_x]"));
        assert!(!is_feature("#![allow(unused)]"));
        let p = prepare(&snippet(
            "#![allow(unused)]\n#![feature(never_type)]\nfn main() {}",
        ));
        assert_eq!(p.feature_line, Some(11));
    }

    #[test]
    fn crate_paths_are_rooted_at_the_snippets_module() {
        assert_eq!(
            rooted_at("use crate::List::*; pub(crate) fn f() {}", "m"),
            "use crate::m::List::*; pub(crate) fn f() {}"
        );
        assert_eq!(
            rooted_at(
                "pub(in crate::a) fn g() { $crate::x!(); my_crate::y(); }",
                "m"
            ),
            "pub(in crate::m::a) fn g() { $crate::x!(); my_crate::y(); }"
        );
        let p = prepare(&snippet("use crate::List::*;\nenum List { Nil }\n"));
        assert!(p.mergeable && p.crate_paths);
        let p = prepare(&snippet(
            "#[global_allocator]\nstatic A: std::alloc::System = std::alloc::System;\n",
        ));
        assert!(!p.mergeable);
    }

    #[test]
    fn hidden_lines_main_and_result_wrapping() {
        let p = prepare(&snippet("# use std::fmt;\nlet x = 1;\n## not hidden\n"));
        let text: Vec<&str> = p.body.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(
            text,
            [
                "fn main() {",
                "use std::fmt;",
                "let x = 1;",
                "# not hidden",
                "}"
            ]
        );
        assert_eq!(p.body[2].1, Some(11));
        let p = prepare(&snippet(
            "let n: i32 = \"5\".parse()?;\nOk::<(), std::num::ParseIntError>(())\n",
        ));
        assert!(p.body[0].0.contains("_inner"));
        let p = prepare(&snippet("#![forbid(unsafe_code)]\nfn main() {}\n"));
        assert_eq!(p.crate_attrs, ["#![forbid(unsafe_code)]"]);
        assert!(p.mergeable && p.denies);
        let p = prepare(&snippet("//! A crate.\n#![deny(unused)]\nfn main() {}\n"));
        assert!(p.mergeable && p.denies);
        let p = prepare(&snippet("#![deny(missing_docs)]\npub fn f() {}\n"));
        assert!(!p.mergeable);
        let p = prepare(&snippet(
            "#![allow(dead_code)]\n#![warn(unused_labels, unreachable_code)]\nfn main() {}\n",
        ));
        assert!(p.mergeable);
        for attr in [
            "#![allow(dead_code)] #![feature(x)]",
            "#![feature(never_type)]",
            "#![allowed(x)]",
            "#![allow(x",
        ] {
            assert!(
                !prepare(&snippet(&format!("{attr}\nfn main() {{}}\n"))).mergeable,
                "{attr}"
            );
        }
        assert!(
            has_fn_main("pub fn main() {}")
                && has_fn_main("fn main<>() {}")
                && !has_fn_main("fn mainly() {}")
        );
    }
}
