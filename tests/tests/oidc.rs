//! The local OpenID Connect issuer (docs/sign-in.md) over HTTP, as the web app uses it: the
//! authorization code + PKCE flow, refresh, sign-out, the authorize page, discovery and JWKS;
//! and the API verifying its access tokens as API Gateway's JWT authorizer would.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::Duration;
use ovop_core::policy::{Principal, Role};
use ovop_local::oidc::{SigningKey, TokenResponse, CLIENT_ID};
use ovop_local::server::Timeouts;
use ovop_local::Identity;
use ovop_platform::clock::ManualClock;
use ovop_tests::{
    hidden_fields, local_config, pkce_pair, problem, query_of, share_signing_key, start_time,
    TestApp,
};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::Response;
use serde_json::Value;

/// The claims of a JWT (unverified), and its header.
fn decode(token: &str) -> (Value, Value) {
    let mut parts = token.split('.');
    let mut part = || {
        let bytes = ovop_core::pkce::decode(parts.next().expect("a JWT part")).expect("base64url");
        serde_json::from_slice::<Value>(&bytes).expect("JSON")
    };
    let header = part();
    (header, part())
}

fn keys(value: &Value) -> BTreeSet<&str> {
    value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

async fn oauth_error(response: Response) -> (u16, String) {
    let status = response.status().as_u16();
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.expect("an RFC 6749 error body");
    (
        status,
        body["error"].as_str().unwrap_or_default().to_owned(),
    )
}

/// The issuer's session cookie set by `response` (`name=value`).
fn session_cookie(response: &Response) -> String {
    let set = response.headers()[SET_COOKIE].to_str().unwrap();
    set.split(';').next().unwrap().to_owned()
}

async fn me(app: &TestApp, token: &str) -> Response {
    app.get(token, "/api/v1/me").send().await.unwrap()
}

#[tokio::test]
async fn the_code_flow_with_pkce_gives_cognito_shaped_tokens_the_api_accepts() {
    let app = TestApp::spawn().await;
    let tokens = app.sign_in("dinas-semarang").await;
    assert_eq!(tokens.token_type, "Bearer");
    assert_eq!(tokens.expires_in, 3600);
    assert!(tokens.refresh_token.is_some());

    let (header, access) = decode(&tokens.access_token);
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["kid"], app.issuer.kid());
    let expected: BTreeSet<&str> = [
        "sub",
        "username",
        "cognito:groups",
        "iss",
        "client_id",
        "token_use",
        "scope",
        "auth_time",
        "iat",
        "exp",
        "jti",
    ]
    .into();
    assert_eq!(keys(&access), expected);
    let now = start_time().timestamp();
    assert_eq!(access["sub"], "dinas-semarang");
    assert_eq!(access["username"], "dinas-semarang");
    assert_eq!(
        access["cognito:groups"],
        serde_json::json!(["pengusul", "region-33.74"])
    );
    assert_eq!(access["iss"], app.url("/oidc"));
    assert_eq!(access["client_id"], CLIENT_ID);
    assert_eq!(access["token_use"], "access");
    assert_eq!(access["scope"], "openid email profile");
    assert_eq!(
        (access["iat"].as_i64(), access["exp"].as_i64()),
        (Some(now), Some(now + 3600))
    );

    let (_, id) = decode(&tokens.id_token);
    assert_eq!(id["aud"], CLIENT_ID);
    assert_eq!(id["token_use"], "id");
    assert_eq!(id["cognito:username"], "dinas-semarang");
    assert_eq!(id["name"], "Dinas Perindustrian Kota Semarang");
    assert!(id["email"].as_str().unwrap().contains('@'));
    assert_eq!(id["cognito:groups"], access["cognito:groups"]);

    let response = me(&app, &tokens.access_token).await;
    assert_eq!(response.status(), 200);
    let principal: Principal = response.json().await.unwrap();
    assert_eq!(principal.user_id, "dinas-semarang");
    assert_eq!(principal.name, "dinas-semarang");
    assert_eq!(principal.role, Role::Pengusul);
}

#[tokio::test]
async fn a_wrong_verifier_is_invalid_grant_and_uses_the_code_up() {
    let app = TestApp::spawn().await;
    let (verifier, challenge) = pkce_pair();
    let code = app.authorize("admin", &challenge, "s1").await;
    let (other, _) = pkce_pair();
    assert_eq!(
        oauth_error(app.exchange(&code, &other).await).await,
        (400, "invalid_grant".into())
    );
    assert_eq!(
        oauth_error(app.exchange(&code, &verifier).await).await,
        (400, "invalid_grant".into()),
        "a code is tried once"
    );
}

#[tokio::test]
async fn a_code_used_twice_is_invalid_grant() {
    let app = TestApp::spawn().await;
    let (verifier, challenge) = pkce_pair();
    let code = app.authorize("admin", &challenge, "s1").await;
    assert_eq!(app.exchange(&code, &verifier).await.status(), 200);
    assert_eq!(
        oauth_error(app.exchange(&code, &verifier).await).await,
        (400, "invalid_grant".into())
    );
}

#[tokio::test]
async fn a_code_lives_sixty_seconds() {
    let app = TestApp::spawn().await;
    let (verifier, challenge) = pkce_pair();
    let code = app.authorize("admin", &challenge, "s1").await;
    app.clock.set(start_time() + Duration::seconds(61));
    assert_eq!(
        oauth_error(app.exchange(&code, &verifier).await).await,
        (400, "invalid_grant".into())
    );
}

#[tokio::test]
async fn the_redirect_uri_of_the_exchange_must_be_the_request_s() {
    let app = TestApp::spawn().await;
    let (verifier, challenge) = pkce_pair();
    let code = app.authorize("admin", &challenge, "s1").await;
    let response = app
        .token_request(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "https://evil.example/auth/callback"),
            ("client_id", CLIENT_ID),
            ("code_verifier", &verifier),
        ])
        .await;
    assert_eq!(oauth_error(response).await, (400, "invalid_grant".into()));
}

#[tokio::test]
async fn an_unknown_client_or_unregistered_redirect_uri_is_refused_without_redirect() {
    let app = TestApp::spawn().await;
    let (_, challenge) = pkce_pair();
    let with = |name: &str, value: &str| {
        let mut query = app.authorize_query(&challenge, "s1");
        for (k, v) in query.iter_mut() {
            if k == name {
                *v = value.to_owned();
            }
        }
        query
    };
    for query in [
        with("client_id", "someone-else"),
        with("redirect_uri", "https://evil.example/auth/callback"),
        with("redirect_uri", &format!("{}/auth/callback/../x", app.base)),
    ] {
        let page = app
            .browser
            .get(app.url("/oidc/authorize"))
            .query(&query)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 400, "{query:?}");
        assert!(page.headers().get(LOCATION).is_none());
        assert!(page.text().await.unwrap().contains("role=\"alert\""));

        let mut form = query.clone();
        form.push(("username".into(), "admin".into()));
        let post = app
            .browser
            .post(app.url("/oidc/authorize"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(post.status(), 400, "{query:?}");
        assert!(post.headers().get(LOCATION).is_none());
        assert!(post.headers().get(SET_COOKIE).is_none());
    }
}

#[tokio::test]
async fn a_missing_or_plain_challenge_is_refused_at_the_redirect_uri() {
    let app = TestApp::spawn().await;
    let (verifier, challenge) = pkce_pair();
    let plain = app
        .authorize_query(&verifier, "s2")
        .into_iter()
        .map(|(k, v)| match k.as_str() {
            "code_challenge_method" => (k, "plain".to_owned()),
            _ => (k, v),
        })
        .collect::<Vec<_>>();
    let missing = app
        .authorize_query(&challenge, "s2")
        .into_iter()
        .filter(|(k, _)| k != "code_challenge")
        .collect::<Vec<_>>();
    for query in [plain, missing] {
        let response = app
            .browser
            .get(app.url("/oidc/authorize"))
            .query(&query)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 302);
        let location = response.headers()[LOCATION].to_str().unwrap();
        assert!(location.starts_with(&app.redirect_uri()), "{location}");
        let params = query_of(location);
        assert_eq!(params["error"], "invalid_request");
        assert_eq!(params["state"], "s2");
        assert!(!params.contains_key("code"));
    }
}

#[tokio::test]
async fn an_unknown_account_is_asked_again() {
    let app = TestApp::spawn().await;
    let (_, challenge) = pkce_pair();
    let mut form = app.authorize_query(&challenge, "s1");
    form.push(("username".into(), "root".into()));
    let response = app
        .browser
        .post(app.url("/oidc/authorize"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let page = response.text().await.unwrap();
    assert!(page.contains("name=\"username\" value=\"admin\""));
    assert!(page.contains("role=\"alert\""));
}

#[tokio::test]
async fn a_refresh_gives_a_new_access_token() {
    let app = TestApp::spawn().await;
    let tokens = app.sign_in("disperin-jateng").await;
    let refresh = tokens.refresh_token.clone().unwrap();
    app.clock.set(start_time() + Duration::minutes(50));
    let response = app
        .token_request(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("client_id", CLIENT_ID),
        ])
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let renewed: TokenResponse = response.json().await.unwrap();
    assert_ne!(renewed.access_token, tokens.access_token);
    assert!(
        renewed.refresh_token.is_none(),
        "Cognito keeps the refresh token"
    );
    let (_, old) = decode(&tokens.access_token);
    let (_, new) = decode(&renewed.access_token);
    assert_eq!(new["iat"].as_i64(), Some(start_time().timestamp() + 3000));
    assert_eq!(new["auth_time"], old["auth_time"]);

    app.clock.set(start_time() + Duration::minutes(70));
    assert_eq!(me(&app, &tokens.access_token).await.status(), 401);
    assert_eq!(me(&app, &renewed.access_token).await.status(), 200);

    let unknown = app
        .token_request(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", "not-a-token"),
            ("client_id", CLIENT_ID),
        ])
        .await;
    assert_eq!(oauth_error(unknown).await, (400, "invalid_grant".into()));
}

#[tokio::test]
async fn the_session_cookie_signs_in_again_without_asking_until_logout() {
    let app = TestApp::spawn().await;
    let (verifier, challenge) = pkce_pair();
    let page = app
        .browser
        .get(app.url("/oidc/authorize"))
        .query(&app.authorize_query(&challenge, "s1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut form = hidden_fields(&page);
    form.push(("username".into(), "penilai-1".into()));
    let chosen = app
        .browser
        .post(app.url("/oidc/authorize"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(chosen.status(), 302);
    let set_cookie = chosen.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/oidc"] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    let cookie = session_cookie(&chosen);
    let code = query_of(chosen.headers()[LOCATION].to_str().unwrap())["code"].clone();
    let tokens: TokenResponse = app.exchange(&code, &verifier).await.json().await.unwrap();

    // A reload: a new request with the cookie is answered at once, as Cognito's managed login.
    let (verifier2, challenge2) = pkce_pair();
    let again = app
        .browser
        .get(app.url("/oidc/authorize"))
        .query(&app.authorize_query(&challenge2, "s2"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 302);
    let params = query_of(again.headers()[LOCATION].to_str().unwrap());
    assert_eq!(params["state"], "s2");
    let second: TokenResponse = app
        .exchange(&params["code"], &verifier2)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(decode(&second.access_token).1["sub"], "penilai-1");

    // An unregistered logout_uri is refused on the issuer's page.
    let evil = app
        .browser
        .get(app.url("/oidc/logout"))
        .query(&[
            ("client_id", CLIENT_ID),
            ("logout_uri", "https://evil.example/"),
        ])
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(evil.status(), 400);
    assert!(evil.headers().get(LOCATION).is_none());

    let logout_uri = app.url("/");
    let out = app
        .browser
        .get(app.url("/oidc/logout"))
        .query(&[
            ("client_id", CLIENT_ID),
            ("logout_uri", logout_uri.as_str()),
        ])
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 302);
    assert_eq!(out.headers()[LOCATION], logout_uri.as_str());
    let cleared = out.headers()[SET_COOKIE].to_str().unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");

    for refresh in [&tokens.refresh_token, &second.refresh_token] {
        let refused = app
            .token_request(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh.as_deref().unwrap()),
                ("client_id", CLIENT_ID),
            ])
            .await;
        assert_eq!(oauth_error(refused).await, (400, "invalid_grant".into()));
    }
    let asked = app
        .browser
        .get(app.url("/oidc/authorize"))
        .query(&app.authorize_query(&challenge2, "s3"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        asked.status(),
        200,
        "signed out: the accounts are offered again"
    );
}

#[tokio::test]
async fn an_expired_access_token_is_401() {
    let app = TestApp::spawn().await;
    let token = app.login("sekretariat").await;
    assert_eq!(me(&app, &token).await.status(), 200);
    app.clock.set(start_time() + Duration::seconds(3600));
    let expired = app
        .get(&token, "/api/v1/me")
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap();
    let p = problem(expired).await;
    assert_eq!(p.status, 401);
    assert!(p.detail.contains("expired"), "{}", p.detail);
}

#[tokio::test]
async fn tokens_not_signed_by_the_issuer_or_not_access_tokens_are_401() {
    let app = TestApp::spawn().await;
    let tokens = app.sign_in("admin").await;
    let (other, _) = SigningKey::generate().unwrap();
    let (_, claims) = decode(&tokens.access_token);

    // Another key, its own kid.
    let foreign = other.sign(&claims).unwrap();
    // Another key's signature under our kid.
    let (head_payload, _) = tokens.access_token.rsplit_once('.').unwrap();
    let signature = jsonwebtoken::crypto::sign(
        head_payload.as_bytes(),
        other.encoding_key(),
        jsonwebtoken::Algorithm::RS256,
    )
    .unwrap();
    let spliced = format!("{head_payload}.{signature}");
    // An unsigned token.
    let none_header = ovop_core::pkce::encode(br#"{"alg":"none"}"#);
    let payload = head_payload.split_once('.').unwrap().1;
    let unsigned = format!("{none_header}.{payload}.");

    for token in [&foreign, &spliced, &unsigned, &tokens.id_token] {
        let p = problem(me(&app, token).await).await;
        assert_eq!(p.status, 401);
    }
    assert_eq!(me(&app, &tokens.access_token).await.status(), 200);
}

#[tokio::test]
async fn another_issuer_s_tokens_are_refused() {
    let one = TestApp::spawn().await;
    let two = TestApp::spawn().await;
    let token = one.login("admin").await;
    assert_eq!(me(&one, &token).await.status(), 200);
    assert_eq!(me(&two, &token).await.status(), 401, "same key, other iss");
}

#[tokio::test]
async fn the_authorize_page_is_indonesian_or_english() {
    let app = TestApp::spawn().await;
    let (_, challenge) = pkce_pair();
    let page = |accept: Option<&str>, lang: Option<&str>| {
        let mut query = app.authorize_query(&challenge, "s1");
        if let Some(lang) = lang {
            query.push(("lang".into(), lang.into()));
        }
        let mut request = app.browser.get(app.url("/oidc/authorize")).query(&query);
        if let Some(accept) = accept {
            request = request.header("Accept-Language", accept);
        }
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 200);
            assert_eq!(response.headers()["cache-control"], "no-store");
            response.text().await.unwrap()
        }
    };
    let id = page(None, None).await;
    assert!(id.contains("<html lang=\"id\">") && id.contains("Masuk ke OVOP"));
    assert!(id.contains("<legend>Akun demo</legend>"));
    assert!(id.contains("Dinas Perindustrian Kota Semarang"));
    assert!(!id.contains("<script") && !id.contains("style="));
    let en = page(Some("en"), None).await;
    assert!(en.contains("<html lang=\"en\">") && en.contains("Sign in to OVOP"));
    assert!(en.contains("<legend>Demo accounts</legend>"));
    assert!(en.contains("Regency/city office"));
    let asked = page(Some("id"), Some("en")).await;
    assert!(asked.contains("<html lang=\"en\">"));
    let css = app
        .http
        .get(app.url("/oidc/style.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), 200);
    assert!(css.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
}

#[tokio::test]
async fn discovery_jwks_and_runtime_config_have_the_spec_shapes() {
    let app = TestApp::spawn().await;
    let issuer = app.url("/oidc");
    let discovery: Value = app
        .http
        .get(app.url("/oidc/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(discovery["issuer"], issuer);
    assert_eq!(
        discovery["authorization_endpoint"],
        format!("{issuer}/authorize")
    );
    assert_eq!(discovery["token_endpoint"], format!("{issuer}/token"));
    assert_eq!(discovery["jwks_uri"], format!("{issuer}/jwks.json"));
    assert_eq!(
        discovery["end_session_endpoint"],
        format!("{issuer}/logout")
    );
    assert_eq!(
        discovery["response_types_supported"],
        serde_json::json!(["code"])
    );
    assert_eq!(
        discovery["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(
        discovery["id_token_signing_alg_values_supported"],
        serde_json::json!(["RS256"])
    );
    assert_eq!(
        discovery["token_endpoint_auth_methods_supported"],
        serde_json::json!(["none"])
    );

    let jwks: Value = app
        .http
        .get(app.url("/oidc/jwks.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let keys_ = jwks["keys"].as_array().unwrap();
    assert_eq!(keys_.len(), 1);
    let key = &keys_[0];
    assert_eq!(keys(key), ["alg", "e", "kid", "kty", "n", "use"].into());
    assert_eq!(
        (
            key["kty"].as_str(),
            key["alg"].as_str(),
            key["use"].as_str()
        ),
        (Some("RSA"), Some("RS256"), Some("sig"))
    );
    assert_eq!(key["kid"], app.issuer.kid());
    let modulus = ovop_core::pkce::decode(key["n"].as_str().unwrap()).unwrap();
    assert_eq!(modulus.len(), 256, "RSA-2048");

    let config = app.http.get(app.url("/config.json")).send().await.unwrap();
    assert_eq!(config.headers()["cache-control"], "no-cache");
    let config: Value = config.json().await.unwrap();
    assert_eq!(
        config,
        serde_json::json!({
            "issuer": issuer,
            "client_id": CLIENT_ID,
            "redirect_uri": app.url("/auth/callback"),
            "logout_url": format!("{issuer}/logout"),
            "post_logout_redirect_uri": app.url("/"),
            "scopes": "openid email profile",
        })
    );
}

#[tokio::test]
async fn token_endpoint_errors_are_rfc_6749_json() {
    let app = TestApp::spawn().await;
    let unknown_client = app
        .token_request(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", "x"),
            ("client_id", "evil"),
        ])
        .await;
    assert_eq!(
        oauth_error(unknown_client).await,
        (401, "invalid_client".into())
    );
    let password = app
        .token_request(&[("grant_type", "password"), ("client_id", CLIENT_ID)])
        .await;
    assert_eq!(
        oauth_error(password).await,
        (400, "unsupported_grant_type".into())
    );
    let no_verifier = app
        .token_request(&[
            ("grant_type", "authorization_code"),
            ("code", "x"),
            ("client_id", CLIENT_ID),
        ])
        .await;
    assert_eq!(
        oauth_error(no_verifier).await,
        (400, "invalid_request".into())
    );
    let json_body = app
        .browser
        .post(app.url("/oidc/token"))
        .json(&serde_json::json!({"grant_type": "refresh_token"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        oauth_error(json_body).await,
        (400, "invalid_request".into())
    );
}

#[tokio::test]
async fn an_external_issuer_s_tokens_are_verified_by_its_jwks() {
    let issuer = TestApp::spawn().await;
    let token = issuer.login("dinas-sidoarjo").await;

    let start = |identity: Identity| async move {
        let dir = tempfile::tempdir().unwrap();
        share_signing_key(dir.path());
        let mut config = local_config(dir.path(), false);
        config.identity = identity;
        let app = ovop_local::build(&config, Arc::new(ManualClock::new(start_time())))
            .await
            .expect("build");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let banner = ovop_local::banner(&config, &app);
        tokio::spawn(ovop_local::server::serve_with(
            listener,
            app.router,
            std::future::pending(),
            Timeouts::default(),
        ));
        (base, banner, dir)
    };
    let call = |base: String, path: &'static str, token: String| async move {
        reqwest::Client::new()
            .get(format!("{base}{path}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    };

    let (base, banner, _dir) = start(Identity::External {
        issuer: issuer.issuer.issuer().to_owned(),
        client_id: CLIENT_ID.into(),
    })
    .await;
    assert!(
        banner.contains("local issuer (OVOP_LOCAL_ISSUER): off"),
        "{banner}"
    );
    assert!(banner.contains(issuer.issuer.issuer()), "{banner}");
    let me: Principal = call(base.clone(), "/api/v1/me", token.clone())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me.user_id, "dinas-sidoarjo");
    let page = call(base.clone(), "/oidc/jwks.json", token.clone()).await;
    assert_eq!(problem(page).await.status, 404);

    let (base, banner, _dir2) = start(Identity::Refused).await;
    assert!(banner.contains("every token is refused (401)"), "{banner}");
    assert_eq!(
        problem(call(base, "/api/v1/me", token).await).await.status,
        401
    );

    let dir = tempfile::tempdir().unwrap();
    let mut config = local_config(dir.path(), false);
    config.identity = Identity::External {
        issuer: "http://issuer.example/oidc".into(),
        client_id: CLIENT_ID.into(),
    };
    let wrong = ovop_local::build(&config, Arc::new(ManualClock::new(start_time()))).await;
    assert!(
        matches!(wrong, Err(ovop_local::StartError::ExternalIssuer(_))),
        "plain http off this machine is refused"
    );
}
