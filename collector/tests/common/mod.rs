//! What the integration tests share: a collector served over a real socket with a real
//! SQLite file in a temporary directory, realistic responses, and direct database reads.

// Each test binary uses a different part of this module.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::header::CONTENT_TYPE;
use sayso_collector::{AppState, Config, app};
use serde_json::{Value, json};
use sqlx::Connection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use tempfile::TempDir;

/// Every question kind, allowed from `https://clinic.example` and `http://localhost:8080`.
pub const EVERY_KIND: &str = include_str!("../fixtures/every-kind.json");
/// The demo survey, with no allowed origins of its own.
pub const PATIENT_EXPERIENCE: &str = include_str!("../fixtures/patient-experience.json");

/// Longest any single wait in a test may take.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// A directory `surveys/` under `root` holding both fixtures.
pub fn surveys_dir(root: &Path) -> PathBuf {
    let dir = root.join("surveys");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("every-kind.json"), EVERY_KIND).unwrap();
    std::fs::write(dir.join("patient-experience.json"), PATIENT_EXPERIENCE).unwrap();
    dir
}

/// The configuration of a collector whose files all live under `root`.
pub fn config(root: &Path) -> Config {
    Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        database: root.join("sayso.db"),
        surveys: surveys_dir(root),
        dist: None,
        demo_page: None,
        demo_dir: None,
        allow_origins: Vec::new(),
        admin_token: None,
    }
}

/// The `n`th test UUID.
pub fn uuid(n: u64) -> String {
    format!("00000000-0000-4000-8000-{n:012x}")
}

/// A complete, valid response to `every-kind` (every kind of answer).
pub fn every_kind_response(id: &str) -> Value {
    json!({
        "schema": "sayso.response/v1",
        "id": id,
        "survey": { "id": "every-kind", "version": 3 },
        "answers": {
            "nps": 9, "csat": 4, "ces": 2, "rating": 4,
            "channel": { "other": "A letter" },
            "topics": ["billing", { "other": "Parking" }],
            "comment": "Quick, and \"kind\".",
            "engagement": { "text": "Taking part in decisions about my care.",
                            "attribution": "Ana, patient", "publish": true },
            "agreement": { "clear": 5, "kind": 4 },
            "may_contact": true,
            "contact": { "email": "ana@example.org" }
        },
        "context": {
            "url": "https://clinic.example/support", "referrer": "", "locale": "en",
            "started_at": "2026-11-24T09:00:00.000Z", "submitted_at": "2026-11-24T09:02:10.500Z",
            "attributes": { "plan": "basic", "visits": 3, "member": true }
        },
        "partial": false
    })
}

/// A complete, valid response to `patient-experience` with NPS `nps`.
pub fn patient_response(id: &str, nps: u8) -> Value {
    json!({
        "schema": "sayso.response/v1",
        "id": id,
        "survey": { "id": "patient-experience", "version": 1 },
        "answers": { "nps": nps, "response_time": 4, "comment": "Kind and quick." },
        "context": {
            "url": "https://riverside.example/support", "locale": "en",
            "started_at": "2026-11-24T09:00:00.000Z", "submitted_at": "2026-11-24T09:01:00.000Z"
        }
    })
}

/// A collector serving the app on `127.0.0.1:<free port>` from a tokio task.
pub struct TestServer {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The state the app runs with (the store's counters are read from it).
    pub state: AppState,
    /// A client without cookies, compression or proxies.
    pub client: reqwest::Client,
    /// The database file.
    pub database: PathBuf,
    /// Holds the temporary directory until the test ends.
    pub dir: TempDir,
    task: tokio::task::JoinHandle<()>,
}

impl TestServer {
    /// A collector with both fixture surveys and default settings.
    pub async fn start() -> Self {
        Self::start_with(|_, _| {}).await
    }

    /// A collector whose configuration `adjust` may change (given the temporary root).
    pub async fn start_with(adjust: impl FnOnce(&mut Config, &Path)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut config = config(dir.path());
        adjust(&mut config, dir.path());
        let state = AppState::open(&config).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let router = app(state.clone());
        let task = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(PATIENCE)
            .build()
            .unwrap();
        Self {
            base,
            state,
            client,
            database: config.database,
            dir,
            task,
        }
    }

    /// The URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// POST `body` to /v1/responses as JSON.
    pub async fn post(&self, body: &Value) -> reqwest::Response {
        self.post_as("application/json", body.to_string()).await
    }

    /// POST `body` to /v1/responses with the given content type.
    pub async fn post_as(&self, content_type: &str, body: String) -> reqwest::Response {
        self.client
            .post(self.url("/v1/responses"))
            .header(CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// POST `body` as JSON from a page of `origin`.
    pub async fn post_from(&self, origin: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url("/v1/responses"))
            .header(CONTENT_TYPE, "text/plain;charset=UTF-8")
            .header("origin", origin)
            .body(body.to_string())
            .send()
            .await
            .unwrap()
    }

    /// A separate connection to the database file, as an operator's tool would open it.
    pub async fn database(&self) -> SqliteConnection {
        open_database(&self.database).await
    }

    /// Number of stored responses.
    pub async fn count(&self) -> i64 {
        count(&mut self.database().await).await
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Open a database file directly.
pub async fn open_database(path: &Path) -> SqliteConnection {
    SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(path))
        .await
        .unwrap()
}

/// Number of stored responses.
pub async fn count(db: &mut SqliteConnection) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM responses")
        .fetch_one(db)
        .await
        .unwrap()
}

/// The stored `(answers, partial)` of response `id`.
pub async fn stored(db: &mut SqliteConnection, id: &str) -> Option<(Value, bool)> {
    let row: Option<(String, bool)> =
        sqlx::query_as("SELECT answers, partial FROM responses WHERE id = ?1")
            .bind(id)
            .fetch_optional(db)
            .await
            .unwrap();
    row.map(|(answers, partial)| (serde_json::from_str(&answers).unwrap(), partial))
}

/// Check that `response` is a problem document with `status`, that it leaks nothing of the
/// database, and return its body.
pub async fn problem(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status);
    assert_eq!(
        response.headers()[CONTENT_TYPE],
        "application/problem+json",
        "a problem's content type"
    );
    let text = response.text().await.unwrap();
    let lower = text.to_lowercase();
    assert!(
        !lower.contains("sqlite") && !lower.contains("sql"),
        "leaks storage: {text}"
    );
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["status"], status);
    assert!(
        body["type"]
            .as_str()
            .unwrap()
            .starts_with("urn:sayso:problem:")
    );
    assert!(body["title"].is_string() && body["detail"].is_string());
    assert!(body["errors"].is_array());
    body
}

/// The `path` of every error of a problem document.
pub fn error_paths(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap().to_owned())
        .collect()
}
