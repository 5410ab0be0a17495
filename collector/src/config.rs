//! Command-line flags, each with an environment variable as fallback (for containers).

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use clap::Parser;

/// How the collector runs.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "sayso-collector",
    version,
    about = "Serves Sayso survey definitions and widget files, stores responses, shows the dashboard."
)]
pub struct Config {
    /// Address and port to listen on.
    #[arg(long, env = "SAYSO_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Where responses are stored: a SQLite file (created when missing), or a PostgreSQL
    /// server as `postgres://user@host:port/database` (password in PGPASSWORD or ~/.pgpass).
    #[arg(
        long,
        env = "SAYSO_DATABASE",
        default_value = "sayso.db",
        hide_env_values = true,
        value_name = "FILE|URL"
    )]
    pub database: Database,

    /// Directory of survey definitions (*.json); any invalid file stops startup.
    #[arg(long, env = "SAYSO_SURVEYS", default_value = "surveys")]
    pub surveys: PathBuf,

    /// Directory of built widget files (`cargo xtask dist`), served at the root path.
    #[arg(long, env = "SAYSO_DIST")]
    pub dist: Option<PathBuf>,

    /// HTML file served at `/` (the demo host page).
    #[arg(long, env = "SAYSO_DEMO_PAGE")]
    pub demo_page: Option<PathBuf>,

    /// Directory of more demo pages, served at `/demo/<name>.html`.
    #[arg(long, env = "SAYSO_DEMO_DIR")]
    pub demo_dir: Option<PathBuf>,

    /// Origin allowed for every survey, besides each survey's own `allowed_origins`
    /// (repeatable; in the environment, comma-separated). `*` allows any origin.
    #[arg(
        long = "allow-origin",
        env = "SAYSO_ALLOW_ORIGIN",
        value_name = "ORIGIN",
        value_delimiter = ','
    )]
    pub allow_origins: Vec<String>,

    /// Password of the `admin` user of the /admin pages (HTTP Basic). Without it those pages
    /// answer 404.
    #[arg(
        long,
        env = "SAYSO_ADMIN_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub admin_token: Option<AdminToken>,

    /// URL that every completed response is POSTed to, signed (repeatable; in the environment,
    /// comma-separated). Needs --webhook-secret.
    #[arg(
        long = "webhook",
        env = "SAYSO_WEBHOOK",
        value_name = "URL",
        value_delimiter = ',',
        value_parser = webhook_url,
        requires = "webhook_secret"
    )]
    pub webhooks: Vec<String>,

    /// Key of the HMAC-SHA256 signature of every webhook delivery (the `Sayso-Signature`
    /// header), shared with the receivers.
    #[arg(
        long,
        env = "SAYSO_WEBHOOK_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub webhook_secret: Option<Secret>,

    /// Seconds before the first retry of a failed webhook delivery; each further retry waits
    /// twice as long, up to an hour.
    #[arg(
        long,
        env = "SAYSO_WEBHOOK_RETRY",
        value_name = "SECONDS",
        default_value = "10",
        value_parser = seconds
    )]
    pub webhook_retry: Duration,

    /// Erase every response stored more than this many days ago (checked at startup and
    /// hourly). Without it responses are kept until erased one by one.
    #[arg(
        long,
        env = "SAYSO_RETENTION_DAYS",
        value_name = "DAYS",
        value_parser = clap::value_parser!(u32).range(1..=36_500)
    )]
    pub retention_days: Option<u32>,

    /// Most responses one client address may send a minute (a burst of that many, then one
    /// every 60/N seconds); more are answered 429 with Retry-After, and the widget sends them
    /// again then. Off without it.
    #[arg(
        long,
        env = "SAYSO_RATE_LIMIT",
        value_name = "PER_MINUTE",
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub rate_limit: Option<u32>,

    /// Header in which a reverse proxy in front of the collector puts the client's address
    /// (e.g. X-Forwarded-For; its last address is taken), for --rate-limit. Only set it
    /// behind such a proxy: clients can write any header.
    #[arg(long, env = "SAYSO_CLIENT_IP_HEADER", value_name = "NAME")]
    pub client_ip_header: Option<axum::http::HeaderName>,

    /// Seconds a client may take to send a request's headers, and again to send its body;
    /// past that, the connection is closed (headers) or answered 408 (body). Also how long an
    /// idle keep-alive connection stays open, and how long a client may leave its answer
    /// unread before the connection is closed.
    #[arg(
        long,
        env = "SAYSO_READ_TIMEOUT",
        value_name = "SECONDS",
        default_value = "10",
        value_parser = seconds
    )]
    pub read_timeout: Duration,

    /// Seconds to wait, after Ctrl-C or SIGTERM, for requests in flight before exiting anyway.
    /// Acknowledged responses are committed before they are acknowledged: nothing acknowledged
    /// is lost by cutting the others off.
    #[arg(
        long,
        env = "SAYSO_SHUTDOWN_TIMEOUT",
        value_name = "SECONDS",
        default_value = "10",
        value_parser = seconds
    )]
    pub shutdown_timeout: Duration,
}

/// Where responses are stored.
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file, created when missing: the embedded default.
    Sqlite(PathBuf),
    /// A PostgreSQL server, by URL (`postgres://` or `postgresql://`), which any number of
    /// collectors may share.
    Postgres(String),
}

impl FromStr for Database {
    type Err = &'static str;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().is_empty() {
            Err("expected a SQLite file or a postgres:// URL")
        } else if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Ok(Self::Postgres(s.to_owned()))
        } else {
            Ok(Self::Sqlite(PathBuf::from(s)))
        }
    }
}

/// The file, or the URL with any password in it replaced by `***`: fit for logs and errors.
impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "{}", path.display()),
            Self::Postgres(url) => f.write_str(&redact_password(url)),
        }
    }
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(_) => write!(f, "Sqlite({self})"),
            Self::Postgres(_) => write!(f, "Postgres({self})"),
        }
    }
}

/// `url` without its password: the one in `user:password@` and any `password=` parameter.
fn redact_password(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => authority.to_owned(),
        },
        None => authority.to_owned(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => {
                        format!("{key}=***")
                    }
                    _ => pair.to_owned(),
                })
                .collect();
            format!("{path}?{}", query.join("&"))
        }
        None => tail.to_owned(),
    };
    format!("{scheme}://{authority}{tail}")
}

/// A positive number of seconds (`10`, `0.5`).
fn seconds(text: &str) -> Result<Duration, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| *s > 0.0)
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| format!("expected a positive number of seconds, not \"{text}\""))
}

/// A password or key. Its `Debug` form is redacted so that logging a [`Config`] cannot leak
/// it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

/// The admin password.
pub type AdminToken = Secret;

impl Secret {
    /// A secret from its text; `None` when empty (an empty password would lock nobody out).
    pub fn new(secret: impl Into<String>) -> Option<Self> {
        let secret = secret.into();
        (!secret.is_empty()).then_some(Self(secret))
    }

    /// The secret itself, for the admin guard's comparison and for signing only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl FromStr for Secret {
    type Err = &'static str;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s).ok_or("must not be empty")
    }
}

/// A webhook's address: an absolute http(s) URL.
fn webhook_url(text: &str) -> Result<String, String> {
    let text = text.trim();
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .ok_or_else(|| format!("expected an http:// or https:// URL, not \"{text}\""))?;
    if rest.is_empty() || rest.starts_with('/') || text.contains(char::is_whitespace) {
        return Err(format!("expected a URL with a host, not \"{text}\""));
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_repeated_origins() {
        let c = Config::try_parse_from([
            "sayso-collector",
            "--allow-origin",
            "https://a.example",
            "--allow-origin",
            "https://b.example,https://c.example",
        ])
        .unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.database, Database::Sqlite(PathBuf::from("sayso.db")));
        assert_eq!(c.surveys, PathBuf::from("surveys"));
        assert_eq!(
            c.allow_origins,
            [
                "https://a.example",
                "https://b.example",
                "https://c.example"
            ]
        );
        assert!(c.dist.is_none() && c.demo_page.is_none());
        assert_eq!(c.read_timeout, Duration::from_secs(10));
        assert_eq!(c.shutdown_timeout, Duration::from_secs(10));
    }

    #[test]
    fn timeouts_are_positive_seconds() {
        let c = Config::try_parse_from([
            "sayso-collector",
            "--read-timeout",
            "0.25",
            "--shutdown-timeout",
            "30",
        ])
        .unwrap();
        assert_eq!(c.read_timeout, Duration::from_millis(250));
        assert_eq!(c.shutdown_timeout, Duration::from_secs(30));
        for bad in ["0", "-1", "soon", "inf"] {
            assert!(
                Config::try_parse_from(["sayso-collector", "--read-timeout", bad]).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_token_never_shows_in_debug_output() {
        let c =
            Config::try_parse_from(["sayso-collector", "--admin-token", "hunter2-secret"]).unwrap();
        assert_eq!(c.admin_token.as_ref().unwrap().expose(), "hunter2-secret");
        assert!(!format!("{c:?}").contains("hunter2"));
        assert!(Config::try_parse_from(["sayso-collector", "--admin-token", ""]).is_err());
    }

    #[test]
    fn a_file_or_a_postgres_url() {
        let parse = |arg: &str| {
            Config::try_parse_from(["sayso-collector", "--database", arg]).map(|c| c.database)
        };
        assert_eq!(
            parse("data/sayso.db").unwrap(),
            Database::Sqlite(PathBuf::from("data/sayso.db"))
        );
        for url in [
            "postgres://sayso@db.internal/sayso",
            "postgresql://db/x?sslmode=disable",
        ] {
            assert_eq!(parse(url).unwrap(), Database::Postgres(url.into()));
        }
        assert!(parse("").is_err());
    }

    #[test]
    fn a_database_password_never_shows() {
        let cases = [
            (
                "postgres://sayso:hunter2@db.internal:5432/sayso",
                "postgres://sayso:***@db.internal:5432/sayso",
            ),
            (
                "postgresql://sayso:p%40ss:w@rd@db/x?sslmode=disable&password=hunter2",
                "postgresql://sayso:***@db/x?sslmode=disable&password=***",
            ),
            (
                "postgres://sayso@db/x?application_name=a",
                "postgres://sayso@db/x?application_name=a",
            ),
            ("postgres://db", "postgres://db"),
        ];
        for (url, shown) in cases {
            let database: Database = url.parse().unwrap();
            assert_eq!(database.to_string(), shown);
            assert!(!format!("{database:?}").contains("hunter2"), "{url}");
        }
    }

    #[test]
    fn rate_limits_and_the_proxy_header() {
        let c = Config::try_parse_from([
            "sayso-collector",
            "--rate-limit",
            "120",
            "--client-ip-header",
            "X-Forwarded-For",
        ])
        .unwrap();
        assert_eq!(c.rate_limit, Some(120));
        assert_eq!(c.client_ip_header.unwrap(), "x-forwarded-for");
        let c = Config::try_parse_from(["sayso-collector"]).unwrap();
        assert_eq!((c.rate_limit, c.client_ip_header), (None, None));
        for bad in [
            ["--rate-limit", "0"],
            ["--client-ip-header", "not a header"],
        ] {
            let e = Config::try_parse_from([&["sayso-collector"][..], &bad].concat())
                .unwrap_err()
                .to_string();
            assert!(e.contains(bad[0]), "{e}");
        }
    }

    #[test]
    fn retention_is_whole_days() {
        let parse = |args: &[&str]| {
            Config::try_parse_from([&["sayso-collector"], args].concat()).map(|c| c.retention_days)
        };
        assert_eq!(parse(&[]).unwrap(), None);
        assert_eq!(parse(&["--retention-days", "365"]).unwrap(), Some(365));
        for bad in ["0", "-3", "1.5", "forever", "36501"] {
            let e = parse(&[&format!("--retention-days={bad}")])
                .unwrap_err()
                .to_string();
            assert!(e.contains("--retention-days"), "{bad}: {e}");
        }
    }

    #[test]
    fn webhooks_need_a_url_and_a_secret() {
        let c = Config::try_parse_from([
            "sayso-collector",
            "--webhook",
            "https://hooks.clinic.example/sayso",
            "--webhook",
            "http://127.0.0.1:9000/in",
            "--webhook-secret",
            "s3cret-key",
        ])
        .unwrap();
        assert_eq!(
            c.webhooks,
            [
                "https://hooks.clinic.example/sayso",
                "http://127.0.0.1:9000/in"
            ]
        );
        assert_eq!(c.webhook_secret.as_ref().unwrap().expose(), "s3cret-key");
        assert!(!format!("{c:?}").contains("s3cret"));
        assert_eq!(c.webhook_retry, Duration::from_secs(10));
        let without_secret =
            Config::try_parse_from(["sayso-collector", "--webhook", "https://h.example/"]);
        assert!(without_secret.is_err());
        for bad in [
            "ftp://h.example/",
            "h.example/in",
            "https://",
            "https:///path",
        ] {
            let r = Config::try_parse_from([
                "sayso-collector",
                "--webhook",
                bad,
                "--webhook-secret",
                "k",
            ]);
            assert!(r.is_err(), "{bad}");
        }
    }
}
