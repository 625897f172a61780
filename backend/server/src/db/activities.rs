//! `ActivityStore` over diesel (reads and note edits; inserts go through `ActivityLog` in
//! `common.rs`). Every query is by `org_id`.

use chrono::{DateTime, Utc};
use diesel::dsl::count_star;
use diesel::pg::Pg;
use diesel::prelude::*;
use serde_json::Value;
use uuid::Uuid;

use atlas_domain::activity::ActivityType;
use atlas_domain::error::{DomainError, DomainResult};
use atlas_domain::identity::{OrgId, UserId};
use atlas_domain::usecases::activities::{ActivityFilter, ActivityRecord, ActivitySort, ActivityStore};

use super::schema::{activity, dossier};
use super::{infra, Db};

type Row = (Uuid, Uuid, String, String, Value, Option<Uuid>, DateTime<Utc>, DateTime<Utc>, DateTime<Utc>, i32);

const COLS: (
    activity::id,
    activity::dossier_id,
    activity::activity_type,
    activity::content,
    activity::metadata,
    activity::created_by_user_id,
    activity::occurred_at,
    activity::created_at,
    activity::updated_at,
    activity::version,
) = (
    activity::id,
    activity::dossier_id,
    activity::activity_type,
    activity::content,
    activity::metadata,
    activity::created_by_user_id,
    activity::occurred_at,
    activity::created_at,
    activity::updated_at,
    activity::version,
);

fn record(r: Row) -> DomainResult<ActivityRecord> {
    let activity_type = ActivityType::parse(&r.2)
        .ok_or_else(|| DomainError::Infra(format!("unknown activity type in database: {}", r.2)))?;
    Ok(ActivityRecord {
        id: r.0,
        dossier_id: r.1,
        activity_type,
        content: r.3,
        metadata: r.4,
        created_by: r.5.map(UserId),
        occurred_at: r.6,
        created_at: r.7,
        updated_at: r.8,
        version: r.9,
    })
}

fn filtered<'a>(org: OrgId, f: &ActivityFilter) -> activity::BoxedQuery<'a, Pg> {
    let mut q = activity::table.filter(activity::org_id.eq(org.0)).into_boxed();
    if let Some(d) = f.dossier_id {
        q = q.filter(activity::dossier_id.eq(d));
    }
    if let Some(t) = f.activity_type {
        q = q.filter(activity::activity_type.eq(t.as_str()));
    }
    q
}

impl ActivityStore for Db<'_> {
    fn activity_dossier_exists(&mut self, org: OrgId, d: Uuid) -> DomainResult<bool> {
        diesel::select(diesel::dsl::exists(dossier::table.filter(dossier::org_id.eq(org.0)).filter(dossier::id.eq(d))))
            .get_result(self.conn)
            .map_err(infra)
    }

    fn find_activity(&mut self, org: OrgId, id: Uuid, for_update: bool) -> DomainResult<Option<ActivityRecord>> {
        let q = activity::table.filter(activity::org_id.eq(org.0)).filter(activity::id.eq(id)).select(COLS);
        let row = if for_update {
            q.for_update().first::<Row>(self.conn).optional()
        } else {
            q.first::<Row>(self.conn).optional()
        };
        row.map_err(infra)?.map(record).transpose()
    }

    fn list_activities(&mut self, org: OrgId, f: &ActivityFilter) -> DomainResult<(Vec<ActivityRecord>, u64)> {
        let total: i64 = filtered(org, f).select(count_star()).get_result(self.conn).map_err(infra)?;
        let q = filtered(org, f).select(COLS);
        let q = match (f.sort, f.descending) {
            (ActivitySort::OccurredAt, true) => {
                q.order(activity::occurred_at.desc()).then_order_by(activity::id.desc())
            }
            (ActivitySort::OccurredAt, false) => q.order(activity::occurred_at.asc()).then_order_by(activity::id.asc()),
            (ActivitySort::CreatedAt, true) => q.order(activity::created_at.desc()).then_order_by(activity::id.desc()),
            (ActivitySort::CreatedAt, false) => q.order(activity::created_at.asc()).then_order_by(activity::id.asc()),
        };
        let rows: Vec<Row> =
            q.limit(i64::from(f.size)).offset(i64::from(f.page) * i64::from(f.size)).load(self.conn).map_err(infra)?;
        let items = rows.into_iter().map(record).collect::<DomainResult<Vec<_>>>()?;
        Ok((items, u64::try_from(total).unwrap_or(0)))
    }

    fn update_activity(&mut self, org: OrgId, a: &ActivityRecord) -> DomainResult<bool> {
        let n = diesel::update(
            activity::table
                .filter(activity::org_id.eq(org.0))
                .filter(activity::id.eq(a.id))
                .filter(activity::version.eq(a.version.saturating_sub(1))),
        )
        .set((
            activity::content.eq(&a.content),
            activity::occurred_at.eq(a.occurred_at),
            activity::updated_at.eq(a.updated_at),
            activity::version.eq(a.version),
        ))
        .execute(self.conn)
        .map_err(infra)?;
        Ok(n == 1)
    }

    fn delete_activity(&mut self, org: OrgId, id: Uuid) -> DomainResult<bool> {
        let n = diesel::delete(activity::table.filter(activity::org_id.eq(org.0)).filter(activity::id.eq(id)))
            .execute(self.conn)
            .map_err(infra)?;
        Ok(n == 1)
    }
}
