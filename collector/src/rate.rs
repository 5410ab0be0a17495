//! `--rate-limit N`: at most N responses a minute from one client address, so that one machine
//! cannot fill the database. Off by default. A token bucket per address: N tokens, refilled
//! evenly over a minute, so a burst of N passes and then one every 60/N s. A refused response
//! is answered `429` with `Retry-After`; the widget keeps it in its outbox and sends it again
//! then, so a visitor behind a busy shared address (a hospital's network) is delayed, not lost.
//!
//! Behind a reverse proxy every request comes from the proxy: name the header it puts the
//! client's address in (`--client-ip-header X-Forwarded-For`); the last address in it is the
//! one the proxy saw. Addresses live only in this table, in memory, never in a response.
//!
//! An IPv6 client counts by its /64 network, not its address: one home or phone network is
//! given a whole /64 and may pick any address in it, so per address it could send without limit.
//! An IPv4 address written as IPv6 (`::ffff:192.0.2.1`) counts as that IPv4 address.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderName};

/// Clients remembered before those with a full bucket (idle for a minute) are forgotten.
const PRUNE_ABOVE: usize = 10_000;

/// Forgetting scans the whole table, so it runs at most this often: a table of many busy
/// clients is not scanned again on every request from a new one. A bucket is full at most a
/// minute after its last request, so the table holds at most the clients of the last minute
/// and this pause.
const PRUNE_EVERY: Duration = Duration::from_secs(1);

/// Buckets of response tokens, one per client.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    table: Mutex<Table>,
}

#[derive(Debug, Default)]
struct Table {
    buckets: HashMap<IpAddr, Bucket>,
    pruned: Option<Instant>,
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
            table: Mutex::default(),
        }
    }

    /// Take a token for `client` at `now`; when there is none, how long until there is.
    pub fn take(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        let client = bucket_key(client);
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let refilled = |b: &Bucket| {
            let elapsed = now.saturating_duration_since(b.at).as_secs_f64();
            (b.tokens + elapsed * per_second).min(capacity)
        };
        let mut table = self.table.lock().unwrap_or_else(|p| p.into_inner());
        let Table { buckets, pruned } = &mut *table;
        let due = pruned.is_none_or(|at| now.saturating_duration_since(at) >= PRUNE_EVERY);
        if buckets.len() > PRUNE_ABOVE && due && !buckets.contains_key(&client) {
            buckets.retain(|_, b| refilled(b) < capacity);
            *pruned = Some(now);
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

    /// How many clients are remembered.
    pub fn tracked(&self) -> usize {
        self.table.lock().map_or(0, |t| t.buckets.len())
    }
}

/// The bucket an address counts in: an IPv4 address itself, an IPv6 address its /64.
fn bucket_key(address: IpAddr) -> IpAddr {
    match address.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from_bits(v6.to_bits() & !u128::from(u64::MAX))),
        v4 => v4,
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
    fn the_table_is_scanned_at_most_once_a_second() {
        // 6,000 a minute: a bucket is full again 10 ms after one response.
        let limiter = RateLimiter::new(6_000);
        let t0 = Instant::now();
        let fill = |at: Instant| {
            for i in 0..=PRUNE_ABOVE as u32 {
                limiter.take(IpAddr::from(i.to_be_bytes()), at).unwrap();
            }
        };
        fill(t0);
        // A new client finds the table large and every bucket full: they are forgotten.
        let first = t0 + Duration::from_millis(20);
        limiter.take(ip("198.51.100.7"), first).unwrap();
        assert_eq!(limiter.tracked(), 1);
        // Within the second after that scan, no other runs, though the buckets are full again.
        fill(first);
        let soon = first + Duration::from_millis(999);
        limiter.take(ip("198.51.100.8"), soon).unwrap();
        assert_eq!(limiter.tracked(), PRUNE_ABOVE + 3);
        // Past that second, the next new client scans again.
        limiter
            .take(ip("198.51.100.9"), soon + Duration::from_millis(20))
            .unwrap();
        assert_eq!(limiter.tracked(), 1);
    }

    #[test]
    fn an_ipv6_network_counts_as_one_client() {
        let limiter = RateLimiter::new(2);
        let t0 = Instant::now();
        // Two addresses of one /64 share its bucket.
        limiter.take(ip("2001:db8:1:2::1"), t0).unwrap();
        limiter
            .take(ip("2001:db8:1:2:ffff:ffff:ffff:fffe"), t0)
            .unwrap();
        assert!(limiter.take(ip("2001:db8:1:2:abcd::9"), t0).is_err());
        // The next /64 is another client.
        limiter.take(ip("2001:db8:1:3::1"), t0).unwrap();
        // IPv4 addresses count one by one, written either way.
        limiter.take(ip("192.0.2.1"), t0).unwrap();
        limiter.take(ip("::ffff:192.0.2.1"), t0).unwrap();
        assert!(limiter.take(ip("192.0.2.1"), t0).is_err());
        limiter.take(ip("192.0.2.2"), t0).unwrap();
        assert_eq!(limiter.tracked(), 4);
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
