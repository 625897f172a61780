use std::sync::Arc;

use actix_web::web;
use diesel::pg::PgConnection;

use atlas_domain::error::DomainError;

use crate::config::Config;
use crate::db::PgPool;
use crate::security::jwt::JwtKeys;
use crate::security::password::Argon2Hasher;
use crate::security::secretbox::DataKey;
use crate::whatsapp::inbound::metrics::InboundMetrics;

use super::problem::ApiError;
use super::rate_limit::RateLimits;

/// Shared, read-only application state.
pub struct AppState {
    pub pool: PgPool,
    pub jwt: JwtKeys,
    pub hasher: Argon2Hasher,
    pub config: Config,
    pub outbox: crate::outbox::OutboxSettings,
    /// Seals stored secrets (WhatsApp credentials).
    pub data_key: DataKey,
    /// Process-wide counters of the WhatsApp webhook (exported by /metrics later).
    pub inbound_metrics: InboundMetrics,
    /// Keyed limiters of login, API and webhooks (PRODUCT.md §12), sized from `config`.
    pub rate_limits: RateLimits,
}

pub type State = web::Data<Arc<AppState>>;

impl AppState {
    /// Runs blocking database work on actix's blocking pool, never on the async executor.
    pub async fn with_conn<T, F>(self: &Arc<Self>, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut PgConnection, &AppState) -> Result<T, DomainError> + Send + 'static,
    {
        let me = Arc::clone(self);
        web::block(move || {
            let mut conn = me.pool.get().map_err(|e| DomainError::Infra(format!("pool: {e}")))?;
            f(&mut conn, &me)
        })
        .await?
        .map_err(ApiError::from)
    }
}
