//! `GET /api/v1/search` (PRODUCT.md §11) over data inserted by SQL: accent-insensitive full text,
//! partial phones and references, ranking, safe snippets, paging and tenant isolation.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{problem, TestApp};
use diesel::{sql_query, RunQueryDsl};
use reqwest::Method;
use serde_json::Value;
use uuid::Uuid;

struct Ids {
    annonce: Uuid,
    dossier: Uuid,
    other_dossier: Uuid,
    party: Uuid,
    message: Uuid,
    html_message: Uuid,
    lyon_dossier: Uuid,
}

fn exec(app: &TestApp, sql: &str) {
    let mut conn = app.pool.get().unwrap();
    sql_query(sql).execute(&mut conn).unwrap_or_else(|e| panic!("{e}: {sql}"));
}

fn fixture(app: &TestApp) -> Ids {
    let (p, l) = (app.paris, app.lyon);
    let id = || Uuid::now_v7();
    let ids = Ids {
        annonce: id(),
        dossier: id(),
        other_dossier: id(),
        party: id(),
        message: id(),
        html_message: id(),
        lyon_dossier: id(),
    };
    let a2 = id();
    exec(
        app,
        &format!(
            "INSERT INTO annonce (org_id, id, reference, title, description, transaction_type, property_type, status, city) VALUES \
             ('{p}', '{a}', 'ANN-000042', 'Appartement élégant près du Marché', \
              'Au cœur du quartier, un appartement lumineux et élégant avec balcon.', 'SALE', 'APARTMENT', 'PUBLISHED', 'Besançon'), \
             ('{p}', '{a2}', 'ANN-000420', 'Maison de ville', 'Jardin et garage.', 'SALE', 'HOUSE', 'PUBLISHED', 'Lyon')",
            a = ids.annonce
        ),
    );
    exec(
        app,
        &format!(
            "INSERT INTO dossier (org_id, id, reference, annonce_id, lead_name, lead_phone, lead_email, source, dossier_type) VALUES \
             ('{p}', '{d}', 'DOS-000001', '{a}', 'Hélène Dupont-Lefèvre', '+33612345678', 'helene.dupont@exemple.fr', 'WEB', 'BUY'), \
             ('{p}', '{o}', 'DOS-000002', NULL, 'Marc Durand', '+33798765432', NULL, 'PHONE', 'RENT'), \
             ('{l}', '{ld}', 'DOS-000001', NULL, 'Hélène Dupont', '+33612345678', NULL, 'WEB', 'BUY')",
            d = ids.dossier,
            o = ids.other_dossier,
            a = ids.annonce,
            ld = ids.lyon_dossier
        ),
    );
    exec(
        app,
        &format!(
            "INSERT INTO party (org_id, id, dossier_id, role, first_name, last_name, phone, email) VALUES \
             ('{p}', '{pt}', '{o}', 'NOTARY', 'Zoé', 'Bérénger', '+33145678901', 'zoe@notaires.fr')",
            pt = ids.party,
            o = ids.other_dossier
        ),
    );
    exec(
        app,
        &format!(
            "INSERT INTO message (org_id, id, dossier_id, channel, direction, content) VALUES \
             ('{p}', '{m}', '{d}', 'WHATSAPP', 'INBOUND', 'Bonjour, je voudrais visiter les appartements élégants du centre.'), \
             ('{p}', '{h}', '{o}', 'EMAIL', 'INBOUND', 'Un \"jardin\" < 300 m² & <script>alert(1)</script> \u{E000}forgé\u{E001} ?')",
            m = ids.message,
            h = ids.html_message,
            d = ids.dossier,
            o = ids.other_dossier
        ),
    );
    ids
}

async fn search(app: &TestApp, token: &str, query: &str) -> Value {
    let res = app.req(Method::GET, &format!("/api/v1/search?{query}"), token, app.paris).send().await.unwrap();
    assert_eq!(res.status(), 200, "search {query}");
    res.json().await.unwrap()
}

fn hits(v: &Value) -> Vec<(String, Uuid)> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["type"].as_str().unwrap().to_string(), h["id"].as_str().unwrap().parse().unwrap()))
        .collect()
}

fn has(v: &Value, t: &str, id: Uuid) -> bool {
    hits(v).contains(&(t.to_string(), id))
}

#[actix_web::test]
async fn full_text_is_accent_insensitive_and_highlights_the_original_words() {
    let app = TestApp::spawn().await;
    let ids = fixture(&app);
    let viewer = app.login("viewer@demo.atlas").await;

    // « elegant » (no accent) finds « élégant » in an annonce and « élégants » in a message
    let v = search(&app, &viewer, "q=elegant").await;
    assert!(has(&v, "ANNONCE", ids.annonce), "{v}");
    assert!(has(&v, "MESSAGE", ids.message), "{v}");
    let annonce = v["items"].as_array().unwrap().iter().find(|h| h["type"] == "ANNONCE").unwrap();
    assert_eq!(annonce["title"], "Appartement élégant près du Marché");
    assert!(annonce["snippet"].as_str().unwrap().contains("<mark>élégant</mark>"), "{annonce}");
    assert!(annonce.get("dossierId").is_none());
    let message = v["items"].as_array().unwrap().iter().find(|h| h["type"] == "MESSAGE").unwrap();
    assert_eq!(message["dossierId"], ids.dossier.to_string());
    assert_eq!(message["title"], "Hélène Dupont-Lefèvre", "a message is titled by its dossier's lead");
    assert!(message["snippet"].as_str().unwrap().contains("<mark>élégants</mark>"), "{message}");

    // French stemming: the plural query finds the singular; accents in the query are ignored too
    let v = search(&app, &viewer, "q=APPARTEMENTS%20%C3%89L%C3%89GANTS").await;
    assert!(has(&v, "ANNONCE", ids.annonce) && has(&v, "MESSAGE", ids.message), "{v}");

    // names, with or without accents, as prefixes; cities
    for q in ["helene", "Hélène", "lefevre", "dupont-lef", "hel%20dup"] {
        let v = search(&app, &viewer, &format!("q={q}")).await;
        assert!(has(&v, "DOSSIER", ids.dossier), "q={q}: {v}");
    }
    let v = search(&app, &viewer, "q=besancon").await;
    assert_eq!(hits(&v), [("ANNONCE".to_string(), ids.annonce)]);
    // a name fragment inside a word (trigram): « pont » → Dupont
    let v = search(&app, &viewer, "q=pont").await;
    assert!(has(&v, "DOSSIER", ids.dossier), "{v}");
    // email words
    let v = search(&app, &viewer, "q=helene.dupont%40exemple.fr").await;
    assert!(has(&v, "DOSSIER", ids.dossier), "{v}");
    // parties by name, with their dossier
    let v = search(&app, &viewer, "q=berenger").await;
    assert_eq!(hits(&v), [("PARTIE".to_string(), ids.party)]);
    assert_eq!(v["items"][0]["dossierId"], ids.other_dossier.to_string());
    assert_eq!(v["items"][0]["title"], "Zoé Bérénger");
}

#[actix_web::test]
async fn any_run_of_four_digits_of_a_phone_matches() {
    let app = TestApp::spawn().await;
    let ids = fixture(&app);
    let viewer = app.login("viewer@demo.atlas").await;
    // lead phone +33612345678: typed nationally with spaces, a middle run, the international form
    for q in ["06%2012%2034", "1234", "5678", "%2B33%206%2012", "0612345678"] {
        let v = search(&app, &viewer, &format!("q={q}")).await;
        assert!(has(&v, "DOSSIER", ids.dossier), "q={q}: {v}");
        assert!(!has(&v, "DOSSIER", ids.other_dossier), "q={q}: {v}");
    }
    // a party's phone (+33145678901), with its dossier
    let v = search(&app, &viewer, "q=01%2045%2067").await;
    assert!(has(&v, "PARTIE", ids.party), "{v}");
    // fewer than 4 digits is not a phone search
    let v = search(&app, &viewer, "q=612").await;
    assert!(!has(&v, "DOSSIER", ids.dossier), "{v}");
}

#[actix_web::test]
async fn references_match_exactly_first_then_partially() {
    let app = TestApp::spawn().await;
    let ids = fixture(&app);
    let viewer = app.login("viewer@demo.atlas").await;
    // exact reference (any case) ranks first, ahead of ANN-000420 which contains « 00042 » too
    let v = search(&app, &viewer, "q=ann-000042").await;
    assert_eq!(hits(&v)[0], ("ANNONCE".to_string(), ids.annonce), "{v}");
    assert!(v["items"][0]["score"].as_f64().unwrap() >= 10.0);
    let v = search(&app, &viewer, "q=00042").await;
    let types: Vec<String> = hits(&v).into_iter().map(|(t, _)| t).collect();
    assert_eq!(types, ["ANNONCE", "ANNONCE"], "both annonces contain 00042: {v}");
    let v = search(&app, &viewer, "q=DOS-000001").await;
    assert_eq!(hits(&v)[0], ("DOSSIER".to_string(), ids.dossier), "{v}");
    assert!(v["items"][0]["snippet"].as_str().unwrap().contains("DOS</mark>-000001"), "{v}");
}

#[actix_web::test]
async fn snippets_are_escaped_except_for_mark() {
    let app = TestApp::spawn().await;
    let ids = fixture(&app);
    let viewer = app.login("viewer@demo.atlas").await;
    let v = search(&app, &viewer, "q=jardin&types=MESSAGE").await;
    assert_eq!(hits(&v), [("MESSAGE".to_string(), ids.html_message)]);
    let snippet = v["items"][0]["snippet"].as_str().unwrap();
    // ts_headline drops HTML tags itself; every other markup character arrives escaped
    assert!(!snippet.contains("<script") && !snippet.contains("&lt;script"), "{snippet}");
    assert!(snippet.contains("<mark>jardin</mark>&quot; &lt; 300 m² &amp;"), "{snippet}");
    // the sentinel characters stored in user data never become tags
    assert!(snippet.contains("forgé") && !snippet.contains("<mark>forgé"), "{snippet}");
    let tags = snippet.matches('<').count();
    assert_eq!(tags, snippet.matches("<mark>").count() + snippet.matches("</mark>").count());
}

#[actix_web::test]
async fn types_filter_and_paging() {
    let app = TestApp::spawn().await;
    let ids = fixture(&app);
    let viewer = app.login("viewer@demo.atlas").await;
    let v = search(&app, &viewer, "q=elegant&types=MESSAGE").await;
    assert_eq!(hits(&v), [("MESSAGE".to_string(), ids.message)]);
    let v = search(&app, &viewer, "q=elegant&types=annonce,DOSSIER").await;
    assert_eq!(hits(&v), [("ANNONCE".to_string(), ids.annonce)]);

    let all = search(&app, &viewer, "q=elegant").await;
    assert_eq!(all["totalItems"], 2);
    let p0 = search(&app, &viewer, "q=elegant&size=1").await;
    let p1 = search(&app, &viewer, "q=elegant&size=1&page=1").await;
    let p9 = search(&app, &viewer, "q=elegant&size=1&page=9").await;
    assert_eq!(
        (p0["totalItems"].as_u64(), p0["totalPages"].as_u64(), p0["size"].as_u64()),
        (Some(2), Some(2), Some(1))
    );
    assert_eq!(p1["page"], 1);
    let mut both = hits(&p0);
    both.extend(hits(&p1));
    assert_eq!(both, hits(&all), "pages follow the ranking");
    assert_eq!(p9["items"], serde_json::json!([]));
    assert_eq!(p9["totalItems"], 2, "the total is known even past the last page");
    // scores are ordered
    let scores: Vec<f64> = all["items"].as_array().unwrap().iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
}

#[actix_web::test]
async fn search_is_tenant_scoped() {
    let app = TestApp::spawn().await;
    let ids = fixture(&app);
    let admin = app.login("admin@demo.atlas").await;
    let v = search(&app, &admin, "q=helene").await;
    assert!(!hits(&v).iter().any(|(_, id)| *id == ids.lyon_dossier), "{v}");
    let res = app.req(Method::GET, "/api/v1/search?q=helene", &admin, app.lyon).send().await.unwrap();
    let v: Value = res.json().await.unwrap();
    assert_eq!(hits(&v), [("DOSSIER".to_string(), ids.lyon_dossier)]);
    let res = app.req(Method::GET, "/api/v1/search?q=elegant", &admin, app.lyon).send().await.unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["totalItems"], 0);
}

#[actix_web::test]
async fn bad_queries_are_rejected_with_every_problem() {
    let app = TestApp::spawn().await;
    let viewer = app.login("viewer@demo.atlas").await;
    let bad = |q: &str| app.req(Method::GET, &format!("/api/v1/search{q}"), &viewer, app.paris).send();
    for q in ["", "?q=", "?q=a", "?q=%20a%20", &format!("?q={}", "x".repeat(201))] {
        let body = problem(bad(q).await.unwrap(), 400, "VALIDATION_ERROR").await;
        assert_eq!(body["errors"][0]["field"], "q", "{q}");
    }
    let body = problem(bad("?q=a&types=ANNONCE,USER&size=0").await.unwrap(), 400, "VALIDATION_ERROR").await;
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["q", "types", "size"]);
    // 200 characters are fine, and punctuation only is an empty result, not an error
    let res = bad(&format!("?q={}", "x".repeat(200))).await.unwrap();
    assert_eq!(res.status(), 200);
    let res = bad("?q=%26%7C!%3A*").await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["totalItems"], 0);
    // tsquery syntax in the query is just text
    let res = bad("?q=a%27%3A*%20%7C%20b").await.unwrap();
    assert_eq!(res.status(), 200);

    let res = app.client.get(app.url("/api/v1/search?q=a")).send().await.unwrap();
    problem(res, 401, "UNAUTHORIZED").await;
}
