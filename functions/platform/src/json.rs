//! A JSON body extractor whose errors name the field, as problem+json.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use ovop_core::Text;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::problem::ApiError;

/// Largest request body the API reads.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Bytes reserved up front for a JSON answer: a nomination fits, so it is written without the
/// grow-and-copy steps of `axum::Json` (which starts at 128 bytes).
const ANSWER_BYTES: usize = 2048;

/// Like `axum::Json` as an answer, with its buffer sized for a nomination at once.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonAnswer<T>(pub T);

impl<T: Serialize> IntoResponse for JsonAnswer<T> {
    fn into_response(self) -> Response {
        let mut body = Vec::with_capacity(ANSWER_BYTES);
        match serde_json::to_writer(&mut body, &self.0) {
            Ok(()) => (
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                )],
                body,
            )
                .into_response(),
            Err(e) => ApiError::Internal(Box::new(e)).into_response(),
        }
    }
}

/// Like `axum::Json`, but rejections are [`ApiError`]s naming the offending field.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim();
                mime == "application/json" || mime.ends_with("+json")
            });
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::BadRequest {
                    field: "body".into(),
                    message: Text::new(
                        "Isi permintaan tidak terbaca.",
                        "The body could not be read.",
                    ),
                }
            }
        })?;
        parse(&bytes).map(ApiJson)
    }
}

/// Parses a JSON body; syntax errors are 400 on `body`, type errors 422 on the field's path.
///
/// A valid body is parsed once, without path tracking; only a rejected one is parsed again to
/// learn which field it was.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).or_else(|_| parse_for_the_field(bytes))
}

fn malformed(inner: &serde_json::Error) -> ApiError {
    ApiError::BadRequest {
        field: "body".into(),
        message: Text::new(
            format!("JSON tidak valid: {inner}"),
            format!("Malformed JSON: {inner}"),
        ),
    }
}

fn parse_for_the_field<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let field = if path == "." { "body".to_owned() } else { path };
                ApiError::field(
                    &field,
                    Text::new(
                        format!("Nilai tidak sesuai: {inner}"),
                        format!("Invalid value: {inner}"),
                    ),
                )
            }
            _ => malformed(inner),
        }
    })?;
    // Anything after the value (only whitespace may follow) makes the body malformed.
    de.end().map_err(|e| malformed(&e))?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Form {
        ikm: Inner,
    }
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Inner {
        workers: u32,
    }

    #[test]
    fn type_errors_name_the_field_path() {
        let err = parse::<Form>(br#"{"ikm":{"workers":"banyak"}}"#).unwrap_err();
        let problem = err.to_problem(ovop_core::Lang::En);
        assert_eq!(problem.status, 422);
        assert!(problem.errors.contains_key("ikm.workers"), "{problem:?}");
    }

    #[test]
    fn a_valid_body_parses() {
        let form = parse::<Form>(b" {\"ikm\":{\"workers\":7}} ").unwrap();
        assert_eq!(form.ikm.workers, 7);
    }

    #[test]
    fn text_after_the_json_value_is_a_400_on_the_body() {
        let err = parse::<Form>(br#"{"ikm":{"workers":7}} {"#).unwrap_err();
        let problem = err.to_problem(ovop_core::Lang::En);
        assert_eq!(problem.status, 400);
        assert!(problem.errors["body"].starts_with("Malformed JSON"));
    }

    #[test]
    fn malformed_json_is_a_400_on_the_body() {
        let err = parse::<Form>(b"{\"ikm\": ").unwrap_err();
        let problem = err.to_problem(ovop_core::Lang::Id);
        assert_eq!(problem.status, 400);
        assert!(problem.errors["body"].starts_with("JSON tidak valid"));
    }

    #[tokio::test]
    async fn an_answer_is_json_with_its_content_type() {
        let answer = JsonAnswer(serde_json::json!({ "ikm": { "workers": 7 } })).into_response();
        assert_eq!(answer.status(), StatusCode::OK);
        assert_eq!(answer.headers()[header::CONTENT_TYPE], "application/json");
        let body = axum::body::to_bytes(answer.into_body(), MAX_BODY_BYTES)
            .await
            .unwrap();
        let form = parse::<Form>(&body).unwrap();
        assert_eq!(form.ikm.workers, 7);
    }
}
