//! Secrets at rest (WhatsApp access token and app secret, PRODUCT.md §10): AES-256-GCM with a
//! random 96-bit nonce per value, stored as base64(nonce || ciphertext+tag).
//!
//! The key comes from `ATLAS_DATA_KEY` (32 bytes, base64 or hex). When it is unset the key is
//! SHA-256 of the JWT secret: a dev/test convenience so that `make dev` needs no extra variable.
//! Production sets ATLAS_DATA_KEY so that the token-signing secret and the data key can be
//! rotated independently and a leaked JWT secret does not also open the stored credentials.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

use atlas_domain::error::{DomainError, DomainResult};
use atlas_domain::usecases::whatsapp_config::SecretSealer;

const NONCE_LEN: usize = 12;

#[derive(Clone)]
pub struct DataKey([u8; 32]);

// Never printable.
impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(..)")
    }
}

impl DataKey {
    pub fn new(bytes: [u8; 32]) -> DataKey {
        DataKey(bytes)
    }

    /// `ATLAS_DATA_KEY` when set, else the fallback derived from the JWT secret.
    pub fn for_config(config: &crate::config::Config) -> DataKey {
        match config.data_key {
            Some(k) => DataKey::new(k),
            None => DataKey::derived_from_jwt_secret(&config.jwt_secret),
        }
    }

    /// The dev fallback: SHA-256 of the JWT secret.
    pub fn derived_from_jwt_secret(jwt_secret: &[u8]) -> DataKey {
        DataKey(Sha256::digest(jwt_secret).into())
    }

    /// `ATLAS_DATA_KEY`: 32 bytes written as 64 hex digits or as base64 (standard alphabet).
    pub fn parse(text: &str) -> Option<[u8; 32]> {
        let t = text.trim();
        let bytes = if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
            hex::decode(t).ok()?
        } else {
            B64.decode(t).ok()?
        };
        bytes.try_into().ok()
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&self.0))
    }

    pub fn seal_bytes(&self, plain: &[u8]) -> DomainResult<String> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let ct = self
            .cipher()
            .encrypt(Nonce::from_slice(&nonce), plain)
            .map_err(|_| DomainError::Infra("secret encryption failed".into()))?;
        let mut out = Vec::with_capacity(NONCE_LEN + ct.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Ok(B64.encode(out))
    }

    /// Decrypts a value sealed with this key; None when it was sealed with another key, altered,
    /// or is not a sealed value at all.
    pub fn open(&self, sealed: &str) -> Option<Vec<u8>> {
        let raw = B64.decode(sealed.trim()).ok()?;
        if raw.len() < NONCE_LEN + 16 {
            return None;
        }
        let (nonce, ct) = raw.split_at(NONCE_LEN);
        self.cipher().decrypt(Nonce::from_slice(nonce), ct).ok()
    }

    pub fn open_string(&self, sealed: &str) -> Option<String> {
        self.open(sealed).and_then(|b| String::from_utf8(b).ok())
    }
}

impl SecretSealer for DataKey {
    fn seal(&self, plain: &str) -> DomainResult<String> {
        self.seal_bytes(plain.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_fresh_nonces() {
        let k = DataKey::new([7; 32]);
        let a = k.seal_bytes(b"app-secret").unwrap_or_default();
        let b = k.seal_bytes(b"app-secret").unwrap_or_default();
        assert_ne!(a, b, "a random nonce per value");
        assert_eq!(k.open(&a).as_deref(), Some(&b"app-secret"[..]));
        assert_eq!(k.open_string(&b).as_deref(), Some("app-secret"));
        // another key, a tampered value, garbage: refused
        assert!(DataKey::new([8; 32]).open(&a).is_none());
        let mut raw = B64.decode(&a).unwrap_or_default();
        if let Some(last) = raw.last_mut() {
            *last ^= 1;
        }
        assert!(k.open(&B64.encode(raw)).is_none());
        assert!(k.open("not base64 !").is_none());
        assert!(k.open("").is_none());
    }

    #[test]
    fn key_forms() {
        let hex_key = "00".repeat(32);
        assert_eq!(DataKey::parse(&hex_key), Some([0; 32]));
        assert_eq!(DataKey::parse(&B64.encode([9u8; 32])), Some([9; 32]));
        assert_eq!(DataKey::parse("short"), None);
        assert_eq!(DataKey::parse(&B64.encode([9u8; 31])), None);
        let d = DataKey::derived_from_jwt_secret(b"x");
        assert_eq!(format!("{d:?}"), "DataKey(..)");
    }
}
