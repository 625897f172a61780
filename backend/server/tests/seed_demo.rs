//! `atlas seed-demo`'s business data: realistic, consistent with the rules, idempotent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

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

#[test]
fn demo_data_is_consistent_and_written_once() {
    let db = TestDb::new();
    let pool = atlas_server::db::build_pool(&db.url, 2).unwrap();
    let mut conn = pool.get().unwrap();
    let s = atlas_server::cli::seed::seed_demo(&mut conn, "demo-password").unwrap();
    assert_eq!(atlas_server::cli::seed::seed_demo_data(&mut conn, &s).unwrap(), (true, true));
    let first: Counts = sql_query(COUNTS).get_result(&mut conn).unwrap();
    assert_eq!((first.annonces, first.dossiers), (55, 380));
    assert_eq!(first.statuses, 6, "every workflow status is represented");
    assert!(first.activities > first.dossiers);
    assert_eq!(first.bad_history, 0);
    assert_eq!(first.outbound_without_consent, 0);

    let again = atlas_server::cli::seed::seed_demo(&mut conn, "demo-password").unwrap();
    assert_eq!(atlas_server::cli::seed::seed_demo_data(&mut conn, &again).unwrap(), (false, false));
    let second: Counts = sql_query(COUNTS).get_result(&mut conn).unwrap();
    assert_eq!(first, second);
}
