//! A JSON body extractor whose errors name the field, as problem+json.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use ovop_core::Text;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::problem::ApiError;
use crate::wording::explain;

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
///
/// The `Content-Type` must be `application/json` (parameters allowed; a charset, if given, must
/// be UTF-8), else 415. The body must be a JSON object (else 422 on `body`), the documented
/// shape of every request the API takes.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else if timed_out(&rejection) {
                ApiError::RequestTimeout
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

/// Whether the one `Content-Type` is `application/json`, with a UTF-8 charset if it names one.
///
/// The value is parsed as RFC 9110's `media-type`: type and subtype compared without case,
/// optional whitespace around `;`, parameters as tokens or quoted strings (`charset="UTF-8"`).
pub fn is_json(headers: &HeaderMap) -> bool {
    let mut values = headers.get_all(header::CONTENT_TYPE).iter();
    match (values.next(), values.next()) {
        (Some(value), None) => {
            value.as_bytes() == b"application/json" || is_json_media_type(value.as_bytes())
        }
        _ => false,
    }
}

fn is_json_media_type(value: &[u8]) -> bool {
    let Ok(value) = std::str::from_utf8(value) else {
        return false;
    };
    let ows = [' ', '\t'];
    let end = value.find(';').unwrap_or(value.len());
    let Some((kind, subtype)) = value[..end].trim_matches(ows).split_once('/') else {
        return false;
    };
    if !kind.eq_ignore_ascii_case("application") || !subtype.eq_ignore_ascii_case("json") {
        return false;
    }
    let mut rest = &value[end..];
    loop {
        rest = rest.trim_start_matches(ows);
        let Some(after) = rest.strip_prefix(';') else {
            return rest.is_empty();
        };
        rest = after.trim_start_matches(ows);
        if rest.is_empty() || rest.starts_with(';') {
            continue;
        }
        let Some((name, after)) = rest.split_once('=') else {
            return false;
        };
        if !is_token(name) {
            return false;
        }
        let (value, after) = match parameter_value(after) {
            Some(parsed) => parsed,
            None => return false,
        };
        if name.eq_ignore_ascii_case("charset") && !value.eq_ignore_ascii_case("utf-8") {
            return false;
        }
        rest = after;
    }
}

/// A parameter's value (a token or a quoted string, unescaped) and the text after it.
fn parameter_value(s: &str) -> Option<(String, &str)> {
    let Some(quoted) = s.strip_prefix('"') else {
        let end = s.find([';', ' ', '\t']).unwrap_or(s.len());
        return is_token(&s[..end]).then(|| (s[..end].to_owned(), &s[end..]));
    };
    let mut value = String::new();
    let mut chars = quoted.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((value, &quoted[i + 1..])),
            '\\' => value.push(chars.next()?.1),
            c => value.push(c),
        }
    }
    None
}

/// An RFC 9110 token: one or more of the visible characters that are not delimiters.
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Whether reading the body failed because the server's body deadline passed (an
/// [`std::io::ErrorKind::TimedOut`] somewhere in the error's causes).
fn timed_out(rejection: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(rejection);
    while let Some(error) = cause {
        if error
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::TimedOut)
        {
            return true;
        }
        cause = error.source();
    }
    false
}

/// Parses a JSON body: it must be an object; syntax errors are 400 on `body`, type errors 422
/// on the field's path, in words that never name a Rust type.
///
/// A valid body is parsed once, without path tracking; only a rejected one is parsed again to
/// learn which field it was.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return Err(not_an_object(bytes));
    }
    serde_json::from_slice(bytes).or_else(|_| parse_for_the_field(bytes))
}

/// A body that is not an object: malformed (400), or well-formed JSON of another kind (422).
fn not_an_object(bytes: &[u8]) -> ApiError {
    if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
        return malformed(&e);
    }
    ApiError::field(
        "body",
        Text::new(
            "Isi permintaan harus berupa objek JSON { … }, bukan daftar, teks, atau angka.",
            "The body must be a JSON object { … }, not an array, a string or a number.",
        ),
    )
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

/// serde_json's message without its " at line L column C" suffix.
fn message_of(inner: &serde_json::Error) -> String {
    let message = inner.to_string();
    let position = format!(" at line {} column {}", inner.line(), inner.column());
    match message.strip_suffix(&position) {
        Some(bare) => bare.to_owned(),
        None => message,
    }
}

fn parse_for_the_field<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let inner = e.inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let explained = explain(&message_of(inner));
                ApiError::field(
                    &explained.field_path(&e.path().to_string(), "body"),
                    explained.message,
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

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Strict {
        user_id: String,
        ikm: Option<StrictInner>,
    }
    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct StrictInner {
        workers: u32,
    }

    /// Words that would give a Rust type away.
    fn assert_no_rust(problem: &ovop_core::errors::Problem) {
        let texts = std::iter::once(&problem.detail).chain(problem.errors.values());
        for text in texts {
            for word in [
                "struct", "enum ", "u32", "Option", "Inner", "Strict", "Form",
            ] {
                assert!(!text.contains(word), "{word} in {problem:?}");
            }
        }
    }

    #[test]
    fn wrong_types_are_told_in_words_without_rust_type_names() {
        for lang in [ovop_core::Lang::Id, ovop_core::Lang::En] {
            let err = parse::<Form>(br#"{"ikm":{"workers":"banyak"}}"#).unwrap_err();
            let problem = err.to_problem(lang);
            assert_no_rust(&problem);
            let expected = match lang {
                ovop_core::Lang::Id => "Harus berupa bilangan bulat.",
                ovop_core::Lang::En => "Must be a whole number.",
            };
            assert_eq!(problem.errors["ikm.workers"], expected);
        }
        for body in [
            &br#"{"ikm":"x"}"#[..],
            br#"{"ikm":{"workers":-1}}"#,
            br#"{"ikm":{"workers":1.5}}"#,
            br#"{"ikm":{"workers":null}}"#,
        ] {
            let problem = parse::<Form>(body)
                .unwrap_err()
                .to_problem(ovop_core::Lang::En);
            assert_eq!(problem.status, 422);
            assert_no_rust(&problem);
        }
    }

    #[test]
    fn a_body_that_is_not_an_object_is_a_422_on_the_body() {
        for body in [&b"[]"[..], b" [1, 2]", b"\"text\"", b"42", b"null", b"true"] {
            let problem = parse::<Form>(body)
                .unwrap_err()
                .to_problem(ovop_core::Lang::En);
            assert_eq!(problem.status, 422, "{body:?}");
            assert!(
                problem.errors["body"].contains("JSON object"),
                "{problem:?}"
            );
        }
        let problem = parse::<Form>(b"[1,")
            .unwrap_err()
            .to_problem(ovop_core::Lang::En);
        assert_eq!(problem.status, 400);
        let problem = parse::<Form>(b"")
            .unwrap_err()
            .to_problem(ovop_core::Lang::En);
        assert_eq!(problem.status, 400);
    }

    #[test]
    fn unknown_and_missing_fields_are_named_by_their_path() {
        let problem = parse::<Strict>(br#"{"user_id":"a","nama":1}"#)
            .unwrap_err()
            .to_problem(ovop_core::Lang::En);
        assert_eq!(problem.status, 422);
        assert!(
            problem
                .errors
                .get("nama")
                .is_some_and(|m| m.starts_with("Unknown field.")),
            "{problem:?}"
        );
        let problem = parse::<Strict>(br#"{"user_id":"a","ikm":{}}"#)
            .unwrap_err()
            .to_problem(ovop_core::Lang::Id);
        assert_eq!(problem.errors["ikm.workers"], "Wajib diisi.");
        let problem = parse::<Strict>(br#"{"user_id":"a","ikm":{"workers":1,"x":2}}"#)
            .unwrap_err()
            .to_problem(ovop_core::Lang::En);
        assert!(problem.errors.contains_key("ikm.x"), "{problem:?}");
        let problem = parse::<Strict>(br#"{"user_id":"a","user_id":"b"}"#)
            .unwrap_err()
            .to_problem(ovop_core::Lang::En);
        assert!(problem.errors.contains_key("user_id"), "{problem:?}");
        let problem = parse::<Strict>(br#"{}"#)
            .unwrap_err()
            .to_problem(ovop_core::Lang::En);
        assert_eq!(problem.errors["user_id"], "This field is required.");
    }

    fn with_content_type(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append(header::CONTENT_TYPE, HeaderValue::from_str(v).unwrap());
        }
        headers
    }

    #[test]
    fn the_content_type_is_parsed() {
        for ok in [
            "application/json",
            "application/json; charset=utf-8",
            "application/json;charset=UTF-8",
            "Application/JSON ; charset=\"utf-8\"",
            "application/json;;charset=utf-8; ",
            "application/json; profile=\"a;b\"; charset=utf-8",
        ] {
            assert!(is_json(&with_content_type(&[ok])), "{ok}");
        }
        for refused in [
            "text/plain",
            "application/problem+json",
            "text/json+json",
            "application/jsonx",
            "application/json; charset=latin1",
            "application/json garbage",
            "application/json; charset",
            "application/json; charset=\"utf-8",
            "application/json; =utf-8",
            "application/json/x",
            "/json",
            "",
        ] {
            assert!(!is_json(&with_content_type(&[refused])), "{refused}");
        }
        assert!(!is_json(&HeaderMap::new()));
        assert!(!is_json(&with_content_type(&[
            "application/json",
            "text/plain"
        ])));
    }

    #[test]
    fn a_timed_out_body_is_recognised_through_its_causes() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("outer")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let late = Outer(std::io::Error::new(std::io::ErrorKind::TimedOut, "late"));
        assert!(timed_out(&late));
        let other = Outer(std::io::Error::other("reset"));
        assert!(!timed_out(&other));
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
