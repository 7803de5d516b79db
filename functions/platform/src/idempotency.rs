//! One idempotency mechanism for every mutating endpoint.
//!
//! A client sends `Idempotency-Key` with a write. The key (per caller) maps to a fingerprint of
//! the request and the answer it got, written in the same transaction as the change itself. The
//! same key with the same request answers the same again — even after the resource has moved
//! on; the same key with another request is refused with 409. Records expire after
//! [`TTL_SECS`].

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use ovop_core::Text;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::http::etag;
use crate::problem::ApiError;
use crate::store::{Store, StoreError, Tx};

/// How long a key is remembered.
pub const TTL_SECS: i64 = 24 * 3600;

/// What a key was used for, and what it was answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdempotencyRecord {
    pub actor: String,
    pub key: String,
    /// SHA-256 of the request (method, route, caller's command), hex.
    pub fingerprint: String,
    pub status: u16,
    /// The `ETag` version sent with the answer, if any.
    pub version: Option<u64>,
    /// The answer's JSON body.
    pub body: String,
    /// Seconds since the epoch.
    pub expires_at: i64,
}

/// A JSON answer that can be stored and sent again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub status: StatusCode,
    /// Sent as `ETag`.
    pub version: Option<u64>,
    pub body: String,
}

impl Answer {
    /// `value` as JSON with `status`, and `version` as its `ETag`.
    pub fn json<T: Serialize>(
        status: StatusCode,
        version: Option<u64>,
        value: &T,
    ) -> Result<Self, ApiError> {
        Ok(Answer {
            status,
            version,
            body: serde_json::to_string(value).map_err(ApiError::internal)?,
        })
    }
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if let Some(v) = self.version {
            headers.insert(header::ETAG, etag(v));
        }
        response
    }
}

/// One write's idempotency: the caller's key (if sent) and the request's fingerprint.
#[derive(Clone, Debug)]
pub struct Idempotency {
    actor: String,
    key: Option<String>,
    fingerprint: String,
}

impl Idempotency {
    /// [`Idempotency::new`] with the `Idempotency-Key` the request may carry (a malformed one
    /// is a 400 naming the header).
    pub fn optional(
        actor: &str,
        headers: &axum::http::HeaderMap,
        route: &str,
        command: &impl Serialize,
    ) -> Result<Self, ApiError> {
        let key = crate::http::optional_idempotency_key(headers)?;
        Ok(Idempotency::new(actor, key, route, command))
    }

    /// For `actor`'s request `route` (e.g. `"POST /api/v1/nominations"`) carrying `command`.
    pub fn new(actor: &str, key: Option<String>, route: &str, command: &impl Serialize) -> Self {
        let mut hash = Sha256::new();
        hash.update(route.as_bytes());
        hash.update([0]);
        // A command that cannot be serialised still gets a distinct, stable fingerprint.
        match serde_json::to_vec(command) {
            Ok(bytes) => hash.update(&bytes),
            Err(e) => hash.update(e.to_string().as_bytes()),
        }
        Idempotency {
            actor: actor.to_owned(),
            key,
            fingerprint: hex(&hash.finalize()),
        }
    }

    /// The stored answer if this key was used before for this request; 409 if it was used for
    /// another; `None` when there is no key or it is unused.
    pub async fn replay(&self, store: &Store) -> Result<Option<Answer>, ApiError> {
        let Some(key) = &self.key else {
            return Ok(None);
        };
        let id = (self.actor.clone(), key.clone());
        let Some(record) = store.get::<IdempotencyRecord>(&id).await? else {
            return Ok(None);
        };
        if record.fingerprint != self.fingerprint {
            return Err(ApiError::Conflict {
                code: "idempotency_key_reused",
                message: Text::new(
                    "Idempotency-Key ini sudah dipakai untuk permintaan lain.",
                    "This Idempotency-Key was already used for a different request.",
                ),
            });
        }
        tracing::info!(actor = %self.actor, key, "idempotent replay");
        Ok(Some(Answer {
            status: StatusCode::from_u16(record.status).map_err(ApiError::internal)?,
            version: record.version,
            body: record.body,
        }))
    }

    /// Runs `work` once for this key: a retry answers the stored answer without running it;
    /// and when `work` is refused (409, 412, 404) because a twin request with the same key
    /// changed the state first — a double click, a client's retry racing the original — the
    /// twin's stored answer is given instead of the refusal.
    pub async fn once(
        &self,
        store: &Store,
        work: impl std::future::Future<Output = Result<Response, ApiError>>,
    ) -> Result<Response, ApiError> {
        if let Some(earlier) = self.replay(store).await? {
            return Ok(earlier.into_response());
        }
        match work.await {
            Err(
                refusal @ (ApiError::Conflict { .. }
                | ApiError::VersionMismatch { .. }
                | ApiError::NotFound),
            ) if self.key.is_some() => match self.replay(store).await? {
                Some(earlier) => Ok(earlier.into_response()),
                None => Err(refusal),
            },
            other => other,
        }
    }

    /// Commits `tx` together with the record of `answer` and answers it. If a twin request
    /// with the same key won the race, its answer is given instead; any other refusal goes
    /// through `refused`.
    pub async fn commit(
        &self,
        store: &Store,
        mut tx: Tx,
        answer: Answer,
        now: DateTime<Utc>,
        refused: impl FnOnce(StoreError) -> ApiError,
    ) -> Result<Answer, ApiError> {
        if let Some(key) = &self.key {
            tx.create(&IdempotencyRecord {
                actor: self.actor.clone(),
                key: key.clone(),
                fingerprint: self.fingerprint.clone(),
                status: answer.status.as_u16(),
                version: answer.version,
                body: answer.body.clone(),
                expires_at: now.timestamp() + TTL_SECS,
            })?;
        }
        match store.commit(tx).await {
            Ok(()) => Ok(answer),
            Err(e @ StoreError::ConditionFailed { .. }) => match self.replay(store).await? {
                Some(earlier) => Ok(earlier),
                None => Err(refused(e)),
            },
            Err(e) => Err(refused(e)),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
