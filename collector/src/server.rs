//! The accept loop: HTTP/1.1 connections answered by [`app`], with a header read timeout, a
//! write stall timeout, and a graceful shutdown that waits for requests in flight only so long.
//!
//! Not `axum::serve`: it sets no timer, so hyper's header read timeout never runs and a client
//! that sends its headers slowly holds a connection (and, after SIGTERM, the process) forever.

use std::future::Future;
use std::io;
use std::pin::{Pin, pin};
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
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
/// `state.read_timeout` (also how long an idle keep-alive connection stays open), and may not
/// leave an answer unread for longer than that either ([`WriteTimeout`]); the body has its own
/// timeout in the handler that reads it.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()>,
) -> Stopped {
    let shutdown_timeout = state.shutdown_timeout;
    let write_timeout = state.read_timeout;
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
        let stream = WriteTimeout::new(stream, write_timeout);
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

/// A connection whose writes must make progress: one that can send nothing for `limit` fails
/// with `TimedOut`, which ends the connection. Without it, a client that stops reading (or
/// pipelines requests and never reads the answers) holds a connection, its task and a file
/// descriptor for as long as it likes; enough of them and no visitor's response gets in.
struct WriteTimeout<S> {
    inner: S,
    limit: Duration,
    /// Armed when a write first stays pending; disarmed by any write that goes through.
    stalled: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<S> WriteTimeout<S> {
    fn new(inner: S, limit: Duration) -> Self {
        Self {
            inner,
            limit,
            stalled: None,
        }
    }

    fn guard<T>(
        &mut self,
        cx: &mut Context<'_>,
        polled: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        if polled.is_ready() {
            self.stalled = None;
            return polled;
        }
        let limit = self.limit;
        let timer = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client has not read its answer for the read timeout",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for WriteTimeout<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for WriteTimeout<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.guard(cx, polled)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.guard(cx, polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.inner).poll_flush(cx);
        self.guard(cx, polled)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.inner).poll_shutdown(cx);
        self.guard(cx, polled)
    }
}
