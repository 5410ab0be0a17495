//! `--rate-limit N`: at most N responses a minute from one client address, so that one machine
//! cannot fill the database. Off by default. A token bucket per address: N tokens, refilled
//! evenly over a minute, so a burst of N passes and then one every 60/N s. A refused response
//! is answered `429` with `Retry-After`; the widget keeps it in its outbox and sends it again
//! then, so a visitor behind a busy shared address (a hospital's network) is delayed, not lost.
//!
//! Behind a reverse proxy every request comes from the proxy: name the header it puts the
//! client's address in (`--client-ip-header X-Forwarded-For`); the last address in it is the
//! one the proxy saw. Addresses live only in this table, in memory, never in a response.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderName};

/// Addresses remembered before those with a full bucket (idle for a minute) are forgotten.
const PRUNE_ABOVE: usize = 10_000;

/// Buckets of response tokens, one per client address.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimiter {
    /// A limiter of `per_minute` responses a minute per address.
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute: per_minute.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Take a token for `client` at `now`; when there is none, how long until there is.
    pub fn take(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let refilled = |b: &Bucket| {
            let elapsed = now.saturating_duration_since(b.at).as_secs_f64();
            (b.tokens + elapsed * per_second).min(capacity)
        };
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > PRUNE_ABOVE && !buckets.contains_key(&client) {
            buckets.retain(|_, b| refilled(b) < capacity);
        }
        let bucket = buckets.entry(client).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        let tokens = refilled(bucket);
        if tokens >= 1.0 {
            *bucket = Bucket {
                tokens: tokens - 1.0,
                at: now,
            };
            Ok(())
        } else {
            *bucket = Bucket { tokens, at: now };
            Err(Duration::from_secs_f64((1.0 - tokens) / per_second))
        }
    }

    /// How many addresses are remembered.
    pub fn tracked(&self) -> usize {
        self.buckets.lock().map_or(0, |b| b.len())
    }
}

/// The client's address: the last one in `header` when it is given and holds one, else the
/// connection's peer.
pub fn client_address(
    peer: Option<IpAddr>,
    headers: &HeaderMap,
    header: Option<&HeaderName>,
) -> Option<IpAddr> {
    let forwarded = header
        .and_then(|name| headers.get_all(name).iter().next_back())
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.rsplit(',').next())
        .and_then(|last| last.trim().parse().ok());
    forwarded.or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_burst_passes_then_one_every_sixty_over_n_seconds() {
        // 60 a minute: one a second, in whole numbers of tokens.
        let limiter = RateLimiter::new(60);
        let t0 = Instant::now();
        let a = ip("192.0.2.1");
        for _ in 0..60 {
            assert_eq!(limiter.take(a, t0), Ok(()));
        }
        assert_eq!(limiter.take(a, t0), Err(Duration::from_secs(1)));
        // Another address has its own bucket.
        assert_eq!(limiter.take(ip("192.0.2.2"), t0), Ok(()));
        // Half the wait: still none; the whole wait: one, and only one.
        let half = t0 + Duration::from_millis(500);
        assert_eq!(limiter.take(a, half), Err(Duration::from_millis(500)));
        assert_eq!(limiter.take(a, t0 + Duration::from_secs(1)), Ok(()));
        assert!(limiter.take(a, t0 + Duration::from_secs(1)).is_err());
        // A long pause refills to the burst, no further.
        let later = t0 + Duration::from_secs(3600);
        for _ in 0..60 {
            assert_eq!(limiter.take(a, later), Ok(()));
        }
        assert!(limiter.take(a, later).is_err());
        // Three a minute: a token every 20 s.
        let slow = RateLimiter::new(3);
        for _ in 0..3 {
            slow.take(a, t0).unwrap();
        }
        let wait = slow.take(a, t0).unwrap_err().as_secs_f64();
        assert!((wait - 20.0).abs() < 1e-6, "{wait}");
    }

    #[test]
    fn idle_addresses_are_forgotten_when_many() {
        let limiter = RateLimiter::new(60);
        let t0 = Instant::now();
        for i in 0..=PRUNE_ABOVE as u32 {
            limiter.take(IpAddr::from(i.to_be_bytes()), t0).unwrap();
        }
        assert_eq!(limiter.tracked(), PRUNE_ABOVE + 1);
        // A minute later they are all full again: the next new address clears them.
        let later = t0 + Duration::from_secs(61);
        limiter.take(ip("198.51.100.7"), later).unwrap();
        assert_eq!(limiter.tracked(), 1);
    }

    #[test]
    fn the_client_is_the_proxy_header_s_last_address_or_the_peer() {
        let peer = Some(ip("10.0.0.5"));
        let xff = HeaderName::from_static("x-forwarded-for");
        let mut headers = HeaderMap::new();
        assert_eq!(client_address(peer, &headers, Some(&xff)), peer);
        headers.insert(&xff, "203.0.113.9, 198.51.100.20".parse().unwrap());
        assert_eq!(
            client_address(peer, &headers, Some(&xff)),
            Some(ip("198.51.100.20"))
        );
        assert_eq!(
            client_address(peer, &headers, None),
            peer,
            "header not trusted"
        );
        headers.insert(&xff, "not an address".parse().unwrap());
        assert_eq!(client_address(peer, &headers, Some(&xff)), peer);
        headers.insert(&xff, "2001:db8::1".parse().unwrap());
        assert_eq!(
            client_address(peer, &headers, Some(&xff)),
            Some(ip("2001:db8::1"))
        );
    }
}
