//! Download links through CloudFront, as the uploads function makes them in production: the
//! private key read from an SSM SecureString parameter (on moto, as `make test` runs it), the
//! URL signed with it, and the signature checked by **OpenSSL** with the public key alone —
//! the tool CloudFront's documentation signs with, and an implementation independent of the
//! signer's (aws-lc-rs) and of the unit tests' checker (RustCrypto `rsa`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use ovop_platform::objects::cloudfront::{canned_policy, cloudfront_base64_decode};
use ovop_platform::objects::{Disposition, DownloadLinks, DownloadsConfig, S3Objects};

const KEY_PAIR_ID: &str = "K2JCJMDEHXQW5F";
const DOMAIN: &str = "https://ovop.example.go.id";

fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../functions/platform/src/objects/testdata")
        .join(name)
}

async fn moto_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(ovop_tests::moto_endpoint())
        .region(aws_config::Region::new("ap-southeast-3"))
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "test", "test", None, None, "tests",
        ))
        .load()
        .await
}

/// Stores `value` as SecureString parameter `name` on moto (its JSON API; moto does not check
/// the signature, only reads the service from the credential scope).
async fn put_secure_string(name: &str, value: &str) {
    let response = reqwest::Client::new()
        .post(ovop_tests::moto_endpoint())
        .header("x-amz-target", "AmazonSSM.PutParameter")
        .header("content-type", "application/x-amz-json-1.1")
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=test/20260101/ap-southeast-3/ssm/aws4_request, \
             SignedHeaders=host, Signature=0",
        )
        .json(&serde_json::json!({
            "Name": name, "Value": value, "Type": "SecureString", "Overwrite": true
        }))
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "PutParameter: {}",
        response.text().await.unwrap()
    );
}

/// Whether OpenSSL says `signature` (CloudFront's base64) signs `policy` with SHA-256 under the
/// test public key.
fn openssl_verifies(policy: &str, signature: &str) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let (policy_file, signature_file) = (dir.path().join("policy"), dir.path().join("sig"));
    std::fs::write(&policy_file, policy).unwrap();
    let Some(bytes) = cloudfront_base64_decode(signature) else {
        return false;
    };
    std::fs::write(&signature_file, bytes).unwrap();
    let out = Command::new("openssl")
        .args(["dgst", "-sha256", "-verify"])
        .arg(testdata("cloudfront-test-only.pub.pem"))
        .arg("-signature")
        .arg(&signature_file)
        .arg(&policy_file)
        .output()
        .expect("openssl runs (the key script needs it too)");
    out.status.success()
}

/// CloudFront's check of a signed URL: its own parameters out, the policy rebuilt from the rest.
fn policy_and_signature(url: &str) -> (String, String) {
    let (base, query) = url.split_once('?').unwrap();
    let mut kept = Vec::new();
    let (mut expires, mut signature) = (0, String::new());
    for pair in query.split('&') {
        match pair.split_once('=').unwrap() {
            ("Expires", v) => expires = v.parse().unwrap(),
            ("Signature", v) => signature = v.to_owned(),
            ("Key-Pair-Id", v) => assert_eq!(v, KEY_PAIR_ID),
            ("Hash-Algorithm", v) => assert_eq!(v, "SHA256"),
            _ => kept.push(pair),
        }
    }
    let resource = format!("{base}?{}", kept.join("&"));
    (canned_policy(&resource, expires), signature)
}

#[tokio::test]
async fn a_link_signed_with_the_key_from_ssm_verifies_with_openssl_and_a_tampered_one_does_not() {
    let parameter = format!("/ovop/test-{}/downloads/private-key", ulid::Ulid::new());
    let key = std::fs::read_to_string(testdata("cloudfront-test-only.key.pem")).unwrap();
    put_secure_string(&parameter, &key).await;

    let sdk = moto_config().await;
    let objects = Arc::new(S3Objects::new(aws_sdk_s3::Client::new(&sdk), "unused"));
    let config = DownloadsConfig::from_values(
        Some(DOMAIN.into()),
        Some(KEY_PAIR_ID.into()),
        Some(parameter.clone()),
    )
    .unwrap();
    let links = DownloadLinks::from_config(objects, config, &sdk)
        .await
        .unwrap();
    assert_eq!(links.kind(), "cloudfront");

    let disposition = Disposition::Inline {
        filename: "Sertifikat Halal – 2026.pdf".into(),
    };
    let link = links
        .link(
            "nominations/01J0/D05/01U0",
            &disposition,
            Duration::from_secs(300),
        )
        .await
        .unwrap();
    assert!(link
        .url
        .starts_with("https://ovop.example.go.id/nominations/01J0/D05/01U0?response-content-disposition=inline%3B%20filename%3D%22Sertifikat%20Halal%20_%202026.pdf%22"));
    let (policy, signature) = policy_and_signature(&link.url);
    assert!(openssl_verifies(&policy, &signature), "{policy}");

    for tampered in [
        link.url.replace("/D05/", "/D06/"),
        link.url.replace("inline", "attachment"),
        {
            let expires = link.expires_at.timestamp();
            link.url.replace(
                &format!("Expires={expires}"),
                &format!("Expires={}", expires + 3600),
            )
        },
    ] {
        let (policy, signature) = policy_and_signature(&tampered);
        assert!(!openssl_verifies(&policy, &signature), "{tampered}");
    }
}

#[tokio::test]
async fn a_missing_parameter_is_an_error_that_names_it() {
    let sdk = moto_config().await;
    let objects = Arc::new(S3Objects::new(aws_sdk_s3::Client::new(&sdk), "unused"));
    let parameter = format!("/ovop/test-{}/downloads/private-key", ulid::Ulid::new());
    let config = DownloadsConfig::from_values(
        Some(DOMAIN.into()),
        Some(KEY_PAIR_ID.into()),
        Some(parameter.clone()),
    )
    .unwrap();
    let err = DownloadLinks::from_config(objects, config, &sdk)
        .await
        .unwrap_err();
    assert!(err.to_string().contains(&parameter), "{err}");
}
