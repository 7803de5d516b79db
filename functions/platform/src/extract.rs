//! Query-string and path extractors whose rejections are 400 problem+json naming the parameter.

use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use ovop_core::Text;
use serde::de::DeserializeOwned;

use crate::problem::ApiError;
use crate::wording::{explain, explain_expected};

/// Like `axum::extract::Query`, but a bad parameter is a 400 naming it (`?limit=abc` →
/// `limit`: "Must be a whole number.").
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parse_query(parts.uri.query().unwrap_or("")).map(ApiQuery)
    }
}

/// Parses a query string (without the `?`); an error names the parameter, or `query`.
///
/// A valid query is parsed once, without path tracking; only a rejected one is parsed again to
/// learn which parameter it was.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    serde_urlencoded::from_str(query).or_else(|_| {
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de).map_err(|e| {
            let explained = explain(&e.inner().to_string());
            ApiError::BadRequest {
                field: explained.field_path(&e.path().to_string(), "query"),
                message: explained.message,
            }
        })
    })
}

/// Like `axum::extract::Path`, but a segment that is not valid percent-encoded UTF-8, or not of
/// the parameter's type, is a 400 naming the parameter.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => Err(path_problem(rejection)),
        }
    }
}

fn path_problem(rejection: PathRejection) -> ApiError {
    use axum::extract::path::ErrorKind as K;
    let bad = |field: &str, message: Text| ApiError::BadRequest {
        field: field.to_owned(),
        message,
    };
    let PathRejection::FailedToDeserializePathParams(failed) = &rejection else {
        // Missing path parameters: the route and the handler disagree, our mistake.
        return ApiError::internal(rejection);
    };
    match failed.kind() {
        K::InvalidUtf8InPathParam { key } => bad(
            key,
            Text::new(
                "Bagian alamat ini tidak berupa teks UTF-8 yang sah (periksa kode %).",
                "This part of the address is not valid UTF-8 text (check its %-encoding).",
            ),
        ),
        K::ParseErrorAtKey {
            key, expected_type, ..
        } => bad(key, explain_expected(expected_type)),
        K::ParseErrorAtIndex { expected_type, .. } | K::ParseError { expected_type, .. } => {
            bad("path", explain_expected(expected_type))
        }
        K::DeserializeError { key, message, .. } => {
            let explained = explain(message);
            bad(&explained.field_path(key, "path"), explained.message)
        }
        // Wrong number of parameters, an unsupported type: the route and the handler disagree.
        _ => ApiError::internal(rejection),
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use axum::routing::get;
    use axum::Router;
    use ovop_core::Lang;
    use serde::Deserialize;
    use tower::ServiceExt;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Page {
        limit: Option<u32>,
        round: Option<String>,
    }

    fn problem_of(err: ApiError) -> ovop_core::errors::Problem {
        err.to_problem(Lang::En)
    }

    #[test]
    fn a_bad_query_value_names_its_parameter() {
        let p = problem_of(parse_query::<Page>("round=x&limit=abc").unwrap_err());
        assert_eq!(p.status, 400);
        assert_eq!(p.errors["limit"], "Must be a whole number.");
        let p = problem_of(parse_query::<Page>("limit=-3").unwrap_err());
        assert!(p.errors.contains_key("limit"), "{p:?}");
        let p = problem_of(parse_query::<Page>("round=a&round=b").unwrap_err());
        assert_eq!(p.errors["round"], "This field is given more than once.");
    }

    #[test]
    fn a_good_query_parses() {
        let page = parse_query::<Page>("limit=20&round=ovop%2D2026&other=1").unwrap();
        assert_eq!(
            (page.limit, page.round.as_deref()),
            (Some(20), Some("ovop-2026"))
        );
        assert!(parse_query::<Page>("").unwrap().limit.is_none());
    }

    async fn status_of(uri: &str) -> StatusCode {
        let app = Router::new().route(
            "/items/{id}/{n}",
            get(|ApiPath((_, n)): ApiPath<(String, u32)>| async move { n.to_string() }),
        );
        let response = app
            .oneshot(Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        response.status()
    }

    #[tokio::test]
    async fn good_paths_pass() {
        assert_eq!(status_of("/items/a%20b/7").await, StatusCode::OK);
        assert_eq!(status_of("/items/a/x").await, StatusCode::BAD_REQUEST);
    }

    #[tokio::test]
    async fn invalid_utf8_and_wrong_types_are_400s_naming_the_parameter() {
        let app = Router::new().route(
            "/items/{id}",
            get(|ApiPath(id): ApiPath<String>| async move { id }),
        );
        let response = app
            .clone()
            .oneshot(Request::get("/items/%FF").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let body = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .unwrap();
        let p: ovop_core::errors::Problem = serde_json::from_slice(&body).unwrap();
        assert!(p.errors.contains_key("id"), "{p:?}");

        #[derive(Deserialize)]
        struct Ids {
            #[allow(dead_code)]
            n: u32,
        }
        let typed = Router::new().route("/n/{n}", get(|ApiPath(_): ApiPath<Ids>| async { "" }));
        let response = typed
            .oneshot(Request::get("/n/abc").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let body = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .unwrap();
        let p: ovop_core::errors::Problem = serde_json::from_slice(&body).unwrap();
        assert_eq!(p.errors["n"], "Harus berupa bilangan bulat.");
    }
}
