//! Escaping YAML text for the markdown pages mdBook turns into HTML.
//!
//! Text fields may use markdown emphasis and links, so markdown syntax is kept, but
//! nothing in them may become HTML or script: `<`, `>` and `&` become entities (shown as
//! text), `{` and `}` too (so `{{#include …}}` in a quote is never expanded by mdBook),
//! `|` too (so a text cannot break a table), and links with a scheme that runs code
//! (`javascript:`, `vbscript:`, `data:`) lose their link syntax.

use pulldown_cmark::{Event, Parser, Tag};

/// Escapes one text value for a markdown template.
///
/// Inside code spans and code blocks entities would show literally, and HTML is shown as
/// text anyway, so code is kept as written; only mdBook's directives are escaped there,
/// in mdBook's own way (`\{{#…}}`).
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut last = 0;
    for range in code_ranges(text) {
        escape_prose(&text[last..range.start], &mut out);
        out.push_str(&text[range.start..range.end].replace("{{#", "\\{{#"));
        last = range.end;
    }
    escape_prose(&text[last..], &mut out);
    // Links are looked for in the escaped text: that is the text mdBook will parse.
    defuse_links(&out)
}

fn escape_prose(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '{' => out.push_str("&#123;"),
            '}' => out.push_str("&#125;"),
            '|' => out.push_str("&#124;"),
            _ => out.push(c),
        }
    }
}

/// Byte ranges of code spans and code blocks, in order and not overlapping.
fn code_ranges(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
    for (event, range) in Parser::new(text).into_offset_iter() {
        let code = matches!(event, Event::Code(_) | Event::Start(Tag::CodeBlock(_)));
        if code && ranges.last().is_none_or(|r| r.end <= range.start) {
            ranges.push(range);
        }
    }
    ranges
}

/// Escapes text for an HTML or SVG attribute or element embedded in a page (braces
/// too, so mdBook's directives cannot appear).
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '{' => out.push_str("&#123;"),
            '}' => out.push_str("&#125;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn unsafe_scheme(url: &str) -> bool {
    let lower: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    ["javascript:", "vbscript:", "data:"]
        .iter()
        .any(|s| lower.starts_with(s))
}

/// Rewrites markdown links and images whose target would run code into plain text, by
/// escaping their opening bracket so they no longer parse as links.
fn defuse_links(text: &str) -> String {
    let mut starts: Vec<usize> = Parser::new(text)
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. })
                if unsafe_scheme(&dest_url) =>
            {
                Some(range.start)
            }
            _ => None,
        })
        .collect();
    if starts.is_empty() {
        return text.to_string();
    }
    starts.sort_unstable();
    let mut out = String::with_capacity(text.len() + starts.len() * 2);
    let mut last = 0;
    for start in starts {
        out.push_str(&text[last..start]);
        // `![x](…)` starts at the `!`; `[x](…)` at the bracket. Autolinks start at `<`,
        // which is escaped anyway.
        let rest = &text[start..];
        if rest.starts_with('!') {
            out.push_str("!\\");
            last = start + 1;
        } else if rest.starts_with('[') {
            out.push('\\');
            last = start;
        } else {
            last = start;
        }
    }
    out.push_str(&text[last..]);
    // A defused link's target stays visible as text, and must not be linkified again.
    out.replace("javascript:", "javascript&#58;")
        .replace("JavaScript:", "JavaScript&#58;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_and_directives_become_text() {
        assert_eq!(
            markdown("<script>alert(1)</script> & {{#include x}}"),
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#123;&#123;#include x&#125;&#125;"
        );
    }

    #[test]
    fn code_stays_as_written_but_directives_are_escaped() {
        assert_eq!(
            markdown(
                "a < b and `x < y` then\n\n```rust\nlet v: Vec<u8> = vec![]; // {{#include x}}\n```\n"
            ),
            "a &lt; b and `x < y` then\n\n```rust\nlet v: Vec<u8> = vec![]; // \\{{#include x}}\n```\n"
        );
    }

    #[test]
    fn markdown_emphasis_and_safe_links_survive() {
        assert_eq!(markdown("*a* [b](https://x.org)"), "*a* [b](https://x.org)");
    }

    #[test]
    fn script_links_are_defused() {
        let out = markdown("[click](javascript:alert(1)) ![i](data:text/html,x)");
        assert!(out.starts_with("\\[click]"), "{out}");
        assert!(out.contains("!\\[i]"), "{out}");
        let html = {
            let mut s = String::new();
            pulldown_cmark::html::push_html(&mut s, Parser::new(&out));
            s
        };
        assert!(!html.contains("href=\"javascript"), "{html}");
        assert!(!html.contains("src=\"data"), "{html}");
    }
}
