//! The widget's static files (`--dist`) at the root path, and the demo page at `/`.
//!
//! Host pages on other origins load `sayso.js` with a plain `<script>` tag, and that loader
//! then imports the hashed widget module and its wasm cross-origin; hence the open CORS and
//! resource-policy headers. The loader's name never changes, so it is cached briefly; hashed
//! files never change content, so they are cached for a year.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::AppState;
use crate::extract::Path;
use crate::problem::ApiError;

/// `Cache-Control` of files whose name changes with their content.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of every other file: short, so that a new release reaches pages quickly.
pub const SHORT: &str = "public, max-age=300";

/// Serve the file at the request's path from `--dist`, preferring the `.br` or `.gz` twin the
/// client accepts.
pub async fn serve_file(State(state): State<AppState>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let method = request.method().clone();
    let found = match &state.dist {
        None => None,
        Some(dist) => {
            let files = ServeDir::new(dist)
                .precompressed_br()
                .precompressed_gzip()
                .append_index_html_on_directories(false);
            let response = match files.oneshot(request).await {
                Ok(response) => response.map(Body::new),
                Err(never) => match never {},
            };
            (response.status() != StatusCode::NOT_FOUND).then_some(response)
        }
    };
    if found
        .as_ref()
        .is_some_and(|r| r.status() == StatusCode::METHOD_NOT_ALLOWED)
    {
        let mut refusal = ApiError::MethodNotAllowed(format!("{method} is not answered at {path}"))
            .into_response();
        refusal
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return refusal;
    }
    let Some(mut response) = found else {
        return if path == "/favicon.ico" {
            no_icon()
        } else {
            not_found(&path)
        };
    };
    let file_name = path.rsplit('/').next().unwrap_or("");
    static_headers(file_name, response.status(), response.headers_mut());
    response
}

/// Browsers ask every page's origin for `/favicon.ico`, the demo page's included; "no
/// content" says there is none without the console error a 404 would log on that page.
fn no_icon() -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    response
}

fn not_found(path: &str) -> Response {
    ApiError::NotFound(format!("nothing at {path}")).into_response()
}

/// Headers of a static file response.
pub fn static_headers(file_name: &str, status: StatusCode, headers: &mut HeaderMap) {
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        let policy = if is_hashed_name(file_name) {
            IMMUTABLE
        } else {
            SHORT
        };
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    // The body depends on Accept-Encoding (the .br or .gz twin): caches must keep both.
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("cross-origin"),
    );
}

/// Whether a file name carries its content hash: `sayso-<16 hex digits>.<ext>`.
pub fn is_hashed_name(name: &str) -> bool {
    let Some(rest) = name.strip_prefix("sayso-") else {
        return false;
    };
    let Some((hash, ext)) = rest.split_once('.') else {
        return false;
    };
    hash.len() == 16
        && hash.bytes().all(|b| b.is_ascii_hexdigit())
        && !ext.is_empty()
        && ext.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// `GET /`: the demo host page (`--demo-page`), read on each request so that edits show at
/// once.
pub async fn demo_page(State(state): State<AppState>) -> Response {
    match &state.demo_page {
        Some(path) => html_file(path, "/").await,
        None => not_found("/"),
    }
}

/// `GET /demo/<name>.html`: the other demo pages (`--demo-dir`).
pub async fn demo_dir_page(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    let at = format!("/demo/{name}");
    match &state.demo_dir {
        Some(dir) if is_page_name(&name) => html_file(&dir.join(&name), &at).await,
        _ => not_found(&at),
    }
}

/// A plain page name: lowercase letters, digits and `-`, then `.html` (no path, no dot files).
pub fn is_page_name(name: &str) -> bool {
    name.strip_suffix(".html").is_some_and(|stem| {
        !stem.is_empty()
            && stem
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    })
}

async fn html_file(path: &std::path::Path, at: &str) -> Response {
    match tokio::fs::read(path).await {
        Ok(html) => {
            let mut response = html.into_response();
            let h = response.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            response
        }
        Err(e) => {
            tracing::error!(error = %e, path = %path.display(), "cannot read a demo page");
            not_found(at)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_names() {
        for ok in ["appointments.html", "exit-intent-2.html"] {
            assert!(is_page_name(ok), "{ok}");
        }
        for bad in [
            "../secrets.html",
            ".html",
            "Page.html",
            "a/b.html",
            "page.htm",
            "page.html.bak",
        ] {
            assert!(!is_page_name(bad), "{bad}");
        }
    }

    #[test]
    fn hashed_names() {
        assert!(is_hashed_name("sayso-3f2a9c1b0d4e5f60.js"));
        assert!(is_hashed_name("sayso-3f2a9c1b0d4e5f60.wasm"));
        assert!(is_hashed_name("sayso-3F2A9C1B0D4E5F60.css"));
        for unhashed in [
            "sayso.js",
            "sayso-3f2a9c1b0d4e5f6.js",
            "sayso-3f2a9c1b0d4e5f600.js",
            "sayso-3f2a9c1b0d4e5f6g.js",
            "sayso-3f2a9c1b0d4e5f60.",
            "sayso-3f2a9c1b0d4e5f60.js.map",
            "other-3f2a9c1b0d4e5f60.js",
        ] {
            assert!(!is_hashed_name(unhashed), "{unhashed}");
        }
    }

    #[test]
    fn cache_policies() {
        let mut h = HeaderMap::new();
        static_headers("sayso.js", StatusCode::OK, &mut h);
        assert_eq!(h[header::CACHE_CONTROL], SHORT);
        static_headers("sayso-3f2a9c1b0d4e5f60.wasm", StatusCode::OK, &mut h);
        assert_eq!(h[header::CACHE_CONTROL], IMMUTABLE);
        assert_eq!(h["cross-origin-resource-policy"], "cross-origin");
        assert_eq!(h[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    }
}
