//! `AppointmentStore` over diesel. Every query is by `org_id`.

use chrono::{DateTime, Utc};
use diesel::dsl::count_star;
use diesel::pg::Pg;
use diesel::prelude::*;
use uuid::Uuid;

use atlas_domain::appointment::{AppointmentSlot, AppointmentStatus};
use atlas_domain::error::{DomainError, DomainResult};
use atlas_domain::identity::OrgId;
use atlas_domain::usecases::appointments::{AppointmentFilter, AppointmentRecord, AppointmentSort, AppointmentStore};

use super::schema::{annonce, appointment, dossier, membership};
use super::{infra, Db};

type Row = (
    Uuid,
    Uuid,
    Option<Uuid>,
    String,
    DateTime<Utc>,
    DateTime<Utc>,
    Option<String>,
    Option<Uuid>,
    String,
    Option<String>,
    DateTime<Utc>,
    DateTime<Utc>,
    i32,
);

type Cols = (
    appointment::id,
    appointment::dossier_id,
    appointment::annonce_id,
    appointment::title,
    appointment::starts_at,
    appointment::ends_at,
    appointment::location,
    appointment::assigned_to_user_id,
    appointment::status,
    appointment::notes,
    appointment::created_at,
    appointment::updated_at,
    appointment::version,
);

const COLS: Cols = (
    appointment::id,
    appointment::dossier_id,
    appointment::annonce_id,
    appointment::title,
    appointment::starts_at,
    appointment::ends_at,
    appointment::location,
    appointment::assigned_to_user_id,
    appointment::status,
    appointment::notes,
    appointment::created_at,
    appointment::updated_at,
    appointment::version,
);

type SlotRow = (Uuid, Option<Uuid>, DateTime<Utc>, DateTime<Utc>, String);

fn status(s: &str) -> DomainResult<AppointmentStatus> {
    AppointmentStatus::parse(s)
        .ok_or_else(|| DomainError::Infra(format!("unknown appointment status in database: {s}")))
}

fn record(r: Row) -> DomainResult<AppointmentRecord> {
    Ok(AppointmentRecord {
        id: r.0,
        dossier_id: r.1,
        annonce_id: r.2,
        title: r.3,
        starts_at: r.4,
        ends_at: r.5,
        location: r.6,
        assigned_to: r.7,
        status: status(&r.8)?,
        notes: r.9,
        created_at: r.10,
        updated_at: r.11,
        version: r.12,
    })
}

/// The filtered (not yet sorted or paged) query, built twice: for the count and for the page.
fn filtered<'a>(org: OrgId, f: &AppointmentFilter) -> appointment::BoxedQuery<'a, Pg> {
    let mut q = appointment::table.filter(appointment::org_id.eq(org.0)).into_boxed();
    if let Some(d) = f.dossier_id {
        q = q.filter(appointment::dossier_id.eq(d));
    }
    if let Some(u) = f.assigned_to {
        q = q.filter(appointment::assigned_to_user_id.eq(u));
    }
    // overlapping [from, to): ends after the start and starts before the end
    if let Some(from) = f.from {
        q = q.filter(appointment::ends_at.gt(from));
    }
    if let Some(to) = f.to {
        q = q.filter(appointment::starts_at.lt(to));
    }
    if let Some(s) = f.status {
        q = q.filter(appointment::status.eq(s.as_str()));
    }
    q
}

/// Client-caused foreign-key failures (a row deleted meanwhile) are a 404, never a 500.
fn write_error(e: diesel::result::Error) -> DomainError {
    match e {
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::ForeignKeyViolation, info) => {
            let field = match info.constraint_name().unwrap_or("") {
                c if c.contains("annonce") => "annonceId",
                c if c.contains("assigned") || c.contains("membership") => "assignedToUserId",
                _ => "dossierId",
            };
            DomainError::ReferenceNotFound(field)
        }
        other => infra(other),
    }
}

impl AppointmentStore for Db<'_> {
    fn appointment_dossier_exists(&mut self, org: OrgId, d: Uuid) -> DomainResult<bool> {
        diesel::select(diesel::dsl::exists(dossier::table.filter(dossier::org_id.eq(org.0)).filter(dossier::id.eq(d))))
            .get_result(self.conn)
            .map_err(infra)
    }

    fn appointment_annonce_exists(&mut self, org: OrgId, a: Uuid) -> DomainResult<bool> {
        diesel::select(diesel::dsl::exists(annonce::table.filter(annonce::org_id.eq(org.0)).filter(annonce::id.eq(a))))
            .get_result(self.conn)
            .map_err(infra)
    }

    fn lock_assignee(&mut self, org: OrgId, user: Uuid) -> DomainResult<bool> {
        // NO KEY UPDATE: serialises the agenda writers of this user without blocking the
        // foreign-key checks (KEY SHARE) of other transactions.
        membership::table
            .filter(membership::org_id.eq(org.0))
            .filter(membership::user_id.eq(user))
            .select(membership::user_id)
            .for_no_key_update()
            .first::<Uuid>(self.conn)
            .optional()
            .map(|o| o.is_some())
            .map_err(infra)
    }

    fn find_appointment(&mut self, org: OrgId, id: Uuid, for_update: bool) -> DomainResult<Option<AppointmentRecord>> {
        let q = appointment::table.filter(appointment::org_id.eq(org.0)).filter(appointment::id.eq(id)).select(COLS);
        let row = if for_update {
            q.for_update().first::<Row>(self.conn).optional()
        } else {
            q.first::<Row>(self.conn).optional()
        };
        row.map_err(infra)?.map(record).transpose()
    }

    fn list_appointments(&mut self, org: OrgId, f: &AppointmentFilter) -> DomainResult<(Vec<AppointmentRecord>, u64)> {
        let total: i64 = filtered(org, f).select(count_star()).get_result(self.conn).map_err(infra)?;
        let mut q = filtered(org, f).select(COLS);
        q = match (f.sort, f.descending) {
            (AppointmentSort::StartsAt, false) => q.order(appointment::starts_at.asc()),
            (AppointmentSort::StartsAt, true) => q.order(appointment::starts_at.desc()),
            (AppointmentSort::EndsAt, false) => q.order(appointment::ends_at.asc()),
            (AppointmentSort::EndsAt, true) => q.order(appointment::ends_at.desc()),
            (AppointmentSort::CreatedAt, false) => q.order(appointment::created_at.asc()),
            (AppointmentSort::CreatedAt, true) => q.order(appointment::created_at.desc()),
            (AppointmentSort::UpdatedAt, false) => q.order(appointment::updated_at.asc()),
            (AppointmentSort::UpdatedAt, true) => q.order(appointment::updated_at.desc()),
        };
        // ids are time-ordered (v7): a stable tie-break that follows the main direction
        q = if f.descending { q.then_order_by(appointment::id.desc()) } else { q.then_order_by(appointment::id.asc()) };
        let rows: Vec<Row> =
            q.limit(i64::from(f.size)).offset(i64::from(f.page) * i64::from(f.size)).load(self.conn).map_err(infra)?;
        let items = rows.into_iter().map(record).collect::<DomainResult<Vec<_>>>()?;
        Ok((items, u64::try_from(total).unwrap_or(0)))
    }

    fn assignee_slots(
        &mut self,
        org: OrgId,
        user: Uuid,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> DomainResult<Vec<AppointmentSlot>> {
        let rows: Vec<SlotRow> = appointment::table
            .filter(appointment::org_id.eq(org.0))
            .filter(appointment::assigned_to_user_id.eq(user))
            .filter(appointment::status.ne(AppointmentStatus::Cancelled.as_str()))
            .filter(appointment::starts_at.lt(to))
            .filter(appointment::ends_at.gt(from))
            .order((appointment::starts_at.asc(), appointment::id.asc()))
            .select((
                appointment::id,
                appointment::assigned_to_user_id,
                appointment::starts_at,
                appointment::ends_at,
                appointment::status,
            ))
            .load(self.conn)
            .map_err(infra)?;
        rows.into_iter()
            .map(|(id, assigned_to, starts_at, ends_at, s)| {
                Ok(AppointmentSlot { id, assigned_to, starts_at, ends_at, status: status(&s)? })
            })
            .collect()
    }

    fn insert_appointment(&mut self, org: OrgId, a: &AppointmentRecord) -> DomainResult<()> {
        diesel::insert_into(appointment::table)
            .values((
                appointment::org_id.eq(org.0),
                appointment::id.eq(a.id),
                appointment::dossier_id.eq(a.dossier_id),
                appointment::annonce_id.eq(a.annonce_id),
                appointment::title.eq(&a.title),
                appointment::starts_at.eq(a.starts_at),
                appointment::ends_at.eq(a.ends_at),
                appointment::location.eq(&a.location),
                appointment::assigned_to_user_id.eq(a.assigned_to),
                appointment::status.eq(a.status.as_str()),
                appointment::notes.eq(&a.notes),
                appointment::created_at.eq(a.created_at),
                appointment::updated_at.eq(a.updated_at),
                appointment::version.eq(a.version),
            ))
            .execute(self.conn)
            .map_err(write_error)?;
        Ok(())
    }

    fn update_appointment(&mut self, org: OrgId, a: &AppointmentRecord) -> DomainResult<bool> {
        let n = diesel::update(
            appointment::table
                .filter(appointment::org_id.eq(org.0))
                .filter(appointment::id.eq(a.id))
                .filter(appointment::version.eq(a.version.saturating_sub(1))),
        )
        .set((
            appointment::dossier_id.eq(a.dossier_id),
            appointment::annonce_id.eq(a.annonce_id),
            appointment::title.eq(&a.title),
            appointment::starts_at.eq(a.starts_at),
            appointment::ends_at.eq(a.ends_at),
            appointment::location.eq(&a.location),
            appointment::assigned_to_user_id.eq(a.assigned_to),
            appointment::status.eq(a.status.as_str()),
            appointment::notes.eq(&a.notes),
            appointment::updated_at.eq(a.updated_at),
            appointment::version.eq(a.version),
        ))
        .execute(self.conn)
        .map_err(write_error)?;
        Ok(n == 1)
    }

    fn delete_appointment(&mut self, org: OrgId, id: Uuid) -> DomainResult<bool> {
        let n = diesel::delete(appointment::table.filter(appointment::org_id.eq(org.0)).filter(appointment::id.eq(id)))
            .execute(self.conn)
            .map_err(infra)?;
        Ok(n == 1)
    }
}
