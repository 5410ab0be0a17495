//! `--rate-limit`: a client address past its responses a minute is answered 429 with
//! Retry-After (readable by the page, so the widget retries then) and nothing is stored;
//! other addresses, here other loopback addresses, are not held up. Behind a proxy, the
//! address is the last one of the header named by `--client-ip-header`.

mod common;

use std::net::IpAddr;

use axum::http::HeaderName;
use common::*;
use reqwest::header::{
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, CONTENT_TYPE, RETRY_AFTER,
};
use serde_json::Value;

/// A client whose connections come from `address` (any of 127.0.0.0/8 on Linux).
fn client_from(address: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .local_address(address.parse::<IpAddr>().unwrap())
        .build()
        .unwrap()
}

async fn post(
    server: &TestServer,
    client: &reqwest::Client,
    body: &Value,
    forwarded_for: Option<&str>,
) -> reqwest::Response {
    let mut request = client
        .post(server.url("/v1/responses"))
        .header(CONTENT_TYPE, "text/plain;charset=UTF-8")
        .header("origin", "https://clinic.example")
        .body(body.to_string());
    if let Some(address) = forwarded_for {
        request = request.header("x-forwarded-for", address);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn a_client_past_its_limit_waits_and_others_do_not() {
    let server = TestServer::start_with(|c, _| c.rate_limit = Some(2)).await;
    let first = client_from("127.0.0.1");
    for n in 0..2 {
        let r = post(&server, &first, &every_kind_response(&uuid(n)), None).await;
        assert_eq!(r.status(), 201);
    }
    let r = post(&server, &first, &every_kind_response(&uuid(2)), None).await;
    assert_eq!(
        r.headers()[ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://clinic.example"
    );
    // Two a minute: the next one in 30 s, and the page may read that.
    assert_eq!(r.headers()[RETRY_AFTER], "30");
    assert_eq!(r.headers()[ACCESS_CONTROL_EXPOSE_HEADERS], "retry-after");
    let p = problem(r, 429).await;
    assert_eq!(p["type"], "urn:sayso:problem:rate-limited");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("send it again in 30 s")
    );
    assert_eq!(server.count().await, 2, "nothing stored");

    let other = client_from("127.0.0.2");
    let r = post(&server, &other, &every_kind_response(&uuid(3)), None).await;
    assert_eq!(r.status(), 201, "another address has its own limit");
    // A client cannot pass for another with a header the collector was not told to trust.
    let r = post(
        &server,
        &first,
        &every_kind_response(&uuid(4)),
        Some("198.51.100.1"),
    )
    .await;
    assert_eq!(r.status(), 429);
    let metrics = server.state.metrics.render(Default::default());
    assert!(metrics.contains("sayso_responses_refused_total{problem=\"rate-limited\"} 2\n"));
}

#[tokio::test]
async fn behind_a_proxy_the_client_is_the_header_s_last_address() {
    let server = TestServer::start_with(|c, _| {
        c.rate_limit = Some(1);
        c.client_ip_header = Some(HeaderName::from_static("x-forwarded-for"));
    })
    .await;
    // Every request comes from the proxy's address.
    let proxy = client_from("127.0.0.1");
    let a = "203.0.113.9, 198.51.100.1";
    let b = "203.0.113.9, 198.51.100.2";
    assert_eq!(
        post(&server, &proxy, &every_kind_response(&uuid(10)), Some(a))
            .await
            .status(),
        201
    );
    assert_eq!(
        post(&server, &proxy, &every_kind_response(&uuid(11)), Some(a))
            .await
            .status(),
        429
    );
    assert_eq!(
        post(&server, &proxy, &every_kind_response(&uuid(12)), Some(b))
            .await
            .status(),
        201
    );
    // Without the header: the proxy's own address.
    assert_eq!(
        post(&server, &proxy, &every_kind_response(&uuid(13)), None)
            .await
            .status(),
        201
    );
    assert_eq!(
        post(&server, &proxy, &every_kind_response(&uuid(14)), None)
            .await
            .status(),
        429
    );
    assert_eq!(server.count().await, 3);
}
