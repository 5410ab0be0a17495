//! The accept loop: HTTP/1.1 connections answered by [`app`], with a header read timeout and
//! a graceful shutdown that waits for requests in flight only so long.
//!
//! Not `axum::serve`: it sets no timer, so hyper's header read timeout never runs and a client
//! that sends its headers slowly holds a connection (and, after SIGTERM, the process) forever.

use std::future::Future;
use std::pin::pin;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use tower::ServiceExt;

use crate::intake::Peer;
use crate::{AppState, app};

/// Pause after a failed `accept` (e.g. out of file descriptors) before trying again, so that
/// the loop does not spin while the cause lasts.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// How a [`serve`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// Every request in flight finished within the shutdown timeout.
    Drained,
    /// This many connections were still busy at the shutdown timeout and were cut off.
    CutOff(usize),
}

/// Answer connections on `listener` with [`app`] until `shutdown` resolves; then stop
/// accepting, let requests in flight finish for at most `state.shutdown_timeout`, and cut off
/// whatever is left. Each connection must send a request's headers within
/// `state.read_timeout` (also how long an idle keep-alive connection stays open); the body
/// has its own timeout in the handler that reads it.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()>,
) -> Stopped {
    let shutdown_timeout = state.shutdown_timeout;
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(state.read_timeout);
    let app = app(state);
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    let mut shutdown = pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Each request knows the address it came from (for `--rate-limit`).
        let peer = Peer(peer.ip());
        let service = TowerToHyperService::new(app.clone().map_request(
            move |mut request: axum::extract::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(peer);
                request
            },
        ));
        let connection = http.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        connections.spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
        // Forget the connections that have ended.
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    let stopped = match tokio::time::timeout(shutdown_timeout, graceful.shutdown()).await {
        Ok(()) => Stopped::Drained,
        Err(_) => {
            while connections.try_join_next().is_some() {}
            Stopped::CutOff(connections.len())
        }
    };
    // Dropping a connection's task drops its request, and with it any database connection the
    // request held, so that the store can close.
    connections.shutdown().await;
    stopped
}
