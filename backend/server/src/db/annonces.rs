//! `AnnonceStore` over diesel. Every query filters on `org_id`.

use chrono::{DateTime, Utc};
use diesel::dsl::exists;
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sql_types::{Bool, Nullable, Text, Timestamptz};
use uuid::Uuid;

use atlas_domain::annonce::{AnnonceStatus, EnergyClass, PropertyType, TransactionType};
use atlas_domain::error::{DomainError, DomainResult};
use atlas_domain::identity::OrgId;
use atlas_domain::money::Money;
use atlas_domain::usecases::annonces::export::{AnnonceExportStore, ExportCursor};
use atlas_domain::usecases::annonces::{
    Annonce, AnnonceData, AnnonceFilter, AnnonceListQuery, AnnonceSortField, AnnonceStore, DELETE_REFUSED,
};

use super::schema::{annonce, dossier};
use super::{infra, Db};

define_sql_function! {
    /// SQL `lower()`, to use the `lower(title)` trigram and `lower(city)` indexes.
    fn lower(x: Nullable<Text>) -> Nullable<Text>;
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = annonce, check_for_backend(Pg))]
struct AnnonceRow {
    id: Uuid,
    reference: String,
    title: String,
    description: Option<String>,
    transaction_type: String,
    property_type: String,
    status: String,
    price_cents: Option<i64>,
    currency: String,
    surface_m2: Option<f64>,
    rooms: Option<i32>,
    bedrooms: Option<i32>,
    bathrooms: Option<i32>,
    address: Option<String>,
    postal_code: Option<String>,
    city: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    features: serde_json::Value,
    energy_class: Option<String>,
    climate_class: Option<String>,
    energy_cost_min: Option<i32>,
    energy_cost_max: Option<i32>,
    energy_cost_year: Option<i32>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    published_at: Option<DateTime<Utc>>,
    version: i32,
}

fn parse<T>(value: &str, what: &str, f: fn(&str) -> Option<T>) -> DomainResult<T> {
    f(value).ok_or_else(|| DomainError::Infra(format!("unknown annonce {what} in database: {value}")))
}

fn euros(v: Option<i32>) -> Option<Money> {
    v.map(|e| Money::from_cents(i64::from(e) * 100))
}

impl TryFrom<AnnonceRow> for Annonce {
    type Error = DomainError;

    fn try_from(r: AnnonceRow) -> DomainResult<Annonce> {
        let energy = |v: Option<String>| v.map(|s| parse(&s, "DPE class", EnergyClass::parse)).transpose();
        let features: Vec<String> = serde_json::from_value(r.features)
            .map_err(|e| DomainError::Infra(format!("annonce features are not a list of strings: {e}")))?;
        Ok(Annonce {
            id: r.id,
            reference: r.reference,
            status: parse(&r.status, "status", AnnonceStatus::parse)?,
            data: AnnonceData {
                title: r.title,
                description: r.description,
                transaction_type: parse(&r.transaction_type, "transaction type", TransactionType::parse)?,
                property_type: parse(&r.property_type, "property type", PropertyType::parse)?,
                price: r.price_cents.map(Money::from_cents),
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
                features,
                energy_class: energy(r.energy_class)?,
                climate_class: energy(r.climate_class)?,
                energy_cost_min: euros(r.energy_cost_min),
                energy_cost_max: euros(r.energy_cost_max),
                energy_cost_year: r.energy_cost_year,
            },
            created_at: r.created_at,
            updated_at: r.updated_at,
            published_at: r.published_at,
            version: r.version,
        })
    }
}

/// The mutable columns, written by insert and update alike (`None` is written as NULL).
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = annonce, treat_none_as_null = true)]
struct AnnonceChanges<'a> {
    title: &'a str,
    description: Option<&'a str>,
    transaction_type: &'a str,
    property_type: &'a str,
    status: &'a str,
    price_cents: Option<i64>,
    currency: &'a str,
    surface_m2: Option<f64>,
    rooms: Option<i32>,
    bedrooms: Option<i32>,
    bathrooms: Option<i32>,
    address: Option<&'a str>,
    postal_code: Option<&'a str>,
    city: Option<&'a str>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    features: serde_json::Value,
    energy_class: Option<&'a str>,
    climate_class: Option<&'a str>,
    energy_cost_min: Option<i32>,
    energy_cost_max: Option<i32>,
    energy_cost_year: Option<i32>,
    updated_at: DateTime<Utc>,
    published_at: Option<DateTime<Utc>>,
    version: i32,
}

/// Whole euros (the use case refuses cents and amounts beyond `i32`).
fn to_euros(m: Option<Money>) -> DomainResult<Option<i32>> {
    m.map(|m| i32::try_from(m.cents() / 100).map_err(|_| DomainError::invalid("energyCost", "is too large")))
        .transpose()
}

fn changes(a: &Annonce) -> DomainResult<AnnonceChanges<'_>> {
    let d = &a.data;
    Ok(AnnonceChanges {
        title: &d.title,
        description: d.description.as_deref(),
        transaction_type: d.transaction_type.as_str(),
        property_type: d.property_type.as_str(),
        status: a.status.as_str(),
        price_cents: d.price.map(Money::cents),
        currency: &d.currency,
        surface_m2: d.surface_m2,
        rooms: d.rooms,
        bedrooms: d.bedrooms,
        bathrooms: d.bathrooms,
        address: d.address.as_deref(),
        postal_code: d.postal_code.as_deref(),
        city: d.city.as_deref(),
        latitude: d.latitude,
        longitude: d.longitude,
        features: serde_json::Value::from(d.features.clone()),
        energy_class: d.energy_class.map(EnergyClass::as_str),
        climate_class: d.climate_class.map(EnergyClass::as_str),
        energy_cost_min: to_euros(d.energy_cost_min)?,
        energy_cost_max: to_euros(d.energy_cost_max)?,
        energy_cost_year: d.energy_cost_year,
        updated_at: a.updated_at,
        published_at: a.published_at,
        version: a.version,
    })
}

/// `%`, `_` and `\` are LIKE wildcards / the escape: a search for "50%" means the text "50%".
fn like_pattern(q: &str) -> String {
    let mut out = String::with_capacity(q.len() + 2);
    out.push('%');
    for c in q.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

type Boxed<'a> = annonce::BoxedQuery<'a, Pg>;

fn filtered(org: OrgId, f: &AnnonceFilter) -> Boxed<'static> {
    let mut query = annonce::table.filter(annonce::org_id.eq(org.0)).into_boxed();
    if let Some(s) = f.status {
        query = query.filter(annonce::status.eq(s.as_str()));
    }
    if let Some(t) = f.transaction_type {
        query = query.filter(annonce::transaction_type.eq(t.as_str()));
    }
    if let Some(p) = f.property_type {
        query = query.filter(annonce::property_type.eq(p.as_str()));
    }
    if let Some(city) = &f.city {
        query = query.filter(lower(annonce::city).eq(city.to_lowercase()));
    }
    if let Some(min) = f.min_price {
        query = query.filter(annonce::price_cents.ge(min.cents()));
    }
    if let Some(max) = f.max_price {
        query = query.filter(annonce::price_cents.le(max.cents()));
    }
    if let Some(text) = &f.q {
        let pattern = like_pattern(text);
        query = query.filter(
            lower(annonce::title.nullable())
                .like(pattern.clone())
                .or(lower(annonce::reference.nullable()).like(pattern.clone()))
                .or(lower(annonce::city).like(pattern)),
        );
    }
    query
}

fn sorted(query: Boxed<'static>, q: &AnnonceListQuery) -> Boxed<'static> {
    use AnnonceSortField::*;
    let query = match (q.sort, q.descending) {
        (CreatedAt, false) => query.order_by(annonce::created_at.asc()),
        (CreatedAt, true) => query.order_by(annonce::created_at.desc()),
        // Annonces without a price come last either way.
        (Price, false) => query.order_by(annonce::price_cents.asc().nulls_last()),
        (Price, true) => query.order_by(annonce::price_cents.desc().nulls_last()),
        (UpdatedAt, false) => query.order_by(annonce::updated_at.asc()),
        (UpdatedAt, true) => query.order_by(annonce::updated_at.desc()),
        (Reference, false) => query.order_by(annonce::reference.asc()),
        (Reference, true) => query.order_by(annonce::reference.desc()),
        (Title, false) => query.order_by(lower(annonce::title.nullable()).asc()),
        (Title, true) => query.order_by(lower(annonce::title.nullable()).desc()),
    };
    // A stable order across pages: ids are time-ordered (v7).
    if q.descending {
        query.then_order_by(annonce::id.desc())
    } else {
        query.then_order_by(annonce::id.asc())
    }
}

impl AnnonceStore for Db<'_> {
    fn insert_annonce(&mut self, org: OrgId, a: &Annonce) -> DomainResult<()> {
        diesel::insert_into(annonce::table)
            .values((
                annonce::org_id.eq(org.0),
                annonce::id.eq(a.id),
                annonce::reference.eq(&a.reference),
                annonce::created_at.eq(a.created_at),
                changes(a)?,
            ))
            .execute(self.conn)
            .map_err(|e| match e {
                DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                    DomainError::Conflict("an annonce with this reference already exists".into())
                }
                other => infra(other),
            })?;
        Ok(())
    }

    fn find_annonce(&mut self, org: OrgId, id: Uuid) -> DomainResult<Option<Annonce>> {
        annonce::table
            .find((org.0, id))
            .select(AnnonceRow::as_select())
            .first::<AnnonceRow>(self.conn)
            .optional()
            .map_err(infra)?
            .map(Annonce::try_from)
            .transpose()
    }

    fn lock_annonce(&mut self, org: OrgId, id: Uuid) -> DomainResult<Option<Annonce>> {
        annonce::table
            .find((org.0, id))
            .select(AnnonceRow::as_select())
            .for_update()
            .first::<AnnonceRow>(self.conn)
            .optional()
            .map_err(infra)?
            .map(Annonce::try_from)
            .transpose()
    }

    fn update_annonce(&mut self, org: OrgId, a: &Annonce) -> DomainResult<()> {
        let n = diesel::update(annonce::table.filter(annonce::org_id.eq(org.0)).filter(annonce::id.eq(a.id)))
            .set(changes(a)?)
            .execute(self.conn)
            .map_err(infra)?;
        if n == 0 {
            return Err(DomainError::NotFound);
        }
        Ok(())
    }

    fn delete_annonce(&mut self, org: OrgId, id: Uuid) -> DomainResult<()> {
        let n = diesel::delete(annonce::table.filter(annonce::org_id.eq(org.0)).filter(annonce::id.eq(id)))
            .execute(self.conn)
            .map_err(|e| match e {
                // an appointment (or a dossier created meanwhile) still points at it
                DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
                    DomainError::Conflict(DELETE_REFUSED.into())
                }
                other => infra(other),
            })?;
        if n == 0 {
            return Err(DomainError::NotFound);
        }
        Ok(())
    }

    fn annonce_has_dossiers(&mut self, org: OrgId, id: Uuid) -> DomainResult<bool> {
        diesel::select(exists(dossier::table.filter(dossier::org_id.eq(org.0)).filter(dossier::annonce_id.eq(id))))
            .get_result(self.conn)
            .map_err(infra)
    }

    fn list_annonces(&mut self, org: OrgId, q: &AnnonceListQuery) -> DomainResult<(Vec<Annonce>, u64)> {
        let total: i64 = filtered(org, &q.filter).count().get_result(self.conn).map_err(infra)?;
        let rows: Vec<AnnonceRow> = sorted(filtered(org, &q.filter), q)
            .limit(i64::from(q.size))
            .offset(i64::from(q.page) * i64::from(q.size))
            .select(AnnonceRow::as_select())
            .load(self.conn)
            .map_err(infra)?;
        let items = rows.into_iter().map(Annonce::try_from).collect::<DomainResult<Vec<_>>>()?;
        Ok((items, u64::try_from(total).unwrap_or(0)))
    }
}

impl AnnonceExportStore for Db<'_> {
    fn annonce_export_chunk(
        &mut self,
        org: OrgId,
        filter: &AnnonceFilter,
        after: Option<ExportCursor>,
        limit: u32,
    ) -> DomainResult<Vec<Annonce>> {
        let mut q = filtered(org, filter);
        if let Some((at, id)) = after {
            // A row-value comparison walks `annonce_list_idx` (org_id, created_at DESC, id DESC).
            q = q.filter(
                sql::<Bool>("(annonce.created_at, annonce.id) < (")
                    .bind::<Timestamptz, _>(at)
                    .sql(", ")
                    .bind::<diesel::sql_types::Uuid, _>(id)
                    .sql(")"),
            );
        }
        let rows: Vec<AnnonceRow> = q
            .order_by((annonce::created_at.desc(), annonce::id.desc()))
            .limit(i64::from(limit))
            .select(AnnonceRow::as_select())
            .load(self.conn)
            .map_err(infra)?;
        rows.into_iter().map(Annonce::try_from).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(like_pattern("Villa"), "%villa%");
        assert_eq!(like_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }
}
