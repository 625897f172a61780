//! Ports shared by every use case: timeline activities, org settings, references.

use diesel::prelude::*;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use uuid::Uuid;

use atlas_domain::annonce::format_reference;
use atlas_domain::error::{DomainError, DomainResult};
use atlas_domain::identity::OrgId;
use atlas_domain::ports::{ActivityLog, NewActivity, OrgDirectory, OrgSettings};

use super::schema::{activity, dossier, organisation};
use super::{infra, Db};

impl ActivityLog for Db<'_> {
    fn add_activity(&mut self, a: NewActivity) -> DomainResult<Uuid> {
        let id = Uuid::now_v7();
        diesel::insert_into(activity::table)
            .values((
                activity::org_id.eq(a.org_id.0),
                activity::id.eq(id),
                activity::dossier_id.eq(a.dossier_id),
                activity::activity_type.eq(a.activity_type.as_str()),
                activity::content.eq(&a.content),
                activity::metadata.eq(&a.metadata),
                activity::created_by_user_id.eq(a.created_by.map(|u| u.0)),
                activity::occurred_at.eq(a.occurred_at),
            ))
            .execute(self.conn)
            .map_err(infra)?;
        diesel::update(dossier::table.find((a.org_id.0, a.dossier_id)))
            .filter(dossier::last_activity_at.lt(a.occurred_at))
            .set(dossier::last_activity_at.eq(a.occurred_at))
            .execute(self.conn)
            .map_err(infra)?;
        Ok(id)
    }
}

#[derive(QueryableByName)]
struct Last {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    last: i64,
}

impl OrgDirectory for Db<'_> {
    fn org_settings(&mut self, org: OrgId) -> DomainResult<OrgSettings> {
        let (default_country, currency, timezone, settings): (String, String, String, serde_json::Value) =
            organisation::table
                .find(org.0)
                .select((
                    organisation::default_country,
                    organisation::currency,
                    organisation::timezone,
                    organisation::settings,
                ))
                .first(self.conn)
                .optional()
                .map_err(infra)?
                .ok_or(DomainError::NotFound)?;
        Ok(OrgSettings {
            default_country,
            currency,
            timezone,
            block_appointment_overlap: settings
                .get("blockAppointmentOverlap")
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false),
        })
    }

    fn next_reference(&mut self, org: OrgId, prefix: &str) -> DomainResult<String> {
        // One row per (org, kind), bumped atomically; concurrent creates queue on the row lock.
        let row: Last = diesel::sql_query(
            "INSERT INTO reference_counter (org_id, kind, last) VALUES ($1, $2, 1) \
             ON CONFLICT (org_id, kind) DO UPDATE SET last = reference_counter.last + 1 RETURNING last",
        )
        .bind::<SqlUuid, _>(org.0)
        .bind::<Text, _>(prefix)
        .get_result(self.conn)
        .map_err(infra)?;
        Ok(format_reference(prefix, row.last))
    }
}
