//! PostgreSQL adapter: pool, embedded migrations, and the `Db` unit of work that implements the
//! domain's ports inside one transaction.

pub mod activities;
pub mod annonces;
pub mod appointments;
pub mod audit;
pub mod audit_log;
pub mod common;
pub mod consents;
pub mod dashboard;
pub mod dossiers;
pub mod identity;
pub mod messages;
pub mod ops;
pub mod outbound;
pub mod parties;
pub mod retention;
pub mod schema;
pub mod search;
pub mod whatsapp_config;
pub mod whatsapp_inbound;

use diesel::pg::PgConnection;
use diesel::r2d2::{ConnectionManager, Pool, PooledConnection};
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use atlas_domain::error::DomainError;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

pub type PgPool = Pool<ConnectionManager<PgConnection>>;
pub type PgConn = PooledConnection<ConnectionManager<PgConnection>>;

pub fn build_pool(url: &str, size: u32) -> anyhow::Result<PgPool> {
    let manager = ConnectionManager::<PgConnection>::new(url);
    Ok(Pool::builder().max_size(size).connection_timeout(std::time::Duration::from_secs(10)).build(manager)?)
}

pub fn run_migrations(conn: &mut PgConnection) -> anyhow::Result<usize> {
    let applied = conn.run_pending_migrations(MIGRATIONS).map_err(|e| anyhow::anyhow!("migrations failed: {e}"))?;
    Ok(applied.len())
}

pub fn has_pending_migrations(conn: &mut PgConnection) -> anyhow::Result<bool> {
    conn.has_pending_migration(MIGRATIONS).map_err(|e| anyhow::anyhow!("migration check failed: {e}"))
}

/// The unit of work handed to use cases: one connection inside one open transaction.
pub struct Db<'c> {
    pub conn: &'c mut PgConnection,
}

/// Error of a transaction: either the use case refused (its error is kept as is), or the database
/// failed on commit/begin.
#[derive(Debug)]
pub enum TxError {
    Domain(DomainError),
    Db(diesel::result::Error),
}

impl From<diesel::result::Error> for TxError {
    fn from(e: diesel::result::Error) -> Self {
        TxError::Db(e)
    }
}

impl From<DomainError> for TxError {
    fn from(e: DomainError) -> Self {
        TxError::Domain(e)
    }
}

impl From<TxError> for DomainError {
    fn from(e: TxError) -> Self {
        match e {
            TxError::Domain(d) => d,
            TxError::Db(db) => DomainError::Infra(db.to_string()),
        }
    }
}

/// Runs `f` in one transaction on `conn`: committed when it returns Ok, rolled back otherwise.
pub fn in_tx<T>(
    conn: &mut PgConnection,
    f: impl FnOnce(&mut Db<'_>) -> Result<T, DomainError>,
) -> Result<T, DomainError> {
    conn.transaction::<T, TxError, _>(|c| {
        let mut db = Db { conn: c };
        f(&mut db).map_err(TxError::Domain)
    })
    .map_err(DomainError::from)
}

/// Maps a diesel error met inside a port to the domain's infrastructure error.
pub(crate) fn infra(e: diesel::result::Error) -> DomainError {
    DomainError::Infra(e.to_string())
}
