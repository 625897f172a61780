//! diesel repository for messages. Every query is scoped by `org_id`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use uuid::Uuid;

use atlas_domain::consent::{MessageChannel, MessageDirection};
use atlas_domain::error::{DomainError, DomainResult};
use atlas_domain::identity::{OrgId, UserId};
use atlas_domain::usecases::messages::{MessageQuery, MessageRecord, MessageSort, MessageStore};

use super::parties::dossier_fk;
use super::schema::message;
use super::{infra, Db};

type MessageRow =
    (Uuid, Uuid, String, String, String, DateTime<Utc>, Option<Uuid>, Option<String>, Option<Uuid>, DateTime<Utc>);

const COLS: (
    message::id,
    message::dossier_id,
    message::channel,
    message::direction,
    message::content,
    message::occurred_at,
    message::created_by_user_id,
    message::external_id,
    message::outbound_message_id,
    message::created_at,
) = (
    message::id,
    message::dossier_id,
    message::channel,
    message::direction,
    message::content,
    message::occurred_at,
    message::created_by_user_id,
    message::external_id,
    message::outbound_message_id,
    message::created_at,
);

fn bad(what: &str, v: &str) -> DomainError {
    DomainError::Infra(format!("unknown message {what} in database: {v}"))
}

fn record(r: MessageRow) -> DomainResult<MessageRecord> {
    Ok(MessageRecord {
        id: r.0,
        dossier_id: r.1,
        channel: MessageChannel::parse(&r.2).ok_or_else(|| bad("channel", &r.2))?,
        direction: MessageDirection::parse(&r.3).ok_or_else(|| bad("direction", &r.3))?,
        content: r.4,
        occurred_at: r.5,
        created_by: r.6.map(UserId),
        external_id: r.7,
        outbound_message_id: r.8,
        created_at: r.9,
    })
}

impl MessageStore for Db<'_> {
    fn insert_message(&mut self, org: OrgId, m: &MessageRecord) -> DomainResult<()> {
        diesel::insert_into(message::table)
            .values((
                message::org_id.eq(org.0),
                message::id.eq(m.id),
                message::dossier_id.eq(m.dossier_id),
                message::channel.eq(m.channel.as_str()),
                message::direction.eq(m.direction.as_str()),
                message::content.eq(&m.content),
                message::occurred_at.eq(m.occurred_at),
                message::created_by_user_id.eq(m.created_by.map(|u| u.0)),
                message::external_id.eq(&m.external_id),
                message::outbound_message_id.eq(m.outbound_message_id),
                message::created_at.eq(m.created_at),
            ))
            .execute(self.conn)
            .map_err(|e| match e {
                DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                    DomainError::Conflict("a message with this externalId already exists on this channel".into())
                }
                other => dossier_fk(other),
            })?;
        Ok(())
    }

    fn find_message(&mut self, org: OrgId, id: Uuid) -> DomainResult<Option<MessageRecord>> {
        message::table
            .find((org.0, id))
            .select(COLS)
            .first::<MessageRow>(self.conn)
            .optional()
            .map_err(infra)?
            .map(record)
            .transpose()
    }

    fn delete_message(&mut self, org: OrgId, id: Uuid) -> DomainResult<bool> {
        let n = diesel::delete(message::table.find((org.0, id))).execute(self.conn).map_err(infra)?;
        Ok(n == 1)
    }

    fn list_messages(&mut self, org: OrgId, q: &MessageQuery) -> DomainResult<(Vec<MessageRecord>, u64)> {
        let filtered = || {
            let mut query = message::table.filter(message::org_id.eq(org.0)).into_boxed();
            if let Some(d) = q.dossier_id {
                query = query.filter(message::dossier_id.eq(d));
            }
            if let Some(c) = q.channel {
                query = query.filter(message::channel.eq(c.as_str()));
            }
            if let Some(d) = q.direction {
                query = query.filter(message::direction.eq(d.as_str()));
            }
            query
        };
        let total: i64 = filtered().count().get_result(self.conn).map_err(infra)?;
        let query = filtered().select(COLS);
        // The id (UUID v7, time-ordered) makes the order total, so pages never overlap.
        let query = match (q.sort, q.descending) {
            (MessageSort::OccurredAt, true) => query.order((message::occurred_at.desc(), message::id.desc())),
            (MessageSort::OccurredAt, false) => query.order((message::occurred_at.asc(), message::id.asc())),
            (MessageSort::CreatedAt, true) => query.order((message::created_at.desc(), message::id.desc())),
            (MessageSort::CreatedAt, false) => query.order((message::created_at.asc(), message::id.asc())),
        };
        let rows: Vec<MessageRow> = query
            .offset(i64::from(q.page) * i64::from(q.size))
            .limit(i64::from(q.size))
            .load(self.conn)
            .map_err(infra)?;
        let items = rows.into_iter().map(record).collect::<DomainResult<Vec<_>>>()?;
        Ok((items, u64::try_from(total).unwrap_or(0)))
    }
}
