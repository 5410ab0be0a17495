//! Receiving responses over a real socket into a real SQLite file: what is stored, what is
//! refused and how, CORS, idempotency and group commit.

mod common;

use common::*;
use reqwest::header::{ACCESS_CONTROL_ALLOW_ORIGIN, CONTENT_TYPE, VARY};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn a_valid_response_is_stored_as_sent() {
    let server = TestServer::start().await;
    let body = every_kind_response(&uuid(1));
    let response = server.post(&body).await;
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer, json!({ "id": uuid(1), "status": "stored" }));

    let mut db = server.database().await;
    let (answers, partial) = stored(&mut db, &uuid(1)).await.unwrap();
    assert_eq!(answers, body["answers"]);
    assert!(!partial);
    let (survey, version, stored_body): (String, i64, String) =
        sqlx::query_as("SELECT survey_id, survey_version, body FROM responses WHERE id = ?1")
            .bind(uuid(1))
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!((survey.as_str(), version), ("every-kind", 3));
    assert_eq!(serde_json::from_str::<Value>(&stored_body).unwrap(), body);
}

#[tokio::test]
async fn the_same_id_twice_is_stored_once() {
    let server = TestServer::start().await;
    let body = patient_response(&uuid(2), 9);
    assert_eq!(server.post(&body).await.status(), 201);
    let again = server.post(&body).await;
    assert_eq!(again.status(), 200);
    let answer: Value = again.json().await.unwrap();
    assert_eq!(answer["status"], "duplicate");
    assert_eq!(server.count().await, 1);
}

#[tokio::test]
async fn a_partial_is_replaced_by_its_complete_response() {
    let server = TestServer::start().await;
    let id = uuid(3);
    let mut partial = patient_response(&id, 6);
    partial["partial"] = json!(true);
    partial["answers"] = json!({ "nps": 6 });
    let r = server.post(&partial).await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "stored");

    // A later partial with more answers replaces the first.
    partial["answers"] = json!({ "nps": 6, "response_time": 2 });
    partial["context"]["submitted_at"] = json!("2026-11-24T09:01:30.000Z");
    let r = server.post(&partial).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "updated");

    let complete = patient_response(&id, 7);
    let r = server.post(&complete).await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "completed");

    // A partial that arrives late (a retried beacon) changes nothing.
    let r = server.post(&partial).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "duplicate");

    let mut db = server.database().await;
    assert_eq!(count(&mut db).await, 1);
    let (answers, is_partial) = stored(&mut db, &id).await.unwrap();
    assert!(!is_partial);
    assert_eq!(answers, complete["answers"]);
}

#[tokio::test]
async fn text_plain_bodies_are_accepted() {
    let server = TestServer::start().await;
    let body = patient_response(&uuid(4), 10).to_string();
    let r = server.post_as("text/plain;charset=UTF-8", body).await;
    assert_eq!(r.status(), 201);
    assert_eq!(server.count().await, 1);
}

#[tokio::test]
async fn other_content_types_are_refused() {
    let server = TestServer::start().await;
    let body = patient_response(&uuid(5), 10).to_string();
    for content_type in [
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "text/html",
    ] {
        let r = server.post_as(content_type, body.clone()).await;
        let p = problem(r, 415).await;
        assert_eq!(p["type"], "urn:sayso:problem:unsupported-media-type");
    }
    let no_type = server
        .client
        .post(server.url("/v1/responses"))
        .body(body)
        .send()
        .await
        .unwrap();
    problem(no_type, 415).await;
    assert_eq!(server.count().await, 0);
}

#[tokio::test]
async fn bodies_over_64_kib_are_refused() {
    let server = TestServer::start().await;
    let mut body = patient_response(&uuid(6), 10);
    body["answers"]["comment"] = json!("x".repeat(70 * 1024));
    let p = problem(server.post(&body).await, 413).await;
    assert!(p["detail"].as_str().unwrap().contains("65536"));

    // Without a Content-Length (chunked), the limit holds as the body streams in.
    let address = server.base.strip_prefix("http://").unwrap();
    let mut socket = tokio::net::TcpStream::connect(address).await.unwrap();
    let chunk = "y".repeat(70 * 1024);
    let request = format!(
        "POST /v1/responses HTTP/1.1\r\nHost: {address}\r\nContent-Type: text/plain\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{chunk}\r\n0\r\n\r\n",
        chunk.len()
    );
    socket.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(PATIENCE, socket.read_to_end(&mut answer))
        .await
        .expect("an answer in time")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert_eq!(server.count().await, 0);
}

#[tokio::test]
async fn malformed_bodies_are_400_with_the_path() {
    let server = TestServer::start().await;
    let p = problem(
        server.post_as("application/json", "{\"id\": ".into()).await,
        400,
    )
    .await;
    assert_eq!(error_paths(&p), ["$"]);
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .starts_with("$: not valid JSON")
    );

    let mut body = patient_response(&uuid(7), 9);
    body["surprise"] = json!(1);
    body["context"]["user_agent"] = json!("Mozilla/5.0");
    let p = problem(server.post(&body).await, 400).await;
    assert_eq!(p["type"], "urn:sayso:problem:malformed-response");
    let paths = error_paths(&p);
    assert!(paths.contains(&"$.surprise".to_owned()), "{paths:?}");
    assert!(
        paths.contains(&"$.context.user_agent".to_owned()),
        "{paths:?}"
    );
    assert_eq!(server.count().await, 0);
}

#[tokio::test]
async fn invalid_answers_are_422_naming_each_answer() {
    let server = TestServer::start().await;
    let mut body = every_kind_response(&uuid(8));
    body["answers"]["nps"] = json!(11);
    body["answers"]["topics"] = json!(["billing", "gardening"]);
    let p = problem(server.post(&body).await, 422).await;
    assert_eq!(p["type"], "urn:sayso:problem:invalid-response");
    let paths = error_paths(&p);
    assert!(paths.contains(&"$.answers.nps".to_owned()), "{paths:?}");
    assert!(
        paths.iter().any(|p| p.starts_with("$.answers.topics")),
        "{paths:?}"
    );
    assert!(p["detail"].as_str().unwrap().contains("$.answers."));
    assert_eq!(server.count().await, 0);
}

#[tokio::test]
async fn unknown_surveys_are_422_and_versions_newer_than_known_503() {
    let server = TestServer::start().await;
    let mut body = patient_response(&uuid(9), 9);
    body["survey"]["id"] = json!("no-such-survey");
    let p = problem(server.post(&body).await, 422).await;
    assert_eq!(p["type"], "urn:sayso:problem:unknown-survey");
    assert_eq!(error_paths(&p), ["$.survey.id"]);

    // A version this collector has not been given yet (another collector has, during a rolling
    // update): temporary, so the widget keeps the response and sends it again.
    body["survey"] = json!({ "id": "patient-experience", "version": 7 });
    let r = server.post(&body).await;
    assert_eq!(r.headers()["retry-after"], "60");
    let p = problem(r, 503).await;
    assert_eq!(p["type"], "urn:sayso:problem:survey-version-not-yet-known");
    assert_eq!(error_paths(&p), ["$.survey.version"]);
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("has no version 7 (current: 1); nothing was stored, send it again later")
    );
    assert_eq!(server.count().await, 0);
}

#[tokio::test]
async fn an_id_used_by_another_survey_is_a_conflict() {
    let server = TestServer::start().await;
    assert_eq!(
        server.post(&every_kind_response(&uuid(10))).await.status(),
        201
    );
    let p = problem(server.post(&patient_response(&uuid(10), 9)).await, 409).await;
    assert_eq!(p["type"], "urn:sayso:problem:id-conflict");
    assert_eq!(server.count().await, 1);
}

#[tokio::test]
async fn preflights_are_answered_by_origin() {
    let server = TestServer::start().await;
    let preflight = |origin: &'static str| {
        server
            .client
            .request(reqwest::Method::OPTIONS, server.url("/v1/responses"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let allowed = preflight("https://clinic.example").await.unwrap();
    assert_eq!(allowed.status(), 204);
    let h = allowed.headers();
    assert_eq!(h[ACCESS_CONTROL_ALLOW_ORIGIN], "https://clinic.example");
    assert_eq!(h["access-control-allow-methods"], "GET, POST, OPTIONS");
    assert_eq!(h["access-control-allow-headers"], "content-type");
    assert_eq!(h["access-control-max-age"], "86400");
    assert!(!h.contains_key("set-cookie"));

    let refused = preflight("https://evil.example").await.unwrap();
    assert!(!refused.headers().contains_key(ACCESS_CONTROL_ALLOW_ORIGIN));
    problem(refused, 403).await;

    let survey = server
        .client
        .request(
            reqwest::Method::OPTIONS,
            server.url("/v1/surveys/every-kind"),
        )
        .header("origin", "http://localhost:8080")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert_eq!(survey.status(), 204);
    assert_eq!(
        survey.headers()[ACCESS_CONTROL_ALLOW_ORIGIN],
        "http://localhost:8080"
    );
}

#[tokio::test]
async fn posts_are_checked_against_their_own_survey() {
    let server = TestServer::start().await;

    // Allowed by every-kind: stored, and readable by the page.
    let r = server
        .post_from("https://clinic.example", &every_kind_response(&uuid(11)))
        .await;
    assert_eq!(r.status(), 201);
    assert_eq!(
        r.headers()[ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://clinic.example"
    );
    assert!(r.headers().get_all(VARY).iter().any(|v| v == "origin"));

    // Allowed by nobody.
    let r = server
        .post_from("https://evil.example", &every_kind_response(&uuid(12)))
        .await;
    assert!(!r.headers().contains_key(ACCESS_CONTROL_ALLOW_ORIGIN));
    let p = problem(r, 403).await;
    assert_eq!(p["type"], "urn:sayso:problem:origin-not-allowed");

    // Allowed by every-kind, but patient-experience allows no other origin: refused, and the
    // page may read why (so the widget drops the response with that reason, rather than
    // retrying what can never be stored, as it would after an unreadable answer).
    let r = server
        .post_from("https://clinic.example", &patient_response(&uuid(13), 9))
        .await;
    assert_eq!(
        r.headers()[ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://clinic.example"
    );
    let p = problem(r, 403).await;
    assert_eq!(p["type"], "urn:sayso:problem:origin-not-allowed");

    // The collector's own pages (the demo page) are always allowed, and may read the answer:
    // one served over http while the endpoint is https (or the reverse) is cross-origin to the
    // browser.
    let own = server.base.replacen("http://", "https://", 1);
    let r = server
        .post_from(&own, &patient_response(&uuid(14), 9))
        .await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], own.as_str());

    // Without an Origin (curl, a server): allowed.
    assert_eq!(
        server.post(&patient_response(&uuid(15), 9)).await.status(),
        201
    );

    let mut db = server.database().await;
    assert_eq!(count(&mut db).await, 3);
    for refused in [12, 13] {
        assert!(stored(&mut db, &uuid(refused)).await.is_none());
    }
}

#[tokio::test]
async fn allow_origin_flags_extend_every_survey() {
    let server = TestServer::start_with(|c, _| {
        c.allow_origins = vec!["https://partner.example".into()];
    })
    .await;
    let r = server
        .post_from("https://partner.example", &patient_response(&uuid(16), 8))
        .await;
    assert_eq!(r.status(), 201);
    assert_eq!(
        r.headers()[ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://partner.example"
    );
}

#[tokio::test]
async fn survey_definitions_are_served() {
    let server = TestServer::start().await;
    let r = server.get("/v1/surveys/every-kind").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()[CONTENT_TYPE], "application/json");
    assert_eq!(r.headers()["cache-control"], "no-cache");
    let etag = r.headers()["etag"].clone();
    let served = sayso_schema::SurveyDefinition::from_json(&r.text().await.unwrap()).unwrap();
    assert_eq!(
        served,
        sayso_schema::SurveyDefinition::from_json(EVERY_KIND).unwrap()
    );

    let again = server
        .client
        .get(server.url("/v1/surveys/every-kind"))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);

    let r = server
        .client
        .get(server.url("/v1/surveys/every-kind"))
        .header("origin", "https://clinic.example")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()[ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://clinic.example"
    );

    let r = server
        .client
        .get(server.url("/v1/surveys/every-kind"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    problem(r, 403).await;

    let r = server.get("/v1/surveys/nope").await;
    let p = problem(r, 404).await;
    assert!(p["detail"].as_str().unwrap().contains("nope"));
}

#[tokio::test]
async fn schemas_and_health() {
    let server = TestServer::start().await;
    for name in ["survey-definition.schema.json", "response-v1.schema.json"] {
        let r = server.get(&format!("/v1/schemas/{name}")).await;
        assert_eq!(r.status(), 200, "{name}");
        let schema: Value = r.json().await.unwrap();
        assert!(schema["title"].is_string(), "{name}");
    }
    let r = server.get("/v1/schemas/other.json").await;
    problem(r, 404).await;

    let r = server.get("/healthz").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_responses_share_commits() {
    const N: u64 = 200;
    let server = TestServer::start().await;
    let mut posts = tokio::task::JoinSet::new();
    for i in 0..N {
        let client = server.client.clone();
        let url = server.url("/v1/responses");
        let body = patient_response(&uuid(1000 + i), (i % 11) as u8).to_string();
        posts.spawn(async move {
            let r = client
                .post(url)
                .header(CONTENT_TYPE, "text/plain;charset=UTF-8")
                .body(body)
                .send()
                .await
                .unwrap();
            r.status().as_u16()
        });
    }
    let statuses = tokio::time::timeout(PATIENCE, posts.join_all())
        .await
        .expect("every POST answered in time");
    assert_eq!(statuses.len(), N as usize);
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    assert_eq!(server.count().await, N as i64);

    let store = &server.state.store;
    assert_eq!(store.writes_committed(), N);
    let commits = store.transactions_committed();
    assert!(
        commits < N,
        "{commits} transactions for {N} writes: no group commit"
    );
    eprintln!("{N} responses in {commits} transactions");
}

#[tokio::test]
async fn storage_failures_are_503_and_say_nothing_of_the_database() {
    let server = TestServer::start().await;
    // Break the storage under the running collector, as a bad manual edit would.
    sqlx::query("DROP TABLE responses")
        .execute(&mut server.database().await)
        .await
        .unwrap();
    let r = server.post(&patient_response(&uuid(20), 9)).await;
    assert_eq!(r.headers()["retry-after"], "5");
    let p = problem(r, 503).await;
    assert_eq!(p["type"], "urn:sayso:problem:storage-unavailable");
    assert!(!p.to_string().contains("table"), "{p}");

    let r = server.get("/healthz").await;
    let p = problem(r, 503).await;
    assert_eq!(p["type"], "urn:sayso:problem:database-unavailable");
    assert_eq!(p["detail"], "the database does not answer; try again later");
}

/// `(answers, partial, submitted_at)` stored for `id`.
async fn stored_with_time(server: &TestServer, id: &str) -> (Value, bool, String) {
    let (answers, partial, submitted_at): (String, bool, String) =
        sqlx::query_as("SELECT answers, partial, submitted_at FROM responses WHERE id = ?1")
            .bind(id)
            .fetch_one(&mut server.database().await)
            .await
            .unwrap();
    (
        serde_json::from_str(&answers).unwrap(),
        partial,
        submitted_at,
    )
}

#[tokio::test]
async fn an_older_partial_never_replaces_a_newer_one() {
    let server = TestServer::start().await;
    let id = uuid(30);
    let partial = |nps: u8, submitted_at: &str| {
        let mut body = patient_response(&id, nps);
        body["partial"] = json!(true);
        body["answers"] = json!({ "nps": nps });
        body["context"]["submitted_at"] = json!(submitted_at);
        body
    };
    // Lowercase 't' and 'z' are RFC 3339 too.
    let r = server.post(&partial(9, "2026-11-24t09:30:00z")).await;
    assert_eq!(r.status(), 201);
    let r = server.post(&partial(5, "2026-11-24t08:30:00z")).await;
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "duplicate");
    let (answers, _, submitted_at) = stored_with_time(&server, &id).await;
    assert_eq!(answers, json!({ "nps": 9 }));
    assert_eq!(submitted_at, "2026-11-24T09:30:00.000Z");

    // Offsets: 10:45+02:00 is 08:45Z, older; 11:45+02:00 is 09:45Z, newer.
    let r = server.post(&partial(4, "2026-11-24T10:45:00+02:00")).await;
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "duplicate");
    let r = server.post(&partial(6, "2026-11-24T11:45:00+02:00")).await;
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "updated");
    // A leap second is later than the second before it.
    let r = server.post(&partial(7, "2026-11-24T09:45:60Z")).await;
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "updated");
    let r = server.post(&partial(8, "2026-11-24T09:45:59.5Z")).await;
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "duplicate");
    let (answers, partial, submitted_at) = stored_with_time(&server, &id).await;
    assert_eq!(answers, json!({ "nps": 7 }));
    assert!(partial);
    assert_eq!(submitted_at, "2026-11-24T09:45:59.999Z");
}

#[tokio::test]
async fn one_uuid_in_either_case_is_one_response() {
    let server = TestServer::start().await;
    let id = "0B5F3A4E-8C1D-4F7A-9E2B-6D3C1A0F4E5B";
    let r = server.post(&patient_response(id, 9)).await;
    assert_eq!(r.status(), 201);
    let answer: Value = r.json().await.unwrap();
    assert_eq!(answer["id"], id.to_lowercase());
    let r = server.post(&patient_response(&id.to_lowercase(), 9)).await;
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "duplicate");
    let r = server
        .post(&patient_response("0b5f3a4e-8C1D-4f7a-9E2B-6d3c1a0f4e5b", 9))
        .await;
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "duplicate");
    assert_eq!(server.count().await, 1);
    let mut db = server.database().await;
    assert!(stored(&mut db, &id.to_lowercase()).await.is_some());
}

#[tokio::test]
async fn wrong_methods_and_unreadable_paths_are_problems() {
    let server = TestServer::start().await;
    let r = server.get("/v1/responses").await;
    let allow = r.headers()["allow"].to_str().unwrap().to_owned();
    assert!(allow.contains("POST"), "{allow}");
    let p = problem(r, 405).await;
    assert_eq!(p["type"], "urn:sayso:problem:method-not-allowed");
    assert!(p["detail"].as_str().unwrap().contains("GET"), "{p}");
    let r = server
        .client
        .put(server.url("/v1/surveys/patient-experience"))
        .body("{}")
        .send()
        .await
        .unwrap();
    problem(r, 405).await;

    for path in ["/v1/surveys/%ff", "/v1/schemas/%C3%28"] {
        let r = server.get(path).await;
        let p = problem(r, 400).await;
        assert!(p["detail"].as_str().unwrap().contains(path), "{p}");
    }
}

#[tokio::test]
async fn query_strings_are_stored_only_where_the_survey_keeps_them() {
    let server = TestServer::start_with(|_, root| {
        let mut keeping: Value = serde_json::from_str(PATIENT_EXPERIENCE).unwrap();
        keeping["id"] = json!("keeps-queries");
        keeping["privacy"] = json!({ "strip_url_query": false });
        std::fs::write(
            root.join("surveys").join("keeps-queries.json"),
            keeping.to_string(),
        )
        .unwrap();
    })
    .await;
    let url = "https://riverside.example/support?patient=42#visit";
    let referrer = "https://search.example/?q=riverside+clinic";
    let mut body = patient_response(&uuid(40), 9);
    body["context"]["url"] = json!(url);
    body["context"]["referrer"] = json!(referrer);
    assert_eq!(server.post(&body).await.status(), 201);
    body["id"] = json!(uuid(41));
    body["survey"]["id"] = json!("keeps-queries");
    assert_eq!(server.post(&body).await.status(), 201);

    let mut db = server.database().await;
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT id, context, body FROM responses ORDER BY id")
            .fetch_all(&mut db)
            .await
            .unwrap();
    let urls: Vec<(Value, Value)> = rows
        .iter()
        .flat_map(|(_, context, body)| {
            let context: Value = serde_json::from_str(context).unwrap();
            let body: Value = serde_json::from_str(body).unwrap();
            [context, body["context"].clone()]
        })
        .map(|c| (c["url"].clone(), c["referrer"].clone()))
        .collect();
    let stripped = (
        json!("https://riverside.example/support"),
        json!("https://search.example/"),
    );
    let kept = (json!(url), json!(referrer));
    assert_eq!(urls, [stripped.clone(), stripped, kept.clone(), kept]);
}
