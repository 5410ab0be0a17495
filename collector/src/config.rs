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

    /// SQLite database file (created when missing).
    #[arg(long, env = "SAYSO_DATABASE", default_value = "sayso.db")]
    pub database: PathBuf,

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

    /// Seconds a client may take to send a request's headers, and again to send its body;
    /// past that, the connection is closed (headers) or answered 408 (body). Also how long an
    /// idle keep-alive connection stays open.
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

/// A positive number of seconds (`10`, `0.5`).
fn seconds(text: &str) -> Result<Duration, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| *s > 0.0)
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| format!("expected a positive number of seconds, not \"{text}\""))
}

/// The admin password. Its `Debug` form is redacted so that logging a [`Config`] cannot leak
/// it.
#[derive(Clone, PartialEq, Eq)]
pub struct AdminToken(String);

impl AdminToken {
    /// A token from its text; `None` when empty (an empty password would lock nobody out).
    pub fn new(token: impl Into<String>) -> Option<Self> {
        let token = token.into();
        (!token.is_empty()).then_some(Self(token))
    }

    /// The secret itself, for the comparison in the admin guard only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AdminToken(<redacted>)")
    }
}

impl FromStr for AdminToken {
    type Err = &'static str;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s).ok_or("the admin token must not be empty")
    }
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
        assert_eq!(c.database, PathBuf::from("sayso.db"));
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
}
