//! `atlas seed-demo`'s WhatsApp set-up for "Agence Atlas Paris": credentials pointing at the
//! local fake provider of `make dev`, and two approved-looking templates. Idempotent: existing
//! settings and templates are left as they are (an admin may have changed them).
//!
//! The app secret and access token are dev values: they come from `ATLAS_DEV_WHATSAPP_APP_SECRET`
//! / `ATLAS_DEV_WHATSAPP_ACCESS_TOKEN`, with built-in defaults used only in dev mode
//! (`ATLAS_ENV=dev`). Outside dev mode without those variables the credentials are not written
//! (the templates still are): a real org is configured through `PUT /api/v1/settings/whatsapp`.

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text, Uuid as SqlUuid};
use uuid::Uuid;

use atlas_domain::usecases::whatsapp_config::verify_token_hash;
use atlas_domain::whatsapp::count_placeholders;

use crate::config::Config;
use crate::security::secretbox::DataKey;

/// The phone number id of the webhook fixtures (tests/fixtures/whatsapp).
pub const DEMO_PHONE_NUMBER_ID: &str = "109876543210";
pub const DEMO_VERIFY_TOKEN: &str = "atlas-dev-verify";
/// Dev-only defaults (never valid anywhere but the local fake); the Makefile's `dev` target passes
/// the same app secret to `atlas fake-whatsapp`.
pub const DEV_APP_SECRET: &str = "atlas-dev-app-secret";
pub const DEV_ACCESS_TOKEN: &str = "atlas-dev-access-token";

/// (code, body): UTILITY, French, active.
pub const DEMO_TEMPLATES: [(&str, &str); 2] = [
    ("confirmation_visite", "Bonjour {{1}}, votre visite du {{2}} est confirmée. À bientôt !"),
    ("relance_dossier", "Bonjour {{1}}, avez-vous pu réfléchir à notre proposition ?"),
];

pub struct DemoCredentials {
    pub access_token: String,
    pub app_secret: String,
}

/// What the WhatsApp part of the demo seed needs: the key that seals secrets (the server's own,
/// `DataKey::for_config`) and the dev credentials, if any.
pub struct DemoWhatsapp {
    pub key: DataKey,
    pub credentials: Option<DemoCredentials>,
}

impl DemoWhatsapp {
    pub fn from_env(config: &Config) -> DemoWhatsapp {
        let var = |k: &str| std::env::var(k).ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let dev = |default: &str| config.dev_mode.then(|| default.to_string());
        let app_secret = var("ATLAS_DEV_WHATSAPP_APP_SECRET").or_else(|| dev(DEV_APP_SECRET));
        let access_token = var("ATLAS_DEV_WHATSAPP_ACCESS_TOKEN").or_else(|| dev(DEV_ACCESS_TOKEN));
        let credentials = match (access_token, app_secret) {
            (Some(access_token), Some(app_secret)) => Some(DemoCredentials { access_token, app_secret }),
            _ => None,
        };
        DemoWhatsapp { key: DataKey::for_config(config), credentials }
    }
}

/// What one run wrote.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct DemoWhatsappSummary {
    pub settings_written: bool,
    pub templates_created: usize,
}

/// Settings (when credentials are given and the org has none) and the demo templates (those
/// missing) of `org`.
pub fn seed_whatsapp(conn: &mut PgConnection, org: Uuid, wa: &DemoWhatsapp) -> anyhow::Result<DemoWhatsappSummary> {
    let mut summary = DemoWhatsappSummary::default();
    if let Some(c) = &wa.credentials {
        let seal = |s: &str| wa.key.seal_bytes(s.as_bytes()).map_err(|e| anyhow::anyhow!("sealing a secret: {e:?}"));
        // ON CONFLICT without a target: the org's row, or another org already using the number.
        let n = diesel::sql_query(
            "INSERT INTO whatsapp_settings (org_id, phone_number_id, access_token, app_secret_sealed, verify_token_hash) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind::<SqlUuid, _>(org)
        .bind::<Text, _>(DEMO_PHONE_NUMBER_ID)
        .bind::<Text, _>(seal(&c.access_token)?)
        .bind::<Text, _>(seal(&c.app_secret)?)
        .bind::<Text, _>(verify_token_hash(DEMO_VERIFY_TOKEN))
        .execute(conn)?;
        summary.settings_written = n == 1;
    }
    for (code, body) in DEMO_TEMPLATES {
        let params = count_placeholders(body).map_err(|v| anyhow::anyhow!("template {code}: {}", v.message))?;
        let n = diesel::sql_query(
            "INSERT INTO whatsapp_template (org_id, id, code, language, category, body, param_count, active) \
             VALUES ($1, $2, $3, 'fr', 'UTILITY', $4, $5, TRUE) ON CONFLICT (org_id, code) DO NOTHING",
        )
        .bind::<SqlUuid, _>(org)
        .bind::<SqlUuid, _>(Uuid::now_v7())
        .bind::<Text, _>(code)
        .bind::<Text, _>(body)
        .bind::<Integer, _>(i32::try_from(params).unwrap_or(0))
        .execute(conn)?;
        summary.templates_created += n;
    }
    Ok(summary)
}
