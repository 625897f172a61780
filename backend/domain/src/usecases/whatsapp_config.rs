//! WhatsApp configuration of an org (PRODUCT.md §10): the Cloud API settings (ADMIN, secrets
//! write-only) and the message templates (ADMIN write, AGENT+ read).

use chrono::{DateTime, Utc};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::{DomainError, DomainResult, FieldViolation};
use crate::identity::{Actor, Capability, OrgId};
use crate::ports::{AuditLog, NewAuditEvent};
use crate::validation::{check_len, finish};
use crate::whatsapp::{count_placeholders, TemplateCategory};

// ---------------------------------------------------------------------------------------------
// Settings

/// What may be shown of an org's settings: never a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsView {
    pub phone_number_id: String,
    pub updated_at: DateTime<Utc>,
}

/// Settings as stored: secrets sealed (encrypted) or hashed by the caller's [`SecretSealer`].
#[derive(Clone, PartialEq, Eq)]
pub struct SealedSettings {
    pub phone_number_id: String,
    pub access_token_sealed: String,
    pub app_secret_sealed: String,
    pub verify_token_hash: String,
}

pub struct SettingsInput {
    pub phone_number_id: String,
    pub access_token: String,
    pub app_secret: String,
    pub verify_token: String,
}

// Manual Debug: a stray `{:?}` must never print a secret (PRODUCT.md §12).
impl std::fmt::Debug for SettingsInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SettingsInput").field("phone_number_id", &self.phone_number_id).finish_non_exhaustive()
    }
}

pub trait WhatsappSettingsStore {
    fn whatsapp_settings(&mut self, org: OrgId) -> DomainResult<Option<SettingsView>>;
    /// The org that routes webhooks of this phone number id, if any.
    fn phone_number_id_owner(&mut self, phone_number_id: &str) -> DomainResult<Option<OrgId>>;
    /// Creates or replaces the org's settings; `Conflict` when another org took the phone number
    /// id meanwhile (unique index).
    fn upsert_whatsapp_settings(
        &mut self,
        org: OrgId,
        settings: &SealedSettings,
        now: DateTime<Utc>,
    ) -> DomainResult<SettingsView>;
}

/// Encrypts a secret for storage (AES-256-GCM in the server).
pub trait SecretSealer {
    fn seal(&self, plain: &str) -> DomainResult<String>;
}

/// How the verify token is stored: only equality is ever needed, so a hash (hex SHA-256) is
/// enough and a database leak does not hand it out.
pub fn verify_token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub const PHONE_NUMBER_ID_MAX: usize = 64;
pub const SECRET_MAX: usize = 4096;

pub fn get_settings(store: &mut impl WhatsappSettingsStore, actor: &Actor) -> DomainResult<Option<SettingsView>> {
    actor.require(Capability::Administer)?;
    store.whatsapp_settings(actor.org_id)
}

pub fn put_settings(
    store: &mut (impl WhatsappSettingsStore + AuditLog),
    sealer: &impl SecretSealer,
    actor: &Actor,
    input: SettingsInput,
    now: DateTime<Utc>,
    correlation_id: Option<String>,
) -> DomainResult<SettingsView> {
    actor.require(Capability::Administer)?;
    let phone_number_id = input.phone_number_id.trim().to_string();
    let mut errors = Vec::new();
    check_len(&mut errors, "phoneNumberId", &phone_number_id, 1, PHONE_NUMBER_ID_MAX);
    if !phone_number_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        errors.push(FieldViolation::new("phoneNumberId", "must contain only letters, digits, '-' and '_'"));
    }
    for (field, value) in
        [("accessToken", &input.access_token), ("appSecret", &input.app_secret), ("verifyToken", &input.verify_token)]
    {
        if value.trim().is_empty() {
            errors.push(FieldViolation::new(field, "must not be blank"));
        } else if value.len() > SECRET_MAX {
            errors.push(FieldViolation::new(field, format!("must be at most {SECRET_MAX} bytes")));
        }
    }
    finish(errors)?;
    if store.phone_number_id_owner(&phone_number_id)?.is_some_and(|o| o != actor.org_id) {
        return Err(taken());
    }
    let before = store.whatsapp_settings(actor.org_id)?;
    let sealed = SealedSettings {
        phone_number_id,
        access_token_sealed: sealer.seal(input.access_token.trim())?,
        app_secret_sealed: sealer.seal(input.app_secret.trim())?,
        verify_token_hash: verify_token_hash(input.verify_token.trim()),
    };
    let after = store.upsert_whatsapp_settings(actor.org_id, &sealed, now)?;
    // The audit trail records that secrets changed, never their values.
    let snapshot = |v: &SettingsView| json!({"phoneNumberId": v.phone_number_id, "configured": true});
    store.record(NewAuditEvent {
        org_id: actor.org_id,
        actor_user_id: Some(actor.user_id),
        action: if before.is_some() { "UPDATE" } else { "CREATE" },
        entity_type: "WHATSAPP_SETTINGS",
        entity_id: actor.org_id.0,
        before: before.as_ref().map(snapshot),
        after: Some(json!({"phoneNumberId": after.phone_number_id, "configured": true, "secretsReplaced": true})),
        correlation_id,
    })?;
    Ok(after)
}

pub fn taken() -> DomainError {
    DomainError::Conflict("this phoneNumberId is already configured by another organisation".into())
}

// ---------------------------------------------------------------------------------------------
// Templates

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateRecord {
    pub id: Uuid,
    pub code: String,
    pub language: String,
    pub category: TemplateCategory,
    pub body: String,
    pub param_count: u32,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateInput {
    pub code: Option<String>,
    pub language: String,
    pub category: String,
    pub body: String,
    pub active: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateSort {
    CreatedAt,
    UpdatedAt,
    Code,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateFilter {
    pub active: Option<bool>,
    pub category: Option<TemplateCategory>,
    pub language: Option<String>,
    pub sort: TemplateSort,
    pub descending: bool,
    pub page: u32,
    pub size: u32,
}

pub trait TemplateStore {
    fn list_templates(&mut self, org: OrgId, filter: &TemplateFilter) -> DomainResult<(Vec<TemplateRecord>, u64)>;
    fn template(&mut self, org: OrgId, code: &str) -> DomainResult<Option<TemplateRecord>>;
    /// `Conflict` when the code exists in the org.
    fn insert_template(&mut self, org: OrgId, t: &TemplateRecord) -> DomainResult<()>;
    /// Writes `t` (its `version` is the new one) when the stored version is still `expected`;
    /// false otherwise.
    fn update_template(&mut self, org: OrgId, t: &TemplateRecord, expected: i32) -> DomainResult<bool>;
    fn delete_template(&mut self, org: OrgId, code: &str) -> DomainResult<bool>;
}

pub const CODE_MAX: usize = 100;
/// WhatsApp's limit for a template body.
pub const BODY_MAX: usize = 1024;

pub fn valid_code(code: &str) -> bool {
    (1..=CODE_MAX).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// `fr`, `en`, `fr_FR`, `pt_BR`, `es_419`-free: ISO 639 language, optional ISO 3166 region.
pub fn valid_language(lang: &str) -> bool {
    let (l, region) = match lang.split_once('_') {
        Some((l, r)) => (l, Some(r)),
        None => (lang, None),
    };
    (2..=3).contains(&l.len())
        && l.bytes().all(|b| b.is_ascii_lowercase())
        && region.is_none_or(|r| r.len() == 2 && r.bytes().all(|b| b.is_ascii_uppercase()))
}

struct ValidTemplate {
    language: String,
    category: TemplateCategory,
    body: String,
    param_count: u32,
    active: bool,
}

fn validate_template(input: &TemplateInput, code: &str) -> DomainResult<ValidTemplate> {
    let mut errors = Vec::new();
    if !valid_code(code) {
        errors.push(FieldViolation::new("code", "must be 1 to 100 characters among a-z, 0-9 and _"));
    }
    let language = input.language.trim().to_string();
    if !valid_language(&language) {
        errors.push(FieldViolation::new("language", "must be a language code such as fr or fr_FR"));
    }
    let category = TemplateCategory::parse(input.category.trim());
    if category.is_none() {
        errors.push(FieldViolation::new("category", "must be one of UTILITY, MARKETING, AUTHENTICATION"));
    }
    let body = input.body.trim().to_string();
    check_len(&mut errors, "body", &body, 1, BODY_MAX);
    let count = match count_placeholders(&body) {
        Ok(n) => Some(n),
        Err(v) => {
            errors.push(v);
            None
        }
    };
    let (Some(category), Some(count)) = (category, count) else {
        return Err(DomainError::Validation(errors));
    };
    finish(errors)?;
    Ok(ValidTemplate {
        language,
        category,
        body,
        param_count: u32::try_from(count).unwrap_or(u32::MAX),
        active: input.active.unwrap_or(true),
    })
}

fn template_json(t: &TemplateRecord) -> serde_json::Value {
    json!({
        "id": t.id,
        "code": t.code,
        "language": t.language,
        "category": t.category.as_str(),
        "body": t.body,
        "paramCount": t.param_count,
        "active": t.active,
        "version": t.version,
    })
}

fn audit(
    actor: &Actor,
    action: &'static str,
    id: Uuid,
    before: Option<&TemplateRecord>,
    after: Option<&TemplateRecord>,
    corr: Option<String>,
) -> NewAuditEvent {
    NewAuditEvent::by(actor, action, "WHATSAPP_TEMPLATE", id, before.map(template_json), after.map(template_json), corr)
}

/// Reading templates is for AGENT and above (they send them); a VIEWER gets 403.
pub fn list_templates(
    store: &mut impl TemplateStore,
    actor: &Actor,
    filter: &TemplateFilter,
) -> DomainResult<(Vec<TemplateRecord>, u64)> {
    actor.require(Capability::Write)?;
    store.list_templates(actor.org_id, filter)
}

pub fn get_template(store: &mut impl TemplateStore, actor: &Actor, code: &str) -> DomainResult<TemplateRecord> {
    actor.require(Capability::Write)?;
    store.template(actor.org_id, code)?.ok_or(DomainError::NotFound)
}

pub fn create_template(
    store: &mut (impl TemplateStore + AuditLog),
    actor: &Actor,
    input: TemplateInput,
    now: DateTime<Utc>,
    corr: Option<String>,
) -> DomainResult<TemplateRecord> {
    actor.require(Capability::Administer)?;
    let code = input.code.as_deref().map(str::trim).unwrap_or_default().to_string();
    let v = validate_template(&input, &code)?;
    let t = TemplateRecord {
        id: Uuid::now_v7(),
        code,
        language: v.language,
        category: v.category,
        body: v.body,
        param_count: v.param_count,
        active: v.active,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    store.insert_template(actor.org_id, &t)?;
    store.record(audit(actor, "CREATE", t.id, None, Some(&t), corr))?;
    Ok(t)
}

pub fn update_template(
    store: &mut (impl TemplateStore + AuditLog),
    actor: &Actor,
    code: &str,
    input: TemplateInput,
    expected_version: Option<i32>,
    now: DateTime<Utc>,
    corr: Option<String>,
) -> DomainResult<TemplateRecord> {
    actor.require(Capability::Administer)?;
    let before = store.template(actor.org_id, code)?.ok_or(DomainError::NotFound)?;
    if input.code.as_deref().is_some_and(|c| c.trim() != code) {
        return Err(DomainError::invalid("code", "must equal the code in the path (a template's code cannot change)"));
    }
    let v = validate_template(&input, code)?;
    if expected_version.is_some_and(|e| e != before.version) {
        return Err(DomainError::VersionConflict);
    }
    let after = TemplateRecord {
        language: v.language,
        category: v.category,
        body: v.body,
        param_count: v.param_count,
        active: v.active,
        updated_at: now,
        version: before.version + 1,
        ..before.clone()
    };
    if !store.update_template(actor.org_id, &after, before.version)? {
        return Err(DomainError::VersionConflict);
    }
    store.record(audit(actor, "UPDATE", after.id, Some(&before), Some(&after), corr))?;
    Ok(after)
}

pub fn delete_template(
    store: &mut (impl TemplateStore + AuditLog),
    actor: &Actor,
    code: &str,
    corr: Option<String>,
) -> DomainResult<()> {
    actor.require(Capability::Administer)?;
    let before = store.template(actor.org_id, code)?.ok_or(DomainError::NotFound)?;
    if !store.delete_template(actor.org_id, code)? {
        return Err(DomainError::NotFound);
    }
    store.record(audit(actor, "DELETE", before.id, Some(&before), None, corr))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(code: &str, lang: &str, cat: &str, body: &str) -> TemplateInput {
        TemplateInput {
            code: Some(code.into()),
            language: lang.into(),
            category: cat.into(),
            body: body.into(),
            active: None,
        }
    }

    #[test]
    fn codes_and_languages() {
        for ok in ["rdv_rappel", "a", "x1_2", &"a".repeat(100)] {
            assert!(valid_code(ok), "{ok}");
        }
        for bad in ["", "RDV", "rdv-rappel", "rdv rappel", "é", &"a".repeat(101)] {
            assert!(!valid_code(bad), "{bad}");
        }
        for ok in ["fr", "en", "fr_FR", "pt_BR", "fil"] {
            assert!(valid_language(ok), "{ok}");
        }
        for bad in ["", "FR", "fr-FR", "fr_fr", "french", "fr_FRA", "f"] {
            assert!(!valid_language(bad), "{bad}");
        }
    }

    #[test]
    fn template_validation_collects_every_violation() {
        let ok = validate_template(&input("rdv", "fr", "UTILITY", "Bonjour {{1}}, RDV le {{2}}"), "rdv");
        assert!(matches!(ok, Ok(v) if v.param_count == 2 && v.active));
        match validate_template(&input("RDV", "french", "PROMO", "{{2}}"), "RDV") {
            Err(DomainError::Validation(v)) => {
                let fields: Vec<&str> = v.iter().map(|f| f.field.as_str()).collect();
                assert_eq!(fields, ["code", "language", "category", "body"]);
            }
            other => panic!("{:?}", other.map(|v| v.param_count)),
        }
        assert!(validate_template(&input("a", "fr", "MARKETING", "  "), "a").is_err());
        assert!(validate_template(&input("a", "fr", "MARKETING", "{{name}}"), "a").is_err());
    }

    #[test]
    fn verify_token_is_hashed_hex() {
        let h = verify_token_hash("tok");
        assert_eq!(h.len(), 64);
        assert_ne!(h, "tok");
        assert_eq!(h, verify_token_hash("tok"));
    }
}
