//! `IdentityStore` over diesel: users, organisations, memberships.

use chrono::Utc;
use diesel::prelude::*;
use uuid::Uuid;

use atlas_domain::error::{DomainError, DomainResult};
use atlas_domain::identity::{OrgId, Role, UserId};
use atlas_domain::ports::{IdentityStore, MemberView, MembershipView, UserRecord};

use super::schema::{app_user, membership, organisation};
use super::{infra, Db};

#[derive(Queryable)]
struct UserRow {
    id: Uuid,
    email: String,
    display_name: String,
    password_hash: String,
    active: bool,
}

impl From<UserRow> for UserRecord {
    fn from(r: UserRow) -> Self {
        UserRecord {
            id: UserId(r.id),
            email: r.email,
            display_name: r.display_name,
            password_hash: r.password_hash,
            active: r.active,
        }
    }
}

const USER_COLS: (app_user::id, app_user::email, app_user::display_name, app_user::password_hash, app_user::active) =
    (app_user::id, app_user::email, app_user::display_name, app_user::password_hash, app_user::active);

fn role(s: &str) -> DomainResult<Role> {
    Role::parse(s).ok_or_else(|| DomainError::Infra(format!("unknown role in database: {s}")))
}

type MemberTuple = (Uuid, String, String, bool, String);

fn member(t: MemberTuple) -> DomainResult<MemberView> {
    Ok(MemberView { user_id: UserId(t.0), email: t.1, display_name: t.2, active: t.3, role: role(&t.4)? })
}

impl IdentityStore for Db<'_> {
    fn find_user_by_email(&mut self, email: &str) -> DomainResult<Option<UserRecord>> {
        app_user::table
            .filter(app_user::email.eq(email))
            .select(USER_COLS)
            .first::<UserRow>(self.conn)
            .optional()
            .map(|o| o.map(Into::into))
            .map_err(infra)
    }

    fn find_user(&mut self, id: UserId) -> DomainResult<Option<UserRecord>> {
        app_user::table
            .find(id.0)
            .select(USER_COLS)
            .first::<UserRow>(self.conn)
            .optional()
            .map(|o| o.map(Into::into))
            .map_err(infra)
    }

    fn memberships_of(&mut self, user: UserId) -> DomainResult<Vec<MembershipView>> {
        let rows: Vec<(Uuid, String, String)> = membership::table
            .inner_join(organisation::table)
            .filter(membership::user_id.eq(user.0))
            .order((organisation::name.asc(), organisation::id.asc()))
            .select((organisation::id, organisation::name, membership::role))
            .load(self.conn)
            .map_err(infra)?;
        rows.into_iter()
            .map(|(id, name, r)| Ok(MembershipView { org_id: OrgId(id), org_name: name, role: role(&r)? }))
            .collect()
    }

    fn role_in(&mut self, user: UserId, org: OrgId) -> DomainResult<Option<Role>> {
        let r: Option<String> = membership::table
            .find((org.0, user.0))
            .select(membership::role)
            .first(self.conn)
            .optional()
            .map_err(infra)?;
        r.as_deref().map(role).transpose()
    }

    fn list_members(&mut self, org: OrgId, page: u32, size: u32) -> DomainResult<(Vec<MemberView>, u64)> {
        let total: i64 =
            membership::table.filter(membership::org_id.eq(org.0)).count().get_result(self.conn).map_err(infra)?;
        let rows: Vec<MemberTuple> = membership::table
            .inner_join(app_user::table)
            .filter(membership::org_id.eq(org.0))
            .order((app_user::display_name.asc(), app_user::id.asc()))
            .limit(i64::from(size))
            .offset(i64::from(page) * i64::from(size))
            .select((app_user::id, app_user::email, app_user::display_name, app_user::active, membership::role))
            .load(self.conn)
            .map_err(infra)?;
        let items = rows.into_iter().map(member).collect::<DomainResult<Vec<_>>>()?;
        Ok((items, u64::try_from(total).unwrap_or(0)))
    }

    fn member(&mut self, org: OrgId, user: UserId) -> DomainResult<Option<MemberView>> {
        membership::table
            .inner_join(app_user::table)
            .filter(membership::org_id.eq(org.0).and(membership::user_id.eq(user.0)))
            .select((app_user::id, app_user::email, app_user::display_name, app_user::active, membership::role))
            .first::<MemberTuple>(self.conn)
            .optional()
            .map_err(infra)?
            .map(member)
            .transpose()
    }

    fn insert_user(&mut self, u: &UserRecord) -> DomainResult<()> {
        diesel::insert_into(app_user::table)
            .values((
                app_user::id.eq(u.id.0),
                app_user::email.eq(&u.email),
                app_user::display_name.eq(&u.display_name),
                app_user::password_hash.eq(&u.password_hash),
                app_user::active.eq(u.active),
            ))
            .execute(self.conn)
            .map_err(|e| match e {
                diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => {
                    DomainError::Conflict("a user with this email already exists".into())
                }
                other => infra(other),
            })?;
        Ok(())
    }

    fn set_user_active(&mut self, user: UserId, active: bool) -> DomainResult<()> {
        diesel::update(app_user::table.find(user.0))
            .set((
                app_user::active.eq(active),
                app_user::updated_at.eq(Utc::now()),
                app_user::version.eq(app_user::version + 1),
            ))
            .execute(self.conn)
            .map_err(infra)?;
        Ok(())
    }

    fn upsert_membership(&mut self, org: OrgId, user: UserId, r: Role) -> DomainResult<()> {
        diesel::insert_into(membership::table)
            .values((membership::org_id.eq(org.0), membership::user_id.eq(user.0), membership::role.eq(r.as_str())))
            .on_conflict((membership::org_id, membership::user_id))
            .do_update()
            .set((membership::role.eq(r.as_str()), membership::updated_at.eq(Utc::now())))
            .execute(self.conn)
            .map_err(infra)?;
        Ok(())
    }

    fn count_admins(&mut self, org: OrgId) -> DomainResult<u64> {
        let n: i64 = membership::table
            .inner_join(app_user::table)
            .filter(membership::org_id.eq(org.0))
            .filter(membership::role.eq(Role::Admin.as_str()))
            .filter(app_user::active.eq(true))
            .count()
            .get_result(self.conn)
            .map_err(infra)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

/// Organisations are created by the CLI only (create-org, seed-demo); no use case needs a port.
pub fn find_or_create_org(
    conn: &mut PgConnection,
    name: &str,
    default_country: &str,
    timezone: &str,
) -> QueryResult<(Uuid, bool)> {
    if let Some(id) = organisation::table
        .filter(organisation::name.eq(name))
        .select(organisation::id)
        .first::<Uuid>(conn)
        .optional()?
    {
        return Ok((id, false));
    }
    let id = Uuid::now_v7();
    diesel::insert_into(organisation::table)
        .values((
            organisation::id.eq(id),
            organisation::name.eq(name),
            organisation::default_country.eq(default_country),
            organisation::timezone.eq(timezone),
        ))
        .execute(conn)?;
    Ok((id, true))
}
