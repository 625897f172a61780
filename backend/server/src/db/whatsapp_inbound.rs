//! `InboundStore` and the webhook's own tables (routing, raw events) over diesel.
//!
//! Raw SQL on purpose: the dedup inserts need `ON CONFLICT` against partial expression indexes
//! (not expressible in diesel's DSL), and the outbound receipts touch `outbound_message`, a table
//! owned by the outbox module (migration 000003) with the columns documented there.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use serde_json::Value;
use uuid::Uuid;

use atlas_domain::error::{DomainError, DomainResult};
use atlas_domain::identity::OrgId;
use atlas_domain::usecases::whatsapp_inbound::{
    DossierRef, InboundStore, NewInboundDossier, NewInboundMessage, OutboundRef, OutboundStatusUpdate,
};
use atlas_domain::whatsapp::OutboundStatus;

use super::{infra, Db};

#[derive(QueryableByName)]
struct DossierRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Nullable<Text>)]
    whatsapp_user_id: Option<String>,
}

impl From<DossierRow> for DossierRef {
    fn from(r: DossierRow) -> Self {
        DossierRef { id: r.id, whatsapp_user_id: r.whatsapp_user_id }
    }
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

#[derive(QueryableByName)]
struct OutboundRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    dossier_id: Uuid,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    last_status_at: Option<DateTime<Utc>>,
}

const OPEN: &str = "status NOT IN ('WON', 'LOST')";

impl InboundStore for Db<'_> {
    fn lock_sender(&mut self, org: OrgId, sender_key: &str) -> DomainResult<()> {
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind::<Text, _>(format!("wa-inbound:{}:{sender_key}", org.0))
            .execute(self.conn)
            .map_err(infra)?;
        Ok(())
    }

    fn open_dossier_by_phone(&mut self, org: OrgId, phone: &str) -> DomainResult<Option<DossierRef>> {
        let lead: Option<DossierRow> = diesel::sql_query(format!(
            "SELECT id, whatsapp_user_id FROM dossier WHERE org_id = $1 AND lead_phone = $2 AND {OPEN} \
             ORDER BY created_at, id LIMIT 1"
        ))
        .bind::<SqlUuid, _>(org.0)
        .bind::<Text, _>(phone)
        .get_result(self.conn)
        .optional()
        .map_err(infra)?;
        if let Some(d) = lead {
            return Ok(Some(d.into()));
        }
        let party: Option<DossierRow> = diesel::sql_query(
            "SELECT d.id, d.whatsapp_user_id FROM party p \
             JOIN dossier d ON d.org_id = p.org_id AND d.id = p.dossier_id \
             WHERE p.org_id = $1 AND p.phone = $2 AND d.status NOT IN ('WON', 'LOST') \
             ORDER BY d.created_at, d.id LIMIT 1",
        )
        .bind::<SqlUuid, _>(org.0)
        .bind::<Text, _>(phone)
        .get_result(self.conn)
        .optional()
        .map_err(infra)?;
        Ok(party.map(Into::into))
    }

    fn open_dossier_by_whatsapp_user(&mut self, org: OrgId, bsuid: &str) -> DomainResult<Option<DossierRef>> {
        let row: Option<DossierRow> = diesel::sql_query(format!(
            "SELECT id, whatsapp_user_id FROM dossier WHERE org_id = $1 AND whatsapp_user_id = $2 AND {OPEN} \
             ORDER BY created_at, id LIMIT 1"
        ))
        .bind::<SqlUuid, _>(org.0)
        .bind::<Text, _>(bsuid)
        .get_result(self.conn)
        .optional()
        .map_err(infra)?;
        Ok(row.map(Into::into))
    }

    fn insert_inbound_dossier(&mut self, org: OrgId, d: &NewInboundDossier) -> DomainResult<bool> {
        // ON CONFLICT DO NOTHING without a target covers dossier_dedup_phone_key: a concurrent
        // create of the same phone (API or inbound) makes this insert a no-op, and the caller
        // re-selects the winner. The insert waits for that other transaction to commit first.
        let rows: Vec<IdRow> = diesel::sql_query(
            "INSERT INTO dossier (org_id, id, reference, lead_name, lead_phone, whatsapp_user_id, source, \
             dossier_type, status, last_activity_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'WHATSAPP', 'BUY', 'NEW', $7, $7, $7) \
             ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind::<SqlUuid, _>(org.0)
        .bind::<SqlUuid, _>(d.id)
        .bind::<Text, _>(&d.reference)
        .bind::<Text, _>(&d.lead_name)
        .bind::<Nullable<Text>, _>(d.lead_phone.as_deref())
        .bind::<Nullable<Text>, _>(d.whatsapp_user_id.as_deref())
        .bind::<Timestamptz, _>(d.created_at)
        .get_results(self.conn)
        .map_err(infra)?;
        Ok(!rows.is_empty())
    }

    fn set_whatsapp_user_id(&mut self, org: OrgId, dossier: Uuid, bsuid: &str) -> DomainResult<()> {
        diesel::sql_query(
            "UPDATE dossier SET whatsapp_user_id = $3 WHERE org_id = $1 AND id = $2 AND whatsapp_user_id IS NULL",
        )
        .bind::<SqlUuid, _>(org.0)
        .bind::<SqlUuid, _>(dossier)
        .bind::<Text, _>(bsuid)
        .execute(self.conn)
        .map_err(infra)?;
        Ok(())
    }

    fn insert_inbound_message(&mut self, org: OrgId, m: &NewInboundMessage) -> DomainResult<bool> {
        let rows: Vec<IdRow> = diesel::sql_query(
            "INSERT INTO message (org_id, id, dossier_id, channel, direction, content, occurred_at, external_id) \
             VALUES ($1, $2, $3, 'WHATSAPP', 'INBOUND', $4, $5, $6) \
             ON CONFLICT (org_id, channel, external_id) WHERE external_id IS NOT NULL DO NOTHING RETURNING id",
        )
        .bind::<SqlUuid, _>(org.0)
        .bind::<SqlUuid, _>(m.id)
        .bind::<SqlUuid, _>(m.dossier_id)
        .bind::<Text, _>(&m.content)
        .bind::<Timestamptz, _>(m.occurred_at)
        .bind::<Text, _>(&m.external_id)
        .get_results(self.conn)
        .map_err(infra)?;
        Ok(!rows.is_empty())
    }

    fn extend_session_window(&mut self, org: OrgId, dossier: Uuid, at: DateTime<Utc>) -> DomainResult<()> {
        // GREATEST ignores NULL: the first inbound sets it, later ones only move it forward.
        diesel::sql_query(
            "UPDATE dossier SET last_inbound_at = GREATEST(last_inbound_at, $3) WHERE org_id = $1 AND id = $2",
        )
        .bind::<SqlUuid, _>(org.0)
        .bind::<SqlUuid, _>(dossier)
        .bind::<Timestamptz, _>(at)
        .execute(self.conn)
        .map_err(infra)?;
        Ok(())
    }

    fn outbound_for_receipt(
        &mut self,
        org: OrgId,
        provider_message_id: &str,
        our_id: Option<Uuid>,
    ) -> DomainResult<Option<OutboundRef>> {
        // By provider id; else by our id (biz_opaque_callback_data) when the worker has not stored
        // the provider id yet (a receipt can overtake the commit of the send).
        let row: Option<OutboundRow> = diesel::sql_query(
            "SELECT id, dossier_id, status, GREATEST(sent_at, delivered_at, read_at) AS last_status_at \
             FROM outbound_message \
             WHERE org_id = $1 AND (provider_message_id = $2 OR (id = $3 AND provider_message_id IS NULL)) \
             ORDER BY (provider_message_id = $2) DESC NULLS LAST LIMIT 1 FOR UPDATE",
        )
        .bind::<SqlUuid, _>(org.0)
        .bind::<Text, _>(provider_message_id)
        .bind::<Nullable<SqlUuid>, _>(our_id)
        .get_result(self.conn)
        .optional()
        .map_err(infra)?;
        row.map(|r| {
            let status = OutboundStatus::parse(&r.status)
                .ok_or_else(|| DomainError::Infra(format!("unknown outbound status in database: {}", r.status)))?;
            Ok(OutboundRef { id: r.id, dossier_id: r.dossier_id, status, last_status_at: r.last_status_at })
        })
        .transpose()
    }

    fn set_outbound_status(&mut self, org: OrgId, u: &OutboundStatusUpdate) -> DomainResult<()> {
        diesel::sql_query(
            "UPDATE outbound_message SET status = $3, \
               provider_message_id = COALESCE(provider_message_id, $4), \
               sent_at = CASE WHEN $3 = 'SENT' THEN COALESCE(sent_at, $5) ELSE sent_at END, \
               delivered_at = CASE WHEN $3 = 'DELIVERED' THEN COALESCE(delivered_at, $5) ELSE delivered_at END, \
               read_at = CASE WHEN $3 = 'READ' THEN COALESCE(read_at, $5) ELSE read_at END, \
               failed_at = CASE WHEN $3 = 'FAILED' THEN COALESCE(failed_at, $5) ELSE failed_at END, \
               last_error_code = CASE WHEN $3 = 'FAILED' THEN $6 ELSE last_error_code END, \
               last_error_message = CASE WHEN $3 = 'FAILED' THEN $7 ELSE last_error_message END \
             WHERE org_id = $1 AND id = $2",
        )
        .bind::<SqlUuid, _>(org.0)
        .bind::<SqlUuid, _>(u.id)
        .bind::<Text, _>(u.status.as_str())
        .bind::<Text, _>(&u.provider_message_id)
        .bind::<Timestamptz, _>(u.at)
        .bind::<Nullable<Text>, _>(u.error_code.as_deref())
        .bind::<Nullable<Text>, _>(u.error_title.as_deref())
        .execute(self.conn)
        .map_err(infra)?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Routing and raw events (adapter-only: no use case needs them).

/// An org the webhook can route to, with its sealed app secret.
pub struct Route {
    pub org: OrgId,
    pub phone_number_id: String,
    pub app_secret_sealed: Option<String>,
}

#[derive(QueryableByName)]
struct RouteRow {
    #[diesel(sql_type = SqlUuid)]
    org_id: Uuid,
    #[diesel(sql_type = Text)]
    phone_number_id: String,
    #[diesel(sql_type = Nullable<Text>)]
    app_secret_sealed: Option<String>,
}

#[derive(QueryableByName)]
struct ExistsRow {
    #[diesel(sql_type = Bool)]
    e: bool,
}

#[derive(QueryableByName)]
struct EventRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    status: String,
}

/// What the idempotency key said about a message.
pub enum Claim {
    /// First time seen: process it (the event row is written, status PROCESSED until told otherwise).
    New(Uuid),
    /// Seen before and failed: process it again.
    Retry(Uuid),
    /// Seen before and processed or ignored: nothing to do.
    Done,
}

pub fn routes(conn: &mut PgConnection, phone_number_ids: &[String]) -> DomainResult<Vec<Route>> {
    let rows: Vec<RouteRow> = diesel::sql_query(
        "SELECT org_id, phone_number_id, app_secret_sealed FROM whatsapp_settings WHERE phone_number_id = ANY($1)",
    )
    .bind::<Array<Text>, _>(phone_number_ids)
    .load(conn)
    .map_err(infra)?;
    Ok(rows
        .into_iter()
        .map(|r| Route {
            org: OrgId(r.org_id),
            phone_number_id: r.phone_number_id,
            app_secret_sealed: r.app_secret_sealed,
        })
        .collect())
}

pub fn verify_token_known(conn: &mut PgConnection, token_hash: &str) -> DomainResult<bool> {
    let row: ExistsRow =
        diesel::sql_query("SELECT EXISTS (SELECT 1 FROM whatsapp_settings WHERE verify_token_hash = $1) AS e")
            .bind::<Text, _>(token_hash)
            .get_result(conn)
            .map_err(infra)?;
    Ok(row.e)
}

pub fn claim_message(conn: &mut PgConnection, org: OrgId, wa_message_id: &str, payload: &Value) -> DomainResult<Claim> {
    let id = Uuid::now_v7();
    let inserted: Vec<IdRow> = diesel::sql_query(
        "INSERT INTO whatsapp_inbound_event (org_id, id, wa_message_id, kind, payload, status) \
         VALUES ($1, $2, $3, 'MESSAGE', $4, 'PROCESSED') ON CONFLICT (org_id, wa_message_id) DO NOTHING RETURNING id",
    )
    .bind::<SqlUuid, _>(org.0)
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(wa_message_id)
    .bind::<diesel::sql_types::Jsonb, _>(payload)
    .get_results(conn)
    .map_err(infra)?;
    if let Some(row) = inserted.first() {
        return Ok(Claim::New(row.id));
    }
    let existing: Option<EventRow> = diesel::sql_query(
        "SELECT id, status FROM whatsapp_inbound_event WHERE org_id = $1 AND wa_message_id = $2 FOR UPDATE",
    )
    .bind::<SqlUuid, _>(org.0)
    .bind::<Text, _>(wa_message_id)
    .get_result(conn)
    .optional()
    .map_err(infra)?;
    Ok(match existing {
        Some(e) if e.status == "FAILED" => Claim::Retry(e.id),
        _ => Claim::Done,
    })
}

pub fn finish_event(
    conn: &mut PgConnection,
    org: OrgId,
    id: Uuid,
    status: &str,
    error: Option<&str>,
    dossier_id: Option<Uuid>,
) -> DomainResult<()> {
    diesel::sql_query(
        "UPDATE whatsapp_inbound_event SET status = $3, error = $4, dossier_id = COALESCE($5, dossier_id), \
         processed_at = now() WHERE org_id = $1 AND id = $2",
    )
    .bind::<SqlUuid, _>(org.0)
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(status)
    .bind::<Nullable<Text>, _>(error)
    .bind::<Nullable<SqlUuid>, _>(dossier_id)
    .execute(conn)
    .map_err(infra)?;
    Ok(())
}

/// A raw item that could not be processed (no id, unreadable, or its processing failed).
pub fn insert_failed_event(
    conn: &mut PgConnection,
    org: OrgId,
    kind: &str,
    payload: &Value,
    error: &str,
) -> DomainResult<()> {
    diesel::sql_query(
        "INSERT INTO whatsapp_inbound_event (org_id, id, wa_message_id, kind, payload, status, error, processed_at) \
         VALUES ($1, $2, NULL, $3, $4, 'FAILED', $5, now())",
    )
    .bind::<SqlUuid, _>(org.0)
    .bind::<SqlUuid, _>(Uuid::now_v7())
    .bind::<Text, _>(kind)
    .bind::<diesel::sql_types::Jsonb, _>(payload)
    .bind::<Text, _>(error)
    .execute(conn)
    .map_err(infra)?;
    Ok(())
}
