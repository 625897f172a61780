//! `atlas create-org` and `atlas seed-demo` (PRODUCT.md §1). Both are idempotent: orgs are found
//! by name and users by email, so a second run changes nothing.

use diesel::pg::PgConnection;
use diesel::Connection;
use uuid::Uuid;

use atlas_domain::error::DomainError;
use atlas_domain::identity::{normalize_email, OrgId, Role, UserId};
use atlas_domain::ports::{IdentityStore, PasswordHasher, UserRecord};

use super::demo_whatsapp::{seed_whatsapp, DemoWhatsapp};
use crate::db::identity::find_or_create_org;
use crate::db::{Db, TxError};
use crate::security::password::Argon2Hasher;

pub const DEMO_PARIS: &str = "Agence Atlas Paris";
pub const DEMO_LYON: &str = "Agence Atlas Lyon";

pub struct DemoUser {
    pub email: &'static str,
    pub name: &'static str,
    pub role: Role,
}

pub const DEMO_USERS: [DemoUser; 4] = [
    DemoUser { email: "admin@demo.atlas", name: "Camille Admin", role: Role::Admin },
    DemoUser { email: "manager@demo.atlas", name: "Julien Manager", role: Role::Manager },
    DemoUser { email: "agent@demo.atlas", name: "Léa Agent", role: Role::Agent },
    DemoUser { email: "viewer@demo.atlas", name: "Hugo Lecteur", role: Role::Viewer },
];

/// Finds the user by email or creates it with `password`; an existing user's password is kept.
fn ensure_user(
    db: &mut Db<'_>,
    hasher: &Argon2Hasher,
    email: &str,
    name: &str,
    password: &str,
) -> Result<UserId, DomainError> {
    let email = normalize_email(email).map_err(|v| DomainError::Validation(vec![v]))?;
    if let Some(u) = db.find_user_by_email(&email)? {
        return Ok(u.id);
    }
    let user = UserRecord {
        id: UserId(Uuid::now_v7()),
        email,
        display_name: name.to_string(),
        password_hash: hasher.hash(password)?,
        active: true,
    };
    db.insert_user(&user)?;
    Ok(user.id)
}

fn ensure_member(db: &mut Db<'_>, org: OrgId, user: UserId, role: Role) -> Result<(), DomainError> {
    if db.role_in(user, org)?.is_none() {
        db.upsert_membership(org, user, role)?;
    }
    Ok(())
}

pub fn create_org(
    conn: &mut PgConnection,
    name: &str,
    admin_email: &str,
    admin_password: &str,
) -> anyhow::Result<Uuid> {
    atlas_domain::identity::validate_new_password(admin_password)
        .map_err(|v| anyhow::anyhow!("{}: {}", v.field, v.message))?;
    let hasher = Argon2Hasher::new().map_err(|e| anyhow::anyhow!("{e}"))?;
    let org = conn
        .transaction::<_, TxError, _>(|c| {
            let (org, _) = find_or_create_org(c, name, "FR", "Europe/Paris")?;
            let mut db = Db { conn: c };
            let admin = ensure_user(&mut db, &hasher, admin_email, "Administrateur", admin_password)?;
            ensure_member(&mut db, OrgId(org), admin, Role::Admin)?;
            Ok(org)
        })
        .map_err(|e| anyhow::anyhow!("{:?}", DomainError::from(e)))?;
    Ok(org)
}

pub struct SeedSummary {
    pub paris: Uuid,
    pub lyon: Uuid,
    /// Users by demo email, in DEMO_USERS order.
    pub users: Vec<Uuid>,
}

pub fn seed_demo(conn: &mut PgConnection, password: &str) -> anyhow::Result<SeedSummary> {
    let hasher = Argon2Hasher::new().map_err(|e| anyhow::anyhow!("{e}"))?;
    conn.transaction::<_, TxError, _>(|c| {
        let (paris, _) = find_or_create_org(c, DEMO_PARIS, "FR", "Europe/Paris")?;
        let (lyon, _) = find_or_create_org(c, DEMO_LYON, "FR", "Europe/Paris")?;
        let mut db = Db { conn: c };
        let mut users = Vec::new();
        for u in &DEMO_USERS {
            let id = ensure_user(&mut db, &hasher, u.email, u.name, password)?;
            ensure_member(&mut db, OrgId(paris), id, u.role)?;
            if u.role == Role::Admin {
                ensure_member(&mut db, OrgId(lyon), id, Role::Admin)?;
            }
            users.push(id.0);
        }
        Ok(SeedSummary { paris, lyon, users })
    })
    .map_err(|e| anyhow::anyhow!("{:?}", DomainError::from(e)))
}

/// The business data of the demo orgs (annonces, dossiers, …), on top of `seed_demo`'s users.
/// Only written into an org without annonces: a second run changes nothing. Also the WhatsApp
/// set-up of the Paris org (`demo_whatsapp`: dev credentials and templates, each written once).
pub fn seed_demo_data(conn: &mut PgConnection, s: &SeedSummary, wa: &DemoWhatsapp) -> anyhow::Result<(bool, bool)> {
    use super::demo_data::{seed_org, LYON, PARIS};
    // admin, manager, agent of Paris carry its dossiers; the admin alone works in Lyon
    let paris_staff: Vec<Uuid> = s.users.iter().take(3).copied().collect();
    let lyon_staff: Vec<Uuid> = s.users.iter().take(1).copied().collect();
    conn.transaction::<_, anyhow::Error, _>(|c| {
        let written = (seed_org(c, s.paris, &PARIS, &paris_staff)?, seed_org(c, s.lyon, &LYON, &lyon_staff)?);
        let w = seed_whatsapp(c, s.paris, wa)?;
        tracing::info!(
            settings_written = w.settings_written,
            templates_created = w.templates_created,
            credentials = wa.credentials.is_some(),
            "demo WhatsApp set-up"
        );
        Ok(written)
    })
}
