//! `GET /api/v1/members`: the names of the org's members for every role (assignee pickers, names on
//! dossiers), without the emails and roles that `GET /users` (MANAGER+) shows.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{problem, TestApp};
use reqwest::Method;
use serde_json::Value;

#[actix_web::test]
async fn every_role_sees_names_of_its_own_org_only_and_nothing_more() {
    let app = TestApp::spawn().await;
    let viewer = app.login("viewer@demo.atlas").await;
    let res = app.req(Method::GET, "/api/v1/members", &viewer, app.paris).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let paris: Vec<Value> = res.json().await.unwrap();
    let names: Vec<&str> = paris.iter().map(|m| m["displayName"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 4, "the four demo users of Paris: {names:?}");
    for m in &paris {
        let keys: Vec<&String> = m.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["active", "displayName", "id"], "no email nor role in the directory");
    }
    // The same list as the MANAGER-only one, by id.
    let manager = app.login("manager@demo.atlas").await;
    let users: Value =
        app.req(Method::GET, "/api/v1/users?size=100", &manager, app.paris).send().await.unwrap().json().await.unwrap();
    let mut ids: Vec<&str> = users["items"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap()).collect();
    let mut directory: Vec<&str> = paris.iter().map(|m| m["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    directory.sort_unstable();
    assert_eq!(ids, directory);

    // Lyon has only the admin; a Paris-only user cannot read it.
    let admin = app.login("admin@demo.atlas").await;
    let lyon: Vec<Value> =
        app.req(Method::GET, "/api/v1/members", &admin, app.lyon).send().await.unwrap().json().await.unwrap();
    assert_eq!(lyon.len(), 1);
    let res = app.req(Method::GET, "/api/v1/members", &viewer, app.lyon).send().await.unwrap();
    problem(res, 403, "FORBIDDEN").await;
    // And without a token, nothing.
    let res =
        app.client.get(app.url("/api/v1/members")).header("X-Org-Id", app.paris.to_string()).send().await.unwrap();
    problem(res, 401, "UNAUTHORIZED").await;
}
