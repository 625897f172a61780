//! `atlas` — the Atlas CRM server and its operational sub-commands (PRODUCT.md §12).

use anyhow::Context;
use clap::{Parser, Subcommand};

use atlas_server::cli::{seed, seed_bench};
use atlas_server::config::Config;
use atlas_server::startup::{build_state, connect_and_migrate, Application};
use atlas_server::telemetry;

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
            let (paris, lyon) = seed::seed_demo_data(&mut conn, &s)?;
            if paris || lyon {
                println!("demo business data written");
            }
            println!("demo data ready: {} = {}, {} = {}", seed::DEMO_PARIS, s.paris, seed::DEMO_LYON, s.lyon);
            Ok(())
        }
        Command::SeedBench { dossiers, annonces, orgs, jobs } => {
            let pool = connect_and_migrate(&config)?;
            let password = std::env::var("ATLAS_BENCH_PASSWORD").unwrap_or_else(|_| "bench-password".to_string());
            let size = seed_bench::BenchSize { dossiers, annonces, orgs };
            seed_bench::seed_bench(&pool, &size, &password, jobs)
        }
    }
}

fn serve(config: Config) -> anyhow::Result<()> {
    let pool = connect_and_migrate(&config).context("database not reachable")?;
    let bind = config.bind.clone();
    let state = build_state(config, pool)?;
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(state)?;
        tracing::info!(%bind, port = app.port, "atlas listening");
        // actix handles SIGINT/SIGTERM: stops accepting, drains in-flight requests, then returns.
        app.server.await?;
        tracing::info!("atlas stopped");
        Ok(())
    })
}
