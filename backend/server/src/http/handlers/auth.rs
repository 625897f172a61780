use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;

use atlas_domain::usecases::identity as uc;
use atlas_shared_types::{LoginRequest, LoginResponse, MeResponse};

use crate::db::Db;
use crate::http::context::AuthUser;
use crate::http::convert::{membership_dto, user_dto};
use crate::http::json::parse_json;
use crate::http::problem::ApiError;
use crate::http::state::State;

/// Rate limited (PRODUCT.md §12) by the TCP peer address — every attempt, readable or not —
/// then by the normalised e-mail, before the password is hashed; successes count too.
/// `X-Forwarded-For` is not trusted (see http/rate_limit.rs).
pub async fn login(st: State, http: HttpRequest, body: web::Bytes) -> Result<HttpResponse, ApiError> {
    if let Some(peer) = http.peer_addr() {
        st.rate_limits.login_ip(peer.ip())?;
    }
    let req: LoginRequest = parse_json(&body)?;
    st.rate_limits.login_email(&req.email)?;
    let out = st
        .with_conn(move |conn, app| {
            let mut db = Db { conn };
            uc::login(&mut db, &app.hasher, &app.jwt, &req.email, &req.password, Utc::now())
        })
        .await?;
    tracing::info!(user_id = %out.user.id.0, "login succeeded");
    Ok(HttpResponse::Ok().json(LoginResponse {
        access_token: out.token.token,
        token_type: "Bearer".into(),
        expires_in: out.token.expires_in_secs,
        user: user_dto(&out.user),
        memberships: out.memberships.iter().map(membership_dto).collect(),
    }))
}

pub async fn me(st: State, who: AuthUser) -> Result<HttpResponse, ApiError> {
    let (user, memberships) = st.with_conn(move |conn, _| uc::me(&mut Db { conn }, who.user_id)).await?;
    Ok(HttpResponse::Ok()
        .json(MeResponse { user: user_dto(&user), memberships: memberships.iter().map(membership_dto).collect() }))
}
