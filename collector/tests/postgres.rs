//! The collector on a real PostgreSQL server: responses stored exactly once, also when several
//! collectors share the database, partial responses completed in place, survey versions kept,
//! the dashboard and the exports, and a storage failure that says nothing of the database.
//!
//! These tests need a server: `SAYSO_TEST_POSTGRES` is its URL without a database
//! (`postgres://user@127.0.0.1:5432`), for a user that may create databases; each test makes a
//! database of its own; the server speaks TLS with a certificate for 127.0.0.1 signed by the CA
//! in `SAYSO_TEST_POSTGRES_CA`. `cargo xtask test` starts such a throwaway server and runs them
//! with `--ignored`; a plain `cargo test` lists them as ignored.

mod common;

use std::sync::atomic::{AtomicU32, Ordering};

use common::receiver::*;
use common::*;
use sayso_collector::config::Secret;
use sayso_collector::{AdminToken, AppState, Database, Outcome, ResponseStore};
use sayso_schema::Response;
use serde_json::{Value, json};
use sqlx::postgres::PgConnection;
use sqlx::{Connection, Executor};

/// A new, empty database on the test server.
async fn new_database() -> Database {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let server = std::env::var("SAYSO_TEST_POSTGRES").expect(
        "SAYSO_TEST_POSTGRES names the PostgreSQL server of these tests \
         (cargo xtask test starts one)",
    );
    let server = server.trim_end_matches('/');
    let name = format!(
        "sayso_test_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mut admin = PgConnection::connect(&format!("{server}/postgres"))
        .await
        .expect("the test server answers");
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    Database::Postgres(format!("{server}/{name}"))
}

async fn connect(database: &Database) -> PgConnection {
    let Database::Postgres(url) = database else {
        unreachable!("a PostgreSQL database")
    };
    PgConnection::connect(url).await.unwrap()
}

async fn start_on(database: &Database) -> TestServer {
    let database = database.clone();
    TestServer::start_with(move |c, _| {
        c.database = database;
        c.admin_token = AdminToken::new("pg-admin-passphrase");
    })
    .await
}

async fn row_count(db: &mut PgConnection) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM responses")
        .fetch_one(db)
        .await
        .unwrap()
}

async fn status_of(response: reqwest::Response) -> (u16, String) {
    let code = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    (code, body["status"].as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
#[ignore = "needs a PostgreSQL server: SAYSO_TEST_POSTGRES (cargo xtask test starts one)"]
async fn a_response_is_stored_once_and_completed_in_place() {
    let database = new_database().await;
    let server = start_on(&database).await;
    assert_eq!(server.get("/healthz").await.status(), 200);

    let body = every_kind_response(&uuid(1));
    assert_eq!(
        status_of(server.post(&body).await).await,
        (201, "stored".into())
    );
    assert_eq!(
        status_of(server.post(&body).await).await,
        (200, "duplicate".into())
    );

    let id = uuid(2);
    let mut partial = patient_response(&id, 6);
    partial["partial"] = json!(true);
    partial["answers"] = json!({ "nps": 6 });
    assert_eq!(
        status_of(server.post(&partial).await).await,
        (201, "stored".into())
    );
    partial["answers"] = json!({ "nps": 6, "response_time": 2 });
    partial["context"]["submitted_at"] = json!("2026-11-24T09:01:30.000Z");
    assert_eq!(
        status_of(server.post(&partial).await).await,
        (200, "updated".into())
    );
    let complete = patient_response(&id, 7);
    assert_eq!(
        status_of(server.post(&complete).await).await,
        (201, "completed".into())
    );
    // A late partial (a retried beacon) changes nothing.
    assert_eq!(
        status_of(server.post(&partial).await).await,
        (200, "duplicate".into())
    );

    // The same id for another survey is refused, and changes nothing.
    let mut other = every_kind_response(&id);
    other["context"]["submitted_at"] = json!("2026-11-24T09:05:00.000Z");
    assert_eq!(server.post(&other).await.status(), 409);

    let mut db = connect(&database).await;
    assert_eq!(row_count(&mut db).await, 2);
    let rows: Vec<(String, String, i64, bool, String, String)> = sqlx::query_as(
        "SELECT id, survey_id, survey_version, partial, answers, body FROM responses ORDER BY id",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    let (stored_id, survey, version, is_partial, answers, stored_body) = &rows[0];
    assert_eq!(
        (stored_id, survey.as_str(), *version),
        (&uuid(1), "every-kind", 3)
    );
    assert!(!is_partial);
    assert_eq!(
        serde_json::from_str::<Value>(answers).unwrap(),
        body["answers"]
    );
    assert_eq!(serde_json::from_str::<Value>(stored_body).unwrap(), body);
    let (_, survey, _, is_partial, answers, _) = &rows[1];
    assert_eq!(survey, "patient-experience");
    assert!(!is_partial);
    assert_eq!(
        serde_json::from_str::<Value>(answers).unwrap(),
        complete["answers"]
    );
}

#[tokio::test]
#[ignore = "needs a PostgreSQL server: SAYSO_TEST_POSTGRES (cargo xtask test starts one)"]
async fn collectors_sharing_a_database_store_each_response_once() {
    // Two collectors behind one load balancer; every response reaches both at once (a retry
    // that went to the other collector while the first attempt was still in flight).
    const RESPONSES: u64 = 120;
    let database = new_database().await;
    let (a, b) = (start_on(&database).await, start_on(&database).await);
    let bodies: Vec<Value> = (0..RESPONSES)
        .map(|i| patient_response(&uuid(1000 + i), (i % 11) as u8))
        .collect();
    let sends = bodies.iter().map(|body| async {
        let (first, second) = tokio::join!(a.post(body), b.post(body));
        let mut statuses = [status_of(first).await, status_of(second).await];
        statuses.sort();
        statuses
    });
    let outcomes = futures_util::future::join_all(sends).await;
    for (i, statuses) in outcomes.iter().enumerate() {
        assert_eq!(
            statuses,
            &[(200, "duplicate".into()), (201, "stored".into())],
            "response {i}: one collector stores it, the other finds it stored"
        );
    }
    let mut db = connect(&database).await;
    assert_eq!(row_count(&mut db).await, RESPONSES as i64);
    let distinct: i64 = sqlx::query_scalar("SELECT count(DISTINCT id) FROM responses")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(distinct, RESPONSES as i64);
}

#[tokio::test]
#[ignore = "needs a PostgreSQL server: SAYSO_TEST_POSTGRES (cargo xtask test starts one)"]
async fn an_id_inserted_meanwhile_by_another_collector_is_a_duplicate() {
    let database = new_database().await;
    let store = ResponseStore::open(&database, &[]).await.unwrap();
    // Another collector's transaction has inserted the id and not committed yet.
    let mut other = connect(&database).await;
    other.execute("BEGIN").await.unwrap();
    sqlx::query(
        "INSERT INTO responses (id, survey_id, survey_version, partial, answers, context,
                                submitted_at, received_at, body)
         VALUES ($1, 'patient-experience', 1, false, '{}', '{}', '2026-11-24T09:01:00.000Z',
                 '2026-11-24T09:01:01.000Z', '{}')",
    )
    .bind(uuid(5))
    .execute(&mut other)
    .await
    .unwrap();
    let response = Response::from_json(&patient_response(&uuid(5), 9).to_string()).unwrap();
    let save = tokio::spawn({
        let store = store.clone();
        async move { store.save(&response, None).await }
    });
    // This store's insert waits for the other transaction (it did not see the row before).
    let mut watcher = connect(&database).await;
    let waiting = async {
        loop {
            let blocked: i64 =
                sqlx::query_scalar("SELECT count(*) FROM pg_locks WHERE NOT granted")
                    .fetch_one(&mut watcher)
                    .await
                    .unwrap();
            if blocked > 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    };
    tokio::time::timeout(PATIENCE, waiting)
        .await
        .expect("the insert waits");
    other.execute("COMMIT").await.unwrap();
    assert_eq!(save.await.unwrap(), Ok(Outcome::Duplicate));
    assert_eq!(
        store.transactions_committed(),
        1,
        "no failed batch, no retry"
    );
    assert_eq!(row_count(&mut connect(&database).await).await, 1);
}

#[tokio::test]
#[ignore = "needs a PostgreSQL server: SAYSO_TEST_POSTGRES (cargo xtask test starts one)"]
async fn queued_writes_share_one_commit_and_read_back_in_pages() {
    let database = new_database().await;
    let store = ResponseStore::open(&database, &[]).await.unwrap();
    let responses: Vec<Response> = (0..50)
        .map(|i| Response::from_json(&patient_response(&uuid(i), 9).to_string()).unwrap())
        .collect();
    // Every save is enqueued before the writer task runs: one batch, one commit.
    let outcomes =
        futures_util::future::join_all(responses.iter().map(|r| store.save(r, None))).await;
    assert!(outcomes.iter().all(|o| *o == Ok(Outcome::Inserted)));
    assert_eq!(store.writes_committed(), 50);
    assert_eq!(store.transactions_committed(), 1);

    let mut snapshot = store.snapshot().await.unwrap();
    // The snapshot holds from its first read: what is stored after it is not seen.
    assert_eq!(snapshot.survey_ids().await.unwrap(), ["patient-experience"]);
    let late = Response::from_json(&patient_response(&uuid(99), 3).to_string()).unwrap();
    assert_eq!(store.save(&late, None).await, Ok(Outcome::Inserted));
    assert!(snapshot.has_responses("patient-experience").await.unwrap());
    assert!(!snapshot.has_responses("every-kind").await.unwrap());
    let page = snapshot.page("patient-experience", None, 20).await.unwrap();
    assert_eq!(page.len(), 20);
    let rest = snapshot
        .page(
            "patient-experience",
            Some((&page[19].received_at, page[19].rowid)),
            1000,
        )
        .await
        .unwrap();
    assert_eq!(
        rest.len(),
        30,
        "the snapshot does not see the late response"
    );
    let mut ids: Vec<&str> = page.iter().chain(&rest).map(|r| r.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 50);
    assert!(rest.iter().all(|r| r.survey_version == 1 && !r.partial));
    drop(snapshot);
    assert_eq!(store.ping().await, Ok(()));
    store.close().await;
}

#[tokio::test]
#[ignore = "needs a PostgreSQL server: SAYSO_TEST_POSTGRES (cargo xtask test starts one)"]
async fn survey_versions_are_kept_across_restarts() {
    let database = new_database().await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path());
    config.database = database.clone();
    // Collectors starting together migrate and record versions one after the other.
    let (first, second) = tokio::join!(AppState::open(&config), AppState::open(&config));
    first.unwrap().store.close().await;
    second.unwrap().store.close().await;
    let mut db = connect(&database).await;
    let versions: Vec<(String, i64)> =
        sqlx::query_as("SELECT survey_id, version FROM survey_versions ORDER BY survey_id")
            .fetch_all(&mut db)
            .await
            .unwrap();
    assert_eq!(
        versions,
        [("every-kind".into(), 3), ("patient-experience".into(), 1)]
    );

    // How it shows may change under the same version; what it asks may not.
    let file = config.surveys.join("patient-experience.json");
    let mut survey: Value = serde_json::from_str(PATIENT_EXPERIENCE).unwrap();
    survey["display"] = json!({ "mode": "modal" });
    std::fs::write(&file, survey.to_string()).unwrap();
    AppState::open(&config).await.unwrap().store.close().await;
    survey["questions"][0]["title"] = json!("Would you recommend another clinic?");
    std::fs::write(&file, survey.to_string()).unwrap();
    let refused = AppState::open(&config)
        .await
        .err()
        .expect("refused")
        .to_string();
    assert!(refused.contains("patient-experience.json"), "{refused}");
    assert!(refused.contains("without a version bump"), "{refused}");

    // A new version starts, and the earlier one is still known.
    survey["version"] = json!(2);
    std::fs::write(&file, survey.to_string()).unwrap();
    let state = AppState::open(&config).await.unwrap();
    let catalog = state.catalog();
    let known = catalog
        .iter()
        .find(|s| s.current.id == "patient-experience")
        .unwrap();
    assert_eq!(known.versions.len(), 2);
    state.store.close().await;
}

#[tokio::test]
#[ignore = "needs a PostgreSQL server: SAYSO_TEST_POSTGRES (cargo xtask test starts one)"]
async fn the_dashboard_and_exports_read_from_postgres() {
    let database = new_database().await;
    let server = start_on(&database).await;
    let ids: Vec<String> = (0..3).map(|i| uuid(100 + i)).collect();
    for (id, nps) in ids.iter().zip([10, 9, 3]) {
        assert_eq!(server.post(&patient_response(id, nps)).await.status(), 201);
    }
    let get = |path: &str| {
        server
            .client
            .get(server.url(path))
            .basic_auth("admin", Some("pg-admin-passphrase"))
            .send()
    };
    let page = get("/admin").await.unwrap().text().await.unwrap();
    // Two promoters and one detractor: NPS = (2 - 1) / 3 = 33.
    assert!(
        page.contains("<span class=\"value\">33</span> NPS"),
        "{page}"
    );
    let export = get("/admin/export.ndjson?survey=patient-experience")
        .await
        .unwrap();
    assert_eq!(export.status(), 200);
    let text = export.text().await.unwrap();
    let exported = exported_ids(&text);
    assert_eq!(exported, ids, "every response, oldest first");
    let csv = get("/admin/export.csv?survey=patient-experience")
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert_eq!(csv.text().await.unwrap().lines().count(), 1 + ids.len());
}

#[tokio::test]
#[ignore = "needs a PostgreSQL server: SAYSO_TEST_POSTGRES (cargo xtask test starts one)"]
async fn storage_failures_are_503_and_say_nothing_of_the_database() {
    let database = new_database().await;
    let server = start_on(&database).await;
    connect(&database)
        .await
        .execute("DROP TABLE responses")
        .await
        .unwrap();
    let body = problem(server.post(&patient_response(&uuid(7), 8)).await, 503).await;
    assert!(
        !body.to_string().to_lowercase().contains("postgres"),
        "{body}"
    );
    assert_eq!(server.get("/healthz").await.status(), 503);
}

#[tokio::test]
#[ignore = "needs a PostgreSQL server: SAYSO_TEST_POSTGRES (cargo xtask test starts one)"]
async fn collectors_connect_over_verified_tls() {
    let ca = std::env::var("SAYSO_TEST_POSTGRES_CA").expect("the test server's CA certificate");
    let Database::Postgres(url) = new_database().await else {
        unreachable!()
    };
    let verified = Database::Postgres(format!("{url}?sslmode=verify-full&sslrootcert={ca}"));
    let server = start_on(&verified).await;
    assert_eq!(
        server.post(&patient_response(&uuid(1), 9)).await.status(),
        201
    );
    // Every connection the collector holds is encrypted.
    let (connections, encrypted): (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(*) FILTER (WHERE s.ssl)
         FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)
         WHERE a.application_name = 'sayso-collector' AND a.datname = current_database()",
    )
    .fetch_one(&mut connect(&verified).await)
    .await
    .unwrap();
    assert!(
        connections >= 3,
        "writer, reader and health check: {connections}"
    );
    assert_eq!(encrypted, connections);

    // A server whose certificate the collector cannot verify (the test CA is not among the
    // public roots) stops startup.
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path());
    config.database = Database::Postgres(format!("{url}?sslmode=verify-full"));
    let error = AppState::open(&config)
        .await
        .err()
        .expect("refused")
        .to_string();
    assert!(error.to_lowercase().contains("certificate"), "{error}");
}

#[tokio::test]
#[ignore = "needs a PostgreSQL server: SAYSO_TEST_POSTGRES (cargo xtask test starts one)"]
async fn collectors_sharing_a_database_deliver_each_webhook_once() {
    const RESPONSES: u64 = 40;
    let mut receiver = Receiver::start(&[]).await;
    let url = format!("{}/in", receiver.base);
    let database = new_database().await;
    let start = || {
        let (database, url) = (database.clone(), url.clone());
        TestServer::start_with(move |c, _| {
            c.database = database;
            c.webhooks = vec![url];
            c.webhook_secret = Secret::new(SECRET);
            c.webhook_retry = std::time::Duration::from_millis(20);
        })
    };
    let (a, b) = (start().await, start().await);
    for i in 0..RESPONSES {
        let server = if i % 2 == 0 { &a } else { &b };
        let body = patient_response(&uuid(500 + i), (i % 11) as u8);
        assert_eq!(server.post(&body).await.status(), 201);
    }
    let mut ids = Vec::new();
    for _ in 0..RESPONSES {
        ids.push(
            verified(&receiver.next().await)["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    wait_until_delivered(&a).await;
    assert!(receiver.got.try_recv().is_err(), "no event sent twice");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len() as u64, RESPONSES);
}

#[tokio::test]
async fn an_unreachable_server_stops_startup_without_showing_the_password() {
    // A port on loopback that nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path());
    config.database = format!("postgres://sayso:hunter2@127.0.0.1:{port}/sayso")
        .parse()
        .unwrap();
    let error = AppState::open(&config)
        .await
        .err()
        .expect("refused")
        .to_string();
    assert!(
        error.contains(&format!("postgres://sayso:***@127.0.0.1:{port}/sayso")),
        "{error}"
    );
    assert!(!error.contains("hunter2"), "{error}");
}

#[tokio::test]
#[ignore = "needs a PostgreSQL server: SAYSO_TEST_POSTGRES (cargo xtask test starts one)"]
async fn erasure_and_retention_on_postgres() {
    let database = new_database().await;
    let mut receiver = Receiver::start(&[503; 10_000]).await;
    let url = format!("{}/in", receiver.base);
    let server = {
        let database = database.clone();
        TestServer::start_with(move |c, _| {
            c.database = database;
            c.admin_token = AdminToken::new("pg-admin-passphrase");
            c.webhooks = vec![url];
            c.webhook_secret = Secret::new(SECRET);
            c.webhook_retry = std::time::Duration::from_secs(3600);
        })
        .await
    };
    let (erased, old) = (uuid(300), uuid(301));
    for id in [&erased, &old] {
        assert_eq!(server.post(&patient_response(id, 2)).await.status(), 201);
    }
    receiver.next().await;
    let mut db = connect(&database).await;
    assert_eq!(waiting(&mut db).await, [erased.clone(), old.clone()]);

    let r = server
        .client
        .delete(server.url(&format!("/admin/responses/{erased}")))
        .basic_auth("admin", Some("pg-admin-passphrase"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(
        status_of(server.post(&patient_response(&erased, 2)).await).await,
        (200, "erased".to_owned())
    );
    assert_eq!(row_count(&mut db).await, 1);
    assert_eq!(waiting(&mut db).await, std::slice::from_ref(&old));

    sqlx::query("UPDATE responses SET received_at = '2020-01-01T00:00:00.000Z' WHERE id = $1")
        .bind(&old)
        .execute(&mut db)
        .await
        .unwrap();
    let cutoff = sayso_collector::retention::cutoff(sayso_collector::webhooks::now_ms(), 30);
    let store = &server.state.store;
    assert_eq!(store.erase_received_before(&cutoff).await.unwrap(), 1);
    assert_eq!(row_count(&mut db).await, 0);
    assert!(waiting(&mut db).await.is_empty());
}

/// Ids of the responses that have webhook deliveries waiting.
async fn waiting(db: &mut PgConnection) -> Vec<String> {
    sqlx::query_scalar("SELECT event_id FROM webhook_deliveries ORDER BY event_id")
        .fetch_all(db)
        .await
        .unwrap()
}

#[tokio::test]
#[ignore = "needs a PostgreSQL server: SAYSO_TEST_POSTGRES (cargo xtask test starts one)"]
async fn retention_spares_a_response_renewed_while_it_waits_for_the_row() {
    let database = new_database().await;
    let server = start_on(&database).await;
    let id = uuid(310);
    assert_eq!(server.post(&patient_response(&id, 9)).await.status(), 201);
    let mut db = connect(&database).await;
    sqlx::query("UPDATE responses SET received_at = '2020-01-01T00:00:00.000Z' WHERE id = $1")
        .bind(&id)
        .execute(&mut db)
        .await
        .unwrap();

    // Another writer (a complete response replacing this partial one) holds the row and
    // renews it; the retention's DELETE waits for it.
    let mut writer = connect(&database).await;
    let mut tx = writer.begin().await.unwrap();
    sqlx::query("UPDATE responses SET received_at = '2999-01-01T00:00:00.000Z' WHERE id = $1")
        .bind(&id)
        .execute(&mut *tx)
        .await
        .unwrap();
    let store = server.state.store.clone();
    let cutoff = sayso_collector::retention::cutoff(sayso_collector::webhooks::now_ms(), 30);
    let erase = tokio::spawn(async move { store.erase_received_before(&cutoff).await });
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity
             WHERE wait_event_type = 'Lock' AND query LIKE 'DELETE FROM responses%'",
        )
        .fetch_one(&mut db)
        .await
        .unwrap();
        if waiting > 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the DELETE never waited for the row"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    tx.commit().await.unwrap();

    assert_eq!(erase.await.unwrap().unwrap(), 0, "the renewed row is kept");
    assert_eq!(row_count(&mut db).await, 1);
}

#[tokio::test]
#[ignore = "needs a PostgreSQL server: SAYSO_TEST_POSTGRES (cargo xtask test starts one)"]
async fn a_survey_only_a_later_collector_has_is_refused_for_now_not_for_good() {
    let database = new_database().await;
    let server = start_on(&database).await;
    // A collector started later, with a new survey's file, recorded it (a rolling update).
    let mut db = connect(&database).await;
    sqlx::query(
        "INSERT INTO survey_versions (survey_id, version, definition, first_seen)
         VALUES ('flu-clinic', 1, '{}', '2026-12-03T10:00:00.000Z')",
    )
    .execute(&mut db)
    .await
    .unwrap();
    let answering = |survey: &str| {
        let mut body = patient_response(&uuid(320), 9);
        body["survey"]["id"] = json!(survey);
        body
    };
    let r = server.post(&answering("flu-clinic")).await;
    assert_eq!(r.status(), 503);
    assert!(r.headers().contains_key("retry-after"));
    let problem: Value = r.json().await.unwrap();
    assert_eq!(
        problem["type"],
        "urn:sayso:problem:survey-version-not-yet-known"
    );
    // A survey no collector has is refused for good.
    let r = server.post(&answering("no-such-survey")).await;
    assert_eq!(r.status(), 422);
    assert_eq!(row_count(&mut db).await, 0);
}
