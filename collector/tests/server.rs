//! Slow clients and shutdown, over real sockets: a client that stalls in its headers or its
//! body, or stops reading its answers, is cut off after the read timeout, and shutting down
//! waits for requests in flight only as long as the shutdown timeout.

mod common;

use std::time::{Duration, Instant};

use common::*;
use sayso_collector::AdminToken;
use sayso_collector::server::Stopped;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The read timeout of these tests: short, so that they are quick.
const READ_TIMEOUT: Duration = Duration::from_millis(300);

fn address(server: &TestServer) -> String {
    server.base.strip_prefix("http://").unwrap().to_owned()
}

#[tokio::test]
async fn headers_sent_too_slowly_are_cut_off() {
    let server = TestServer::start_with(|c, _| c.read_timeout = READ_TIMEOUT).await;
    let address = address(&server);
    let mut socket = TcpStream::connect(&address).await.unwrap();
    let started = Instant::now();
    // The head never ends.
    let partial = format!("GET /healthz HTTP/1.1\r\nHost: {address}\r\nX-Slow: ");
    socket.write_all(partial.as_bytes()).await.unwrap();
    let answer = read_to_close(&mut socket).await;
    assert!(started.elapsed() >= READ_TIMEOUT, "{:?}", started.elapsed());
    // hyper closes without a word (a bare 408 would do as well).
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
}

#[tokio::test]
async fn a_body_that_stalls_is_answered_408_as_a_problem() {
    let server = TestServer::start_with(|c, _| c.read_timeout = READ_TIMEOUT).await;
    let address = address(&server);
    let mut socket = TcpStream::connect(&address).await.unwrap();
    let body = patient_response(&uuid(1), 9).to_string();
    // The head promises the whole body; only its first half comes.
    let request = format!(
        "POST /v1/responses HTTP/1.1\r\nHost: {address}\r\nContent-Type: text/plain\r\n\
         Content-Length: {}\r\n\r\n{}",
        body.len(),
        &body[..body.len() / 2]
    );
    socket.write_all(request.as_bytes()).await.unwrap();
    let started = Instant::now();
    let answer = read_to_close(&mut socket).await;
    assert!(started.elapsed() >= READ_TIMEOUT, "{:?}", started.elapsed());
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let lower = answer.to_lowercase();
    assert!(
        lower.contains("content-type: application/problem+json"),
        "{answer}"
    );
    assert!(
        answer.contains("urn:sayso:problem:request-timeout"),
        "{answer}"
    );
    assert_eq!(server.count().await, 0);

    // A client that sends in time is answered as usual.
    let r = server.post(&patient_response(&uuid(2), 9)).await;
    assert_eq!(r.status(), 201);
}

#[tokio::test]
async fn a_client_that_stops_reading_its_answers_is_cut_off() {
    let server = TestServer::start_with(|c, _| c.read_timeout = READ_TIMEOUT).await;
    let address = address(&server);
    // Pipelined requests for about 10 MB of answers, far more than the sockets' buffers hold.
    const REQUESTS: usize = 250;
    let request = format!(
        "GET /v1/schemas/survey-definition.schema.json HTTP/1.1\r\nHost: {address}\r\n\r\n"
    );
    let mut socket = slow_reader(&address).await;
    socket
        .write_all(request.repeat(REQUESTS).as_bytes())
        .await
        .unwrap();
    // The client does not read for several read timeouts: the stall itself is what is tested.
    tokio::time::sleep(READ_TIMEOUT * 10).await;
    let mut answers = Vec::new();
    let read = tokio::time::timeout(PATIENCE, socket.read_to_end(&mut answers))
        .await
        .expect("the connection ended in time");
    // Closed by the server: an end of stream, or a reset for the requests it never read.
    assert!(
        read.as_ref().map_or_else(
            |e| e.kind() == std::io::ErrorKind::ConnectionReset,
            |_| true
        ),
        "{read:?}"
    );
    let answered = String::from_utf8_lossy(&answers)
        .matches("HTTP/1.1 200")
        .count();
    assert!(answered < REQUESTS, "{answered} of {REQUESTS} answered");

    // Others are answered as usual.
    assert_eq!(server.get("/healthz").await.status(), 200);
}

#[tokio::test]
async fn shutting_down_waits_for_requests_in_flight_only_so_long() {
    const TOKEN: &str = "t0ken-of-sixteen-chars";
    let mut server = TestServer::start_with(|c, _| {
        c.admin_token = AdminToken::new(TOKEN);
        // Neither timeout may end the stuck export first.
        c.read_timeout = PATIENCE * 2;
        c.shutdown_timeout = Duration::from_millis(300);
    })
    .await;
    fill_with_large_rows(
        sqlite_file(&server.database),
        "patient-experience",
        510,
        20_000,
    )
    .await;
    // A download the client never reads: the response cannot finish.
    let (_stuck, head) = hold_export(&address(&server), TOKEN, "patient-experience").await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");

    let started = Instant::now();
    assert_eq!(server.shut_down().await, Stopped::CutOff(1));
    assert!(started.elapsed() >= Duration::from_millis(300));
    // The cut-off export gave its database connection back: the store closes.
    tokio::time::timeout(PATIENCE, server.state.store.close())
        .await
        .expect("the store closed in time");
}

#[tokio::test]
async fn shutting_down_an_idle_server_is_immediate() {
    let mut server = TestServer::start().await;
    assert_eq!(server.get("/healthz").await.status(), 200);
    assert_eq!(server.shut_down().await, Stopped::Drained);
}
