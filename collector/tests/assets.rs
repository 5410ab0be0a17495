//! The widget's static files and the demo page, with the headers cross-origin hosts need.

mod common;

use std::path::Path;

use common::*;
use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE};

const HASHED_JS: &str = "sayso-3f2a9c1b0d4e5f60.js";
const HASHED_WASM: &str = "sayso-3f2a9c1b0d4e5f60.wasm";
/// The first bytes of every wasm module.
const WASM: &[u8] = b"\0asm\x01\0\0\0";

/// A `dist/` as `cargo xtask dist` writes it: each file with `.br` and `.gz` twins (their
/// contents here are markers, not real compressions: the server must pick, not decode).
fn dist(root: &Path) -> std::path::PathBuf {
    let dist = root.join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    let files: [(&str, &[u8]); 3] = [
        (
            "sayso.js",
            b"/* loader */ import('./sayso-3f2a9c1b0d4e5f60.js');",
        ),
        (HASHED_JS, b"export default function start() {}"),
        (HASHED_WASM, WASM),
    ];
    for (name, content) in files {
        std::fs::write(dist.join(name), content).unwrap();
        std::fs::write(dist.join(format!("{name}.br")), b"BROTLI").unwrap();
        std::fs::write(dist.join(format!("{name}.gz")), b"GZIP").unwrap();
    }
    dist
}

async fn server() -> TestServer {
    TestServer::start_with(|c, root| {
        c.dist = Some(dist(root));
        let page = root.join("index.html");
        std::fs::write(
            &page,
            "<!doctype html><title>Riverside Diabetes Clinic</title>",
        )
        .unwrap();
        c.demo_page = Some(page);
        let more = root.join("demo");
        std::fs::create_dir_all(&more).unwrap();
        std::fs::write(
            more.join("appointments.html"),
            "<title>Appointments</title>",
        )
        .unwrap();
        std::fs::write(root.join("secret.html"), "<title>Not a demo page</title>").unwrap();
        c.demo_dir = Some(more);
    })
    .await
}

async fn get(server: &TestServer, path: &str, encoding: Option<&str>) -> reqwest::Response {
    let mut request = server.client.get(server.url(path));
    if let Some(encoding) = encoding {
        request = request.header(ACCEPT_ENCODING, encoding);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn the_loader_is_cached_briefly_and_open_to_every_origin() {
    let server = server().await;
    let r = get(&server, "/sayso.js", None).await;
    assert_eq!(r.status(), 200);
    let h = r.headers();
    assert_eq!(h[CACHE_CONTROL], "public, max-age=300");
    assert_eq!(h["access-control-allow-origin"], "*");
    assert_eq!(h["cross-origin-resource-policy"], "cross-origin");
    assert!(h[CONTENT_TYPE].to_str().unwrap().contains("javascript"));
    assert!(!h.contains_key(CONTENT_ENCODING));
    assert!(!h.contains_key("set-cookie"));
    assert!(r.text().await.unwrap().contains("loader"));
}

#[tokio::test]
async fn hashed_files_are_immutable() {
    let server = server().await;
    for name in [HASHED_JS, HASHED_WASM] {
        let r = get(&server, &format!("/{name}"), None).await;
        assert_eq!(r.status(), 200, "{name}");
        assert_eq!(
            r.headers()[CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(r.headers()["access-control-allow-origin"], "*");
    }
}

#[tokio::test]
async fn precompressed_twins_are_chosen_by_accept_encoding() {
    let server = server().await;
    let r = get(&server, "/sayso.js", Some("gzip, deflate, br")).await;
    assert_eq!(r.headers()[CONTENT_ENCODING], "br");
    assert!(
        r.headers()["vary"]
            .to_str()
            .unwrap()
            .contains("accept-encoding")
    );
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"BROTLI");

    let r = get(&server, "/sayso.js", Some("gzip")).await;
    assert_eq!(r.headers()[CONTENT_ENCODING], "gzip");
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"GZIP");
}

#[tokio::test]
async fn wasm_is_served_as_application_wasm() {
    let server = server().await;
    let r = get(&server, &format!("/{HASHED_WASM}"), None).await;
    assert_eq!(r.headers()[CONTENT_TYPE], "application/wasm");
    assert_eq!(r.bytes().await.unwrap().as_ref(), WASM);
    // Compressed, it keeps its type (streaming compilation needs it).
    let r = get(&server, &format!("/{HASHED_WASM}"), Some("br")).await;
    assert_eq!(r.headers()[CONTENT_TYPE], "application/wasm");
    assert_eq!(r.headers()[CONTENT_ENCODING], "br");
}

#[tokio::test]
async fn missing_files_are_404_problems() {
    let server = server().await;
    let p = problem(get(&server, "/sayso-0000000000000000.js", None).await, 404).await;
    assert_eq!(p["type"], "urn:sayso:problem:not-found");
    problem(get(&server, "/../Cargo.toml", None).await, 404).await;
}

#[tokio::test]
async fn files_answer_only_get_and_head() {
    let server = server().await;
    let r = server
        .client
        .post(server.url("/sayso.js"))
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["allow"], "GET, HEAD");
    let p = problem(r, 405).await;
    assert_eq!(p["type"], "urn:sayso:problem:method-not-allowed");
    let r = server.client.delete(server.url("/")).send().await.unwrap();
    problem(r, 405).await;
    let r = server.get("/demo/%ff.html").await;
    problem(r, 400).await;
}

#[tokio::test]
async fn more_demo_pages_are_served_from_the_demo_dir_and_nothing_else() {
    let server = server().await;
    let r = get(&server, "/demo/appointments.html", None).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()[CONTENT_TYPE], "text/html; charset=utf-8");
    assert_eq!(r.headers()[CACHE_CONTROL], "no-cache");
    assert!(r.text().await.unwrap().contains("Appointments"));
    for path in [
        "/demo/missing.html",
        "/demo/..%2Fsecret.html",
        "/demo/%2E%2E%2Fsecret.html",
        "/demo/.html",
    ] {
        problem(get(&server, path, None).await, 404).await;
    }
}

#[tokio::test]
async fn the_demo_page_is_served_at_the_root() {
    let server = server().await;
    let r = get(&server, "/", None).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()[CONTENT_TYPE], "text/html; charset=utf-8");
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Riverside Diabetes Clinic")
    );

    // Without --dist or --demo-page there is nothing at either.
    let bare = TestServer::start().await;
    problem(get(&bare, "/", None).await, 404).await;
    problem(get(&bare, "/sayso.js", None).await, 404).await;
    problem(get(&bare, "/demo/appointments.html", None).await, 404).await;
    // Browsers ask for an icon on every page: "none", without an error in the console.
    assert_eq!(get(&bare, "/favicon.ico", None).await.status(), 204);
}
