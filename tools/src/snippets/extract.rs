//! Finding code blocks in markdown, and reading their info strings as rustdoc does.

use pulldown_cmark::{CodeBlockKind, Event, Tag, TagEnd};

/// A code block found in a markdown text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The info string after the opening fence (empty for indented blocks).
    pub info: String,
    /// Whether it was an indented block.
    pub indented: bool,
    /// The code, without the fences.
    pub code: String,
    /// 1-based line of the opening fence (of the first line for indented blocks).
    pub line: usize,
    /// 1-based line of the first line of code.
    pub code_line: usize,
}

/// Every fenced and indented code block of `text`, with its line. Parsed as mdBook
/// parses it, so that what is a code block here is a code block on the page.
pub fn blocks(text: &str) -> Vec<Block> {
    let line_of = |offset: usize| text[..offset].bytes().filter(|&b| b == b'\n').count() + 1;
    let mut out = Vec::new();
    let mut current: Option<Block> = None;
    for (event, range) in crate::shared::markdown(text).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let (info, indented) = match kind {
                    CodeBlockKind::Fenced(info) => (info.to_string(), false),
                    CodeBlockKind::Indented => (String::new(), true),
                };
                let line = line_of(range.start);
                current = Some(Block {
                    info,
                    indented,
                    code: String::new(),
                    line,
                    code_line: if indented { line } else { line + 1 },
                });
            }
            // Inside lists and quotes the code arrives one line per event.
            Event::Text(t) => {
                if let Some(block) = current.as_mut() {
                    block.code.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => out.extend(current.take()),
            _ => {}
        }
    }
    out
}

/// What rustdoc reads from an info string (`rust,should_panic`, `compile_fail,E0382`…).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LangString {
    /// Whether rustdoc treats the block as Rust.
    pub rust: bool,
    /// `ignore` (or an `ignore-<target>` variant).
    pub ignore: bool,
    /// `no_run`: compile only.
    pub no_run: bool,
    /// `should_panic`: passes when the program fails.
    pub should_panic: bool,
    /// `compile_fail`: passes when compilation fails.
    pub compile_fail: bool,
    /// Error codes that a `compile_fail` block must produce.
    pub error_codes: Vec<String>,
    /// `test_harness`: compiled as a test crate.
    pub test_harness: bool,
    /// `standalone_crate`: never merged with other doctests.
    pub standalone: bool,
    /// `editionNNNN`.
    pub edition: Option<String>,
    /// The first token that is not a rustdoc attribute (`toml`, `text`…), lower-cased.
    pub language: Option<String>,
}

/// Parses an info string with rustdoc's rules (`LangString::parse` in rustdoc): tokens
/// are split on commas, spaces and tabs; a block is Rust when it has no tokens, says
/// `rust`, or has rustdoc attributes that come before any other token. Error codes count
/// as attributes only after `compile_fail`'s kind of token, as on stable rustdoc, where
/// an unknown token first makes the block another language (`text,ignore` is not Rust,
/// `ignore,text` is).
pub fn lang_string(info: &str) -> LangString {
    let mut data = LangString {
        rust: true,
        ..LangString::default()
    };
    let mut seen_rust_tags = false;
    let mut seen_other_tags = false;
    let tokens = info
        .split([',', ' ', '\t'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        // `{.class}` attribute blocks are not tokens of the language string.
        .filter(|t| !t.starts_with('{') && !t.starts_with('.'));
    for token in tokens {
        match token {
            "should_panic" => {
                data.should_panic = true;
                seen_rust_tags = !seen_other_tags;
            }
            "no_run" => {
                data.no_run = true;
                seen_rust_tags = !seen_other_tags;
            }
            "ignore" => {
                data.ignore = true;
                seen_rust_tags = !seen_other_tags;
            }
            t if t.starts_with("ignore-") => {
                data.ignore = true;
                seen_rust_tags = !seen_other_tags;
            }
            "rust" => {
                data.rust = true;
                seen_rust_tags = true;
            }
            "test_harness" => {
                data.test_harness = true;
                seen_rust_tags = !seen_other_tags || seen_rust_tags;
            }
            "compile_fail" => {
                data.compile_fail = true;
                data.no_run = true;
                seen_rust_tags = !seen_other_tags || seen_rust_tags;
            }
            "standalone_crate" => {
                data.standalone = true;
                seen_rust_tags = !seen_other_tags || seen_rust_tags;
            }
            t if t.starts_with("edition") => {
                data.edition = Some(t["edition".len()..].to_string());
            }
            t if t.len() == 5
                && t.starts_with('E')
                && t[1..].bytes().all(|b| b.is_ascii_digit()) =>
            {
                // Stable rustdoc does not know error codes: they are "other" tokens for the
                // language decision, but we still require them after `compile_fail`.
                data.error_codes.push(t.to_string());
                seen_other_tags = true;
            }
            other => {
                seen_other_tags = true;
                if data.language.is_none() {
                    data.language = Some(other.to_string());
                }
            }
        }
    }
    data.rust &= !seen_other_tags || seen_rust_tags;
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_or_not_as_rustdoc_decides() {
        for (info, rust) in [
            ("", true),
            ("rust", true),
            ("ignore", true),
            ("should_panic", true),
            ("compile_fail,E0382", true),
            ("E0382,compile_fail", false),
            ("text", false),
            ("toml", false),
            ("text,ignore", false),
            ("ignore,text", true),
            ("rust,ignore", true),
            ("edition2021", true),
            ("rust edition2018", true),
            ("console", false),
        ] {
            assert_eq!(lang_string(info).rust, rust, "{info:?}");
        }
    }

    #[test]
    fn blocks_with_lines_in_lists_and_indented() {
        let text = "# T\n\n```rust\nlet a = 1;\n```\n\n    indented();\n\n- item\n\n  ```toml\n  a = 1\n  b = 2\n  ```\n";
        let b = blocks(text);
        assert_eq!(b.len(), 3);
        assert_eq!(
            (b[0].line, b[0].code_line, b[0].code.as_str()),
            (3, 4, "let a = 1;\n")
        );
        assert!(b[1].indented);
        assert_eq!(b[1].line, 7);
        assert_eq!(
            (b[2].info.as_str(), b[2].line, b[2].code.as_str()),
            ("toml", 11, "a = 1\nb = 2\n")
        );
    }
}

#[cfg(test)]
mod yaml_text_tests {
    #[test]
    fn a_fence_after_a_paragraph_is_on_its_own_line() {
        let text = "Observability shortens incidents.\n\n```rust\nlet budget: u32 = 5;\nassert_eq!(budget, 6);\n```\n";
        let b = super::blocks(text);
        assert_eq!(b.len(), 1);
        assert_eq!((b[0].line, b[0].code_line), (3, 4), "{b:?}");
    }
}
