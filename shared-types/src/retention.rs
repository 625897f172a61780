//! DTOs of the retention settings (PRODUCT.md §12, `GET|PUT /api/v1/settings/retention`).

use serde::{Deserialize, Serialize};

/// Body of `PUT` and answer of `GET|PUT /api/v1/settings/retention`. Each value is a number of
/// days, or null to keep forever (the default). A field left out of a `PUT` means null.
/// Bounds: `messageContentDays` and `closedDossierAnonymiseDays` 1..36500, `auditDays` 30..36500.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RetentionSettingsDto {
    #[serde(default)]
    pub message_content_days: Option<i64>,
    #[serde(default)]
    pub audit_days: Option<i64>,
    #[serde(default)]
    pub closed_dossier_anonymise_days: Option<i64>,
}

pub const MESSAGE_CONTENT_DAYS_MIN: i64 = 1;
pub const AUDIT_DAYS_MIN: i64 = 30;
pub const ANONYMISE_DAYS_MIN: i64 = 1;
pub const DAYS_MAX: i64 = 36_500;
