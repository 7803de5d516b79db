//! The embedded S3 endpoint: s3s + s3s-fs on a port of its own, so that the browser uploads
//! to presigned URLs locally exactly as it does to S3 (docs: architecture §1, §5).
//!
//! - **Signatures**: s3s verifies SigV4 (headers and presigned URLs: tampered, expired, other
//!   content type or length → 403) against one fixed key pair ([`DEFAULT_ACCESS_KEY`],
//!   [`DEFAULT_SECRET_KEY`] unless configured). Anonymous requests are refused.
//! - **CORS**: S3 takes it from the bucket; s3s has none, so a `tower-http` layer answers the
//!   app's origin (methods GET/PUT/HEAD/POST/DELETE, any request header, `ETag` exposed: the
//!   browser reads each part's ETag).
//! - **Multipart, as S3 does it**: s3s-fs 0.14 lists parts without ETags or pages, lists an
//!   aborted upload as empty, completes without checking ETags and lets an upload id serve any
//!   key. [`LocalS3`] wraps it: an upload belongs to its bucket and key (else `NoSuchUpload`,
//!   404), ListParts pages (`max-parts`, `part-number-marker`) with each part's ETag (its MD5),
//!   Complete checks every ETag (`InvalidPart`) and order (`InvalidPartOrder`).
//! - **Data** lives in `{data_dir}/s3`, one folder per bucket ([`UPLOADS_BUCKET`],
//!   [`PUBLIC_BUCKET`], made at start); s3s-fs keeps its metadata and parts beside them.
//!
//! With `OVOP_STORE=dynamodb` the app uses real S3 instead ([`ObjectsConfig::from_env`]).

use std::net::{Ipv4Addr, SocketAddr};
use std::ops::Not;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use axum::error_handling::HandleError;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::Router;
use md5::{Digest, Md5};
use ovop_platform::objects::{ObjectStore, S3Objects};
use s3s::auth::SimpleAuth;
use s3s::dto::*;
use s3s::service::S3ServiceBuilder;
use s3s::{s3_error, S3Request, S3Response, S3Result, S3};
use s3s_fs::FileSystem;
use tokio::io::AsyncReadExt;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};

use crate::server::{Timeouts, HEADER_READ_TIMEOUT};
use crate::{ConfigError, StoreChoice};

/// Where the endpoint listens by default.
pub const DEFAULT_S3_ADDR: &str = "127.0.0.1:8081";
/// The local access key id (`OVOP_S3_ACCESS_KEY`).
pub const DEFAULT_ACCESS_KEY: &str = "ovop-local";
/// The local secret key (`OVOP_S3_SECRET_KEY`): not a secret, the endpoint is for localhost.
pub const DEFAULT_SECRET_KEY: &str = "ovop-local-secret";
/// The region signed into requests (s3s accepts any; this is the production one).
pub const LOCAL_REGION: &str = "ap-southeast-3";
/// Where uploaded documents and photos go (private).
pub const UPLOADS_BUCKET: &str = "ovop-uploads";
/// Where publication writes the public gallery.
pub const PUBLIC_BUCKET: &str = "ovop-public";
/// How long a client may take to send one request's body: a whole small file or one part.
pub const UPLOAD_BODY_TIMEOUT: Duration = Duration::from_secs(600);
/// How long a browser may cache a CORS preflight answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(600);

/// Where the app keeps its objects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ObjectsConfig {
    /// The embedded endpoint, data in `{data_dir}/s3`.
    Embedded(EmbeddedS3Config),
    /// Real S3 (or a stand-in) through the standard AWS environment (`AWS_ENDPOINT_URL_S3`, …).
    S3 {
        uploads_bucket: String,
        /// The public gallery's bucket.
        public_bucket: String,
    },
}

/// How to run the embedded endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmbeddedS3Config {
    pub addr: SocketAddr,
    /// The endpoint as the browser reaches it (no trailing slash), the host signed into every
    /// presigned URL; `None`: `http://localhost:{bound port}`.
    pub public_url: Option<String>,
    pub access_key: String,
    pub secret_key: String,
}

impl Default for EmbeddedS3Config {
    /// [`DEFAULT_S3_ADDR`], the default keys.
    fn default() -> Self {
        EmbeddedS3Config {
            addr: DEFAULT_S3_ADDR.parse().expect("a socket address"),
            public_url: None,
            access_key: DEFAULT_ACCESS_KEY.into(),
            secret_key: DEFAULT_SECRET_KEY.into(),
        }
    }
}

impl EmbeddedS3Config {
    /// On a free port of 127.0.0.1 (tests, and [`crate::build`]).
    pub fn ephemeral() -> Self {
        EmbeddedS3Config {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            ..Self::default()
        }
    }
}

impl ObjectsConfig {
    /// The embedded endpoint on a free port of 127.0.0.1 ([`EmbeddedS3Config::ephemeral`]).
    pub fn ephemeral() -> Self {
        ObjectsConfig::Embedded(EmbeddedS3Config::ephemeral())
    }

    /// The configuration the environment gives for `store` (`var` reads a variable):
    ///
    /// - embedded store: the embedded endpoint, `OVOP_S3_ADDR` (127.0.0.1:8081),
    ///   `OVOP_S3_PUBLIC_URL` (`http://localhost:{port}`), `OVOP_S3_ACCESS_KEY` (ovop-local),
    ///   `OVOP_S3_SECRET_KEY` (ovop-local-secret);
    /// - `OVOP_STORE=dynamodb`: real S3 through the standard AWS variables, the uploads bucket
    ///   named by `OVOP_UPLOADS_BUCKET` and the public one by `OVOP_PUBLIC_BUCKET` (required).
    pub fn from_env(
        var: impl Fn(&str) -> Option<String>,
        store: &StoreChoice,
    ) -> Result<ObjectsConfig, ConfigError> {
        let bucket = var("OVOP_UPLOADS_BUCKET").filter(|b| !b.trim().is_empty());
        match store {
            StoreChoice::DynamoDb { .. } => {
                let uploads_bucket = bucket.ok_or_else(|| {
                    ConfigError("OVOP_STORE=dynamodb needs OVOP_UPLOADS_BUCKET".into())
                })?;
                let public_bucket = var("OVOP_PUBLIC_BUCKET")
                    .filter(|b| !b.trim().is_empty())
                    .ok_or_else(|| {
                        ConfigError("OVOP_STORE=dynamodb needs OVOP_PUBLIC_BUCKET".into())
                    })?;
                Ok(ObjectsConfig::S3 {
                    uploads_bucket,
                    public_bucket,
                })
            }
            StoreChoice::Embedded(_) => {
                if bucket.is_some() {
                    return Err(ConfigError(
                        "OVOP_UPLOADS_BUCKET goes with OVOP_STORE=dynamodb; the embedded store \
                         keeps its objects in the embedded S3 endpoint"
                            .into(),
                    ));
                }
                let defaults = EmbeddedS3Config::default();
                let non_empty = |name: &str| var(name).filter(|v| !v.trim().is_empty());
                let addr = match non_empty("OVOP_S3_ADDR") {
                    None => defaults.addr,
                    Some(a) => a
                        .trim()
                        .parse()
                        .map_err(|e| ConfigError(format!("OVOP_S3_ADDR={a}: {e}")))?,
                };
                let public_url = match non_empty("OVOP_S3_PUBLIC_URL") {
                    None => None,
                    Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                        Some(url.trim().trim_end_matches('/').to_owned())
                    }
                    Some(url) => {
                        return Err(ConfigError(format!(
                            "OVOP_S3_PUBLIC_URL={url}: an http:// or https:// URL"
                        )))
                    }
                };
                Ok(ObjectsConfig::Embedded(EmbeddedS3Config {
                    addr,
                    public_url,
                    access_key: non_empty("OVOP_S3_ACCESS_KEY").unwrap_or(defaults.access_key),
                    secret_key: non_empty("OVOP_S3_SECRET_KEY").unwrap_or(defaults.secret_key),
                }))
            }
        }
    }
}

/// The embedded endpoint cannot start.
#[derive(Debug, thiserror::Error)]
pub enum S3StartError {
    #[error("data folder {path}: {source}")]
    Folder {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("CORS origin {0:?} is not a header value")]
    Origin(String),
}

/// The running embedded endpoint. Clones share it; dropping them does not stop it
/// ([`EmbeddedS3::shutdown`] does, or the end of the runtime).
#[derive(Clone)]
pub struct EmbeddedS3 {
    inner: Arc<Inner>,
}

struct Inner {
    addr: SocketAddr,
    public_url: String,
    root: PathBuf,
    access_key: String,
    secret_key: String,
    stop: Notify,
    task: Mutex<Option<JoinHandle<std::io::Result<()>>>>,
}

impl std::fmt::Debug for EmbeddedS3 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedS3")
            .field("addr", &self.inner.addr)
            .field("public_url", &self.inner.public_url)
            .field("root", &self.inner.root)
            .finish_non_exhaustive()
    }
}

impl EmbeddedS3 {
    /// Makes `root` and the buckets in it, binds `config.addr` and serves there, answering
    /// CORS for `origins` (the app's, `http://localhost:8080`).
    pub async fn start(
        root: &Path,
        config: &EmbeddedS3Config,
        origins: &[String],
    ) -> Result<EmbeddedS3, S3StartError> {
        let folder = |path: &Path| {
            let path = path.to_owned();
            move |source| S3StartError::Folder { path, source }
        };
        for bucket in [UPLOADS_BUCKET, PUBLIC_BUCKET] {
            std::fs::create_dir_all(root.join(bucket)).map_err(folder(root))?;
        }
        let root = root.canonicalize().map_err(folder(root))?;
        let fs = FileSystem::new(&root).map_err(|e| S3StartError::Folder {
            path: root.clone(),
            source: std::io::Error::other(format!("{e:?}")),
        })?;
        let mut service = S3ServiceBuilder::new(LocalS3 {
            fs,
            root: root.clone(),
        });
        service.set_auth(SimpleAuth::from_single(
            config.access_key.clone(),
            config.secret_key.clone(),
        ));
        let service = service.build();
        let cors = cors(origins)?;
        let s3 = HandleError::new(service, |e: s3s::HttpError| async move {
            tracing::warn!(error = ?e, "embedded S3 failed a request");
            StatusCode::INTERNAL_SERVER_ERROR
        });
        let router = Router::new().fallback_service(s3).layer(cors);

        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .map_err(|source| S3StartError::Listen {
                addr: config.addr,
                source,
            })?;
        let addr = listener
            .local_addr()
            .map_err(|source| S3StartError::Listen {
                addr: config.addr,
                source,
            })?;
        let public_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://localhost:{}", addr.port()));
        let inner = Arc::new(Inner {
            addr,
            public_url,
            root,
            access_key: config.access_key.clone(),
            secret_key: config.secret_key.clone(),
            stop: Notify::new(),
            task: Mutex::new(None),
        });
        let stop = inner.clone();
        let timeouts = Timeouts {
            header: HEADER_READ_TIMEOUT,
            body: UPLOAD_BODY_TIMEOUT,
        };
        let task = tokio::spawn(crate::server::serve_with(
            listener,
            router,
            async move { stop.stop.notified().await },
            timeouts,
        ));
        *inner.task.lock().expect("task slot") = Some(task);
        Ok(EmbeddedS3 { inner })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.inner.addr
    }

    /// The endpoint as the browser reaches it.
    pub fn public_url(&self) -> &str {
        &self.inner.public_url
    }

    /// The data folder (`{data_dir}/s3`).
    pub fn root(&self) -> &Path {
        &self.inner.root
    }

    /// The endpoint as this process reaches it: the bound address (`127.0.0.1` for an
    /// unspecified one).
    pub fn internal_url(&self) -> String {
        let mut addr = self.inner.addr;
        if addr.ip().is_unspecified() {
            addr.set_ip(Ipv4Addr::LOCALHOST.into());
        }
        format!("http://{addr}")
    }

    /// An S3 client for the server's own calls ([`EmbeddedS3::internal_url`]).
    pub fn client(&self) -> aws_sdk_s3::Client {
        self.client_for(&self.internal_url())
    }

    /// An S3 client that signs for the browser ([`EmbeddedS3::public_url`]).
    pub fn presigning_client(&self) -> aws_sdk_s3::Client {
        self.client_for(&self.inner.public_url)
    }

    fn client_for(&self, endpoint: &str) -> aws_sdk_s3::Client {
        let credentials = Credentials::new(
            &self.inner.access_key,
            &self.inner.secret_key,
            None,
            None,
            "ovop-local",
        );
        let config = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(LOCAL_REGION))
            .credentials_provider(credentials)
            .endpoint_url(endpoint)
            .force_path_style(true)
            .build();
        aws_sdk_s3::Client::from_conf(config)
    }

    /// The object store of `bucket`: calls to the bound address, URLs for the browser signed
    /// for the public one.
    pub fn objects(&self, bucket: &str) -> S3Objects {
        S3Objects::new(self.client(), bucket).with_presigning_client(self.presigning_client())
    }

    /// Stops accepting connections and waits (up to the server's grace period) for the
    /// requests in flight.
    pub async fn shutdown(&self) {
        self.inner.stop.notify_one();
        let task = self.inner.task.lock().expect("task slot").take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

fn cors(origins: &[String]) -> Result<CorsLayer, S3StartError> {
    let origins = origins
        .iter()
        .map(|o| HeaderValue::from_str(o).map_err(|_| S3StartError::Origin(o.clone())))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([
            Method::GET,
            Method::PUT,
            Method::HEAD,
            Method::POST,
            Method::DELETE,
        ])
        .allow_headers(Any)
        .expose_headers([header::ETAG])
        .max_age(PREFLIGHT_MAX_AGE))
}

/// The app's two buckets, and the embedded endpoint when it serves them.
pub struct Buckets {
    /// The private uploads bucket.
    pub uploads: Arc<dyn ObjectStore>,
    /// The public gallery's bucket.
    pub public: Arc<dyn ObjectStore>,
    pub embedded: Option<EmbeddedS3>,
}

/// The app's buckets as configured.
pub(crate) async fn open(
    config: &ObjectsConfig,
    data_dir: &Path,
    origin: &str,
) -> Result<Buckets, S3StartError> {
    match config {
        ObjectsConfig::Embedded(embedded) => {
            let s3 =
                EmbeddedS3::start(&data_dir.join("s3"), embedded, &[origin.to_owned()]).await?;
            Ok(Buckets {
                uploads: Arc::new(s3.objects(UPLOADS_BUCKET)),
                public: Arc::new(s3.objects(PUBLIC_BUCKET)),
                embedded: Some(s3),
            })
        }
        ObjectsConfig::S3 {
            uploads_bucket,
            public_bucket,
        } => {
            let client = S3Objects::client_from_env().await;
            Ok(Buckets {
                uploads: Arc::new(S3Objects::new(client.clone(), uploads_bucket)),
                public: Arc::new(S3Objects::new(client, public_bucket)),
                embedded: None,
            })
        }
    }
}

/// s3s-fs with S3's multipart rules (see the module documentation).
struct LocalS3 {
    fs: FileSystem,
    /// The canonical folder s3s-fs works in.
    root: PathBuf,
}

/// Where a part's ETag is kept, beside the part.
fn etag_file(part: &Path) -> PathBuf {
    let mut name = part.as_os_str().to_owned();
    name.push(".etag");
    PathBuf::from(name)
}

/// A part's ETag: the one kept at upload, or else the MD5 of its bytes.
async fn part_etag(part: &Path) -> std::io::Result<String> {
    match tokio::fs::read_to_string(etag_file(part)).await {
        Ok(etag) => Ok(etag),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => md5_hex(part).await,
        Err(e) => Err(e),
    }
}

/// The MD5 of a file, in hex: the ETag s3s-fs gives a part.
async fn md5_hex(path: &Path) -> std::io::Result<String> {
    let mut file = tokio::fs::File::open(path).await?;
    let mut hash = Md5::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
    }
    Ok(hash.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

fn internal(e: std::io::Error) -> s3s::S3Error {
    s3_error!(e, InternalError)
}

impl LocalS3 {
    /// The file that ties an upload to its bucket and key. Upload ids are s3s-fs's UUIDs.
    fn marker(&self, upload_id: &str) -> S3Result<PathBuf> {
        let uuid_like = !upload_id.is_empty()
            && upload_id.len() <= 64
            && upload_id
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b'-');
        if uuid_like.not() {
            return Err(s3_error!(NoSuchUpload));
        }
        Ok(self.root.join(format!(".ovop-upload-{upload_id}")))
    }

    /// The upload exists, for this bucket and key; else `NoSuchUpload` (404), as S3.
    async fn check_upload(&self, bucket: &str, key: &str, upload_id: &str) -> S3Result<()> {
        let marker = self.marker(upload_id)?;
        match tokio::fs::read_to_string(&marker).await {
            Ok(owner) if owner == format!("{bucket}\n{key}") => Ok(()),
            Ok(_) => Err(s3_error!(NoSuchUpload)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(s3_error!(NoSuchUpload)),
            Err(e) => Err(internal(e)),
        }
    }

    /// The upload's part files, by part number.
    async fn part_files(&self, upload_id: &str) -> S3Result<Vec<(i32, PathBuf)>> {
        let prefix = format!(".upload_id-{upload_id}.part-");
        let mut parts = Vec::new();
        let mut dir = tokio::fs::read_dir(&self.root).await.map_err(internal)?;
        while let Some(entry) = dir.next_entry().await.map_err(internal)? {
            let name = entry.file_name();
            let Some(number) = name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
                continue;
            };
            if let Ok(number) = number.parse::<i32>() {
                parts.push((number, entry.path()));
            }
        }
        parts.sort_unstable_by_key(|(n, _)| *n);
        Ok(parts)
    }

    /// Removes the upload's marker and any part files left (parts not named at completion).
    async fn forget_upload(&self, upload_id: &str) -> S3Result<()> {
        for (_, path) in self.part_files(upload_id).await? {
            let _ = tokio::fs::remove_file(etag_file(&path)).await;
            let _ = tokio::fs::remove_file(path).await;
        }
        let _ = tokio::fs::remove_file(self.marker(upload_id)?).await;
        Ok(())
    }
}

#[async_trait]
impl S3 for LocalS3 {
    async fn create_multipart_upload(
        &self,
        req: S3Request<CreateMultipartUploadInput>,
    ) -> S3Result<S3Response<CreateMultipartUploadOutput>> {
        let owner = format!("{}\n{}", req.input.bucket, req.input.key);
        let answer = self.fs.create_multipart_upload(req).await?;
        let upload_id = answer
            .output
            .upload_id
            .as_deref()
            .ok_or_else(|| s3_error!(InternalError, "no upload id"))?;
        tokio::fs::write(self.marker(upload_id)?, owner)
            .await
            .map_err(internal)?;
        Ok(answer)
    }

    /// s3s-fs's UploadPart, keeping the part's ETag beside it so that ListParts and
    /// CompleteMultipartUpload need not read the part again.
    async fn upload_part(
        &self,
        req: S3Request<UploadPartInput>,
    ) -> S3Result<S3Response<UploadPartOutput>> {
        let i = &req.input;
        self.check_upload(&i.bucket, &i.key, &i.upload_id).await?;
        let (upload_id, number) = (i.upload_id.clone(), i.part_number);
        let answer = self.fs.upload_part(req).await?;
        if let Some(etag) = &answer.output.e_tag {
            let part = self
                .part_files(&upload_id)
                .await?
                .into_iter()
                .find(|(n, _)| *n == number);
            if let Some((_, path)) = part {
                tokio::fs::write(etag_file(&path), etag.value())
                    .await
                    .map_err(internal)?;
            }
        }
        Ok(answer)
    }

    async fn upload_part_copy(
        &self,
        req: S3Request<UploadPartCopyInput>,
    ) -> S3Result<S3Response<UploadPartCopyOutput>> {
        let i = &req.input;
        self.check_upload(&i.bucket, &i.key, &i.upload_id).await?;
        self.fs.upload_part_copy(req).await
    }

    /// S3's ListParts: by part number, `max-parts` (≤ 1000) a page after
    /// `part-number-marker`, each part with its ETag.
    async fn list_parts(
        &self,
        req: S3Request<ListPartsInput>,
    ) -> S3Result<S3Response<ListPartsOutput>> {
        let i = req.input;
        self.check_upload(&i.bucket, &i.key, &i.upload_id).await?;
        let max_parts = i.max_parts.unwrap_or(1000).clamp(1, 1000);
        let after = i.part_number_marker.unwrap_or(0);
        let files: Vec<_> = self
            .part_files(&i.upload_id)
            .await?
            .into_iter()
            .filter(|(n, _)| *n > after)
            .collect();
        let truncated = files.len() > max_parts as usize;
        let mut parts = Vec::new();
        for (number, path) in files.into_iter().take(max_parts as usize) {
            let meta = tokio::fs::metadata(&path).await.map_err(internal)?;
            parts.push(Part {
                e_tag: Some(ETag::Strong(part_etag(&path).await.map_err(internal)?)),
                last_modified: meta.modified().ok().map(Timestamp::from),
                part_number: Some(number),
                size: Some(i64::try_from(meta.len()).map_err(|_| s3_error!(InternalError))?),
                ..Default::default()
            });
        }
        let output = ListPartsOutput {
            bucket: Some(i.bucket),
            key: Some(i.key),
            upload_id: Some(i.upload_id),
            max_parts: Some(max_parts),
            part_number_marker: Some(after),
            next_part_number_marker: parts.last().and_then(|p| p.part_number),
            is_truncated: Some(truncated),
            parts: Some(parts),
            ..Default::default()
        };
        Ok(S3Response::new(output))
    }

    /// S3's CompleteMultipartUpload: the parts in ascending order, each with the ETag of what
    /// was uploaded; parts not named are discarded.
    async fn complete_multipart_upload(
        &self,
        req: S3Request<CompleteMultipartUploadInput>,
    ) -> S3Result<S3Response<CompleteMultipartUploadOutput>> {
        let i = &req.input;
        self.check_upload(&i.bucket, &i.key, &i.upload_id).await?;
        let upload_id = i.upload_id.clone();
        let named = i
            .multipart_upload
            .as_ref()
            .and_then(|m| m.parts.as_ref())
            .cloned()
            .unwrap_or_default();
        let files = self.part_files(&upload_id).await?;
        let mut previous = 0;
        for part in &named {
            let number = part
                .part_number
                .ok_or_else(|| s3_error!(InvalidPart, "a part without a number"))?;
            if number <= previous {
                return Err(s3_error!(InvalidPartOrder));
            }
            previous = number;
            let Some((_, path)) = files.iter().find(|(n, _)| *n == number) else {
                return Err(s3_error!(InvalidPart, "part {number} was not uploaded"));
            };
            let stored = part_etag(path).await.map_err(internal)?;
            if part.e_tag.as_ref().map(ETag::value) != Some(stored.as_str()) {
                return Err(s3_error!(InvalidPart, "part {number}: ETag does not match"));
            }
        }
        let answer = self.fs.complete_multipart_upload(req).await?;
        self.forget_upload(&upload_id).await?;
        Ok(answer)
    }

    async fn abort_multipart_upload(
        &self,
        req: S3Request<AbortMultipartUploadInput>,
    ) -> S3Result<S3Response<AbortMultipartUploadOutput>> {
        let i = &req.input;
        self.check_upload(&i.bucket, &i.key, &i.upload_id).await?;
        let upload_id = i.upload_id.clone();
        let answer = self.fs.abort_multipart_upload(req).await?;
        self.forget_upload(&upload_id).await?;
        Ok(answer)
    }

    // The rest is s3s-fs's own.

    async fn create_bucket(
        &self,
        req: S3Request<CreateBucketInput>,
    ) -> S3Result<S3Response<CreateBucketOutput>> {
        self.fs.create_bucket(req).await
    }

    async fn delete_bucket(
        &self,
        req: S3Request<DeleteBucketInput>,
    ) -> S3Result<S3Response<DeleteBucketOutput>> {
        self.fs.delete_bucket(req).await
    }

    async fn head_bucket(
        &self,
        req: S3Request<HeadBucketInput>,
    ) -> S3Result<S3Response<HeadBucketOutput>> {
        self.fs.head_bucket(req).await
    }

    async fn get_bucket_location(
        &self,
        req: S3Request<GetBucketLocationInput>,
    ) -> S3Result<S3Response<GetBucketLocationOutput>> {
        self.fs.get_bucket_location(req).await
    }

    async fn list_buckets(
        &self,
        req: S3Request<ListBucketsInput>,
    ) -> S3Result<S3Response<ListBucketsOutput>> {
        self.fs.list_buckets(req).await
    }

    async fn list_objects(
        &self,
        req: S3Request<ListObjectsInput>,
    ) -> S3Result<S3Response<ListObjectsOutput>> {
        self.fs.list_objects(req).await
    }

    async fn list_objects_v2(
        &self,
        req: S3Request<ListObjectsV2Input>,
    ) -> S3Result<S3Response<ListObjectsV2Output>> {
        self.fs.list_objects_v2(req).await
    }

    async fn put_object(
        &self,
        req: S3Request<PutObjectInput>,
    ) -> S3Result<S3Response<PutObjectOutput>> {
        self.fs.put_object(req).await
    }

    async fn get_object(
        &self,
        req: S3Request<GetObjectInput>,
    ) -> S3Result<S3Response<GetObjectOutput>> {
        self.fs.get_object(req).await
    }

    async fn head_object(
        &self,
        req: S3Request<HeadObjectInput>,
    ) -> S3Result<S3Response<HeadObjectOutput>> {
        self.fs.head_object(req).await
    }

    async fn copy_object(
        &self,
        req: S3Request<CopyObjectInput>,
    ) -> S3Result<S3Response<CopyObjectOutput>> {
        self.fs.copy_object(req).await
    }

    async fn delete_object(
        &self,
        req: S3Request<DeleteObjectInput>,
    ) -> S3Result<S3Response<DeleteObjectOutput>> {
        self.fs.delete_object(req).await
    }

    async fn delete_objects(
        &self,
        req: S3Request<DeleteObjectsInput>,
    ) -> S3Result<S3Response<DeleteObjectsOutput>> {
        self.fs.delete_objects(req).await
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(pairs: &[(&str, &str)], store: &StoreChoice) -> Result<ObjectsConfig, ConfigError> {
        let env: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ObjectsConfig::from_env(|name| env.get(name).cloned(), store)
    }

    #[test]
    fn the_embedded_store_gets_the_embedded_endpoint() {
        let embedded = StoreChoice::Embedded(".data".into());
        assert_eq!(
            config(&[], &embedded).unwrap(),
            ObjectsConfig::Embedded(EmbeddedS3Config {
                addr: "127.0.0.1:8081".parse().unwrap(),
                public_url: None,
                access_key: "ovop-local".into(),
                secret_key: "ovop-local-secret".into(),
            })
        );
        let set = config(
            &[
                ("OVOP_S3_ADDR", "0.0.0.0:9000"),
                ("OVOP_S3_PUBLIC_URL", "https://s3.dev.test/"),
                ("OVOP_S3_ACCESS_KEY", "ak"),
                ("OVOP_S3_SECRET_KEY", "sk"),
            ],
            &embedded,
        )
        .unwrap();
        assert_eq!(
            set,
            ObjectsConfig::Embedded(EmbeddedS3Config {
                addr: "0.0.0.0:9000".parse().unwrap(),
                public_url: Some("https://s3.dev.test".into()),
                access_key: "ak".into(),
                secret_key: "sk".into(),
            })
        );
        assert!(config(&[("OVOP_S3_ADDR", "nowhere")], &embedded).is_err());
        assert!(config(&[("OVOP_S3_PUBLIC_URL", "localhost:8081")], &embedded).is_err());
        assert!(config(&[("OVOP_UPLOADS_BUCKET", "b")], &embedded).is_err());
    }

    #[test]
    fn a_real_table_needs_a_real_bucket() {
        let table = StoreChoice::DynamoDb {
            table: "ovop".into(),
        };
        assert!(config(&[], &table).is_err());
        assert!(config(&[("OVOP_UPLOADS_BUCKET", "ovop-uploads-prod")], &table).is_err());
        assert_eq!(
            config(
                &[
                    ("OVOP_UPLOADS_BUCKET", "ovop-uploads-prod"),
                    ("OVOP_PUBLIC_BUCKET", "ovop-public-prod")
                ],
                &table
            )
            .unwrap(),
            ObjectsConfig::S3 {
                uploads_bucket: "ovop-uploads-prod".into(),
                public_bucket: "ovop-public-prod".into()
            }
        );
    }
}
