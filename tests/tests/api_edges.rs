//! The API's edges: every refusal — the web framework's own included — is problem+json in
//! Indonesian or English, never a 500 and never a Rust type name; and the local server bounds
//! how long a client may take to send its headers and its body.
//!
//! The app runs on `ovop_local::server`, as `ovop-local` does, with time limits short enough
//! for a test.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ovop_core::errors::Problem;
use ovop_local::server::{serve_with, Timeouts};
use ovop_platform::clock::ManualClock;
use ovop_tests::{form, local_config, problem, start_time, TestApp};
use reqwest::{Client, RequestBuilder};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Time limits of the app under test: short, so that the stalling clients are cut off quickly.
const TEST_TIMEOUTS: Timeouts = Timeouts {
    header: Duration::from_millis(300),
    body: Duration::from_millis(300),
};

/// A create request of the caller with a fresh idempotency key, body still to add.
fn create_request(app: &TestApp, token: &str) -> RequestBuilder {
    app.post(token, "/api/v1/nominations")
        .header("Idempotency-Key", ulid::Ulid::new().to_string())
}

/// The problem of `request` in Bahasa Indonesia (no `Accept-Language`) and in English.
async fn in_both_languages(request: impl Fn() -> RequestBuilder) -> (Problem, Problem) {
    let id = problem(request().send().await.unwrap()).await;
    let en = problem(
        request()
            .header("Accept-Language", "en-US,en;q=0.9")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((id.lang.as_str(), en.lang.as_str()), ("id", "en"));
    assert_eq!(id.status, en.status);
    (id, en)
}

/// Fails if a problem's words give a Rust type away.
fn assert_no_rust_type_names(p: &Problem) {
    let texts = [&p.title, &p.detail]
        .into_iter()
        .chain(p.errors.values())
        .collect::<Vec<_>>();
    for text in texts {
        for word in [
            "struct",
            "enum ",
            "u32",
            "Option",
            "NominationForm",
            "IkmForm",
        ] {
            assert!(!text.contains(word), "{word:?} in {p:?}");
        }
    }
}

#[tokio::test]
async fn a_wrong_method_is_a_405_problem_keeping_allow() {
    let app = TestApp::spawn_with(TEST_TIMEOUTS).await;
    let response = app
        .http
        .delete(app.url("/api/v1/nominations"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    let allow = response.headers()["allow"].to_str().unwrap().to_owned();
    for method in ["GET", "POST"] {
        assert!(allow.contains(method), "Allow: {allow}");
    }
    let (id, en) = in_both_languages(|| app.http.delete(app.url("/api/v1/nominations"))).await;
    assert_eq!((id.status, id.code.as_str()), (405, "method_not_allowed"));
    assert_eq!(id.title, "Metode tidak diizinkan");
    assert_eq!(en.title, "Method not allowed");
}

#[tokio::test]
async fn an_unknown_api_path_is_a_404_problem() {
    let app = TestApp::spawn_with(TEST_TIMEOUTS).await;
    let (id, en) = in_both_languages(|| app.http.get(app.url("/api/v1/nothing/here"))).await;
    assert_eq!((id.status, id.code.as_str()), (404, "not_found"));
    assert_eq!(
        (id.title.as_str(), en.title.as_str()),
        ("Tidak ditemukan", "Not found")
    );
    let outside = app.http.post(app.url("/not-api")).send().await.unwrap();
    assert_eq!(problem(outside).await.status, 404);
}

#[tokio::test]
async fn a_bad_query_value_is_a_400_naming_the_parameter() {
    let app = TestApp::spawn_with(TEST_TIMEOUTS).await;
    let token = app.login("dinas-semarang").await;
    let (id, en) = in_both_languages(|| {
        app.http
            .get(app.url("/api/v1/nominations?status=DRAFT&status=SUBMITTED"))
            .bearer_auth(&token)
    })
    .await;
    assert_eq!((id.status, id.code.as_str()), (400, "bad_request"));
    assert_eq!(id.errors["status"], "Kolom ini muncul lebih dari sekali.");
    assert_eq!(en.errors["status"], "This field is given more than once.");
}

#[tokio::test]
async fn a_bad_path_encoding_is_a_400_naming_the_parameter() {
    let app = TestApp::spawn_with(TEST_TIMEOUTS).await;
    let token = app.login("dinas-semarang").await;
    let (id, en) = in_both_languages(|| {
        app.http
            .get(app.url("/api/v1/nominations/%FF%FE"))
            .bearer_auth(&token)
    })
    .await;
    assert_eq!(id.status, 400);
    assert!(id.errors["id"].contains("UTF-8"), "{id:?}");
    assert!(en.errors["id"].contains("UTF-8"), "{en:?}");
    let round = problem(
        app.http
            .post(app.url("/api/v1/rounds/%C3%28/open"))
            .bearer_auth(app.login("admin").await)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(round.status, 400);
    assert!(round.errors.contains_key("id"), "{round:?}");
}

#[tokio::test]
async fn a_missing_content_type_is_415() {
    let app = TestApp::spawn_with(TEST_TIMEOUTS).await;
    let token = app.login("dinas-semarang").await;
    let body = serde_json::to_vec(&form("33.74", "Tanpa tipe")).unwrap();
    let (id, en) = in_both_languages(|| create_request(&app, &token).body(body.clone())).await;
    assert_eq!(
        (id.status, id.code.as_str()),
        (415, "unsupported_media_type")
    );
    assert!(en.detail.contains("application/json"), "{en:?}");
}

#[tokio::test]
async fn a_text_plain_body_is_415() {
    let app = TestApp::spawn_with(TEST_TIMEOUTS).await;
    let token = app.login("dinas-semarang").await;
    let body = serde_json::to_vec(&form("33.74", "Teks")).unwrap();
    for content_type in [
        "text/plain",
        "application/json; charset=latin1",
        "text/json",
    ] {
        let (id, _) = in_both_languages(|| {
            create_request(&app, &token)
                .header("Content-Type", content_type)
                .body(body.clone())
        })
        .await;
        assert_eq!(id.status, 415, "{content_type}");
    }
}

#[tokio::test]
async fn application_json_with_a_charset_is_accepted() {
    let app = TestApp::spawn_with(TEST_TIMEOUTS).await;
    let token = app.login("dinas-semarang").await;
    for (i, content_type) in [
        "application/json; charset=utf-8",
        "application/json;charset=UTF-8",
        "Application/JSON ; charset=\"utf-8\"",
    ]
    .into_iter()
    .enumerate()
    {
        let body = serde_json::to_vec(&form("33.74", &format!("IKM {i}"))).unwrap();
        let response = create_request(&app, &token)
            .header("Content-Type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{content_type}");
    }
}

#[tokio::test]
async fn a_json_array_body_is_a_422_on_body() {
    let app = TestApp::spawn_with(TEST_TIMEOUTS).await;
    let token = app.login("dinas-semarang").await;
    for body in ["[]", "[\"ovop-2026\", \"33.74\"]", "\"teks\"", "12"] {
        let (id, en) = in_both_languages(|| {
            create_request(&app, &token)
                .header("Content-Type", "application/json")
                .body(body)
        })
        .await;
        assert_eq!(id.status, 422, "{body}");
        assert!(id.errors["body"].contains("objek JSON"), "{id:?}");
        assert!(en.errors["body"].contains("JSON object"), "{en:?}");
    }
}

#[tokio::test]
async fn a_wrong_type_for_ikm_workers_is_told_without_rust_type_names() {
    let app = TestApp::spawn_with(TEST_TIMEOUTS).await;
    let token = app.login("dinas-semarang").await;
    let body = json!({ "ikm": { "workers": "dua belas" } }).to_string();
    let (id, en) = in_both_languages(|| {
        create_request(&app, &token)
            .header("Content-Type", "application/json")
            .body(body.clone())
    })
    .await;
    assert_eq!(id.status, 422);
    assert_eq!(id.errors["ikm.workers"], "Harus berupa bilangan bulat.");
    assert_eq!(en.errors["ikm.workers"], "Must be a whole number.");
    assert_no_rust_type_names(&id);
    assert_no_rust_type_names(&en);
    for body in [
        json!({ "ikm": "PT Batik" }),
        json!({ "ikm": { "workers": -4 } }),
        json!({ "sentra": { "unit_count": 2.5 } }),
        json!({ "round_id": 2026 }),
    ] {
        let (id, en) = in_both_languages(|| {
            create_request(&app, &token)
                .header("Content-Type", "application/json")
                .body(body.to_string())
        })
        .await;
        assert_eq!(id.status, 422, "{body}");
        assert_no_rust_type_names(&id);
        assert_no_rust_type_names(&en);
    }
}

/// Reads from `stream` until the server closes it (or 2 s pass); returns what it sent.
async fn read_until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(Duration::from_secs(2), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return received,
            Ok(Ok(n)) => received.extend_from_slice(&buf[..n]),
            Err(_) => panic!("the server kept the connection open for 2 s"),
        }
    }
}

#[tokio::test]
async fn a_client_stalling_in_its_headers_is_disconnected_after_the_header_timeout() {
    let app = TestApp::spawn_with(TEST_TIMEOUTS).await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    let started = Instant::now();
    stream
        .write_all(b"GET /oidc/jwks.json HTTP/1.1\r\nHost: localhost\r\nAccept: */*")
        .await
        .unwrap();
    let received = read_until_closed(&mut stream).await;
    let waited = started.elapsed();
    assert!(
        waited >= TEST_TIMEOUTS.header - Duration::from_millis(50),
        "closed after {waited:?}"
    );
    assert!(
        waited < Duration::from_millis(1500),
        "closed after {waited:?}"
    );
    assert!(
        received.is_empty() || !received.starts_with(b"HTTP/1.1 2"),
        "{}",
        String::from_utf8_lossy(&received)
    );
}

#[tokio::test]
async fn a_client_stalling_in_its_body_gets_a_408_problem_and_is_disconnected() {
    let app = TestApp::spawn_with(TEST_TIMEOUTS).await;
    let token = app.login("dinas-semarang").await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    let started = Instant::now();
    stream
        .write_all(
            format!(
                "POST /api/v1/nominations HTTP/1.1\r\nHost: localhost\r\n\
                 Authorization: Bearer {token}\r\nIdempotency-Key: stalled-1\r\n\
                 Content-Type: application/json\r\nContent-Length: 100\r\n\
                 Accept-Language: en\r\n\r\n{{\"round_id\":"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let received = read_until_closed(&mut stream).await;
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_millis(1500),
        "answered after {waited:?}"
    );
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut head = httparse::Response::new(&mut headers);
    let httparse::Status::Complete(body_at) = head.parse(&received).expect("an HTTP answer") else {
        panic!("incomplete answer: {}", String::from_utf8_lossy(&received));
    };
    assert_eq!(head.code, Some(408));
    let header = |name: &str| {
        head.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).into_owned())
    };
    assert_eq!(
        header("content-type").as_deref(),
        Some("application/problem+json")
    );
    assert_eq!(header("connection").as_deref(), Some("close"));
    let p: Problem = serde_json::from_slice(&received[body_at..]).expect("problem body");
    assert_eq!(
        (p.status, p.code.as_str(), p.lang.as_str()),
        (408, "request_timeout", "en")
    );
}

#[tokio::test]
async fn a_kept_alive_connection_serves_several_requests() {
    let app = TestApp::spawn_with(TEST_TIMEOUTS).await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    let request = b"GET /oidc/jwks.json HTTP/1.1\r\nHost: localhost\r\n\r\n";
    for _ in 0..3 {
        stream.write_all(request).await.unwrap();
        let mut received = Vec::new();
        let mut buf = [0u8; 8192];
        // Read one whole answer: its head, then Content-Length bytes.
        let (body_at, length) = loop {
            let n = stream.read(&mut buf).await.unwrap();
            assert!(n > 0, "closed after {} bytes", received.len());
            received.extend_from_slice(&buf[..n]);
            let mut headers = [httparse::EMPTY_HEADER; 32];
            let mut head = httparse::Response::new(&mut headers);
            if let httparse::Status::Complete(at) = head.parse(&received).unwrap() {
                assert_eq!(head.code, Some(200));
                let length = head
                    .headers
                    .iter()
                    .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                    .map(|h| {
                        std::str::from_utf8(h.value)
                            .unwrap()
                            .parse::<usize>()
                            .unwrap()
                    })
                    .expect("content-length");
                break (at, length);
            }
        };
        while received.len() < body_at + length {
            let n = stream.read(&mut buf).await.unwrap();
            assert!(n > 0);
            received.extend_from_slice(&buf[..n]);
        }
    }
}

#[tokio::test]
async fn the_server_stops_when_told() {
    let dir = tempfile::tempdir().unwrap();
    let config = local_config(dir.path(), false);
    let app = ovop_local::build(&config, Arc::new(ManualClock::new(start_time())))
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve_with(
        listener,
        app.router,
        async {
            let _ = stopped.await;
        },
        TEST_TIMEOUTS,
    ));
    let response = Client::new()
        .get(format!("http://{addr}/oidc/jwks.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    stop.send(()).unwrap();
    let result = tokio::time::timeout(Duration::from_secs(2), server)
        .await
        .expect("the server stopped")
        .unwrap();
    assert!(result.is_ok());
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "no longer listening"
    );
}
