//! `WhatsappSettingsStore` and `TemplateStore` over diesel.
//!
//! The tables are declared here rather than in schema.rs: `whatsapp_settings` is shared with the
//! outbox module (migration 000003) and only the columns this module reads are named.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sql_types::{Text, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

use atlas_domain::error::{DomainError, DomainResult};
use atlas_domain::identity::OrgId;
use atlas_domain::usecases::whatsapp_config::{
    taken, SealedSettings, SettingsView, TemplateFilter, TemplateRecord, TemplateSort, TemplateStore,
    WhatsappSettingsStore,
};
use atlas_domain::whatsapp::TemplateCategory;

use super::{infra, Db};

diesel::table! {
    whatsapp_template (org_id, code) {
        org_id -> Uuid,
        id -> Uuid,
        code -> Text,
        language -> Text,
        category -> Text,
        body -> Text,
        param_count -> Int4,
        active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

#[derive(QueryableByName)]
struct SettingsRow {
    #[diesel(sql_type = Text)]
    phone_number_id: String,
    #[diesel(sql_type = Timestamptz)]
    updated_at: DateTime<Utc>,
}

#[derive(QueryableByName)]
struct OwnerRow {
    #[diesel(sql_type = SqlUuid)]
    org_id: Uuid,
}

impl WhatsappSettingsStore for Db<'_> {
    fn whatsapp_settings(&mut self, org: OrgId) -> DomainResult<Option<SettingsView>> {
        let row: Option<SettingsRow> =
            diesel::sql_query("SELECT phone_number_id, updated_at FROM whatsapp_settings WHERE org_id = $1")
                .bind::<SqlUuid, _>(org.0)
                .get_result(self.conn)
                .optional()
                .map_err(infra)?;
        Ok(row.map(|r| SettingsView { phone_number_id: r.phone_number_id, updated_at: r.updated_at }))
    }

    fn phone_number_id_owner(&mut self, phone_number_id: &str) -> DomainResult<Option<OrgId>> {
        let row: Option<OwnerRow> =
            diesel::sql_query("SELECT org_id FROM whatsapp_settings WHERE phone_number_id = $1")
                .bind::<Text, _>(phone_number_id)
                .get_result(self.conn)
                .optional()
                .map_err(infra)?;
        Ok(row.map(|r| OrgId(r.org_id)))
    }

    fn upsert_whatsapp_settings(
        &mut self,
        org: OrgId,
        s: &SealedSettings,
        now: DateTime<Utc>,
    ) -> DomainResult<SettingsView> {
        let row: SettingsRow = diesel::sql_query(
            "INSERT INTO whatsapp_settings (org_id, phone_number_id, access_token, app_secret_sealed, \
             verify_token_hash, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $6, 1) \
             ON CONFLICT (org_id) DO UPDATE SET phone_number_id = EXCLUDED.phone_number_id, \
             access_token = EXCLUDED.access_token, app_secret_sealed = EXCLUDED.app_secret_sealed, \
             verify_token_hash = EXCLUDED.verify_token_hash, updated_at = EXCLUDED.updated_at, \
             version = whatsapp_settings.version + 1 \
             RETURNING phone_number_id, updated_at",
        )
        .bind::<SqlUuid, _>(org.0)
        .bind::<Text, _>(&s.phone_number_id)
        .bind::<Text, _>(&s.access_token_sealed)
        .bind::<Text, _>(&s.app_secret_sealed)
        .bind::<Text, _>(&s.verify_token_hash)
        .bind::<Timestamptz, _>(now)
        .get_result(self.conn)
        .map_err(|e| match e {
            // whatsapp_settings_phone_number_id_key: another org took the number meanwhile.
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => taken(),
            other => infra(other),
        })?;
        Ok(SettingsView { phone_number_id: row.phone_number_id, updated_at: row.updated_at })
    }
}

type TemplateRow = (Uuid, String, String, String, String, i32, bool, DateTime<Utc>, DateTime<Utc>, i32);

const TEMPLATE_COLS: (
    whatsapp_template::id,
    whatsapp_template::code,
    whatsapp_template::language,
    whatsapp_template::category,
    whatsapp_template::body,
    whatsapp_template::param_count,
    whatsapp_template::active,
    whatsapp_template::created_at,
    whatsapp_template::updated_at,
    whatsapp_template::version,
) = (
    whatsapp_template::id,
    whatsapp_template::code,
    whatsapp_template::language,
    whatsapp_template::category,
    whatsapp_template::body,
    whatsapp_template::param_count,
    whatsapp_template::active,
    whatsapp_template::created_at,
    whatsapp_template::updated_at,
    whatsapp_template::version,
);

fn to_record(r: TemplateRow) -> DomainResult<TemplateRecord> {
    let (id, code, language, category, body, param_count, active, created_at, updated_at, version) = r;
    Ok(TemplateRecord {
        id,
        code,
        language,
        category: TemplateCategory::parse(&category)
            .ok_or_else(|| DomainError::Infra(format!("unknown template category in database: {category}")))?,
        body,
        param_count: u32::try_from(param_count).unwrap_or(0),
        active,
        created_at,
        updated_at,
        version,
    })
}

fn param_count(t: &TemplateRecord) -> i32 {
    i32::try_from(t.param_count).unwrap_or(i32::MAX)
}

impl TemplateStore for Db<'_> {
    fn list_templates(&mut self, org: OrgId, f: &TemplateFilter) -> DomainResult<(Vec<TemplateRecord>, u64)> {
        let filtered = || {
            let mut q = whatsapp_template::table.filter(whatsapp_template::org_id.eq(org.0)).into_boxed();
            if let Some(a) = f.active {
                q = q.filter(whatsapp_template::active.eq(a));
            }
            if let Some(c) = f.category {
                q = q.filter(whatsapp_template::category.eq(c.as_str()));
            }
            if let Some(l) = &f.language {
                q = q.filter(whatsapp_template::language.eq(l.clone()));
            }
            q
        };
        let total: i64 = filtered().count().get_result(self.conn).map_err(infra)?;
        let mut q = filtered();
        q = match (f.sort, f.descending) {
            (TemplateSort::CreatedAt, true) => q.order((whatsapp_template::created_at.desc(), whatsapp_template::code)),
            (TemplateSort::CreatedAt, false) => q.order((whatsapp_template::created_at.asc(), whatsapp_template::code)),
            (TemplateSort::UpdatedAt, true) => q.order((whatsapp_template::updated_at.desc(), whatsapp_template::code)),
            (TemplateSort::UpdatedAt, false) => q.order((whatsapp_template::updated_at.asc(), whatsapp_template::code)),
            (TemplateSort::Code, true) => q.order(whatsapp_template::code.desc()),
            (TemplateSort::Code, false) => q.order(whatsapp_template::code.asc()),
        };
        let rows: Vec<TemplateRow> = q
            .select(TEMPLATE_COLS)
            .limit(i64::from(f.size))
            .offset(i64::from(f.page) * i64::from(f.size))
            .load(self.conn)
            .map_err(infra)?;
        let items = rows.into_iter().map(to_record).collect::<DomainResult<Vec<_>>>()?;
        Ok((items, u64::try_from(total).unwrap_or(0)))
    }

    fn template(&mut self, org: OrgId, code: &str) -> DomainResult<Option<TemplateRecord>> {
        let row: Option<TemplateRow> = whatsapp_template::table
            .find((org.0, code))
            .select(TEMPLATE_COLS)
            .first(self.conn)
            .optional()
            .map_err(infra)?;
        row.map(to_record).transpose()
    }

    fn insert_template(&mut self, org: OrgId, t: &TemplateRecord) -> DomainResult<()> {
        diesel::insert_into(whatsapp_template::table)
            .values((
                whatsapp_template::org_id.eq(org.0),
                whatsapp_template::id.eq(t.id),
                whatsapp_template::code.eq(&t.code),
                whatsapp_template::language.eq(&t.language),
                whatsapp_template::category.eq(t.category.as_str()),
                whatsapp_template::body.eq(&t.body),
                whatsapp_template::param_count.eq(param_count(t)),
                whatsapp_template::active.eq(t.active),
                whatsapp_template::created_at.eq(t.created_at),
                whatsapp_template::updated_at.eq(t.updated_at),
                whatsapp_template::version.eq(t.version),
            ))
            .execute(self.conn)
            .map_err(|e| match e {
                DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                    DomainError::Conflict(format!("a template with code {} already exists", t.code))
                }
                other => infra(other),
            })?;
        Ok(())
    }

    fn update_template(&mut self, org: OrgId, t: &TemplateRecord, expected: i32) -> DomainResult<bool> {
        let n = diesel::update(
            whatsapp_template::table.find((org.0, t.code.as_str())).filter(whatsapp_template::version.eq(expected)),
        )
        .set((
            whatsapp_template::language.eq(&t.language),
            whatsapp_template::category.eq(t.category.as_str()),
            whatsapp_template::body.eq(&t.body),
            whatsapp_template::param_count.eq(param_count(t)),
            whatsapp_template::active.eq(t.active),
            whatsapp_template::updated_at.eq(t.updated_at),
            whatsapp_template::version.eq(t.version),
        ))
        .execute(self.conn)
        .map_err(infra)?;
        Ok(n == 1)
    }

    fn delete_template(&mut self, org: OrgId, code: &str) -> DomainResult<bool> {
        let n = diesel::delete(whatsapp_template::table.find((org.0, code))).execute(self.conn).map_err(infra)?;
        Ok(n == 1)
    }
}
