//! `--retention-days N`: responses stored more than N days ago are erased, at startup and then
//! every [`EVERY`], with their webhook deliveries not yet sent. Erased ids are not remembered
//! (unlike [`crate::store::ResponseStore::erase`]): a copy sent again later from a visitor's
//! browser (which keeps what it never heard acknowledged) was submitted before the period
//! too, and intake acknowledges such responses without storing them.

use std::sync::Arc;
use std::time::Duration;

use crate::metrics::{ErasedBy, Metrics};
use crate::store::ResponseStore;
use crate::webhooks::now_ms;

/// How often old responses are looked for.
pub const EVERY: Duration = Duration::from_secs(3600);

/// The time before which responses are erased, `days` before `now_ms` (Unix ms), in the form
/// responses' `received_at` is stored in.
pub fn cutoff(now_ms: i64, days: u32) -> String {
    let ms = now_ms - i64::from(days) * 86_400_000;
    sayso_schema::utc_time(ms).unwrap_or_else(|| "0000-01-01T00:00:00.000Z".to_owned())
}

/// The retention task: runs until the store is closed.
pub async fn run(store: ResponseStore, days: u32, metrics: Arc<Metrics>) {
    while !store.is_closed() {
        let before = cutoff(now_ms(), days);
        if let Ok(erased) = store.erase_received_before(&before).await
            && erased > 0
        {
            metrics.erased(ErasedBy::Retention, erased);
            tracing::info!(erased, %before, "erased responses past the retention period");
        }
        tokio::time::sleep(EVERY).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cutoff_is_whole_days_back_in_utc() {
        // 2026-01-31T09:30:00.123Z
        let now = 1_769_851_800_123;
        assert_eq!(cutoff(now, 1), "2026-01-30T09:30:00.123Z");
        assert_eq!(cutoff(now, 31), "2025-12-31T09:30:00.123Z");
        assert_eq!(cutoff(now, 365), "2025-01-31T09:30:00.123Z");
    }
}
