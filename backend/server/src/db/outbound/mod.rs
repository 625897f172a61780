//! `OutboundStore` and `ProviderCredentials` over diesel (PRODUCT.md §10 "Outbound"); the worker's
//! claim and outcome queries are in `worker`.

pub mod worker;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text, Uuid as SqlUuid};
use serde_json::Value;
use uuid::Uuid;

use atlas_domain::consent::{ConsentChannel, ConsentPurpose, ConsentRecord, ConsentStatus, MessageChannel};
use atlas_domain::error::{DomainError, DomainResult};
use atlas_domain::identity::OrgId;
use atlas_domain::ports::{ProviderAccount, ProviderCredentials};
use atlas_domain::usecases::outbound::{
    AttemptRecord, AttemptResult, NewOutbound, NewOutboundLogEntry, OutboundFilter, OutboundRecord, OutboundStore,
    TemplateRecord,
};
use atlas_domain::whatsapp::OutboundStatus;

use super::schema::{consent, dossier, message, outbound_attempt, outbound_message, whatsapp_settings};
use super::{infra, Db};

#[derive(Queryable, Selectable)]
#[diesel(table_name = outbound_message, check_for_backend(diesel::pg::Pg))]
pub(crate) struct OutboundRow {
    id: Uuid,
    dossier_id: Uuid,
    to_phone: String,
    template_code: Option<String>,
    template_language: Option<String>,
    template_params: Option<Value>,
    text: Option<String>,
    status: String,
    provider_message_id: Option<String>,
    attempt_count: i32,
    max_attempts: i32,
    next_attempt_at: Option<DateTime<Utc>>,
    dead_lettered: bool,
    last_error_code: Option<String>,
    last_error_message: Option<String>,
    created_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
    delivered_at: Option<DateTime<Utc>>,
    read_at: Option<DateTime<Utc>>,
    failed_at: Option<DateTime<Utc>>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = outbound_attempt, check_for_backend(diesel::pg::Pg))]
struct AttemptRow {
    outbound_message_id: Uuid,
    attempt_no: i32,
    started_at: DateTime<Utc>,
    finished_at: DateTime<Utc>,
    outcome: String,
    http_status: Option<i32>,
    error_code: Option<String>,
    error_message: Option<String>,
}

fn unsigned(n: i32) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

fn params_of(v: Option<Value>) -> Option<Vec<String>> {
    v.and_then(|v| serde_json::from_value(v).ok())
}

fn to_record(r: OutboundRow, attempts: Vec<AttemptRecord>) -> DomainResult<OutboundRecord> {
    let status = OutboundStatus::parse(&r.status)
        .ok_or_else(|| DomainError::Infra(format!("unknown outbound status in database: {}", r.status)))?;
    Ok(OutboundRecord {
        id: r.id,
        dossier_id: r.dossier_id,
        to: r.to_phone,
        template_code: r.template_code,
        template_language: r.template_language,
        template_params: params_of(r.template_params),
        text: r.text,
        status,
        provider_message_id: r.provider_message_id,
        attempt_count: unsigned(r.attempt_count),
        max_attempts: unsigned(r.max_attempts),
        // only meaningful while waiting in the queue
        next_attempt_at: r.next_attempt_at.filter(|_| status == OutboundStatus::Queued),
        dead_lettered: r.dead_lettered,
        last_error_code: r.last_error_code,
        last_error_message: r.last_error_message,
        created_at: r.created_at,
        sent_at: r.sent_at,
        delivered_at: r.delivered_at,
        read_at: r.read_at,
        failed_at: r.failed_at,
        attempts,
    })
}

fn to_attempt(a: AttemptRow) -> DomainResult<AttemptRecord> {
    Ok(AttemptRecord {
        attempt_no: unsigned(a.attempt_no),
        started_at: a.started_at,
        finished_at: a.finished_at,
        outcome: AttemptResult::parse(&a.outcome)
            .ok_or_else(|| DomainError::Infra(format!("unknown attempt outcome in database: {}", a.outcome)))?,
        http_status: a.http_status.and_then(|s| u16::try_from(s).ok()),
        error_code: a.error_code,
        error_message: a.error_message,
    })
}

impl Db<'_> {
    /// Rows with their attempts, in the order given.
    fn with_attempts(&mut self, org: OrgId, rows: Vec<OutboundRow>) -> DomainResult<Vec<OutboundRecord>> {
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let attempts: Vec<AttemptRow> = outbound_attempt::table
            .filter(outbound_attempt::org_id.eq(org.0))
            .filter(outbound_attempt::outbound_message_id.eq_any(&ids))
            .order((outbound_attempt::attempt_no.asc(), outbound_attempt::started_at.asc()))
            .select(AttemptRow::as_select())
            .load(self.conn)
            .map_err(infra)?;
        let mut by_message: std::collections::HashMap<Uuid, Vec<AttemptRecord>> = std::collections::HashMap::new();
        for a in attempts {
            by_message.entry(a.outbound_message_id).or_default().push(to_attempt(a)?);
        }
        rows.into_iter()
            .map(|r| {
                let attempts = by_message.remove(&r.id).unwrap_or_default();
                to_record(r, attempts)
            })
            .collect()
    }
}

#[derive(QueryableByName)]
struct TemplateSqlRow {
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = Text)]
    language: String,
    #[diesel(sql_type = Text)]
    body: String,
    #[diesel(sql_type = Bool)]
    active: bool,
}

impl OutboundStore for Db<'_> {
    fn dossier_lead_phone(&mut self, org: OrgId, id: Uuid) -> DomainResult<Option<Option<String>>> {
        dossier::table
            .find((org.0, id))
            .select(dossier::lead_phone)
            .first::<Option<String>>(self.conn)
            .optional()
            .map_err(infra)
    }

    fn consent_records(&mut self, org: OrgId, dossier_id: Uuid) -> DomainResult<Vec<ConsentRecord>> {
        type Row = (Uuid, String, String, String, DateTime<Utc>, i64, Option<DateTime<Utc>>);
        let rows: Vec<Row> = consent::table
            .filter(consent::org_id.eq(org.0))
            .filter(consent::dossier_id.eq(dossier_id))
            .select((
                consent::id,
                consent::channel,
                consent::purpose,
                consent::status,
                consent::captured_at,
                consent::seq,
                consent::expires_at,
            ))
            .load(self.conn)
            .map_err(infra)?;
        rows.into_iter()
            .map(|(id, ch, pu, st, captured_at, seq, expires_at)| {
                let bad = || DomainError::Infra(format!("unknown consent value in database: {ch}/{pu}/{st}"));
                Ok(ConsentRecord {
                    id,
                    channel: ConsentChannel::parse(&ch).ok_or_else(bad)?,
                    purpose: ConsentPurpose::parse(&pu).ok_or_else(bad)?,
                    status: ConsentStatus::parse(&st).ok_or_else(bad)?,
                    captured_at,
                    seq,
                    expires_at,
                })
            })
            .collect()
    }

    fn last_inbound_at(
        &mut self,
        org: OrgId,
        dossier_id: Uuid,
        channel: MessageChannel,
    ) -> DomainResult<Option<DateTime<Utc>>> {
        message::table
            .filter(message::org_id.eq(org.0))
            .filter(message::dossier_id.eq(dossier_id))
            .filter(message::channel.eq(channel.as_str()))
            .filter(message::direction.eq("INBOUND"))
            .select(diesel::dsl::max(message::occurred_at))
            .first::<Option<DateTime<Utc>>>(self.conn)
            .map_err(infra)
    }

    fn template(&mut self, org: OrgId, code: &str) -> DomainResult<Option<TemplateRecord>> {
        // Raw SQL: the table belongs to the WhatsApp settings module (migration 000004), not to
        // this one's schema.
        let row: Option<TemplateSqlRow> = diesel::sql_query(
            "SELECT code, COALESCE(language, '') AS language, COALESCE(body, '') AS body, \
             COALESCE(active, false) AS active \
             FROM whatsapp_template WHERE org_id = $1 AND code = $2 ORDER BY active DESC LIMIT 1",
        )
        .bind::<SqlUuid, _>(org.0)
        .bind::<Text, _>(code)
        .get_result(self.conn)
        .optional()
        .map_err(infra)?;
        Ok(row.map(|r| TemplateRecord { code: r.code, language: r.language, body: r.body, active: r.active }))
    }

    fn outbound_by_idempotency_key(&mut self, org: OrgId, key: &str) -> DomainResult<Option<(OutboundRecord, String)>> {
        let found: Option<(OutboundRow, Option<String>)> = outbound_message::table
            .filter(outbound_message::org_id.eq(org.0))
            .filter(outbound_message::idempotency_key.eq(key))
            .select((OutboundRow::as_select(), outbound_message::request_hash))
            .first(self.conn)
            .optional()
            .map_err(infra)?;
        let Some((row, hash)) = found else { return Ok(None) };
        let record = self.with_attempts(org, vec![row])?.pop().ok_or(DomainError::NotFound)?;
        Ok(Some((record, hash.unwrap_or_default())))
    }

    fn insert_outbound(&mut self, r: &NewOutbound) -> DomainResult<bool> {
        let params = r.template_params.as_ref().map(|p| serde_json::json!(p));
        // DO NOTHING waits for a concurrent insert of the same key to commit, then skips: the
        // caller reads the winner's row.
        let n = diesel::insert_into(outbound_message::table)
            .values((
                outbound_message::org_id.eq(r.org_id.0),
                outbound_message::id.eq(r.id),
                outbound_message::dossier_id.eq(r.dossier_id),
                outbound_message::channel.eq("WHATSAPP"),
                outbound_message::to_phone.eq(&r.to),
                outbound_message::template_code.eq(&r.template_code),
                outbound_message::template_language.eq(&r.template_language),
                outbound_message::template_params.eq(params),
                outbound_message::text.eq(&r.text),
                outbound_message::status.eq("QUEUED"),
                outbound_message::max_attempts.eq(i32::try_from(r.max_attempts).unwrap_or(i32::MAX)),
                outbound_message::next_attempt_at.eq(r.now),
                outbound_message::idempotency_key.eq(&r.idempotency_key),
                outbound_message::request_hash.eq(&r.request_hash),
                outbound_message::created_by_user_id.eq(r.created_by.0),
                outbound_message::created_at.eq(r.now),
                outbound_message::updated_at.eq(r.now),
            ))
            .on_conflict_do_nothing()
            .execute(self.conn)
            .map_err(infra)?;
        Ok(n == 1)
    }

    fn insert_outbound_log_entry(&mut self, e: &NewOutboundLogEntry) -> DomainResult<Uuid> {
        let id = Uuid::now_v7();
        diesel::insert_into(message::table)
            .values((
                message::org_id.eq(e.org_id.0),
                message::id.eq(id),
                message::dossier_id.eq(e.dossier_id),
                message::channel.eq("WHATSAPP"),
                message::direction.eq("OUTBOUND"),
                message::content.eq(&e.content),
                message::occurred_at.eq(e.now),
                message::created_by_user_id.eq(e.created_by.0),
                message::outbound_message_id.eq(e.outbound_message_id),
                message::created_at.eq(e.now),
            ))
            .execute(self.conn)
            .map_err(infra)?;
        Ok(id)
    }

    fn find_outbound(&mut self, org: OrgId, id: Uuid) -> DomainResult<Option<OutboundRecord>> {
        let row: Option<OutboundRow> = outbound_message::table
            .find((org.0, id))
            .select(OutboundRow::as_select())
            .first(self.conn)
            .optional()
            .map_err(infra)?;
        match row {
            Some(r) => Ok(self.with_attempts(org, vec![r])?.pop()),
            None => Ok(None),
        }
    }

    fn list_outbound(
        &mut self,
        org: OrgId,
        f: &OutboundFilter,
        page: u32,
        size: u32,
    ) -> DomainResult<(Vec<OutboundRecord>, u64)> {
        let filtered = || {
            let mut q = outbound_message::table.filter(outbound_message::org_id.eq(org.0)).into_boxed();
            if let Some(d) = f.dossier_id {
                q = q.filter(outbound_message::dossier_id.eq(d));
            }
            if let Some(s) = f.status {
                q = q.filter(outbound_message::status.eq(s.as_str()));
            }
            q
        };
        let total: i64 = filtered().count().get_result(self.conn).map_err(infra)?;
        let rows: Vec<OutboundRow> = filtered()
            .order((outbound_message::created_at.desc(), outbound_message::id.desc()))
            .limit(i64::from(size))
            .offset(i64::from(page) * i64::from(size))
            .select(OutboundRow::as_select())
            .load(self.conn)
            .map_err(infra)?;
        let items = self.with_attempts(org, rows)?;
        Ok((items, u64::try_from(total).unwrap_or(0)))
    }

    fn requeue_failed(&mut self, org: OrgId, id: Uuid, budget: u32, now: DateTime<Utc>) -> DomainResult<bool> {
        let budget = i32::try_from(budget).unwrap_or(i32::MAX);
        let n = diesel::update(outbound_message::table.find((org.0, id)))
            .filter(outbound_message::status.eq("FAILED"))
            .set((
                outbound_message::status.eq("QUEUED"),
                outbound_message::budget_start.eq(outbound_message::attempt_count),
                outbound_message::max_attempts.eq(outbound_message::attempt_count + budget),
                outbound_message::next_attempt_at.eq(now),
                outbound_message::dead_lettered.eq(false),
                outbound_message::failed_at.eq(None::<DateTime<Utc>>),
                outbound_message::lease_until.eq(None::<DateTime<Utc>>),
                outbound_message::leased_by.eq(None::<Uuid>),
                outbound_message::updated_at.eq(now),
                outbound_message::version.eq(outbound_message::version + 1),
            ))
            .execute(self.conn)
            .map_err(infra)?;
        Ok(n == 1)
    }

    fn cancel_queued(&mut self, org: OrgId, id: Uuid, now: DateTime<Utc>) -> DomainResult<bool> {
        let n = diesel::update(outbound_message::table.find((org.0, id)))
            .filter(outbound_message::status.eq("QUEUED"))
            .set((
                outbound_message::status.eq("CANCELLED"),
                outbound_message::next_attempt_at.eq(None::<DateTime<Utc>>),
                outbound_message::updated_at.eq(now),
                outbound_message::version.eq(outbound_message::version + 1),
            ))
            .execute(self.conn)
            .map_err(infra)?;
        Ok(n == 1)
    }
}

impl ProviderCredentials for Db<'_> {
    fn whatsapp_credentials(&mut self, org: OrgId) -> DomainResult<Option<ProviderAccount>> {
        let row: Option<(String, String)> = whatsapp_settings::table
            .find(org.0)
            .select((whatsapp_settings::phone_number_id, whatsapp_settings::access_token))
            .first(self.conn)
            .optional()
            .map_err(infra)?;
        Ok(row
            .filter(|(p, t)| !p.trim().is_empty() && !t.trim().is_empty())
            .map(|(phone_number_id, access_token)| ProviderAccount { phone_number_id, access_token }))
    }
}
