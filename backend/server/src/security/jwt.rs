//! HS256 JWTs signed with `ATLAS_JWT_SECRET` (PRODUCT.md §1): `sub`, `exp`, `iat`, `jti`.

use chrono::{DateTime, Utc};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use atlas_domain::error::{DomainError, DomainResult};
use atlas_domain::identity::UserId;
use atlas_domain::ports::{IssuedToken, TokenIssuer};

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    pub exp: i64,
    pub iat: i64,
    pub jti: Uuid,
}

#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    ttl_secs: u64,
}

impl JwtKeys {
    pub fn new(secret: &[u8], ttl_secs: u64) -> Self {
        JwtKeys { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret), ttl_secs }
    }

    pub fn issue_at(&self, user: UserId, now: DateTime<Utc>, ttl_secs: i64) -> DomainResult<String> {
        let iat = now.timestamp();
        let claims = Claims { sub: user.0, iat, exp: iat + ttl_secs, jti: Uuid::new_v4() };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| DomainError::Infra(format!("jwt encode: {e}")))
    }

    /// The user of a valid token; `None` for anything tampered, expired or malformed.
    pub fn verify(&self, token: &str) -> Option<UserId> {
        let mut v = Validation::new(Algorithm::HS256);
        v.leeway = 5;
        v.set_required_spec_claims(&["exp", "sub", "iat"]);
        decode::<Claims>(token, &self.decoding, &v).ok().map(|d| UserId(d.claims.sub))
    }
}

impl TokenIssuer for JwtKeys {
    fn issue(&self, user: UserId, now: DateTime<Utc>) -> DomainResult<IssuedToken> {
        let ttl = i64::try_from(self.ttl_secs).unwrap_or(3600);
        Ok(IssuedToken { token: self.issue_at(user, now, ttl)?, expires_in_secs: self.ttl_secs })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards the crypto backend feature of jsonwebtoken: with none or two, signing panics at run time.
    #[test]
    fn sign_then_verify_round_trips() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef", 3600);
        let user = UserId(Uuid::now_v7());
        let t = keys.issue(user, Utc::now()).map(|t| t.token).unwrap_or_default();
        assert_eq!(keys.verify(&t), Some(user));
    }

    #[test]
    fn rejects_expired_tampered_and_foreign_tokens() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef", 3600);
        let user = UserId(Uuid::now_v7());
        let expired = keys.issue_at(user, Utc::now() - chrono::Duration::hours(2), 3600).unwrap_or_default();
        assert_eq!(keys.verify(&expired), None);

        let good = keys.issue(user, Utc::now()).map(|t| t.token).unwrap_or_default();
        let mut tampered = good.clone().into_bytes();
        let i = tampered.len() - 3;
        tampered[i] = if tampered[i] == b'A' { b'B' } else { b'A' };
        assert_eq!(keys.verify(&String::from_utf8(tampered).unwrap_or_default()), None);

        let other = JwtKeys::new(b"another-secret-another-secret-xx", 3600);
        assert_eq!(other.verify(&good), None);
        assert_eq!(keys.verify("not.a.jwt"), None);
    }
}
