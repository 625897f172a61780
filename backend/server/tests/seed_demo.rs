//! `atlas seed-demo`'s business data: realistic, consistent with the rules, idempotent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use atlas_server::cli::demo_whatsapp::{DemoCredentials, DemoWhatsapp};
use common::TestDb;
use diesel::{sql_query, RunQueryDsl};

#[derive(diesel::QueryableByName, Debug, PartialEq)]
struct Counts {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    annonces: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    dossiers: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    statuses: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    activities: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    bad_history: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    outbound_without_consent: i64,
}

const COUNTS: &str = "SELECT
  (SELECT count(*) FROM annonce) AS annonces,
  (SELECT count(*) FROM dossier) AS dossiers,
  (SELECT count(DISTINCT status) FROM dossier) AS statuses,
  (SELECT count(*) FROM activity) AS activities,
  -- the last history row of every dossier that moved ends in its current status
  (SELECT count(*) FROM dossier d WHERE d.status <> 'NEW' AND d.status <> (
      SELECT h.to_status FROM dossier_status_history h WHERE h.org_id = d.org_id AND h.dossier_id = d.id
      ORDER BY h.changed_at DESC LIMIT 1)) AS bad_history,
  (SELECT count(*) FROM message m WHERE m.direction = 'OUTBOUND' AND m.channel = 'WHATSAPP' AND NOT EXISTS (
      SELECT 1 FROM consent c WHERE c.org_id = m.org_id AND c.dossier_id = m.dossier_id
      AND c.channel = 'WHATSAPP' AND c.status = 'GRANTED')) AS outbound_without_consent";

fn demo_whatsapp() -> DemoWhatsapp {
    DemoWhatsapp {
        key: common::data_key(),
        credentials: Some(DemoCredentials { access_token: "dev-token".into(), app_secret: "dev-secret".into() }),
    }
}

#[derive(diesel::QueryableByName, Debug, PartialEq)]
struct Wa {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    settings: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    templates: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    token: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    secret: String,
}

const WA: &str = "SELECT (SELECT count(*) FROM whatsapp_settings) AS settings, \
  (SELECT count(*) FROM whatsapp_template t JOIN organisation o ON o.id = t.org_id \
   WHERE o.name = 'Agence Atlas Paris' AND t.active AND t.category = 'UTILITY' AND t.language = 'fr' AND t.param_count > 0) AS templates, \
  (SELECT access_token FROM whatsapp_settings WHERE phone_number_id = '109876543210') AS token, \
  (SELECT app_secret_sealed FROM whatsapp_settings WHERE phone_number_id = '109876543210') AS secret";

#[test]
fn demo_data_is_consistent_and_written_once() {
    let db = TestDb::new();
    let pool = atlas_server::db::build_pool(&db.url, 2).unwrap();
    let mut conn = pool.get().unwrap();
    let s = atlas_server::cli::seed::seed_demo(&mut conn, "demo-password").unwrap();
    assert_eq!(atlas_server::cli::seed::seed_demo_data(&mut conn, &s, &demo_whatsapp()).unwrap(), (true, true));
    let first: Counts = sql_query(COUNTS).get_result(&mut conn).unwrap();
    assert_eq!((first.annonces, first.dossiers), (55, 380));
    assert_eq!(first.statuses, 6, "every workflow status is represented");
    assert!(first.activities > first.dossiers);
    assert_eq!(first.bad_history, 0);
    assert_eq!(first.outbound_without_consent, 0);
    // WhatsApp for Paris: sealed credentials that the data key opens, two templates
    let wa: Wa = sql_query(WA).get_result(&mut conn).unwrap();
    assert_eq!((wa.settings, wa.templates), (1, 2));
    assert_eq!(common::data_key().open_string(&wa.token).as_deref(), Some("dev-token"));
    assert_eq!(common::data_key().open_string(&wa.secret).as_deref(), Some("dev-secret"));

    let again = atlas_server::cli::seed::seed_demo(&mut conn, "demo-password").unwrap();
    assert_eq!(atlas_server::cli::seed::seed_demo_data(&mut conn, &again, &demo_whatsapp()).unwrap(), (false, false));
    let second: Counts = sql_query(COUNTS).get_result(&mut conn).unwrap();
    assert_eq!(first, second);
    assert_eq!(sql_query(WA).get_result::<Wa>(&mut conn).unwrap(), wa, "nothing rewritten");
}
