//! argon2id password hashing (PHC strings, parameters stored in the hash).

use argon2::password_hash::{phc::PasswordHash, PasswordHasher as _, PasswordVerifier as _};
use argon2::Argon2;

use atlas_domain::error::{DomainError, DomainResult};
use atlas_domain::ports::PasswordHasher;

#[derive(Clone)]
pub struct Argon2Hasher {
    dummy: String,
}

impl Argon2Hasher {
    pub fn new() -> DomainResult<Self> {
        let mut h = Argon2Hasher { dummy: String::new() };
        h.dummy = h.hash("atlas-timing-equaliser")?;
        Ok(h)
    }
}

impl PasswordHasher for Argon2Hasher {
    fn hash(&self, password: &str) -> DomainResult<String> {
        // A fresh random salt per hash (argon2's getrandom feature).
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| DomainError::Infra(format!("argon2: {e}")))
    }

    fn verify(&self, password: &str, hash: &str) -> bool {
        PasswordHash::new(hash)
            .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false)
    }

    fn dummy_hash(&self) -> &str {
        &self.dummy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let h = Argon2Hasher::new().ok();
        let Some(h) = h else { panic!("hasher") };
        let hash = h.hash("correct horse").unwrap_or_default();
        assert!(hash.starts_with("$argon2id$"));
        assert!(h.verify("correct horse", &hash));
        assert!(!h.verify("wrong horse", &hash));
        assert!(!h.verify("x", "not-a-hash"));
    }
}
