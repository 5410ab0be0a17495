//! Erasing responses, over a real socket on a real SQLite file: one on request (`DELETE
//! /admin/responses/{id}`), whose id is then refused storage for good, and every response past
//! the retention period (`--retention-days`), with the webhook deliveries of both.

mod common;

use std::time::Duration;

use common::receiver::*;
use common::*;
use sayso_collector::AdminToken;
use sayso_collector::config::Secret;
use serde_json::{Value, json};

const TOKEN: &str = "erasure-admin-pass";

fn configure(c: &mut sayso_collector::Config, webhook: &str) {
    c.admin_token = AdminToken::new(TOKEN);
    c.webhooks = vec![webhook.to_owned()];
    c.webhook_secret = Secret::new(SECRET);
    c.webhook_retry = Duration::from_secs(3600);
}

async fn erase(server: &TestServer, id: &str, password: &str) -> reqwest::Response {
    server
        .client
        .delete(server.url(&format!("/admin/responses/{id}")))
        .basic_auth("admin", Some(password))
        .send()
        .await
        .unwrap()
}

async fn exported(server: &TestServer) -> Vec<String> {
    let r = server
        .client
        .get(server.url("/admin/export.ndjson?survey=patient-experience"))
        .basic_auth("admin", Some(TOKEN))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    exported_ids(&r.text().await.unwrap())
}

/// Ids of the responses that have webhook deliveries waiting.
async fn waiting_deliveries(server: &TestServer) -> Vec<String> {
    sqlx::query_scalar("SELECT event_id FROM webhook_deliveries ORDER BY event_id")
        .fetch_all(&mut server.database().await)
        .await
        .unwrap()
}

#[tokio::test]
async fn an_erased_response_is_gone_and_never_stored_again() {
    // The receiver refuses everything: deliveries wait in the database.
    let mut receiver = Receiver::start(&[503; 10_000]).await;
    let url = format!("{}/in", receiver.base);
    let server = TestServer::start_with(|c, _| configure(c, &url)).await;
    let (erased, kept) = (uuid(1), uuid(2));
    for id in [&erased, &kept] {
        assert_eq!(server.post(&patient_response(id, 3)).await.status(), 201);
    }
    assert_eq!(receiver.next().await.status, 503);
    assert_eq!(
        waiting_deliveries(&server).await,
        [erased.clone(), kept.clone()]
    );

    // Refused without the password; ids in any case.
    problem(erase(&server, &erased, "wrong").await, 401).await;
    assert_eq!(
        erase(&server, &erased.to_uppercase(), TOKEN).await.status(),
        204
    );
    let mut db = server.database().await;
    assert_eq!(stored(&mut db, &erased).await, None);
    assert!(stored(&mut db, &kept).await.is_some());
    assert_eq!(exported(&server).await, std::slice::from_ref(&kept));
    assert_eq!(
        waiting_deliveries(&server).await,
        std::slice::from_ref(&kept),
        "not sent"
    );

    // A copy from the visitor's browser, complete or partial, is acknowledged, not stored.
    let mut partial = patient_response(&erased, 3);
    partial["partial"] = json!(true);
    for copy in [patient_response(&erased, 3), partial] {
        let r = server.post(&copy).await;
        assert_eq!(r.status(), 200);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body, json!({ "id": erased, "status": "erased" }));
    }
    assert_eq!(stored(&mut db, &erased).await, None);
    assert_eq!(server.count().await, 1);
    assert_eq!(
        waiting_deliveries(&server).await,
        std::slice::from_ref(&kept)
    );

    // Erasing again is no error; an id never stored, or not an id, is.
    assert_eq!(erase(&server, &erased, TOKEN).await.status(), 204);
    let unknown = problem(erase(&server, &uuid(3), TOKEN).await, 404).await;
    assert!(unknown["detail"].as_str().unwrap().contains(&uuid(3)));
    let bad = problem(erase(&server, "patient-42", TOKEN).await, 400).await;
    assert!(
        bad["detail"]
            .as_str()
            .unwrap()
            .contains("not a response id")
    );
    // A path that is not UTF-8 is a problem document too, not the framework's plain text.
    let unreadable = problem(erase(&server, "%FF", TOKEN).await, 400).await;
    assert!(unreadable["detail"].as_str().unwrap().contains("UTF-8"));
}

#[tokio::test]
async fn retention_erases_what_was_stored_too_long_ago() {
    let mut receiver = Receiver::start(&[503; 10_000]).await;
    let url = format!("{}/in", receiver.base);
    let dir = tempfile::tempdir().unwrap();
    let mut first = TestServer::start_in(dir, |c, _| configure(c, &url)).await;
    let (old, recent) = (uuid(10), uuid(11));
    for id in [&old, &recent] {
        assert_eq!(first.post(&patient_response(id, 9)).await.status(), 201);
    }
    receiver.next().await;
    // The first was stored 31 days ago; 1,200 more were stored in 2020, past a batch.
    let database = sqlite_file(&first.database).to_owned();
    fill_with_large_rows(&database, "patient-experience", 1200, 10).await;
    let a_month_ago =
        sayso_schema::utc_time(sayso_collector::webhooks::now_ms() - 31 * 86_400_000).unwrap();
    let mut db = first.database().await;
    sqlx::query("UPDATE responses SET received_at = ?1 WHERE id = ?2")
        .bind(&a_month_ago)
        .bind(&old)
        .execute(&mut db)
        .await
        .unwrap();
    sqlx::query("UPDATE responses SET received_at = '2020-' || substr(received_at, 6) WHERE id LIKE '00000000-0000-4000-9000-%'")
        .execute(&mut db)
        .await
        .unwrap();
    drop(db);
    assert_eq!(first.count().await, 1202);
    first.shut_down().await;
    first.state.store.close().await;
    let dir = std::mem::replace(&mut first.dir, tempfile::tempdir().unwrap());
    drop(first);

    // Started again with 30 days of retention: what is older goes at startup.
    let second = TestServer::start_in(dir, |c, _| {
        configure(c, &url);
        c.retention_days = Some(30);
    })
    .await;
    tokio::time::timeout(PATIENCE, async {
        while second.count().await > 1 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("old responses erased in time");
    assert!(
        stored(&mut second.database().await, &recent)
            .await
            .is_some()
    );
    assert_eq!(
        waiting_deliveries(&second).await,
        std::slice::from_ref(&recent)
    );

    // A copy of the erased one, sent again by a browser that never heard its answer, was
    // submitted before the period too: acknowledged (so the browser forgets it), not stored,
    // and no webhook fires again.
    let mut copy = patient_response(&old, 9);
    copy["context"]["started_at"] = json!(a_month_ago);
    copy["context"]["submitted_at"] = json!(a_month_ago);
    let r = second.post(&copy).await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body, json!({ "id": old, "status": "expired" }));
    assert_eq!(second.count().await, 1);
    assert_eq!(
        waiting_deliveries(&second).await,
        std::slice::from_ref(&recent)
    );
    let metrics = second.state.metrics.render(Default::default());
    assert!(metrics.contains("sayso_responses_total{outcome=\"expired\"} 1\n"));

    // The store's own pass, with a cutoff after everything: the rest goes too, counted.
    let erased = second
        .state
        .store
        .erase_received_before("9999-01-01T00:00:00.000Z")
        .await
        .unwrap();
    assert_eq!(erased, 1);
    assert_eq!(second.count().await, 0);
    assert!(waiting_deliveries(&second).await.is_empty());
}

/// Whether `marker` is anywhere in the database's files (the main file, its WAL and index).
fn on_disk(database: &std::path::Path, marker: &str) -> bool {
    ["", "-wal", "-shm"].iter().any(|suffix| {
        let mut name = database.as_os_str().to_owned();
        name.push(suffix);
        std::fs::read(&name)
            .is_ok_and(|bytes| bytes.windows(marker.len()).any(|w| w == marker.as_bytes()))
    })
}

#[tokio::test]
async fn an_erased_response_leaves_no_copy_in_the_database_files() {
    let mut receiver = Receiver::start(&[503; 10_000]).await;
    let url = format!("{}/in", receiver.base);
    let mut server = TestServer::start_with(|c, _| configure(c, &url)).await;
    let (erased, kept) = (uuid(20), uuid(21));
    for (id, words) in [
        (&erased, "ERASE-ME call Jane Doe"),
        (&kept, "KEEP-ME all fine"),
    ] {
        let mut response = patient_response(id, 3);
        response["answers"]["comment"] = json!(words);
        assert_eq!(server.post(&response).await.status(), 201);
    }
    // Its webhook delivery (which holds the whole response) waits too.
    assert_eq!(receiver.next().await.status, 503);
    let database = sqlite_file(&server.database).to_owned();
    assert!(
        on_disk(&database, "ERASE-ME"),
        "the check can see a stored text"
    );

    // Checked while the collector runs, as a backup taken now would copy them, and after it
    // stopped.
    assert_eq!(erase(&server, &erased, TOKEN).await.status(), 204);
    assert!(
        !on_disk(&database, "ERASE-ME"),
        "no copy of the erased answers"
    );
    assert!(
        on_disk(&database, "KEEP-ME"),
        "the other response is still there"
    );
    server.shut_down().await;
    server.state.store.close().await;
    assert!(!on_disk(&database, "ERASE-ME"));
    assert!(on_disk(&database, "KEEP-ME"));
}

#[tokio::test]
async fn a_reader_on_an_old_snapshot_delays_the_scrub_of_an_erasure_not_intake() {
    let mut receiver = Receiver::start(&[503; 10_000]).await;
    let url = format!("{}/in", receiver.base);
    let server = TestServer::start_with(|c, _| configure(c, &url)).await;
    let erased = uuid(30);
    let mut response = patient_response(&erased, 3);
    response["answers"]["comment"] = json!("ERASE-ME-TOO call Jane Doe");
    assert_eq!(server.post(&response).await.status(), 201);
    assert_eq!(receiver.next().await.status, 503);
    let database = sqlite_file(&server.database).to_owned();

    // A reader (a slow export, a backup tool) holds a snapshot from before the erasure.
    let mut reader = open_database(&database).await;
    sqlx::query("BEGIN").execute(&mut reader).await.unwrap();
    assert_eq!(count(&mut reader).await, 1);

    // Erasing and storing go on meanwhile: a checkpoint waiting for that reader holds
    // writers back for at most a moment, not for the database's 10 s timeout.
    let started = std::time::Instant::now();
    assert_eq!(erase(&server, &erased, TOKEN).await.status(), 204);
    assert_eq!(
        server.post(&patient_response(&uuid(31), 9)).await.status(),
        201
    );
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "held up for {took:?}");
    assert!(
        on_disk(&database, "ERASE-ME-TOO"),
        "the reader's snapshot still needs the old pages"
    );

    // Once the reader lets go, a later checkpoint leaves no copy.
    sqlx::query("COMMIT").execute(&mut reader).await.unwrap();
    drop(reader);
    let deadline = std::time::Instant::now() + PATIENCE;
    while on_disk(&database, "ERASE-ME-TOO") {
        assert!(
            std::time::Instant::now() < deadline,
            "the erased answers stayed in the files"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
