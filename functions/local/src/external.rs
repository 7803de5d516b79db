//! An external issuer (Cognito) for `ovop-local` without its own issuer: its signing keys,
//! fetched once at start from its discovery document's `jwks_uri`.

use std::time::Duration;

use jsonwebtoken::jwk::JwkSet;
use reqwest::Url;
use serde::Deserialize;

/// How long each fetch may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// The issuer's keys could not be had.
#[derive(Debug, thiserror::Error)]
pub enum ExternalIssuerError {
    #[error("issuer {0}: an https:// URL is needed (http:// only on this machine)")]
    NotHttps(String),
    #[error("{url}: {source}")]
    Fetch {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("{url} names issuer {found}, not {expected}")]
    OtherIssuer {
        url: String,
        found: String,
        expected: String,
    },
}

#[derive(Deserialize)]
struct Discovery {
    issuer: String,
    jwks_uri: String,
}

/// Whether `url` may be fetched: https anywhere, http on the loopback only.
fn allowed(url: &str) -> bool {
    let Ok(url) = Url::parse(url) else {
        return false;
    };
    match url.scheme() {
        "https" => true,
        "http" => matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]")),
        _ => false,
    }
}

/// The JWKS of `issuer` (its `iss`, e.g. `https://cognito-idp.ap-southeast-3.amazonaws.com/ap-southeast-3_XXXX`),
/// found through `{issuer}/.well-known/openid-configuration`.
pub async fn fetch_jwks(issuer: &str) -> Result<JwkSet, ExternalIssuerError> {
    let issuer = issuer.trim_end_matches('/');
    if !allowed(issuer) {
        return Err(ExternalIssuerError::NotHttps(issuer.to_owned()));
    }
    let http = reqwest::Client::builder()
        .timeout(FETCH_TIMEOUT)
        .build()
        .map_err(|source| ExternalIssuerError::Fetch {
            url: issuer.to_owned(),
            source,
        })?;
    let url = format!("{issuer}/.well-known/openid-configuration");
    let discovery: Discovery = get_json(&http, &url).await?;
    if discovery.issuer.trim_end_matches('/') != issuer {
        return Err(ExternalIssuerError::OtherIssuer {
            url,
            found: discovery.issuer,
            expected: issuer.to_owned(),
        });
    }
    if !allowed(&discovery.jwks_uri) {
        return Err(ExternalIssuerError::NotHttps(discovery.jwks_uri));
    }
    get_json(&http, &discovery.jwks_uri).await
}

async fn get_json<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: &str,
) -> Result<T, ExternalIssuerError> {
    let fetch = |source| ExternalIssuerError::Fetch {
        url: url.to_owned(),
        source,
    };
    http.get(url)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(fetch)?
        .json()
        .await
        .map_err(fetch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http_is_fetched() {
        assert!(allowed(
            "https://cognito-idp.ap-southeast-3.amazonaws.com/ap-southeast-3_abc"
        ));
        assert!(allowed("http://127.0.0.1:8080/oidc"));
        assert!(allowed("http://localhost:8080/oidc"));
        assert!(!allowed("http://issuer.example/oidc"));
        assert!(!allowed("ftp://issuer.example/"));
        assert!(!allowed("not a url"));
    }
}
