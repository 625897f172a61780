//! `GET /api/v1/search` (PRODUCT.md §11).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One hit. `type` is `ANNONCE`, `DOSSIER`, `PARTIE` or `MESSAGE`.
///
/// `title` is plain text (render it escaped, like any other field). `snippet` is the one field that
/// carries markup: HTML-escaped user text in which only `<mark>` and `</mark>` are tags, so it may
/// be inserted as HTML as it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchHitDto {
    #[serde(rename = "type")]
    pub hit_type: String,
    pub id: Uuid,
    pub title: String,
    pub snippet: String,
    /// The dossier a party or a message belongs to; absent for annonces and dossiers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dossier_id: Option<Uuid>,
    /// Relevance, higher first: full-text rank plus bonuses for an exact reference (+10), a phone
    /// digit run (+2) and a partial reference or name (+1 / +0.5).
    pub score: f64,
}
