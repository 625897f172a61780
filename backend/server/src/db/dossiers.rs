//! `DossierStore` over diesel. Every query is scoped to the org; deduplication is enforced by the
//! partial unique indexes `dossier_dedup_phone_key` / `dossier_dedup_email_key` (migration
//! core_crm), which is what makes it hold under concurrency.

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sql_types::{Bool, Text, Timestamptz};
use uuid::Uuid;

use atlas_domain::annonce::AnnonceStatus;
use atlas_domain::dossier::{DossierStatus, DossierType, Source};
use atlas_domain::error::{DomainError, DomainResult};
use atlas_domain::identity::{OrgId, UserId};
use atlas_domain::money::Money;
use atlas_domain::phone::PhoneE164;
use atlas_domain::usecases::dossiers::transfer::{DossierTransferStore, ExportCursor};
use atlas_domain::usecases::dossiers::{
    Dossier, DossierFilter, DossierListQuery, DossierSortField, DossierStore, StatusHistoryEntry,
};

use super::schema::{annonce, dossier, dossier_status_history, party};
use super::{infra, Db};

/// Closed dossiers leave the dedup indexes and the duplicate lookup.
const CLOSED: [&str; 2] = ["WON", "LOST"];

#[derive(Queryable, Selectable)]
#[diesel(table_name = dossier, check_for_backend(Pg))]
struct DossierRow {
    id: Uuid,
    reference: String,
    annonce_id: Option<Uuid>,
    lead_name: String,
    lead_phone: Option<String>,
    lead_email: Option<String>,
    whatsapp_user_id: Option<String>,
    source: String,
    dossier_type: String,
    status: String,
    assigned_to_user_id: Option<Uuid>,
    budget_min_cents: Option<i64>,
    budget_max_cents: Option<i64>,
    notes: Option<String>,
    loss_reason: Option<String>,
    won_reason: Option<String>,
    status_comment: Option<String>,
    last_activity_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i32,
}

fn bad_value(column: &str, value: &str) -> DomainError {
    DomainError::Infra(format!("unexpected dossier.{column} in database: {value}"))
}

fn status(s: &str) -> DomainResult<DossierStatus> {
    DossierStatus::parse(s).ok_or_else(|| bad_value("status", s))
}

impl TryFrom<DossierRow> for Dossier {
    type Error = DomainError;

    fn try_from(r: DossierRow) -> DomainResult<Dossier> {
        let lead_phone = match r.lead_phone {
            Some(p) => Some(PhoneE164::try_from(p).map_err(|e| DomainError::Infra(e.to_string()))?),
            None => None,
        };
        Ok(Dossier {
            id: r.id,
            reference: r.reference,
            annonce_id: r.annonce_id,
            lead_name: r.lead_name,
            lead_phone,
            lead_email: r.lead_email,
            whatsapp_user_id: r.whatsapp_user_id,
            source: Source::parse(&r.source).ok_or_else(|| bad_value("source", &r.source))?,
            dossier_type: DossierType::parse(&r.dossier_type).ok_or_else(|| bad_value("type", &r.dossier_type))?,
            status: status(&r.status)?,
            assigned_to: r.assigned_to_user_id.map(UserId),
            budget_min: r.budget_min_cents.map(Money::from_cents),
            budget_max: r.budget_max_cents.map(Money::from_cents),
            notes: r.notes,
            loss_reason: r.loss_reason,
            won_reason: r.won_reason,
            status_comment: r.status_comment,
            last_activity_at: r.last_activity_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        })
    }
}

fn to_domain(rows: Vec<DossierRow>) -> DomainResult<Vec<Dossier>> {
    rows.into_iter().map(Dossier::try_from).collect()
}

/// A client can cause these (a key taken by another open dossier, a reference removed meanwhile):
/// never a 500.
fn write_error(e: DieselError) -> DomainError {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => DomainError::Conflict(
            "another open dossier already has this lead phone or email for the same annonce".into(),
        ),
        DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => DomainError::NotFound,
        other => infra(other),
    }
}

/// `%`, `_` and `\` taken literally in a LIKE pattern (backslash is PostgreSQL's default escape).
fn like_contains(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('%');
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

fn filtered<'a>(org: Uuid, f: &DossierFilter) -> dossier::BoxedQuery<'a, Pg> {
    let mut q = dossier::table.filter(dossier::org_id.eq(org)).into_boxed();
    if let Some(s) = f.status {
        q = q.filter(dossier::status.eq(s.as_str()));
    }
    if let Some(s) = f.source {
        q = q.filter(dossier::source.eq(s.as_str()));
    }
    if let Some(t) = f.dossier_type {
        q = q.filter(dossier::dossier_type.eq(t.as_str()));
    }
    if let Some(u) = f.assigned_to {
        q = q.filter(dossier::assigned_to_user_id.eq(u));
    }
    if let Some(a) = f.annonce_id {
        q = q.filter(dossier::annonce_id.eq(a));
    }
    if let Some(from) = f.created_from {
        q = q.filter(dossier::created_at.ge(from));
    }
    if let Some(before) = f.created_before {
        q = q.filter(dossier::created_at.lt(before));
    }
    if let Some(text) = &f.q {
        let pat = like_contains(&text.text);
        let digits = text.phone_digits.as_deref().map(like_contains).unwrap_or_else(|| pat.clone());
        let phone = text.phone.clone().unwrap_or_default();
        q = q.filter(
            dossier::lead_name
                .ilike(pat.clone())
                .or(dossier::reference.ilike(pat.clone()))
                .or(dossier::lead_email.assume_not_null().ilike(pat.clone()))
                .or(dossier::lead_phone.assume_not_null().ilike(pat))
                .or(dossier::lead_phone.assume_not_null().like(digits))
                .or(dossier::lead_phone.assume_not_null().eq(phone)),
        );
    }
    q
}

fn sorted<'a>(q: dossier::BoxedQuery<'a, Pg>, sort: DossierSortField, desc: bool) -> dossier::BoxedQuery<'a, Pg> {
    use DossierSortField::*;
    // Pipeline order rather than alphabetical for `status`; names compare case-insensitively.
    const STATUS_RANK: &str = "CASE status WHEN 'NEW' THEN 0 WHEN 'QUALIFYING' THEN 1 WHEN 'QUALIFIED' THEN 2 \
                               WHEN 'APPOINTMENT' THEN 3 WHEN 'WON' THEN 4 ELSE 5 END";
    match (sort, desc) {
        (CreatedAt, false) => q.order((dossier::created_at.asc(), dossier::id.asc())),
        (CreatedAt, true) => q.order((dossier::created_at.desc(), dossier::id.desc())),
        (UpdatedAt, false) => q.order((dossier::updated_at.asc(), dossier::id.asc())),
        (UpdatedAt, true) => q.order((dossier::updated_at.desc(), dossier::id.desc())),
        (LastActivityAt, false) => q.order((dossier::last_activity_at.asc(), dossier::id.asc())),
        (LastActivityAt, true) => q.order((dossier::last_activity_at.desc(), dossier::id.desc())),
        (LeadName, false) => q.order((sql::<Text>("lower(lead_name)").asc(), dossier::id.asc())),
        (LeadName, true) => q.order((sql::<Text>("lower(lead_name)").desc(), dossier::id.desc())),
        (Reference, false) => q.order((dossier::reference.asc(), dossier::id.asc())),
        (Reference, true) => q.order((dossier::reference.desc(), dossier::id.desc())),
        (Status, false) => q.order((sql::<diesel::sql_types::Integer>(STATUS_RANK).asc(), dossier::id.asc())),
        (Status, true) => q.order((sql::<diesel::sql_types::Integer>(STATUS_RANK).desc(), dossier::id.desc())),
    }
}

impl Db<'_> {
    fn first_open_match(
        &mut self,
        org: Uuid,
        phone: Option<&str>,
        email: Option<&str>,
        annonce: Option<Uuid>,
    ) -> DomainResult<Option<Dossier>> {
        let mut q = dossier::table
            .filter(dossier::org_id.eq(org))
            .filter(dossier::status.ne_all(CLOSED.to_vec()))
            .select(DossierRow::as_select())
            .into_boxed();
        q = match annonce {
            Some(a) => q.filter(dossier::annonce_id.eq(a)),
            None => q.filter(dossier::annonce_id.is_null()),
        };
        q = match (phone, email) {
            (Some(p), _) => q.filter(dossier::lead_phone.eq(p.to_string())),
            (None, Some(e)) => q.filter(dossier::lead_email.eq(e.to_string())),
            (None, None) => return Ok(None),
        };
        let row = q.order((dossier::created_at.asc(), dossier::id.asc())).first(self.conn).optional().map_err(infra)?;
        row.map(Dossier::try_from).transpose()
    }
}

impl DossierStore for Db<'_> {
    fn insert_dossier_unless_duplicate(&mut self, org: OrgId, d: &Dossier) -> DomainResult<bool> {
        // No conflict target: a clash on either dedup index (or any other unique key) inserts
        // nothing, after waiting for a concurrent inserter of the same key to commit or roll back.
        let inserted = diesel::insert_into(dossier::table)
            .values((
                dossier::org_id.eq(org.0),
                dossier::id.eq(d.id),
                dossier::reference.eq(&d.reference),
                dossier::annonce_id.eq(d.annonce_id),
                dossier::lead_name.eq(&d.lead_name),
                dossier::lead_phone.eq(d.lead_phone.as_ref().map(PhoneE164::as_str)),
                dossier::lead_email.eq(d.lead_email.as_deref()),
                dossier::whatsapp_user_id.eq(d.whatsapp_user_id.as_deref()),
                dossier::source.eq(d.source.as_str()),
                dossier::dossier_type.eq(d.dossier_type.as_str()),
                dossier::status.eq(d.status.as_str()),
                dossier::assigned_to_user_id.eq(d.assigned_to.map(|u| u.0)),
                dossier::budget_min_cents.eq(d.budget_min.map(Money::cents)),
                dossier::budget_max_cents.eq(d.budget_max.map(Money::cents)),
                dossier::notes.eq(d.notes.as_deref()),
                dossier::last_activity_at.eq(d.last_activity_at),
                dossier::created_at.eq(d.created_at),
                dossier::updated_at.eq(d.updated_at),
                dossier::version.eq(d.version),
            ))
            .on_conflict_do_nothing()
            .execute(self.conn)
            .map_err(write_error)?;
        Ok(inserted == 1)
    }

    fn find_open_duplicate(
        &mut self,
        org: OrgId,
        phone: Option<&str>,
        email: Option<&str>,
        annonce: Option<Uuid>,
    ) -> DomainResult<Option<Dossier>> {
        // Phone match first; the email only when no open dossier has the phone (crate::dedup).
        if let Some(found) = self.first_open_match(org.0, phone, None, annonce)? {
            return Ok(Some(found));
        }
        match email {
            Some(_) => self.first_open_match(org.0, None, email, annonce),
            None => Ok(None),
        }
    }

    fn find_dossier(&mut self, org: OrgId, id: Uuid) -> DomainResult<Option<Dossier>> {
        let row = dossier::table
            .find((org.0, id))
            .select(DossierRow::as_select())
            .first(self.conn)
            .optional()
            .map_err(infra)?;
        row.map(Dossier::try_from).transpose()
    }

    fn lock_dossier(&mut self, org: OrgId, id: Uuid) -> DomainResult<Option<Dossier>> {
        let row = dossier::table
            .find((org.0, id))
            .select(DossierRow::as_select())
            .for_update()
            .first(self.conn)
            .optional()
            .map_err(infra)?;
        row.map(Dossier::try_from).transpose()
    }

    fn update_dossier(&mut self, org: OrgId, d: &Dossier) -> DomainResult<()> {
        let n = diesel::update(dossier::table.find((org.0, d.id)))
            .set((
                dossier::annonce_id.eq(d.annonce_id),
                dossier::lead_name.eq(&d.lead_name),
                dossier::lead_phone.eq(d.lead_phone.as_ref().map(PhoneE164::as_str)),
                dossier::lead_email.eq(d.lead_email.as_deref()),
                dossier::whatsapp_user_id.eq(d.whatsapp_user_id.as_deref()),
                dossier::source.eq(d.source.as_str()),
                dossier::dossier_type.eq(d.dossier_type.as_str()),
                dossier::status.eq(d.status.as_str()),
                dossier::assigned_to_user_id.eq(d.assigned_to.map(|u| u.0)),
                dossier::budget_min_cents.eq(d.budget_min.map(Money::cents)),
                dossier::budget_max_cents.eq(d.budget_max.map(Money::cents)),
                dossier::notes.eq(d.notes.as_deref()),
                dossier::loss_reason.eq(d.loss_reason.as_deref()),
                dossier::won_reason.eq(d.won_reason.as_deref()),
                dossier::status_comment.eq(d.status_comment.as_deref()),
                dossier::updated_at.eq(d.updated_at),
                dossier::version.eq(d.version),
            ))
            .execute(self.conn)
            .map_err(write_error)?;
        if n == 1 {
            Ok(())
        } else {
            Err(DomainError::NotFound)
        }
    }

    fn delete_dossier(&mut self, org: OrgId, id: Uuid) -> DomainResult<bool> {
        let n = diesel::delete(dossier::table.find((org.0, id))).execute(self.conn).map_err(write_error)?;
        Ok(n == 1)
    }

    fn list_dossiers(&mut self, org: OrgId, query: &DossierListQuery) -> DomainResult<(Vec<Dossier>, u64)> {
        let total: i64 = filtered(org.0, &query.filter).count().get_result(self.conn).map_err(infra)?;
        let rows = sorted(filtered(org.0, &query.filter), query.sort, query.descending)
            .select(DossierRow::as_select())
            .limit(i64::from(query.size))
            .offset(i64::from(query.page) * i64::from(query.size))
            .load(self.conn)
            .map_err(infra)?;
        Ok((to_domain(rows)?, u64::try_from(total).unwrap_or(0)))
    }

    fn find_dossiers_by_contact(
        &mut self,
        org: OrgId,
        phone: Option<&str>,
        email: Option<&str>,
        limit: u32,
    ) -> DomainResult<Vec<Dossier>> {
        // Three index lookups merged here rather than one `a OR b OR id IN (…)`: PostgreSQL cannot
        // use an index for that OR and walks the whole org (194 ms at 100k dossiers, 0.2 ms now;
        // docs/benchmarks.md).
        let open = || {
            dossier::table
                .filter(dossier::org_id.eq(org.0))
                .filter(dossier::status.ne_all(CLOSED.to_vec()))
                .order((dossier::created_at.asc(), dossier::id.asc()))
                .limit(i64::from(limit))
                .select(DossierRow::as_select())
                .into_boxed()
        };
        let mut rows: Vec<DossierRow> = Vec::new();
        if let Some(p) = phone {
            rows.extend(open().filter(dossier::lead_phone.eq(p.to_string())).load(self.conn).map_err(infra)?);
        }
        if let Some(e) = email {
            rows.extend(open().filter(dossier::lead_email.eq(e.to_string())).load(self.conn).map_err(infra)?);
        }
        let by_party = party::table
            .filter(party::org_id.eq(org.0))
            .filter(party::phone.eq(phone.map(str::to_string)).or(party::email.eq(email.map(str::to_string))))
            .select(party::dossier_id);
        rows.extend(open().filter(dossier::id.eq_any(by_party)).load(self.conn).map_err(infra)?);
        rows.sort_by_key(|r| (r.created_at, r.id));
        rows.dedup_by_key(|r| r.id);
        rows.truncate(usize::try_from(limit).unwrap_or(20));
        to_domain(rows)
    }

    fn add_status_history(&mut self, org: OrgId, e: &StatusHistoryEntry) -> DomainResult<()> {
        diesel::insert_into(dossier_status_history::table)
            .values((
                dossier_status_history::org_id.eq(org.0),
                dossier_status_history::id.eq(e.id),
                dossier_status_history::dossier_id.eq(e.dossier_id),
                dossier_status_history::from_status.eq(e.from_status.as_str()),
                dossier_status_history::to_status.eq(e.to_status.as_str()),
                dossier_status_history::reason.eq(e.reason.as_deref()),
                dossier_status_history::comment.eq(e.comment.as_deref()),
                dossier_status_history::changed_by_user_id.eq(e.changed_by.map(|u| u.0)),
                dossier_status_history::changed_at.eq(e.changed_at),
            ))
            .execute(self.conn)
            .map_err(write_error)?;
        Ok(())
    }

    fn status_history(&mut self, org: OrgId, dossier: Uuid) -> DomainResult<Vec<StatusHistoryEntry>> {
        type Row = (Uuid, Uuid, String, String, Option<String>, Option<String>, Option<Uuid>, DateTime<Utc>);
        let rows: Vec<Row> = dossier_status_history::table
            .filter(dossier_status_history::org_id.eq(org.0))
            .filter(dossier_status_history::dossier_id.eq(dossier))
            .order((dossier_status_history::changed_at.asc(), dossier_status_history::id.asc()))
            .select((
                dossier_status_history::id,
                dossier_status_history::dossier_id,
                dossier_status_history::from_status,
                dossier_status_history::to_status,
                dossier_status_history::reason,
                dossier_status_history::comment,
                dossier_status_history::changed_by_user_id,
                dossier_status_history::changed_at,
            ))
            .load(self.conn)
            .map_err(infra)?;
        rows.into_iter()
            .map(|(id, dossier_id, from, to, reason, comment, by, at)| {
                Ok(StatusHistoryEntry {
                    id,
                    dossier_id,
                    from_status: status(&from)?,
                    to_status: status(&to)?,
                    reason,
                    comment,
                    changed_by: by.map(UserId),
                    changed_at: at,
                })
            })
            .collect()
    }

    fn annonce_status(&mut self, org: OrgId, id: Uuid) -> DomainResult<Option<AnnonceStatus>> {
        let s: Option<String> =
            annonce::table.find((org.0, id)).select(annonce::status).first(self.conn).optional().map_err(infra)?;
        s.map(|s| AnnonceStatus::parse(&s).ok_or_else(|| DomainError::Infra(format!("unexpected annonce.status {s}"))))
            .transpose()
    }
}

impl DossierTransferStore for Db<'_> {
    fn dossier_export_chunk(
        &mut self,
        org: OrgId,
        filter: &DossierFilter,
        after: Option<ExportCursor>,
        limit: u32,
    ) -> DomainResult<Vec<Dossier>> {
        let mut q = filtered(org.0, filter);
        if let Some((at, id)) = after {
            // A row-value comparison walks `dossier_list_idx` (org_id, created_at DESC, id DESC).
            q = q.filter(
                sql::<Bool>("(dossier.created_at, dossier.id) < (")
                    .bind::<Timestamptz, _>(at)
                    .sql(", ")
                    .bind::<diesel::sql_types::Uuid, _>(id)
                    .sql(")"),
            );
        }
        let rows = q
            .order((dossier::created_at.desc(), dossier::id.desc()))
            .limit(i64::from(limit))
            .select(DossierRow::as_select())
            .load(self.conn)
            .map_err(infra)?;
        to_domain(rows)
    }

    fn annonce_id_by_reference(&mut self, org: OrgId, reference: &str) -> DomainResult<Option<Uuid>> {
        annonce::table
            .filter(annonce::org_id.eq(org.0))
            .filter(annonce::reference.eq(reference))
            .select(annonce::id)
            .first(self.conn)
            .optional()
            .map_err(infra)
    }
}
