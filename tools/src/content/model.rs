//! The YAML content model: one [`Doc`] per briefing file under `content/`.
//!
//! These types are the format's single definition: serde reads and writes them, and
//! schemars derives the JSON Schema that editors and `handbook validate` check against.
//! Relations are stored one way only (an action *addresses* insights, a quote *supports*
//! items, an item is *discussed in* sections); backlinks are computed by `xref`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One briefing and everything derived from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "handbook content file")]
pub struct Doc {
    /// The briefing's own metadata.
    pub briefing: BriefingMeta,
    /// Body sections of the briefing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<Section>,
    /// Key insights.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub insights: Vec<Insight>,
    /// Action items: the recommendations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<Action>,
    /// Quotes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quotes: Vec<Quote>,
}

/// Title, subtitle and introduction of a briefing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BriefingMeta {
    /// Stable id, unique across the knowledge base.
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9-]*$"))]
    pub id: String,
    /// The briefing's title.
    #[schemars(length(min = 1))]
    pub title: String,
    /// One or two sentences under the title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    /// The opening paragraphs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introduction: Option<String>,
    /// Two or three sentences that open the executive summary; the introduction's first
    /// sentences when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// When the briefing was written (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"))]
    pub date: Option<String>,
    /// Who wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub author: Option<String>,
    /// Where it comes from: a URL or a document reference (front matter `source`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub origin: Option<String>,
    /// Where the briefing text is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// Free-form labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The id of the briefing that replaces this one: it leaves the portfolio's home
    /// page and its pages say what replaced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9-]*$"))]
    pub superseded_by: Option<String>,
}

/// Provenance: the lines of the briefing an item was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The briefing file, relative to this YAML file's folder.
    #[schemars(length(min = 1))]
    pub file: String,
    /// First line, 1-based.
    #[schemars(range(min = 1))]
    pub line_start: u32,
    /// Last line, 1-based, inclusive.
    #[schemars(range(min = 1))]
    pub line_end: u32,
}

/// A body section of the briefing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// Stable id, unique across the knowledge base.
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9-]*$"))]
    pub id: String,
    /// The heading.
    #[schemars(length(min = 1))]
    pub title: String,
    /// The paragraphs (markdown).
    #[schemars(length(min = 1))]
    pub text: String,
    /// Where it was read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// Free-form labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

/// A key insight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Insight {
    /// Stable id, unique across the knowledge base.
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9-]*$"))]
    pub id: String,
    /// A short name for links and page titles.
    #[schemars(length(min = 1))]
    pub title: String,
    /// What the insight says (markdown).
    #[schemars(length(min = 1))]
    pub text: String,
    /// Why it matters; absent when the briefing gives none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<String>,
    /// Where it was read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// Free-form labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Sections that discuss this insight.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub discussed_in: Vec<Relation>,
    /// Insights of earlier briefings that this one updates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub updates: Vec<Relation>,
}

/// An action item: a recommendation leaders can act on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// Stable id, unique across the knowledge base.
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9-]*$"))]
    pub id: String,
    /// A short name for links and page titles.
    #[schemars(length(min = 1))]
    pub title: String,
    /// What to do (markdown).
    #[schemars(length(min = 1))]
    pub text: String,
    /// What it achieves; absent when the briefing gives none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<String>,
    /// Where it was read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// Free-form labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The insights this action answers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<Relation>,
    /// Sections that discuss this action.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub discussed_in: Vec<Relation>,
    /// Recommendations of earlier briefings that this one carries on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub continues: Vec<Relation>,
    /// Recommendations of earlier briefings that this one replaces.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replaces: Vec<Relation>,
    /// How urgent it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// The adoption phase it belongs to, 1 first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 9))]
    pub phase: Option<u8>,
    /// Who carries it, as a role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Where it stands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// When the status last changed (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"))]
    pub status_date: Option<String>,
    /// The quarter it should be done by (`2027-Q1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9]{4}-Q[1-4]$"))]
    pub target: Option<String>,
    /// The fingerprint of the insights it addresses when a contributor last checked
    /// that it still answers them (one 4-digit hex group per insight, in `addresses`
    /// order). When an insight's text changes, `validate` says so and gives the new
    /// fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9a-f]{4}(-[0-9a-f]{4})*$"))]
    pub reviewed: Option<String>,
}

/// A quotation that backs the briefing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Quote {
    /// Stable id, unique across the knowledge base.
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9-]*$"))]
    pub id: String,
    /// The words quoted, without quotation marks.
    #[schemars(length(min = 1))]
    pub text: String,
    /// Who said it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribution: Option<String>,
    /// Where it was read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// Free-form labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The insights or actions this quote supports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supports: Vec<Relation>,
}

/// How urgent an action is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    /// Do first.
    High,
    /// Do soon.
    Medium,
    /// Do when there is room.
    Low,
}

/// Where an action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Recommended, not yet decided.
    Proposed,
    /// Decided and planned.
    Accepted,
    /// Under way.
    InProgress,
    /// Finished.
    Done,
    /// Decided against.
    Dropped,
}

/// A reference to another item by id: a plain id when a contributor confirmed it, or
/// `{id, suggested: score}` when `ingest` proposed it from text similarity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Relation {
    /// Confirmed by a contributor.
    Curated(String),
    /// Proposed by `ingest`; confirm it by replacing it with the plain id.
    Suggested(Suggested),
}

/// A relation proposed by `ingest`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Suggested {
    /// The item referred to.
    pub id: String,
    /// Text similarity (cosine of TF-IDF vectors, 0 to 1) that led to the suggestion.
    #[schemars(range(min = 0.0, max = 1.0))]
    pub suggested: f64,
}

impl Relation {
    /// The id referred to.
    pub fn id(&self) -> &str {
        match self {
            Relation::Curated(id) => id,
            Relation::Suggested(s) => &s.id,
        }
    }

    /// Whether `ingest` proposed it and no contributor has confirmed it yet.
    pub fn is_suggested(&self) -> bool {
        matches!(self, Relation::Suggested(_))
    }
}

/// The JSON Schema of a content file, as printed by `handbook schema`.
pub fn schema() -> serde_json::Value {
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<Doc>();
    serde_json::to_value(schema).expect("a schema is plain JSON")
}
