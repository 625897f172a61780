//! `RetentionStore` over diesel: the settings in `organisation.settings -> 'retention'` and the
//! set-based purge statements (one UPDATE/DELETE per kind of row, scoped to one org, never a
//! loop over rows). See docs/retention.md.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use serde_json::Value;
use uuid::Uuid;

use atlas_domain::error::DomainResult;
use atlas_domain::identity::OrgId;
use atlas_domain::usecases::retention::{RetentionSettings, RetentionStore, ANONYMISED_NAME, PURGED_CONTENT};

use super::{infra, Db};

/// What replaces a raw webhook payload (JSONB) once purged.
pub const PURGED_PAYLOAD: &str = r#"{"retentionPurged": true}"#;

/// Outbound rows that no worker will touch again.
const FINAL_OUTBOUND: &str = "('SENT', 'DELIVERED', 'READ', 'FAILED', 'CANCELLED')";

#[derive(QueryableByName)]
struct SettingsRow {
    #[diesel(sql_type = Nullable<Jsonb>)]
    r: Option<Value>,
}

#[derive(QueryableByName)]
struct OrgRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Nullable<Jsonb>)]
    r: Option<Value>,
}

fn parse(v: Option<Value>) -> RetentionSettings {
    let days = |k: &str| v.as_ref().and_then(|v| v.get(k)).and_then(Value::as_i64);
    RetentionSettings {
        message_content_days: days("messageContentDays"),
        audit_days: days("auditDays"),
        closed_dossier_anonymise_days: days("closedDossierAnonymiseDays"),
    }
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

impl Db<'_> {
    /// Replaces the raw payloads of the org's inbound events matching `filter` (SQL on `e`), and
    /// empties the texts, parameters (and, when `clear_phone`, the phone) of its final outbound
    /// rows matching `outbound_filter` (SQL on `o`). Binds: $1 org, $2 instant, $3 placeholder.
    fn purge_raw(
        &mut self,
        org: OrgId,
        at: DateTime<Utc>,
        inbound_filter: &str,
        outbound_filter: &str,
        clear_phone: bool,
    ) -> DomainResult<u64> {
        let inbound = diesel::sql_query(format!(
            "UPDATE whatsapp_inbound_event e SET payload = '{PURGED_PAYLOAD}'::jsonb \
             WHERE e.org_id = $1 AND {inbound_filter} AND e.payload <> '{PURGED_PAYLOAD}'::jsonb"
        ))
        .bind::<SqlUuid, _>(org.0)
        .bind::<Timestamptz, _>(at)
        .bind::<Text, _>(PURGED_CONTENT)
        .execute(self.conn)
        .map_err(infra)?;
        let phone = if clear_phone { ", to_phone = ''" } else { "" };
        let phone_left = if clear_phone { " OR o.to_phone <> ''" } else { "" };
        let outbound = diesel::sql_query(format!(
            "UPDATE outbound_message o SET \
                 text = CASE WHEN o.text IS NULL THEN NULL ELSE $3 END, \
                 template_params = CASE WHEN o.template_params IS NULL THEN NULL ELSE '[]'::jsonb END{phone} \
             WHERE o.org_id = $1 AND o.status IN {FINAL_OUTBOUND} AND {outbound_filter} \
               AND (o.text <> $3 OR o.template_params <> '[]'::jsonb{phone_left})"
        ))
        .bind::<SqlUuid, _>(org.0)
        .bind::<Timestamptz, _>(at)
        .bind::<Text, _>(PURGED_CONTENT)
        .execute(self.conn)
        .map_err(infra)?;
        Ok(count(inbound + outbound))
    }
}

/// Dossiers of org $1 anonymised by retention (any run).
const ANONYMISED: &str = "SELECT d.id FROM dossier d WHERE d.org_id = $1 AND d.anonymised_at IS NOT NULL";

impl RetentionStore for Db<'_> {
    fn retention_settings(&mut self, org: OrgId) -> DomainResult<RetentionSettings> {
        let row: Option<SettingsRow> =
            diesel::sql_query("SELECT settings -> 'retention' AS r FROM organisation WHERE id = $1")
                .bind::<SqlUuid, _>(org.0)
                .get_result(self.conn)
                .optional()
                .map_err(infra)?;
        Ok(parse(row.and_then(|r| r.r)))
    }

    fn put_retention_settings(&mut self, org: OrgId, s: &RetentionSettings, now: DateTime<Utc>) -> DomainResult<()> {
        diesel::sql_query(
            "UPDATE organisation SET settings = jsonb_set(settings, '{retention}', $2), \
             updated_at = $3, version = version + 1 WHERE id = $1",
        )
        .bind::<SqlUuid, _>(org.0)
        .bind::<Jsonb, _>(s.snapshot())
        .bind::<Timestamptz, _>(now)
        .execute(self.conn)
        .map_err(infra)?;
        Ok(())
    }

    fn orgs_with_retention(&mut self) -> DomainResult<Vec<(OrgId, String, RetentionSettings)>> {
        let rows: Vec<OrgRow> = diesel::sql_query(
            "SELECT id, name, settings -> 'retention' AS r FROM organisation \
             WHERE settings -> 'retention' IS NOT NULL ORDER BY name",
        )
        .load(self.conn)
        .map_err(infra)?;
        Ok(rows
            .into_iter()
            .map(|r| (OrgId(r.id), r.name, parse(r.r)))
            .filter(|(_, _, s)| !s.keeps_everything())
            .collect())
    }

    fn allow_audit_purge(&mut self) -> DomainResult<()> {
        // local to the transaction: the trigger of migration 000001 lets DELETE through
        diesel::sql_query("SELECT set_config('atlas.retention_purge', 'on', true)")
            .execute(self.conn)
            .map_err(infra)?;
        Ok(())
    }

    fn purge_message_contents(&mut self, org: OrgId, before: DateTime<Utc>) -> DomainResult<(u64, u64)> {
        let messages = diesel::sql_query(
            "UPDATE message SET content = $3 WHERE org_id = $1 AND occurred_at < $2 AND content <> $3",
        )
        .bind::<SqlUuid, _>(org.0)
        .bind::<Timestamptz, _>(before)
        .bind::<Text, _>(PURGED_CONTENT)
        .execute(self.conn)
        .map_err(infra)?;
        let raw = self.purge_raw(org, before, "e.received_at < $2", "o.created_at < $2", false)?;
        Ok((count(messages), raw))
    }

    fn delete_audit_events(&mut self, org: OrgId, before: DateTime<Utc>) -> DomainResult<u64> {
        let n = diesel::sql_query("DELETE FROM audit_event WHERE org_id = $1 AND created_at < $2")
            .bind::<SqlUuid, _>(org.0)
            .bind::<Timestamptz, _>(before)
            .execute(self.conn)
            .map_err(infra)?;
        Ok(count(n))
    }

    fn anonymise_closed_dossiers(
        &mut self,
        org: OrgId,
        closed_before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> DomainResult<(u64, u64, u64)> {
        // Closing time = the latest status change (the transition to WON/LOST: terminal states
        // have no later one); a closed dossier without history (imported or seeded as closed)
        // counts from its last update.
        let dossiers = diesel::sql_query(
            "UPDATE dossier d SET lead_name = $4, lead_phone = NULL, lead_email = NULL, \
                 whatsapp_user_id = NULL, notes = NULL, status_comment = NULL, \
                 anonymised_at = $3, updated_at = $3, version = d.version + 1 \
             WHERE d.org_id = $1 AND d.status IN ('WON', 'LOST') AND d.anonymised_at IS NULL \
               AND COALESCE((SELECT max(h.changed_at) FROM dossier_status_history h \
                             WHERE h.org_id = d.org_id AND h.dossier_id = d.id), d.updated_at) < $2",
        )
        .bind::<SqlUuid, _>(org.0)
        .bind::<Timestamptz, _>(closed_before)
        .bind::<Timestamptz, _>(now)
        .bind::<Text, _>(ANONYMISED_NAME)
        .execute(self.conn)
        .map_err(infra)?;
        // Everything below covers every anonymised dossier (this run's and earlier ones), so that
        // a row added to one later is caught, and purged rows are never counted twice.
        let by_org = |sql: String| diesel::sql_query(sql).bind::<SqlUuid, _>(org.0);
        by_org(format!(
            "UPDATE party SET first_name = NULL, last_name = '{ANONYMISED_NAME}', phone = NULL, email = NULL, \
                 address = NULL, notes = NULL, version = version + 1 \
             WHERE org_id = $1 AND dossier_id IN ({ANONYMISED}) \
               AND (first_name IS NOT NULL OR last_name IS DISTINCT FROM '{ANONYMISED_NAME}' OR phone IS NOT NULL \
                    OR email IS NOT NULL OR address IS NOT NULL OR notes IS NOT NULL)"
        ))
        .execute(self.conn)
        .map_err(infra)?;
        by_org(format!(
            "UPDATE dossier_status_history SET comment = NULL \
             WHERE org_id = $1 AND comment IS NOT NULL AND dossier_id IN ({ANONYMISED})"
        ))
        .execute(self.conn)
        .map_err(infra)?;
        // Free texts of the timeline that may quote the lead: notes, and the data a duplicate
        // submission carried.
        by_org(format!(
            "UPDATE activity SET content = '{PURGED_CONTENT}', metadata = '{{}}'::jsonb \
             WHERE org_id = $1 AND type IN ('NOTE', 'DUPLICATE_MERGED') AND dossier_id IN ({ANONYMISED}) \
               AND (content <> '{PURGED_CONTENT}' OR metadata <> '{{}}'::jsonb)"
        ))
        .execute(self.conn)
        .map_err(infra)?;
        let messages = by_org(format!(
            "UPDATE message SET content = '{PURGED_CONTENT}' \
             WHERE org_id = $1 AND content <> '{PURGED_CONTENT}' AND dossier_id IN ({ANONYMISED})"
        ))
        .execute(self.conn)
        .map_err(infra)?;
        let raw = self.purge_raw(
            org,
            now,
            &format!("e.dossier_id IN ({ANONYMISED})"),
            &format!("o.dossier_id IN ({ANONYMISED})"),
            true,
        )?;
        Ok((count(dossiers), count(messages), raw))
    }
}
