//! Annonces use cases (PRODUCT.md §2): create, read, list, update, delete, status changes. Every
//! write records its audit event (entityType "ANNONCE") in the caller's transaction. Annonces have
//! no dossier of their own, hence no timeline activity.

use chrono::{DateTime, SubsecRound, Utc};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::annonce::{
    can_delete, can_transition, energy_warning, AnnonceDraft, AnnonceStatus, EnergyClass, PropertyType,
    TransactionType, ENERGY_WARNING_MENTION,
};
use crate::error::{DomainError, DomainResult, FieldViolation};
use crate::identity::{Actor, Capability, OrgId};
use crate::money::Money;
use crate::ports::{AuditLog, NewAuditEvent, OrgDirectory};
use crate::validation::finish;

pub const ENTITY_TYPE: &str = "ANNONCE";

/// The editable fields of a stored annonce: what a create or a full update writes.
#[derive(Debug, Clone, PartialEq)]
pub struct AnnonceData {
    pub title: String,
    pub description: Option<String>,
    pub transaction_type: TransactionType,
    pub property_type: PropertyType,
    pub price: Option<Money>,
    pub currency: String,
    pub surface_m2: Option<f64>,
    pub rooms: Option<i32>,
    pub bedrooms: Option<i32>,
    pub bathrooms: Option<i32>,
    pub address: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub features: Vec<String>,
    pub energy_class: Option<EnergyClass>,
    pub climate_class: Option<EnergyClass>,
    /// Whole euros per year (the DPE gives a rounded range).
    pub energy_cost_min: Option<Money>,
    pub energy_cost_max: Option<Money>,
    pub energy_cost_year: Option<i32>,
}

impl AnnonceData {
    /// The policy view, for [`AnnonceDraft::publish_requirements`].
    pub fn draft(&self) -> AnnonceDraft {
        AnnonceDraft {
            title: self.title.clone(),
            description: self.description.clone(),
            transaction_type: Some(self.transaction_type),
            property_type: Some(self.property_type),
            price: self.price,
            surface_m2: self.surface_m2,
            rooms: self.rooms,
            bedrooms: self.bedrooms,
            bathrooms: self.bathrooms,
            address: self.address.clone(),
            postal_code: self.postal_code.clone(),
            city: self.city.clone(),
            latitude: self.latitude,
            longitude: self.longitude,
            features: self.features.clone(),
            energy_class: self.energy_class,
            climate_class: self.climate_class,
            energy_cost_min: self.energy_cost_min,
            energy_cost_max: self.energy_cost_max,
            energy_cost_year: self.energy_cost_year,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Annonce {
    pub id: Uuid,
    pub reference: String,
    pub status: AnnonceStatus,
    pub data: AnnonceData,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub version: i32,
}

impl Annonce {
    pub fn energy_warning(&self) -> bool {
        energy_warning(self.data.energy_class)
    }

    /// The legal mention to show with the listing, when it applies.
    pub fn energy_warning_text(&self) -> Option<&'static str> {
        self.energy_warning().then_some(ENERGY_WARNING_MENTION)
    }

    /// Audit snapshot: the API representation (same camelCase names), so that the diff reads like
    /// the resource a client sees.
    pub fn snapshot(&self) -> Value {
        let d = &self.data;
        let money = |m: Option<Money>| m.map(Money::to_f64);
        json!({
            "id": self.id,
            "reference": self.reference,
            "title": d.title,
            "description": d.description,
            "transactionType": d.transaction_type.as_str(),
            "propertyType": d.property_type.as_str(),
            "status": self.status.as_str(),
            "price": money(d.price),
            "currency": d.currency,
            "surfaceM2": d.surface_m2,
            "rooms": d.rooms,
            "bedrooms": d.bedrooms,
            "bathrooms": d.bathrooms,
            "address": d.address,
            "postalCode": d.postal_code,
            "city": d.city,
            "latitude": d.latitude,
            "longitude": d.longitude,
            "features": d.features,
            "energyClass": d.energy_class.map(EnergyClass::as_str),
            "climateClass": d.climate_class.map(EnergyClass::as_str),
            "energyCostMin": money(d.energy_cost_min),
            "energyCostMax": money(d.energy_cost_max),
            "energyCostYear": d.energy_cost_year,
            "energyWarning": self.energy_warning(),
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "publishedAt": self.published_at,
            "version": self.version,
        })
    }
}

/// A create or update body as the client sent it; amounts are still JSON numbers so that every
/// violation (amounts included) is reported in one answer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AnnonceInput {
    pub title: Option<String>,
    pub description: Option<String>,
    pub transaction_type: Option<TransactionType>,
    pub property_type: Option<PropertyType>,
    pub price: Option<f64>,
    pub currency: Option<String>,
    pub surface_m2: Option<f64>,
    pub rooms: Option<i32>,
    pub bedrooms: Option<i32>,
    pub bathrooms: Option<i32>,
    pub address: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub features: Vec<String>,
    pub energy_class: Option<EnergyClass>,
    pub climate_class: Option<EnergyClass>,
    pub energy_cost_min: Option<f64>,
    pub energy_cost_max: Option<f64>,
    pub energy_cost_year: Option<i32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AnnonceSortField {
    #[default]
    CreatedAt,
    Price,
    UpdatedAt,
    Reference,
    Title,
}

impl AnnonceSortField {
    pub const NAMES: &'static [&'static str] = &["createdAt", "price", "updatedAt", "reference", "title"];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "createdAt" => Some(Self::CreatedAt),
            "price" => Some(Self::Price),
            "updatedAt" => Some(Self::UpdatedAt),
            "reference" => Some(Self::Reference),
            "title" => Some(Self::Title),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct AnnonceFilter {
    pub status: Option<AnnonceStatus>,
    pub transaction_type: Option<TransactionType>,
    pub property_type: Option<PropertyType>,
    /// Case-insensitive exact match.
    pub city: Option<String>,
    pub min_price: Option<Money>,
    pub max_price: Option<Money>,
    /// Case-insensitive substring of title, reference or city.
    pub q: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AnnonceListQuery {
    pub filter: AnnonceFilter,
    pub sort: AnnonceSortField,
    pub descending: bool,
    pub page: u32,
    pub size: u32,
}

pub trait AnnonceStore {
    fn insert_annonce(&mut self, org: OrgId, annonce: &Annonce) -> DomainResult<()>;
    fn find_annonce(&mut self, org: OrgId, id: Uuid) -> DomainResult<Option<Annonce>>;
    /// Same as [`Self::find_annonce`], locking the row until the transaction ends.
    fn lock_annonce(&mut self, org: OrgId, id: Uuid) -> DomainResult<Option<Annonce>>;
    /// Writes every mutable column (fields, status, dates, version) of an existing annonce.
    fn update_annonce(&mut self, org: OrgId, annonce: &Annonce) -> DomainResult<()>;
    /// A reference to it from a dossier or appointment surfaces as `Conflict`.
    fn delete_annonce(&mut self, org: OrgId, id: Uuid) -> DomainResult<()>;
    fn annonce_has_dossiers(&mut self, org: OrgId, id: Uuid) -> DomainResult<bool>;
    /// One page and the total count of matches.
    fn list_annonces(&mut self, org: OrgId, query: &AnnonceListQuery) -> DomainResult<(Vec<Annonce>, u64)>;
}

/// Outcome of a status change that the rules refuse: nothing is written, the client is told where
/// it may go from here (409 `INVALID_TRANSITION` with `allowed`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidTransition {
    pub from: AnnonceStatus,
    pub allowed: Vec<AnnonceStatus>,
}

pub fn get_annonce(store: &mut impl AnnonceStore, actor: &Actor, id: Uuid) -> DomainResult<Annonce> {
    actor.require(Capability::Read)?;
    store.find_annonce(actor.org_id, id)?.ok_or(DomainError::NotFound)
}

pub fn list_annonces(
    store: &mut impl AnnonceStore,
    actor: &Actor,
    query: &AnnonceListQuery,
) -> DomainResult<(Vec<Annonce>, u64)> {
    actor.require(Capability::Read)?;
    check_filter(&query.filter)?;
    store.list_annonces(actor.org_id, query)
}

/// Rules on the list filters beyond each parameter's own syntax (shared with the CSV export).
pub fn check_filter(filter: &AnnonceFilter) -> DomainResult<()> {
    if let (Some(min), Some(max)) = (filter.min_price, filter.max_price) {
        if min > max {
            return Err(DomainError::invalid("minPrice", "must be less than or equal to maxPrice"));
        }
    }
    Ok(())
}

pub fn create_annonce(
    store: &mut (impl AnnonceStore + AuditLog + OrgDirectory),
    actor: &Actor,
    input: AnnonceInput,
    now: DateTime<Utc>,
    correlation_id: Option<String>,
) -> DomainResult<Annonce> {
    actor.require(Capability::Write)?;
    let now = stored_precision(now);
    let org = store.org_settings(actor.org_id)?;
    let data = parse_input(input, &org.currency)?;
    let annonce = Annonce {
        id: Uuid::now_v7(),
        reference: store.next_reference(actor.org_id, "ANN")?,
        status: AnnonceStatus::Draft,
        data,
        created_at: now,
        updated_at: now,
        published_at: None,
        version: 1,
    };
    store.insert_annonce(actor.org_id, &annonce)?;
    audit(store, actor, "CREATE", annonce.id, None, Some(annonce.snapshot()), correlation_id)?;
    Ok(annonce)
}

/// Full update (PUT). The status is not touched here. A PUBLISHED annonce must stay publishable,
/// so the publishing requirements apply to its update as well.
pub fn update_annonce(
    store: &mut (impl AnnonceStore + AuditLog + OrgDirectory),
    actor: &Actor,
    id: Uuid,
    input: AnnonceInput,
    expected_version: Option<i32>,
    now: DateTime<Utc>,
    correlation_id: Option<String>,
) -> DomainResult<Annonce> {
    actor.require(Capability::Write)?;
    let now = stored_precision(now);
    let org = store.org_settings(actor.org_id)?;
    let data = parse_input(input, &org.currency)?;
    let before = store.lock_annonce(actor.org_id, id)?.ok_or(DomainError::NotFound)?;
    check_version(&before, expected_version)?;
    if before.status == AnnonceStatus::Published {
        finish(data.draft().publish_requirements())?;
    }
    if data == before.data {
        return Ok(before);
    }
    let after = Annonce { data, updated_at: now, version: before.version + 1, ..before.clone() };
    store.update_annonce(actor.org_id, &after)?;
    audit(store, actor, "UPDATE", id, Some(before.snapshot()), Some(after.snapshot()), correlation_id)?;
    Ok(after)
}

/// DELETE: MANAGER+, only a DRAFT no dossier refers to; anything else is archived instead.
pub fn delete_annonce(
    store: &mut (impl AnnonceStore + AuditLog),
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    correlation_id: Option<String>,
) -> DomainResult<()> {
    actor.require(Capability::Manage)?;
    let before = store.lock_annonce(actor.org_id, id)?.ok_or(DomainError::NotFound)?;
    check_version(&before, expected_version)?;
    let has_dossiers = store.annonce_has_dossiers(actor.org_id, id)?;
    if !can_delete(before.status, has_dossiers) {
        return Err(DomainError::Conflict(DELETE_REFUSED.into()));
    }
    store.delete_annonce(actor.org_id, id)?;
    audit(store, actor, "DELETE", id, Some(before.snapshot()), None, correlation_id)
}

pub const DELETE_REFUSED: &str =
    "only a DRAFT annonce without dossiers can be deleted; archive it instead (PATCH its status to ARCHIVED)";

/// PATCH status. The outer error aborts the transaction (not found, role, missing publishing
/// requirements); the inner one is a refused move, answered with the allowed targets.
pub fn change_status(
    store: &mut (impl AnnonceStore + AuditLog),
    actor: &Actor,
    id: Uuid,
    to: AnnonceStatus,
    expected_version: Option<i32>,
    now: DateTime<Utc>,
    correlation_id: Option<String>,
) -> DomainResult<Result<Annonce, InvalidTransition>> {
    actor.require(Capability::Write)?;
    let now = stored_precision(now);
    let before = store.lock_annonce(actor.org_id, id)?.ok_or(DomainError::NotFound)?;
    check_version(&before, expected_version)?;
    if !can_transition(before.status, to) {
        return Ok(Err(InvalidTransition { from: before.status, allowed: before.status.allowed_targets().to_vec() }));
    }
    if to == AnnonceStatus::Published {
        let draft = before.data.draft();
        let mut violations = draft.validate_fields();
        violations.extend(draft.publish_requirements());
        finish(violations)?;
    }
    let published_at = match (to, before.published_at) {
        (AnnonceStatus::Published, None) => Some(now),
        (_, p) => p,
    };
    let after = Annonce { status: to, published_at, updated_at: now, version: before.version + 1, ..before.clone() };
    store.update_annonce(actor.org_id, &after)?;
    audit(store, actor, "STATUS_CHANGE", id, Some(before.snapshot()), Some(after.snapshot()), correlation_id)?;
    Ok(Ok(after))
}

/// PostgreSQL keeps microseconds: the answer to a write shows what a later read will show.
fn stored_precision(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

fn check_version(current: &Annonce, expected: Option<i32>) -> DomainResult<()> {
    match expected {
        Some(v) if v != current.version => Err(DomainError::VersionConflict),
        _ => Ok(()),
    }
}

fn audit(
    store: &mut impl AuditLog,
    actor: &Actor,
    action: &'static str,
    id: Uuid,
    before: Option<Value>,
    after: Option<Value>,
    correlation_id: Option<String>,
) -> DomainResult<()> {
    store.record(NewAuditEvent::by(actor, action, ENTITY_TYPE, id, before, after, correlation_id))
}

/// Trims text, turns blank optional text into null, converts amounts, and reports every violation
/// at once (field rules of [`AnnonceDraft::validate_fields`] plus the required types and currency).
pub fn parse_input(input: AnnonceInput, org_currency: &str) -> DomainResult<AnnonceData> {
    let mut errors: Vec<FieldViolation> = Vec::new();
    let mut money =
        |v: Option<f64>, field: &str| v.and_then(|v| Money::from_f64(v, field).map_err(|e| errors.push(e)).ok());
    let price = money(input.price, "price");
    let energy_cost_min = money(input.energy_cost_min, "energyCostMin");
    let energy_cost_max = money(input.energy_cost_max, "energyCostMax");
    for (field, m) in [("energyCostMin", energy_cost_min), ("energyCostMax", energy_cost_max)] {
        if let Some(m) = m {
            if m.cents() % 100 != 0 || m.cents() / 100 > i64::from(i32::MAX) {
                errors.push(FieldViolation::new(field, "must be a whole number of euros"));
            }
        }
    }
    let draft = AnnonceDraft {
        title: input.title.as_deref().map(str::trim).unwrap_or_default().to_string(),
        description: clean(input.description),
        transaction_type: input.transaction_type,
        property_type: input.property_type,
        price,
        surface_m2: input.surface_m2,
        rooms: input.rooms,
        bedrooms: input.bedrooms,
        bathrooms: input.bathrooms,
        address: clean(input.address),
        postal_code: clean(input.postal_code),
        city: clean(input.city),
        latitude: input.latitude,
        longitude: input.longitude,
        features: input.features.iter().map(|f| f.trim().to_string()).collect(),
        energy_class: input.energy_class,
        climate_class: input.climate_class,
        energy_cost_min,
        energy_cost_max,
        energy_cost_year: input.energy_cost_year,
    };
    let mut violations = draft.validate_fields();
    if draft.transaction_type.is_none() {
        violations.push(FieldViolation::new("transactionType", "is required"));
    }
    if draft.property_type.is_none() {
        violations.push(FieldViolation::new("propertyType", "is required"));
    }
    let currency = match clean(input.currency) {
        None => org_currency.to_string(),
        Some(c) if c.len() == 3 && c.chars().all(|ch| ch.is_ascii_uppercase()) => c,
        Some(_) => {
            violations.push(FieldViolation::new("currency", "must be an ISO 4217 code (3 capital letters)"));
            String::new()
        }
    };
    violations.extend(errors);
    let (Some(transaction_type), Some(property_type)) = (draft.transaction_type, draft.property_type) else {
        return Err(DomainError::Validation(violations));
    };
    finish(violations)?;
    Ok(AnnonceData {
        title: draft.title,
        description: draft.description,
        transaction_type,
        property_type,
        price: draft.price,
        currency,
        surface_m2: draft.surface_m2,
        rooms: draft.rooms,
        bedrooms: draft.bedrooms,
        bathrooms: draft.bathrooms,
        address: draft.address,
        postal_code: draft.postal_code,
        city: draft.city,
        latitude: draft.latitude,
        longitude: draft.longitude,
        features: draft.features,
        energy_class: draft.energy_class,
        climate_class: draft.climate_class,
        energy_cost_min: draft.energy_cost_min,
        energy_cost_max: draft.energy_cost_max,
        energy_cost_year: draft.energy_cost_year,
    })
}

fn clean(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

pub mod export;

#[cfg(test)]
mod tests;
