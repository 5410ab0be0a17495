//! `GET /admin`: one server-rendered page with every survey's scores and recent answers.
//!
//! Each version of a survey is summarised on its own: a version bump means the questions
//! changed, and mixing answers to different questions would make every number wrong. Contact
//! details are never shown here, only counted; they are in the exports. Scored questions (NPS,
//! CSAT, CES, rating) also show their score in each of the last 12 months with answers, by the
//! month the collector stored them in (its clock, UTC; visitors' clocks can be anything).
//!
//! Retired surveys (definition file removed, versions or responses still in the database) are
//! listed after the current ones, marked as such, with their counts and export links.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::extract::State;
use axum::response::Html as HtmlResponse;
use sayso_schema::score::{
    Detail, NpsBreakdown, QuestionSummary, SurveySummary, mean, top_two_box,
};
use sayso_schema::{Question, QuestionKind, Response, SurveyDefinition};

use super::html::Html;
use crate::AppState;
use crate::catalog::Versions;
use crate::problem::ApiError;
use crate::store::{Backlog, Snapshot};
use crate::webhooks::{display_url, now_ms};

/// Rows read per page while summarising.
const PAGE: u32 = 500;
/// Months shown in a scored question's trend, the latest.
const MONTHS: usize = 12;

/// The summary of one version of a survey.
#[derive(Debug)]
pub struct VersionReport {
    /// The definition of that version.
    pub definition: Arc<SurveyDefinition>,
    /// Its answers, summarised.
    pub summary: SurveySummary,
    /// Its answers summarised per month they were stored in (`YYYY-MM`, UTC), oldest first.
    pub months: Vec<(String, SurveySummary)>,
}

/// Everything the dashboard shows about one survey.
#[derive(Debug)]
pub struct SurveyReport {
    /// The survey's id.
    pub id: String,
    /// Whether the survey is retired: no definition file any more, so neither served nor
    /// answered.
    pub retired: bool,
    /// Current version first (for a retired survey, its newest known version), then earlier
    /// versions that have responses, newest first. Empty when no version is known.
    pub versions: Vec<VersionReport>,
    /// Stored responses that could not be read back (a version no longer known).
    pub unreadable: u32,
}

/// The dashboard page.
pub async fn page(State(state): State<AppState>) -> Result<HtmlResponse<String>, ApiError> {
    let unavailable = |_| ApiError::DatabaseUnavailable;
    let mut snapshot = state.store.snapshot().await.map_err(unavailable)?;
    let catalog = state.catalog();
    let mut reports = Vec::new();
    for survey in catalog.iter() {
        let id = &survey.current.id;
        let report = summarize(&mut snapshot, id, Some(&survey.current), &survey.versions);
        reports.push(report.await?);
    }
    let with_responses = snapshot.survey_ids().await.map_err(unavailable)?;
    let retired: BTreeSet<&str> = catalog
        .retired()
        .map(|(id, _)| id)
        .chain(with_responses.iter().map(String::as_str))
        .filter(|id| catalog.get(id).is_none())
        .collect();
    let unknown = Versions::new();
    for id in retired {
        let versions = catalog.versions(id).unwrap_or(&unknown);
        reports.push(summarize(&mut snapshot, id, None, versions).await?);
    }
    let backlog = snapshot.webhook_backlog().await.map_err(unavailable)?;
    let webhooks = webhook_reports(state.store.webhook_urls(), backlog);
    Ok(HtmlResponse(render(&reports, &webhooks, now_ms())))
}

/// What the dashboard shows about the deliveries to one webhook URL.
#[derive(Debug)]
pub struct WebhookReport {
    /// Whether the URL is one of this collector's `--webhook`s (deliveries written while it
    /// was configured are not sent once it is removed: they wait until it is put back).
    pub configured: bool,
    /// The URL, and what waits for it (nothing when `waiting` is 0).
    pub backlog: Backlog,
}

/// The configured URLs (in their order), each with its backlog, then URLs that are no longer
/// configured but still have deliveries waiting.
pub fn webhook_reports(configured: &[String], backlog: Vec<Backlog>) -> Vec<WebhookReport> {
    let mut waiting: BTreeMap<String, Backlog> =
        backlog.into_iter().map(|b| (b.url.clone(), b)).collect();
    let mut reports: Vec<WebhookReport> = configured
        .iter()
        .map(|url| WebhookReport {
            configured: true,
            backlog: waiting.remove(url).unwrap_or(Backlog {
                url: url.clone(),
                waiting: 0,
                since: None,
                attempts: 0,
                next_attempt_ms: 0,
                last_error: None,
            }),
        })
        .collect();
    reports.extend(waiting.into_values().map(|backlog| WebhookReport {
        configured: false,
        backlog,
    }));
    reports
}

/// The report of survey `id`, whose `current` definition is `None` when it is retired.
async fn summarize(
    snapshot: &mut Snapshot,
    id: &str,
    current: Option<&Arc<SurveyDefinition>>,
    versions: &Versions,
) -> Result<SurveyReport, ApiError> {
    let id = id.to_owned();
    let mut summaries: BTreeMap<u32, (Arc<SurveyDefinition>, SurveySummary)> = BTreeMap::new();
    let mut months: BTreeMap<u32, BTreeMap<String, SurveySummary>> = BTreeMap::new();
    // The current version (or a retired survey's newest) shows even without responses.
    if let Some(headline) = current.or_else(|| versions.values().next_back()) {
        summaries.insert(
            headline.version,
            (headline.clone(), SurveySummary::new(headline)),
        );
    }
    let mut unreadable = 0;
    let mut after: Option<(String, i64)> = None;
    loop {
        let cursor = after.as_ref().map(|(t, r)| (t.as_str(), *r));
        let rows = snapshot
            .page(&id, cursor, PAGE)
            .await
            .map_err(|_| ApiError::DatabaseUnavailable)?;
        for row in &rows {
            let definition = versions.get(&row.survey_version);
            match (definition, Response::from_json(&row.body)) {
                (Some(definition), Ok(response)) => {
                    let (definition, summary) = summaries
                        .entry(row.survey_version)
                        .or_insert_with(|| (definition.clone(), SurveySummary::new(definition)));
                    summary.add(definition, &response);
                    let month = row.received_at.get(..7).unwrap_or_default().to_owned();
                    months
                        .entry(row.survey_version)
                        .or_default()
                        .entry(month)
                        .or_insert_with(|| SurveySummary::new(definition))
                        .add(definition, &response);
                }
                _ => unreadable += 1,
            }
        }
        match rows.last() {
            Some(last) if rows.len() == PAGE as usize => {
                after = Some((last.received_at.clone(), last.rowid));
            }
            _ => break,
        }
    }
    let mut reports: Vec<VersionReport> = summaries
        .into_iter()
        .rev()
        .map(|(version, (definition, summary))| VersionReport {
            definition,
            summary,
            months: months
                .remove(&version)
                .unwrap_or_default()
                .into_iter()
                .collect(),
        })
        .collect();
    if let Some(current) = current {
        reports.sort_by_key(|v| v.definition.version != current.version);
    }
    Ok(SurveyReport {
        id,
        retired: current.is_none(),
        versions: reports,
        unreadable,
    })
}

/// The whole page, as of `now` (Unix ms). Every value from a definition, a response or a
/// receiver's error is escaped by [`Html::text`].
pub fn render(reports: &[SurveyReport], webhooks: &[WebhookReport], now: i64) -> String {
    let mut h = Html::default();
    h.raw(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Sayso dashboard</title>\n\
         <link rel=\"stylesheet\" href=\"/admin/style.css\">\n</head>\n<body>\n\
         <header><h1>Sayso</h1><p>Responses stored by this collector.</p></header>\n<main>\n",
    );
    if !webhooks.is_empty() {
        webhook_table(&mut h, webhooks, now);
    }
    if reports.is_empty() {
        h.raw("<p class=\"empty\">No surveys are loaded.</p>\n");
    }
    for report in reports {
        survey(&mut h, report);
    }
    h.raw("</main>\n</body>\n</html>\n");
    h.finish()
}

/// Per URL: how many deliveries wait and since when, how often they were tried, the last
/// error and when the next attempt is due; URLs whose receiver has everything read "all
/// delivered".
fn webhook_table(h: &mut Html, webhooks: &[WebhookReport], now: i64) {
    let waiting: i64 = webhooks.iter().map(|w| w.backlog.waiting).sum();
    h.raw("<section class=\"webhooks\">\n<h2>Webhooks</h2>\n");
    if waiting > 0 {
        h.raw("<p class=\"warning\">")
            .text(waiting)
            .raw(if waiting == 1 {
                " delivery has not been accepted yet"
            } else {
                " deliveries have not been accepted yet"
            })
            .raw(if webhooks.iter().any(|w| w.configured) {
                ": each is retried until its receiver answers 2xx; those for a URL no longer \
                 configured wait unsent.</p>\n"
            } else {
                ": this collector has no --webhook, so they wait unsent.</p>\n"
            });
    }
    h.raw(
        "<table>\n<thead><tr><th scope=\"col\">URL</th><th scope=\"col\">Waiting</th>\
         <th scope=\"col\">Since</th><th scope=\"col\">Attempts</th>\
         <th scope=\"col\">Last error</th><th scope=\"col\">Next attempt</th></tr></thead>\n\
         <tbody>\n",
    );
    for w in webhooks {
        let b = &w.backlog;
        h.raw("<tr><th scope=\"row\">").text(display_url(&b.url));
        if !w.configured {
            h.raw(" <span class=\"tag\">no longer configured: not sent</span>");
        }
        h.raw("</th>");
        if b.waiting == 0 {
            h.raw("<td colspan=\"5\">all delivered</td></tr>\n");
            continue;
        }
        h.raw("<td>")
            .text(b.waiting)
            .raw("</td><td>")
            .text(b.since.as_deref().unwrap_or("—"))
            .raw("</td><td>")
            .text(b.attempts)
            .raw("</td><td>")
            .text(b.last_error.as_deref().unwrap_or("—"))
            .raw("</td><td>")
            .text(if w.configured {
                due(b.next_attempt_ms - now)
            } else {
                "never, unless configured again".into()
            })
            .raw("</td></tr>\n");
    }
    h.raw("</tbody>\n</table>\n</section>\n");
}

/// A wait of `ms` milliseconds, as the dashboard shows it: "now", "in 40 s", "in 12 min".
fn due(ms: i64) -> String {
    match ms / 1000 {
        s if s <= 0 => "now".into(),
        s if s < 120 => format!("in {s} s"),
        s => format!("in {} min", s / 60),
    }
}

fn survey(h: &mut Html, report: &SurveyReport) {
    let headline = report.versions.first().map(|v| &v.definition);
    let title = headline.map_or(report.id.as_str(), |d| d.text(&d.title, &d.locales.default));
    h.raw("<section class=\"survey\">\n<h2>")
        .text(title)
        .raw(" <small>")
        .text(&report.id)
        .raw("</small>");
    if report.retired {
        h.raw(" <span class=\"tag\">retired</span></h2>\n")
            .raw("<p class=\"meta\">Its definition file is gone: it is no longer shown or ")
            .raw("answered. Its stored responses are kept.</p>\n");
    } else {
        h.raw("</h2>\n");
    }
    h.raw("<p class=\"exports\">Export: <a href=\"/admin/export.csv?survey=")
        .text(&report.id)
        .raw("\">CSV</a> · <a href=\"/admin/export.ndjson?survey=")
        .text(&report.id)
        .raw("\">NDJSON</a></p>\n");
    if report.unreadable > 0 {
        h.raw("<p class=\"warning\">")
            .text(report.unreadable)
            .raw(" stored responses answer a version this collector no longer knows.</p>\n");
    }
    for (i, version) in report.versions.iter().enumerate() {
        version_report(h, version, i == 0 && !report.retired);
    }
    h.raw("</section>\n");
}

fn version_report(h: &mut Html, report: &VersionReport, current: bool) {
    let (d, s) = (&report.definition, &report.summary);
    h.raw("<div class=\"version\">\n<h3>Version ")
        .text(d.version);
    if current {
        h.raw(" <span class=\"tag\">current</span>");
    }
    h.raw("</h3>\n<p class=\"counts\"><strong>")
        .text(s.complete)
        .raw("</strong> complete · <strong>")
        .text(s.partial)
        .raw("</strong> partial · each question counts every answer given, in partial responses too</p>\n");
    for summary in &s.questions {
        if let Some(question) = d.question(&summary.id) {
            question_report(h, d, question, summary, &report.months);
        }
    }
    h.raw("</div>\n");
}

/// The score of a scale question's answers, as the dashboard writes it (`None` without
/// answers), and what it is, long and short; `None` for kinds without a score.
fn scale_score(
    kind: &QuestionKind,
    scores: &[u8],
) -> Option<(Option<String>, String, &'static str)> {
    let scores = scores.iter().copied();
    Some(match kind {
        QuestionKind::Nps { .. } => {
            let score = NpsBreakdown::from_scores(scores).score().map(whole);
            (score, "NPS".into(), "NPS")
        }
        QuestionKind::Csat { .. } => {
            let score = top_two_box(scores, 5).map(|p| format!("{}%", whole(p)));
            (score, "CSAT, satisfied (4 or 5)".into(), "CSAT")
        }
        QuestionKind::Ces { .. } => (
            mean(scores).map(two_places),
            "CES, mean effort of 1–7".into(),
            "CES",
        ),
        QuestionKind::Rating { max, .. } => (
            mean(scores).map(two_places),
            format!("mean rating of 1–{max}"),
            "Mean",
        ),
        _ => return None,
    })
}

/// A scored question's score in each of the latest [`MONTHS`] months with answers, when
/// there are answers in more than one.
fn trend(h: &mut Html, q: &Question, months: &[(String, SurveySummary)]) {
    let answered: Vec<(&str, &QuestionSummary)> = months
        .iter()
        .filter_map(|(month, s)| Some((month.as_str(), s.questions.iter().find(|x| x.id == q.id)?)))
        .filter(|(_, s)| s.answered > 0)
        .collect();
    let Some((_, _, short)) = scale_score(&q.kind, &[]) else {
        return;
    };
    if answered.len() < 2 {
        return;
    }
    h.raw("<table class=\"trend\">\n<caption>By month (UTC)</caption>\n")
        .raw("<thead><tr><th scope=\"col\">Month</th><th scope=\"col\">Answered</th><th scope=\"col\">")
        .text(short)
        .raw("</th></tr></thead>\n<tbody>\n");
    for (month, s) in &answered[answered.len().saturating_sub(MONTHS)..] {
        let (score, _, _) = scale_score(&q.kind, &s.scores()).unwrap_or_default();
        h.raw("<tr><th scope=\"row\">")
            .text(month)
            .raw("</th><td>")
            .text(s.answered)
            .raw("</td><td>")
            .text(score.as_deref().unwrap_or("–"))
            .raw("</td></tr>\n");
    }
    h.raw("</tbody>\n</table>\n");
}

fn question_report(
    h: &mut Html,
    d: &SurveyDefinition,
    q: &Question,
    s: &QuestionSummary,
    months: &[(String, SurveySummary)],
) {
    let locale = d.locales.default.as_str();
    h.raw("<article class=\"question\">\n<h4>")
        .text(d.text(&q.title, locale))
        .raw("</h4>\n<p class=\"meta\">")
        .text(q.kind.name())
        .raw(" · ")
        .text(s.answered)
        .raw(" answered</p>\n");
    let scores = s.scores();
    if let Some((score, label, _)) = scale_score(&q.kind, &scores) {
        headline(h, score, &label);
    }
    match (&q.kind, &s.detail) {
        (QuestionKind::Nps { .. }, Detail::Scale { low, counts }) => {
            let b = NpsBreakdown::from_scores(scores.iter().copied());
            h.raw("<p class=\"breakdown\">")
                .text(b.promoters)
                .raw(" promoters · ")
                .text(b.passives)
                .raw(" passives · ")
                .text(b.detractors)
                .raw(" detractors</p>\n");
            distribution(h, *low, counts);
        }
        (
            QuestionKind::Csat { .. } | QuestionKind::Ces { .. } | QuestionKind::Rating { .. },
            Detail::Scale { low, counts },
        ) => distribution(h, *low, counts),
        (
            QuestionKind::SingleChoice { options, .. } | QuestionKind::MultiChoice { options, .. },
            Detail::Choices {
                counts,
                others,
                other,
            },
        ) => {
            let most = counts.values().copied().chain([*others]).max().unwrap_or(0);
            h.raw("<table class=\"counts\">\n");
            for option in options {
                let n = counts.get(&option.id).copied().unwrap_or(0);
                bar_row(h, d.text(&option.label, locale), n, most);
            }
            if *others > 0 {
                bar_row(h, "Other", *others, most);
            }
            h.raw("</table>\n");
            recent_texts(h, other);
        }
        (_, Detail::Texts(texts)) => recent_texts(h, texts),
        (_, Detail::Definitions(definitions)) => {
            h.raw("<ul class=\"definitions\">\n");
            for def in definitions.iter().rev() {
                h.raw("<li><blockquote>")
                    .text(&def.text)
                    .raw("</blockquote><p class=\"by\">— ")
                    .text(def.attribution.as_deref().unwrap_or("anonymous"))
                    .raw(" · ")
                    .raw(if def.publish {
                        "may be published"
                    } else {
                        "not for publication"
                    })
                    .raw("</p></li>\n");
            }
            h.raw("</ul>\n");
        }
        (
            QuestionKind::Likert {
                rows,
                points,
                point_labels,
            },
            Detail::Likert(counts),
        ) => {
            h.raw("<table class=\"likert\">\n<tr><th></th>");
            for point in 1..=*points {
                h.raw("<th>");
                match point_labels
                    .as_ref()
                    .and_then(|l| l.get(usize::from(point) - 1))
                {
                    Some(label) => h.text(d.text(label, locale)),
                    None => h.text(point),
                };
                h.raw("</th>");
            }
            h.raw("</tr>\n");
            for row in rows {
                h.raw("<tr><th>")
                    .text(d.text(&row.label, locale))
                    .raw("</th>");
                let row_counts = counts.get(&row.id);
                for point in 0..usize::from(*points) {
                    let n = row_counts.and_then(|c| c.get(point)).copied().unwrap_or(0);
                    h.raw("<td>").text(n).raw("</td>");
                }
                h.raw("</tr>\n");
            }
            h.raw("</table>\n");
        }
        (_, Detail::Consent { agreed }) => {
            h.raw("<p class=\"breakdown\">")
                .text(agreed)
                .raw(" agreed</p>\n");
        }
        (_, Detail::Contact) => {
            h.raw("<p class=\"breakdown\">")
                .text(s.answered)
                .raw(" left contact details (shown only in the exports).</p>\n");
        }
        _ => {}
    }
    trend(h, q, months);
    h.raw("</article>\n");
}

fn headline(h: &mut Html, value: Option<String>, label: &str) {
    h.raw("<p class=\"score\"><span class=\"value\">")
        .text(value.as_deref().unwrap_or("–"))
        .raw("</span> ")
        .text(label)
        .raw("</p>\n");
}

/// How many chose each point of a scale, as bars. `<meter>` rather than styled widths: the
/// CSP allows no inline styles.
fn distribution(h: &mut Html, low: u8, counts: &[u32]) {
    let most = counts.iter().copied().max().unwrap_or(0);
    h.raw("<table class=\"counts\">\n");
    for (i, n) in counts.iter().enumerate() {
        bar_row(h, u32::from(low) + i as u32, *n, most);
    }
    h.raw("</table>\n");
}

fn bar_row(h: &mut Html, label: impl std::fmt::Display, n: u32, most: u32) {
    h.raw("<tr><th>")
        .text(label)
        .raw("</th><td><meter min=\"0\" max=\"")
        .text(most.max(1))
        .raw("\" value=\"")
        .text(n)
        .raw("\"></meter></td><td>")
        .text(n)
        .raw("</td></tr>\n");
}

/// The most recent texts, newest first.
fn recent_texts(h: &mut Html, texts: &std::collections::VecDeque<String>) {
    if texts.is_empty() {
        return;
    }
    h.raw("<ul class=\"texts\">\n");
    for text in texts.iter().rev() {
        h.raw("<li>").text(text).raw("</li>\n");
    }
    h.raw("</ul>\n");
}

/// A whole number, without the "-0" that rounding a small negative gives.
fn whole(x: f64) -> String {
    let r = x.round();
    if r == 0.0 {
        "0".to_owned()
    } else {
        format!("{r:.0}")
    }
}

fn two_places(x: f64) -> String {
    format!("{x:.2}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn definition() -> SurveyDefinition {
        SurveyDefinition::from_json(
            r#"{"id": "s", "version": 2, "title": "Care <b>survey</b>",
                "questions": [
                  {"id": "nps", "kind": "nps", "title": "Recommend?"},
                  {"id": "comment", "kind": "text", "title": "Comment"},
                  {"id": "ok", "kind": "consent", "title": "Contact?", "label": "Yes"},
                  {"id": "email", "kind": "contact", "title": "E-mail", "consent_question": "ok"}
                ]}"#,
        )
        .unwrap()
    }

    fn response(nps: u8, comment: &str) -> Response {
        Response::from_json(&format!(
            r#"{{"schema": "sayso.response/v1", "id": "0b5f3a4e-8c1d-4f7a-9e2b-6d3c1a0f4e5b",
                "survey": {{"id": "s", "version": 2}},
                "answers": {{"nps": {nps}, "comment": {comment}, "ok": true,
                             "email": {{"email": "ana@example.org"}}}},
                "context": {{"url": "https://c.example/", "locale": "en",
                  "started_at": "2026-01-31T09:30:00Z", "submitted_at": "2026-01-31T09:31:00Z"}}}}"#,
            comment = sayso_schema::Json::from(comment)
        ))
        .unwrap()
    }

    #[test]
    fn renders_scores_escaped_and_without_contact_details() {
        let d = Arc::new(definition());
        let mut summary = SurveySummary::new(&d);
        for (score, comment) in [(10, "Great"), (9, "<script>alert(1)</script>"), (3, "Slow")] {
            summary.add(&d, &response(score, comment));
        }
        let page = render(
            &[SurveyReport {
                id: "s".into(),
                retired: false,
                versions: vec![VersionReport {
                    definition: d,
                    summary,
                    months: Vec::new(),
                }],
                unreadable: 0,
            }],
            &[],
            0,
        );
        // 2 promoters, 1 detractor of 3: 33.
        assert!(
            page.contains("<span class=\"value\">33</span> NPS"),
            "{page}"
        );
        assert!(page.contains("2 promoters · 0 passives · 1 detractors"));
        assert!(page.contains("Care &lt;b&gt;survey&lt;/b&gt;"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!page.contains("<script>"));
        assert!(!page.contains("ana@example.org"));
        assert!(page.contains("3 left contact details"));
        assert!(!page.contains("Webhooks"), "no webhooks, no table");
    }

    #[test]
    fn scored_questions_show_the_latest_twelve_months() {
        let d = Arc::new(definition());
        let month = |scores: &[u8]| {
            let mut s = SurveySummary::new(&d);
            for score in scores {
                s.add(&d, &response(*score, "c"));
            }
            s
        };
        let report = |months: Vec<(String, SurveySummary)>| {
            render(
                &[SurveyReport {
                    id: "s".into(),
                    retired: false,
                    versions: vec![VersionReport {
                        definition: d.clone(),
                        summary: month(&[10]),
                        months,
                    }],
                    unreadable: 0,
                }],
                &[],
                0,
            )
        };
        // One month: no trend.
        assert!(!report(vec![("2026-11".into(), month(&[10]))]).contains("By month"));

        // Fourteen months, 2025-10 to 2026-11: the last twelve, oldest first.
        let months: Vec<(String, SurveySummary)> = (0..14)
            .map(|i| {
                let (year, m) = if i < 3 { (2025, 10 + i) } else { (2026, i - 2) };
                // 2026-11: 2 promoters, 1 detractor: 33; the others a promoter each: 100.
                let scores: &[u8] = if i == 13 { &[10, 9, 3] } else { &[9] };
                (format!("{year}-{m:02}"), month(scores))
            })
            .collect();
        let page = report(months);
        assert_eq!(
            page.matches("<caption>By month (UTC)</caption>").count(),
            1,
            "NPS only"
        );
        assert!(page.contains("<th scope=\"col\">Answered</th><th scope=\"col\">NPS</th>"));
        assert!(!page.contains("2025-10") && !page.contains("2025-11"));
        assert!(page.contains("<tr><th scope=\"row\">2025-12</th><td>1</td><td>100</td></tr>"));
        assert!(page.contains("<tr><th scope=\"row\">2026-11</th><td>3</td><td>33</td></tr>"));
        assert!(page.find("2025-12").unwrap() < page.find("2026-01").unwrap());
    }

    #[test]
    fn webhooks_show_what_waits_per_url() {
        let backlog = |url: &str, waiting, last_error: Option<&str>| Backlog {
            url: url.into(),
            waiting,
            since: Some("2026-01-31T09:31:00.000Z".into()),
            attempts: 4,
            next_attempt_ms: 1_000_000 + 90_000,
            last_error: last_error.map(Into::into),
        };
        let configured = [
            "https://crm.example/in?token=s3cret".to_owned(),
            "https://care.example/hook".to_owned(),
        ];
        let reports = webhook_reports(
            &configured,
            vec![
                backlog("https://care.example/hook", 2, Some("answered 503 <b>")),
                backlog("https://old.example/x", 1, None),
            ],
        );
        let shown: Vec<(&str, bool, i64)> = reports
            .iter()
            .map(|r| (r.backlog.url.as_str(), r.configured, r.backlog.waiting))
            .collect();
        assert_eq!(
            shown,
            [
                ("https://crm.example/in?token=s3cret", true, 0),
                ("https://care.example/hook", true, 2),
                ("https://old.example/x", false, 1),
            ]
        );
        let page = render(&[], &reports, 1_000_000);
        assert!(
            page.contains("3 deliveries have not been accepted yet"),
            "{page}"
        );
        assert!(page.contains(
            "<tr><th scope=\"row\">https://crm.example/in?…</th>\
             <td colspan=\"5\">all delivered</td></tr>"
        ));
        assert!(page.contains(
            "<tr><th scope=\"row\">https://care.example/hook</th><td>2</td>\
             <td>2026-01-31T09:31:00.000Z</td><td>4</td><td>answered 503 &lt;b&gt;</td>\
             <td>in 90 s</td></tr>"
        ));
        assert!(page.contains(
            "https://old.example/x <span class=\"tag\">no longer configured: not sent</span>\
             </th><td>1</td><td>2026-01-31T09:31:00.000Z</td><td>4</td><td>—</td>\
             <td>never, unless configured again</td></tr>"
        ));
        assert!(!page.contains("s3cret"), "the token is not shown");
        assert!(page.contains("each is retried until its receiver answers 2xx"));

        // With no --webhook at all, nothing sends what waits.
        let orphans = webhook_reports(&[], vec![backlog("https://old.example/x", 1, None)]);
        let page = render(&[], &orphans, 1_000_000);
        assert!(page.contains(
            "1 delivery has not been accepted yet: this collector has no --webhook, so they wait unsent."
        ));
    }

    #[test]
    fn waits_read_as_people_say_them() {
        assert_eq!(due(-5_000), "now");
        assert_eq!(due(999), "now");
        assert_eq!(due(40_000), "in 40 s");
        assert_eq!(due(119_999), "in 119 s");
        assert_eq!(due(12 * 60_000 + 5), "in 12 min");
    }

    #[test]
    fn whole_numbers() {
        assert_eq!(whole(33.333), "33");
        assert_eq!(whole(-0.2), "0");
        assert_eq!(whole(-100.0), "-100");
    }
}
