//! diesel repository for consents. Insert and read only: the table refuses UPDATE (append-only,
//! PRODUCT.md §7). Every query is scoped by `org_id`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use atlas_domain::consent::{ConsentChannel, ConsentPurpose, ConsentRecord, ConsentSource, ConsentStatus};
use atlas_domain::error::{DomainError, DomainResult};
use atlas_domain::identity::{OrgId, UserId};
use atlas_domain::usecases::consents::{ConsentEntry, ConsentStore};

use super::parties::dossier_fk;
use super::schema::consent;
use super::{infra, Db};

type ConsentRow = (
    Uuid,
    i64,
    Uuid,
    String,
    String,
    String,
    String,
    Option<String>,
    DateTime<Utc>,
    Option<Uuid>,
    Option<DateTime<Utc>>,
    DateTime<Utc>,
);

const COLS: (
    consent::id,
    consent::seq,
    consent::dossier_id,
    consent::channel,
    consent::purpose,
    consent::status,
    consent::source,
    consent::proof,
    consent::captured_at,
    consent::captured_by_user_id,
    consent::expires_at,
    consent::created_at,
) = (
    consent::id,
    consent::seq,
    consent::dossier_id,
    consent::channel,
    consent::purpose,
    consent::status,
    consent::source,
    consent::proof,
    consent::captured_at,
    consent::captured_by_user_id,
    consent::expires_at,
    consent::created_at,
);

fn parsed<T>(parse: fn(&str) -> Option<T>, what: &str, v: &str) -> DomainResult<T> {
    parse(v).ok_or_else(|| DomainError::Infra(format!("unknown consent {what} in database: {v}")))
}

fn entry(r: ConsentRow) -> DomainResult<ConsentEntry> {
    Ok(ConsentEntry {
        record: ConsentRecord {
            id: r.0,
            seq: r.1,
            channel: parsed(ConsentChannel::parse, "channel", &r.3)?,
            purpose: parsed(ConsentPurpose::parse, "purpose", &r.4)?,
            status: parsed(ConsentStatus::parse, "status", &r.5)?,
            captured_at: r.8,
            expires_at: r.10,
        },
        dossier_id: r.2,
        source: parsed(ConsentSource::parse, "source", &r.6)?,
        proof: r.7,
        captured_by: r.9.map(UserId),
        created_at: r.11,
    })
}

impl ConsentStore for Db<'_> {
    fn insert_consent(&mut self, org: OrgId, e: &ConsentEntry) -> DomainResult<i64> {
        let r = &e.record;
        diesel::insert_into(consent::table)
            .values((
                consent::org_id.eq(org.0),
                consent::id.eq(r.id),
                consent::dossier_id.eq(e.dossier_id),
                consent::channel.eq(r.channel.as_str()),
                consent::purpose.eq(r.purpose.as_str()),
                consent::status.eq(r.status.as_str()),
                consent::source.eq(e.source.as_str()),
                consent::proof.eq(&e.proof),
                consent::captured_at.eq(r.captured_at),
                consent::captured_by_user_id.eq(e.captured_by.map(|u| u.0)),
                consent::expires_at.eq(r.expires_at),
                consent::created_at.eq(e.created_at),
            ))
            .returning(consent::seq)
            .get_result(self.conn)
            .map_err(dossier_fk)
    }

    fn find_consent(&mut self, org: OrgId, id: Uuid) -> DomainResult<Option<ConsentEntry>> {
        consent::table
            .find((org.0, id))
            .select(COLS)
            .first::<ConsentRow>(self.conn)
            .optional()
            .map_err(infra)?
            .map(entry)
            .transpose()
    }

    fn list_consents(&mut self, org: OrgId, dossier: Uuid) -> DomainResult<Vec<ConsentEntry>> {
        let rows: Vec<ConsentRow> = consent::table
            .filter(consent::org_id.eq(org.0))
            .filter(consent::dossier_id.eq(dossier))
            .order((consent::captured_at.desc(), consent::seq.desc()))
            .select(COLS)
            .load(self.conn)
            .map_err(infra)?;
        rows.into_iter().map(entry).collect()
    }
}
