//! Startup refuses bad surveys and silent definition changes; reading the surveys again (SIGHUP)
//! puts all of them in force or none; the built binary exits non-zero naming the problem; an
//! acknowledged response survives the process being killed; and its webhook deliveries go
//! through the proxy of `HTTP_PROXY`.

mod common;

use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Instant;

use common::receiver::SECRET;
use common::*;
use sayso_collector::catalog::load_dir;
use sayso_collector::config::Secret;
use sayso_collector::{AdminToken, AppState, SurveyCatalog};
use sayso_schema::SurveyRef;
use serde_json::{Value, json};

/// every-kind with an invalid id on its third question.
fn bad_survey() -> String {
    let mut survey: Value = serde_json::from_str(EVERY_KIND).unwrap();
    survey["questions"][2]["id"] = json!("2 Bad");
    survey.to_string()
}

#[test]
fn a_bad_survey_file_is_reported_with_file_and_path() {
    let dir = tempfile::tempdir().unwrap();
    let surveys = surveys_dir(dir.path());
    std::fs::write(surveys.join("x.json"), bad_survey()).unwrap();
    std::fs::write(surveys.join("notes.txt"), "not a survey").unwrap();
    let lines = load_dir(&surveys).unwrap_err();
    let prefix = format!("{}: $.questions[2].id: ", surveys.join("x.json").display());
    assert!(lines.iter().any(|l| l.starts_with(&prefix)), "{lines:?}");
    assert!(lines.iter().all(|l| l.contains("x.json")), "{lines:?}");

    std::fs::write(surveys.join("x.json"), "{\"id\": ").unwrap();
    let lines = load_dir(&surveys).unwrap_err();
    assert!(lines[0].contains("x.json: $: not valid JSON"), "{lines:?}");
}

#[test]
fn duplicate_survey_ids_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let surveys = surveys_dir(dir.path());
    std::fs::write(surveys.join("copy.json"), PATIENT_EXPERIENCE).unwrap();
    let lines = load_dir(&surveys).unwrap_err();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("$.id: survey \"patient-experience\" is already defined"));
    assert!(load_dir(&dir.path().join("missing")).is_err());
}

#[tokio::test]
async fn a_definition_changed_without_a_version_bump_stops_startup() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    AppState::open(&config).await.unwrap().store.close().await;

    let file = config.surveys.join("patient-experience.json");
    let mut survey: Value = serde_json::from_str(PATIENT_EXPERIENCE).unwrap();
    survey["questions"][0]["title"] = json!("Would you recommend us?");
    std::fs::write(&file, survey.to_string()).unwrap();
    let error = AppState::open(&config)
        .await
        .err()
        .expect("startup refused");
    let text = error.to_string();
    // The line names the file to fix, as every other startup problem does.
    assert!(
        text.starts_with(&format!(
            "{}: survey patient-experience version 1 changed without a version bump",
            file.display()
        )),
        "{text}"
    );

    // With the bump, both versions are known: answers to version 1 still validate.
    survey["version"] = json!(2);
    std::fs::write(&file, survey.to_string()).unwrap();
    let state = AppState::open(&config).await.unwrap();
    let catalog: &SurveyCatalog = &state.catalog();
    let versions: Vec<u32> = catalog
        .get("patient-experience")
        .unwrap()
        .versions
        .keys()
        .copied()
        .collect();
    assert_eq!(versions, [1, 2]);
    let old = catalog
        .definition_for(&SurveyRef {
            id: "patient-experience".into(),
            version: 1,
        })
        .unwrap();
    assert_eq!(old.questions[0].id, "nps");
    state.store.close().await;
}

#[tokio::test]
async fn how_a_survey_shows_may_change_without_a_version_bump() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    AppState::open(&config).await.unwrap().store.close().await;

    let file = config.surveys.join("patient-experience.json");
    let mut survey: Value = serde_json::from_str(PATIENT_EXPERIENCE).unwrap();
    survey["display"] = json!({ "mode": "modal" });
    survey["trigger"] = json!({ "on": "delay", "delay_seconds": 20 });
    survey["theme"] = json!({ "accent": "#0b6e4f" });
    survey["thank_you"] = json!({ "title": "Thanks!" });
    survey["strings"] = json!({ "submit": "Send my answers" });
    std::fs::write(&file, survey.to_string()).unwrap();
    let state = AppState::open(&config)
        .await
        .expect("starts: the questions did not change");
    state.store.close().await;

    // The stored definition of version 1 is the latest one.
    let mut db = open_database(sqlite_file(&config.database)).await;
    let (stored,): (String,) = sqlx::query_as(
        "SELECT definition FROM survey_versions WHERE survey_id = 'patient-experience' AND version = 1",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    let stored: Value = serde_json::from_str(&stored).unwrap();
    assert_eq!(stored["trigger"]["delay_seconds"], json!(20));
    assert_eq!(stored["display"]["mode"], json!("modal"));

    // What a question asks is what its answers mean: that still needs a new version.
    survey["questions"][1]["title"] = json!("How friendly were we?");
    std::fs::write(&file, survey.to_string()).unwrap();
    let error = AppState::open(&config)
        .await
        .err()
        .expect("startup refused");
    assert!(
        error.to_string().contains("changed without a version bump"),
        "{error}"
    );
}

/// patient-experience at `version`, its first question asking `nps_title`.
fn patient_experience(version: u32, nps_title: &str) -> String {
    let mut survey: Value = serde_json::from_str(PATIENT_EXPERIENCE).unwrap();
    survey["version"] = json!(version);
    survey["questions"][0]["title"] = json!(nps_title);
    survey.to_string()
}

/// The version `GET /v1/surveys/{id}` serves, or its status when it serves none.
async fn served_version(server: &TestServer, id: &str) -> Result<u64, u16> {
    let r = server.get(&format!("/v1/surveys/{id}")).await;
    if r.status() != 200 {
        return Err(r.status().as_u16());
    }
    Ok(r.json::<Value>().await.unwrap()["version"]
        .as_u64()
        .unwrap())
}

#[tokio::test]
async fn reloading_puts_new_surveys_and_versions_in_force_and_keeps_earlier_ones_answered() {
    let server = TestServer::start().await;
    let surveys = server.dir.path().join("surveys");
    assert_eq!(served_version(&server, "patient-experience").await, Ok(1));

    // A new version, a new survey, and a survey whose file is removed.
    std::fs::write(
        surveys.join("patient-experience.json"),
        patient_experience(2, "Would you recommend us?"),
    )
    .unwrap();
    let mut added: Value = serde_json::from_str(PATIENT_EXPERIENCE).unwrap();
    added["id"] = json!("added");
    std::fs::write(surveys.join("added.json"), added.to_string()).unwrap();
    std::fs::remove_file(surveys.join("every-kind.json")).unwrap();
    // A response to every-kind stored before the reload: kept, and exported; no new ones after.
    assert_eq!(
        server.post(&every_kind_response(&uuid(1))).await.status(),
        201
    );

    let catalog = server.state.reload_surveys().await.expect("reloaded");
    assert_eq!(catalog.iter().count(), 2);
    assert_eq!(served_version(&server, "patient-experience").await, Ok(2));
    assert_eq!(served_version(&server, "added").await, Ok(1));
    assert_eq!(served_version(&server, "every-kind").await, Err(404));

    // A visitor who saw version 1 before the reload is still answered; so is one of version 2.
    assert_eq!(
        server.post(&patient_response(&uuid(2), 9)).await.status(),
        201
    );
    let mut v2 = patient_response(&uuid(3), 3);
    v2["survey"]["version"] = json!(2);
    assert_eq!(server.post(&v2).await.status(), 201);
    let mut to_added = patient_response(&uuid(4), 10);
    to_added["survey"]["id"] = json!("added");
    assert_eq!(server.post(&to_added).await.status(), 201);
    // The retired survey is refused for good, as after a restart without its file.
    let retired = problem(server.post(&every_kind_response(&uuid(5))).await, 422).await;
    assert_eq!(error_paths(&retired), ["$.survey.id"]);
    assert_eq!(
        catalog.retired().map(|(id, _)| id).collect::<Vec<_>>(),
        ["every-kind"]
    );
    assert_eq!(server.count().await, 4);
}

#[tokio::test]
async fn a_reload_with_any_problem_changes_nothing() {
    let server = TestServer::start().await;
    let surveys = server.dir.path().join("surveys");
    let file = surveys.join("patient-experience.json");
    let before = server.get("/v1/surveys/patient-experience").await;
    let etag = before.headers()["etag"].clone();

    // A good new version beside a bad file: neither is put in force, nor recorded.
    std::fs::write(&file, patient_experience(2, "Would you recommend us?")).unwrap();
    std::fs::write(surveys.join("x.json"), bad_survey()).unwrap();
    let lines = server.state.reload_surveys().await.expect_err("refused");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("x.json: $.questions[2].id: ")),
        "{lines:?}"
    );
    let after = server.get("/v1/surveys/patient-experience").await;
    assert_eq!(after.headers()["etag"], etag);
    // Version 2 is not known here: the widget is told to send it again later, not refused.
    let mut v2 = patient_response(&uuid(1), 9);
    v2["survey"]["version"] = json!(2);
    problem(server.post(&v2).await, 503).await;

    // A question changed without a version bump: refused, naming the file, as at startup.
    std::fs::remove_file(surveys.join("x.json")).unwrap();
    std::fs::write(&file, patient_experience(1, "Would you recommend us?")).unwrap();
    let lines = server.state.reload_surveys().await.expect_err("refused");
    assert!(
        lines[0].starts_with(&format!(
            "{}: survey patient-experience version 1 changed without a version bump",
            file.display()
        )),
        "{lines:?}"
    );
    let served: Value = server
        .get("/v1/surveys/patient-experience")
        .await
        .json()
        .await
        .unwrap();
    let original: Value = serde_json::from_str(PATIENT_EXPERIENCE).unwrap();
    assert_eq!(
        served["questions"][0]["title"],
        original["questions"][0]["title"]
    );

    // Fixed: version 2 goes in force, and the response refused for now is stored.
    std::fs::write(&file, patient_experience(2, "Would you recommend us?")).unwrap();
    server.state.reload_surveys().await.expect("reloaded");
    assert_eq!(server.post(&v2).await.status(), 201);
}

/// The built collector, started in `root` with `args`; its log lines arrive on the channel.
struct Collector {
    child: std::process::Child,
    lines: mpsc::Receiver<String>,
}

impl Collector {
    fn start(args: &[OsString]) -> Self {
        Self::start_with_env(args, &[])
    }

    fn start_with_env(args: &[OsString], env: &[(&str, &str)]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sayso-collector"))
            .args(args)
            .envs(env.iter().copied())
            .env("RUST_LOG", "info")
            .env_remove("SAYSO_ADMIN_TOKEN")
            .env_remove("SAYSO_ALLOW_ORIGIN")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (send, lines) = mpsc::channel();
        // Ends when the process closes its stderr (on exit).
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Self { child, lines }
    }

    /// Every line until the process closes stderr, bounded by [`PATIENCE`].
    fn all_lines(&mut self) -> Vec<String> {
        let deadline = Instant::now() + PATIENCE;
        let mut lines = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => lines.push(line),
                Err(mpsc::RecvTimeoutError::Disconnected) => return lines,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    let _ = self.child.kill();
                    panic!("the collector did not exit in time; it said: {lines:?}");
                }
            }
        }
    }

    /// The address from the "listening on http://..." line, bounded by [`PATIENCE`].
    fn address(&mut self) -> String {
        let line = self.until("listening on http://").pop().unwrap();
        let (_, rest) = line.split_once("listening on http://").unwrap();
        rest.split_whitespace().next().unwrap().to_owned()
    }

    /// The lines up to and including the first one containing `needle`, bounded by
    /// [`PATIENCE`].
    fn until(&mut self, needle: &str) -> Vec<String> {
        let deadline = Instant::now() + PATIENCE;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let found = line.contains(needle);
                    seen.push(line);
                    if found {
                        return seen;
                    }
                }
                Err(e) => {
                    let _ = self.child.kill();
                    panic!("the collector never said {needle:?} ({e:?}); it said: {seen:?}");
                }
            }
        }
    }

    /// Send the process `signal` (`HUP`, `TERM`).
    fn signal(&self, signal: &str) {
        let sent = Command::new("kill")
            .args([&format!("-{signal}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Flags of a collector whose files live under `root`, on a free port.
fn args(root: &Path) -> Vec<OsString> {
    let mut args: Vec<OsString> = ["--listen", "127.0.0.1:0", "--database"]
        .map(OsString::from)
        .into();
    args.push(root.join("sayso.db").into());
    args.push("--surveys".into());
    args.push(root.join("surveys").into());
    args
}

#[test]
fn the_binary_exits_non_zero_naming_the_bad_file() {
    let dir = tempfile::tempdir().unwrap();
    let surveys = surveys_dir(dir.path());
    std::fs::write(surveys.join("x.json"), bad_survey()).unwrap();
    let mut collector = Collector::start(&args(dir.path()));
    let lines = collector.all_lines();
    let status = collector.child.wait().unwrap();
    assert!(!status.success(), "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("x.json: $.questions[2].id: ")),
        "{lines:?}"
    );
    assert!(
        !dir.path().join("sayso.db").exists(),
        "nothing opened before the surveys load"
    );
}

#[tokio::test]
async fn a_short_admin_token_stops_startup() {
    let dir = tempfile::tempdir().unwrap();
    surveys_dir(dir.path());
    let mut config = config(dir.path());
    config.admin_token = AdminToken::new("fifteen-chars-x");
    let Err(e) = AppState::open(&config).await else {
        panic!("a 15-character token was accepted");
    };
    assert_eq!(e.0.len(), 1, "{e}");
    assert!(
        e.0[0].starts_with("--admin-token: use at least 16 characters"),
        "{e}"
    );
    assert!(
        !e.to_string().contains("fifteen-chars-x"),
        "the token is not shown"
    );
    config.admin_token = AdminToken::new("sixteen-chars-xy");
    assert!(AppState::open(&config).await.is_ok());
}

#[tokio::test]
async fn a_short_webhook_secret_stops_startup() {
    let dir = tempfile::tempdir().unwrap();
    surveys_dir(dir.path());
    let mut config = config(dir.path());
    config.webhooks = vec!["http://127.0.0.1:9/in".into()];
    config.webhook_secret = Secret::new("fifteen-chars-x");
    let Err(e) = AppState::open(&config).await else {
        panic!("a 15-character secret was accepted");
    };
    assert_eq!(e.0.len(), 1, "{e}");
    assert!(
        e.0[0].starts_with("--webhook-secret: use at least 16 characters"),
        "{e}"
    );
    assert!(
        !e.to_string().contains("fifteen-chars-x"),
        "the secret is not shown"
    );
    config.webhook_secret = Secret::new("sixteen-chars-xy");
    let state = AppState::open(&config).await.unwrap();
    state.store.close().await;
}

#[test]
fn the_binary_explains_its_flags() {
    let output = Command::new(env!("CARGO_BIN_EXE_sayso-collector"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for flag in [
        "--listen",
        "--database",
        "--surveys",
        "--dist",
        "--demo-page",
        "--allow-origin",
        "--admin-token",
        "SAYSO_ADMIN_TOKEN",
        "--read-timeout",
        "--shutdown-timeout",
    ] {
        assert!(help.contains(flag), "{flag} missing from:\n{help}");
    }
}

#[tokio::test]
async fn an_acknowledged_response_survives_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    surveys_dir(dir.path());
    let mut collector = Collector::start(&args(dir.path()));
    let address = collector.address();

    let client = client();
    let body = patient_response(&uuid(42), 10);
    let r = client
        .post(format!("http://{address}/v1/responses"))
        .header("content-type", "text/plain;charset=UTF-8")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);

    // SIGKILL: no shutdown, no checkpoint; only what was committed to disk remains.
    collector.child.kill().unwrap();
    collector.child.wait().unwrap();
    let mut db = open_database(&dir.path().join("sayso.db")).await;
    let (answers, partial) = stored(&mut db, &uuid(42)).await.expect("the row survived");
    assert_eq!(answers, body["answers"]);
    assert!(!partial);
}

#[tokio::test]
async fn webhook_deliveries_go_through_the_proxy_of_http_proxy() {
    // The receiver's host does not resolve: only the proxy can take the delivery.
    let proxy = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    let dir = tempfile::tempdir().unwrap();
    surveys_dir(dir.path());
    let mut args = args(dir.path());
    args.extend(
        [
            "--webhook",
            "http://hooks.invalid/care",
            "--webhook-secret",
            SECRET,
        ]
        .map(OsString::from),
    );
    let mut collector = Collector::start_with_env(
        &args,
        &[
            ("HTTP_PROXY", &proxy_url),
            ("http_proxy", &proxy_url),
            ("NO_PROXY", ""),
            ("no_proxy", ""),
        ],
    );
    let address = collector.address();
    let client = client();
    let r = client
        .post(format!("http://{address}/v1/responses"))
        .header("content-type", "application/json")
        .body(patient_response(&uuid(7), 9).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);

    let (mut socket, _) = tokio::time::timeout(PATIENCE, proxy.accept())
        .await
        .expect("the delivery reached the proxy in time")
        .unwrap();
    let head = read_head(&mut socket).await;
    assert!(
        head.starts_with("POST http://hooks.invalid/care HTTP/1.1\r\n"),
        "{head}"
    );
    assert!(
        head.to_ascii_lowercase().contains("sayso-signature: t="),
        "{head}"
    );
}

#[tokio::test]
async fn the_database_file_is_in_write_ahead_log_mode() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    AppState::open(&config).await.unwrap().store.close().await;
    // Read from the file's header (bytes 18 and 19: 2 for WAL, 1 for a rollback journal), not
    // through a connection, whose own options could set the mode.
    let header = std::fs::read(sqlite_file(&config.database)).unwrap();
    assert_eq!((header[18], header[19]), (2, 2));
}

#[cfg(unix)]
#[tokio::test]
async fn sigterm_ends_the_binary_despite_a_stuck_download() {
    let dir = tempfile::tempdir().unwrap();
    AppState::open(&config(dir.path()))
        .await
        .unwrap()
        .store
        .close()
        .await;
    fill_with_large_rows(
        &dir.path().join("sayso.db"),
        "patient-experience",
        510,
        20_000,
    )
    .await;
    let mut args = args(dir.path());
    for flag in [
        "--admin-token",
        "t0ken-of-sixteen-chars",
        "--read-timeout",
        "3600",
        "--shutdown-timeout",
        "0.5",
    ] {
        args.push(flag.into());
    }
    let mut collector = Collector::start(&args);
    let address = collector.address();
    let (_stuck, head) =
        hold_export(&address, "t0ken-of-sixteen-chars", "patient-experience").await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    // And a client that never finishes its headers.
    let mut slow = tokio::net::TcpStream::connect(&address).await.unwrap();
    tokio::io::AsyncWriteExt::write_all(&mut slow, b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();

    collector.signal("TERM");
    let lines = collector.all_lines();
    let status = collector.child.wait().unwrap();
    assert!(status.success(), "{status:?}: {lines:?}");
    assert!(
        lines.iter().any(|l| l.contains("cut off connections")),
        "{lines:?}"
    );
}

#[cfg(unix)]
#[tokio::test]
async fn sighup_reads_the_surveys_again() {
    let dir = tempfile::tempdir().unwrap();
    let surveys = surveys_dir(dir.path());
    let mut collector = Collector::start(&args(dir.path()));
    let address = collector.address();
    let client = client();
    let status = |id: &'static str| {
        let request = client
            .get(format!("http://{address}/v1/surveys/{id}"))
            .send();
        async move { request.await.unwrap().status().as_u16() }
    };
    assert_eq!(status("added").await, 404);

    let mut added: Value = serde_json::from_str(PATIENT_EXPERIENCE).unwrap();
    added["id"] = json!("added");
    std::fs::write(surveys.join("added.json"), added.to_string()).unwrap();
    collector.signal("HUP");
    let lines = collector.until("surveys reloaded");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("survey loaded") && l.contains("added")),
        "{lines:?}"
    );
    assert_eq!(status("added").await, 200);

    // A bad file: each problem logged, and what was in force stays.
    std::fs::write(surveys.join("x.json"), bad_survey()).unwrap();
    collector.signal("HUP");
    let lines = collector.until("surveys not reloaded");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("ERROR") && l.contains("x.json: $.questions[2].id: ")),
        "{lines:?}"
    );
    assert_eq!(status("added").await, 200);
    assert_eq!(status("every-kind").await, 200);
}
