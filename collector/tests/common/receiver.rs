//! A webhook receiver on a real socket, and the checks a receiver makes.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use tokio::sync::mpsc;

use super::{PATIENCE, TestServer};

pub const SECRET: &str = "whsec-test-key-0123";

/// One request the receiver got.
#[derive(Debug)]
pub struct Received {
    pub path: String,
    /// What the receiver answered.
    pub status: u16,
    pub signature: String,
    pub body: String,
}

/// A webhook receiver: records every request, answers the scripted statuses first, then 200.
pub struct Receiver {
    pub base: String,
    pub got: mpsc::UnboundedReceiver<Received>,
    /// The statuses it answers next (then 200).
    pub statuses: Arc<Mutex<VecDeque<u16>>>,
}

#[derive(Clone)]
struct Script {
    statuses: Arc<Mutex<VecDeque<u16>>>,
    log: mpsc::UnboundedSender<Received>,
}

async fn receive(
    State(script): State<Script>,
    Path(path): Path<String>,
    headers: HeaderMap,
    body: String,
) -> StatusCode {
    let status = script.statuses.lock().unwrap().pop_front().unwrap_or(200);
    let signature = headers
        .get("sayso-signature")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let _ = script.log.send(Received {
        path,
        status,
        signature,
        body,
    });
    StatusCode::from_u16(status).unwrap()
}

impl Receiver {
    pub async fn start(statuses: &[u16]) -> Self {
        let (log, got) = mpsc::unbounded_channel();
        let statuses = Arc::new(Mutex::new(statuses.iter().copied().collect()));
        let script = Script {
            statuses: Arc::clone(&statuses),
            log,
        };
        let app = axum::Router::new()
            .route("/{path}", post(receive))
            .with_state(script);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            base,
            got,
            statuses,
        }
    }

    /// The next request, waiting at most [`PATIENCE`].
    pub async fn next(&mut self) -> Received {
        tokio::time::timeout(PATIENCE, self.got.recv())
            .await
            .expect("a delivery in time")
            .expect("the receiver runs")
    }
}

/// Check the signature as a receiver would, from the documented scheme; return the event.
pub fn verified(received: &Received) -> Value {
    let (t, v1) = received
        .signature
        .strip_prefix("t=")
        .and_then(|s| s.split_once(",v1="))
        .expect("t=<time>,v1=<hex>");
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{t}.{}", received.body).as_bytes());
    let want: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(v1, want, "the signature verifies");
    let sent: u64 = t.parse().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(now.abs_diff(sent) < 120, "signed just now");
    serde_json::from_str(&received.body).unwrap()
}

pub async fn wait_until_delivered(server: &TestServer) {
    wait_until_waiting(server, 0).await;
}

/// Wait until exactly `n` deliveries are waiting.
pub async fn wait_until_waiting(server: &TestServer, n: i64) {
    let store = &server.state.store;
    tokio::time::timeout(PATIENCE, async {
        while store.pending_deliveries().await.unwrap() != n {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{n} deliveries left waiting in time"));
}
