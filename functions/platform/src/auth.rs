//! Who is calling.
//!
//! In Lambda the API Gateway HTTP API JWT authorizer has already validated a Cognito token;
//! we read its claims from the request context. Locally a dev login issues HS256 tokens that
//! [`DevTokens`] verifies. Production never configures `DevTokens`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use lambda_http::request::RequestContext;
use ovop_core::dto::Session;
use ovop_core::policy::{Principal, RegionScope, Role};
use ovop_core::Text;
use serde::{Deserialize, Serialize};

use crate::clock::Clock;
use crate::problem::ApiError;

const DEV_ISSUER: &str = "ovop-local-dev";

/// How a router learns who is calling.
#[derive(Clone)]
pub enum Authenticator {
    /// Claims of the API Gateway JWT authorizer (production).
    ApiGatewayJwt,
    /// Bearer tokens from the local dev login.
    Dev(Arc<DevTokens>),
}

/// Issues and verifies the local dev login's tokens.
pub struct DevTokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    ttl_secs: i64,
    clock: Arc<dyn Clock>,
    /// Tokens whose signature was checked already, with their principal and expiry: a client
    /// sends the same token on every request, so the signature is checked once per token.
    verified: Mutex<HashMap<String, (Principal, i64)>>,
}

/// Most tokens [`DevTokens`] remembers; beyond that it forgets them all and starts again.
const MAX_VERIFIED_TOKENS: usize = 4096;

#[derive(Debug, Serialize, Deserialize)]
struct DevClaims {
    sub: String,
    name: String,
    role: Role,
    region: Option<String>,
    iss: String,
    iat: i64,
    exp: i64,
}

impl DevTokens {
    /// Tokens signed with `secret`, valid for `ttl_secs` as told by `clock`.
    pub fn new(secret: &[u8], ttl_secs: i64, clock: Arc<dyn Clock>) -> Self {
        DevTokens {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            ttl_secs,
            clock,
            verified: Mutex::new(HashMap::new()),
        }
    }

    /// A session for `principal`, issued now.
    pub fn issue(&self, principal: &Principal) -> Result<Session, ApiError> {
        self.issue_at(principal, self.clock.now().timestamp())
    }

    /// A session for `principal`, issued at `now` (seconds since the epoch).
    pub fn issue_at(&self, principal: &Principal, now: i64) -> Result<Session, ApiError> {
        let claims = DevClaims {
            sub: principal.user_id.clone(),
            name: principal.name.clone(),
            role: principal.role,
            region: principal.region.as_ref().map(region_code),
            iss: DEV_ISSUER.into(),
            iat: now,
            exp: now + self.ttl_secs,
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(ApiError::internal)?;
        Ok(Session {
            token,
            expires_at: claims.exp,
            principal: principal.clone(),
        })
    }

    /// The principal of a valid, unexpired token.
    pub fn verify(&self, token: &str) -> Result<Principal, ApiError> {
        let known = self.remembered().get(token).cloned();
        let (principal, exp) = match known {
            Some(known) => known,
            None => {
                let checked = self.check_signature(token)?;
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

    /// The principal and expiry of a token with a valid signature.
    fn check_signature(&self, token: &str) -> Result<(Principal, i64), ApiError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[DEV_ISSUER]);
        // Expiry is checked against our clock, so that tests can move time.
        validation.validate_exp = false;
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        let data =
            decode::<DevClaims>(token, &self.decoding, &validation).map_err(|_| invalid_token())?;
        let c = data.claims;
        let principal = principal_from(c.sub, c.name, Some(c.role), c.region.as_deref())?;
        Ok((principal, c.exp))
    }
}

fn invalid_token() -> ApiError {
    ApiError::Unauthenticated(Text::new(
        "Token tidak sah. Silakan masuk kembali.",
        "Invalid token. Please sign in again.",
    ))
}

/// `PP` or `PP.KK`.
pub fn region_code(scope: &RegionScope) -> String {
    match scope {
        RegionScope::Province(p) => p.to_string(),
        RegionScope::Regency(r) => r.to_string(),
    }
}

fn principal_from(
    sub: String,
    name: String,
    role: Option<Role>,
    region: Option<&str>,
) -> Result<Principal, ApiError> {
    let role = role.ok_or(ApiError::Forbidden)?;
    let region = match region.map(str::trim).filter(|r| !r.is_empty()) {
        Some(code) => Some(RegionScope::parse(code).map_err(|_| ApiError::Forbidden)?),
        None => None,
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

/// Builds the principal from Cognito claims as the HTTP API JWT authorizer passes them:
/// `sub`, `name`, `custom:role` (or the first known role in `cognito:groups`), `custom:region`.
pub fn principal_from_claims(claims: &HashMap<String, String>) -> Result<Principal, ApiError> {
    let sub = claims.get("sub").cloned().ok_or_else(invalid_token)?;
    let name = claims
        .get("name")
        .or_else(|| claims.get("email"))
        .cloned()
        .unwrap_or_else(|| sub.clone());
    let role = claims
        .get("custom:role")
        .and_then(|r| Role::parse(r))
        .or_else(|| {
            // The HTTP API flattens arrays to "[a b]".
            claims.get("cognito:groups").and_then(|g| {
                g.trim_matches(|c| c == '[' || c == ']')
                    .split([' ', ','])
                    .find_map(Role::parse)
            })
        });
    principal_from(
        sub,
        name,
        role,
        claims.get("custom:region").map(String::as_str),
    )
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
        Authenticator::Dev(tokens) => match bearer(&req) {
            None => Identity::Anonymous,
            Some(token) => Identity::Known(tokens.verify(token)?),
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

    #[test]
    fn cognito_claims_give_role_and_region() {
        let p = principal_from_claims(&claims(&[
            ("sub", "abc"),
            ("custom:role", "pengusul"),
            ("custom:region", "33.26"),
        ]))
        .unwrap();
        assert_eq!(p.role, Role::Pengusul);
        let g = principal_from_claims(&claims(&[
            ("sub", "x"),
            ("cognito:groups", "[other provinsi]"),
            ("custom:region", "33"),
        ]))
        .unwrap();
        assert_eq!(g.role, Role::Provinsi);
    }

    #[test]
    fn claims_without_a_role_or_with_the_wrong_region_level_are_forbidden() {
        assert!(principal_from_claims(&claims(&[("sub", "abc")])).is_err());
        let wrong = claims(&[
            ("sub", "a"),
            ("custom:role", "pengusul"),
            ("custom:region", "33"),
        ]);
        assert!(principal_from_claims(&wrong).is_err());
    }

    #[test]
    fn dev_tokens_round_trip_and_reject_tampering() {
        let clock: Arc<dyn Clock> = Arc::new(crate::clock::SystemClock);
        let tokens = DevTokens::new(b"secret", 60, clock.clone());
        let p = Principal {
            user_id: "u1".into(),
            name: "Dinas".into(),
            role: Role::Pengusul,
            region: Some(RegionScope::parse("33.26").unwrap()),
        };
        let now = chrono::Utc::now().timestamp();
        let session = tokens.issue(&p).unwrap();
        assert_eq!(tokens.verify(&session.token).unwrap(), p);
        let other = DevTokens::new(b"other", 60, clock);
        assert!(other.verify(&session.token).is_err());
        let expired = tokens.issue_at(&p, now - 120).unwrap();
        assert!(tokens.verify(&expired.token).is_err());
    }
}
