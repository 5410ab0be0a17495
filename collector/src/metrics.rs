//! `GET /admin/metrics`: what the collector has done since it started, in the Prometheus text
//! format (scrape it with the admin token as basic auth): responses by what the store did with
//! them, refusals by problem type, write transactions, webhook attempts and backlog, erasures,
//! and whether the database answers. Counters start at zero with the process; each collector
//! sharing a PostgreSQL database counts its own.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::State;
use axum::http::header::{self, HeaderValue};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::store::Outcome;

/// The outcomes of acknowledged responses (a conflict is refused, counted as a problem).
const ACKNOWLEDGED: [Outcome; 6] = [
    Outcome::Inserted,
    Outcome::Completed,
    Outcome::Updated,
    Outcome::Duplicate,
    Outcome::Erased,
    Outcome::Expired,
];

/// The collector's counters, shared by the handlers and its tasks.
#[derive(Debug, Default)]
pub struct Metrics {
    acknowledged: [AtomicU64; ACKNOWLEDGED.len()],
    refused: Mutex<BTreeMap<&'static str, u64>>,
    deliveries_accepted: AtomicU64,
    deliveries_failed: AtomicU64,
    erased_on_request: AtomicU64,
    erased_by_retention: AtomicU64,
}

/// Who erased responses.
#[derive(Debug, Clone, Copy)]
pub enum ErasedBy {
    /// `DELETE /admin/responses/{id}`.
    Request,
    /// `--retention-days`.
    Retention,
}

/// What is read from the store when the metrics are scraped.
#[derive(Debug, Default, Clone, Copy)]
pub struct Gauges {
    /// Write transactions committed since the store opened.
    pub transactions: u64,
    /// Webhook deliveries waiting (`None` when the database does not answer).
    pub deliveries_waiting: Option<i64>,
    /// Whether the database answers.
    pub database_up: bool,
}

impl Metrics {
    /// A response was acknowledged with `outcome` (anything but a conflict).
    pub fn acknowledged(&self, outcome: Outcome) {
        if let Some(i) = ACKNOWLEDGED.iter().position(|o| *o == outcome) {
            self.acknowledged[i].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// A response was refused with the problem type `slug`.
    pub fn refused(&self, slug: &'static str) {
        let mut refused = self.refused.lock().unwrap_or_else(|p| p.into_inner());
        *refused.entry(slug).or_default() += 1;
    }

    /// A webhook attempt ended: accepted (2xx) or not.
    pub fn delivery(&self, accepted: bool) {
        let counter = if accepted {
            &self.deliveries_accepted
        } else {
            &self.deliveries_failed
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// `n` responses were erased.
    pub fn erased(&self, by: ErasedBy, n: u64) {
        let counter = match by {
            ErasedBy::Request => &self.erased_on_request,
            ErasedBy::Retention => &self.erased_by_retention,
        };
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// The exposition text, with `gauges` read from the store.
    pub fn render(&self, gauges: Gauges) -> String {
        let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let mut out = String::new();
        let acknowledged: Vec<(String, u64)> = ACKNOWLEDGED
            .iter()
            .zip(&self.acknowledged)
            .map(|(o, n)| (format!("outcome=\"{}\"", o.as_str()), load(n)))
            .collect();
        family(
            &mut out,
            "sayso_responses_total",
            "counter",
            "Responses acknowledged, by what the store did with them.",
            &acknowledged,
        );
        let refused: Vec<(String, u64)> = self
            .refused
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|(slug, n)| (format!("problem=\"{slug}\""), *n))
            .collect();
        family(
            &mut out,
            "sayso_responses_refused_total",
            "counter",
            "Responses refused, by problem type (urn:sayso:problem:<type>).",
            &refused,
        );
        family(
            &mut out,
            "sayso_write_transactions_total",
            "counter",
            "Write transactions committed; concurrent responses share one.",
            &[(String::new(), gauges.transactions)],
        );
        family(
            &mut out,
            "sayso_webhook_attempts_total",
            "counter",
            "Webhook delivery attempts, by result (accepted: the receiver answered 2xx).",
            &[
                (
                    "result=\"accepted\"".into(),
                    load(&self.deliveries_accepted),
                ),
                ("result=\"failed\"".into(), load(&self.deliveries_failed)),
            ],
        );
        if let Some(waiting) = gauges.deliveries_waiting {
            family(
                &mut out,
                "sayso_webhook_deliveries_waiting",
                "gauge",
                "Webhook deliveries not yet accepted by their receiver (all collectors).",
                &[(String::new(), waiting)],
            );
        }
        family(
            &mut out,
            "sayso_responses_erased_total",
            "counter",
            "Responses erased, on request or past the retention period.",
            &[
                ("by=\"request\"".into(), load(&self.erased_on_request)),
                ("by=\"retention\"".into(), load(&self.erased_by_retention)),
            ],
        );
        family(
            &mut out,
            "sayso_database_up",
            "gauge",
            "1 when the database answers, else 0.",
            &[(String::new(), u64::from(gauges.database_up))],
        );
        out
    }
}

/// One metric family: its help and type lines, then a sample per label set.
fn family<V: std::fmt::Display>(
    out: &mut String,
    name: &str,
    kind: &str,
    help: &str,
    samples: &[(String, V)],
) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
    for (labels, value) in samples {
        if labels.is_empty() {
            let _ = writeln!(out, "{name} {value}");
        } else {
            let _ = writeln!(out, "{name}{{{labels}}} {value}");
        }
    }
}

/// The handler (behind the admin guard).
pub async fn page(State(state): State<AppState>) -> Response {
    let waiting = state.store.pending_deliveries().await.ok();
    let gauges = Gauges {
        transactions: state.store.transactions_committed(),
        deliveries_waiting: waiting,
        database_up: state.store.ping().await.is_ok(),
    };
    let mut response = state.metrics.render(gauges).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_format_with_every_family() {
        let m = Metrics::default();
        m.acknowledged(Outcome::Inserted);
        m.acknowledged(Outcome::Inserted);
        m.acknowledged(Outcome::Duplicate);
        m.acknowledged(Outcome::Conflict);
        m.refused("invalid-response");
        m.refused("id-conflict");
        m.refused("invalid-response");
        m.delivery(false);
        m.delivery(true);
        m.erased(ErasedBy::Retention, 1200);
        let text = m.render(Gauges {
            transactions: 7,
            deliveries_waiting: Some(3),
            database_up: true,
        });
        let want = "\
# HELP sayso_responses_total Responses acknowledged, by what the store did with them.
# TYPE sayso_responses_total counter
sayso_responses_total{outcome=\"stored\"} 2
sayso_responses_total{outcome=\"completed\"} 0
sayso_responses_total{outcome=\"updated\"} 0
sayso_responses_total{outcome=\"duplicate\"} 1
sayso_responses_total{outcome=\"erased\"} 0
sayso_responses_total{outcome=\"expired\"} 0
# HELP sayso_responses_refused_total Responses refused, by problem type (urn:sayso:problem:<type>).
# TYPE sayso_responses_refused_total counter
sayso_responses_refused_total{problem=\"id-conflict\"} 1
sayso_responses_refused_total{problem=\"invalid-response\"} 2
# HELP sayso_write_transactions_total Write transactions committed; concurrent responses share one.
# TYPE sayso_write_transactions_total counter
sayso_write_transactions_total 7
# HELP sayso_webhook_attempts_total Webhook delivery attempts, by result (accepted: the receiver answered 2xx).
# TYPE sayso_webhook_attempts_total counter
sayso_webhook_attempts_total{result=\"accepted\"} 1
sayso_webhook_attempts_total{result=\"failed\"} 1
# HELP sayso_webhook_deliveries_waiting Webhook deliveries not yet accepted by their receiver (all collectors).
# TYPE sayso_webhook_deliveries_waiting gauge
sayso_webhook_deliveries_waiting 3
# HELP sayso_responses_erased_total Responses erased, on request or past the retention period.
# TYPE sayso_responses_erased_total counter
sayso_responses_erased_total{by=\"request\"} 0
sayso_responses_erased_total{by=\"retention\"} 1200
# HELP sayso_database_up 1 when the database answers, else 0.
# TYPE sayso_database_up gauge
sayso_database_up 1
";
        assert_eq!(text, want);
        let down = m.render(Gauges::default());
        assert!(down.contains("sayso_database_up 0\n"));
        assert!(
            !down.contains("sayso_webhook_deliveries_waiting"),
            "unknown: left out"
        );
    }
}
