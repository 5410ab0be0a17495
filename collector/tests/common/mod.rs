//! What the integration tests share: a collector served over a real socket with a real
//! SQLite file in a temporary directory, realistic responses, and direct database reads.

// Each test binary uses a different part of this module.
#![allow(dead_code)]

pub mod receiver;

use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::header::CONTENT_TYPE;
use sayso_collector::server::Stopped;
use sayso_collector::{AppState, Config, Database, serve};
use serde_json::{Value, json};
use sqlx::Connection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use tempfile::TempDir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

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
        database: Database::Sqlite(root.join("sayso.db")),
        surveys: surveys_dir(root),
        dist: None,
        demo_page: None,
        demo_dir: None,
        allow_origins: Vec::new(),
        admin_token: None,
        webhooks: Vec::new(),
        webhook_secret: None,
        webhook_retry: Duration::from_secs(10),
        retention_days: None,
        rate_limit: None,
        client_ip_header: None,
        read_timeout: Duration::from_secs(10),
        shutdown_timeout: Duration::from_secs(10),
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

/// An HTTP client for the collector under test: no proxy from the environment, and every
/// request bounded by [`PATIENCE`].
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(PATIENCE)
        .build()
        .unwrap()
}

/// A collector serving the app on `127.0.0.1:<free port>` from a tokio task.
pub struct TestServer {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The state the app runs with (the store's counters are read from it).
    pub state: AppState,
    /// A client without cookies, compression or proxies.
    pub client: reqwest::Client,
    /// Where it stores responses.
    pub database: Database,
    /// Holds the temporary directory until the test ends.
    pub dir: TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Stopped>,
}

impl TestServer {
    /// A collector with both fixture surveys and default settings.
    pub async fn start() -> Self {
        Self::start_with(|_, _| {}).await
    }

    /// A collector whose configuration `adjust` may change (given the temporary root).
    pub async fn start_with(adjust: impl FnOnce(&mut Config, &Path)) -> Self {
        Self::start_in(tempfile::tempdir().unwrap(), adjust).await
    }

    /// A collector whose files live in `dir` (the fixtures are written again; a database
    /// already there is used), configured by `adjust`.
    pub async fn start_in(dir: TempDir, adjust: impl FnOnce(&mut Config, &Path)) -> Self {
        let mut config = config(dir.path());
        adjust(&mut config, dir.path());
        let state = AppState::open(&config).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (shutdown, signal) = oneshot::channel::<()>();
        let signal = async {
            let _ = signal.await;
        };
        let task = tokio::spawn(serve(listener, state.clone(), signal));
        let client = client();
        Self {
            base,
            state,
            client,
            database: config.database.clone(),
            dir,
            shutdown: Some(shutdown),
            task,
        }
    }

    /// Send the shutdown signal and wait, at most [`PATIENCE`], for the server to stop.
    pub async fn shut_down(&mut self) -> Stopped {
        let _ = self.shutdown.take().expect("shut down once").send(());
        tokio::time::timeout(PATIENCE, &mut self.task)
            .await
            .expect("the server stopped in time")
            .unwrap()
    }

    /// The URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// GET `path`.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
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
        open_database(sqlite_file(&self.database)).await
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

/// The file of a SQLite database.
pub fn sqlite_file(database: &Database) -> &Path {
    match database {
        Database::Sqlite(path) => path,
        Database::Postgres(_) => panic!("not a SQLite database: {database}"),
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

/// The `id` of every line of an NDJSON export, in order.
pub fn exported_ids(ndjson: &str) -> Vec<String> {
    ndjson
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
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

/// Store `n` responses of `bytes` bytes each to version 1 of `survey` directly in the database
/// file: enough that a client that does not read holds its export open (the first page alone is
/// far more than socket buffers take). The bodies are padding, not responses.
pub async fn fill_with_large_rows(database: &Path, survey: &str, n: u32, bytes: u32) {
    let mut db = open_database(database).await;
    sqlx::query(
        r#"WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?1)
         INSERT INTO responses (id, survey_id, survey_version, partial, answers, context,
                                submitted_at, received_at, body)
         SELECT printf('00000000-0000-4000-9000-%012x', i), ?2, 1, 0, '{}', '{}',
                '2026-11-24T09:00:00.000Z', printf('2026-11-24T09:00:00.%03dZ', i % 1000),
                '{"padding": "' || hex(zeroblob(?3 / 2)) || '"}'
         FROM k"#,
    )
    .bind(n)
    .bind(survey)
    .bind(bytes)
    .execute(&mut db)
    .await
    .unwrap();
}

/// A raw connection to `address` (`host:port`) that takes in little at a time: a client that
/// reads slowly, or not at all, cannot hide behind a large receive buffer.
pub async fn slow_reader(address: &str) -> TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    socket.connect(address.parse().unwrap()).await.unwrap()
}

/// Read from `socket` until the end of a response's head; the head, as text.
pub async fn read_head(socket: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    let read = async {
        while !head.ends_with(b"\r\n\r\n") {
            assert_eq!(
                socket.read(&mut byte).await.unwrap(),
                1,
                "closed before the head ended"
            );
            head.push(byte[0]);
        }
    };
    tokio::time::timeout(PATIENCE, read)
        .await
        .expect("a response head in time");
    String::from_utf8(head).unwrap()
}

/// Send `request` on a new connection to `address` and read until the server closes it.
pub async fn exchange(address: &str, request: &str) -> String {
    let mut socket = TcpStream::connect(address).await.unwrap();
    socket.write_all(request.as_bytes()).await.unwrap();
    read_to_close(&mut socket).await
}

/// Everything `socket` receives until the server closes it, bounded by [`PATIENCE`].
pub async fn read_to_close(socket: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    tokio::time::timeout(PATIENCE, socket.read_to_end(&mut answer))
        .await
        .expect("the server closed the connection in time")
        .unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

/// `Authorization` header value of user `admin` with password `token`.
pub fn basic_auth(token: &str) -> String {
    // Standard base64, padded: enough for the test tokens.
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let input = format!("admin:{token}").into_bytes();
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    format!("Basic {out}")
}

/// Start an export of `survey` on a new slow-reading connection and read only its head: the
/// export then stays open, holding whatever it holds, until the connection is dropped.
pub async fn hold_export(address: &str, token: &str, survey: &str) -> (TcpStream, String) {
    let mut socket = slow_reader(address).await;
    let request = format!(
        "GET /admin/export.ndjson?survey={survey} HTTP/1.1\r\nHost: {address}\r\n\
         Authorization: {}\r\nConnection: close\r\n\r\n",
        basic_auth(token)
    );
    socket.write_all(request.as_bytes()).await.unwrap();
    let head = read_head(&mut socket).await;
    (socket, head)
}
