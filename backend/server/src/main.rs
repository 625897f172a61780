//! `atlas` — the Atlas CRM server and its operational sub-commands (PRODUCT.md §12).

use anyhow::Context;
use clap::{Parser, Subcommand};

use atlas_server::cli::{demo_whatsapp, seed, seed_bench};
use atlas_server::config::Config;
use atlas_server::outbox::{self, OutboxSettings};
use atlas_server::startup::{build_state, connect_and_migrate, Application};
use atlas_server::{fake_whatsapp, retention, telemetry};

#[derive(Parser)]
#[command(name = "atlas", version, about = "Atlas CRM server")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// HTTP API + SPA (default); applies pending migrations first.
    Serve,
    /// Applies pending migrations and exits.
    Migrate,
    /// Creates an organisation and its first ADMIN (idempotent).
    CreateOrg {
        #[arg(long)]
        name: String,
        #[arg(long)]
        admin_email: String,
        #[arg(long, env = "ATLAS_ADMIN_PASSWORD", hide_env_values = true)]
        admin_password: String,
    },
    /// Demo organisations, users and data (idempotent).
    SeedDemo,
    /// The outbound (outbox) worker alone, without HTTP; stops on Ctrl-C / SIGTERM.
    Worker,
    /// Applies every org's retention settings once (what the daily job of `serve` does) and prints
    /// per org what was purged; `--dry-run` changes nothing and prints what would be purged.
    Retention {
        #[arg(long)]
        dry_run: bool,
    },
    /// A fake WhatsApp Cloud API for tests, e2e and `make dev`.
    FakeWhatsapp {
        #[arg(long, default_value = "127.0.0.1:9099")]
        bind: String,
        /// Where delivery statuses are posted (our webhook URL).
        #[arg(long, env = "ATLAS_FAKE_WHATSAPP_CALLBACK_URL")]
        callback_url: Option<String>,
        /// App secret that signs the status callbacks.
        #[arg(long, env = "ATLAS_FAKE_WHATSAPP_APP_SECRET", hide_env_values = true, default_value = "fake-app-secret")]
        app_secret: String,
        /// Statuses posted after each accepted send, e.g. `sent,delivered,read`.
        #[arg(long, value_delimiter = ',')]
        auto_statuses: Vec<String>,
    },
    /// Large benchmark data set (orgs `Bench Org 0001`…, user bench@atlas.local); orgs that already
    /// have dossiers are skipped.
    SeedBench {
        #[arg(long, default_value_t = 1_000_000)]
        dossiers: u64,
        #[arg(long, default_value_t = 200_000)]
        annonces: u64,
        #[arg(long, default_value_t = 200)]
        orgs: u32,
        /// Orgs filled in parallel, one connection each.
        #[arg(long, default_value_t = 2)]
        jobs: u32,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Some(Command::FakeWhatsapp { bind, callback_url, app_secret, auto_statuses }) = cli.command {
        // Needs no database nor JWT secret.
        telemetry::init(true);
        let callback = callback_url.map(|url| fake_whatsapp::Callback { url, app_secret });
        return fake_whatsapp::serve_forever(&bind, callback, auto_statuses);
    }
    let config = Config::from_env()?;
    telemetry::init(config.dev_mode);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config),
        Command::Migrate => {
            connect_and_migrate(&config)?;
            println!("migrations applied");
            Ok(())
        }
        Command::CreateOrg { name, admin_email, admin_password } => {
            let pool = connect_and_migrate(&config)?;
            let id = seed::create_org(&mut *pool.get()?, &name, &admin_email, &admin_password)?;
            println!("{id}");
            Ok(())
        }
        Command::SeedDemo => {
            let pool = connect_and_migrate(&config)?;
            let password = std::env::var("ATLAS_DEMO_PASSWORD").unwrap_or_else(|_| "demo-password".to_string());
            let mut conn = pool.get()?;
            let s = seed::seed_demo(&mut conn, &password)?;
            let wa = demo_whatsapp::DemoWhatsapp::from_env(&config);
            let (paris, lyon) = seed::seed_demo_data(&mut conn, &s, &wa)?;
            if paris || lyon {
                println!("demo business data written");
            }
            println!("demo data ready: {} = {}, {} = {}", seed::DEMO_PARIS, s.paris, seed::DEMO_LYON, s.lyon);
            if wa.credentials.is_none() {
                println!("WhatsApp credentials not seeded (set ATLAS_ENV=dev or ATLAS_DEV_WHATSAPP_APP_SECRET and ATLAS_DEV_WHATSAPP_ACCESS_TOKEN)");
            }
            Ok(())
        }
        Command::SeedBench { dossiers, annonces, orgs, jobs } => {
            let pool = connect_and_migrate(&config)?;
            let password = std::env::var("ATLAS_BENCH_PASSWORD").unwrap_or_else(|_| "bench-password".to_string());
            let size = seed_bench::BenchSize { dossiers, annonces, orgs };
            seed_bench::seed_bench(&pool, &size, &password, jobs)
        }
        Command::Worker => worker(&config),
        Command::Retention { dry_run } => retention(&config, dry_run),
        Command::FakeWhatsapp { .. } => Ok(()),
    }
}

fn retention(config: &Config, dry_run: bool) -> anyhow::Result<()> {
    let pool = connect_and_migrate(config).context("database not reachable")?;
    let reports = atlas_server::retention::run(&mut *pool.get()?, dry_run, chrono::Utc::now())?;
    let verb = if dry_run { "would purge" } else { "purged" };
    if reports.is_empty() {
        println!("no organisation has retention settings: nothing to purge");
    }
    let mut failed = 0;
    for r in &reports {
        let days = |d: Option<i64>| d.map_or_else(|| "keep".to_string(), |d| format!("{d} d"));
        let s = &r.settings;
        print!(
            "{} ({}) [messages {}, audit {}, closed dossiers {}]: ",
            r.org_name,
            r.org_id.0,
            days(s.message_content_days),
            days(s.audit_days),
            days(s.closed_dossier_anonymise_days)
        );
        match &r.outcome {
            Ok(c) => println!(
                "{verb}: {} message contents, {} audit events, {} closed dossiers (anonymised), {} raw payloads",
                c.messages_purged, c.audit_events_deleted, c.dossiers_anonymised, c.raw_payloads_purged
            ),
            Err(e) => {
                failed += 1;
                println!("FAILED (rolled back): {e}");
            }
        }
    }
    if dry_run {
        println!("dry run: nothing was changed");
    }
    anyhow::ensure!(failed == 0, "retention failed for {failed} organisation(s)");
    Ok(())
}

fn worker(config: &Config) -> anyhow::Result<()> {
    let pool = connect_and_migrate(config).context("database not reachable")?;
    let settings = OutboxSettings::from_env()?;
    let key = atlas_server::security::secretbox::DataKey::for_config(config);
    actix_web::rt::System::new().block_on(async move {
        let handle = outbox::worker::start(pool, settings, key)?;
        tracing::info!(worker_id = %handle.worker_id, "atlas worker running");
        shutdown_signal().await;
        handle.stop().await;
        Ok(())
    })
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn serve(config: Config) -> anyhow::Result<()> {
    let pool = connect_and_migrate(&config).context("database not reachable")?;
    let bind = config.bind.clone();
    let job = retention::JobSettings::from_env()?;
    let state = build_state(config, pool)?;
    actix_web::rt::System::new().block_on(async move {
        let worker = if state.outbox.run_in_server {
            Some(outbox::worker::start(state.pool.clone(), state.outbox.clone(), state.data_key.clone())?)
        } else {
            None
        };
        let retention = if job.enabled { Some(retention::start(state.pool.clone(), job)) } else { None };
        let app = Application::build(state)?;
        tracing::info!(%bind, port = app.port, "atlas listening");
        // actix handles SIGINT/SIGTERM: stops accepting, drains in-flight requests, then returns.
        app.server.await?;
        // then the worker finishes its batch
        if let Some(w) = worker {
            w.stop().await;
        }
        if let Some(r) = retention {
            r.stop().await;
        }
        tracing::info!("atlas stopped");
        Ok(())
    })
}
