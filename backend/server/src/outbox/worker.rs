//! The claim → send → record loop. A worker claims a batch with a lease and commits, sends every
//! claimed message concurrently (no transaction is open during HTTP), then records each attempt in
//! its own short transaction guarded by the lease. Several workers (threads or processes) may run
//! against one database; a crashed worker's rows are claimed again when their lease runs out, so
//! delivery is at-least-once.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::Utc;
use futures_util::future::join_all;
use tokio::sync::watch;
use uuid::Uuid;

use atlas_domain::identity::OrgId;
use atlas_domain::ports::{MessageProvider, ProviderAccount, ProviderCredentials, ProviderError};
use atlas_domain::retry::{classify_http, AttemptOutcome, RetryClass};
use atlas_domain::usecases::outbound::{decide_after_failure, send_request};

use crate::db::outbound::worker::{claim, record_attempt, AttemptReport, ClaimedRow, Decision};
use crate::db::{Db, PgPool};
use crate::whatsapp::provider::CloudApiProvider;

use super::OutboxSettings;
use crate::security::secretbox::DataKey;

/// Error code of an attempt for an org without WhatsApp credentials (final: an admin must
/// configure WhatsApp, then a manager may retry).
pub const NOT_CONFIGURED: &str = "WHATSAPP_NOT_CONFIGURED";

pub struct Worker<P> {
    pool: PgPool,
    provider: Arc<P>,
    settings: OutboxSettings,
    /// Opens the access tokens, stored sealed in `whatsapp_settings` (security::secretbox).
    key: DataKey,
    id: Uuid,
}

impl<P: MessageProvider + 'static> Worker<P> {
    pub fn new(pool: PgPool, provider: P, settings: OutboxSettings, key: DataKey) -> Worker<P> {
        Worker { pool, provider: Arc::new(provider), settings, key, id: Uuid::now_v7() }
    }

    pub fn id(&self) -> Uuid {
        self.id
    }

    /// Runs until `stop` turns true; a batch in flight is finished first (graceful stop).
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        tracing::info!(worker_id = %self.id, "outbox worker started");
        loop {
            if *stop.borrow() {
                break;
            }
            let handled = match self.run_once().await {
                Ok(n) => n,
                Err(e) => {
                    tracing::error!(worker_id = %self.id, error = %e, "outbox round failed");
                    0
                }
            };
            // A non-empty round may have left more due rows: claim again at once.
            if handled == 0 {
                tokio::select! {
                    () = tokio::time::sleep(self.settings.poll_interval) => {}
                    _ = stop.changed() => {}
                }
            }
        }
        tracing::info!(worker_id = %self.id, "outbox worker stopped");
    }

    /// One round: claim, send, record. Returns how many rows were claimed.
    pub async fn run_once(&self) -> anyhow::Result<usize> {
        let pool = self.pool.clone();
        let (id, limit) = (self.id, self.settings.batch_size);
        let key = self.key.clone();
        let lease = self.settings.lease.as_secs_f64();
        let (rows, accounts) = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
            let mut conn = pool.get()?;
            let rows = claim(&mut conn, id, limit, lease)?;
            let mut accounts: HashMap<Uuid, Option<ProviderAccount>> = HashMap::new();
            for org in rows.iter().map(|r| r.org_id).collect::<HashSet<_>>() {
                let account = Db { conn: &mut conn }.whatsapp_credentials(OrgId(org)).map_err(anyhow::Error::msg)?;
                // A token that does not open (key changed) counts as not configured.
                let account = account.and_then(|a| {
                    key.open_string(&a.access_token).map(|access_token| ProviderAccount { access_token, ..a })
                });
                accounts.insert(org, account);
            }
            Ok((rows, accounts))
        })
        .await??;
        let claimed = rows.len();
        if claimed == 0 {
            return Ok(0);
        }
        let reports = join_all(rows.into_iter().map(|row| {
            let account = accounts.get(&row.org_id).cloned().flatten();
            self.attempt(row, account)
        }))
        .await;
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            let mut conn = pool.get()?;
            for r in &reports {
                match record_attempt(&mut conn, r) {
                    Ok(true) => {}
                    Ok(false) => tracing::warn!(outbound_id = %r.id, "lease lost before the outcome was recorded"),
                    // The row stays SENDING and is claimed again when the lease runs out.
                    Err(e) => tracing::error!(outbound_id = %r.id, error = %e, "could not record an outbound attempt"),
                }
            }
            Ok(())
        })
        .await??;
        Ok(claimed)
    }

    async fn attempt(&self, row: ClaimedRow, account: Option<ProviderAccount>) -> AttemptReport {
        let started_at = Utc::now();
        let template = match (&row.template_code, &row.template_language) {
            (Some(code), language) => Some((
                code.clone(),
                language.clone().unwrap_or_default(),
                row.template_params.clone().and_then(|v| serde_json::from_value(v).ok()).unwrap_or_default(),
            )),
            (None, _) => None,
        };
        let request = send_request(row.id, &row.to_phone, template, row.text.clone());
        let result = match &account {
            Some(a) => self.provider.send(a, &request).await,
            None => Err(ProviderError {
                http_status: None,
                code: NOT_CONFIGURED.into(),
                message: "WhatsApp is not configured for this organisation".into(),
            }),
        };
        let finished_at = Utc::now();
        let decision = match result {
            Ok(accepted) => Decision::Sent { provider_message_id: accepted.provider_message_id },
            Err(error) => {
                let class = if account.is_none() { RetryClass::Final } else { classify_http(error.http_status) };
                let count = |n: i32| u32::try_from(n).unwrap_or(0);
                match decide_after_failure(
                    &self.settings.backoff,
                    count(row.attempt_count),
                    count(row.budget_start),
                    count(row.max_attempts),
                    class,
                    rand::random::<f64>(),
                ) {
                    AttemptOutcome::RetryAfter(delay) => Decision::RetryAt { at: finished_at + delay, error },
                    AttemptOutcome::DeadLetter => Decision::DeadLetter { error },
                    AttemptOutcome::Failed => Decision::Failed { error },
                }
            }
        };
        tracing::debug!(outbound_id = %row.id, attempt = row.attempt_count, ?decision, "outbound attempt");
        AttemptReport {
            org_id: row.org_id,
            id: row.id,
            worker_id: self.id,
            attempt_no: row.attempt_count,
            started_at,
            finished_at,
            decision,
        }
    }
}

/// A worker running on the current actix/tokio runtime, stopped with [`WorkerHandle::stop`].
pub struct WorkerHandle {
    stop: watch::Sender<bool>,
    join: tokio::task::JoinHandle<()>,
    pub worker_id: Uuid,
}

impl WorkerHandle {
    /// Asks the worker to stop after its current batch and waits for it.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.join.await;
    }
}

/// Starts a worker against the real provider adapter (`atlas serve`, `atlas worker`).
pub fn start(pool: PgPool, settings: OutboxSettings, key: DataKey) -> anyhow::Result<WorkerHandle> {
    let provider = CloudApiProvider::new(&settings.api_base, settings.send_timeout)?;
    Ok(start_with(pool, provider, settings, key))
}

/// Starts a worker with any provider (tests).
pub fn start_with<P: MessageProvider + 'static>(
    pool: PgPool,
    provider: P,
    settings: OutboxSettings,
    key: DataKey,
) -> WorkerHandle {
    let (tx, rx) = watch::channel(false);
    let worker = Worker::new(pool, provider, settings, key);
    let worker_id = worker.id();
    let join = actix_web::rt::spawn(worker.run(rx));
    WorkerHandle { stop: tx, join, worker_id }
}
