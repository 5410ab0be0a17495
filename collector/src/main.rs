//! Run with: `cargo run -p sayso-collector -- --surveys surveys --dist dist --demo-page index.html`
//!
//! The collector binary: parse the flags, set up logging, load everything (any problem stops
//! startup with one line per problem), serve until Ctrl-C or SIGTERM, then let requests in
//! flight finish for at most `--shutdown-timeout` seconds. SIGHUP reads the surveys again.

use std::process::ExitCode;

use clap::Parser;
use sayso_collector::server::Stopped;
use sayso_collector::{AppState, Config, serve};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let config = Config::parse();
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();

    let state = match AppState::open(&config).await {
        Ok(state) => state,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(config.listen).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("--listen {}: {e}", config.listen);
            return ExitCode::FAILURE;
        }
    };
    match listener.local_addr() {
        Ok(address) => tracing::info!("listening on http://{address}"),
        Err(e) => tracing::warn!(error = %e, "listening, on an unknown address"),
    }
    #[cfg(unix)]
    tokio::spawn(reload_on_hangup(state.clone()));
    let store = state.store.clone();
    let shutdown_timeout = state.shutdown_timeout;
    match serve(listener, state, shutdown_signal()).await {
        Stopped::Drained => tracing::info!("every request in flight finished"),
        Stopped::CutOff(connections) => tracing::warn!(
            connections,
            "cut off connections still busy {} s after the signal",
            shutdown_timeout.as_secs_f64()
        ),
    }
    // Every acknowledged response is already committed; closing lets SQLite checkpoint.
    store.close().await;
    ExitCode::SUCCESS
}

/// On every SIGHUP (`kill -HUP`), read the surveys directory again: all of
/// it is put in force, or, on any problem, none of it, and each problem is logged.
#[cfg(unix)]
async fn reload_on_hangup(state: AppState) {
    use tokio::signal::unix::{SignalKind, signal};
    let Ok(mut hangups) = signal(SignalKind::hangup()) else {
        tracing::warn!("cannot listen for SIGHUP: restart to read the surveys again");
        return;
    };
    while hangups.recv().await.is_some() {
        match state.reload_surveys().await {
            Ok(catalog) => {
                sayso_collector::log_catalog(&catalog, &state.surveys_dir);
                tracing::info!("surveys reloaded");
            }
            Err(problems) => {
                for problem in &problems {
                    tracing::error!("{problem}");
                }
                tracing::error!(
                    problems = problems.len(),
                    "surveys not reloaded: the surveys in force are unchanged"
                );
            }
        }
    }
}

/// Resolves on Ctrl-C, or on SIGTERM (what container runtimes send).
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing requests in flight");
}
