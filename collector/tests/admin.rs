//! The site owner's pages: authentication, the dashboard's scores, and the exports.

mod common;

use common::*;
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE};
use sayso_collector::AdminToken;
use serde_json::{Value, json};

const TOKEN: &str = "correct-horse-battery-staple";

async fn server() -> TestServer {
    TestServer::start_with(|c, _| c.admin_token = AdminToken::new(TOKEN)).await
}

async fn admin_get(server: &TestServer, path: &str) -> reqwest::Response {
    server
        .client
        .get(server.url(path))
        .basic_auth("admin", Some(TOKEN))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn without_a_token_there_are_no_admin_pages() {
    let server = TestServer::start().await;
    for path in [
        "/admin",
        "/admin/style.css",
        "/admin/export.csv?survey=every-kind",
    ] {
        let r = server
            .client
            .get(server.url(path))
            .basic_auth("admin", Some(""))
            .send()
            .await
            .unwrap();
        problem(r, 404).await;
    }
    // Nor does another method on them tell that they exist.
    for method in [reqwest::Method::OPTIONS, reqwest::Method::GET] {
        let r = server
            .client
            .request(method, server.url(&format!("/admin/responses/{}", uuid(1))))
            .send()
            .await
            .unwrap();
        problem(r, 404).await;
    }
}

#[tokio::test]
async fn the_admin_pages_need_the_token() {
    let server = server().await;
    let r = server.get("/admin").await;
    assert_eq!(r.headers()["www-authenticate"], "Basic realm=\"sayso\"");
    assert_eq!(r.headers()[CACHE_CONTROL], "no-store");
    problem(r, 401).await;

    for (user, password) in [("admin", "wrong"), ("root", TOKEN), ("admin", "")] {
        let r = server
            .client
            .get(server.url("/admin/export.ndjson?survey=every-kind"))
            .basic_auth(user, Some(password))
            .send()
            .await
            .unwrap();
        problem(r, 401).await;
    }
    // A wrong method is refused like any other request until the admin is known.
    let erase = server.url(&format!("/admin/responses/{}", uuid(1)));
    let r = server.client.get(&erase).send().await.unwrap();
    problem(r, 401).await;
    let r = server
        .client
        .get(&erase)
        .basic_auth("admin", Some(TOKEN))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "DELETE");
    assert_eq!(r.headers()[CACHE_CONTROL], "no-store");

    let r = admin_get(&server, "/admin").await;
    assert_eq!(r.status(), 200);
    let h = r.headers();
    assert_eq!(
        h["content-security-policy"],
        "default-src 'none'; style-src 'self'"
    );
    assert_eq!(h[CACHE_CONTROL], "no-store");
    assert!(h[CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    assert!(!h.contains_key("set-cookie"));

    let r = admin_get(&server, "/admin/style.css").await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
}

#[tokio::test]
async fn the_dashboard_shows_scores_of_posted_responses() {
    let server = server().await;
    for (i, nps) in [10, 9, 3].into_iter().enumerate() {
        let mut body = patient_response(&uuid(i as u64), nps);
        body["answers"]["engagement"] = json!({
            "text": "Being <b>heard</b> & part of decisions.",
            "attribution": "Ana, patient", "publish": i == 0
        });
        assert_eq!(server.post(&body).await.status(), 201);
    }
    let mut partial = patient_response(&uuid(9), 5);
    partial["partial"] = json!(true);
    partial["answers"] = json!({ "nps": 5 });
    assert_eq!(server.post(&partial).await.status(), 201);
    assert_eq!(
        server.post(&every_kind_response(&uuid(10))).await.status(),
        201
    );

    let page = admin_get(&server, "/admin").await.text().await.unwrap();
    // Answers of partial responses count too: 2 promoters and 2 detractors make 0.
    assert!(
        page.contains("2 promoters · 0 passives · 2 detractors"),
        "{page}"
    );
    assert!(
        page.contains("<span class=\"value\">0</span> NPS"),
        "{page}"
    );
    assert!(page.contains("<strong>3</strong> complete · <strong>1</strong> partial · each question counts every answer given, in partial responses too"));
    assert!(page.contains("Being &lt;b&gt;heard&lt;/b&gt; &amp; part of decisions."));
    assert!(page.contains("Ana, patient · may be published"));
    assert!(page.contains("not for publication"));
    // every-kind: CSAT 4 of 5 is satisfied; the contact detail is only counted.
    assert!(
        page.contains("<span class=\"value\">100%</span> CSAT"),
        "{page}"
    );
    assert!(!page.contains("ana@example.org"));
    assert!(page.contains("1 left contact details"));
}

#[tokio::test]
async fn scored_questions_trend_by_the_month_responses_were_stored_in() {
    let server = server().await;
    for (i, nps) in [10, 2, 9, 9].into_iter().enumerate() {
        let body = patient_response(&uuid(20 + i as u64), nps);
        assert_eq!(server.post(&body).await.status(), 201);
    }
    let page = admin_get(&server, "/admin").await.text().await.unwrap();
    assert!(!page.contains("By month"), "one month: no trend");

    // The first two were stored in September 2020.
    let mut db = server.database().await;
    sqlx::query(
        "UPDATE responses SET received_at = '2020-09-' || substr(received_at, 9)
         WHERE id IN (?1, ?2)",
    )
    .bind(uuid(20))
    .bind(uuid(21))
    .execute(&mut db)
    .await
    .unwrap();
    let page = admin_get(&server, "/admin").await.text().await.unwrap();
    let month = sqlx::query_scalar::<_, String>(
        "SELECT substr(received_at, 1, 7) FROM responses WHERE id = ?1",
    )
    .bind(uuid(22))
    .fetch_one(&mut db)
    .await
    .unwrap();
    // NPS: one promoter, one detractor in September (0); two promoters since (100); 50 in all.
    assert!(
        page.contains("<span class=\"value\">50</span> NPS"),
        "{page}"
    );
    assert!(page.contains("<tr><th scope=\"row\">2020-09</th><td>2</td><td>0</td></tr>"));
    assert!(page.contains(&format!(
        "<tr><th scope=\"row\">{month}</th><td>2</td><td>100</td></tr>"
    )));
    // The CSAT question trends too (4 of 5 each time: 100%).
    assert!(page.contains("<th scope=\"col\">CSAT</th>"));
}

#[tokio::test]
async fn metrics_count_what_the_collector_did() {
    let server = server().await;
    let id = uuid(40);
    assert_eq!(server.post(&patient_response(&id, 8)).await.status(), 201);
    assert_eq!(server.post(&patient_response(&id, 8)).await.status(), 200);
    assert_eq!(
        server.post(&patient_response(&uuid(41), 11)).await.status(),
        422
    );
    let r = server.post_as("text/html", "{}".into()).await;
    assert_eq!(r.status(), 415);
    let erase = server
        .client
        .delete(server.url(&format!("/admin/responses/{id}")))
        .basic_auth("admin", Some(TOKEN))
        .send()
        .await
        .unwrap();
    assert_eq!(erase.status(), 204);
    assert_eq!(server.post(&patient_response(&id, 8)).await.status(), 200);

    problem(server.get("/admin/metrics").await, 401).await;
    let r = admin_get(&server, "/admin/metrics").await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()[CONTENT_TYPE],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let text = r.text().await.unwrap();
    let value = |sample: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(sample)?.strip_prefix(' '))
            .unwrap_or_else(|| panic!("no {sample} in:\n{text}"))
            .parse()
            .unwrap()
    };
    assert_eq!(value("sayso_responses_total{outcome=\"stored\"}"), 1.0);
    assert_eq!(value("sayso_responses_total{outcome=\"duplicate\"}"), 1.0);
    assert_eq!(value("sayso_responses_total{outcome=\"erased\"}"), 1.0);
    assert_eq!(value("sayso_responses_total{outcome=\"completed\"}"), 0.0);
    assert_eq!(
        value("sayso_responses_refused_total{problem=\"invalid-response\"}"),
        1.0
    );
    assert_eq!(
        value("sayso_responses_refused_total{problem=\"unsupported-media-type\"}"),
        1.0
    );
    assert_eq!(value("sayso_responses_erased_total{by=\"request\"}"), 1.0);
    assert_eq!(value("sayso_webhook_deliveries_waiting"), 0.0);
    assert_eq!(value("sayso_database_up"), 1.0);
    // The stored one, its duplicate and the erased copy were each written in a transaction.
    assert_eq!(
        value("sayso_write_transactions_total"),
        server.state.store.transactions_committed() as f64
    );
    assert!(value("sayso_write_transactions_total") >= 3.0);
}

#[tokio::test]
async fn the_nps_on_the_dashboard_matches_the_responses() {
    let server = server().await;
    // Two promoters and one detractor: NPS = (2 - 1) / 3 = 33.
    for (i, nps) in [10, 9, 3].into_iter().enumerate() {
        assert_eq!(
            server
                .post(&patient_response(&uuid(i as u64), nps))
                .await
                .status(),
            201
        );
    }
    let page = admin_get(&server, "/admin").await.text().await.unwrap();
    assert!(
        page.contains("<span class=\"value\">33</span> NPS"),
        "{page}"
    );
}

#[tokio::test]
async fn exports_list_every_stored_response_oldest_first() {
    let server = server().await;
    let ids: Vec<String> = (0..3).map(|i| uuid(100 + i)).collect();
    for (i, id) in ids.iter().enumerate() {
        let mut body = patient_response(id, 8 + i as u8);
        body["answers"]["comment"] = json!(format!("Line one, \"quoted\"\nline {i}"));
        assert_eq!(server.post(&body).await.status(), 201);
    }

    let r = admin_get(&server, "/admin/export.ndjson?survey=patient-experience").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()[CONTENT_TYPE], "application/x-ndjson");
    assert_eq!(r.headers()[CACHE_CONTROL], "no-store");
    let text = r.text().await.unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let exported: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(exported, ids);
    assert_eq!(lines[2]["answers"]["nps"], 10);

    let r = admin_get(&server, "/admin/export.csv?survey=patient-experience").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()[CONTENT_TYPE], "text/csv; charset=utf-8");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("patient-experience.csv")
    );
    let csv = r.text().await.unwrap();
    let mut records = csv.split("\r\n");
    assert_eq!(
        records.next().unwrap(),
        "id,received_at,partial,survey_version,nps,response_time,engagement,comment"
    );
    let first = records.next().unwrap();
    assert!(first.starts_with(&format!("{},", ids[0])), "{first}");
    assert!(first.contains(",false,1,8,4,,"), "{first}");
    // The comment's JSON text, quoted for CSV: quotes doubled, newline kept inside quotes.
    assert!(
        first.ends_with(r#","""Line one, \""quoted\""\nline 0""""#),
        "{first}"
    );
    assert_eq!(csv.matches(&ids[1]).count(), 1);
    assert_eq!(csv.matches(&ids[2]).count(), 1);

    let r = admin_get(&server, "/admin/export.csv").await;
    problem(r, 400).await;
    let r = admin_get(&server, "/admin/export.ndjson?survey=nope").await;
    problem(r, 404).await;

    // What is new since a time: from the second response's own time on (in any RFC 3339 form).
    let received: Vec<&str> = csv
        .split("\r\n")
        .skip(1)
        .filter_map(|r| r.split(',').nth(1))
        .collect();
    assert_eq!(received.len(), 3);
    let since_ids = async |query: &str| {
        let path = format!("/admin/export.ndjson?survey=patient-experience&since={query}");
        let r = admin_get(&server, &path).await;
        assert_eq!(r.status(), 200, "{path}");
        exported_ids(&r.text().await.unwrap())
    };
    // Responses stored in one millisecond share their time: all of them are from then on.
    let from = |i: usize| -> Vec<String> {
        (ids.iter().zip(&received))
            .filter(|(_, r)| **r >= received[i])
            .map(|(id, _)| id.clone())
            .collect()
    };
    assert!(from(1).ends_with(&ids[1..]));
    assert_eq!(since_ids(received[1]).await, from(1));
    let (date, time) = received[2].split_once('T').unwrap();
    let hour: u32 = time[..2].parse().unwrap();
    // The same instant, written one hour east of UTC (the date may roll over; not tested then).
    if hour < 23 {
        let east = format!("{date}T{:02}{}", hour + 1, &time[2..time.len() - 1]) + "%2B01:00";
        assert_eq!(since_ids(&east).await, from(2));
    }
    assert_eq!(
        since_ids("9999-01-01T00:00:00Z").await,
        Vec::<String>::new()
    );
    let r = admin_get(
        &server,
        "/admin/export.csv?survey=patient-experience&since=yesterday",
    )
    .await;
    let p = problem(r, 400).await;
    assert!(p["detail"].as_str().unwrap().starts_with("since:"), "{p}");
}

#[tokio::test]
async fn slow_exports_leave_health_and_the_dashboard_answering() {
    let server = server().await;
    fill_with_large_rows(
        sqlite_file(&server.database),
        "patient-experience",
        510,
        20_000,
    )
    .await;
    let address = server.base.strip_prefix("http://").unwrap().to_owned();
    // As many downloads as the read pool has connections, none of them read.
    let mut held = Vec::new();
    let mut refused = 0;
    for _ in 0..4 {
        let (socket, head) = hold_export(&address, TOKEN, "patient-experience").await;
        if head.starts_with("HTTP/1.1 200") {
            held.push(socket);
        } else {
            assert!(head.starts_with("HTTP/1.1 503"), "{head}");
            let head = head.to_lowercase();
            assert!(
                head.contains("content-type: application/problem+json"),
                "{head}"
            );
            assert!(head.contains("retry-after: 30"), "{head}");
            refused += 1;
        }
    }
    assert_eq!((held.len(), refused), (2, 2));

    let r = server.get("/healthz").await;
    assert_eq!(r.status(), 200);
    let r = admin_get(&server, "/admin").await;
    assert_eq!(r.status(), 200);
    let r = admin_get(&server, "/admin/export.csv?survey=patient-experience").await;
    let p = problem(r, 503).await;
    assert_eq!(p["type"], "urn:sayso:problem:exports-busy");

    // A finished (here: abandoned) download gives its place back.
    held.pop();
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let r = admin_get(&server, "/admin/export.csv?survey=every-kind").await;
        if r.status() == 200 {
            break;
        }
        assert_eq!(r.status(), 503);
        assert!(
            std::time::Instant::now() < deadline,
            "the place was not given back"
        );
        tokio::task::yield_now().await;
    }
}

#[tokio::test]
async fn a_retired_survey_is_still_exported_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let ids = [uuid(1), uuid(2)];
    {
        let state = sayso_collector::AppState::open(&config(dir.path()))
            .await
            .unwrap();
        for (id, nps) in ids.iter().zip([9, 3]) {
            let body = patient_response(id, nps).to_string();
            let response = sayso_schema::Response::from_json(&body).unwrap();
            state.store.save(&response, None).await.unwrap();
        }
        state.store.close().await;
    }
    sqlx::query(
        "INSERT INTO responses VALUES ('00000000-0000-4000-8000-0000000000ff', 'forgotten', 7, 0,
         '{\"nps\":4}', '{}', '2026-11-24T09:00:00.000Z', '2026-11-24T09:00:00.000Z', '{}')",
    )
    .execute(&mut open_database(&dir.path().join("sayso.db")).await)
    .await
    .unwrap();
    // The site owner removes the survey's file.
    let retire = |c: &mut sayso_collector::Config, _: &std::path::Path| {
        c.admin_token = AdminToken::new(TOKEN);
        std::fs::remove_file(c.surveys.join("patient-experience.json")).unwrap();
    };
    let server = TestServer::start_in(dir, retire).await;
    let r = server.get("/v1/surveys/patient-experience").await;
    problem(r, 404).await;
    problem(server.post(&patient_response(&uuid(3), 10)).await, 422).await;

    let r = admin_get(&server, "/admin/export.ndjson?survey=patient-experience").await;
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    let exported = exported_ids(&text);
    assert_eq!(exported, ids);
    let csv = admin_get(&server, "/admin/export.csv?survey=patient-experience")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        csv.starts_with("id,received_at,partial,survey_version,nps,response_time,"),
        "{csv}"
    );

    let page = admin_get(&server, "/admin").await.text().await.unwrap();
    assert!(
        page.contains("<small>patient-experience</small> <span class=\"tag\">retired</span>"),
        "{page}"
    );
    assert!(
        page.contains("<strong>2</strong> complete · <strong>0</strong> partial"),
        "{page}"
    );
    assert!(
        page.contains("/admin/export.ndjson?survey=patient-experience"),
        "{page}"
    );

    // A survey known by its responses alone (its recorded versions deleted by hand).
    let csv = admin_get(&server, "/admin/export.csv?survey=forgotten")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        csv,
        concat!(
            "id,received_at,partial,survey_version,answers\r\n",
            "00000000-0000-4000-8000-0000000000ff,2026-11-24T09:00:00.000Z,false,7,",
            "\"{\"\"nps\"\":4}\"\r\n"
        )
    );
    assert!(
        page.contains("<small>forgotten</small> <span class=\"tag\">retired</span>"),
        "{page}"
    );
    assert!(
        page.contains("1 stored responses answer a version"),
        "{page}"
    );
    let r = admin_get(&server, "/admin/export.ndjson?survey=never-existed").await;
    problem(r, 404).await;
}
