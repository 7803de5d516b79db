//! CloudFront signed URLs with a canned policy: how officials read documents in production.
//!
//! The uploads bucket stays private; the distribution reads it through its origin access control,
//! and the `nominations/*` and `thumbnails/*` behaviours trust one key group
//! (`infra/template.yaml`). The uploads function signs, for one object and a few minutes, a URL
//! that CloudFront checks at the edge before it asks S3:
//!
//! ```text
//! https://<domain>/<key, percent-encoded>?response-content-disposition=<…>
//!     &Expires=<unix seconds>&Signature=<…>&Key-Pair-Id=<public key id>&Hash-Algorithm=SHA256
//! ```
//!
//! - the **policy** is CloudFront's canned policy, byte for byte and without whitespace:
//!   `{"Statement":[{"Resource":"<url without the signing parameters>","Condition":{"DateLessThan":{"AWS:EpochTime":<Expires>}}}]}`;
//!   the resource includes `response-content-disposition`, so the file name and `inline` cannot
//!   be changed without breaking the signature;
//! - the **signature** is RSA PKCS#1 v1.5 over that policy with SHA-256, announced by
//!   `Hash-Algorithm=SHA256` (CloudFront's default without it is SHA-1). It is made with
//!   `aws-lc-rs`, the constant-time library the AWS SDK's TLS already links into the function,
//!   so signing adds no crate to the Lambda build; its private key is a 2048-bit RSA key
//!   (`scripts/cloudfront-keys.sh`);
//! - the signature is base64 in CloudFront's URL-safe alphabet: `+` → `-`, `=` → `_`,
//!   `/` → `~` ([`cloudfront_base64`]).
//!
//! The disposition reaches S3 as a query parameter that the behaviour's origin request policy
//! forwards; S3 honours `response-content-disposition` on requests that are signed, and the
//! origin access control signs every origin request (SigV4), so the answer carries
//! `Content-Disposition: inline; filename=…` as a presigned S3 GET's does (docs/uploads.md).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use base64::Engine;
use chrono::{DateTime, Utc};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::PrivateKeyDer;

use super::{check_expiry, Disposition, ObjectError, PresignedRequest};

/// The only key size CloudFront key groups accept for RSA.
pub const RSA_KEY_BITS: usize = 2048;

/// The latest `Expires` CloudFront accepts (a 32-bit Unix time: 2038-01-19T03:14:07Z).
pub const MAX_EXPIRES: i64 = i32::MAX as i64;

/// Signing cannot be set up: a bad domain, key pair id or private key.
#[derive(Debug, thiserror::Error)]
pub enum SignerError {
    #[error(
        "the downloads domain {value:?} is not an https origin (https://host, no path): {reason}"
    )]
    Domain { value: String, reason: &'static str },
    #[error("the CloudFront key pair id {0:?} is not a public key id (letters and digits)")]
    KeyPairId(String),
    #[error("the CloudFront private key is unusable: {0}")]
    PrivateKey(String),
}

/// Signs canned-policy URLs for one distribution domain with one key of its key group.
///
/// Cheap to clone (the key is shared). Its `Debug` shows the domain and key pair id, never the
/// key.
#[derive(Clone)]
pub struct CloudFrontSigner {
    domain: String,
    key_pair_id: String,
    key: Arc<RsaKeyPair>,
}

impl fmt::Debug for CloudFrontSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CloudFrontSigner")
            .field("domain", &self.domain)
            .field("key_pair_id", &self.key_pair_id)
            .finish_non_exhaustive()
    }
}

impl CloudFrontSigner {
    /// A signer for `domain` (`https://d111111abcdef8.cloudfront.net` or the site's own domain;
    /// a trailing `/` is dropped), the public key `key_pair_id` of the distribution's key group,
    /// and its RSA 2048 private key as PEM (`BEGIN PRIVATE KEY`, PKCS#8, as `openssl genpkey`
    /// writes it, or `BEGIN RSA PRIVATE KEY`, PKCS#1). An encrypted key is refused.
    pub fn new(
        domain: &str,
        key_pair_id: &str,
        private_key_pem: &str,
    ) -> Result<Self, SignerError> {
        let domain = check_domain(domain)?;
        let key_pair_id = key_pair_id.trim();
        if key_pair_id.is_empty() || !key_pair_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(SignerError::KeyPairId(key_pair_id.to_owned()));
        }
        let key = private_key(private_key_pem)?;
        Ok(CloudFrontSigner {
            domain,
            key_pair_id: key_pair_id.to_owned(),
            key: Arc::new(key),
        })
    }

    /// `https://host`, no trailing slash.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    pub fn key_pair_id(&self) -> &str {
        &self.key_pair_id
    }

    /// The URL of object `key` without the signing parameters: the domain, the key
    /// percent-encoded segment by segment, and `response-content-disposition`.
    pub fn resource(&self, key: &str, disposition: &Disposition) -> String {
        format!(
            "{}/{}?response-content-disposition={}",
            self.domain,
            encode_path(key),
            encode_component(&disposition.header_value())
        )
    }

    /// A GET of object `key` answered with `disposition`, valid from `now` for `lifetime`
    /// (1 s to 7 days, as a presigned S3 GET), to the whole second: `expires_at` is
    /// `now + lifetime` with the fraction dropped, and equals `Expires`.
    pub fn link(
        &self,
        key: &str,
        disposition: &Disposition,
        now: DateTime<Utc>,
        lifetime: Duration,
    ) -> Result<PresignedRequest, ObjectError> {
        check_expiry(lifetime)?;
        let lifetime = chrono::Duration::from_std(lifetime)
            .map_err(|e| ObjectError::Invalid(format!("link lifetime: {e}")))?;
        let expires = (now + lifetime).timestamp();
        let expires_at = DateTime::from_timestamp(expires, 0)
            .ok_or_else(|| ObjectError::Invalid(format!("expiry {expires} is out of range")))?;
        let url = self.sign(&self.resource(key, disposition), expires)?;
        Ok(PresignedRequest {
            method: "GET".into(),
            url,
            headers: Vec::new(),
            expires_at,
        })
    }

    /// `resource` (an absolute URL of this signer's domain, without CloudFront's signing
    /// parameters, already percent-encoded) with `Expires`, `Signature`, `Key-Pair-Id` and
    /// `Hash-Algorithm` appended.
    pub fn sign(&self, resource: &str, expires: i64) -> Result<String, ObjectError> {
        if !(1..=MAX_EXPIRES).contains(&expires) {
            return Err(ObjectError::Invalid(format!(
                "Expires {expires} is outside 1..={MAX_EXPIRES} (CloudFront reads a 32-bit Unix time)"
            )));
        }
        let signature = self.signature(&canned_policy(resource, expires))?;
        let separator = if resource.contains('?') { '&' } else { '?' };
        Ok(format!(
            "{resource}{separator}Expires={expires}&Signature={signature}&Key-Pair-Id={}&Hash-Algorithm=SHA256",
            self.key_pair_id
        ))
    }

    /// RSA PKCS#1 v1.5 with SHA-256 over `policy`, in CloudFront's base64.
    fn signature(&self, policy: &str) -> Result<String, ObjectError> {
        let mut signature = vec![0; self.key.public_modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                policy.as_bytes(),
                &mut signature,
            )
            .map_err(|e| ObjectError::backend("sign a CloudFront policy", e))?;
        Ok(cloudfront_base64(&signature))
    }
}

/// CloudFront's canned policy for `resource` until `expires` (Unix seconds), exactly as
/// CloudFront rebuilds it to check a signature: no whitespace, keys in this order.
pub fn canned_policy(resource: &str, expires: i64) -> String {
    // A JSON string: the resource is percent-encoded ASCII, but escape it as JSON regardless.
    let resource = serde_json::Value::String(resource.to_owned()).to_string();
    format!(
        r#"{{"Statement":[{{"Resource":{resource},"Condition":{{"DateLessThan":{{"AWS:EpochTime":{expires}}}}}}}]}}"#
    )
}

/// Standard base64 (with padding) in CloudFront's URL-safe alphabet: `+` → `-`, `=` → `_`,
/// `/` → `~`.
pub fn cloudfront_base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD
        .encode(bytes)
        .chars()
        .map(|c| match c {
            '+' => '-',
            '=' => '_',
            '/' => '~',
            c => c,
        })
        .collect()
}

/// The inverse of [`cloudfront_base64`]; `None` if `text` is not in that alphabet.
pub fn cloudfront_base64_decode(text: &str) -> Option<Vec<u8>> {
    let standard: String = text
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '=',
            '~' => '/',
            '+' | '=' | '/' => '!',
            c => c,
        })
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(standard)
        .ok()
}

/// `key` as a URL path: each `/`-separated segment percent-encoded ([`encode_component`]).
pub fn encode_path(key: &str) -> String {
    key.split('/')
        .map(encode_component)
        .collect::<Vec<_>>()
        .join("/")
}

/// RFC 3986 percent-encoding: unreserved characters (`A-Z a-z 0-9 - . _ ~`) as they are,
/// every other byte of the UTF-8 as `%XX` (upper-case hex). Browsers send such a URL unchanged,
/// so the URL CloudFront sees is the one that was signed.
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn check_domain(domain: &str) -> Result<String, SignerError> {
    let value = domain.trim();
    let bad = |reason| SignerError::Domain {
        value: value.to_owned(),
        reason,
    };
    let host = value
        .strip_prefix("https://")
        .ok_or_else(|| bad("it must start with https://"))?;
    let host = host.strip_suffix('/').unwrap_or(host);
    if host.is_empty() {
        return Err(bad("no host"));
    }
    if !host
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    {
        return Err(bad("only a host name: letters, digits, dots and hyphens"));
    }
    Ok(format!("https://{}", host.to_ascii_lowercase()))
}

fn private_key(pem: &str) -> Result<RsaKeyPair, SignerError> {
    let refused = |reason: String| SignerError::PrivateKey(reason);
    if pem.contains("ENCRYPTED") {
        return Err(refused(
            "it is encrypted; store it unencrypted in a SecureString parameter".into(),
        ));
    }
    let der = PrivateKeyDer::from_pem_slice(pem.as_bytes())
        .map_err(|e| refused(format!("no private key in the PEM text ({e})")))?;
    let key = match &der {
        PrivateKeyDer::Pkcs8(k) => RsaKeyPair::from_pkcs8(k.secret_pkcs8_der()),
        PrivateKeyDer::Pkcs1(k) => RsaKeyPair::from_der(k.secret_pkcs1_der()),
        PrivateKeyDer::Sec1(_) => return Err(refused("it is an EC key, not RSA".into())),
        _ => return Err(refused("unknown key format".into())),
    }
    .map_err(|e| refused(format!("not an RSA private key CloudFront can use ({e})")))?;
    let bits = key.public_modulus_len() * 8;
    if bits != RSA_KEY_BITS {
        return Err(refused(format!(
            "it has {bits} bits; CloudFront key groups take RSA {RSA_KEY_BITS}"
        )));
    }
    Ok(key)
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::TimeZone;
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, LineEnding};
    use rsa::{Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey};
    use sha2::{Digest, Sha256};

    use super::*;

    pub(crate) const TEST_KEY: &str = include_str!("testdata/cloudfront-test-only.key.pem");
    const TEST_PUBLIC_KEY: &str = include_str!("testdata/cloudfront-test-only.pub.pem");
    const EC_KEY: &str = include_str!("testdata/ec-test-only.key.pem");
    pub(crate) const DOMAIN: &str = "https://d111111abcdef8.cloudfront.net";
    pub(crate) const KEY_PAIR_ID: &str = "K2JCJMDEHXQW5F";

    pub(crate) fn signer() -> CloudFrontSigner {
        CloudFrontSigner::new(DOMAIN, KEY_PAIR_ID, TEST_KEY).unwrap()
    }

    fn at(secs: i64, nanos: u32) -> DateTime<Utc> {
        Utc.timestamp_opt(secs, nanos).unwrap()
    }

    fn photo() -> Disposition {
        Disposition::Inline {
            filename: "Kopi Gayo – foto.jpg".into(),
        }
    }

    /// What CloudFront does with a signed URL: take out its own parameters, rebuild the canned
    /// policy from what is left and `Expires`, and check `Signature` with the key group's
    /// **public** key (RustCrypto `rsa`, an implementation independent of the signer's).
    pub(crate) fn verify(url: &str, public_key_pem: &str) -> Result<(), String> {
        let (base, query) = url.split_once('?').ok_or("no query string")?;
        let mut kept = Vec::new();
        let (mut expires, mut signature, mut key_pair_id, mut hash) = (None, None, None, None);
        for pair in query.split('&') {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            match name {
                "Expires" => expires = Some(value),
                "Signature" => signature = Some(value),
                "Key-Pair-Id" => key_pair_id = Some(value),
                "Hash-Algorithm" => hash = Some(value),
                "Policy" => return Err("a custom policy".into()),
                _ => kept.push(pair),
            }
        }
        if key_pair_id != Some(KEY_PAIR_ID) {
            return Err(format!("Key-Pair-Id {key_pair_id:?}"));
        }
        if hash != Some("SHA256") {
            return Err(format!("Hash-Algorithm {hash:?}"));
        }
        let expires: i64 = expires
            .ok_or("no Expires")?
            .parse()
            .map_err(|e| format!("Expires: {e}"))?;
        let resource = if kept.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        let signature =
            cloudfront_base64_decode(signature.ok_or("no Signature")?).ok_or("bad base64")?;
        let public =
            RsaPublicKey::from_public_key_pem(public_key_pem).map_err(|e| e.to_string())?;
        let digest = Sha256::digest(canned_policy(&resource, expires).as_bytes());
        public
            .verify(Pkcs1v15Sign::new::<Sha256>(), &digest, &signature)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_signed_url_verifies_with_the_public_key() {
        let link = signer()
            .link(
                "nominations/01J0/D07/01U0",
                &photo(),
                at(1_767_290_000, 0),
                Duration::from_secs(300),
            )
            .unwrap();
        assert_eq!(link.method, "GET");
        assert!(link.headers.is_empty(), "a CloudFront link needs no header");
        assert_eq!(
            link.url.split('?').next().unwrap(),
            "https://d111111abcdef8.cloudfront.net/nominations/01J0/D07/01U0"
        );
        verify(&link.url, TEST_PUBLIC_KEY).unwrap();
        // The parameters CloudFront reads come last, in the order of its documentation.
        let tail = link.url.split("&Expires=").nth(1).unwrap();
        let names: Vec<&str> = tail
            .split('&')
            .map(|p| p.split('=').next().unwrap())
            .collect();
        assert_eq!(
            names,
            ["1767290300", "Signature", "Key-Pair-Id", "Hash-Algorithm"]
        );
    }

    #[test]
    fn a_tampered_url_fails_verification() {
        let url = signer()
            .link(
                "nominations/01J0/D07/01U0",
                &photo(),
                at(1_767_290_000, 0),
                Duration::from_secs(300),
            )
            .unwrap()
            .url;
        verify(&url, TEST_PUBLIC_KEY).unwrap();
        let tampered = [
            // another nomination's document
            url.replace("/01J0/", "/01J1/"),
            // a later expiry
            url.replace("Expires=1767290300", "Expires=1767293900"),
            // another name or an attachment instead of inline
            url.replace("inline", "attachment"),
            url.replace("Kopi", "Teh"),
            // the disposition dropped
            url.replace(
                &url[url.find('?').unwrap()..url.find("&Expires").unwrap()],
                "?x=1",
            ),
            // a signature by another key for the same URL
            {
                let other = RsaPrivateKey::new(&mut rand_core_rng(), 2048).unwrap();
                let pem = other.to_pkcs8_pem(LineEnding::LF).unwrap();
                CloudFrontSigner::new(DOMAIN, KEY_PAIR_ID, &pem)
                    .unwrap()
                    .link(
                        "nominations/01J0/D07/01U0",
                        &photo(),
                        at(1_767_290_000, 0),
                        Duration::from_secs(300),
                    )
                    .unwrap()
                    .url
            },
        ];
        for url in tampered {
            assert!(verify(&url, TEST_PUBLIC_KEY).is_err(), "{url} verified");
        }
    }

    fn rand_core_rng() -> impl rsa::rand_core::CryptoRngCore {
        rsa::rand_core::OsRng
    }

    #[test]
    fn the_expiry_is_whole_seconds_and_is_the_policys() {
        // 12:00:00.999 + 300 s: Expires drops the fraction, and expires_at is exactly Expires.
        let link = signer()
            .link(
                "thumbnails/01J0/D07/01U0.jpg",
                &photo(),
                at(1_767_290_000, 999_000_000),
                Duration::from_secs(300),
            )
            .unwrap();
        assert_eq!(link.expires_at, at(1_767_290_300, 0));
        assert!(link.url.contains("&Expires=1767290300&"));
        verify(&link.url, TEST_PUBLIC_KEY).unwrap();
        // Lifetimes are those of a presigned GET: 1 s to 7 days.
        for lifetime in [Duration::ZERO, Duration::from_secs(7 * 24 * 3600 + 1)] {
            assert!(matches!(
                signer().link("k", &photo(), at(1_767_290_000, 0), lifetime),
                Err(ObjectError::Invalid(_))
            ));
        }
        // CloudFront reads Expires as a 32-bit Unix time.
        assert!(matches!(
            signer().link(
                "k",
                &photo(),
                at(MAX_EXPIRES - 10, 0),
                Duration::from_secs(60)
            ),
            Err(ObjectError::Invalid(_))
        ));
    }

    #[test]
    fn the_signature_is_in_cloudfronts_base64_alphabet() {
        assert_eq!(cloudfront_base64(&[0xfb, 0xff]), "-~8_");
        assert_eq!(cloudfront_base64_decode("-~8_").unwrap(), [0xfb, 0xff]);
        assert_eq!(
            cloudfront_base64_decode("+/8="),
            None,
            "standard alphabet refused"
        );
        let url = signer()
            .link("k", &photo(), at(1_767_290_000, 0), Duration::from_secs(60))
            .unwrap()
            .url;
        let signature = url
            .split('&')
            .find_map(|p| p.strip_prefix("Signature="))
            .unwrap();
        assert!(
            signature
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_~".contains(&b)),
            "{signature}"
        );
        // 256 bytes of RSA 2048: 344 characters, ending in padding (`==` → `__`).
        assert_eq!(signature.len(), 344);
        assert!(signature.ends_with("__"));
        assert_eq!(cloudfront_base64_decode(signature).unwrap().len(), 256);
    }

    /// A known answer: the signature OpenSSL makes for this policy with the test key
    /// (`printf %s "$policy" | openssl dgst -sha256 -sign cloudfront-test-only.key.pem | base64 -w0
    /// | tr '+=/' '-_~'`). PKCS#1 v1.5 signatures are deterministic.
    #[test]
    fn the_signature_is_the_one_openssl_makes() {
        let resource = "https://d111111abcdef8.cloudfront.net/nominations/01J0/D07/01U0?response-content-disposition=inline%3B%20filename%3D%22a.pdf%22";
        let policy = canned_policy(resource, 1_767_290_400);
        assert_eq!(
            policy,
            r#"{"Statement":[{"Resource":"https://d111111abcdef8.cloudfront.net/nominations/01J0/D07/01U0?response-content-disposition=inline%3B%20filename%3D%22a.pdf%22","Condition":{"DateLessThan":{"AWS:EpochTime":1767290400}}}]}"#
        );
        let url = signer().sign(resource, 1_767_290_400).unwrap();
        let signature = url
            .split('&')
            .find_map(|p| p.strip_prefix("Signature="))
            .unwrap();
        assert_eq!(signature, OPENSSL_SIGNATURE);
    }

    const OPENSSL_SIGNATURE: &str = "KfXjJW2Z8CvIxfSqt4EzJpHxJ1kXbNqa0lmVMqsw7CIUiRM3Nl-o~aWrId73VI7tUPEFRtlMGVIRdEL39msSO7gfq1lp5~zeQsJxmLluOPxg~YznKxw8e7pg1q5CydB1l4Xd-EVyPzuU2HOGOJBc79bvqYnZwb8AcSB9inzVH-rXRmUw2i-UCxW~v6c~OBpAreollZcF7W02Npn1bADX-btiKl2xwPMEPaxMJA~ao1hOb-hUzo1jqProkU9ExqqyM6AeOlFiE8xre1sU-9GSCBC0txc~SD7IXOIQ2HAdatiFsswRgAZiiRGNX5W7bL7TJc3YKA0Im6rGPop~kThWUw__";

    #[test]
    fn keys_are_percent_encoded_segment_by_segment() {
        assert_eq!(
            encode_path("nominations/01J0/D07/01U0"),
            "nominations/01J0/D07/01U0"
        );
        assert_eq!(
            encode_path("thumbnails/a b/ü+%?#&=.jpg"),
            "thumbnails/a%20b/%C3%BC%2B%25%3F%23%26%3D.jpg"
        );
        assert_eq!(encode_component("a-b.c_d~e"), "a-b.c_d~e");
        let signer = signer();
        let resource = signer.resource(
            "nominations/x y/é",
            &Disposition::Inline {
                filename: "Proposal \"final\" 100%.pdf".into(),
            },
        );
        assert_eq!(
            resource,
            "https://d111111abcdef8.cloudfront.net/nominations/x%20y/%C3%A9\
             ?response-content-disposition=inline%3B%20filename%3D%22Proposal%20_final_%20100_.pdf%22\
             %3B%20filename%2A%3DUTF-8%27%27Proposal%2520%2522final%2522%2520100%2525.pdf"
        );
        // The disposition S3 gets back, once it decodes the parameter, is the header value.
        let encoded = resource.split_once('=').unwrap().1;
        let decoded: String = form_urlencoded::parse(format!("v={encoded}").as_bytes())
            .next()
            .unwrap()
            .1
            .into_owned();
        assert_eq!(
            decoded,
            Disposition::Inline {
                filename: "Proposal \"final\" 100%.pdf".into()
            }
            .header_value()
        );
    }

    #[test]
    fn pkcs1_and_pkcs8_keys_sign_alike() {
        let key = RsaPrivateKey::from_pkcs8_pem(TEST_KEY).unwrap();
        let pkcs1 = key.to_pkcs1_pem(LineEnding::LF).unwrap();
        assert!(pkcs1.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
        let from_pkcs1 = CloudFrontSigner::new(DOMAIN, KEY_PAIR_ID, &pkcs1).unwrap();
        let resource = format!("{DOMAIN}/k");
        assert_eq!(
            from_pkcs1.sign(&resource, 1_767_290_400).unwrap(),
            signer().sign(&resource, 1_767_290_400).unwrap()
        );
    }

    #[test]
    fn only_an_rsa_2048_key_an_https_origin_and_a_key_id_are_accepted() {
        let refused = |domain: &str, id: &str, pem: &str| CloudFrontSigner::new(domain, id, pem);
        assert!(matches!(
            refused(DOMAIN, KEY_PAIR_ID, EC_KEY),
            Err(SignerError::PrivateKey(_))
        ));
        assert!(matches!(
            refused(DOMAIN, KEY_PAIR_ID, "not a key"),
            Err(SignerError::PrivateKey(_))
        ));
        assert!(matches!(
            refused(
                DOMAIN,
                KEY_PAIR_ID,
                &TEST_KEY.replace("PRIVATE KEY", "ENCRYPTED PRIVATE KEY")
            ),
            Err(SignerError::PrivateKey(_))
        ));
        let small = RsaPrivateKey::new(&mut rand_core_rng(), 1024)
            .unwrap()
            .to_pkcs8_pem(LineEnding::LF)
            .unwrap();
        assert!(matches!(
            refused(DOMAIN, KEY_PAIR_ID, &small),
            Err(SignerError::PrivateKey(_))
        ));
        for domain in [
            "http://d111111abcdef8.cloudfront.net",
            "d111111abcdef8.cloudfront.net",
            "https://",
            "https://d111111abcdef8.cloudfront.net/docs",
            "https://d1.cloudfront.net?x",
        ] {
            assert!(
                matches!(
                    refused(domain, KEY_PAIR_ID, TEST_KEY),
                    Err(SignerError::Domain { .. })
                ),
                "{domain}"
            );
        }
        for id in ["", "K2J CJ", "K2J/"] {
            assert!(matches!(
                refused(DOMAIN, id, TEST_KEY),
                Err(SignerError::KeyPairId(_))
            ));
        }
        let signer =
            CloudFrontSigner::new("https://OVOP.kemenperin.go.id/", KEY_PAIR_ID, TEST_KEY).unwrap();
        assert_eq!(signer.domain(), "https://ovop.kemenperin.go.id");
        // Debug never shows the key.
        let debug = format!("{signer:?}");
        assert!(
            debug.contains(KEY_PAIR_ID) && !debug.contains("key:"),
            "{debug}"
        );
    }
}
