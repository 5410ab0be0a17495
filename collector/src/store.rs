//! Durable storage of responses, in SQLite (the embedded default) or PostgreSQL (for several
//! collectors behind a load balancer).
//!
//! Acknowledged means durable: a handler answers only after the COMMIT of its response, and a
//! COMMIT returns only once the write is on disk (SQLite in WAL mode with `synchronous = FULL`;
//! PostgreSQL with its default `synchronous_commit`). Paying one disk flush per response would
//! cap intake at the disk's flush rate, so every write of a collector goes through one writer
//! task that takes whatever has queued up (up to [`MAX_BATCH`]), writes it in ONE transaction,
//! commits, and then answers each waiting handler (group commit). Reads (dashboard, exports)
//! use a separate pool and never wait for the writer; at most [`MAX_EXPORTS`] exports hold a
//! reader at once, so that slow downloads cannot take every reader. The health check has a
//! connection of its own.
//!
//! Both backends run the same code and, but for [`Dialect`], the same SQL: the
//! [`per_backend!`] macro type-checks one body against each driver.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sayso_schema::{Json, Response, SurveyDefinition, SurveyRef};
use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, Postgres};
use sqlx::sqlite::{
    Sqlite, SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{Executor, Transaction};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, mpsc, oneshot};

use crate::catalog::SurveyFile;
use crate::config::Database;

/// Most writes committed in one transaction.
pub const MAX_BATCH: usize = 256;
/// Writes that may wait for the writer; past this, handlers wait to enqueue (back-pressure
/// instead of unbounded memory).
const QUEUE_LENGTH: usize = 4 * MAX_BATCH;
/// How long a request waits for a database connection, and SQLite for a lock, before failing.
const DATABASE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one checkpoint after an erasure may hold writers back ([`ResponseStore::scrub`]).
const SCRUB_WAIT: Duration = Duration::from_millis(250);
/// The wait between checkpoints after an erasure that a reader kept from finishing.
const SCRUB_RETRY: Duration = Duration::from_secs(2);
/// How many checkpoints are tried after an erasure: 10 minutes of them.
const SCRUB_TRIES: u32 = 300;
/// Connections of the read pool (dashboard, exports).
const READERS: u32 = 4;
/// Exports that may stream at once. An export holds a reader until its client has downloaded
/// everything, which a slow client may take long to do; fewer than [`READERS`], so that the
/// dashboard still finds one.
pub const MAX_EXPORTS: usize = 2;

/// A schema migration: version, description (its file is `{version:04}_{description}.sql`)
/// and SQL.
type Migrations = &'static [(i64, &'static str, &'static str)];

/// The schema migrations of each backend, embedded in the binary (see `migrations/`; a unit
/// test keeps these lists and the directories in step). Embedded by hand rather than with
/// `sqlx::migrate!()`: that macro needs sqlx's `macros` feature, which compiles the whole
/// SQLite driver, bundled C library included, a second time for the proc-macro.
const SQLITE_MIGRATIONS: Migrations = &[
    (
        1,
        "responses",
        include_str!("../migrations/sqlite/0001_responses.sql"),
    ),
    (
        2,
        "utc_submitted_at",
        include_str!("../migrations/sqlite/0002_utc_submitted_at.sql"),
    ),
    (
        3,
        "webhooks",
        include_str!("../migrations/sqlite/0003_webhooks.sql"),
    ),
    (
        4,
        "erasure",
        include_str!("../migrations/sqlite/0004_erasure.sql"),
    ),
];
const POSTGRES_MIGRATIONS: Migrations = &[
    (
        1,
        "responses",
        include_str!("../migrations/postgres/0001_responses.sql"),
    ),
    (
        2,
        "webhooks",
        include_str!("../migrations/postgres/0002_webhooks.sql"),
    ),
    (
        3,
        "erasure",
        include_str!("../migrations/postgres/0003_erasure.sql"),
    ),
];

/// The statements in which the backends differ. Parameters are `$1`, `$2`, ... in both.
struct Dialect {
    /// Starts a transaction that writes responses. SQLite's `BEGIN IMMEDIATE` takes the
    /// database's write lock at once, so a busy database waits (busy_timeout) instead of
    /// failing halfway when a read transaction cannot be upgraded. PostgreSQL locks row by row
    /// ([`Dialect::existing`]).
    begin_write: &'static str,
    /// Starts a read-only transaction whose every statement sees the same snapshot.
    begin_read: &'static str,
    /// Run first in a transaction that records survey versions: collectors starting together
    /// on one PostgreSQL database take turns (SQLite's write lock already makes them).
    lock_versions: Option<&'static str>,
    /// What is stored under an id, locked until the write transaction ends.
    existing: &'static str,
    /// Inserts a response unless its id was inserted meanwhile (by another collector).
    insert: &'static str,
    /// Replaces the response stored under its id.
    update: &'static str,
    /// Records the definition of a survey version.
    record_version: &'static str,
    /// Leases up to `$3` due webhook deliveries (due at `$2`) for the URLs of the JSON array
    /// `$4` until `$1`, oldest first, skipping those another collector is leasing at this
    /// moment.
    claim_deliveries: &'static str,
    /// When the next delivery for a URL of the JSON array `$1` is due.
    next_delivery_due: &'static str,
    /// Remembers that the response `$1` was erased.
    record_erasure: &'static str,
    /// Run after an erasure has committed, so that no earlier copy of the erased rows stays in
    /// the database's files: SQLite's WAL still holds the pages as they were until it is
    /// checkpointed and truncated.
    after_erasure: Option<&'static str>,
    migrations: Migrations,
}

/// A dialect from what differs: the current UTC time as `YYYY-MM-DDTHH:MM:SS.sssZ`, and the
/// clause that locks a row read for writing.
macro_rules! dialect {
    (
        begin_write: $begin_write:literal,
        begin_read: $begin_read:literal,
        lock_versions: $lock_versions:expr,
        now: $now:literal,
        for_update: $for_update:literal,
        skip_locked: $skip_locked:literal,
        json_texts: ($open:literal, $close:literal),
        after_erasure: $after_erasure:expr,
        migrations: $migrations:expr $(,)?
    ) => {
        Dialect {
            begin_write: $begin_write,
            begin_read: $begin_read,
            lock_versions: $lock_versions,
            existing: concat!(
                "SELECT survey_id, partial, body, submitted_at FROM responses WHERE id = $1",
                $for_update
            ),
            insert: concat!(
                "INSERT INTO responses
                     (id, survey_id, survey_version, partial, answers, context, submitted_at,
                      received_at, body)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, ",
                $now,
                ", $8)
                 ON CONFLICT (id) DO NOTHING"
            ),
            update: concat!(
                "UPDATE responses
                 SET survey_id = $2, survey_version = $3, partial = $4, answers = $5,
                     context = $6, submitted_at = $7, received_at = ",
                $now,
                ", body = $8
                 WHERE id = $1"
            ),
            record_version: concat!(
                "INSERT INTO survey_versions (survey_id, version, definition, first_seen)
                 VALUES ($1, $2, $3, ",
                $now,
                ")
                 ON CONFLICT (survey_id, version) DO UPDATE SET definition = excluded.definition"
            ),
            claim_deliveries: concat!(
                "UPDATE webhook_deliveries SET next_attempt_ms = $1
                 WHERE seq IN (SELECT seq FROM webhook_deliveries WHERE next_attempt_ms <= $2
                               AND url IN (", $open, "$4", $close, ")
                               ORDER BY seq LIMIT $3",
                $skip_locked,
                ")
                 RETURNING seq, url, event_id, body, attempts"
            ),
            next_delivery_due: concat!(
                "SELECT min(next_attempt_ms) FROM webhook_deliveries WHERE url IN (",
                $open,
                "$1",
                $close,
                ")"
            ),
            record_erasure: concat!(
                "INSERT INTO erased_responses (id, erased_at) VALUES ($1, ",
                $now,
                ")
                 ON CONFLICT (id) DO NOTHING"
            ),
            after_erasure: $after_erasure,
            migrations: $migrations,
        }
    };
}

const SQLITE: Dialect = dialect! {
    begin_write: "BEGIN IMMEDIATE",
    // Deferred: the snapshot is taken at the first read and held until the end (WAL).
    begin_read: "BEGIN",
    lock_versions: None,
    now: "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
    for_update: "",
    // One writer at a time: the UPDATE holds the database's write lock.
    skip_locked: "",
    json_texts: ("SELECT value FROM json_each(", ")"),
    after_erasure: Some("PRAGMA wal_checkpoint(TRUNCATE)"),
    migrations: SQLITE_MIGRATIONS,
};

const POSTGRES: Dialect = dialect! {
    begin_write: "BEGIN",
    begin_read: "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",
    lock_versions: Some("LOCK TABLE survey_versions IN SHARE ROW EXCLUSIVE MODE"),
    now: "to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')",
    for_update: " FOR UPDATE",
    skip_locked: " FOR UPDATE SKIP LOCKED",
    json_texts: ("SELECT json_array_elements_text(", "::json)"),
    // Dead rows stay in the table's files until VACUUM reuses their space (see the README).
    after_erasure: None,
    migrations: POSTGRES_MIGRATIONS,
};

/// `texts` as a JSON array: one parameter that both backends turn into rows.
fn json_texts(texts: &[String]) -> String {
    Json::Array(texts.iter().map(|t| Json::String(t.clone())).collect()).to_string()
}

/// A connection pool of either backend.
#[derive(Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// An open transaction of either backend.
enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// `$body` with `$inner` bound to what `$value` (a [`Pool`] or [`Tx`], named by `$kind`)
/// holds for its backend and `$dialect` to that backend's [`Dialect`]: one body, type-checked
/// against each driver.
macro_rules! per_backend {
    ($kind:ident, $value:expr, |$inner:ident, $dialect:pat_param| $body:expr) => {
        match $value {
            $kind::Sqlite($inner) => {
                let $dialect = &SQLITE;
                $body
            }
            $kind::Postgres($inner) => {
                let $dialect = &POSTGRES;
                $body
            }
        }
    };
}

impl Pool {
    /// A transaction started with the statement `begin` picks from the backend's dialect.
    async fn begin(&self, begin: fn(&Dialect) -> &'static str) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Self::Sqlite(p) => Tx::Sqlite(p.begin_with(begin(&SQLITE)).await?),
            Self::Postgres(p) => Tx::Postgres(p.begin_with(begin(&POSTGRES)).await?),
        })
    }

    async fn close(&self) {
        per_backend!(Pool, self, |p, _| p.close().await)
    }

    fn is_closed(&self) -> bool {
        per_backend!(Pool, self, |p, _| p.is_closed())
    }
}

impl Tx {
    async fn commit(self) -> Result<(), sqlx::Error> {
        per_backend!(Tx, self, |tx, _| tx.commit().await)
    }
}

/// What became of one stored response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A new response.
    Inserted,
    /// A complete response replaced the partial one stored under its id.
    Completed,
    /// A later partial response replaced the earlier partial one.
    Updated,
    /// Already stored (a retry, or a partial arriving after its complete response): nothing
    /// changed.
    Duplicate,
    /// The id is already used by a response to another survey: nothing changed.
    Conflict,
    /// The response under this id was erased on request: nothing stored.
    Erased,
    /// The response was submitted before the retention period (`--retention-days`): by the
    /// site owner's rule it is not kept, so it is not stored (it may be a copy of one the
    /// retention has erased, sent again from a browser that never heard its answer).
    Expired,
}

impl Outcome {
    /// The word used for it in API answers and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inserted => "stored",
            Self::Completed => "completed",
            Self::Updated => "updated",
            Self::Duplicate => "duplicate",
            Self::Conflict => "conflict",
            Self::Erased => "erased",
            Self::Expired => "expired",
        }
    }
}

/// Storage failed; the reason has been logged, and nothing of the response was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unavailable;

/// Why an export cannot start now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportRefused {
    /// [`MAX_EXPORTS`] exports are streaming.
    Busy,
    /// The database does not answer (logged).
    Unavailable,
}

/// A response as it is written: one row of `responses`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRow {
    /// The response id (idempotency key).
    pub id: String,
    /// Survey answered.
    pub survey_id: String,
    /// Version answered.
    pub survey_version: u32,
    /// Whether the visitor left before finishing.
    pub partial: bool,
    /// `answers` as JSON text.
    pub answers: String,
    /// `context` as JSON text.
    pub context: String,
    /// `context.submitted_at` in UTC, `YYYY-MM-DDTHH:MM:SS.sssZ`: compared as text, it orders
    /// the partial forms of a response.
    pub submitted_at: String,
    /// The whole response as canonical JSON text (what the export gives back).
    pub body: String,
    /// Its webhook event, when the collector sends webhooks (see [`crate::webhooks::event`]).
    pub event: Option<String>,
}

impl NewRow {
    /// The row of a (validated) response.
    pub fn new(response: &Response) -> Self {
        let body = response.to_json();
        let context = body.get("context").map(Json::to_string).unwrap_or_default();
        Self {
            id: response.id.clone(),
            survey_id: response.survey.id.clone(),
            survey_version: response.survey.version,
            partial: response.partial,
            answers: Json::Object(response.answers.clone()).to_string(),
            context,
            // A validated response always has an RFC 3339 time.
            submitted_at: response
                .context
                .submitted_at_utc()
                .unwrap_or_else(|| response.context.submitted_at.clone()),
            body: body.to_string(),
            event: None,
        }
    }
}

/// What is already stored under an id, as far as deciding a write needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Existing {
    /// Its survey.
    pub survey_id: String,
    /// Whether it is partial.
    pub partial: bool,
    /// Its canonical JSON.
    pub body: String,
    /// Whether it was submitted later than the arriving response (an old partial retried
    /// late must not overwrite a newer one).
    pub newer: bool,
}

/// What writing `new` does, given what is stored under its id.
pub fn decide(existing: Option<&Existing>, new: &NewRow) -> Outcome {
    let Some(old) = existing else {
        return Outcome::Inserted;
    };
    if old.survey_id != new.survey_id {
        Outcome::Conflict
    } else if !old.partial || old.body == new.body {
        Outcome::Duplicate
    } else if !new.partial {
        Outcome::Completed
    } else if old.newer {
        Outcome::Duplicate
    } else {
        Outcome::Updated
    }
}

/// One stored response, as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRow {
    /// Insertion order, the tie-breaker of `received_at`.
    pub rowid: i64,
    /// The response id.
    pub id: String,
    /// Version answered.
    pub survey_version: u32,
    /// Whether the visitor left before finishing.
    pub partial: bool,
    /// `answers` as JSON text.
    pub answers: String,
    /// When the collector stored this form of the response (RFC 3339, UTC).
    pub received_at: String,
    /// The whole response as canonical JSON text.
    pub body: String,
}

/// The webhook deliveries to one URL that its receiver has not accepted yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backlog {
    /// Where they go.
    pub url: String,
    /// How many wait.
    pub waiting: i64,
    /// When the response of the oldest one was stored (RFC 3339, UTC).
    pub since: Option<String>,
    /// The most attempts one of them has had.
    pub attempts: i64,
    /// When the next attempt is due (Unix ms).
    pub next_attempt_ms: i64,
    /// Why the last failed attempt failed.
    pub last_error: Option<String>,
}

/// What [`ResponseStore::erase`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Erasure {
    /// The response was stored; now it is erased.
    Erased,
    /// It had been erased before.
    AlreadyErased,
    /// No response was ever stored under that id.
    Unknown,
}

/// Responses erased per transaction by [`ResponseStore::erase_received_before`].
pub const ERASE_BATCH: i64 = 500;

/// A webhook delivery, as claimed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Its row.
    pub seq: i64,
    /// Where it goes.
    pub url: String,
    /// The event's id (its response's id).
    pub event_id: String,
    /// The event, JSON.
    pub body: String,
    /// Attempts so far.
    pub attempts: u32,
    /// Until when this collector holds it: its result is recorded only while the row still
    /// has this lease (the row may be gone, erased, and its number taken by another's).
    pub lease_until: i64,
}

struct PendingWrite {
    row: NewRow,
    reply: oneshot::Sender<Result<Outcome, Unavailable>>,
}

#[derive(Default)]
struct Counters {
    transactions: AtomicU64,
    writes: AtomicU64,
}

/// The response database: a queue to the one writer task, and a pool of readers.
#[derive(Clone)]
pub struct ResponseStore {
    queue: mpsc::Sender<PendingWrite>,
    writer: Pool,
    readers: Pool,
    /// One connection for the health check, so that busy readers do not make the collector
    /// look down.
    health: Pool,
    /// One connection for webhook deliveries.
    deliveries: Pool,
    /// Woken when the writer has committed new deliveries.
    deliveries_written: Arc<Notify>,
    /// Where completed responses go.
    webhooks: Arc<[String]>,
    /// Permits of the exports streaming now.
    exports: Arc<Semaphore>,
    /// Held by the webhook task while the deliveries it claimed are out (see
    /// [`ResponseStore::sending`]).
    sending: Arc<tokio::sync::Mutex<()>>,
    counters: Arc<Counters>,
}

impl ResponseStore {
    /// Open (creating a SQLite file if needed) the database, bring its schema up to date and
    /// start the writer task. Every completed response gets a delivery to each of `webhooks`.
    pub async fn open(database: &Database, webhooks: &[String]) -> Result<Self, sqlx::Error> {
        // One writer connection: SQLite has one writer anyway, and in PostgreSQL one
        // connection committing batches keeps up with what one collector receives.
        let (writer, readers, health, deliveries) = match database {
            Database::Sqlite(path) => {
                let options = SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .busy_timeout(DATABASE_TIMEOUT)
                    .foreign_keys(true)
                    // What is deleted (an erased response, a delivered webhook's body) is
                    // overwritten, not just unlinked: a copy of the file must not hold it.
                    .pragma("secure_delete", "on");
                let pool = |size| {
                    SqlitePoolOptions::new()
                        .max_connections(size)
                        .acquire_timeout(DATABASE_TIMEOUT)
                        .connect_with(options.clone())
                };
                // The writer first: it creates the file and turns WAL on.
                let writer = Pool::Sqlite(pool(1).await?);
                (
                    writer,
                    Pool::Sqlite(pool(READERS).await?),
                    Pool::Sqlite(pool(1).await?),
                    Pool::Sqlite(pool(1).await?),
                )
            }
            Database::Postgres(url) => {
                let options = PgConnectOptions::from_str(url)?.application_name("sayso-collector");
                let pool = |size| {
                    PgPoolOptions::new()
                        .max_connections(size)
                        .acquire_timeout(DATABASE_TIMEOUT)
                        .connect_with(options.clone())
                };
                (
                    Pool::Postgres(pool(1).await?),
                    Pool::Postgres(pool(READERS).await?),
                    Pool::Postgres(pool(1).await?),
                    Pool::Postgres(pool(1).await?),
                )
            }
        };
        // Collectors starting together on one PostgreSQL database take turns (sqlx holds an
        // advisory lock while it migrates).
        per_backend!(Pool, &writer, |p, dialect| {
            Migrator::new(EmbeddedMigrations(dialect.migrations))
                .await?
                .run(p)
                .await?
        });
        let (queue, incoming) = mpsc::channel(QUEUE_LENGTH);
        let counters = Arc::new(Counters::default());
        let deliveries_written = Arc::new(Notify::new());
        let webhooks: Arc<[String]> = webhooks.into();
        tokio::spawn(run_writer(
            writer.clone(),
            incoming,
            Writes {
                counters: counters.clone(),
                webhooks: webhooks.clone(),
                deliveries_written: deliveries_written.clone(),
            },
        ));
        Ok(Self {
            queue,
            writer,
            readers,
            health,
            deliveries,
            deliveries_written,
            webhooks,
            exports: Arc::new(Semaphore::new(MAX_EXPORTS)),
            sending: Arc::default(),
            counters,
        })
    }

    /// Record the definition of each current survey file in `survey_versions` and return every
    /// other recorded version: earlier versions of these surveys, so that responses to them
    /// still validate, and versions of retired surveys (no file any more), so that their
    /// responses can still be read and exported.
    ///
    /// Fails, changing nothing, when a stored `(id, version)` has a different definition: the
    /// answers stored under that version would silently change meaning. Each such line names
    /// the file at fault.
    pub async fn record_versions(
        &self,
        files: &[SurveyFile],
    ) -> Result<Vec<SurveyDefinition>, Vec<String>> {
        let database = |e: sqlx::Error| vec![format!("database: {e}")];
        let mut tx = self
            .writer
            .begin(|d| d.begin_write)
            .await
            .map_err(database)?;
        per_backend!(Tx, &mut tx, |t, dialect| {
            if let Some(lock) = dialect.lock_versions {
                t.execute(lock).await.map_err(database)?;
            }
        });
        let mut lines = Vec::new();
        for SurveyFile { path, definition } in files {
            let text = definition.to_json().to_string();
            let version = i64::from(definition.version);
            let stored = per_backend!(Tx, &mut tx, |t, _| {
                sqlx::query_scalar::<_, String>(
                    "SELECT definition FROM survey_versions WHERE survey_id = $1 AND version = $2",
                )
                .bind(&definition.id)
                .bind(version)
                .fetch_optional(&mut **t)
                .await
            })
            .map_err(database)?;
            let record = match &stored {
                Some(stored) if *stored == text => false,
                // New, or only how it shows changed: record the latest for this version.
                None => true,
                Some(stored) if same_questions(stored, definition) => true,
                Some(_) => {
                    lines.push(format!(
                        "{}: survey {} version {} changed without a version bump: give it a \
                         higher \"version\" so that stored answers keep their meaning",
                        path.display(),
                        definition.id,
                        definition.version
                    ));
                    false
                }
            };
            if record {
                per_backend!(Tx, &mut tx, |t, dialect| {
                    sqlx::query(dialect.record_version)
                        .bind(&definition.id)
                        .bind(version)
                        .bind(&text)
                        .execute(&mut **t)
                        .await
                        .map(drop)
                })
                .map_err(database)?;
            }
        }
        if !lines.is_empty() {
            // Dropping the transaction rolls it back: no new version is recorded either.
            return Err(lines);
        }
        let rows = per_backend!(Tx, &mut tx, |t, _| {
            sqlx::query_as::<_, (String, i64, String)>(
                "SELECT survey_id, version, definition FROM survey_versions",
            )
            .fetch_all(&mut **t)
            .await
        })
        .map_err(database)?;
        tx.commit().await.map_err(database)?;
        let mut earlier = Vec::new();
        for (id, version, text) in rows {
            let is_current_version = files
                .iter()
                .any(|f| f.definition.id == id && i64::from(f.definition.version) == version);
            if is_current_version {
                continue;
            }
            match SurveyDefinition::from_json(&text) {
                Ok(definition) => earlier.push(definition),
                Err(problems) => tracing::warn!(
                    survey = %id, version, %problems,
                    "a stored earlier version no longer validates; responses to it are refused"
                ),
            }
        }
        Ok(earlier)
    }

    /// Whether another collector sharing this database has recorded survey `survey` (an id and
    /// version this one was not given): during a rolling update, a collector started later has
    /// a new survey's file already. Always `false` on SQLite, which one collector has alone.
    pub async fn others_know(&self, survey: &SurveyRef) -> Result<bool, Unavailable> {
        let Pool::Postgres(pool) = &self.readers else {
            return Ok(false);
        };
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM survey_versions WHERE survey_id = $1 AND version = $2",
        )
        .bind(&survey.id)
        .bind(i64::from(survey.version))
        .fetch_one(pool)
        .await
        .map(|n| n > 0)
        .map_err(|e| log_read_error("looking up a survey another collector may have", e))
    }

    /// Whether completed responses get webhook deliveries (then [`ResponseStore::save`] wants
    /// their event).
    pub fn sends_webhooks(&self) -> bool {
        !self.webhooks.is_empty()
    }

    /// The URLs every completed response is delivered to.
    pub fn webhook_urls(&self) -> &[String] {
        &self.webhooks
    }

    /// Store a validated response, with its webhook `event` when it completes and webhooks
    /// are sent; returns only after the transaction holding it committed.
    pub async fn save(
        &self,
        response: &Response,
        event: Option<String>,
    ) -> Result<Outcome, Unavailable> {
        let (reply, outcome) = oneshot::channel();
        let mut row = NewRow::new(response);
        row.event = event;
        let write = PendingWrite { row, reply };
        if self.queue.send(write).await.is_err() {
            tracing::error!("the response writer has stopped");
            return Err(Unavailable);
        }
        outcome.await.unwrap_or_else(|_| {
            tracing::error!("the response writer dropped a write without answering");
            Err(Unavailable)
        })
    }

    /// Check that the database answers: that the responses table can be read. Uses its own
    /// connection, so that readers held by slow exports or dashboards do not fail it.
    pub async fn ping(&self) -> Result<(), Unavailable> {
        per_backend!(Pool, &self.health, |p, _| {
            sqlx::query("SELECT 1 FROM responses LIMIT 1")
                .execute(p)
                .await
                .map(drop)
        })
        .map_err(|e| log_read_error("health check", e))
    }

    /// A consistent view of the stored responses, for reading them page by page.
    pub async fn snapshot(&self) -> Result<Snapshot, Unavailable> {
        self.begin_snapshot(None).await
    }

    /// A snapshot for an export, which holds one of [`MAX_EXPORTS`] permits until it is
    /// dropped (when its download ends, completed or not). Refused at once when every permit
    /// is taken: waiting would only hold the client's request open.
    pub async fn export_snapshot(&self) -> Result<Snapshot, ExportRefused> {
        let permit = self
            .exports
            .clone()
            .try_acquire_owned()
            .map_err(|_| ExportRefused::Busy)?;
        self.begin_snapshot(Some(permit))
            .await
            .map_err(|Unavailable| ExportRefused::Unavailable)
    }

    async fn begin_snapshot(
        &self,
        export: Option<OwnedSemaphorePermit>,
    ) -> Result<Snapshot, Unavailable> {
        self.readers
            .begin(|d| d.begin_read)
            .await
            .map(|tx| Snapshot {
                tx,
                _export: export,
            })
            .map_err(|e| log_read_error("opening a read transaction", e))
    }

    /// Transactions the writer has committed since the store was opened.
    pub fn transactions_committed(&self) -> u64 {
        self.counters.transactions.load(Ordering::Relaxed)
    }

    /// Writes (responses, whatever their outcome) committed since the store was opened.
    pub fn writes_committed(&self) -> u64 {
        self.counters.writes.load(Ordering::Relaxed)
    }

    /// Lease up to `limit` webhook deliveries due at `now` (Unix ms) until `lease_until`,
    /// among those for `urls`: a delivery for a URL the collector no longer has is never sent
    /// (a receiver taken out of the configuration, say because it leaked, gets nothing more).
    pub async fn claim_deliveries(
        &self,
        now: i64,
        lease_until: i64,
        limit: u32,
        urls: &[String],
    ) -> Result<Vec<Delivery>, Unavailable> {
        let urls = json_texts(urls);
        let rows = per_backend!(Pool, &self.deliveries, |p, dialect| {
            sqlx::query_as::<_, (i64, String, String, String, i64)>(dialect.claim_deliveries)
                .bind(lease_until)
                .bind(now)
                .bind(i64::from(limit))
                .bind(&urls)
                .fetch_all(p)
                .await
        })
        .map_err(|e| log_read_error("claiming webhook deliveries", e))?;
        let mut deliveries: Vec<Delivery> = rows
            .into_iter()
            .map(|(seq, url, event_id, body, attempts)| Delivery {
                seq,
                url,
                event_id,
                body,
                attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
                lease_until,
            })
            .collect();
        deliveries.sort_by_key(|d| d.seq);
        Ok(deliveries)
    }

    /// Forget a delivery its receiver accepted (if it is still the one this lease claimed).
    pub async fn delivered(&self, delivery: &Delivery) -> Result<(), Unavailable> {
        per_backend!(Pool, &self.deliveries, |p, _| {
            sqlx::query(
                "DELETE FROM webhook_deliveries
                 WHERE seq = $1 AND next_attempt_ms = $2 AND event_id = $3",
            )
            .bind(delivery.seq)
            .bind(delivery.lease_until)
            .bind(&delivery.event_id)
            .execute(p)
            .await
            .map(drop)
        })
        .map_err(|e| log_read_error("recording a webhook delivery", e))
    }

    /// Record a failed attempt and when to try again (Unix ms), if the delivery is still the
    /// one this lease claimed.
    pub async fn retry_delivery(
        &self,
        delivery: &Delivery,
        attempts: u32,
        next_attempt: i64,
        error: &str,
    ) -> Result<(), Unavailable> {
        per_backend!(Pool, &self.deliveries, |p, _| {
            sqlx::query(
                "UPDATE webhook_deliveries SET attempts = $2, next_attempt_ms = $3, last_error = $4
                 WHERE seq = $1 AND next_attempt_ms = $5 AND event_id = $6",
            )
            .bind(delivery.seq)
            .bind(i64::from(attempts))
            .bind(next_attempt)
            .bind(error)
            .bind(delivery.lease_until)
            .bind(&delivery.event_id)
            .execute(p)
            .await
            .map(drop)
        })
        .map_err(|e| log_read_error("recording a failed webhook delivery", e))
    }

    /// When the next delivery waiting for one of `urls` is due (Unix ms); `None` when none
    /// waits.
    pub async fn next_delivery_due(&self, urls: &[String]) -> Result<Option<i64>, Unavailable> {
        let urls = json_texts(urls);
        per_backend!(Pool, &self.deliveries, |p, dialect| {
            sqlx::query_scalar::<_, Option<i64>>(dialect.next_delivery_due)
                .bind(&urls)
                .fetch_one(p)
                .await
        })
        .map_err(|e| log_read_error("looking for webhook deliveries", e))
    }

    /// Deliveries not yet accepted by their receiver.
    pub async fn pending_deliveries(&self) -> Result<i64, Unavailable> {
        per_backend!(Pool, &self.deliveries, |p, _| {
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM webhook_deliveries")
                .fetch_one(p)
                .await
        })
        .map_err(|e| log_read_error("counting webhook deliveries", e))
    }

    /// Erase the response stored under `id`, with its webhook deliveries not yet sent, and
    /// remember the id, so that a copy sent again is acknowledged but not stored.
    pub async fn erase(&self, id: &str) -> Result<Erasure, Unavailable> {
        let erase = async {
            let mut tx = self.writer.begin(|d| d.begin_write).await?;
            let deleted = per_backend!(Tx, &mut tx, |t, _| {
                sqlx::query("DELETE FROM responses WHERE id = $1")
                    .bind(id)
                    .execute(&mut **t)
                    .await
                    .map(|done| done.rows_affected())
            })?;
            let erasure = if deleted > 0 {
                per_backend!(Tx, &mut tx, |t, dialect| {
                    sqlx::query("DELETE FROM webhook_deliveries WHERE event_id = $1")
                        .bind(id)
                        .execute(&mut **t)
                        .await?;
                    sqlx::query(dialect.record_erasure)
                        .bind(id)
                        .execute(&mut **t)
                        .await
                        .map(drop)
                })?;
                Erasure::Erased
            } else if was_erased(&mut tx, id).await? {
                Erasure::AlreadyErased
            } else {
                Erasure::Unknown
            };
            tx.commit().await?;
            Ok::<_, sqlx::Error>(erasure)
        };
        let erasure = erase
            .await
            .map_err(|e| log_read_error("erasing a response", e))?;
        if erasure == Erasure::Erased {
            self.scrub().await;
        }
        Ok(erasure)
    }

    /// After an erasure: leave no earlier copy of the erased rows in the files (see
    /// [`Dialect::after_erasure`]). A reader holding an old snapshot (a slow export) keeps the
    /// checkpoint from finishing, and while it waits, writers wait too: so each try waits at
    /// most [`SCRUB_WAIT`], and until one finishes it is tried again in the background every
    /// [`SCRUB_RETRY`], [`SCRUB_TRIES`] times in all.
    async fn scrub(&self) {
        if self.checkpoint().await {
            return;
        }
        let store = self.clone();
        tokio::spawn(async move {
            for _ in 1..SCRUB_TRIES {
                tokio::time::sleep(SCRUB_RETRY).await;
                if store.checkpoint().await {
                    return;
                }
            }
            tracing::warn!(
                "a reader kept the database from being checkpointed after an erasure: the erased rows may stay in its write-ahead log until the next erasure"
            );
        });
    }

    /// One try of [`Dialect::after_erasure`], on a reader's connection; whether it finished.
    async fn checkpoint(&self) -> bool {
        // PostgreSQL keeps no such copy (its `after_erasure` is `None`).
        let (Pool::Sqlite(pool), Some(statement)) = (&self.readers, SQLITE.after_erasure) else {
            return true;
        };
        let tried = async {
            let mut c = pool.acquire().await?;
            let wait = |d: Duration| format!("PRAGMA busy_timeout = {}", d.as_millis());
            sqlx::query(&wait(SCRUB_WAIT)).execute(&mut *c).await?;
            // Its first column says whether it was kept from finishing.
            let busy = sqlx::query_scalar::<_, i64>(statement)
                .fetch_one(&mut *c)
                .await;
            sqlx::query(&wait(DATABASE_TIMEOUT))
                .execute(&mut *c)
                .await?;
            busy
        };
        match tried.await {
            Ok(busy) => busy == 0,
            Err(e) => {
                tracing::warn!(error = %e, "could not checkpoint the database after an erasure");
                false
            }
        }
    }

    /// Erase the responses stored before `cutoff` (a UTC time as [`sayso_schema::utc_time`]
    /// writes it), with their webhook deliveries not yet sent, in transactions of at most
    /// [`ERASE_BATCH`] so that intake is never held up long; how many (those of the batches that
    /// committed, when a later one failed).
    pub async fn erase_received_before(&self, cutoff: &str) -> Result<u64, Unavailable> {
        let mut erased = 0;
        loop {
            let batch = async {
                let mut tx = self.writer.begin(|d| d.begin_write).await?;
                let deleted = per_backend!(Tx, &mut tx, |t, _| {
                    // The condition twice: PostgreSQL re-checks only the outer one on a row
                    // that another writer renewed (a partial completed) while this waited.
                    let deleted = sqlx::query(
                        "DELETE FROM responses WHERE received_at < $1 AND id IN
                             (SELECT id FROM responses WHERE received_at < $1 LIMIT $2)",
                    )
                    .bind(cutoff)
                    .bind(ERASE_BATCH)
                    .execute(&mut **t)
                    .await?
                    .rows_affected();
                    // Deliveries are written with their response: one without is of an
                    // erased response.
                    sqlx::query(
                        "DELETE FROM webhook_deliveries WHERE NOT EXISTS
                             (SELECT 1 FROM responses r WHERE r.id = webhook_deliveries.event_id)",
                    )
                    .execute(&mut **t)
                    .await
                    .map(|_| deleted)
                })?;
                tx.commit().await?;
                Ok::<_, sqlx::Error>(deleted)
            };
            // A batch that fails after others committed: those are erased all the same, and
            // counted, and scrubbed from the files; the next run takes the rest.
            let deleted = match batch.await {
                Ok(deleted) => deleted,
                Err(e) if erased > 0 => {
                    log_read_error("erasing old responses", e);
                    0
                }
                Err(e) => return Err(log_read_error("erasing old responses", e)),
            };
            erased += deleted;
            if deleted < ERASE_BATCH as u64 {
                if erased > 0 {
                    self.scrub().await;
                }
                return Ok(erased);
            }
        }
    }

    /// Notified when the writer has committed new webhook deliveries, and on close.
    pub fn deliveries_written(&self) -> Arc<Notify> {
        self.deliveries_written.clone()
    }

    /// Whether [`ResponseStore::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.deliveries.is_closed()
    }

    /// To be held while claimed deliveries are out: [`ResponseStore::close`] waits until they
    /// are back, so that each attempt's outcome is recorded. (Otherwise a restart would leave
    /// them leased, and unsent, for up to [`crate::webhooks::LEASE`].)
    pub async fn sending(&self) -> tokio::sync::OwnedMutexGuard<()> {
        self.sending.clone().lock_owned().await
    }

    /// Close the pools (SQLite then checkpoints its log), once the webhook deliveries out have
    /// come back (at most [`crate::webhooks::TIMEOUT`]). Call after the server has stopped:
    /// later writes fail.
    pub async fn close(&self) {
        let sending = self.sending().await;
        self.deliveries.close().await;
        drop(sending);
        self.deliveries_written.notify_one();
        self.health.close().await;
        self.readers.close().await;
        self.writer.close().await;
    }
}

/// One read transaction over the responses: rows completed while a long export or dashboard
/// reads page after page are neither missed nor seen twice. (Held open, it delays WAL
/// checkpoints, not writes.)
pub struct Snapshot {
    tx: Tx,
    /// An export's place among the [`MAX_EXPORTS`], given back on drop.
    _export: Option<OwnedSemaphorePermit>,
}

impl Snapshot {
    /// The id of every survey that has stored responses, sorted.
    pub async fn survey_ids(&mut self) -> Result<Vec<String>, Unavailable> {
        per_backend!(Tx, &mut self.tx, |t, _| {
            sqlx::query_scalar("SELECT DISTINCT survey_id FROM responses ORDER BY survey_id")
                .fetch_all(&mut **t)
                .await
        })
        .map_err(|e| log_read_error("listing surveys", e))
    }

    /// Whether any response to `survey_id` is stored.
    pub async fn has_responses(&mut self, survey_id: &str) -> Result<bool, Unavailable> {
        per_backend!(Tx, &mut self.tx, |t, _| {
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM responses WHERE survey_id = $1)")
                .bind(survey_id)
                .fetch_one(&mut **t)
                .await
        })
        .map_err(|e| log_read_error("looking up a survey", e))
    }

    /// The deliveries waiting, per URL, in URL order; each URL's last error is that of its
    /// newest delivery that failed.
    pub async fn webhook_backlog(&mut self) -> Result<Vec<Backlog>, Unavailable> {
        let rows = per_backend!(Tx, &mut self.tx, |t, _| {
            sqlx::query_as::<_, (String, i64, Option<String>, i64, i64, Option<String>)>(
                "SELECT d.url, count(*), min(r.received_at), max(d.attempts),
                        min(d.next_attempt_ms),
                        (SELECT e.last_error FROM webhook_deliveries e
                         WHERE e.url = d.url AND e.last_error IS NOT NULL
                         ORDER BY e.seq DESC LIMIT 1)
                 FROM webhook_deliveries d LEFT JOIN responses r ON r.id = d.event_id
                 GROUP BY d.url
                 ORDER BY d.url",
            )
            .fetch_all(&mut **t)
            .await
        })
        .map_err(|e| log_read_error("reading the webhook backlog", e))?;
        Ok(rows
            .into_iter()
            .map(
                |(url, waiting, since, attempts, next_attempt_ms, last_error)| Backlog {
                    url,
                    waiting,
                    since,
                    attempts,
                    next_attempt_ms,
                    last_error,
                },
            )
            .collect())
    }

    /// Up to `limit` responses to `survey_id`, oldest first, after `after` (the `received_at`
    /// and `rowid` of the last row of the previous page).
    pub async fn page(
        &mut self,
        survey_id: &str,
        after: Option<(&str, i64)>,
        limit: u32,
    ) -> Result<Vec<StoredRow>, Unavailable> {
        let (after_time, after_row) = after.unwrap_or(("", i64::MIN));
        let rows = per_backend!(Tx, &mut self.tx, |t, _| {
            sqlx::query_as::<_, (i64, String, i64, bool, String, String, String)>(
                "SELECT rowid, id, survey_version, partial, answers, received_at, body
                 FROM responses
                 WHERE survey_id = $1 AND (received_at, rowid) > ($2, $3)
                 ORDER BY received_at, rowid
                 LIMIT $4",
            )
            .bind(survey_id)
            .bind(after_time)
            .bind(after_row)
            .bind(i64::from(limit))
            .fetch_all(&mut **t)
            .await
        })
        .map_err(|e| log_read_error("reading responses", e))?;
        Ok(rows
            .into_iter()
            .map(
                |(rowid, id, version, partial, answers, received_at, body)| StoredRow {
                    rowid,
                    id,
                    survey_version: u32::try_from(version).unwrap_or_default(),
                    partial,
                    answers,
                    received_at,
                    body,
                },
            )
            .collect())
    }
}

/// Whether the stored definition text asks what `definition` asks: texts, locales, questions
/// and skip logic, what the stored answers mean. How, when and where the survey shows (display,
/// trigger, targeting, theme, thank-you page, privacy settings, allowed origins, the widget's
/// own words) may change
/// under the same version. Read back and compared as definitions, so that a change in how
/// definitions are written out is not mistaken for a change of the survey either.
fn same_questions(stored: &str, definition: &SurveyDefinition) -> bool {
    SurveyDefinition::from_json(stored).is_ok_and(|s| {
        let with_stored_presentation = SurveyDefinition {
            display: s.display.clone(),
            trigger: s.trigger.clone(),
            targeting: s.targeting.clone(),
            theme: s.theme.clone(),
            thank_you: s.thank_you.clone(),
            privacy: s.privacy.clone(),
            allowed_origins: s.allowed_origins.clone(),
            strings: s.strings.clone(),
            ..definition.clone()
        };
        with_stored_presentation == s
    })
}

fn log_read_error(what: &str, e: sqlx::Error) -> Unavailable {
    tracing::error!(error = %e, "{what} failed");
    Unavailable
}

/// What the writer task writes with, besides its pool.
struct Writes {
    counters: Arc<Counters>,
    /// Every completed response gets a delivery to each.
    webhooks: Arc<[String]>,
    deliveries_written: Arc<Notify>,
}

/// The writer task: drain the queue in batches, one transaction per batch, then answer.
async fn run_writer(pool: Pool, mut queue: mpsc::Receiver<PendingWrite>, writes: Writes) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let rows: Vec<&NewRow> = batch.iter().map(|w| &w.row).collect();
        let outcomes = match write_batch(&pool, &writes, &rows).await {
            Ok(outcomes) => outcomes.into_iter().map(Ok).collect(),
            Err(e) if batch.len() > 1 => {
                // One bad write must not sink the others: write each on its own.
                tracing::warn!(error = %e, writes = batch.len(), "batch failed; writing one by one");
                let mut outcomes = Vec::with_capacity(batch.len());
                for row in rows {
                    let one = write_batch(&pool, &writes, &[row]).await;
                    outcomes.push(one.map(|o| o[0]).map_err(|e| log_write_error(row, e)));
                }
                outcomes
            }
            Err(e) => vec![Err(log_write_error(&batch[0].row, e))],
        };
        for (write, outcome) in batch.drain(..).zip(outcomes) {
            // The handler may have gone (client disconnected): the write stands regardless.
            let _ = write.reply.send(outcome);
        }
    }
}

fn log_write_error(row: &NewRow, e: sqlx::Error) -> Unavailable {
    tracing::error!(error = %e, id = %row.id, survey = %row.survey_id, "could not store a response");
    Unavailable
}

/// Write `rows` in one transaction and commit; the outcome of each, in order.
async fn write_batch(
    pool: &Pool,
    writes: &Writes,
    rows: &[&NewRow],
) -> Result<Vec<Outcome>, sqlx::Error> {
    // Rows are locked in id order (the same id keeps its arrival order), so that two
    // collectors writing batches that share ids cannot deadlock on PostgreSQL.
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| rows[a].id.cmp(&rows[b].id));
    let mut tx = pool.begin(|d| d.begin_write).await?;
    let mut outcomes = vec![Outcome::Duplicate; rows.len()];
    let mut deliveries = 0;
    for i in order {
        outcomes[i] = write_one(&mut tx, rows[i]).await?;
        let completes = match outcomes[i] {
            Outcome::Inserted => !rows[i].partial,
            Outcome::Completed => true,
            Outcome::Updated
            | Outcome::Duplicate
            | Outcome::Conflict
            | Outcome::Erased
            | Outcome::Expired => false,
        };
        if completes {
            deliveries += enqueue_deliveries(&mut tx, &writes.webhooks, rows[i]).await?;
        }
    }
    tx.commit().await?;
    if deliveries > 0 {
        writes.deliveries_written.notify_one();
    }
    let counters = &writes.counters;
    counters.transactions.fetch_add(1, Ordering::Relaxed);
    counters
        .writes
        .fetch_add(outcomes.len() as u64, Ordering::Relaxed);
    Ok(outcomes)
}

/// Write the webhook deliveries of a response that just completed, due now; how many.
async fn enqueue_deliveries(
    tx: &mut Tx,
    webhooks: &[String],
    row: &NewRow,
) -> Result<usize, sqlx::Error> {
    let Some(event) = &row.event else {
        return Ok(0);
    };
    let now = crate::webhooks::now_ms();
    for url in webhooks {
        per_backend!(Tx, &mut *tx, |t, _| {
            sqlx::query(
                "INSERT INTO webhook_deliveries (url, event_id, body, attempts, next_attempt_ms)
                 VALUES ($1, $2, $3, 0, $4)",
            )
            .bind(url)
            .bind(&row.id)
            .bind(event)
            .bind(now)
            .execute(&mut **t)
            .await
            .map(drop)
        })?;
    }
    Ok(webhooks.len())
}

/// Whether the response `id` was erased on request.
async fn was_erased(tx: &mut Tx, id: &str) -> Result<bool, sqlx::Error> {
    per_backend!(Tx, &mut *tx, |t, _| {
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM erased_responses WHERE id = $1)")
            .bind(id)
            .fetch_one(&mut **t)
            .await
    })
}

async fn write_one(tx: &mut Tx, row: &NewRow) -> Result<Outcome, sqlx::Error> {
    // A second round only when another collector inserted the id between this one's read and
    // its insert (PostgreSQL; SQLite's write lock rules it out). The insert waited for that
    // transaction to commit, so the second read sees the row and locks it.
    for _ in 0..2 {
        let existing = per_backend!(Tx, &mut *tx, |t, dialect| {
            sqlx::query_as::<_, (String, bool, String, String)>(dialect.existing)
                .bind(&row.id)
                .fetch_optional(&mut **t)
                .await
        })?;
        let existing = existing.map(|(survey_id, partial, body, submitted_at)| Existing {
            survey_id,
            partial,
            body,
            // Both in the one UTC form (see `NewRow::submitted_at` and SQLite migration 2):
            // text order is time order.
            newer: submitted_at > row.submitted_at,
        });
        // Read after the row's lock: an erasure that committed meanwhile is seen.
        if existing.is_none() && was_erased(tx, &row.id).await? {
            return Ok(Outcome::Erased);
        }
        let outcome = decide(existing.as_ref(), row);
        let statement: fn(&Dialect) -> &'static str = match outcome {
            Outcome::Inserted => |d: &Dialect| d.insert,
            Outcome::Completed | Outcome::Updated => |d: &Dialect| d.update,
            // `decide` says neither erased nor expired (intake judges that); no write either way.
            Outcome::Duplicate | Outcome::Conflict | Outcome::Erased | Outcome::Expired => {
                return Ok(outcome);
            }
        };
        let written = per_backend!(Tx, &mut *tx, |t, dialect| {
            sqlx::query(statement(dialect))
                .bind(&row.id)
                .bind(&row.survey_id)
                .bind(i64::from(row.survey_version))
                .bind(row.partial)
                .bind(&row.answers)
                .bind(&row.context)
                .bind(&row.submitted_at)
                .bind(&row.body)
                .execute(&mut **t)
                .await
                .map(|done| done.rows_affected())
        })?;
        if written == 1 {
            return Ok(outcome);
        }
    }
    Err(sqlx::Error::Protocol(format!(
        "response {} changed twice while being written",
        row.id
    )))
}

/// The embedded migrations as a sqlx migration source.
#[derive(Debug)]
struct EmbeddedMigrations(Migrations);

type Resolved = Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send>>;

impl MigrationSource<'static> for EmbeddedMigrations {
    fn resolve(self) -> Resolved {
        let migrations = self
            .0
            .iter()
            .map(|(version, description, sql)| {
                Migration::new(
                    *version,
                    Cow::Borrowed(*description),
                    MigrationType::Simple,
                    Cow::Borrowed(*sql),
                    false,
                )
            })
            .collect();
        Box::pin(std::future::ready(Ok(migrations)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(survey: &str, partial: bool, body: &str) -> NewRow {
        NewRow {
            id: "0b5f3a4e-8c1d-4f7a-9e2b-6d3c1a0f4e5b".into(),
            survey_id: survey.into(),
            survey_version: 1,
            partial,
            answers: "{}".into(),
            context: "{}".into(),
            submitted_at: "2026-01-31T09:30:00Z".into(),
            body: body.into(),
            event: None,
        }
    }

    fn stored(survey: &str, partial: bool, body: &str, newer: bool) -> Existing {
        Existing {
            survey_id: survey.into(),
            partial,
            body: body.into(),
            newer,
        }
    }

    #[test]
    fn outcomes_of_every_case() {
        use Outcome::*;
        let cases = [
            (None, row("s", false, "a"), Inserted),
            (None, row("s", true, "a"), Inserted),
            (
                Some(stored("s", false, "a", false)),
                row("s", false, "a"),
                Duplicate,
            ),
            (
                Some(stored("s", false, "a", false)),
                row("s", false, "b"),
                Duplicate,
            ),
            (
                Some(stored("s", false, "a", false)),
                row("s", true, "b"),
                Duplicate,
            ),
            (
                Some(stored("s", true, "a", false)),
                row("s", false, "b"),
                Completed,
            ),
            (
                Some(stored("s", true, "a", true)),
                row("s", false, "b"),
                Completed,
            ),
            (
                Some(stored("s", true, "a", false)),
                row("s", true, "b"),
                Updated,
            ),
            (
                Some(stored("s", true, "a", false)),
                row("s", true, "a"),
                Duplicate,
            ),
            (
                Some(stored("s", true, "a", true)),
                row("s", true, "b"),
                Duplicate,
            ),
            (
                Some(stored("other", false, "a", false)),
                row("s", false, "a"),
                Conflict,
            ),
            (
                Some(stored("other", true, "a", false)),
                row("s", false, "b"),
                Conflict,
            ),
        ];
        for (i, (existing, new, want)) in cases.into_iter().enumerate() {
            assert_eq!(decide(existing.as_ref(), &new), want, "case {i}");
        }
    }

    #[test]
    fn every_migration_file_is_embedded() {
        for (backend, migrations) in [
            ("sqlite", SQLITE_MIGRATIONS),
            ("postgres", POSTGRES_MIGRATIONS),
        ] {
            let dir = format!("{}/migrations/{backend}", env!("CARGO_MANIFEST_DIR"));
            let mut files: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .filter(|n| n.ends_with(".sql"))
                .collect();
            files.sort();
            let embedded: Vec<String> = migrations
                .iter()
                .map(|(v, d, _)| format!("{v:04}_{d}.sql"))
                .collect();
            assert_eq!(files, embedded, "{backend}");
        }
    }

    #[tokio::test]
    async fn queued_writes_share_one_commit() {
        let dir = tempfile::tempdir().unwrap();
        let store = ResponseStore::open(&Database::Sqlite(dir.path().join("t.db")), &[])
            .await
            .unwrap();
        let responses: Vec<Response> = (0..50)
            .map(|i| {
                Response::from_json(&format!(
                    r#"{{"schema": "sayso.response/v1",
                        "id": "00000000-0000-4000-8000-{i:012x}",
                        "survey": {{"id": "s", "version": 1}}, "answers": {{"nps": 9}},
                        "context": {{"url": "https://c.example/", "locale": "en",
                            "started_at": "2026-01-31T09:30:00Z",
                            "submitted_at": "2026-01-31T09:31:00Z"}}}}"#
                ))
                .unwrap()
            })
            .collect();
        // Every save is enqueued in the first poll, before the writer task runs: one batch.
        let saves = responses.iter().map(|r| store.save(r, None));
        let outcomes = join_all(saves).await;
        assert!(outcomes.iter().all(|o| *o == Ok(Outcome::Inserted)));
        assert_eq!(store.writes_committed(), 50);
        assert_eq!(store.transactions_committed(), 1);
        let mut snapshot = store.snapshot().await.unwrap();
        let page = snapshot.page("s", None, 1000).await.unwrap();
        assert_eq!(page.len(), 50);
        let rest = snapshot
            .page("s", Some((&page[9].received_at, page[9].rowid)), 1000)
            .await
            .unwrap();
        assert_eq!(rest.len(), 40);
        assert_eq!(rest[0].id, page[10].id);
    }

    #[tokio::test]
    async fn an_attempt_records_its_result_only_on_the_delivery_it_claimed() {
        let dir = tempfile::tempdir().unwrap();
        let urls = ["http://127.0.0.1:9/hook".to_owned()];
        let store = ResponseStore::open(&Database::Sqlite(dir.path().join("t.db")), &urls)
            .await
            .unwrap();
        let response = |n: u32| {
            Response::from_json(&format!(
                r#"{{"schema": "sayso.response/v1", "id": "00000000-0000-4000-8000-{n:012x}",
                    "survey": {{"id": "s", "version": 1}}, "answers": {{"nps": 9}},
                    "context": {{"url": "https://c.example/", "locale": "en",
                        "started_at": "2026-01-31T09:30:00Z",
                        "submitted_at": "2026-01-31T09:31:00Z"}}}}"#
            ))
            .unwrap()
        };
        let (a, b) = (response(1), response(2));
        // Claimed as at a time every delivery written now is due.
        let claim = |now: i64| store.claim_deliveries(now, now + 60_000, 10, &urls);
        let later = 4_000_000_000_000;
        store.save(&a, Some("{}".into())).await.unwrap();
        let sent_a = claim(later).await.unwrap().pop().unwrap();
        // While A's attempt is out, A is erased, and B's delivery is written: on SQLite it may
        // get the row number A's had.
        assert_eq!(store.erase(&a.id).await, Ok(Erasure::Erased));
        store.save(&b, Some("{}".into())).await.unwrap();
        store.delivered(&sent_a).await.unwrap();
        store
            .retry_delivery(&sent_a, 5, 0, "from A's attempt")
            .await
            .unwrap();
        assert_eq!(store.pending_deliveries().await, Ok(1));
        let waiting = claim(later + 1).await.unwrap();
        assert_eq!(waiting.len(), 1);
        assert_eq!(
            (waiting[0].event_id.as_str(), waiting[0].attempts),
            (b.id.as_str(), 0)
        );
        assert_eq!(
            waiting[0].seq, sent_a.seq,
            "the case tested: the row number was reused"
        );
    }

    #[tokio::test]
    async fn the_health_check_needs_no_reader() {
        let dir = tempfile::tempdir().unwrap();
        let store = ResponseStore::open(&Database::Sqlite(dir.path().join("t.db")), &[])
            .await
            .unwrap();
        let mut held = Vec::new();
        for _ in 0..READERS {
            held.push(store.snapshot().await.unwrap());
        }
        assert_eq!(store.ping().await, Ok(()));
    }

    #[tokio::test]
    async fn exports_are_capped_below_the_readers() {
        const { assert!(MAX_EXPORTS < READERS as usize) };
        let dir = tempfile::tempdir().unwrap();
        let store = ResponseStore::open(&Database::Sqlite(dir.path().join("t.db")), &[])
            .await
            .unwrap();
        let mut exports = Vec::new();
        for _ in 0..MAX_EXPORTS {
            exports.push(store.export_snapshot().await.unwrap());
        }
        assert!(matches!(
            store.export_snapshot().await,
            Err(ExportRefused::Busy)
        ));
        // The dashboard still reads.
        let mut dashboard = store.snapshot().await.unwrap();
        assert_eq!(dashboard.survey_ids().await.unwrap(), Vec::<String>::new());
        exports.pop();
        assert!(store.export_snapshot().await.is_ok());
    }

    #[tokio::test]
    async fn migration_2_puts_stored_times_in_utc() {
        let dir = tempfile::tempdir().unwrap();
        let store = ResponseStore::open(&Database::Sqlite(dir.path().join("t.db")), &[])
            .await
            .unwrap();
        let Pool::Sqlite(writer) = &store.writer else {
            unreachable!("a SQLite store")
        };
        let times = [
            ("a", "2026-11-24t09:30:00z", "2026-11-24T09:30:00.000Z"),
            (
                "b",
                "2026-11-24T10:30:00.25+02:00",
                "2026-11-24T08:30:00.250Z",
            ),
            ("c", "2016-12-31T23:59:60Z", "2016-12-31T23:59:60Z"),
        ];
        for (id, time, _) in times {
            sqlx::query(
                "INSERT INTO responses VALUES (?1, 's', 1, 1, '{}', '{}', ?2, '2026-01-01', '{}')",
            )
            .bind(id)
            .bind(time)
            .execute(writer)
            .await
            .unwrap();
        }
        sqlx::raw_sql(SQLITE_MIGRATIONS[1].2)
            .execute(writer)
            .await
            .unwrap();
        for (id, _, utc) in times {
            let stored: String =
                sqlx::query_scalar("SELECT submitted_at FROM responses WHERE id = ?1")
                    .bind(id)
                    .fetch_one(writer)
                    .await
                    .unwrap();
            assert_eq!(stored, utc, "{id}");
        }
    }

    /// Poll every future until all are done (a minimal `join_all`).
    async fn join_all<F: Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
        let mut futures: Vec<_> = futures.map(Box::pin).collect();
        let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
        std::future::poll_fn(|cx| {
            let mut pending = false;
            for (f, out) in futures.iter_mut().zip(outputs.iter_mut()) {
                if out.is_none() {
                    match f.as_mut().poll(cx) {
                        std::task::Poll::Ready(v) => *out = Some(v),
                        std::task::Poll::Pending => pending = true,
                    }
                }
            }
            if pending {
                std::task::Poll::Pending
            } else {
                std::task::Poll::Ready(())
            }
        })
        .await;
        outputs.into_iter().map(Option::unwrap).collect()
    }
}
