//! `{{#ref id}}` in hand-written chapters: a link to an item, titled by the item.
//!
//! The syntax follows mdBook's own `{{#include …}}` directives, so contributors meet
//! one convention. An unknown id fails the build at the chapter's line and column with
//! the closest id. `\{{#ref id}}` is left alone: mdBook's `links` preprocessor, which
//! runs after this one, removes the backslash, as for its own directives.

use std::path::Path;

use crate::diagnostics::{Diagnostic, Location};
use crate::render::escape;
use crate::render::layout::Layout;
use crate::render::views::Views;
use crate::shared::closest;
use crate::xref::Knowledge;

const OPEN: &str = "{{#ref";

/// Expands every reference in `text`, the content of the chapter at `page` (its path
/// under `src/`) read from `file`.
pub fn expand(
    text: &str,
    file: &Path,
    k: &Knowledge,
    layout: &Layout,
    page: &str,
) -> Result<String, Vec<Diagnostic>> {
    if !text.contains(OPEN) {
        return Ok(text.to_string());
    }
    let views = Views { k, layout, page };
    let mut out = String::with_capacity(text.len());
    let mut problems = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    while let Some(at) = rest.find(OPEN) {
        let escaped = rest[..at].ends_with('\\');
        out.push_str(&rest[..at]);
        let after = &rest[at + OPEN.len()..];
        let Some(close) = after.find("}}") else {
            problems.push(located(
                text,
                file,
                offset + at,
                OPEN.len(),
                Diagnostic::error("`{{#ref` is not closed").help("write `{{#ref item-id}}`"),
            ));
            out.push_str(&rest[at..]);
            rest = "";
            break;
        };
        let directive = &rest[at..at + OPEN.len() + close + 2];
        let id = after[..close].trim();
        if escaped {
            out.push_str(directive);
        } else if !after.starts_with(char::is_whitespace) || id.is_empty() {
            problems.push(located(text, file, offset + at, directive.len(),
                Diagnostic::error(format!("malformed reference `{directive}`"))
                    .help("write `{{#ref item-id}}` with one id, e.g. `{{#ref memory-safety-eliminates-critical-vulnerability}}`")));
            out.push_str(directive);
        } else if k.get(id).is_some() {
            let link = views.link(id, false);
            out.push_str(&format!(
                "[{}]({})",
                escape::markdown(&link.title),
                link.href
            ));
        } else {
            let mut d = Diagnostic::error(format!("unknown id `{id}` in a reference"))
                .label("no item has this id");
            d = match closest(id, k.index.keys().map(String::as_str)) {
                Some(best) => d.help(format!("did you mean `{best}`?")),
                None => d.help("`handbook export` lists every id"),
            };
            problems.push(located(text, file, offset + at, directive.len(), d));
            out.push_str(directive);
        }
        let consumed = at + directive.len();
        offset += consumed;
        rest = &rest[consumed..];
    }
    out.push_str(rest);
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

fn located(text: &str, file: &Path, byte: usize, len: usize, d: Diagnostic) -> Diagnostic {
    let before = &text[..byte];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..byte].chars().count() + 1;
    let width = text[byte..(byte + len).min(text.len())].chars().count();
    d.at(Location::in_text(file, text, line, column, width))
}
