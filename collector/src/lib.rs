//! # sayso-collector
//!
//! The service behind the Sayso widget: it serves survey definitions and the widget's static
//! files, receives responses, stores them durably in SQLite, and shows the site owner a
//! dashboard and exports.
//!
//! Request flow of a response: [`intake`] (content type, size, parse) ─► [`catalog`] (which
//! survey and version) ─► [`cors`] (may this origin answer this survey?) ─► validation by the
//! shared `sayso_schema` code ─► [`store`] (one writer task, group commit) ─► 201 only after
//! the commit.
//!
//! [`app`] builds the router from an [`AppState`]; [`serve`] answers connections with it, with
//! read timeouts and a bounded graceful shutdown; `main.rs` only parses [`Config`] and serves.

#![warn(missing_docs)]

pub mod admin;
pub mod assets;
pub mod catalog;
pub mod config;
pub mod cors;
pub mod extract;
pub mod health;
pub mod intake;
pub mod metrics;
pub mod problem;
pub mod rate;
pub mod retention;
pub mod server;
pub mod store;
pub mod surveys;
pub mod webhooks;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, Uri, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;

pub use catalog::{LiveCatalog, SurveyCatalog};
pub use config::{AdminToken, Config, Database};
pub use problem::ApiError;
pub use server::serve;
pub use store::{Outcome, ResponseStore};
pub use webhooks::Webhooks;

/// The shortest admin token the collector accepts: the dashboard and the exports hold every
/// response, contact details included, behind it.
pub const MIN_ADMIN_TOKEN_CHARS: usize = 16;
/// The shortest webhook secret the collector accepts: it is all that tells a receiver a
/// delivery (a patient's answers) is genuine.
pub const MIN_SECRET_CHARS: usize = 16;

/// Everything the handlers share. Cheap to clone: the parts are reference counted.
#[derive(Clone)]
pub struct AppState {
    /// The surveys this collector serves and accepts responses for, every known version; read
    /// it with [`AppState::catalog`].
    pub surveys: Arc<LiveCatalog>,
    /// The surveys directory (`--surveys`), read again by [`AppState::reload_surveys`].
    pub surveys_dir: PathBuf,
    /// The collector-wide origins (`--allow-origin`), for the surveys read again.
    allow_origins: Vec<String>,
    /// Where responses are stored.
    pub store: ResponseStore,
    /// What the collector has done since it started (`/admin/metrics`).
    pub metrics: Arc<metrics::Metrics>,
    /// Responses per minute per client address (`--rate-limit`).
    pub rate_limit: Option<Arc<rate::RateLimiter>>,
    /// Where a reverse proxy puts the client's address (`--client-ip-header`).
    pub client_ip_header: Option<axum::http::HeaderName>,
    /// Responses stored longer ago are erased (`--retention-days`), and older ones not stored.
    pub retention_days: Option<u32>,
    /// Directory of built widget files (`sayso.js`, hashed modules and their .br/.gz twins).
    pub dist: Option<PathBuf>,
    /// HTML file served at `/` (the demo host page).
    pub demo_page: Option<PathBuf>,
    /// Directory of more demo pages, served at `/demo/<name>.html`.
    pub demo_dir: Option<PathBuf>,
    /// Password of the `admin` user; without it the admin routes do not exist.
    pub admin_token: Option<AdminToken>,
    /// How long a client may take to send a request's headers, and again its body.
    pub read_timeout: Duration,
    /// How long [`serve`] waits for requests in flight after the shutdown signal.
    pub shutdown_timeout: Duration,
}

impl AppState {
    /// Load the surveys, open the database and register every definition, as at startup.
    ///
    /// Fails, with one line per problem, on any invalid survey file, duplicate survey id,
    /// definition changed without a version bump, missing directory or unusable database.
    pub async fn open(config: &Config) -> Result<Self, StartupError> {
        // Every problem of the surveys and the flags is reported at once.
        let (files, mut lines) = match catalog::load_dir(&config.surveys) {
            Ok(files) => (files, Vec::new()),
            Err(lines) => (Vec::new(), lines),
        };
        for origin in &config.allow_origins {
            if origin != "*" && !sayso_schema::is_origin(origin) {
                lines.push(format!(
                    "--allow-origin {origin}: expected an origin such as https://clinic.example, or *"
                ));
            }
        }
        for (flag, path, want_dir) in [
            ("--dist", &config.dist, true),
            ("--demo-page", &config.demo_page, false),
            ("--demo-dir", &config.demo_dir, true),
        ] {
            if let Some(path) = path
                && (path.is_dir() != want_dir || !path.exists())
            {
                let what = if want_dir { "a directory" } else { "a file" };
                lines.push(format!("{flag} {}: not {what}", path.display()));
            }
        }
        if let Some(token) = &config.admin_token
            && token.expose().chars().count() < MIN_ADMIN_TOKEN_CHARS
        {
            lines.push(format!(
                "--admin-token: use at least {MIN_ADMIN_TOKEN_CHARS} characters: it guards every stored response, contact details included (make one with: openssl rand -base64 24)"
            ));
        }
        if let Some(secret) = &config.webhook_secret
            && secret.expose().chars().count() < MIN_SECRET_CHARS
        {
            lines.push(format!(
                "--webhook-secret: use at least {MIN_SECRET_CHARS} characters: a short key lets anyone forge signed deliveries (make one with: openssl rand -base64 24)"
            ));
        }
        if !lines.is_empty() {
            return Err(StartupError(lines));
        }
        let webhooks = match (&config.webhooks[..], &config.webhook_secret) {
            ([], _) => None,
            (urls, Some(secret)) => Some(Webhooks {
                urls: urls.to_vec(),
                secret: secret.clone(),
                retry: config.webhook_retry,
            }),
            (_, None) => {
                return Err(StartupError(vec![
                    "--webhook needs --webhook-secret (SAYSO_WEBHOOK_SECRET) to sign deliveries"
                        .into(),
                ]));
            }
        };
        let store = ResponseStore::open(&config.database, &config.webhooks)
            .await
            .map_err(|e| StartupError(vec![format!("{}: {e}", config.database)]))?;
        let earlier = store.record_versions(&files).await.map_err(StartupError)?;
        let metrics = Arc::new(metrics::Metrics::default());
        if let Some(webhooks) = webhooks {
            for url in &webhooks.urls {
                tracing::info!(
                    url = %webhooks::display_url(url),
                    "webhook: every completed response is sent here"
                );
            }
            let wake = store.deliveries_written();
            tokio::spawn(webhooks::run(
                store.clone(),
                webhooks,
                wake,
                metrics.clone(),
            ));
        }
        if let Some(days) = config.retention_days {
            tracing::info!(days, "retention: responses stored longer ago are erased");
            tokio::spawn(retention::run(store.clone(), days, metrics.clone()));
        }
        let catalog = SurveyCatalog::new(
            files.into_iter().map(|f| f.definition).collect(),
            earlier,
            &config.allow_origins,
        );
        log_catalog(&catalog, &config.surveys);
        if config.admin_token.is_none() {
            tracing::warn!("no --admin-token (SAYSO_ADMIN_TOKEN) given: the /admin pages are off");
        }
        Ok(Self {
            surveys: Arc::new(LiveCatalog::new(catalog)),
            surveys_dir: config.surveys.clone(),
            allow_origins: config.allow_origins.clone(),
            store,
            metrics,
            rate_limit: config
                .rate_limit
                .map(|n| Arc::new(rate::RateLimiter::new(n))),
            client_ip_header: config.client_ip_header.clone(),
            retention_days: config.retention_days,
            dist: config.dist.clone(),
            demo_page: config.demo_page.clone(),
            demo_dir: config.demo_dir.clone(),
            admin_token: config.admin_token.clone(),
            read_timeout: config.read_timeout,
            shutdown_timeout: config.shutdown_timeout,
        })
    }
}

impl AppState {
    /// The surveys in force now: take it once per request, and use that one throughout.
    pub fn catalog(&self) -> Arc<SurveyCatalog> {
        self.surveys.get()
    }

    /// Read the surveys directory again, as at startup, and put it in force: new surveys are
    /// served, a new version is served and the earlier ones still answered, a removed file
    /// retires its survey. All or nothing: on any problem (an invalid file, a duplicate id, a
    /// definition changed without a version bump, the database) nothing changes, and the
    /// problems come back one line each, as at startup. Requests already started finish with
    /// the catalog they began with.
    pub async fn reload_surveys(&self) -> Result<Arc<SurveyCatalog>, Vec<String>> {
        let _one_at_a_time = self.surveys.reloading.lock().await;
        let files = catalog::load_dir(&self.surveys_dir)?;
        let earlier = self.store.record_versions(&files).await?;
        let catalog = SurveyCatalog::new(
            files.into_iter().map(|f| f.definition).collect(),
            earlier,
            &self.allow_origins,
        );
        self.surveys.replace(catalog);
        Ok(self.catalog())
    }
}

/// Log what `catalog`, read from `dir`, holds: a line per survey, and per retired survey.
pub fn log_catalog(catalog: &SurveyCatalog, dir: &Path) {
    if catalog.iter().next().is_none() {
        tracing::warn!(
            dir = %dir.display(),
            "no survey definitions found: every response will be refused"
        );
    }
    for survey in catalog.iter() {
        tracing::info!(
            survey = %survey.current.id,
            version = survey.current.version,
            known_versions = survey.versions.len(),
            "survey loaded"
        );
    }
    for (id, versions) in catalog.retired() {
        tracing::info!(
            survey = %id,
            known_versions = versions.len(),
            "retired survey (no definition file): kept for the dashboard and exports"
        );
    }
}

/// Why the collector cannot start: one line per problem, each naming the file or flag at fault
/// (`surveys/x.json: $.questions[2].id: ...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartupError(pub Vec<String>);

impl std::fmt::Display for StartupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join("\n"))
    }
}

impl std::error::Error for StartupError {}

/// The whole HTTP interface of the collector.
pub fn app(state: AppState) -> Router {
    let mut router = Router::new()
        .merge(surveys::routes())
        .merge(intake::routes())
        .merge(health::routes())
        .merge(admin::routes(state.clone()))
        .fallback(assets::serve_file);
    if state.demo_page.is_some() {
        router = router.route("/", get(assets::demo_page));
    }
    if state.demo_dir.is_some() {
        router = router.route("/demo/{name}", get(assets::demo_dir_page));
    }
    router
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(common_headers))
        .with_state(state)
}

/// A path that exists, asked with a method it does not answer (axum adds the `Allow` header).
pub(crate) async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::MethodNotAllowed(format!("{method} is not answered at {}", uri.path()))
}

/// Headers every response carries, and one log line per request (method, path and status:
/// never a body, a query string or an answer).
async fn common_headers(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    // Browsers must not guess a type other than the one sent (a response is never HTML).
    response.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let status = response.status().as_u16();
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    if status >= 500 {
        tracing::warn!(%method, %path, status, elapsed_ms, "request failed");
    } else {
        tracing::debug!(%method, %path, status, elapsed_ms, "request");
    }
    response
}
