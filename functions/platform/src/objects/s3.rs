//! The [`ObjectStore`] adapter on `aws-sdk-s3`: one bucket, two clients.
//!
//! - the **call** client makes the server's own requests (Create/List/Complete/Abort, Head,
//!   Get, Put, Delete, DeleteObjects);
//! - the **presigning** client signs the requests the browser sends. The host it signs is part
//!   of the signature, so its endpoint must be exactly the one the browser uses: in production
//!   both are S3's regional endpoint; locally the call client may talk to `127.0.0.1:8081`
//!   while the browser uses `http://localhost:8081` ([`S3Objects::with_presigning_client`]).
//!
//! With an endpoint override (`AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`, or in code) requests
//! are path-style (`http://host/bucket/key`): S3 stand-ins have no per-bucket host names, and
//! the SDK has no environment variable for it ([`S3Objects::config_from`]).

use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    CompletedMultipartUpload, CompletedPart as S3CompletedPart, Delete, ObjectIdentifier,
};
use aws_sdk_s3::Client;
use bytes::{Bytes, BytesMut};
use chrono::{DateTime, Utc};

use super::{
    check_expiry, check_part_number, ChunkSource, CompletedPart, Disposition, ObjectError,
    ObjectInfo, ObjectReader, ObjectStore, Part, PresignedRequest, MAX_DELETE_BATCH,
};

/// ListParts' own page size (and largest).
const LIST_PARTS_PAGE: i32 = 1000;

/// The object store of one S3 bucket.
#[derive(Clone, Debug)]
pub struct S3Objects {
    client: Client,
    presigner: Client,
    bucket: String,
    list_parts_page: i32,
}

impl S3Objects {
    /// The store of `bucket` through `client`, which also signs the browser's requests.
    pub fn new(client: Client, bucket: impl Into<String>) -> Self {
        S3Objects {
            presigner: client.clone(),
            client,
            bucket: bucket.into(),
            list_parts_page: LIST_PARTS_PAGE,
        }
    }

    /// The store of `bucket` with the SDK's standard environment ([`S3Objects::client_from_env`]).
    pub async fn from_env(bucket: impl Into<String>) -> Self {
        Self::new(Self::client_from_env().await, bucket)
    }

    /// Signs the browser's requests with `presigner` (configured with the endpoint the browser
    /// uses) instead of the call client.
    pub fn with_presigning_client(mut self, presigner: Client) -> Self {
        self.presigner = presigner;
        self
    }

    /// Asks ListParts for at most `parts` parts a page (tests: prove every page is read).
    pub fn with_list_parts_page_size(mut self, parts: u32) -> Self {
        self.list_parts_page =
            i32::try_from(parts.clamp(1, LIST_PARTS_PAGE as u32)).unwrap_or(LIST_PARTS_PAGE);
        self
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The call client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// A client from the SDK's standard environment (region, credentials,
    /// `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`), path-style when an endpoint is overridden.
    pub async fn client_from_env() -> Client {
        let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        Client::from_conf(Self::config_from(&sdk, |name| std::env::var(name).ok()))
    }

    /// The S3 configuration of `sdk`, path-style when `sdk` or the environment (`var`) names
    /// an endpoint: `AWS_ENDPOINT_URL_S3` is read by the S3 client itself, not kept in `sdk`.
    pub fn config_from(
        sdk: &aws_config::SdkConfig,
        var: impl Fn(&str) -> Option<String>,
    ) -> aws_sdk_s3::Config {
        let set = |name: &str| var(name).is_some_and(|v| !v.trim().is_empty());
        let ignored = var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        let overridden = sdk.endpoint_url().is_some()
            || (!ignored && (set("AWS_ENDPOINT_URL_S3") || set("AWS_ENDPOINT_URL")));
        aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(overridden)
            .build()
    }

    fn presigning(expires_in: Duration) -> Result<PresigningConfig, ObjectError> {
        check_expiry(expires_in)?;
        PresigningConfig::builder()
            .start_time(SystemTime::now())
            .expires_in(expires_in)
            .build()
            .map_err(|e| ObjectError::Invalid(e.to_string()))
    }

    fn what(&self, op: &str, key: &str) -> String {
        format!("{op} s3://{}/{key}", self.bucket)
    }
}

fn presigned(
    request: aws_sdk_s3::presigning::PresignedRequest,
    config: &PresigningConfig,
) -> PresignedRequest {
    PresignedRequest {
        method: request.method().to_owned(),
        url: request.uri().to_owned(),
        headers: request
            .headers()
            .map(|(name, value)| (name.to_ascii_lowercase(), value.to_owned()))
            .collect(),
        expires_at: DateTime::<Utc>::from(config.start_time() + config.expires()),
    }
}

/// Maps an SDK failure: missing objects and uploads, refused conditions and parts, the rest a
/// backend failure with `context`.
fn failed<E>(
    context: String,
    err: SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
) -> ObjectError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let status = err.raw_response().map(|r| r.status().as_u16());
    match (err.code(), status) {
        (Some("NoSuchKey" | "NoSuchUpload" | "NotFound"), _) | (None, Some(404)) => {
            ObjectError::NotFound(context)
        }
        (
            Some(
                code @ ("PreconditionFailed" | "InvalidPart" | "InvalidPartOrder"
                | "EntityTooSmall" | "InvalidRange"),
            ),
            _,
        ) => ObjectError::Precondition(format!("{context}: {code}")),
        (None, Some(412)) => ObjectError::Precondition(context),
        _ => ObjectError::backend(context, DisplayErrorContext(err).to_string()),
    }
}

fn size(context: &str, length: Option<i64>) -> Result<u64, ObjectError> {
    length
        .and_then(|l| u64::try_from(l).ok())
        .ok_or_else(|| ObjectError::backend(context, "no content length in the answer"))
}

struct Body {
    stream: ByteStream,
    context: String,
}

#[async_trait]
impl ChunkSource for Body {
    async fn next_chunk(&mut self) -> Result<Option<Bytes>, ObjectError> {
        self.stream
            .try_next()
            .await
            .map_err(|e| ObjectError::backend(self.context.clone(), e))
    }
}

#[async_trait]
impl ObjectStore for S3Objects {
    async fn presign_put(
        &self,
        key: &str,
        content_type: &str,
        content_length: u64,
        expires_in: Duration,
    ) -> Result<PresignedRequest, ObjectError> {
        let config = Self::presigning(expires_in)?;
        let length = i64::try_from(content_length)
            .map_err(|_| ObjectError::Invalid(format!("{content_length} bytes")))?;
        let request = self
            .presigner
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .content_length(length)
            .presigned(config.clone())
            .await
            .map_err(|e| failed(self.what("presign PUT", key), e))?;
        Ok(presigned(request, &config))
    }

    async fn create_multipart(&self, key: &str, content_type: &str) -> Result<String, ObjectError> {
        let context = self.what("CreateMultipartUpload", key);
        let out = self
            .client
            .create_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .send()
            .await
            .map_err(|e| failed(context.clone(), e))?;
        out.upload_id
            .ok_or_else(|| ObjectError::backend(context, "no upload id in the answer"))
    }

    async fn presign_upload_part(
        &self,
        key: &str,
        upload_id: &str,
        part_number: u32,
        content_length: Option<u64>,
        expires_in: Duration,
    ) -> Result<PresignedRequest, ObjectError> {
        check_part_number(part_number)?;
        let config = Self::presigning(expires_in)?;
        let length = content_length
            .map(|l| i64::try_from(l).map_err(|_| ObjectError::Invalid(format!("{l} bytes"))))
            .transpose()?;
        let request = self
            .presigner
            .upload_part()
            .bucket(&self.bucket)
            .key(key)
            .upload_id(upload_id)
            .part_number(part_number as i32)
            .set_content_length(length)
            .presigned(config.clone())
            .await
            .map_err(|e| failed(self.what("presign UploadPart", key), e))?;
        Ok(presigned(request, &config))
    }

    async fn list_parts(&self, key: &str, upload_id: &str) -> Result<Vec<Part>, ObjectError> {
        let context = self.what("ListParts", key);
        let mut parts = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .client
                .list_parts()
                .bucket(&self.bucket)
                .key(key)
                .upload_id(upload_id)
                .max_parts(self.list_parts_page)
                .set_part_number_marker(marker.take())
                .send()
                .await
                .map_err(|e| failed(context.clone(), e))?;
            for part in page.parts() {
                let number = part
                    .part_number()
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| ObjectError::backend(&*context, "a part without a number"))?;
                parts.push(Part {
                    number,
                    size: size(&context, part.size())?,
                    etag: part
                        .e_tag()
                        .ok_or_else(|| ObjectError::backend(&*context, "a part without an ETag"))?
                        .to_owned(),
                });
            }
            if !page.is_truncated().unwrap_or(false) {
                break;
            }
            match page.next_part_number_marker() {
                Some(next) if !next.is_empty() => marker = Some(next.to_owned()),
                _ => {
                    return Err(ObjectError::backend(
                        context,
                        "a truncated page without a next part number marker",
                    ))
                }
            }
        }
        parts.sort_by_key(|p| p.number);
        parts.dedup_by_key(|p| p.number);
        Ok(parts)
    }

    async fn complete_multipart(
        &self,
        key: &str,
        upload_id: &str,
        parts: &[CompletedPart],
    ) -> Result<String, ObjectError> {
        if parts.is_empty() {
            return Err(ObjectError::Invalid("no parts to complete".into()));
        }
        let mut completed = Vec::with_capacity(parts.len());
        for part in parts {
            check_part_number(part.number)?;
            completed.push(
                S3CompletedPart::builder()
                    .part_number(part.number as i32)
                    .e_tag(&part.etag)
                    .build(),
            );
        }
        let context = self.what("CompleteMultipartUpload", key);
        let out = self
            .client
            .complete_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .upload_id(upload_id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(completed))
                    .build(),
            )
            .send()
            .await
            .map_err(|e| failed(context.clone(), e))?;
        out.e_tag
            .ok_or_else(|| ObjectError::backend(context, "no ETag in the answer"))
    }

    async fn abort_multipart(&self, key: &str, upload_id: &str) -> Result<(), ObjectError> {
        self.client
            .abort_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .upload_id(upload_id)
            .send()
            .await
            .map_err(|e| failed(self.what("AbortMultipartUpload", key), e))?;
        Ok(())
    }

    async fn head(&self, key: &str) -> Result<ObjectInfo, ObjectError> {
        let context = self.what("HeadObject", key);
        let out = self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| failed(context.clone(), e))?;
        Ok(ObjectInfo {
            size: size(&context, out.content_length())?,
            content_type: out.content_type().map(str::to_owned),
            etag: out.e_tag().unwrap_or_default().to_owned(),
        })
    }

    async fn read_prefix(&self, key: &str, n: u64) -> Result<Bytes, ObjectError> {
        if n == 0 {
            self.head(key).await?;
            return Ok(Bytes::new());
        }
        let context = self.what("GetObject (range)", key);
        let out = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .range(format!("bytes=0-{}", n - 1))
            .send()
            .await
        {
            Ok(out) => out,
            // An empty object has no byte 0.
            Err(e) if e.code() == Some("InvalidRange") => return Ok(Bytes::new()),
            Err(e) => return Err(failed(context, e)),
        };
        let mut body = Body {
            stream: out.body,
            context,
        };
        let limit = usize::try_from(n).unwrap_or(usize::MAX);
        let mut prefix = BytesMut::new();
        // A store that ignored the range sends everything: stop at `n`.
        while prefix.len() < limit {
            let Some(chunk) = body.next_chunk().await? else {
                break;
            };
            let take = chunk.len().min(limit - prefix.len());
            prefix.extend_from_slice(&chunk[..take]);
        }
        Ok(prefix.freeze())
    }

    async fn open(&self, key: &str) -> Result<ObjectReader, ObjectError> {
        let context = self.what("GetObject", key);
        let out = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| failed(context.clone(), e))?;
        let info = ObjectInfo {
            size: size(&context, out.content_length())?,
            content_type: out.content_type().map(str::to_owned),
            etag: out.e_tag().unwrap_or_default().to_owned(),
        };
        Ok(ObjectReader::new(
            info,
            Box::new(Body {
                stream: out.body,
                context,
            }),
        ))
    }

    async fn put(&self, key: &str, body: Bytes, content_type: &str) -> Result<String, ObjectError> {
        let context = self.what("PutObject", key);
        let length = body.len() as i64;
        let out = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .content_length(length)
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(|e| failed(context.clone(), e))?;
        Ok(out.e_tag.unwrap_or_default())
    }

    async fn delete(&self, key: &str) -> Result<(), ObjectError> {
        match self
            .client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) => match failed(self.what("DeleteObject", key), e) {
                ObjectError::NotFound(_) => Ok(()),
                other => Err(other),
            },
        }
    }

    async fn delete_all(&self, keys: &[String]) -> Result<(), ObjectError> {
        for batch in keys.chunks(MAX_DELETE_BATCH) {
            let context = self.what(
                "DeleteObjects",
                &format!("{} (and {} more)", batch[0], batch.len() - 1),
            );
            let objects = batch
                .iter()
                .map(|key| ObjectIdentifier::builder().key(key).build())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| ObjectError::Invalid(e.to_string()))?;
            let delete = Delete::builder()
                .set_objects(Some(objects))
                .quiet(true)
                .build()
                .map_err(|e| ObjectError::Invalid(e.to_string()))?;
            let out = self
                .client
                .delete_objects()
                .bucket(&self.bucket)
                .delete(delete)
                .send()
                .await
                .map_err(|e| failed(context.clone(), e))?;
            // A key S3 could not delete is reported in the answer, not as a failed request.
            if let Some(e) = out.errors().first() {
                return Err(ObjectError::backend(
                    context,
                    format!(
                        "{} of {} keys not deleted, {}: {} {}",
                        out.errors().len(),
                        batch.len(),
                        e.key().unwrap_or_default(),
                        e.code().unwrap_or_default(),
                        e.message().unwrap_or_default()
                    ),
                ));
            }
        }
        Ok(())
    }

    async fn presign_get(
        &self,
        key: &str,
        disposition: &Disposition,
        expires_in: Duration,
    ) -> Result<PresignedRequest, ObjectError> {
        let config = Self::presigning(expires_in)?;
        let request = self
            .presigner
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .response_content_disposition(disposition.header_value())
            .presigned(config.clone())
            .await
            .map_err(|e| failed(self.what("presign GET", key), e))?;
        Ok(presigned(request, &config))
    }
}
