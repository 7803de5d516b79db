//! API errors rendered as `application/problem+json` (RFC 9457), in the caller's language.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use ovop_core::errors::Problem;
use ovop_core::{FieldErrors, Lang, Text};

tokio::task_local! {
    /// The language of the request being served (set by [`crate::http::api`]'s layer).
    pub static REQUEST_LANG: Lang;
}

/// Everything a handler can answer besides success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 422: fields are missing or wrong.
    #[error("validation failed: {0:?}")]
    Validation(FieldErrors),
    /// 400: the request cannot be read (malformed JSON, bad header).
    #[error("bad request: {}", .message.en)]
    BadRequest { field: String, message: Text },
    /// 401: no valid credentials.
    #[error("unauthenticated: {}", .0.en)]
    Unauthenticated(Text),
    /// 403: authenticated but not allowed.
    #[error("forbidden")]
    Forbidden,
    /// 404: does not exist, or the caller may not know it exists.
    #[error("not found")]
    NotFound,
    /// 409: the state does not allow it.
    #[error("conflict ({code}): {}", .message.en)]
    Conflict { code: &'static str, message: Text },
    /// 412: `If-Match` names an old version.
    #[error("precondition failed: current version {current}")]
    VersionMismatch { current: u64 },
    /// 428: a header that makes the write safe is missing.
    #[error("precondition required: {header}")]
    PreconditionRequired { header: &'static str },
    /// 413.
    #[error("payload too large")]
    PayloadTooLarge,
    /// 415.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// 405: the path exists, the method does not (the answer keeps the router's `Allow`).
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 408: the client did not send its request in time.
    #[error("request timeout")]
    RequestTimeout,
    /// Any other 4xx/5xx the web framework or the HTTP server made on its own (see
    /// [`ApiError::for_status`]); the problem is a generic one for the status.
    #[error("refused by the framework: {0}")]
    Refused(StatusCode),
    /// 500: our fault; the cause is logged, not shown.
    #[error("internal error: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    /// A 500 that keeps its cause for the log.
    pub fn internal(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        ApiError::Internal(Box::new(e))
    }

    /// A 422 on one field.
    pub fn field(field: &str, message: Text) -> Self {
        ApiError::Validation(FieldErrors::single(field, message))
    }

    /// The problem for a status answered without one (a refusal of the web framework).
    pub fn for_status(status: StatusCode) -> Self {
        match status {
            StatusCode::NOT_FOUND => ApiError::NotFound,
            StatusCode::FORBIDDEN => ApiError::Forbidden,
            StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed,
            StatusCode::REQUEST_TIMEOUT => ApiError::RequestTimeout,
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType,
            other => ApiError::Refused(other),
        }
    }

    fn parts(&self) -> (StatusCode, &'static str, Text, Text) {
        use ApiError as E;
        match self {
            E::Validation(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
                Text::new("Data belum benar", "Invalid data"),
                Text::new(
                    "Periksa isian yang ditandai.",
                    "Please correct the fields marked.",
                ),
            ),
            E::BadRequest { message, .. } => (
                StatusCode::BAD_REQUEST,
                "bad_request",
                Text::new("Permintaan tidak dapat dibaca", "Malformed request"),
                message.clone(),
            ),
            E::Unauthenticated(message) => (
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                Text::new("Perlu masuk", "Sign-in required"),
                message.clone(),
            ),
            E::Forbidden => (
                StatusCode::FORBIDDEN,
                "forbidden",
                Text::new("Akses ditolak", "Forbidden"),
                Text::new(
                    "Akun Anda tidak berwenang untuk tindakan ini.",
                    "Your account may not do this.",
                ),
            ),
            E::NotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                Text::new("Tidak ditemukan", "Not found"),
                Text::new(
                    "Data yang diminta tidak ada atau tidak dapat Anda akses.",
                    "What you asked for does not exist or is not visible to you.",
                ),
            ),
            E::Conflict { code, message } => (
                StatusCode::CONFLICT,
                code,
                Text::new("Tidak dapat diproses", "Conflict"),
                message.clone(),
            ),
            E::VersionMismatch { current } => (
                StatusCode::PRECONDITION_FAILED,
                "version_conflict",
                Text::new("Data sudah berubah", "Changed meanwhile"),
                Text::new(
                    format!(
                        "Data ini sudah diubah orang lain (versi {current}). Muat ulang lalu ulangi."
                    ),
                    format!(
                        "Someone changed this meanwhile (version {current}). Reload and try again."
                    ),
                ),
            ),
            E::PreconditionRequired { header } => (
                StatusCode::PRECONDITION_REQUIRED,
                "precondition_required",
                Text::new("Header wajib tidak ada", "Header required"),
                Text::new(
                    format!("Sertakan header {header}."),
                    format!("Send the {header} header."),
                ),
            ),
            E::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                Text::new("Data terlalu besar", "Payload too large"),
                Text::new(
                    "Isi permintaan melebihi 256 KiB.",
                    "The request body exceeds 256 KiB.",
                ),
            ),
            E::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                Text::new("Format tidak didukung", "Unsupported media type"),
                Text::new(
                    "Kirim data sebagai application/json.",
                    "Send the body as application/json.",
                ),
            ),
            E::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                Text::new("Metode tidak diizinkan", "Method not allowed"),
                Text::new(
                    "Alamat ini tidak menerima metode HTTP tersebut; lihat header Allow.",
                    "This address does not accept that HTTP method; see the Allow header.",
                ),
            ),
            E::RequestTimeout => (
                StatusCode::REQUEST_TIMEOUT,
                "request_timeout",
                Text::new("Waktu habis", "Request timeout"),
                Text::new(
                    "Permintaan tidak terkirim lengkap tepat waktu. Silakan coba lagi.",
                    "The request was not sent completely in time. Please try again.",
                ),
            ),
            E::Refused(status) if status.is_server_error() => (
                *status,
                "internal",
                Text::new("Kesalahan sistem", "Internal error"),
                Text::new(
                    "Terjadi kesalahan pada sistem. Silakan coba lagi.",
                    "Something went wrong on our side. Please try again.",
                ),
            ),
            E::Refused(status) if *status == StatusCode::BAD_REQUEST => (
                *status,
                "bad_request",
                Text::new("Permintaan tidak dapat dibaca", "Malformed request"),
                Text::new(
                    "Periksa alamat, parameter, header, dan isi permintaan.",
                    "Check the request's address, parameters, headers and body.",
                ),
            ),
            E::Refused(status) => (
                *status,
                "request_refused",
                Text::new("Permintaan ditolak", "Request refused"),
                Text::new(
                    "Permintaan ini tidak dapat diproses.",
                    "This request cannot be processed.",
                ),
            ),
            E::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                Text::new("Kesalahan sistem", "Internal error"),
                Text::new(
                    "Terjadi kesalahan pada sistem. Silakan coba lagi.",
                    "Something went wrong on our side. Please try again.",
                ),
            ),
        }
    }

    /// The problem body in `lang`.
    pub fn to_problem(&self, lang: Lang) -> Problem {
        let (status, code, title, detail) = self.parts();
        let errors = match self {
            ApiError::Validation(fields) => fields.localized(lang),
            ApiError::BadRequest { field, message } => {
                std::iter::once((field.clone(), message.get(lang).to_owned())).collect()
            }
            _ => Default::default(),
        };
        Problem {
            kind: format!("https://ovop.kemenperin.go.id/problems/{code}"),
            title: title.get(lang).to_owned(),
            status: status.as_u16(),
            detail: detail.get(lang).to_owned(),
            code: code.to_owned(),
            lang: lang.code().to_owned(),
            errors,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Internal(cause) => tracing::error!(error = %cause, ?cause, "internal error"),
            ApiError::Refused(status) if status.is_server_error() => {
                tracing::error!(%status, "the framework answered an error")
            }
            other => tracing::info!(problem = %other, "request refused"),
        }
        let lang = REQUEST_LANG.try_with(|l| *l).unwrap_or_default();
        let problem = self.to_problem(lang);
        let status =
            StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (
            status,
            [
                (header::CONTENT_TYPE, "application/problem+json"),
                (header::CONTENT_LANGUAGE, lang.code()),
            ],
            body,
        )
            .into_response();
        if let ApiError::VersionMismatch { current } = self {
            if let Ok(v) = format!("\"{current}\"").parse() {
                response.headers_mut().insert(header::ETAG, v);
            }
        }
        response
    }
}

/// Turns the one authorization decision into an answer: `Hide` is 404 so that existence does
/// not leak, `Forbid` is 403.
pub fn require(decision: ovop_core::authz::Decision) -> Result<(), ApiError> {
    use ovop_core::authz::Decision;
    match decision {
        Decision::Allow => Ok(()),
        Decision::Forbid => Err(ApiError::Forbidden),
        Decision::Hide => Err(ApiError::NotFound),
    }
}

impl From<crate::store::StoreError> for ApiError {
    /// A refused condition the handler did not map itself: a version check that failed is a
    /// stale write (412), or a vanished item (404); an item that already exists is a conflict.
    fn from(e: crate::store::StoreError) -> Self {
        use crate::store::{Condition, LimitExceeded, StoreError as S};
        match e {
            S::ConditionFailed {
                condition: Condition::Version(_),
                current: Some(current),
                ..
            } => ApiError::VersionMismatch { current },
            S::ConditionFailed {
                condition: Condition::Version(_) | Condition::Present,
                current: None,
                ..
            } => ApiError::NotFound,
            S::ConditionFailed { .. } => ApiError::Conflict {
                code: "already_exists",
                message: Text::new("Data ini sudah ada.", "This already exists."),
            },
            S::Limit(
                LimitExceeded::ItemTooLarge { .. } | LimitExceeded::TransactionTooLarge(_),
            ) => ApiError::PayloadTooLarge,
            other @ (S::Limit(_) | S::Backend { .. }) => ApiError::internal(other),
        }
    }
}
