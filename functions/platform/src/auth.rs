//! Who is calling.
//!
//! One sign-in path (docs/sign-in.md): an OpenID Connect issuer signs RS256 access tokens whose
//! `cognito:groups` hold the caller's role and region. In Lambda the API Gateway HTTP API JWT
//! authorizer has already validated the token and passes its claims in the request context
//! ([`Authenticator::ApiGatewayJwt`]); the local app verifies the token itself the same way
//! ([`Authenticator::Jwt`] with a [`JwtVerifier`]). Both then build the caller's [`Principal`]
//! with the one function [`principal_from_claims`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet};
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use lambda_http::request::RequestContext;
use ovop_core::policy::{Principal, RegionScope, Role};
use ovop_core::Text;
use serde_json::Value;

use crate::clock::Clock;
use crate::problem::ApiError;

/// How a router learns who is calling.
#[derive(Clone)]
pub enum Authenticator {
    /// Claims of the API Gateway JWT authorizer (production).
    ApiGatewayJwt,
    /// Bearer access tokens verified here against an issuer's keys (the local app).
    Jwt(Arc<JwtVerifier>),
}

/// The role groups, by the name an administrator gives the group in the user pool.
pub const ROLE_GROUPS: [(&str, Role); 5] = [
    ("pengusul", Role::Pengusul),
    ("provinsi", Role::Provinsi),
    ("verifikator", Role::Verifikator),
    ("penilai", Role::Penilai),
    ("admin", Role::Admin),
];

/// Prefix of a region group: `region-33` (province), `region-33.26` (regency/city).
pub const REGION_GROUP_PREFIX: &str = "region-";

/// The group that gives `role`.
pub fn role_group(role: Role) -> &'static str {
    ROLE_GROUPS
        .iter()
        .find(|(_, r)| *r == role)
        .map(|(name, _)| *name)
        .expect("every role has a group")
}

/// The group that gives `scope`: `region-PP` or `region-PP.KK`.
pub fn region_group(scope: &RegionScope) -> String {
    format!("{REGION_GROUP_PREFIX}{}", region_code(scope))
}

/// `PP` or `PP.KK`.
pub fn region_code(scope: &RegionScope) -> String {
    match scope {
        RegionScope::Province(p) => p.to_string(),
        RegionScope::Regency(r) => r.to_string(),
    }
}

/// Verifies bearer access tokens as API Gateway's JWT authorizer does: an RS256 signature by
/// one of the issuer's keys (chosen by `kid`), `iss`, `client_id` (the authorizer's audience
/// for access tokens), `token_use` = `access`, and `exp` against the clock port (so that tests
/// can move time); then reads the claims with [`principal_from_claims`].
pub struct JwtVerifier {
    issuer: String,
    client_id: String,
    keys: HashMap<String, DecodingKey>,
    clock: Arc<dyn Clock>,
    /// Tokens whose signature was checked already, with their principal and expiry: a client
    /// sends the same token on every request, so the signature is checked once per token.
    verified: Mutex<HashMap<String, (Principal, i64)>>,
}

/// Most tokens a [`JwtVerifier`] remembers; beyond that it forgets them all and starts again.
const MAX_VERIFIED_TOKENS: usize = 4096;

/// A JWKS the verifier cannot use.
#[derive(Debug, thiserror::Error)]
pub enum JwksError {
    #[error("JWKS key without a kid")]
    MissingKid,
    #[error("JWKS key {kid}: {source}")]
    Key {
        kid: String,
        #[source]
        source: jsonwebtoken::errors::Error,
    },
}

impl JwtVerifier {
    /// A verifier for tokens of `issuer` (the exact `iss`) for `client_id`, signed by an RSA key
    /// of `jwks`. Keys of other types are skipped; an empty set refuses every token.
    pub fn new(
        issuer: impl Into<String>,
        client_id: impl Into<String>,
        jwks: &JwkSet,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, JwksError> {
        let mut keys = HashMap::new();
        for jwk in &jwks.keys {
            if !matches!(jwk.algorithm, AlgorithmParameters::RSA(_)) {
                continue;
            }
            let kid = jwk.common.key_id.clone().ok_or(JwksError::MissingKid)?;
            let key = DecodingKey::from_jwk(jwk).map_err(|source| JwksError::Key {
                kid: kid.clone(),
                source,
            })?;
            keys.insert(kid, key);
        }
        Ok(JwtVerifier {
            issuer: issuer.into(),
            client_id: client_id.into(),
            keys,
            clock,
            verified: Mutex::new(HashMap::new()),
        })
    }

    /// The issuer whose tokens this verifier accepts.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The client id (audience) whose tokens this verifier accepts.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// How many signing keys it knows.
    pub fn key_count(&self) -> usize {
        self.keys.len()
    }

    /// The principal of a valid, unexpired access token: 401 for a token that is not one of
    /// ours or has expired, 403 for one whose groups give no valid role and region.
    pub fn verify(&self, token: &str) -> Result<Principal, ApiError> {
        let known = self.remembered().get(token).cloned();
        let (principal, exp) = match known {
            Some(known) => known,
            None => {
                let checked = self.check(token)?;
                let mut remembered = self.remembered();
                if remembered.len() >= MAX_VERIFIED_TOKENS {
                    remembered.clear();
                }
                remembered.insert(token.to_owned(), checked.clone());
                checked
            }
        };
        if exp <= self.clock.now().timestamp() {
            return Err(ApiError::Unauthenticated(Text::new(
                "Sesi Anda telah berakhir. Silakan masuk kembali.",
                "Your session has expired. Please sign in again.",
            )));
        }
        Ok(principal)
    }

    fn remembered(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Principal, i64)>> {
        // A panic while the map was held leaves a usable map: recover it.
        self.verified
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The principal and expiry of a token with a valid signature and the right claims.
    fn check(&self, token: &str) -> Result<(Principal, i64), ApiError> {
        let header = decode_header(token).map_err(|_| invalid_token())?;
        if header.alg != Algorithm::RS256 {
            return Err(invalid_token());
        }
        let key = header
            .kid
            .as_deref()
            .and_then(|kid| self.keys.get(kid))
            .ok_or_else(invalid_token)?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[&self.issuer]);
        // Expiry is checked against our clock, so that tests can move time.
        validation.validate_exp = false;
        // Access tokens have no `aud`: their audience is `client_id`, checked below.
        validation.validate_aud = false;
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        let claims = decode::<serde_json::Map<String, Value>>(token, key, &validation)
            .map_err(|_| invalid_token())?
            .claims;
        let text = |name: &str| claims.get(name).and_then(Value::as_str);
        if text("token_use") != Some("access") || text("client_id") != Some(&self.client_id) {
            return Err(invalid_token());
        }
        let exp = claims
            .get("exp")
            .and_then(Value::as_i64)
            .ok_or_else(invalid_token)?;
        let principal = principal_from_claims(&flatten_claims(&claims))?;
        Ok((principal, exp))
    }
}

/// The claims as API Gateway's HTTP API passes them to a Lambda: every value as text, arrays
/// flattened to `[a b]`.
pub fn flatten_claims(claims: &serde_json::Map<String, Value>) -> HashMap<String, String> {
    fn text(value: &Value) -> String {
        match value {
            Value::String(s) => s.clone(),
            Value::Array(items) => {
                let items: Vec<String> = items.iter().map(text).collect();
                format!("[{}]", items.join(" "))
            }
            other => other.to_string(),
        }
    }
    claims.iter().map(|(k, v)| (k.clone(), text(v))).collect()
}

fn invalid_token() -> ApiError {
    ApiError::Unauthenticated(Text::new(
        "Token tidak sah. Silakan masuk kembali.",
        "Invalid token. Please sign in again.",
    ))
}

/// The groups of a flattened `cognito:groups` claim (`[a b]`; a JSON array's text is read too).
fn groups(claim: &str) -> impl Iterator<Item = &str> {
    claim
        .trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split(|c: char| c.is_whitespace() || c == ',')
        .map(|g| g.trim_matches('"'))
        .filter(|g| !g.is_empty())
}

/// Builds the caller from access-token claims as the HTTP API JWT authorizer passes them (and
/// as [`JwtVerifier`] passes them, flattened the same way): `sub` is the user id, `username`
/// (else `sub`) the name, and `cognito:groups` the role and region — exactly one role group
/// ([`ROLE_GROUPS`]) and, for `pengusul` a regency group `region-PP.KK`, for `provinsi` a
/// province group `region-PP` (exactly one). Other roles need no region group; one they have is
/// ignored, as are groups that are neither. No role, two roles, a region group missing, of the
/// wrong level, unreadable or doubled → 403. Attributes (`custom:role`, …) are never read:
/// users could change them; groups only administrators change.
pub fn principal_from_claims(claims: &HashMap<String, String>) -> Result<Principal, ApiError> {
    let sub = claims
        .get("sub")
        .filter(|s| !s.is_empty())
        .cloned()
        .ok_or_else(invalid_token)?;
    let name = claims
        .get("username")
        .filter(|s| !s.is_empty())
        .cloned()
        .unwrap_or_else(|| sub.clone());
    let mut roles = Vec::new();
    let mut regions = Vec::new();
    for group in claims
        .get("cognito:groups")
        .map(String::as_str)
        .map(groups)
        .into_iter()
        .flatten()
    {
        if let Some((_, role)) = ROLE_GROUPS.iter().find(|(name, _)| *name == group) {
            roles.push(*role);
        } else if let Some(code) = group.strip_prefix(REGION_GROUP_PREFIX) {
            regions.push(code);
        }
    }
    let [role] = roles[..] else {
        return Err(ApiError::Forbidden);
    };
    let region = match role {
        Role::Pengusul | Role::Provinsi => {
            let [code] = regions[..] else {
                return Err(ApiError::Forbidden);
            };
            Some(RegionScope::parse(code).map_err(|_| ApiError::Forbidden)?)
        }
        Role::Verifikator | Role::Penilai | Role::Admin => None,
    };
    let principal = Principal {
        user_id: sub,
        name,
        role,
        region,
    };
    principal.check().map_err(|_| ApiError::Forbidden)?;
    Ok(principal)
}

/// What the authentication layer found.
#[derive(Clone, Debug)]
enum Identity {
    Anonymous,
    Known(Principal),
}

/// Puts the caller's [`Identity`] into the request's extensions; an invalid token is an error.
pub fn identify(authenticator: &Authenticator, mut req: Request) -> Result<Request, ApiError> {
    let identity = match authenticator {
        Authenticator::ApiGatewayJwt => match req.extensions().get::<RequestContext>() {
            Some(RequestContext::ApiGatewayV2(ctx)) => {
                match ctx.authorizer.as_ref().and_then(|a| a.jwt.as_ref()) {
                    Some(jwt) => principal_from_claims(&jwt.claims).map(Identity::Known)?,
                    None => Identity::Anonymous,
                }
            }
            _ => Identity::Anonymous,
        },
        Authenticator::Jwt(verifier) => match bearer(&req) {
            None => Identity::Anonymous,
            Some(token) => Identity::Known(verifier.verify(token)?),
        },
    };
    req.extensions_mut().insert(identity);
    Ok(req)
}

fn bearer(req: &Request) -> Option<&str> {
    req.headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// Extractor for handlers that need a signed-in caller (401 otherwise).
#[derive(Clone, Debug)]
pub struct Caller(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Identity>() {
            Some(Identity::Known(p)) => Ok(Caller(p.clone())),
            _ => Err(ApiError::Unauthenticated(Text::new(
                "Silakan masuk terlebih dahulu.",
                "Please sign in first.",
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn status(result: Result<Principal, ApiError>) -> u16 {
        match result {
            Ok(_) => 200,
            Err(e) => e.to_problem(ovop_core::Lang::En).status,
        }
    }

    #[test]
    fn groups_give_role_and_region() {
        let p = principal_from_claims(&claims(&[
            ("sub", "abc"),
            ("username", "dinas-pekalongan"),
            ("cognito:groups", "[pengusul region-33.26]"),
        ]))
        .unwrap();
        assert_eq!(p.role, Role::Pengusul);
        assert_eq!(p.region, Some(RegionScope::parse("33.26").unwrap()));
        assert_eq!(
            (p.user_id.as_str(), p.name.as_str()),
            ("abc", "dinas-pekalongan")
        );
        let g = principal_from_claims(&claims(&[
            ("sub", "x"),
            (
                "cognito:groups",
                "[ap-southeast-3_abc_Google region-33 provinsi]",
            ),
        ]))
        .unwrap();
        assert_eq!((g.role, g.name.as_str()), (Role::Provinsi, "x"));
        assert_eq!(g.region, Some(RegionScope::parse("33").unwrap()));
        let json_text = principal_from_claims(&claims(&[
            ("sub", "y"),
            ("cognito:groups", r#"["admin","region-33"]"#),
        ]))
        .unwrap();
        assert_eq!((json_text.role, json_text.region), (Role::Admin, None));
    }

    #[test]
    fn attributes_are_not_read() {
        let attributes = claims(&[
            ("sub", "abc"),
            ("custom:role", "pengusul"),
            ("custom:region", "33.26"),
        ]);
        assert_eq!(status(principal_from_claims(&attributes)), 403);
    }

    #[test]
    fn a_missing_unknown_or_doubled_role_or_a_wrong_region_is_forbidden() {
        for groups in [
            "",
            "[]",
            "[Admin]",
            "[superuser]",
            "[pengusul provinsi region-33.26]",
            "[penilai penilai]",
            "[pengusul]",
            "[pengusul region-33]",
            "[provinsi region-33.26]",
            "[pengusul region-33.26 region-33.74]",
            "[pengusul region-jateng]",
        ] {
            let c = claims(&[("sub", "a"), ("cognito:groups", groups)]);
            assert_eq!(status(principal_from_claims(&c)), 403, "{groups}");
        }
        assert_eq!(status(principal_from_claims(&claims(&[("sub", "a")]))), 403);
        let no_sub = claims(&[("cognito:groups", "[admin]")]);
        assert_eq!(status(principal_from_claims(&no_sub)), 401);
    }

    #[test]
    fn claims_are_flattened_as_the_http_api_does() {
        let json = serde_json::json!({
            "sub": "u", "cognito:groups": ["pengusul", "region-33.74"], "exp": 17, "x": true
        });
        let flat = flatten_claims(json.as_object().unwrap());
        assert_eq!(flat["cognito:groups"], "[pengusul region-33.74]");
        assert_eq!((flat["exp"].as_str(), flat["x"].as_str()), ("17", "true"));
    }

    #[test]
    fn group_names_round_trip() {
        for role in Role::ALL {
            let c = claims(&[("sub", "a"), ("cognito:groups", role_group(role))]);
            let needs_region = matches!(role, Role::Pengusul | Role::Provinsi);
            assert_eq!(principal_from_claims(&c).is_ok(), !needs_region, "{role:?}");
        }
        let scope = RegionScope::parse("33.74").unwrap();
        assert_eq!(region_group(&scope), "region-33.74");
    }
}
