//! `GET /admin/export.ndjson?survey=<id>` and `GET /admin/export.csv?survey=<id>`: every
//! stored response of a survey, oldest first, streamed page by page so that a large export
//! needs no more memory than a small one; with `&since=<RFC 3339 time>`, only those stored (or
//! a partial one completed or updated) at or after it, for pulling what is new.
//!
//! Any survey with recorded versions or stored responses can be exported, a retired one (its
//! file removed) included. At most [`MAX_EXPORTS`](crate::store::MAX_EXPORTS) exports stream
//! at once; another is refused with 503 and `Retry-After`.

use std::borrow::Cow;

use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header::{self, HeaderValue};
use axum::response::{IntoResponse, Response};
use futures_util::stream;
use sayso_schema::{Json, SurveyDefinition};
use serde::Deserialize;

use crate::AppState;
use crate::catalog::Versions;
use crate::problem::ApiError;
use crate::store::{ExportRefused, Snapshot, StoredRow};

/// Rows read per page.
const PAGE: u32 = 500;

/// The query of both exports.
#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    /// Survey id.
    survey: String,
    /// Only responses stored (or last updated) at or after this time (RFC 3339).
    since: Option<String>,
}

/// What an export streams: a survey's responses, from a time on (the `received_at` text of
/// the first to include).
struct Export {
    survey: String,
    since: Option<String>,
    snapshot: Snapshot,
}

/// One stored response body per line.
pub async fn ndjson(
    State(state): State<AppState>,
    query: Result<Query<ExportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let export = open(&state, query).await?;
    let id = export.survey.clone();
    let body = stream_rows(export, None, |row| format!("{}\n", row.body));
    Ok(download(body, "application/x-ndjson", &id, "ndjson"))
}

/// A spreadsheet: id, received_at, partial, survey_version, then one column per question
/// holding the answer's JSON text (empty when unanswered). For a survey none of whose
/// definitions is known, one `answers` column holds the answers' JSON instead.
pub async fn csv(
    State(state): State<AppState>,
    query: Result<Query<ExportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let export = open(&state, query).await?;
    let id = export.survey.clone();
    // The current version's questions first, in its order, then those only earlier versions had.
    let catalog = state.catalog();
    let current = catalog.get(&id).map(|s| &*s.current);
    let earlier = catalog.versions(&id).into_iter().flat_map(Versions::values);
    let questions = question_columns(current.into_iter().chain(earlier.rev().map(|d| &**d)));
    let whole_answers = questions.is_empty();
    let mut header: Vec<Cow<str>> = ["id", "received_at", "partial", "survey_version"]
        .into_iter()
        .map(Cow::Borrowed)
        .collect();
    header.extend(questions.iter().map(|q| Cow::Owned(q.clone())));
    if whole_answers {
        header.push(Cow::Borrowed("answers"));
    }
    let header = csv_record(&header);
    let body = stream_rows(export, Some(header), move |row| {
        let answers = Json::parse(&row.answers).unwrap_or(Json::Null);
        let mut fields: Vec<Cow<str>> = vec![
            Cow::Borrowed(row.id.as_str()),
            Cow::Borrowed(row.received_at.as_str()),
            Cow::Borrowed(if row.partial { "true" } else { "false" }),
            Cow::Owned(row.survey_version.to_string()),
        ];
        fields.extend(
            questions
                .iter()
                .map(|q| Cow::Owned(answers.get(q).map(Json::to_string).unwrap_or_default())),
        );
        if whole_answers {
            fields.push(Cow::Borrowed(row.answers.as_str()));
        }
        csv_record(&fields)
    });
    Ok(download(body, "text/csv; charset=utf-8", &id, "csv"))
}

/// The export the query asks for, with a snapshot to read it from: refused when the query
/// names no survey or a `since` that is no RFC 3339 time, when the survey is neither known
/// (current or retired) nor has stored responses, and when too many exports are streaming.
async fn open(
    state: &AppState,
    query: Result<Query<ExportQuery>, QueryRejection>,
) -> Result<Export, ApiError> {
    let Query(ExportQuery { survey, since }) = query.map_err(|_| {
        ApiError::BadRequest("name the survey to export: ?survey=<survey id>".to_owned())
    })?;
    // Stored times are UTC text in one form, which sorts as time does: `since` is put in it.
    let since = match since.as_deref().map(sayso_schema::canonical_time) {
        None => None,
        Some(Some(time)) => Some(time),
        Some(None) => {
            return Err(ApiError::BadRequest(
                "since: expected an RFC 3339 time, such as 2026-12-01T00:00:00Z".to_owned(),
            ));
        }
    };
    let mut snapshot = state
        .store
        .export_snapshot()
        .await
        .map_err(|refused| match refused {
            ExportRefused::Busy => ApiError::ExportsBusy,
            ExportRefused::Unavailable => ApiError::DatabaseUnavailable,
        })?;
    let known = state.catalog().versions(&survey).is_some()
        || snapshot
            .has_responses(&survey)
            .await
            .map_err(|_| ApiError::DatabaseUnavailable)?;
    if !known {
        return Err(ApiError::NotFound(format!(
            "no survey \"{survey}\" on this collector, and no stored responses to it"
        )));
    }
    Ok(Export {
        survey,
        since,
        snapshot,
    })
}

/// Question ids of every definition given, once each, in the order given, so that no stored
/// answer lacks a column.
pub fn question_columns<'a>(
    definitions: impl IntoIterator<Item = &'a SurveyDefinition>,
) -> Vec<String> {
    let mut columns: Vec<String> = Vec::new();
    for definition in definitions {
        for q in &definition.questions {
            if !columns.contains(&q.id) {
                columns.push(q.id.clone());
            }
        }
    }
    columns
}

fn download(body: Body, content_type: &'static str, survey: &str, extension: &str) -> Response {
    let mut response = body.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Survey ids are slugs (letters, digits, '-', '_'): safe inside the quoted file name.
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{survey}.{extension}\""))
    {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// A body of `first` and then `render` of every row of `export`, read page by page from its
/// snapshot.
/// A read failure midway aborts the body, so a client sees a failed download rather than a
/// silently short file.
fn stream_rows(
    export: Export,
    first: Option<String>,
    render: impl Fn(&StoredRow) -> String + Send + Sync + 'static,
) -> Body {
    struct Pager<R> {
        snapshot: Snapshot,
        survey: String,
        after: Option<(String, i64)>,
        first: Option<String>,
        render: R,
    }
    // Rows come in (received_at, rowid) order, after the page's last: from `since` on, every
    // row at that time or later.
    let pager = Pager {
        snapshot: export.snapshot,
        survey: export.survey,
        after: export.since.map(|time| (time, i64::MIN)),
        first,
        render,
    };
    let chunks = stream::unfold(Some(pager), |pager| async move {
        let mut p = pager?;
        if let Some(first) = p.first.take() {
            return Some((Ok(Bytes::from(first)), Some(p)));
        }
        let after = p.after.as_ref().map(|(t, r)| (t.as_str(), *r));
        match p.snapshot.page(&p.survey, after, PAGE).await {
            Err(_) => Some((Err(std::io::Error::other("reading responses failed")), None)),
            Ok(rows) if rows.is_empty() => None,
            Ok(rows) => {
                let chunk: String = rows.iter().map(&p.render).collect();
                let last = rows.last().expect("not empty");
                let more = rows.len() == PAGE as usize;
                p.after = Some((last.received_at.clone(), last.rowid));
                Some((Ok(Bytes::from(chunk)), more.then_some(p)))
            }
        }
    });
    Body::from_stream(chunks)
}

/// One CSV record (RFC 4180): fields separated by commas, ended by CRLF.
pub fn csv_record<S: AsRef<str>>(fields: &[S]) -> String {
    let mut line = fields
        .iter()
        .map(|f| csv_field(f.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// A CSV field, quoted when it holds a comma, a quote, a line break or edge spaces, with
/// quotes doubled.
///
/// Spreadsheet formula injection (`=`, `+`, `-`, `@` at the start) cannot arise here: answer
/// cells are JSON texts, so a visitor's string always starts with `"`.
pub fn csv_field(field: &str) -> Cow<'_, str> {
    let needs_quotes =
        field.contains([',', '"', '\n', '\r']) || field.starts_with(' ') || field.ends_with(' ');
    if needs_quotes {
        Cow::Owned(format!("\"{}\"", field.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quoting() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("9"), "9");
        assert_eq!(csv_field(""), "");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(
            csv_field(r#""Quick, and kind.""#),
            r#""""Quick, and kind.""""#
        );
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field(" padded"), "\" padded\"");
        assert_eq!(
            csv_record(&["id", r#"{"text":"a"}"#, "x"]),
            "id,\"{\"\"text\"\":\"\"a\"\"}\",x\r\n"
        );
    }
}
