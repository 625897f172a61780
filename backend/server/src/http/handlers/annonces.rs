//! HTTP handlers for annonces (PRODUCT.md §2).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;

use atlas_domain::annonce::{AnnonceStatus, EnergyClass, PropertyType, TransactionType};
use atlas_domain::identity::Capability;
use atlas_domain::money::Money;
use atlas_domain::usecases::annonces::{
    self as uc, Annonce, AnnonceFilter, AnnonceInput, AnnonceListQuery, AnnonceSortField, InvalidTransition,
};
use atlas_shared_types::annonce as dto;
use atlas_shared_types::{FieldError, Page};

use crate::db::in_tx;
use crate::http::context::RequestContext;
use crate::http::json::parse_json;
use crate::http::problem::ApiError;
use crate::http::query::path_id;
use crate::http::query::Query;
use crate::http::state::State;
use crate::http::versioning::{created_versioned, expected_version, ok_versioned};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/annonces").route(web::get().to(list)).route(web::post().to(create)))
        // Before `/annonces/{id}`: actix matches resources in registration order.
        .service(web::resource("/annonces/export.csv").route(web::get().to(super::csv_transfer::export_annonces)))
        .service(
            web::resource("/annonces/{id}")
                .route(web::get().to(get))
                .route(web::put().to(update))
                .route(web::delete().to(delete)),
        )
        .service(web::resource("/annonces/{id}/status").route(web::patch().to(change_status)));
}

fn names<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().copied().map(name).collect()
}

/// A malformed id is answered like an unknown one (PRODUCT.md §0).
/// The list filters (PRODUCT.md §2), shared with the CSV export. Amounts follow the body rules
/// (≥ 0, 2 decimals); their errors are returned apart and reported by [`finish`] with the others.
pub fn parse_filter(q: &mut Query) -> (AnnonceFilter, Vec<FieldError>) {
    let status = q.enumeration("status", AnnonceStatus::parse, &names(AnnonceStatus::ALL, AnnonceStatus::as_str));
    let transaction_type =
        q.enumeration("transactionType", TransactionType::parse, &names(TransactionType::ALL, TransactionType::as_str));
    let property_type =
        q.enumeration("propertyType", PropertyType::parse, &names(PropertyType::ALL, PropertyType::as_str));
    let city = q.text("city");
    let text = q.text("q");
    let min_price = q.number("minPrice");
    let max_price = q.number("maxPrice");
    let mut money_errors = Vec::new();
    let mut money = |v: Option<f64>, field: &str| {
        v.and_then(|v| {
            Money::from_f64(v, field)
                .map_err(|e| money_errors.push(FieldError { field: e.field, message: e.message }))
                .ok()
        })
    };
    let min_price = money(min_price, "minPrice");
    let max_price = money(max_price, "maxPrice");
    let filter = AnnonceFilter { status, transaction_type, property_type, city, min_price, max_price, q: text };
    (filter, money_errors)
}

/// Ends the parsing of [`parse_filter`]'s parameters: every problem at once.
pub fn finish(q: Query, mut money_errors: Vec<FieldError>) -> Result<(), ApiError> {
    if let Err(e) = q.finish() {
        money_errors.splice(0..0, e.errors.unwrap_or_default());
    }
    if money_errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(money_errors))
    }
}

pub async fn list(st: State, ctx: RequestContext, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let mut q = Query::parse(req.query_string())?;
    let (filter, money_errors) = parse_filter(&mut q);
    let page = q.page(AnnonceSortField::NAMES);
    finish(q, money_errors)?;
    let page = page.ok_or_else(ApiError::internal)?;
    let (sort, descending) = match &page.sort {
        Some(s) => (AnnonceSortField::parse(&s.field).unwrap_or_default(), s.descending),
        None => (AnnonceSortField::CreatedAt, true),
    };
    let query = AnnonceListQuery { filter, sort, descending, page: page.page, size: page.size };
    let actor = ctx.actor;
    let (items, total) = st.with_conn(move |conn, _| in_tx(conn, |db| uc::list_annonces(db, &actor, &query))).await?;
    Ok(HttpResponse::Ok().json(Page::new(items.iter().map(annonce_dto).collect(), page.page, page.size, total)))
}

pub async fn get(st: State, ctx: RequestContext, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?;
    let actor = ctx.actor;
    let a = st.with_conn(move |conn, _| in_tx(conn, |db| uc::get_annonce(db, &actor, id))).await?;
    Ok(ok_versioned(&annonce_dto(&a), a.version))
}

pub async fn create(st: State, ctx: RequestContext, body: web::Bytes) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Write)?;
    let input = input_from_dto(parse_json::<dto::CreateAnnonceRequest>(&body)?);
    let corr = ctx.correlation_id();
    let a =
        st.with_conn(move |conn, _| in_tx(conn, |db| uc::create_annonce(db, &actor, input, Utc::now(), corr))).await?;
    Ok(created_versioned(format!("/api/v1/annonces/{}", a.id), &annonce_dto(&a), a.version))
}

pub async fn update(
    st: State,
    ctx: RequestContext,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Write)?;
    let id = path_id(&path)?;
    let (fields, body_version) = parse_json::<dto::UpdateAnnonceRequest>(&body)?.into_parts();
    let expected = expected_version(&req, body_version)?;
    let input = input_from_dto(fields);
    let corr = ctx.correlation_id();
    let a = st
        .with_conn(move |conn, _| {
            in_tx(conn, |db| uc::update_annonce(db, &actor, id, input, expected, Utc::now(), corr))
        })
        .await?;
    Ok(ok_versioned(&annonce_dto(&a), a.version))
}

pub async fn delete(
    st: State,
    ctx: RequestContext,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Manage)?;
    let id = path_id(&path)?;
    let expected = expected_version(&req, None)?;
    let corr = ctx.correlation_id();
    st.with_conn(move |conn, _| in_tx(conn, |db| uc::delete_annonce(db, &actor, id, expected, corr))).await?;
    Ok(HttpResponse::NoContent().finish())
}

pub async fn change_status(
    st: State,
    ctx: RequestContext,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = ctx.actor;
    actor.require(Capability::Write)?;
    let id = path_id(&path)?;
    let to = status_from_dto(parse_json::<dto::AnnonceStatusRequest>(&body)?.status);
    let expected = expected_version(&req, None)?;
    let corr = ctx.correlation_id();
    let outcome = st
        .with_conn(move |conn, _| in_tx(conn, |db| uc::change_status(db, &actor, id, to, expected, Utc::now(), corr)))
        .await?;
    match outcome {
        Ok(a) => Ok(ok_versioned(&annonce_dto(&a), a.version)),
        Err(InvalidTransition { from, allowed }) => {
            let mut e = ApiError::new(
                StatusCode::CONFLICT,
                "INVALID_TRANSITION",
                format!("an annonce cannot move from {from} to {to}"),
            );
            e.allowed = Some(allowed.iter().map(|s| s.as_str().to_string()).collect());
            Err(e)
        }
    }
}

// ---- DTO conversions ------------------------------------------------------------------------

pub fn annonce_dto(a: &Annonce) -> dto::AnnonceDto {
    let d = &a.data;
    let money = |m: Option<Money>| m.map(Money::to_f64);
    dto::AnnonceDto {
        id: a.id,
        reference: a.reference.clone(),
        title: d.title.clone(),
        description: d.description.clone(),
        transaction_type: transaction_type_dto(d.transaction_type),
        property_type: property_type_dto(d.property_type),
        status: status_dto(a.status),
        price: money(d.price),
        currency: d.currency.clone(),
        surface_m2: d.surface_m2,
        rooms: d.rooms,
        bedrooms: d.bedrooms,
        bathrooms: d.bathrooms,
        address: d.address.clone(),
        postal_code: d.postal_code.clone(),
        city: d.city.clone(),
        latitude: d.latitude,
        longitude: d.longitude,
        features: d.features.clone(),
        energy_class: d.energy_class.map(energy_class_dto),
        climate_class: d.climate_class.map(energy_class_dto),
        energy_cost_min: money(d.energy_cost_min),
        energy_cost_max: money(d.energy_cost_max),
        energy_cost_year: d.energy_cost_year,
        energy_warning: a.energy_warning(),
        energy_warning_text: a.energy_warning_text().map(str::to_string),
        created_at: a.created_at,
        updated_at: a.updated_at,
        published_at: a.published_at,
        version: a.version,
    }
}

fn input_from_dto(r: dto::CreateAnnonceRequest) -> AnnonceInput {
    AnnonceInput {
        title: r.title,
        description: r.description,
        transaction_type: r.transaction_type.map(transaction_type_from_dto),
        property_type: r.property_type.map(property_type_from_dto),
        price: r.price,
        currency: r.currency,
        surface_m2: r.surface_m2,
        rooms: r.rooms,
        bedrooms: r.bedrooms,
        bathrooms: r.bathrooms,
        address: r.address,
        postal_code: r.postal_code,
        city: r.city,
        latitude: r.latitude,
        longitude: r.longitude,
        features: r.features.unwrap_or_default(),
        energy_class: r.energy_class.map(energy_class_from_dto),
        climate_class: r.climate_class.map(energy_class_from_dto),
        energy_cost_min: r.energy_cost_min,
        energy_cost_max: r.energy_cost_max,
        energy_cost_year: r.energy_cost_year,
    }
}

/// Generates both directions of a fieldless enum mapping; the compiler checks exhaustiveness.
macro_rules! enum_map {
    ($to_dto:ident, $from_dto:ident, $dom:ty, $dto:ty, [$($v:ident),+ $(,)?]) => {
        pub fn $to_dto(v: $dom) -> $dto {
            match v { $(<$dom>::$v => <$dto>::$v),+ }
        }
        pub fn $from_dto(v: $dto) -> $dom {
            match v { $(<$dto>::$v => <$dom>::$v),+ }
        }
    };
}

enum_map!(status_dto, status_from_dto, AnnonceStatus, dto::AnnonceStatus, [Draft, Published, Paused, Archived]);
enum_map!(transaction_type_dto, transaction_type_from_dto, TransactionType, dto::TransactionType, [Sale, Rent]);
enum_map!(
    property_type_dto,
    property_type_from_dto,
    PropertyType,
    dto::PropertyType,
    [Apartment, House, Land, Commercial, Office, Parking, Other]
);
enum_map!(energy_class_dto, energy_class_from_dto, EnergyClass, dto::EnergyClass, [A, B, C, D, E, F, G, NotSubject]);
