//! The local issuer's signing key: RSA-2048, made once per data folder and kept there (PKCS#1
//! PEM, readable by its owner only), so that tokens survive a restart.

use std::io::Write;
use std::path::Path;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey, LineEnding};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The key file in the data folder.
pub const KEY_FILE: &str = "oidc-signing-key.pem";

/// Size of a new key.
pub const KEY_BITS: usize = 2048;

/// A signing key failed to load, be made or be kept.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("signing key file {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("signing key: {0}")]
    Rsa(String),
}

/// An RS256 signing key with its public half as a JWK.
pub struct SigningKey {
    kid: String,
    n: String,
    e: String,
    encoding: EncodingKey,
}

impl SigningKey {
    /// A new random key, and its PKCS#1 PEM text.
    pub fn generate() -> Result<(SigningKey, String), KeyError> {
        let key = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, KEY_BITS)
            .map_err(|e| KeyError::Rsa(e.to_string()))?;
        let pem = key
            .to_pkcs1_pem(LineEnding::LF)
            .map_err(|e| KeyError::Rsa(e.to_string()))?;
        Ok((Self::from_key(&key)?, pem.to_string()))
    }

    /// The key of a PKCS#1 PEM text (`-----BEGIN RSA PRIVATE KEY-----`).
    pub fn from_pkcs1_pem(pem: &str) -> Result<SigningKey, KeyError> {
        let key = RsaPrivateKey::from_pkcs1_pem(pem).map_err(|e| KeyError::Rsa(e.to_string()))?;
        Self::from_key(&key)
    }

    /// The key kept in `dir`, made (and kept there) when there is none yet.
    pub fn load_or_create(dir: &Path) -> Result<SigningKey, KeyError> {
        let path = dir.join(KEY_FILE);
        let io = |source| KeyError::Io {
            path: path.display().to_string(),
            source,
        };
        match std::fs::read_to_string(&path) {
            Ok(pem) => return Self::from_pkcs1_pem(&pem),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(e)),
        }
        std::fs::create_dir_all(dir).map_err(io)?;
        let (key, pem) = Self::generate()?;
        // Written aside, then renamed: a half-written key file is never read.
        let partial = dir.join(format!("{KEY_FILE}.{}", std::process::id()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&partial).map_err(io)?;
        file.write_all(pem.as_bytes()).map_err(io)?;
        file.sync_all().map_err(io)?;
        std::fs::rename(&partial, &path).map_err(io)?;
        Ok(key)
    }

    fn from_key(key: &RsaPrivateKey) -> Result<SigningKey, KeyError> {
        let der = key
            .to_pkcs1_der()
            .map_err(|e| KeyError::Rsa(e.to_string()))?;
        let encoding = EncodingKey::from_rsa_der(der.as_bytes());
        let n = URL_SAFE_NO_PAD.encode(key.n().to_bytes_be());
        let e = URL_SAFE_NO_PAD.encode(key.e().to_bytes_be());
        // RFC 7638 thumbprint: the required members in lexicographic order, no spaces.
        let thumbprint = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
        let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(thumbprint.as_bytes()));
        Ok(SigningKey {
            kid,
            n,
            e,
            encoding,
        })
    }

    /// The key id (its RFC 7638 thumbprint).
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The private key for `jsonwebtoken`.
    pub fn encoding_key(&self) -> &EncodingKey {
        &self.encoding
    }

    /// The public key as a JWK: `kty`, `kid`, `use`, `alg`, `n`, `e`.
    pub fn jwk(&self) -> serde_json::Value {
        serde_json::json!({
            "kty": "RSA",
            "kid": self.kid,
            "use": "sig",
            "alg": "RS256",
            "n": self.n,
            "e": self.e,
        })
    }

    /// A JWT of `claims`, RS256, with this key's `kid` (and no `typ`, as Cognito's tokens).
    pub fn sign(&self, claims: &impl Serialize) -> Result<String, jsonwebtoken::errors::Error> {
        let mut header = Header::new(Algorithm::RS256);
        header.typ = None;
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_made_once_per_folder_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let started = std::time::Instant::now();
        let made = SigningKey::load_or_create(dir.path()).unwrap();
        eprintln!("RSA-{KEY_BITS} key made in {:?}", started.elapsed());
        let again = SigningKey::load_or_create(dir.path()).unwrap();
        assert_eq!(made.kid(), again.kid());
        assert_eq!(made.jwk(), again.jwk());
        let text = std::fs::read_to_string(dir.path().join(KEY_FILE)).unwrap();
        assert!(text.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "{mode:o}");
        }
        assert_eq!(made.jwk()["e"], "AQAB");
        assert_eq!(made.kid().len(), 43);
    }
}
