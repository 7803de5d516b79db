//! Download links: how whoever may read a nomination gets one of its files.
//!
//! - **Locally** (and whenever the `DOWNLOADS_*` variables are absent): a presigned S3 GET of
//!   the object store ([`ObjectStore::presign_get`]), to the embedded S3 endpoint.
//! - **In production**, with `DOWNLOADS_DOMAIN`, `DOWNLOADS_KEY_PAIR_ID` and
//!   `DOWNLOADS_PRIVATE_KEY_PARAMETER` set (`infra/template.yaml`, when the stack has a
//!   downloads public key): a CloudFront signed URL ([`CloudFrontSigner`]). The private key is
//!   read once per process, at cold start, from that SSM SecureString parameter
//!   (`GetParameter` with decryption).
//!
//! Both answer the same [`PresignedRequest`]: a GET with no headers to send, and when it stops
//! working. Setting only some of the three variables is an error at start-up, not a silent
//! fall-back to S3.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_ssm::error::DisplayErrorContext;
use chrono::Utc;

use super::cloudfront::{CloudFrontSigner, SignerError};
use super::{Disposition, ObjectError, ObjectStore, PresignedRequest};

/// Why download links cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum DownloadsError {
    /// Some of the `DOWNLOADS_*` variables are set, not all.
    #[error("CloudFront downloads are half configured: {missing} not set (set all of DOWNLOADS_DOMAIN, DOWNLOADS_KEY_PAIR_ID and DOWNLOADS_PRIVATE_KEY_PARAMETER, or none)")]
    Incomplete { missing: String },
    /// The private key could not be read from its parameter.
    #[error("reading the CloudFront private key from SSM parameter {parameter}")]
    Parameter {
        parameter: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The parameter exists but holds no value.
    #[error("SSM parameter {0} holds no value")]
    EmptyParameter(String),
    /// The domain, key pair id or key is unusable.
    #[error("CloudFront downloads (key from SSM parameter {parameter})")]
    Signer {
        parameter: String,
        #[source]
        source: SignerError,
    },
}

/// Where CloudFront downloads come from: the three `DOWNLOADS_*` variables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DownloadsConfig {
    /// `DOWNLOADS_DOMAIN`: `https://` + the distribution's domain or the site's own.
    pub domain: String,
    /// `DOWNLOADS_KEY_PAIR_ID`: the id of the public key in the distribution's key group.
    pub key_pair_id: String,
    /// `DOWNLOADS_PRIVATE_KEY_PARAMETER`: the SSM SecureString parameter holding the private
    /// key's PEM, e.g. `/ovop/prod/downloads/private-key`.
    pub private_key_parameter: String,
}

impl DownloadsConfig {
    /// From the process environment: `None` when none of the variables is set (presigned S3
    /// GETs), an error when only some are.
    pub fn from_env() -> Result<Option<Self>, DownloadsError> {
        Self::from_values(
            std::env::var("DOWNLOADS_DOMAIN").ok(),
            std::env::var("DOWNLOADS_KEY_PAIR_ID").ok(),
            std::env::var("DOWNLOADS_PRIVATE_KEY_PARAMETER").ok(),
        )
    }

    /// As [`DownloadsConfig::from_env`], from the three values (empty counts as unset).
    pub fn from_values(
        domain: Option<String>,
        key_pair_id: Option<String>,
        private_key_parameter: Option<String>,
    ) -> Result<Option<Self>, DownloadsError> {
        let set = |v: Option<String>| v.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        match (set(domain), set(key_pair_id), set(private_key_parameter)) {
            (None, None, None) => Ok(None),
            (Some(domain), Some(key_pair_id), Some(private_key_parameter)) => Ok(Some(Self {
                domain,
                key_pair_id,
                private_key_parameter,
            })),
            (domain, key_pair_id, parameter) => {
                let missing: Vec<&str> = [
                    ("DOWNLOADS_DOMAIN", domain.is_none()),
                    ("DOWNLOADS_KEY_PAIR_ID", key_pair_id.is_none()),
                    ("DOWNLOADS_PRIVATE_KEY_PARAMETER", parameter.is_none()),
                ]
                .into_iter()
                .filter_map(|(name, missing)| missing.then_some(name))
                .collect();
                Err(DownloadsError::Incomplete {
                    missing: missing.join(", "),
                })
            }
        }
    }
}

/// Makes the links through which files are read (see the module's notes).
#[derive(Clone)]
pub enum DownloadLinks {
    /// Presigned S3 GETs of this store.
    Presigned(Arc<dyn ObjectStore>),
    /// CloudFront signed URLs.
    CloudFront(CloudFrontSigner),
}

impl fmt::Debug for DownloadLinks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DownloadLinks::Presigned(_) => f.write_str("DownloadLinks::Presigned"),
            DownloadLinks::CloudFront(signer) => f
                .debug_tuple("DownloadLinks::CloudFront")
                .field(signer)
                .finish(),
        }
    }
}

impl DownloadLinks {
    /// From the environment ([`DownloadsConfig::from_env`]): presigned GETs of `objects`
    /// without the `DOWNLOADS_*` variables; with them, CloudFront, the private key read from SSM
    /// with the SDK's standard environment (region, credentials). Call it once, at cold start.
    pub async fn from_env(objects: Arc<dyn ObjectStore>) -> Result<Self, DownloadsError> {
        match DownloadsConfig::from_env()? {
            None => Ok(DownloadLinks::Presigned(objects)),
            Some(config) => {
                let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
                Self::from_config(objects, Some(config), &sdk).await
            }
        }
    }

    /// As [`DownloadLinks::from_env`], with the configuration and the SDK's settings given
    /// (tests: an SSM emulator).
    pub async fn from_config(
        objects: Arc<dyn ObjectStore>,
        config: Option<DownloadsConfig>,
        sdk: &aws_config::SdkConfig,
    ) -> Result<Self, DownloadsError> {
        match config {
            None => Ok(DownloadLinks::Presigned(objects)),
            Some(config) => {
                let client = aws_sdk_ssm::Client::new(sdk);
                Self::cloudfront(&config, |parameter| async move {
                    read_parameter(&client, &parameter).await
                })
                .await
            }
        }
    }

    /// CloudFront links for `config`, the private key's PEM from `read_key` (given the
    /// parameter's name, called once).
    pub async fn cloudfront<F, Fut>(
        config: &DownloadsConfig,
        read_key: F,
    ) -> Result<Self, DownloadsError>
    where
        F: FnOnce(String) -> Fut,
        Fut: std::future::Future<Output = Result<String, DownloadsError>>,
    {
        let pem = read_key(config.private_key_parameter.clone()).await?;
        let signer =
            CloudFrontSigner::new(&config.domain, &config.key_pair_id, &pem).map_err(|source| {
                DownloadsError::Signer {
                    parameter: config.private_key_parameter.clone(),
                    source,
                }
            })?;
        Ok(DownloadLinks::CloudFront(signer))
    }

    /// A GET of object `key`, answered with `disposition`, for `lifetime` (1 s to 7 days).
    pub async fn link(
        &self,
        key: &str,
        disposition: &Disposition,
        lifetime: Duration,
    ) -> Result<PresignedRequest, ObjectError> {
        match self {
            DownloadLinks::Presigned(objects) => {
                objects.presign_get(key, disposition, lifetime).await
            }
            DownloadLinks::CloudFront(signer) => {
                signer.link(key, disposition, Utc::now(), lifetime)
            }
        }
    }

    /// `"s3-presigned"` or `"cloudfront"`, for the start-up log.
    pub fn kind(&self) -> &'static str {
        match self {
            DownloadLinks::Presigned(_) => "s3-presigned",
            DownloadLinks::CloudFront(_) => "cloudfront",
        }
    }
}

/// The decrypted value of SecureString parameter `name`.
async fn read_parameter(
    client: &aws_sdk_ssm::Client,
    name: &str,
) -> Result<String, DownloadsError> {
    let out = client
        .get_parameter()
        .name(name)
        .with_decryption(true)
        .send()
        .await
        .map_err(|e| DownloadsError::Parameter {
            parameter: name.to_owned(),
            source: DisplayErrorContext(e).to_string().into(),
        })?;
    out.parameter
        .and_then(|p| p.value)
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| DownloadsError::EmptyParameter(name.to_owned()))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use async_trait::async_trait;
    use bytes::Bytes;
    use chrono::DateTime;

    use super::super::cloudfront::tests::{verify, DOMAIN, KEY_PAIR_ID, TEST_KEY};
    use super::super::{CompletedPart, ObjectInfo, ObjectReader, Part};
    use super::*;

    const TEST_PUBLIC_KEY: &str = include_str!("testdata/cloudfront-test-only.pub.pem");

    fn some(v: &str) -> Option<String> {
        Some(v.to_owned())
    }

    #[test]
    fn the_configuration_is_all_or_nothing() {
        assert_eq!(
            DownloadsConfig::from_values(None, None, None).unwrap(),
            None
        );
        assert_eq!(
            DownloadsConfig::from_values(some(" "), some(""), None).unwrap(),
            None,
            "empty is unset"
        );
        assert_eq!(
            DownloadsConfig::from_values(
                some(DOMAIN),
                some(KEY_PAIR_ID),
                some("/ovop/prod/downloads/private-key")
            )
            .unwrap(),
            Some(DownloadsConfig {
                domain: DOMAIN.into(),
                key_pair_id: KEY_PAIR_ID.into(),
                private_key_parameter: "/ovop/prod/downloads/private-key".into(),
            })
        );
        let err = DownloadsConfig::from_values(some(DOMAIN), None, some("")).unwrap_err();
        assert!(matches!(err, DownloadsError::Incomplete { .. }));
        let message = err.to_string();
        assert!(
            message.contains("DOWNLOADS_KEY_PAIR_ID, DOWNLOADS_PRIVATE_KEY_PARAMETER not set"),
            "{message}"
        );
    }

    /// A store that only presigns GETs; any other call answers an error the test would show.
    struct PresignOnly;

    fn not_here<T>() -> Result<T, ObjectError> {
        Err(ObjectError::Invalid(
            "the presign-only test store only presigns GETs".into(),
        ))
    }

    #[async_trait]
    impl ObjectStore for PresignOnly {
        async fn presign_put(
            &self,
            _: &str,
            _: &str,
            _: u64,
            _: Duration,
        ) -> Result<PresignedRequest, ObjectError> {
            not_here()
        }
        async fn create_multipart(&self, _: &str, _: &str) -> Result<String, ObjectError> {
            not_here()
        }
        async fn presign_upload_part(
            &self,
            _: &str,
            _: &str,
            _: u32,
            _: Option<u64>,
            _: Duration,
        ) -> Result<PresignedRequest, ObjectError> {
            not_here()
        }
        async fn list_parts(&self, _: &str, _: &str) -> Result<Vec<Part>, ObjectError> {
            not_here()
        }
        async fn complete_multipart(
            &self,
            _: &str,
            _: &str,
            _: &[CompletedPart],
        ) -> Result<String, ObjectError> {
            not_here()
        }
        async fn abort_multipart(&self, _: &str, _: &str) -> Result<(), ObjectError> {
            not_here()
        }
        async fn head(&self, _: &str) -> Result<ObjectInfo, ObjectError> {
            not_here()
        }
        async fn read_prefix(&self, _: &str, _: u64) -> Result<Bytes, ObjectError> {
            not_here()
        }
        async fn open(&self, _: &str) -> Result<ObjectReader, ObjectError> {
            not_here()
        }
        async fn put(&self, _: &str, _: Bytes, _: &str) -> Result<String, ObjectError> {
            not_here()
        }
        async fn delete(&self, _: &str) -> Result<(), ObjectError> {
            not_here()
        }
        async fn presign_get(
            &self,
            key: &str,
            disposition: &Disposition,
            expires_in: Duration,
        ) -> Result<PresignedRequest, ObjectError> {
            Ok(PresignedRequest {
                method: "GET".into(),
                url: format!(
                    "http://localhost:8081/uploads/{key}?{}",
                    disposition.header_value()
                ),
                headers: Vec::new(),
                expires_at: DateTime::<Utc>::UNIX_EPOCH + expires_in,
            })
        }
    }

    fn photo() -> Disposition {
        Disposition::Inline {
            filename: "foto.jpg".into(),
        }
    }

    #[tokio::test]
    async fn without_configuration_links_are_presigned_s3_gets() {
        let links = DownloadLinks::from_config(
            Arc::new(PresignOnly),
            None,
            &aws_config::SdkConfig::builder().build(),
        )
        .await
        .unwrap();
        assert_eq!(links.kind(), "s3-presigned");
        let link = links
            .link("nominations/n/D07/u", &photo(), Duration::from_secs(300))
            .await
            .unwrap();
        assert!(link
            .url
            .starts_with("http://localhost:8081/uploads/nominations/n/D07/u?inline"));
    }

    #[tokio::test]
    async fn with_configuration_the_key_is_read_once_and_links_go_through_cloudfront() {
        let config = DownloadsConfig {
            domain: DOMAIN.into(),
            key_pair_id: KEY_PAIR_ID.into(),
            private_key_parameter: "/ovop/test/downloads/private-key".into(),
        };
        let reads = AtomicUsize::new(0);
        let links = DownloadLinks::cloudfront(&config, |parameter| {
            reads.fetch_add(1, Ordering::SeqCst);
            assert_eq!(parameter, "/ovop/test/downloads/private-key");
            async { Ok(TEST_KEY.to_owned()) }
        })
        .await
        .unwrap();
        assert_eq!(links.kind(), "cloudfront");
        let before = Utc::now();
        for _ in 0..3 {
            let link = links
                .link("nominations/n/D07/u", &photo(), Duration::from_secs(300))
                .await
                .unwrap();
            assert!(link
                .url
                .starts_with(&format!("{DOMAIN}/nominations/n/D07/u?")));
            verify(&link.url, TEST_PUBLIC_KEY).unwrap();
            let lifetime = link.expires_at - before;
            assert!((299..=301).contains(&lifetime.num_seconds()), "{lifetime}");
        }
        assert_eq!(reads.load(Ordering::SeqCst), 1);
        assert!(!format!("{links:?}").contains("PRIVATE"));

        // A bad key in the parameter names the parameter.
        let err = DownloadLinks::cloudfront(&config, |_| async { Ok("not a key".to_owned()) })
            .await
            .unwrap_err();
        assert!(matches!(err, DownloadsError::Signer { .. }));
        assert!(err.to_string().contains("/ovop/test/downloads/private-key"));
    }
}
