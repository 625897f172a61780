//! diesel repository for parties prenantes, and the dossier lookup shared by parties, messages and
//! consents. Every query is scoped by `org_id`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use uuid::Uuid;

use atlas_domain::error::{DomainError, DomainResult};
use atlas_domain::identity::OrgId;
use atlas_domain::party::PartyRole;
use atlas_domain::usecases::parties::{DossierLookup, PartyQuery, PartyRecord, PartySort, PartyStore};

use super::schema::{dossier, party};
use super::{infra, Db};

impl DossierLookup for Db<'_> {
    fn dossier_exists(&mut self, org: OrgId, id: Uuid) -> DomainResult<bool> {
        diesel::select(diesel::dsl::exists(dossier::table.find((org.0, id)))).get_result(self.conn).map_err(infra)
    }
}

/// A write that names a dossier which vanished since it was checked (deleted concurrently): the
/// composite foreign key refuses it, and the client gets the same 404 as for a missing dossier.
pub(crate) fn dossier_fk(e: DieselError) -> DomainError {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
            DomainError::ReferenceNotFound("dossierId")
        }
        other => infra(other),
    }
}

type PartyRow = (
    Uuid,
    Uuid,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    DateTime<Utc>,
    DateTime<Utc>,
    i32,
);

const COLS: (
    party::id,
    party::dossier_id,
    party::role,
    party::first_name,
    party::last_name,
    party::phone,
    party::email,
    party::address,
    party::notes,
    party::created_at,
    party::updated_at,
    party::version,
) = (
    party::id,
    party::dossier_id,
    party::role,
    party::first_name,
    party::last_name,
    party::phone,
    party::email,
    party::address,
    party::notes,
    party::created_at,
    party::updated_at,
    party::version,
);

fn record(r: PartyRow) -> DomainResult<PartyRecord> {
    let role =
        PartyRole::parse(&r.2).ok_or_else(|| DomainError::Infra(format!("unknown party role in database: {}", r.2)))?;
    Ok(PartyRecord {
        id: r.0,
        dossier_id: r.1,
        role,
        first_name: r.3,
        last_name: r.4,
        phone: r.5,
        email: r.6,
        address: r.7,
        notes: r.8,
        created_at: r.9,
        updated_at: r.10,
        version: r.11,
    })
}

impl PartyStore for Db<'_> {
    fn insert_party(&mut self, org: OrgId, p: &PartyRecord) -> DomainResult<()> {
        diesel::insert_into(party::table)
            .values((
                party::org_id.eq(org.0),
                party::id.eq(p.id),
                party::dossier_id.eq(p.dossier_id),
                party::role.eq(p.role.as_str()),
                party::first_name.eq(&p.first_name),
                party::last_name.eq(&p.last_name),
                party::phone.eq(&p.phone),
                party::email.eq(&p.email),
                party::address.eq(&p.address),
                party::notes.eq(&p.notes),
                party::created_at.eq(p.created_at),
                party::updated_at.eq(p.updated_at),
                party::version.eq(p.version),
            ))
            .execute(self.conn)
            .map_err(dossier_fk)?;
        Ok(())
    }

    fn find_party(&mut self, org: OrgId, id: Uuid) -> DomainResult<Option<PartyRecord>> {
        party::table
            .find((org.0, id))
            .select(COLS)
            .first::<PartyRow>(self.conn)
            .optional()
            .map_err(infra)?
            .map(record)
            .transpose()
    }

    fn update_party(&mut self, org: OrgId, p: &PartyRecord) -> DomainResult<bool> {
        let n = diesel::update(party::table.find((org.0, p.id)).filter(party::version.eq(p.version - 1)))
            .set((
                party::role.eq(p.role.as_str()),
                party::first_name.eq(&p.first_name),
                party::last_name.eq(&p.last_name),
                party::phone.eq(&p.phone),
                party::email.eq(&p.email),
                party::address.eq(&p.address),
                party::notes.eq(&p.notes),
                party::updated_at.eq(p.updated_at),
                party::version.eq(p.version),
            ))
            .execute(self.conn)
            .map_err(infra)?;
        Ok(n == 1)
    }

    fn delete_party(&mut self, org: OrgId, id: Uuid) -> DomainResult<bool> {
        let n = diesel::delete(party::table.find((org.0, id))).execute(self.conn).map_err(infra)?;
        Ok(n == 1)
    }

    fn list_parties(&mut self, org: OrgId, q: &PartyQuery) -> DomainResult<(Vec<PartyRecord>, u64)> {
        let filtered = || {
            let mut query = party::table.filter(party::org_id.eq(org.0)).into_boxed();
            if let Some(d) = q.dossier_id {
                query = query.filter(party::dossier_id.eq(d));
            }
            query
        };
        let total: i64 = filtered().count().get_result(self.conn).map_err(infra)?;
        let mut query = filtered().select(COLS);
        query = match (q.sort, q.descending) {
            (PartySort::CreatedAt, false) => query.order(party::created_at.asc()),
            (PartySort::CreatedAt, true) => query.order(party::created_at.desc()),
            (PartySort::LastName, false) => query.order(party::last_name.asc()),
            (PartySort::LastName, true) => query.order(party::last_name.desc()),
            (PartySort::FirstName, false) => query.order(party::first_name.asc()),
            (PartySort::FirstName, true) => query.order(party::first_name.desc()),
            (PartySort::Role, false) => query.order(party::role.asc()),
            (PartySort::Role, true) => query.order(party::role.desc()),
        };
        // The id (UUID v7, time-ordered) makes the order total, so pages never overlap.
        query = if q.descending { query.then_order_by(party::id.desc()) } else { query.then_order_by(party::id.asc()) };
        let rows: Vec<PartyRow> = query
            .offset(i64::from(q.page) * i64::from(q.size))
            .limit(i64::from(q.size))
            .load(self.conn)
            .map_err(infra)?;
        let items = rows.into_iter().map(record).collect::<DomainResult<Vec<_>>>()?;
        Ok((items, u64::try_from(total).unwrap_or(0)))
    }
}
