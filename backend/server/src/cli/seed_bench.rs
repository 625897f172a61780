//! `atlas seed-bench --dossiers N --annonces M --orgs K` (PRODUCT.md §12): a large, realistic data
//! set for benchmarks, generated set-based inside PostgreSQL (`generate_series`, one transaction
//! per org, a handful of statements each) — no row crosses the network.
//!
//! Per org: M/K annonces (70 % PUBLISHED), N/K dossiers (80 % linked to an annonce, created over
//! the last 365 days, statuses NEW 20 %, QUALIFYING/QUALIFIED/APPOINTMENT/WON 15 % each, LOST 20 %)
//! with the status history that leads to their status, 1–5 messages each (alternating inbound and
//! outbound, French text), a party for 60 % of them, an appointment for those that reached
//! APPOINTMENT. Orgs are named `Bench Org 0001`…; an org that already has dossiers is skipped, so
//! a re-run only completes what is missing. One user, `bench@atlas.local` (ADMIN of every bench org,
//! password `ATLAS_BENCH_PASSWORD` or `bench-password`), drives the HTTP benchmarks.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Uuid as SqlUuid};
use uuid::Uuid;

use atlas_domain::identity::{normalize_email, OrgId, Role, UserId};
use atlas_domain::ports::{IdentityStore, PasswordHasher, UserRecord};

use crate::db::identity::find_or_create_org;
use crate::db::{Db, PgPool};
use crate::security::password::Argon2Hasher;

pub const BENCH_EMAIL: &str = "bench@atlas.local";

pub struct BenchSize {
    pub dossiers: u64,
    pub annonces: u64,
    pub orgs: u32,
}

pub fn org_name(i: u32) -> String {
    format!("Bench Org {i:04}")
}

const ANNONCES_SQL: &str = r#"
INSERT INTO annonce (org_id, id, reference, title, description, transaction_type, property_type, status,
                     price_cents, surface_m2, rooms, bedrooms, address, postal_code, city, energy_class,
                     climate_class, created_at, updated_at, published_at)
SELECT $1, gen_random_uuid(), 'ANN-' || lpad(g::text, 6, '0'),
       kind || ' ' || adj || ' à ' || city,
       kind || ' ' || adj || ' de ' || (20 + g % 180) || ' m² situé à ' || city || ', ' ||
       (ARRAY['proche des écoles et des commerces', 'au calme dans une rue arborée', 'avec vue dégagée',
              'dans une résidence sécurisée', 'à deux pas du marché', 'entièrement rénové par un architecte',
              'idéal premier achat', 'exposé plein sud', 'avec cave et parking', 'lumineux et traversant'])[1 + (g * 7) % 10]
       || '. ' || (ARRAY['Cuisine équipée, double vitrage.', 'Chauffage individuel au gaz.', 'Parquet ancien et moulures.',
                         'Balcon filant, ascenseur.', 'Jardin privatif de 80 m².', 'Faibles charges de copropriété.'])[1 + (g * 3) % 6],
       CASE WHEN g % 3 = 0 THEN 'RENT' ELSE 'SALE' END,
       (ARRAY['APARTMENT','APARTMENT','APARTMENT','HOUSE','HOUSE','LAND','COMMERCIAL','OFFICE','PARKING','OTHER'])[1 + g % 10],
       (ARRAY['PUBLISHED','PUBLISHED','PUBLISHED','PUBLISHED','PUBLISHED','PUBLISHED','PUBLISHED','PAUSED','DRAFT','ARCHIVED'])[1 + (g * 13) % 10],
       (50000 + (g * 7919) % 950000) * 100, 20 + g % 180, 1 + g % 7, g % 5,
       (1 + g % 120) || ' rue ' || (ARRAY['Victor Hugo','de la République','Pasteur','Jean Jaurès','des Lilas','du Moulin'])[1 + g % 6],
       lpad((1000 + (g * 31) % 94000)::text, 5, '0'), city,
       (ARRAY['A','B','C','D','E','F','G'])[1 + g % 7], (ARRAY['A','B','C','D','E','F','G'])[1 + (g * 5) % 7],
       created, created, CASE WHEN g % 10 < 8 THEN created + interval '1 day' END
FROM generate_series(1, $2::bigint) AS g
CROSS JOIN LATERAL (SELECT
    (ARRAY['Appartement','Maison','Studio','Loft','Duplex','Villa','Terrain','Bureau','Local','Parking'])[1 + g % 10] AS kind,
    (ARRAY['lumineux','rénové','familial','de charme','avec terrasse','proche métro','calme','spacieux','avec jardin','haussmannien'])[1 + (g * 7) % 10] AS adj,
    (ARRAY['Paris','Lyon','Marseille','Toulouse','Nice','Nantes','Strasbourg','Montpellier','Bordeaux','Lille',
           'Rennes','Reims','Saint-Étienne','Le Havre','Toulon','Grenoble','Dijon','Angers','Nîmes','Villeurbanne'])[1 + (g * 13) % 20] AS city,
    now() - ((g * 104729) % (400 * 24)) * interval '1 hour' AS created) x
"#;

/// Dossiers: the status comes from a hash of the number, not from `g % k`, so that it is not
/// correlated with the annonce link or the source.
const DOSSIERS_SQL: &str = r#"
INSERT INTO dossier (org_id, id, reference, annonce_id, lead_name, lead_phone, lead_email, source, dossier_type,
                     status, budget_min_cents, budget_max_cents, loss_reason, won_reason,
                     created_at, updated_at, last_activity_at)
SELECT $1, gen_random_uuid(), 'DOS-' || lpad(g::text, 6, '0'),
       CASE WHEN h % 5 <> 0 THEN ann.ids[1 + (h / 7) % array_length(ann.ids, 1)] END,
       first || ' ' || last,
       CASE WHEN h % 10 <> 0 THEN '+33' || (6 + g % 2) || lpad((($3::bigint * 7919 + g * 104729) % 100000000)::text, 8, '0') END,
       CASE WHEN h % 10 = 0 OR h % 3 <> 0 THEN lower(f_unaccent(first)) || '.' || lower(f_unaccent(replace(last, ' ', ''))) || g || '@exemple.fr' END,
       (ARRAY['WEB','WEB','WEB','PHONE','WHATSAPP','WHATSAPP','EMAIL','WALK_IN','PORTAL','PORTAL','REFERRAL','IMPORT','OTHER'])[1 + (h / 11) % 13],
       (ARRAY['BUY','BUY','RENT','RENT','SELL','LET'])[1 + (h / 13) % 6],
       st, CASE WHEN h % 2 = 0 THEN 10000000 + (h % 30) * 1000000 END, CASE WHEN h % 2 = 0 THEN 30000000 + (h % 50) * 1000000 END,
       CASE WHEN st = 'LOST' THEN (ARRAY['PRICE','NO_RESPONSE','CHOSE_COMPETITOR','NOT_ELIGIBLE','PROJECT_ABANDONED'])[1 + h % 5] END,
       CASE WHEN st = 'WON' THEN 'SIGNED' END,
       created, created, created
FROM generate_series(1, $2::bigint) AS g
CROSS JOIN (SELECT array_agg(id) AS ids FROM annonce WHERE org_id = $1) ann
CROSS JOIN LATERAL (SELECT abs(hashint8(g * 1000003 + $3::bigint)) AS h) hh
CROSS JOIN LATERAL (SELECT
    (ARRAY['Camille','Léa','Manon','Chloé','Inès','Jade','Louise','Zoé','Hugo','Lucas','Louis','Gabriel',
           'Arthur','Raphaël','Jules','Adam','Théo','Nathan','Élodie','Hélène','François','Jérôme','Cécile','Anaïs'])[1 + h % 24] AS first,
    (ARRAY['Martin','Bernard','Dubois','Thomas','Robert','Richard','Petit','Durand','Leroy','Moreau','Simon','Laurent',
           'Lefèbvre','Michel','Garcia','David','Bertrand','Roux','Vincent','Fournier','Morel','Girard','André','Lefèvre',
           'Mercier','Dupont','Lambert','Bonnet','François','Martinez','Le Gall','Rousseau'])[1 + (h / 24) % 32] AS last,
    (ARRAY['NEW','NEW','NEW','NEW','QUALIFYING','QUALIFYING','QUALIFYING','QUALIFIED','QUALIFIED','QUALIFIED',
           'APPOINTMENT','APPOINTMENT','APPOINTMENT','WON','WON','WON','LOST','LOST','LOST','LOST'])[1 + (h / 17) % 20] AS st,
    now() - ((h / 3) % (365 * 24 * 60)) * interval '1 minute' AS created) x
"#;

/// Each dossier's path to its status (PRODUCT.md §3 workflow), one step every 6–71 hours, never
/// in the future.
const HISTORY_SQL: &str = r#"
INSERT INTO dossier_status_history (org_id, id, dossier_id, from_status, to_status, reason, changed_at)
SELECT d.org_id, gen_random_uuid(), d.id, p.from_s, p.to_s,
       CASE WHEN p.to_s = 'LOST' THEN d.loss_reason WHEN p.to_s = 'WON' THEN d.won_reason END,
       least(now() - (5 - p.step) * interval '1 second',
             d.created_at + p.step * (6 + abs(hashtext(d.id::text)) % 66) * interval '1 hour')
FROM dossier d
JOIN (VALUES
    ('QUALIFYING', 1, 'NEW', 'QUALIFYING'),
    ('QUALIFIED', 1, 'NEW', 'QUALIFYING'), ('QUALIFIED', 2, 'QUALIFYING', 'QUALIFIED'),
    ('APPOINTMENT', 1, 'NEW', 'QUALIFIED'), ('APPOINTMENT', 2, 'QUALIFIED', 'APPOINTMENT'),
    ('WON', 1, 'NEW', 'QUALIFYING'), ('WON', 2, 'QUALIFYING', 'QUALIFIED'), ('WON', 3, 'QUALIFIED', 'APPOINTMENT'),
    ('WON', 4, 'APPOINTMENT', 'WON'),
    ('LOST', 1, 'NEW', 'QUALIFYING'), ('LOST', 2, 'QUALIFYING', 'LOST')
) AS p(final, step, from_s, to_s) ON p.final = d.status
WHERE d.org_id = $1
"#;

const MESSAGES_SQL: &str = r#"
INSERT INTO message (org_id, id, dossier_id, channel, direction, content, occurred_at, created_at)
SELECT d.org_id, gen_random_uuid(), d.id,
       (ARRAY['WHATSAPP','WHATSAPP','EMAIL','SMS','PHONE'])[1 + (h + j) % 5],
       CASE WHEN j % 2 = 1 THEN 'INBOUND' ELSE 'OUTBOUND' END,
       CASE WHEN j % 2 = 1 THEN
         (ARRAY['Bonjour, je suis intéressé par le bien, est-il toujours disponible ?',
                'Pourrions-nous organiser une visite samedi matin ?',
                'Quel est le montant des charges de copropriété ?',
                'Le prix est-il négociable ? Mon budget est un peu juste.',
                'Merci pour la visite, je réfléchis et je reviens vers vous.',
                'Est-ce que le logement est disponible à la location dès le mois prochain ?',
                'Je souhaiterais connaître la consommation énergétique du bien.'])[1 + (h + j) % 7]
       ELSE
         (ARRAY['Bonjour, oui le bien est toujours disponible. Quand souhaitez-vous le visiter ?',
                'Je vous confirme la visite samedi à 10h, rendez-vous devant l''immeuble.',
                'Les charges s''élèvent à 180 € par mois, chauffage compris.',
                'Le propriétaire est ouvert à une offre raisonnable.',
                'Je vous envoie le diagnostic de performance énergétique par email.',
                'Merci pour votre retour, je reste à votre disposition.'])[1 + (h + j) % 6]
       END,
       least(now(), d.created_at + j * (1 + h % 30) * interval '1 hour'),
       least(now(), d.created_at + j * (1 + h % 30) * interval '1 hour')
FROM dossier d
CROSS JOIN LATERAL (SELECT abs(hashtext(d.id::text)) AS h) hh
CROSS JOIN LATERAL generate_series(1, 1 + hh.h % 5) AS j
WHERE d.org_id = $1
"#;

const PARTIES_SQL: &str = r#"
INSERT INTO party (org_id, id, dossier_id, role, first_name, last_name, phone, email, created_at, updated_at)
SELECT d.org_id, gen_random_uuid(), d.id,
       (ARRAY['BUYER','SELLER','TENANT','LANDLORD','CO_BORROWER','NOTARY','BANK','LAWYER'])[1 + h % 8],
       (ARRAY['Maître','Sophie','Antoine','Nicolas','Émilie','Sébastien','Julie','Mathieu'])[1 + h % 8],
       (ARRAY['Rousseau','Blanc','Guérin','Muller','Henry','Roussel','Nicolas','Perrin','Morin','Mathieu'])[1 + (h / 8) % 10],
       '+331' || lpad((h % 100000000)::text, 8, '0'),
       'contact' || (h % 100000) || '@partenaire.fr',
       d.created_at, d.created_at
FROM dossier d
CROSS JOIN LATERAL (SELECT abs(hashtext(d.id::text || 'p')) AS h) hh
WHERE d.org_id = $1 AND hh.h % 10 < 6
"#;

/// One visit for each dossier that reached APPOINTMENT, two days after that step (same step
/// arithmetic as the history, so no join is needed).
const APPOINTMENTS_SQL: &str = r#"
INSERT INTO appointment (org_id, id, dossier_id, annonce_id, title, starts_at, ends_at, location, status, created_at, updated_at)
SELECT d.org_id, gen_random_uuid(), d.id, d.annonce_id, 'Visite ' || d.reference, t.at + interval '2 days',
       t.at + interval '2 days 1 hour', 'Sur place', CASE WHEN d.status = 'WON' THEN 'DONE' ELSE 'SCHEDULED' END, t.at, t.at
FROM dossier d
CROSS JOIN LATERAL (SELECT least(now(), d.created_at + (CASE WHEN d.status = 'WON' THEN 3 ELSE 2 END)
                                  * (6 + abs(hashtext(d.id::text)) % 66) * interval '1 hour') AS at) t
WHERE d.org_id = $1 AND d.status IN ('APPOINTMENT', 'WON')
"#;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn ensure_bench_user(conn: &mut PgConnection, password: &str) -> anyhow::Result<UserId> {
    let mut db = Db { conn };
    let email = normalize_email(BENCH_EMAIL).map_err(|v| anyhow::anyhow!("{}", v.message))?;
    if let Some(u) = db.find_user_by_email(&email).map_err(|e| anyhow::anyhow!("{e}"))? {
        return Ok(u.id);
    }
    let hasher = Argon2Hasher::new().map_err(|e| anyhow::anyhow!("{e}"))?;
    let user = UserRecord {
        id: UserId(Uuid::now_v7()),
        email,
        display_name: "Bench".into(),
        password_hash: hasher.hash(password).map_err(|e| anyhow::anyhow!("{e}"))?,
        active: true,
    };
    db.insert_user(&user).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(user.id)
}

/// Splits `total` over `parts` as evenly as possible (the first ones get the remainder).
fn share(total: u64, parts: u32, i: u32) -> u64 {
    let parts = u64::from(parts.max(1));
    total / parts + u64::from(u64::from(i) < total % parts)
}

/// Fills the orgs with `jobs` connections working in parallel (org i goes to worker i % jobs).
pub fn seed_bench(pool: &PgPool, size: &BenchSize, password: &str, jobs: u32) -> anyhow::Result<()> {
    let started = Instant::now();
    let user = ensure_bench_user(&mut *pool.get()?, password)?;
    let done = AtomicU64::new(0);
    let jobs = jobs.clamp(1, 16);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..jobs)
            .map(|w| {
                let done = &done;
                scope.spawn(move || -> anyhow::Result<()> {
                    let mut conn = pool.get()?;
                    for i in (w..size.orgs).step_by(jobs as usize) {
                        seed_org(&mut conn, size, i, user, done, started)?;
                    }
                    Ok(())
                })
            })
            .collect();
        handles.into_iter().try_for_each(|h| h.join().map_err(|_| anyhow::anyhow!("a seed worker panicked"))?)
    })?;
    let conn = &mut *pool.get()?;
    let t = Instant::now();
    diesel::sql_query("ANALYZE").execute(conn)?;
    println!("ANALYZE in {:.1}s", t.elapsed().as_secs_f64());
    println!(
        "seed-bench done in {:.1}s: {} orgs, {} dossiers written, login {BENCH_EMAIL}",
        started.elapsed().as_secs_f64(),
        size.orgs,
        done.load(Ordering::Relaxed)
    );
    Ok(())
}

fn seed_org(
    conn: &mut PgConnection,
    size: &BenchSize,
    i: u32,
    user: UserId,
    done: &AtomicU64,
    started: Instant,
) -> anyhow::Result<()> {
    {
        let t = Instant::now();
        let (n_a, n_d) = (share(size.annonces, size.orgs, i), share(size.dossiers, size.orgs, i));
        let (org, _) = find_or_create_org(conn, &org_name(i + 1), "FR", "Europe/Paris")?;
        let mut db = Db { conn };
        if db.role_in(user, OrgId(org)).map_err(|e| anyhow::anyhow!("{e}"))?.is_none() {
            db.upsert_membership(OrgId(org), user, Role::Admin).map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        let existing: Count = diesel::sql_query("SELECT count(*) AS n FROM dossier WHERE org_id = $1")
            .bind::<SqlUuid, _>(org)
            .get_result(conn)?;
        if existing.n > 0 {
            return Ok(());
        }
        let mut steps: Vec<(&str, f64)> = Vec::new();
        conn.transaction::<_, diesel::result::Error, _>(|c| {
            // bench data: losing the last org on a crash is fine, waiting for each WAL flush is not
            diesel::sql_query("SET LOCAL synchronous_commit = off").execute(c)?;
            let seed = i64::from(i) + 1;
            let mut lap = Instant::now();
            let mut step = |name: &'static str| {
                steps.push((name, lap.elapsed().as_secs_f64()));
                lap = Instant::now();
            };
            diesel::sql_query(ANNONCES_SQL)
                .bind::<SqlUuid, _>(org)
                .bind::<BigInt, _>(i64::try_from(n_a).unwrap_or(i64::MAX))
                .execute(c)?;
            step("annonces");
            diesel::sql_query(DOSSIERS_SQL)
                .bind::<SqlUuid, _>(org)
                .bind::<BigInt, _>(i64::try_from(n_d).unwrap_or(i64::MAX))
                .bind::<BigInt, _>(seed)
                .execute(c)?;
            step("dossiers");
            for (name, sql) in [
                ("history", HISTORY_SQL),
                ("messages", MESSAGES_SQL),
                ("parties", PARTIES_SQL),
                ("appointments", APPOINTMENTS_SQL),
            ] {
                diesel::sql_query(sql).bind::<SqlUuid, _>(org).execute(c)?;
                step(name);
            }
            diesel::sql_query(
                "INSERT INTO reference_counter (org_id, kind, last) VALUES ($1, 'ANN', $2), ($1, 'DOS', $3) \
                 ON CONFLICT (org_id, kind) DO UPDATE SET last = EXCLUDED.last",
            )
            .bind::<SqlUuid, _>(org)
            .bind::<BigInt, _>(i64::try_from(n_a).unwrap_or(i64::MAX))
            .bind::<BigInt, _>(i64::try_from(n_d).unwrap_or(i64::MAX))
            .execute(c)?;
            Ok(())
        })?;
        let done = done.fetch_add(n_d, Ordering::Relaxed) + n_d;
        let rate = done as f64 / started.elapsed().as_secs_f64().max(0.001);
        let detail: Vec<String> = steps.iter().map(|(n, s)| format!("{n} {s:.2}s")).collect();
        println!(
            "org {}/{} ({org}): {n_a} annonces, {n_d} dossiers in {:.1}s [{}] — {done} dossiers so far, {rate:.0}/s",
            i + 1,
            size.orgs,
            t.elapsed().as_secs_f64(),
            detail.join(", ")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_add_up() {
        let total: u64 = (0..7).map(|i| share(100, 7, i)).sum();
        assert_eq!(total, 100);
        assert_eq!(share(5, 0, 0), 5);
    }
}
