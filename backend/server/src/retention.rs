//! The retention purge (PRODUCT.md §12, docs/retention.md): [`run`] applies every org's settings,
//! one transaction per org, and is what both `atlas retention [--dry-run]` and the daily job of
//! `atlas serve` call. The rules are the domain's (`usecases::retention::apply`).

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::{Connection, RunQueryDsl};
use tokio::sync::watch;

use atlas_domain::error::DomainError;
use atlas_domain::identity::OrgId;
use atlas_domain::usecases::retention::{self as uc, PurgeCounts, RetentionSettings, RetentionStore};

use crate::db::{in_tx, Db, PgPool, TxError};

/// What one run did (or, dry, would do) in one org.
#[derive(Debug, Clone)]
pub struct OrgReport {
    pub org_id: OrgId,
    pub org_name: String,
    pub settings: RetentionSettings,
    /// The error of this org's transaction (rolled back), the other orgs still run.
    pub outcome: Result<PurgeCounts, String>,
}

/// Applies the retention settings of every org that has some. `dry_run` runs the very same
/// statements and rolls each transaction back: the counts are what a real run would purge.
pub fn run(conn: &mut PgConnection, dry_run: bool, now: DateTime<Utc>) -> anyhow::Result<Vec<OrgReport>> {
    let orgs = in_tx(conn, |db| db.orgs_with_retention()).map_err(|e| anyhow::anyhow!("listing orgs: {e}"))?;
    let mut reports = Vec::with_capacity(orgs.len());
    for (org_id, org_name, settings) in orgs {
        let outcome = apply_org(conn, org_id, &settings, now, dry_run).map_err(|e| e.to_string());
        match &outcome {
            Ok(c) => tracing::info!(
                org_id = %org_id.0, dry_run, messages_purged = c.messages_purged,
                audit_events_deleted = c.audit_events_deleted, dossiers_anonymised = c.dossiers_anonymised,
                raw_payloads_purged = c.raw_payloads_purged, "retention applied"
            ),
            Err(e) => tracing::error!(org_id = %org_id.0, dry_run, error = %e, "retention failed"),
        }
        reports.push(OrgReport { org_id, org_name, settings, outcome });
    }
    Ok(reports)
}

/// One org, in one transaction (rolled back when `dry_run`).
pub fn apply_org(
    conn: &mut PgConnection,
    org: OrgId,
    settings: &RetentionSettings,
    now: DateTime<Utc>,
    dry_run: bool,
) -> Result<PurgeCounts, DomainError> {
    let mut counts = None;
    let result = conn.transaction::<(), TxError, _>(|c| {
        // Two `atlas serve` (or a manual `atlas retention`) may run at once: one org is purged by
        // one transaction at a time, the other waits and then finds nothing left.
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext('atlas.retention'), hashtext($1::text))")
            .bind::<diesel::sql_types::Uuid, _>(org.0)
            .execute(c)?;
        let mut db = Db { conn: c };
        counts = Some(uc::apply(&mut db, org, settings, now)?);
        if dry_run {
            Err(TxError::Db(diesel::result::Error::RollbackTransaction))
        } else {
            Ok(())
        }
    });
    match (result, counts) {
        (Ok(()), Some(c)) => Ok(c),
        (Err(TxError::Db(diesel::result::Error::RollbackTransaction)), Some(c)) if dry_run => Ok(c),
        (Err(e), _) => Err(e.into()),
        (Ok(()), None) => Err(DomainError::Infra("retention transaction ended without counts".into())),
    }
}

/// The daily job of `atlas serve`.
#[derive(Debug, Clone)]
pub struct JobSettings {
    /// `ATLAS_RETENTION_JOB=off` keeps the job out of `atlas serve`.
    pub enabled: bool,
    /// First run after start-up (`ATLAS_RETENTION_START_DELAY_SECS`, default 60).
    pub start_delay: Duration,
    /// Between runs: 24 h.
    pub interval: Duration,
}

impl JobSettings {
    pub fn from_env() -> anyhow::Result<JobSettings> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let enabled = match var("ATLAS_RETENTION_JOB").map(|v| v.trim().to_ascii_lowercase()) {
            None => true,
            Some(v) if ["on", "true", "1"].contains(&v.as_str()) => true,
            Some(v) if ["off", "false", "0"].contains(&v.as_str()) => false,
            Some(_) => anyhow::bail!("ATLAS_RETENTION_JOB must be on or off"),
        };
        let start_delay = match var("ATLAS_RETENTION_START_DELAY_SECS") {
            None => 60,
            Some(v) => v
                .trim()
                .parse::<u64>()
                .map_err(|_| anyhow::anyhow!("ATLAS_RETENTION_START_DELAY_SECS must be a whole number"))?,
        };
        Ok(JobSettings {
            enabled,
            start_delay: Duration::from_secs(start_delay),
            interval: Duration::from_secs(24 * 3600),
        })
    }
}

/// The job running on the current actix/tokio runtime, stopped with [`JobHandle::stop`].
pub struct JobHandle {
    stop: watch::Sender<bool>,
    join: tokio::task::JoinHandle<()>,
}

impl JobHandle {
    /// Asks the job to stop (a run in progress finishes first: its transactions are short) and
    /// waits for it.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.join.await;
    }
}

/// Runs [`run`] once after `start_delay`, then every `interval`, on the blocking pool.
pub fn start(pool: PgPool, settings: JobSettings) -> JobHandle {
    let (tx, mut rx) = watch::channel(false);
    let join = actix_web::rt::spawn(async move {
        tracing::info!(start_delay_secs = settings.start_delay.as_secs(), "retention job scheduled");
        let mut wait = settings.start_delay;
        loop {
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                _ = rx.changed() => {}
            }
            if *rx.borrow() {
                break;
            }
            let pool = pool.clone();
            let done = tokio::task::spawn_blocking(move || -> anyhow::Result<usize> {
                let mut conn = pool.get()?;
                Ok(run(&mut conn, false, Utc::now())?.len())
            })
            .await;
            match done {
                Ok(Ok(orgs)) => tracing::info!(orgs, "retention job run finished"),
                Ok(Err(e)) => tracing::error!(error = %e, "retention job run failed"),
                Err(e) => tracing::error!(error = %e, "retention job run panicked"),
            }
            wait = settings.interval;
        }
        tracing::info!("retention job stopped");
    });
    JobHandle { stop: tx, join }
}
