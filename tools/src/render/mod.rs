//! The render stage: the knowledge base → markdown pages, through handlebars templates.
//!
//! Templates are embedded in the binary and each one can be overridden by a file of the
//! same name in `theme/handbook/` (for example `theme/handbook/action-card.md.hbs`).
//! The registry runs in strict mode, so a misspelt field in a template is an error that
//! names the template and line instead of an empty string on the page. Every value
//! from YAML passes through [`escape::markdown`]: markdown survives, HTML does not.

pub mod escape;
pub mod graph;
pub mod layout;
pub mod portfolio;
pub mod views;

use std::collections::BTreeMap;
use std::path::Path;

use handlebars::{Context, Handlebars, Helper, HelperResult, Output, RenderContext};
use serde::Serialize;
use serde_json::json;

use crate::diagnostics::Diagnostic;
use crate::history::History;
use crate::xref::{Kind, Knowledge};
use layout::{
    BRIEFINGS_PAGE, CHANGES_PAGE, Layout, OWNERS_PAGE, QUARTERS_PAGE, ROADMAP_PAGE, SUMMARY_PAGE,
    TAGS_PAGE, briefing_page, list_page,
};
use views::{Views, action_order};

/// The embedded default templates, by name.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "executive-summary",
        include_str!("templates/executive-summary.md.hbs"),
    ),
    ("briefing", include_str!("templates/briefing.md.hbs")),
    ("section", include_str!("templates/section.md.hbs")),
    (
        "section-body",
        include_str!("templates/section-body.md.hbs"),
    ),
    (
        "insight-card",
        include_str!("templates/insight-card.md.hbs"),
    ),
    ("action-card", include_str!("templates/action-card.md.hbs")),
    ("quote-card", include_str!("templates/quote-card.md.hbs")),
    ("insights", include_str!("templates/insights.md.hbs")),
    (
        "recommendations",
        include_str!("templates/recommendations.md.hbs"),
    ),
    ("quotes", include_str!("templates/quotes.md.hbs")),
    ("matrix", include_str!("templates/matrix.md.hbs")),
    ("graph", include_str!("templates/graph.md.hbs")),
    ("tags", include_str!("templates/tags.md.hbs")),
    ("tag", include_str!("templates/tag.md.hbs")),
    ("roadmap", include_str!("templates/roadmap.md.hbs")),
    ("changes", include_str!("templates/changes.md.hbs")),
    ("decision", include_str!("templates/decision.md.hbs")),
    ("portfolio", include_str!("templates/portfolio.md.hbs")),
    ("briefings", include_str!("templates/briefings.md.hbs")),
    ("owners", include_str!("templates/owners.md.hbs")),
    ("quarters", include_str!("templates/quarters.md.hbs")),
];

/// Up to this many briefings, each is a top-level entry of the sidebar; beyond, they
/// are grouped under "All briefings".
pub const SIDEBAR_BRIEFINGS: usize = 20;

/// The folder under the book's `theme/` that overrides templates.
pub const THEME_SUBDIR: &str = "handbook";

/// The executive summary lists at most this many recommendations, so it fits a screen.
pub const SUMMARY_ACTIONS: usize = 12;

/// A generated page: its path under `src/`, its title, its markdown, its sub-pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Path under `src/`, e.g. `briefings/x/insights.md`.
    pub path: String,
    /// Title in the table of contents.
    pub title: String,
    /// Markdown.
    pub content: String,
    /// Sub-pages.
    pub children: Vec<Page>,
    /// The content file the page comes from, relative to the book root: where its edit
    /// link leads. `None` for a page drawn from several files.
    pub source: Option<String>,
}

impl Page {
    /// Names the content file this page and its sub-pages come from.
    fn sourced(mut self, file: &str) -> Page {
        self.source = Some(file.to_string());
        self.children = self.children.into_iter().map(|c| c.sourced(file)).collect();
        self
    }
}

/// All generated pages.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The executive summary: the book's first page.
    pub summary: Page,
    /// The leaders' other pages, after the summary: roadmap, what changed.
    pub leaders: Vec<Page>,
    /// The reference part: one entry per briefing, then tags.
    pub reference: Vec<Page>,
    /// The page plan, for resolving references in hand-written chapters.
    pub layout: Layout,
}

/// The handlebars registry with our templates.
pub struct Renderer {
    hb: Handlebars<'static>,
    /// Templates read from the theme, by name, with their file (to locate errors).
    overrides: BTreeMap<String, std::path::PathBuf>,
}

/// A helper that writes its one string argument transformed by `f`, unescaped: `f`
/// makes it safe for where it lands.
fn raw_helper(f: fn(&str) -> String) -> impl handlebars::HelperDef + Send + Sync {
    move |h: &Helper<'_>,
          _: &Handlebars<'_>,
          _: &Context,
          _: &mut RenderContext<'_, '_>,
          out: &mut dyn Output|
          -> HelperResult {
        let arg = h
            .param(0)
            .and_then(|v| v.value().as_str())
            .unwrap_or_default();
        out.write(&f(arg))?;
        Ok(())
    }
}

/// `{{anchor id}}`: a heading attribute giving the heading the item's id. Written raw,
/// because its braces must reach the markdown parser.
fn anchor(id: &str) -> String {
    let id: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    format!("{{#{id}}}")
}

/// `{{html-href href}}`: a page link for raw HTML, where mdBook does not turn `.md`
/// into `.html`; escaped for an attribute.
fn html_href(href: &str) -> String {
    escape::html(&layout::html_href(href))
}

impl Renderer {
    /// Registers the embedded templates, replaced by those found in
    /// `<theme_dir>/handbook/<name>.md.hbs`.
    pub fn new(theme_dir: Option<&Path>) -> Result<Renderer, Diagnostic> {
        let mut hb = Handlebars::new();
        let mut overrides = BTreeMap::new();
        hb.set_strict_mode(true);
        hb.set_prevent_indent(true);
        hb.register_escape_fn(escape::markdown);
        hb.register_helper("anchor", Box::new(raw_helper(anchor)));
        hb.register_helper("html-href", Box::new(raw_helper(html_href)));
        // `{{attr text}}`: text for an HTML attribute (quotes escaped too).
        hb.register_helper("attr", Box::new(raw_helper(escape::html)));
        for (name, default) in TEMPLATES {
            let custom = theme_dir.map(|d| {
                crate::diagnostics::normalize(&d.join(THEME_SUBDIR).join(format!("{name}.md.hbs")))
            });
            let (source, origin) = match custom.filter(|p| p.is_file()) {
                Some(path) => {
                    let bytes = std::fs::read(&path).map_err(|e| {
                        Diagnostic::error(format!("cannot read template `{}`: {e}", path.display()))
                    })?;
                    let text = crate::diagnostics::decode_utf8(&path, &bytes)?.to_string();
                    overrides.insert(name.to_string(), path.clone());
                    (text, path.display().to_string())
                }
                None => (default.to_string(), format!("built-in template `{name}`")),
            };
            hb.register_template_string(name, source).map_err(|e| {
                let mut d =
                    Diagnostic::error(format!("template error in {origin}: {}", e.reason()));
                if let Some((line, col)) = e.pos() {
                    let path = Path::new(&origin);
                    if path.is_file() {
                        let text = std::fs::read_to_string(path).unwrap_or_default();
                        d = d.at(crate::diagnostics::Location::in_text(
                            path, &text, line, col, 1,
                        ));
                    }
                }
                d.help("fix the handlebars syntax, or delete the file to use the built-in template")
            })?;
        }
        Ok(Renderer { hb, overrides })
    }

    fn render<T: Serialize>(&self, name: &str, data: &T) -> Result<String, Diagnostic> {
        self.hb.render(name, data).map_err(|e| {
            let mut d = Diagnostic::error(format!("cannot render template `{name}`: {e}"))
                .help("a template names a field that does not exist; compare it with the built-in template of the same name");
            // An error in a template from the theme is shown in that file.
            let file = e.template_name.as_ref().and_then(|t| self.overrides.get(t));
            if let (Some(file), Some(line)) = (file, e.line_no) {
                let text = std::fs::read_to_string(file).unwrap_or_default();
                d = d.at(crate::diagnostics::Location::in_text(file, &text, line, e.column_no.unwrap_or(1), 1));
            }
            d
        })
    }

    /// Renders every generated page of a knowledge base; `history` is what changed in
    /// its content.
    pub fn pages(&self, k: &Knowledge, history: &History) -> Result<Rendered, Diagnostic> {
        let layout = Layout::plan(k);
        let several = k.files.len() > 1;
        let summary = if several {
            self.portfolio(k, &layout, history)?
        } else {
            self.summary(k, &layout)?
        };
        let leaders = vec![
            self.roadmap(k, &layout, ROADMAP_PAGE, &portfolio::current(k))?,
            self.page(
                k,
                &layout,
                OWNERS_PAGE,
                "By owner",
                "owners",
                portfolio::owners,
            )?,
            self.page(k, &layout, QUARTERS_PAGE, "By quarter", "quarters", |v| {
                portfolio::quarters(v, history)
            })?,
            self.changes(k, &layout, history)?,
        ];
        let mut briefings = Vec::new();
        for file in portfolio::newest_first(k).into_iter().map(|i| &k.files[i]) {
            let page = self.briefing(k, &layout, &file.doc, several)?;
            briefings.push(page.sourced(&k.published(&file.path)));
        }
        let mut reference = Vec::new();
        if several {
            let mut all = self.page(
                k,
                &layout,
                BRIEFINGS_PAGE,
                "All briefings",
                "briefings",
                portfolio::all_briefings,
            )?;
            // Beyond a few dozen, the briefings fold under their list.
            if briefings.len() > SIDEBAR_BRIEFINGS {
                all.children = briefings;
                reference.push(all);
            } else {
                reference.push(all);
                reference.append(&mut briefings);
            }
        } else {
            reference.append(&mut briefings);
        }
        reference.push(self.tags(k, &layout)?);
        let (mut summary, mut leaders) = (summary, leaders);
        // With one briefing, every page comes from its file.
        if let [file] = k.files.as_slice() {
            let file = k.published(&file.path);
            summary = summary.sourced(&file);
            leaders = leaders.into_iter().map(|p| p.sourced(&file)).collect();
            reference = reference.into_iter().map(|p| p.sourced(&file)).collect();
        }
        Ok(Rendered {
            summary,
            leaders,
            reference,
            layout,
        })
    }

    /// A page rendered from one template with the data `data` builds for it.
    fn page(
        &self,
        k: &Knowledge,
        layout: &Layout,
        path: &str,
        title: &str,
        template: &str,
        data: impl FnOnce(&Views<'_>) -> serde_json::Value,
    ) -> Result<Page, Diagnostic> {
        let v = Views {
            k,
            layout,
            page: path,
        };
        Ok(Page {
            path: path.to_string(),
            title: title.to_string(),
            content: self.render(template, &data(&v))?,
            children: Vec::new(),
            source: None,
        })
    }

    /// The home page of a handbook of several briefings.
    fn portfolio(
        &self,
        k: &Knowledge,
        layout: &Layout,
        history: &History,
    ) -> Result<Page, Diagnostic> {
        let link = |to: &str| layout::relative(SUMMARY_PAGE, to);
        let links = json!({
            "all": link(BRIEFINGS_PAGE),
            "roadmap": link(ROADMAP_PAGE),
            "owners": link(OWNERS_PAGE),
            "quarters": link(QUARTERS_PAGE),
            "changes": link(CHANGES_PAGE),
        });
        self.page(
            k,
            layout,
            SUMMARY_PAGE,
            "Executive summary",
            "portfolio",
            |v| {
                let mut data = portfolio::home(v, history, links);
                data["title"] = json!("Executive summary");
                data
            },
        )
    }

    /// The one-screen decision of some briefings, from `page`: figures, progress, the
    /// recommendations in the order to act on them.
    fn decision(v: &Views<'_>, docs: &[&crate::content::Doc]) -> serde_json::Value {
        let k = v.k;
        let page = v.page;
        let mut actions: Vec<(usize, &crate::content::Action)> =
            docs.iter().flat_map(|d| &d.actions).enumerate().collect();
        actions.sort_by_key(|(i, a)| (action_order(a), *i));
        let total_actions = actions.len();
        let gaps: Vec<_> = k
            .coverage_gaps_in(docs)
            .into_iter()
            .map(|id| v.link(id, false))
            .collect();
        let all: Vec<_> = actions.iter().map(|(_, a)| *a).collect();
        json!({
            "progress": progress(&all),
            "roadmap": layout::relative(page, ROADMAP_PAGE),
            "changes": layout::relative(page, CHANGES_PAGE),
            "figures": {
                "insights": docs.iter().map(|d| d.insights.len()).sum::<usize>(),
                "actions": total_actions,
                "gaps": gaps.len(),
                "quotes": docs.iter().map(|d| d.quotes.len()).sum::<usize>(),
            },
            "actions": actions.iter().take(SUMMARY_ACTIONS).map(|(_, a)| v.action(a)).collect::<Vec<_>>(),
            "more": (total_actions > SUMMARY_ACTIONS).then(|| docs.first().map(|d| layout::relative(page, &list_page(&d.briefing.id, "recommendations", v.layout.expanded)))).flatten(),
            "gaps": gaps,
        })
    }

    fn summary(&self, k: &Knowledge, layout: &Layout) -> Result<Page, Diagnostic> {
        let v = Views {
            k,
            layout,
            page: SUMMARY_PAGE,
        };
        let docs: Vec<_> = k.files.iter().map(|f| &f.doc).collect();
        let several = docs.len() > 1;
        let title = match docs.as_slice() {
            [only] => only.briefing.title.clone(),
            _ => "Executive summary".to_string(),
        };
        let mut data = Self::decision(&v, &docs);
        data["title"] = json!(title);
        data["several"] = json!(several);
        data["briefings"] = json!(docs.iter().map(|d| json!({
            "title": d.briefing.title,
            "href": v.layout.href(SUMMARY_PAGE, &d.briefing.id),
            "subtitle": d.briefing.subtitle,
            "lede": d.briefing.summary.clone().or_else(|| d.briefing.introduction.as_deref().map(lede)),
        })).collect::<Vec<_>>());
        Ok(Page {
            path: SUMMARY_PAGE.to_string(),
            title: "Executive summary".to_string(),
            content: self.render("executive-summary", &data)?,
            children: Vec::new(),
            source: None,
        })
    }

    /// The roadmap of `docs` at `path`: their recommendations by phase. Across several
    /// briefings each card names its briefing, and the page links to each briefing's
    /// own roadmap.
    fn roadmap(
        &self,
        k: &Knowledge,
        layout: &Layout,
        path: &str,
        docs: &[&crate::content::Doc],
    ) -> Result<Page, Diagnostic> {
        let v = Views {
            k,
            layout,
            page: path,
        };
        let across = docs.len() > 1;
        let mut actions: Vec<(usize, &crate::content::Doc, &crate::content::Action)> = docs
            .iter()
            .flat_map(|d| d.actions.iter().map(move |a| (*d, a)))
            .enumerate()
            .map(|(i, (d, a))| (i, d, a))
            .collect();
        actions.sort_by_key(|(i, _, a)| (action_order(a), *i));
        let mut lanes: BTreeMap<Option<u8>, Vec<serde_json::Value>> = BTreeMap::new();
        for (_, d, a) in &actions {
            let mut card = json!(v.action(a));
            if across {
                card["briefing"] = json!(d.briefing.title);
            }
            lanes.entry(a.phase).or_default().push(card);
        }
        // Phases in order; recommendations without a phase last.
        let mut lanes: Vec<_> = lanes.into_iter().collect();
        lanes.sort_by_key(|(phase, _)| phase.is_none());
        let all: Vec<_> = actions.iter().map(|(_, _, a)| *a).collect();
        let briefings: Vec<serde_json::Value> = if across {
            docs.iter()
                .take(portfolio::HOME_BRIEFINGS)
                .map(|d| json!({ "title": d.briefing.title, "href": layout::relative(path, &list_page(&d.briefing.id, "roadmap", layout.expanded)) }))
                .collect()
        } else {
            Vec::new()
        };
        let data = json!({
            "progress": progress(&all),
            "briefings": briefings,
            "more_briefings": docs.len().saturating_sub(portfolio::HOME_BRIEFINGS),
            "all_briefings": layout::relative(path, BRIEFINGS_PAGE),
            "lanes": lanes.into_iter().map(|(phase, cards)| json!({
                "name": phase.map_or_else(|| "No phase".to_string(), |p| format!("Phase {p}")),
                "id": phase.map_or_else(|| "lane-unphased".to_string(), |p| format!("lane-{p}")),
                "cards": cards,
            })).collect::<Vec<_>>(),
        });
        Ok(Page {
            path: path.to_string(),
            title: "Roadmap".to_string(),
            content: self.render("roadmap", &data)?,
            children: Vec::new(),
            source: None,
        })
    }

    fn changes(
        &self,
        k: &Knowledge,
        layout: &Layout,
        history: &History,
    ) -> Result<Page, Diagnostic> {
        let v = Views {
            k,
            layout,
            page: CHANGES_PAGE,
        };
        let review: Vec<_> = k
            .files
            .iter()
            .flat_map(|f| &f.doc.actions)
            .map(|a| v.action(a))
            .filter(|a| !a.to_review.is_empty())
            .collect();
        let entries: Vec<_> = history
            .entries
            .iter()
            .map(|e| {
                json!({
                    "label": e.label, "date": e.date, "subject": e.subject,
                    "changes": e.changes.iter().map(|c| json!({
                        "kind": c.kind, "moves": c.moves, "title": c.title,
                        // Removed items have no page any more.
                        "href": k.get(&c.id).map(|_| v.layout.href(CHANGES_PAGE, &c.id)),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        let data = json!({
            "unavailable": history.unavailable,
            "truncated": history.truncated,
            "review": review,
            "entries": entries,
        });
        Ok(Page {
            path: CHANGES_PAGE.to_string(),
            title: "What changed".to_string(),
            content: self.render("changes", &data)?,
            children: Vec::new(),
            source: None,
        })
    }

    fn briefing(
        &self,
        k: &Knowledge,
        layout: &Layout,
        d: &crate::content::Doc,
        several: bool,
    ) -> Result<Page, Diagnostic> {
        let b = &d.briefing.id;
        let page_data = |page: &str| {
            let v = Views { k, layout, page };
            let (sections, insights, actions, quotes) = v.briefing_items(d);
            let b = &d.briefing;
            let link = |id: &str| json!({ "title": v.title(id), "href": v.layout.href(page, id) });
            let origin_url = b
                .origin
                .as_ref()
                .filter(|o| o.starts_with("https://") || o.starts_with("http://"));
            json!({
                "briefing": {
                    "title": b.title, "subtitle": b.subtitle,
                    "introduction": b.introduction,
                    "source": b.source.as_ref().map(|s| s.file.clone()),
                    "date": b.date, "author": b.author,
                    "origin": b.origin, "origin_url": origin_url,
                    "superseded_by": b.superseded_by.as_deref().filter(|id| k.get(id).is_some()).map(link),
                    "supersedes": k.supersedes(&b.id).into_iter().map(link).collect::<Vec<_>>(),
                },
                // With several briefings, each briefing's page opens with its own
                // one-screen decision.
                "decision": several.then(|| {
                    let mut decision = Self::decision(&v, &[d]);
                    decision["lede"] = json!(b.summary.clone().or_else(|| b.introduction.as_deref().map(lede)));
                    decision
                }),
                "compact": !layout.expanded,
                "counts": { "insights": insights.len(), "actions": actions.len(), "quotes": quotes.len() },
                "sections": sections, "insights": insights, "actions": actions, "quotes": quotes,
            })
        };
        let overview = briefing_page(b, layout.expanded);
        let mut page = Page {
            path: overview.clone(),
            title: d.briefing.title.clone(),
            content: self.render("briefing", &page_data(&overview))?,
            children: Vec::new(),
            source: None,
        };
        if !layout.expanded {
            // One page per briefing: matrix and graph follow the items on the same page.
            let v = Views {
                k,
                layout,
                page: &overview,
            };
            page.content.push('\n');
            page.content
                .push_str(&demote(&self.render("matrix", &matrix(&v, d))?));
            page.content.push('\n');
            page.content.push_str(&demote(
                &self.render("graph", &json!({ "svg": graph::svg(&v, d) }))?,
            ));
            return Ok(page);
        }
        for s in &d.sections {
            let path = format!("briefings/{b}/{}.md", s.id);
            let v = Views {
                k,
                layout,
                page: &path,
            };
            page.children.push(Page {
                title: s.title.clone(),
                content: self.render("section", &json!({ "section": v.section(s) }))?,
                path,
                children: Vec::new(),
                source: None,
            });
        }
        for (list, title) in [
            ("insights", "Key insights"),
            ("recommendations", "Recommendations"),
            ("quotes", "Quotes"),
        ] {
            let path = list_page(b, list, true);
            page.children.push(Page {
                title: title.to_string(),
                content: self.render(list, &page_data(&path))?,
                path,
                children: Vec::new(),
                source: None,
            });
        }
        if several {
            page.children
                .push(self.roadmap(k, layout, &list_page(b, "roadmap", true), &[d])?);
        }
        let path = list_page(b, "matrix", true);
        let v = Views {
            k,
            layout,
            page: &path,
        };
        page.children.push(Page {
            title: "Traceability matrix".to_string(),
            content: self.render("matrix", &matrix(&v, d))?,
            path,
            children: Vec::new(),
            source: None,
        });
        let path = list_page(b, "graph", true);
        let v = Views {
            k,
            layout,
            page: &path,
        };
        page.children.push(Page {
            title: "Relation graph".to_string(),
            content: self.render("graph", &json!({ "svg": graph::svg(&v, d) }))?,
            path,
            children: Vec::new(),
            source: None,
        });
        Ok(page)
    }

    fn tags(&self, k: &Knowledge, layout: &Layout) -> Result<Page, Diagnostic> {
        // tag → kind → [(id, briefing title)]
        let mut tagged: BTreeMap<String, BTreeMap<Kind, Vec<(String, String)>>> = BTreeMap::new();
        for file in &k.files {
            let d = &file.doc;
            let mut add = |tags: &[String], kind: Kind, id: &str| {
                for t in tags {
                    let items = tagged
                        .entry(t.clone())
                        .or_default()
                        .entry(kind)
                        .or_default();
                    items.push((id.to_string(), d.briefing.title.clone()));
                }
            };
            add(&d.briefing.tags, Kind::Briefing, &d.briefing.id);
            d.sections
                .iter()
                .for_each(|x| add(&x.tags, Kind::Section, &x.id));
            d.insights
                .iter()
                .for_each(|x| add(&x.tags, Kind::Insight, &x.id));
            d.actions
                .iter()
                .for_each(|x| add(&x.tags, Kind::Action, &x.id));
            d.quotes
                .iter()
                .for_each(|x| add(&x.tags, Kind::Quote, &x.id));
        }
        let mut page = Page {
            path: TAGS_PAGE.to_string(),
            title: "Tags".to_string(),
            content: self.render(
                "tags",
                &json!({
                    "tags": tagged.iter().map(|(tag, kinds)| json!({
                        "name": tag,
                        "href": layout.tag_href(TAGS_PAGE, tag),
                        "count": kinds.values().map(Vec::len).sum::<usize>(),
                    })).collect::<Vec<_>>(),
                }),
            )?,
            children: Vec::new(),
            source: None,
        };
        // Every tag is a section of the one page, with its anchor.
        let v = Views {
            k,
            layout,
            page: TAGS_PAGE,
        };
        for (tag, kinds) in &tagged {
            let groups: Vec<_> = kinds.iter().map(|(kind, items)| json!({
                "heading": match kind {
                    Kind::Briefing => "Briefings", Kind::Section => "Sections", Kind::Insight => "Key insights",
                    Kind::Action => "Recommendations", Kind::Quote => "Quotes",
                },
                "items": items.iter().map(|(id, briefing)| {
                    let l = v.link(id, false);
                    json!({ "title": l.title, "href": l.href, "briefing": briefing })
                }).collect::<Vec<_>>(),
            })).collect();
            page.content.push('\n');
            page.content.push_str(&demote(&self.render(
                "tag",
                &json!({ "name": tag, "anchor": layout.tags[tag], "groups": groups }),
            )?));
        }
        Ok(page)
    }
}

/// The first sentences of an introduction, for the summary's lede: two, or one when
/// it is long enough alone.
fn lede(introduction: &str) -> String {
    let text = introduction
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let ends: Vec<usize> = text
        .char_indices()
        .zip(text.chars().skip(1))
        .filter(|((_, c), next)| matches!(c, '.' | '?' | '!') && *next == ' ')
        .map(|((i, _), _)| i + 1)
        .collect();
    let end = match ends.as_slice() {
        [] => text.len(),
        [first, ..] if *first >= 160 => *first,
        [_, second, ..] => *second,
        [first] => *first,
    };
    text[..end].to_string()
}

/// How far the recommendations have come: counts by status, for the progress line.
fn progress(actions: &[&crate::content::Action]) -> serde_json::Value {
    use crate::content::Status;
    let count = |s: Status| actions.iter().filter(|a| a.status == Some(s)).count();
    let total = actions.len();
    let done = count(Status::Done);
    let dropped = count(Status::Dropped);
    let open = total - dropped;
    json!({
        "total": total,
        "open": open,
        "done": done,
        "in_progress": count(Status::InProgress),
        "accepted": count(Status::Accepted),
        "proposed": total - done - dropped - count(Status::InProgress) - count(Status::Accepted),
        "dropped": dropped,
        // Of the recommendations not dropped, as a whole percentage for the bar.
        "percent": (done * 100).checked_div(open).unwrap_or(0),
    })
}

/// The traceability matrix of a briefing: insights × recommendations.
fn matrix(v: &Views<'_>, d: &crate::content::Doc) -> serde_json::Value {
    let actions: Vec<_> = d.actions.iter().map(|a| v.action(a)).collect();
    let columns: Vec<_> = actions
        .iter()
        .enumerate()
        .map(|(i, a)| {
            json!({
                "number": i + 1, "title": a.title, "href": a.href,
            })
        })
        .collect();
    let rows: Vec<_> = d.insights.iter().map(|x| {
        let insight = v.insight(x);
        let cells: Vec<_> = actions.iter().map(|a| {
            let review = a.to_review.iter().any(|l| l.id == x.id);
            let mark = a.addresses.iter().find(|l| l.id == x.id).map(|l| if l.suggested { "○" } else if review { "◎" } else { "●" });
            json!({ "mark": mark, "href": a.href })
        }).collect();
        json!({ "title": insight.title, "href": insight.href, "gap": insight.gap, "cells": cells })
    }).collect();
    json!({ "columns": columns, "rows": rows })
}

/// Turns a page's headings one level down, to embed it in another page.
fn demote(markdown: &str) -> String {
    markdown
        .lines()
        .map(|l| {
            if l.starts_with('#') {
                format!("#{l}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}
