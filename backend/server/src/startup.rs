//! Composition root: pool, migrations, state, HTTP server. Used by `atlas serve` and by tests.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpServer};
use tracing_actix_web::TracingLogger;

use crate::config::Config;
use crate::db::{self, PgPool};
use crate::http::rate_limit::RateLimits;
use crate::http::{self, middleware::request_id_and_problems, spa, span::AtlasRootSpan, state::AppState};
use crate::security::jwt::JwtKeys;
use crate::security::password::Argon2Hasher;
use crate::security::secretbox::DataKey;
use crate::whatsapp::inbound::metrics::InboundMetrics;

/// Request bodies above this are refused with 413 (webhooks included, PRODUCT.md §10).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

pub struct Application {
    pub port: u16,
    pub server: Server,
}

pub fn build_state(config: Config, pool: PgPool) -> anyhow::Result<Arc<AppState>> {
    let hasher = Argon2Hasher::new().map_err(|e| anyhow::anyhow!("{e}"))?;
    let jwt = JwtKeys::new(&config.jwt_secret, config.token_ttl_secs);
    let outbox = crate::outbox::OutboxSettings::from_env()?;
    let data_key = DataKey::for_config(&config);
    let rate_limits = RateLimits::new(&config.rate_limits);
    Ok(Arc::new(AppState {
        pool,
        jwt,
        hasher,
        config,
        outbox,
        data_key,
        inbound_metrics: InboundMetrics::default(),
        rate_limits,
    }))
}

impl Application {
    /// Binds `config.bind` (port 0 picks a free one) and builds the server; `server` must be awaited
    /// or spawned to run.
    pub fn build(state: Arc<AppState>) -> anyhow::Result<Application> {
        let listener = TcpListener::bind(&state.config.bind)?;
        let port = listener.local_addr()?.port();
        let workers = state.config.http_workers;
        let data = web::Data::new(state);
        let mut server = HttpServer::new(move || {
            let static_dir = data.config.static_dir.clone();
            App::new()
                .app_data(data.clone())
                .app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
                .configure(http::routes)
                .configure(spa::configure(static_dir))
                .wrap(from_fn(spa::cache_headers))
                .wrap(TracingLogger::<AtlasRootSpan>::new())
                .wrap(from_fn(request_id_and_problems))
        })
        .listen(listener)?
        .shutdown_timeout(10);
        if workers > 0 {
            server = server.workers(workers);
        }
        Ok(Application { port, server: server.run() })
    }
}

/// Pool + migrations: what every sub-command that touches the database needs first.
pub fn connect_and_migrate(config: &Config) -> anyhow::Result<PgPool> {
    let pool = db::build_pool(&config.database_url, config.db_pool_size)?;
    let mut conn = pool.get()?;
    let n = db::run_migrations(&mut conn)?;
    if n > 0 {
        tracing::info!(applied = n, "migrations applied");
    }
    Ok(pool)
}
