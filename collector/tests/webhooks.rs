//! Webhooks against a real receiver on a real socket: each completed response delivered once to
//! every URL, signed; partial responses not sent until they complete; failed deliveries retried
//! until accepted, also after a restart of the collector.

mod common;

use std::time::Duration;

use common::receiver::*;
use common::*;
use sayso_collector::config::Secret;
use serde_json::{Value, json};

async fn collector(webhooks: Vec<String>) -> TestServer {
    TestServer::start_with(move |c, _| {
        c.webhooks = webhooks;
        c.webhook_secret = Secret::new(SECRET);
        c.webhook_retry = Duration::from_millis(20);
    })
    .await
}

#[tokio::test]
async fn each_completed_response_is_delivered_once_to_every_url_signed() {
    let mut receiver = Receiver::start(&[]).await;
    let urls = vec![
        format!("{}/care", receiver.base),
        format!("{}/crm", receiver.base),
    ];
    let server = collector(urls).await;

    // A partial response is not sent; its completion is, once.
    let id = uuid(1);
    let mut partial = patient_response(&id, 3);
    partial["partial"] = json!(true);
    partial["answers"] = json!({ "nps": 3 });
    assert_eq!(server.post(&partial).await.status(), 201);
    let complete = patient_response(&id, 3);
    assert_eq!(server.post(&complete).await.status(), 201);
    // A retry of it and a late partial change nothing and send nothing.
    assert_eq!(server.post(&complete).await.status(), 200);
    assert_eq!(server.post(&partial).await.status(), 200);
    // A promoter's response.
    let promoter = patient_response(&uuid(2), 10);
    assert_eq!(server.post(&promoter).await.status(), 201);

    let mut got = Vec::new();
    for _ in 0..4 {
        got.push(receiver.next().await);
    }
    wait_until_delivered(&server).await;
    assert!(receiver.got.try_recv().is_err(), "nothing else was sent");
    got.sort_by(|a, b| (&a.path, &a.body).cmp(&(&b.path, &b.body)));
    let events: Vec<(String, Value)> = got.iter().map(|r| (r.path.clone(), verified(r))).collect();
    for path in ["care", "crm"] {
        let mut mine: Vec<&Value> = events
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, e)| e)
            .collect();
        mine.sort_by_key(|e| e["id"].as_str().unwrap().to_owned());
        assert_eq!(mine.len(), 2, "{path}");
        assert_eq!(mine[0]["type"], "response.completed");
        assert_eq!(mine[0]["id"], json!(id));
        assert_eq!(
            mine[0]["survey"],
            json!({ "id": "patient-experience", "version": 1 })
        );
        assert_eq!(mine[0]["alerts"], json!(["detractor"]));
        assert_eq!(mine[0]["response"]["answers"], complete["answers"]);
        assert_eq!(mine[0]["response"]["partial"], json!(false));
        assert_eq!(mine[1]["id"], json!(uuid(2)));
        assert_eq!(mine[1]["alerts"], json!([]));
        assert_eq!(mine[1]["response"]["answers"], promoter["answers"]);
    }
}

#[tokio::test]
async fn a_failed_delivery_is_retried_until_accepted() {
    let mut receiver = Receiver::start(&[503, 500]).await;
    let server = collector(vec![format!("{}/in", receiver.base)]).await;
    assert_eq!(
        server.post(&patient_response(&uuid(3), 8)).await.status(),
        201
    );
    let attempts = [
        receiver.next().await,
        receiver.next().await,
        receiver.next().await,
    ];
    wait_until_delivered(&server).await;
    // The same event each time, signed each time.
    for attempt in &attempts {
        assert_eq!(attempt.body, attempts[0].body);
        assert_eq!(verified(attempt)["id"], json!(uuid(3)));
    }
    assert!(receiver.got.try_recv().is_err(), "accepted: not sent again");
    let metrics = server.state.metrics.render(Default::default());
    assert!(metrics.contains("sayso_webhook_attempts_total{result=\"accepted\"} 1\n"));
    assert!(metrics.contains("sayso_webhook_attempts_total{result=\"failed\"} 2\n"));
}

#[tokio::test]
async fn deliveries_wait_in_the_database_across_a_restart() {
    // The receiver refuses everything while the first collector runs.
    let mut receiver = Receiver::start(&[503; 10_000]).await;
    let url = format!("{}/in", receiver.base);
    let configure = |c: &mut sayso_collector::Config, _: &std::path::Path| {
        c.webhooks = vec![url.clone()];
        c.webhook_secret = Secret::new(SECRET);
        c.webhook_retry = Duration::from_millis(20);
    };
    let mut first = TestServer::start_in(tempfile::tempdir().unwrap(), configure).await;
    assert_eq!(
        first.post(&patient_response(&uuid(4), 2)).await.status(),
        201
    );
    let refused = receiver.next().await;
    assert_eq!(refused.status, 503);
    assert_eq!(verified(&refused)["id"], json!(uuid(4)));
    first.shut_down().await;
    first.state.store.close().await;
    let dir = std::mem::replace(&mut first.dir, tempfile::tempdir().unwrap());
    drop(first);

    // Started again, on the same database, with the receiver now accepting.
    receiver.statuses.lock().unwrap().clear();
    let second = TestServer::start_in(dir, configure).await;
    let accepted = loop {
        let attempt = receiver.next().await;
        if attempt.status == 200 {
            break attempt;
        }
    };
    assert_eq!(accepted.body, refused.body, "the same event");
    verified(&accepted);
    wait_until_delivered(&second).await;
    assert!(receiver.got.try_recv().is_err(), "accepted: not sent again");
}

#[tokio::test]
async fn a_url_taken_out_of_the_configuration_gets_nothing_more_until_it_is_put_back() {
    // The receiver refuses everything while the first collector runs.
    let mut receiver = Receiver::start(&[503; 10_000]).await;
    let old = format!("{}/old", receiver.base);
    let new = format!("{}/new", receiver.base);
    let with = |urls: Vec<String>| {
        move |c: &mut sayso_collector::Config, _: &std::path::Path| {
            c.webhooks = urls.clone();
            c.webhook_secret = Secret::new(SECRET);
            c.webhook_retry = Duration::from_millis(20);
        }
    };
    let restart = |mut server: TestServer| async move {
        server.shut_down().await;
        server.state.store.close().await;
        std::mem::replace(&mut server.dir, tempfile::tempdir().unwrap())
    };
    let first = TestServer::start_in(tempfile::tempdir().unwrap(), with(vec![old.clone()])).await;
    assert_eq!(
        first.post(&patient_response(&uuid(6), 2)).await.status(),
        201
    );
    assert_eq!(receiver.next().await.path, "old");
    let dir = restart(first).await;

    // The owner replaced the URL: the receiver accepts now, but only the new URL hears of the
    // next response, and the old one's backlog stays where it is, unsent.
    receiver.statuses.lock().unwrap().clear();
    let second = TestServer::start_in(dir, with(vec![new.clone()])).await;
    assert_eq!(
        second.post(&patient_response(&uuid(7), 9)).await.status(),
        201
    );
    let got = receiver.next().await;
    assert_eq!((got.path.as_str(), got.status), ("new", 200));
    assert_eq!(verified(&got)["id"], json!(uuid(7)));
    wait_until_waiting(&second, 1).await;
    assert!(
        receiver.got.try_recv().is_err(),
        "nothing went to the old URL"
    );
    let metrics = second.state.metrics.render(Default::default());
    assert!(metrics.contains("sayso_webhook_attempts_total{result=\"accepted\"} 1\n"));
    assert!(metrics.contains("sayso_webhook_attempts_total{result=\"failed\"} 0\n"));
    let dir = restart(second).await;

    // Put back: its backlog is sent.
    let third = TestServer::start_in(dir, with(vec![new, old])).await;
    let got = receiver.next().await;
    assert_eq!((got.path.as_str(), got.status), ("old", 200));
    assert_eq!(verified(&got)["id"], json!(uuid(6)));
    wait_until_delivered(&third).await;
    assert!(receiver.got.try_recv().is_err(), "sent once");
}

#[tokio::test]
async fn the_dashboard_shows_what_waits_and_why() {
    const TOKEN: &str = "dashboard-passphrase";
    let mut receiver = Receiver::start(&[503; 10_000]).await;
    let url = format!("{}/in?key=s3cret", receiver.base);
    let server = TestServer::start_with(|c, _| {
        c.webhooks = vec![url];
        c.webhook_secret = Secret::new(SECRET);
        c.webhook_retry = Duration::from_millis(20);
        c.admin_token = sayso_collector::AdminToken::new(TOKEN);
    })
    .await;
    let dashboard = || async {
        let page = reqwest::Client::new()
            .get(server.url("/admin"))
            .basic_auth("admin", Some(TOKEN))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        page.text().await.unwrap()
    };
    let shown = format!("{}/in?…", receiver.base);
    assert!(
        dashboard().await.contains(&format!(
            "<th scope=\"row\">{shown}</th><td colspan=\"5\">all delivered</td>"
        )),
        "nothing waits yet"
    );

    assert_eq!(
        server.post(&patient_response(&uuid(5), 4)).await.status(),
        201
    );
    assert_eq!(receiver.next().await.status, 503);
    // The failure is recorded right after the receiver answers.
    let page = tokio::time::timeout(PATIENCE, async {
        loop {
            let page = dashboard().await;
            if page.contains("answered 503") {
                break page;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the failed attempt is shown in time");
    assert!(
        page.contains("1 delivery has not been accepted yet"),
        "{page}"
    );
    assert!(page.contains(&format!("<th scope=\"row\">{shown}</th><td>1</td>")));
    assert!(page.contains("answered 503 Service Unavailable"));
    assert!(!page.contains("s3cret"), "the URL's token is not shown");

    receiver.statuses.lock().unwrap().clear();
    wait_until_delivered(&server).await;
    let page = dashboard().await;
    assert!(page.contains("all delivered"), "{page}");
    assert!(!page.contains("not been accepted"));
}
