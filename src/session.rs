//! One visitor answering one survey: answers, what is wrong with them, and the response they
//! make. Plain Rust, tested natively; the components only display it and forward input.

use std::sync::Arc;

use sayso_schema::{
    Answer, Answers, Choice, ContactAnswer, Context, Layout, LocalizedText, MAX_RESPONSE_BYTES,
    QuestionKind, RESPONSE_SCHEMA, Response, SurveyDefinition, SurveyRef, is_email, is_phone, pipe,
};

use crate::form::{self, Control, Field};
use crate::redact::redact_answer;

/// Why an answer cannot be sent yet, shown beside its question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Issue {
    /// A required question has no answer.
    Required,
    /// "Other" is chosen but its text is empty.
    OtherEmpty,
    /// Fewer selections than the question's `min`.
    SelectAtLeast(u32),
    /// More selections than the question's `max`.
    SelectAtMost(u32),
    /// Not an e-mail address.
    InvalidEmail,
    /// Not a phone number.
    InvalidPhone,
    /// The answers together are too long for one response: this one, the longest, should lose
    /// at least this many characters.
    TooLong(u32),
}

impl Issue {
    /// Whether the issue is about text field `field` of its question, which is then marked
    /// invalid and described by it: not the optional name beside a missing definition, nor
    /// the "Other" text of a choice with too many picks. The choices' issues are their group's.
    pub fn is_about(self, field: Field) -> bool {
        match self {
            Self::Required => !matches!(field, Field::Attribution | Field::OtherText),
            Self::OtherEmpty => field == Field::OtherText,
            Self::SelectAtLeast(_) | Self::SelectAtMost(_) => false,
            Self::InvalidEmail => field == Field::Email,
            Self::InvalidPhone => field == Field::Phone,
            Self::TooLong(_) => true,
        }
    }
}

/// The state of one visitor's answers.
#[derive(Debug, Clone)]
pub struct SurveySession {
    definition: Arc<SurveyDefinition>,
    locale: String,
    started_at: String,
    /// Answer per question, in definition order.
    answers: Vec<Option<Answer>>,
    /// The same as they are sent (free text redacted when the survey redacts). Conditions,
    /// piping and thank-you variants read these, as the collector does: an answer whose
    /// redaction changes a condition must show the visitor the questions the collector expects.
    sent: Vec<Option<Answer>>,
    /// Issue per question, in definition order.
    issues: Vec<Option<Issue>>,
    /// The response's id, made once: a partial response and the complete one share it.
    id: String,
    /// Index of the question on screen, in the steps layout.
    step: usize,
}

impl SurveySession {
    /// A fresh session of `definition` shown in `locale` since `started_at` (RFC 3339), whose
    /// response will have the id `id`.
    pub fn new(
        definition: Arc<SurveyDefinition>,
        locale: String,
        started_at: String,
        id: String,
    ) -> Self {
        let n = definition.questions.len();
        let mut session = Self {
            definition,
            locale,
            started_at,
            answers: vec![None; n],
            sent: vec![None; n],
            issues: vec![None; n],
            id,
            step: 0,
        };
        session.step = session.shown_indices().first().copied().unwrap_or(0);
        session
    }

    fn index(&self, id: &str) -> Option<usize> {
        self.definition.questions.iter().position(|q| q.id == id)
    }

    /// The survey being answered.
    pub fn definition(&self) -> &SurveyDefinition {
        &self.definition
    }

    /// The locale the survey is shown in.
    pub fn locale(&self) -> &str {
        &self.locale
    }

    /// The current answer to question `id`.
    pub fn answer(&self, id: &str) -> Option<&Answer> {
        self.answers[self.index(id)?].as_ref()
    }

    /// The issue shown beside question `id`, if any.
    pub fn issue(&self, id: &str) -> Option<Issue> {
        self.issues[self.index(id)?]
    }

    /// Set (or with `None` clear) the answer to question `id`. An issue already shown for it is
    /// re-checked at once, so it disappears as soon as it is fixed.
    pub fn set_answer(&mut self, id: &str, answer: Option<Answer>) {
        let Some(i) = self.index(id) else { return };
        let q = &self.definition.questions[i];
        let limit = q.kind.max_length().unwrap_or(usize::MAX);
        self.sent[i] = match &answer {
            Some(a) if self.definition.privacy.redact => Some(redact_answer(a, limit)),
            a => a.clone(),
        };
        self.answers[i] = answer;
        if self.issues[i].is_some() {
            self.check_question(i);
        }
    }

    /// Whether `control` of question `id` is on.
    pub fn is_on(&self, id: &str, control: &Control) -> bool {
        form::is_on(self.answer(id), control)
    }

    /// Whether a star of question `id` is lit.
    pub fn is_lit(&self, id: &str, control: &Control) -> bool {
        form::is_lit(self.answer(id), control)
    }

    /// The visitor turned `control` of question `id` on (or off).
    pub fn toggle(&mut self, id: &str, control: &Control, on: bool) {
        if let Some(q) = self.definition.question(id) {
            let answer = form::toggle(&q.kind, self.answer(id), control, on);
            self.set_answer(id, answer);
        }
    }

    /// The text of `field` of question `id`.
    pub fn field_text(&self, id: &str, field: Field) -> String {
        form::field_text(self.answer(id), field)
    }

    /// The visitor typed into `field` of question `id`.
    pub fn type_into(&mut self, id: &str, field: Field, text: String) {
        let answer = form::type_into(self.answer(id), field, text);
        self.set_answer(id, answer);
        // "Too long to send together" is about all the answers: shortening any may settle it
        // (sending checks again).
        for issue in &mut self.issues {
            if matches!(issue, Some(Issue::TooLong(_))) {
                *issue = None;
            }
        }
    }

    /// Whether `field` of question `id` is shown now.
    pub fn field_shown(&self, id: &str, field: Field) -> bool {
        self.definition
            .question(id)
            .is_some_and(|q| form::field_shown(&q.kind, self.answer(id), field))
    }

    /// Whether question `id` is shown at all: its conditions hold, no skip rule passed over it,
    /// and a contact question has its consent (the schema decides, as for the collector).
    pub fn visible(&self, id: &str) -> bool {
        self.definition
            .question_index(id)
            .is_some_and(|i| self.definition.shown(self)[i])
    }

    fn shown_indices(&self) -> Vec<usize> {
        self.definition
            .shown(self)
            .iter()
            .enumerate()
            .filter(|(_, s)| **s)
            .map(|(i, _)| i)
            .collect()
    }

    /// Whether the questions come one per step.
    pub fn in_steps(&self) -> bool {
        self.definition.display.layout == Layout::Steps
    }

    /// Whether question `id` is on screen now: shown, and on the current step in the steps
    /// layout.
    pub fn on_screen(&self, id: &str) -> bool {
        self.visible(id) && (!self.in_steps() || self.definition.questions[self.step].id == id)
    }

    /// Where the visitor is in the steps layout: (step number from 1, steps in all). The total
    /// can change as answers show or skip questions.
    pub fn progress(&self) -> (usize, usize) {
        let shown = self.shown_indices();
        (
            shown
                .iter()
                .position(|i| *i == self.step)
                .map_or(shown.len(), |p| p + 1),
            shown.len(),
        )
    }

    /// Whether the current step is the last one (the send button replaces "next").
    pub fn last_step(&self) -> bool {
        let (n, total) = self.progress();
        n >= total
    }

    /// Go to the next step, if the current question's answer can be sent; `false` (with the
    /// issue recorded) when it cannot.
    pub fn next_step(&mut self) -> bool {
        self.check_question(self.step);
        if self.issues[self.step].is_some() {
            return false;
        }
        if let Some(next) = self.shown_indices().into_iter().find(|i| *i > self.step) {
            self.step = next;
        }
        true
    }

    /// Go back one step.
    pub fn previous_step(&mut self) {
        if let Some(previous) = self
            .shown_indices()
            .into_iter()
            .rev()
            .find(|i| *i < self.step)
        {
            self.step = previous;
        }
    }

    /// A number that differs from visitor to visitor (from the response id), to shuffle
    /// options the same way for the whole session.
    pub fn seed(&self) -> u64 {
        self.id.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        }) | 1
    }

    /// The id of the question on screen in the steps layout.
    pub fn current(&self) -> &str {
        &self.definition.questions[self.step].id
    }

    /// `text` in the session's locale with earlier answers piped in (`{nps}` -> 8).
    pub fn piped(&self, text: &LocalizedText) -> String {
        pipe(
            &self.definition,
            self.definition.text(text, &self.locale),
            self,
            &self.locale,
            &|n| crate::i18n::number(&self.locale, n),
        )
    }

    /// The thank-you page for these answers: (title, message, (link url, link text)).
    pub fn thank_you(&self) -> (Option<String>, Option<String>, Option<(String, String)>) {
        let number = |n| crate::i18n::number(&self.locale, n);
        self.definition.thank_you_for(self, &self.locale, &number)
    }

    /// Whether a response would carry any answer (a partial response must have one).
    pub fn has_answers(&self) -> bool {
        self.carried(&self.as_sent(), |_| true).contains(&true)
    }

    /// The answer to question `i` as a response carries it: given, not blank, to a shown
    /// question, and finished (no issue).
    fn sendable(&self, i: usize) -> Option<&Answer> {
        let answer = self.answers[i].as_ref().filter(|a| !a.is_blank())?;
        let id = &self.definition.questions[i].id;
        (self.visible(id) && self.issue_of(i).is_none()).then_some(answer)
    }

    /// Check every question, recording the issues to show; `true` when there are none.
    pub fn check(&mut self) -> bool {
        for i in 0..self.answers.len() {
            self.check_question(i);
        }
        self.issues.iter().all(Option::is_none)
    }

    /// Whether the response with `context` fits in [`MAX_RESPONSE_BYTES`] (the collector
    /// refuses more). When it does not, the longest answer gets an issue asking the visitor to
    /// shorten it by the excess; each character cut is at least a byte less.
    pub fn fits(&mut self, context: Context) -> bool {
        let sent = self.as_sent();
        let response = self.build(context, false, &sent, &self.carried(&sent, |_| true));
        let Some(excess) = excess(&response) else {
            return true;
        };
        if let Some(i) = longest(&response).and_then(|id| self.index(id)) {
            self.issues[i] = Some(Issue::TooLong(excess.try_into().unwrap_or(u32::MAX)));
            if self.in_steps() {
                self.step = i;
            }
        }
        false
    }

    /// The id of the first question with an issue, to move focus to.
    pub fn first_issue(&self) -> Option<&str> {
        let i = self.issues.iter().position(Option::is_some)?;
        Some(&self.definition.questions[i].id)
    }

    fn check_question(&mut self, i: usize) {
        self.issues[i] = self.issue_of(i);
    }

    /// What keeps the answer to question `i` from being sent, if anything.
    fn issue_of(&self, i: usize) -> Option<Issue> {
        let question = &self.definition.questions[i];
        if !self.visible(&question.id) {
            return None;
        }
        let answer = self.answers[i].as_ref().filter(|a| !a.is_blank());
        match (answer, &question.kind) {
            (None, _) if question.required => Some(Issue::Required),
            (None, _) => None,
            (Some(Answer::Choice(Choice::Other(text))), _) if text.trim().is_empty() => {
                Some(Issue::OtherEmpty)
            }
            (
                Some(Answer::Choices(choices)),
                QuestionKind::MultiChoice {
                    options, min, max, ..
                },
            ) => {
                let n = choices.len() as u32;
                let exclusive = choices.iter().any(|c| {
                    matches!(c, Choice::Option(o) if options.iter().any(|opt| &opt.id == o && opt.exclusive))
                });
                if choices
                    .iter()
                    .any(|c| matches!(c, Choice::Other(t) if t.trim().is_empty()))
                {
                    Some(Issue::OtherEmpty)
                } else if let Some(min) = min.filter(|m| n < *m && !exclusive) {
                    Some(Issue::SelectAtLeast(min))
                } else {
                    max.filter(|m| n > *m).map(Issue::SelectAtMost)
                }
            }
            (Some(Answer::Contact(ContactAnswer::Email(e))), _) if !is_email(e.trim()) => {
                Some(Issue::InvalidEmail)
            }
            (Some(Answer::Contact(ContactAnswer::Phone(p))), _) if !is_phone(p.trim()) => {
                Some(Issue::InvalidPhone)
            }
            _ => None,
        }
    }

    /// The response to send (`partial` when the visitor leaves before finishing): the answers
    /// to shown questions that are neither blank nor unfinished (an e-mail address half typed,
    /// "other" picked but left empty: the collector would refuse the whole partial response
    /// for them), free text redacted when the survey says so. After a successful
    /// [`SurveySession::check`] and [`SurveySession::fits`] (or, for a partial response, with
    /// at least one answer) the collector accepts it: the tests hold every response built here
    /// to the schema's `validate_against`. The widget does not run that check itself: a refusal
    /// would lose the response either way, and the check is a tenth of the widget's code.
    ///
    /// A partial response over [`MAX_RESPONSE_BYTES`] leaves out its longest answers until it
    /// fits: the visitor is gone and cannot shorten them, and the rest can still be stored.
    pub fn response(&self, context: Context, partial: bool) -> Response {
        let sent = self.as_sent();
        let mut carried = self.carried(&sent, |_| true);
        loop {
            let response = self.build(context.clone(), partial, &sent, &carried);
            match longest(&response).and_then(|id| self.index(id)) {
                Some(i) if excess(&response).is_some() => {
                    carried = self.carried(&sent, |j| carried[j] && j != i);
                }
                _ => return response,
            }
        }
    }

    /// Every answer as a response would carry it: free text redacted when the survey says so.
    fn as_sent(&self) -> Vec<Option<Answer>> {
        self.sent.clone()
    }

    /// Which answers a response carries, of the sendable ones that `keep` keeps: the collector
    /// works out which questions were shown from the answers it receives (`sent`, redacted), so
    /// an answer whose question shows only because of an answer left out (unfinished, or too
    /// long) goes too.
    fn carried(&self, sent: &[Option<Answer>], keep: impl Fn(usize) -> bool) -> Vec<bool> {
        let mut carried: Vec<bool> = (0..self.answers.len())
            .map(|i| keep(i) && self.sendable(i).is_some())
            .collect();
        loop {
            let shown = self.definition.shown(&Carried {
                session: self,
                sent,
                carried: &carried,
            });
            let mut changed = false;
            for (carry, shown) in carried.iter_mut().zip(shown) {
                if *carry && !shown {
                    (*carry, changed) = (false, true);
                }
            }
            if !changed {
                return carried;
            }
        }
    }

    fn build(
        &self,
        context: Context,
        partial: bool,
        sent: &[Option<Answer>],
        carried: &[bool],
    ) -> Response {
        let answers = (self.definition.questions.iter().zip(sent).zip(carried))
            .filter_map(|((q, a), carry)| Some((q.id.as_str(), a.as_ref().filter(|_| *carry)?)))
            .map(|(id, a)| (id, a.to_value()))
            .collect();
        Response {
            schema: RESPONSE_SCHEMA.to_owned(),
            id: self.id.clone(),
            survey: SurveyRef {
                id: self.definition.id.clone(),
                version: self.definition.version,
            },
            answers,
            context: Context {
                locale: self.locale.clone(),
                started_at: self.started_at.clone(),
                ..context
            },
            partial,
        }
    }
}

/// By how many bytes `response` is over [`MAX_RESPONSE_BYTES`], if it is.
fn excess(response: &Response) -> Option<usize> {
    let bytes = response.to_json().to_string().len();
    (bytes > MAX_RESPONSE_BYTES).then(|| bytes - MAX_RESPONSE_BYTES)
}

/// The question whose answer takes the most bytes in `response`.
fn longest(response: &Response) -> Option<&str> {
    response
        .answers
        .iter()
        .max_by_key(|(_, value)| value.to_string().len())
        .map(|(id, _)| id)
}

/// The answers a response carries, as the collector will see them.
struct Carried<'a> {
    session: &'a SurveySession,
    sent: &'a [Option<Answer>],
    carried: &'a [bool],
}

impl Answers for Carried<'_> {
    fn answer(&self, id: &str) -> Option<&Answer> {
        let i = self.session.index(id)?;
        self.carried[i].then(|| self.sent[i].as_ref()).flatten()
    }
}

/// Conditions, piping and thank-you variants read the answers through this: as sent.
impl Answers for SurveySession {
    fn answer(&self, id: &str) -> Option<&Answer> {
        self.sent[self.index(id)?].as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sayso_schema::DefinitionAnswer;

    fn demo() -> Arc<SurveyDefinition> {
        let text = include_str!("../surveys/patient-experience.json");
        Arc::new(SurveyDefinition::from_json(text).unwrap())
    }

    fn context() -> Context {
        Context {
            url: "https://clinic.example/support".into(),
            referrer: String::new(),
            locale: String::new(),
            started_at: String::new(),
            submitted_at: "2026-11-24T10:00:05.000Z".into(),
            attributes: Default::default(),
        }
    }

    /// The session's response, held to the collector's own validation.
    fn accepted(s: &SurveySession, partial: bool) -> Response {
        let r = s.response(context(), partial);
        r.validate_against(s.definition())
            .unwrap_or_else(|p| panic!("the collector would refuse it: {p}"));
        r
    }

    fn session() -> SurveySession {
        SurveySession::new(
            demo(),
            "en".into(),
            "2026-11-24T10:00:00.000Z".into(),
            ID.into(),
        )
    }

    const ID: &str = "6a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b";

    /// A session in English of the definition `text`.
    fn of_json(text: &str) -> SurveySession {
        SurveySession::new(
            Arc::new(SurveyDefinition::from_json(text).unwrap()),
            "en".into(),
            "2026-11-24T10:00:00.000Z".into(),
            ID.into(),
        )
    }

    #[test]
    fn required_questions_are_flagged_until_answered() {
        let mut s = session();
        assert!(!s.check());
        assert_eq!(s.issue("nps"), Some(Issue::Required));
        assert_eq!(s.issue("response_time"), Some(Issue::Required));
        assert_eq!(s.issue("comment"), None);
        assert_eq!(s.first_issue(), Some("nps"));
        s.set_answer("nps", Some(Answer::Score(0)));
        assert_eq!(
            s.issue("nps"),
            None,
            "fixing an answer clears its issue at once"
        );
        s.set_answer("response_time", Some(Answer::Score(4)));
        assert!(s.check());
    }

    #[test]
    fn blank_answers_are_left_out_of_the_response() {
        let mut s = session();
        s.set_answer("nps", Some(Answer::Score(9)));
        s.set_answer("response_time", Some(Answer::Score(5)));
        s.set_answer("comment", Some(Answer::Text("   ".into())));
        s.set_answer(
            "engagement",
            Some(Answer::Definition(DefinitionAnswer {
                text: "Being heard.".into(),
                attribution: None,
                publish: true,
            })),
        );
        let r = accepted(&s, false);
        assert_eq!(
            r.answers.keys().collect::<Vec<_>>(),
            ["nps", "response_time", "engagement"]
        );
        assert_eq!(r.context.started_at, "2026-11-24T10:00:00.000Z");
        assert_eq!(r.context.locale, "en");
        assert_eq!(r.survey.version, 1);
    }

    #[test]
    fn what_passes_the_check_is_what_the_collector_accepts() {
        let mut s = session();
        s.set_answer("nps", Some(Answer::Score(9)));
        // Skipping the check would send what the collector refuses...
        let unchecked = s.response(context(), false);
        assert_eq!(
            unchecked.validate_against(s.definition()).unwrap_err().0[0].path,
            "$.answers.response_time"
        );
        assert!(!s.check());
        // ...while a partial response with any answer, and a checked one, are accepted.
        accepted(&s, true);
        s.set_answer("response_time", Some(Answer::Score(2)));
        assert!(s.check());
        accepted(&s, false);
    }

    #[test]
    fn redacted_answers_stay_within_their_limits() {
        // "[email]" is longer than "a@b.co": a text at its limit must still be accepted.
        let text = r#"{"id":"s","version":1,"title":"t","questions":[
            {"id":"t","kind":"text","max_length":20,"title":"?"},
            {"id":"c","kind":"single_choice","title":"?","allow_other":true,
             "options":[{"id":"a","label":"A"},{"id":"b","label":"B"}]}]}"#;
        let mut s = of_json(text);
        s.set_answer("t", Some(Answer::Text("mail a@b.co or x@y.z".into())));
        let other = format!("{}a@b.co", "x ".repeat(247));
        s.set_answer("c", Some(Answer::Choice(Choice::Other(other))));
        assert!(s.check());
        let r = accepted(&s, false);
        let sent = format!("{:?}", r.answers.get("t"));
        assert!(sent.contains("\"mail [email] or "), "{sent}");
    }

    #[test]
    fn picks_out_of_bounds_and_bad_contact_details_are_issues() {
        let mut s = of_json(
            r#"{"id":"s","version":1,"title":"t","questions":[
            {"id":"m","kind":"multi_choice","title":"?","min":2,"max":3,"options":[
              {"id":"a","label":"A"},{"id":"b","label":"B"},{"id":"c","label":"C"},{"id":"d","label":"D"},
              {"id":"n","label":"None","exclusive":true}]},
            {"id":"ok","kind":"consent","title":"?","label":"Yes"},
            {"id":"reach","kind":"contact","title":"?","consent_question":"ok"}]}"#,
        );
        let picks = |ids: &[&str]| {
            Some(Answer::Choices(
                ids.iter().map(|o| Choice::Option((*o).into())).collect(),
            ))
        };
        s.set_answer("m", picks(&["a"]));
        assert!(!s.check());
        assert_eq!(s.issue("m"), Some(Issue::SelectAtLeast(2)));
        s.set_answer("m", picks(&["a", "b", "c", "d"]));
        assert_eq!(s.issue("m"), Some(Issue::SelectAtMost(3)));
        s.set_answer("m", picks(&["n"]));
        assert_eq!(s.issue("m"), None, "an exclusive option alone is enough");
        s.set_answer("ok", Some(Answer::Consent(true)));
        for (contact, issue) in [
            (
                ContactAnswer::Email("ana@".into()),
                Some(Issue::InvalidEmail),
            ),
            (
                ContactAnswer::Phone("call me".into()),
                Some(Issue::InvalidPhone),
            ),
            (ContactAnswer::Email("ana@example.org".into()), None),
        ] {
            s.set_answer("reach", Some(Answer::Contact(contact)));
            s.check();
            assert_eq!(s.issue("reach"), issue);
        }
        assert!(s.check());
        accepted(&s, false);
    }

    #[test]
    fn an_empty_other_answer_is_an_issue() {
        let text = r#"{"id":"s","version":1,"title":"t","questions":[{"id":"c","kind":"single_choice","title":"?",
            "allow_other":true,"options":[{"id":"a","label":"A"},{"id":"b","label":"B"}]}]}"#;
        let mut s = of_json(text);
        s.set_answer("c", Some(Answer::Choice(Choice::Other(" ".into()))));
        assert!(!s.check());
        assert_eq!(s.issue("c"), Some(Issue::OtherEmpty));
        s.set_answer("c", Some(Answer::Choice(Choice::Other("By post".into()))));
        assert_eq!(s.issue("c"), None);
    }

    /// Five long-text questions of up to 10,000 characters: more than one response may carry.
    fn long_texts(layout: &str) -> SurveySession {
        let questions: Vec<String> = (1..=5)
            .map(|i| format!(r#"{{"id":"t{i}","kind":"text","max_length":10000,"title":"?"}}"#))
            .collect();
        let text = format!(
            r#"{{"id":"s","version":1,"title":"t","display":{{"layout":"{layout}"}},"questions":[{}]}}"#,
            questions.join(",")
        );
        SurveySession::new(
            Arc::new(SurveyDefinition::from_json(&text).unwrap()),
            "en".into(),
            "2026-11-24T10:00:00.000Z".into(),
            ID.into(),
        )
    }

    fn body_bytes(r: &Response) -> usize {
        r.to_json().to_string().len()
    }

    #[test]
    fn answers_too_long_for_one_response_ask_to_shorten_the_longest() {
        for layout in ["page", "steps"] {
            let mut s = long_texts(layout);
            // Valid one by one (10,000 characters at most each), too many bytes together:
            // 'é' is two bytes in UTF-8.
            for (i, n) in [(1, 9_000), (2, 10_000), (3, 8_000), (4, 9_500)] {
                s.set_answer(&format!("t{i}"), Some(Answer::Text("é".repeat(n))));
            }
            assert!(s.check(), "{layout}: each answer is within its limit");
            assert!(!s.fits(context()), "{layout}");
            let Some(Issue::TooLong(cut)) = s.issue("t2") else {
                panic!(
                    "{layout}: the longest answer, t2, must be flagged: {:?}",
                    s.issue("t2")
                );
            };
            assert_eq!(s.first_issue(), Some("t2"));
            if layout == "steps" {
                assert_eq!(s.current(), "t2", "the visitor is taken back to it");
            }
            assert!(cut > 0);
            // Shortening another answer instead takes the request back (sending checks again).
            s.type_into("t1", Field::Text, "é".repeat(8_999));
            assert_eq!(s.issue("t2"), None, "{layout}");
            assert!(!s.fits(context()), "{layout}: still too long");
            // Shortened by what it asks for: it fits, and the collector accepts it whole.
            let shorter = "é".repeat(10_000 - cut as usize);
            s.type_into("t2", Field::Text, shorter.clone());
            assert_eq!(s.issue("t2"), None, "{layout}: editing clears the issue");
            assert!(s.check() && s.fits(context()), "{layout}");
            let r = accepted(&s, false);
            assert!(body_bytes(&r) <= MAX_RESPONSE_BYTES);
            assert_eq!(
                r.answers.get("t2"),
                Some(&sayso_schema::Json::from(shorter))
            );
            assert_eq!(r.answers.len(), 4);
        }
    }

    #[test]
    fn a_partial_response_too_long_leaves_out_its_longest_answers() {
        let mut s = long_texts("page");
        for (i, n) in [(1, 9_000), (2, 10_000), (3, 8_000), (4, 9_500), (5, 20)] {
            s.set_answer(&format!("t{i}"), Some(Answer::Text("é".repeat(n))));
        }
        let r = accepted(&s, true);
        assert!(body_bytes(&r) <= MAX_RESPONSE_BYTES);
        // t2 (20,000 bytes) goes; the other four fit.
        assert_eq!(
            r.answers.keys().collect::<Vec<_>>(),
            ["t1", "t3", "t4", "t5"]
        );
        // Under the limit, nothing is left out.
        s.set_answer("t2", Some(Answer::Text("short".into())));
        assert_eq!(accepted(&s, true).answers.len(), 5);
    }

    #[test]
    fn a_partial_response_leaves_unfinished_answers_out() {
        let text = r#"{"id":"s","version":1,"title":"t","questions":[{"id":"n","kind":"nps","title":"?"},
            {"id":"c","kind":"single_choice","title":"?","allow_other":true,
             "options":[{"id":"a","label":"A"},{"id":"b","label":"B"}]}]}"#;
        let mut s = of_json(text);
        // "Other" picked and nothing typed yet: nothing to send.
        s.set_answer("c", Some(Answer::Choice(Choice::Other(String::new()))));
        assert!(!s.has_answers());
        // With a finished answer beside it, the partial response carries that one only, and
        // the collector accepts it (it would refuse the whole response for the empty "other").
        s.set_answer("n", Some(Answer::Score(7)));
        assert!(s.has_answers());
        let r = accepted(&s, true);
        assert!(r.answers.get("n").is_some() && r.answers.get("c").is_none());
    }

    fn branching(locale: &str) -> SurveySession {
        let text = include_str!("../schema/tests/fixtures/branching.json");
        let definition = Arc::new(SurveyDefinition::from_json(text).unwrap());
        SurveySession::new(
            definition,
            locale.into(),
            "2026-11-24T10:00:00.000Z".into(),
            ID.into(),
        )
    }

    /// Walk through the steps answering with `answers` (question id, answer) where asked.
    fn walk(s: &mut SurveySession, answers: &[(&str, Answer)]) -> Vec<String> {
        let mut seen = vec![s.current().to_owned()];
        loop {
            let here = s.current().to_owned();
            if let Some((_, a)) = answers.iter().find(|(id, _)| *id == here) {
                s.set_answer(&here, Some(a.clone()));
            }
            if s.last_step() {
                return seen;
            }
            assert!(s.next_step(), "stuck at {here}: {:?}", s.issue(&here));
            seen.push(s.current().to_owned());
        }
    }

    #[test]
    fn steps_follow_the_logic_of_the_answers() {
        // A promoter gives a reason and skips to the end.
        let mut s = branching("en");
        assert!(s.in_steps());
        let promoter = walk(
            &mut s,
            &[
                ("nps", Answer::Score(10)),
                ("reason", Answer::Text("Kind staff".into())),
            ],
        );
        assert_eq!(promoter, ["nps", "reason"]);
        assert_eq!(s.progress(), (2, 2));
        // A detractor is asked what to improve, for consent, then how to reach them.
        let mut s = branching("en");
        s.set_answer("nps", Some(Answer::Score(3)));
        s.set_answer("may_contact", Some(Answer::Consent(true)));
        let detractor = walk(
            &mut s,
            &[("nps", Answer::Score(3)), ("ease", Answer::Score(2))],
        );
        assert_eq!(
            detractor,
            [
                "nps",
                "reason",
                "visit",
                "improve",
                "may_contact",
                "contact",
                "ease"
            ]
        );
        // Going back retraces the same steps.
        s.previous_step();
        assert_eq!(s.current(), "contact");
        s.previous_step();
        assert_eq!(s.current(), "may_contact");
    }

    #[test]
    fn a_partial_response_leaves_out_answers_shown_only_by_an_answer_it_leaves_out() {
        // Four picks where at most three are allowed: "improve" is unfinished, so it stays out,
        // and with it the billing question it shows; the collector would refuse the whole
        // partial response for an answer to a question it did not see shown.
        let mut s = branching("en");
        s.set_answer("nps", Some(Answer::Score(4)));
        let all = ["waiting", "billing", "parking", "staff"];
        let picks = all.map(|o| Choice::Option(o.into())).to_vec();
        s.set_answer("improve", Some(Answer::Choices(picks)));
        s.set_answer("billing_issue", Some(Answer::Text("Charged twice".into())));
        assert!(s.has_answers());
        let r = accepted(&s, true);
        assert_eq!(r.answers.keys().collect::<Vec<_>>(), ["nps"]);
        // Once finished, both go.
        let two = ["billing", "staff"]
            .map(|o| Choice::Option(o.into()))
            .to_vec();
        s.set_answer("improve", Some(Answer::Choices(two)));
        let r = accepted(&s, true);
        assert_eq!(
            r.answers.keys().collect::<Vec<_>>(),
            ["nps", "improve", "billing_issue"]
        );
    }

    #[test]
    fn what_was_shown_is_worked_out_from_the_answers_as_sent() {
        // The second question shows for a number that redaction removes: the collector, seeing
        // "[phone]", would refuse an answer to it.
        let text = r#"{"id":"s","version":1,"title":"t","questions":[
            {"id":"q1","kind":"text","title":"?"},
            {"id":"q2","kind":"text","title":"?","show_if":{"question":"q1","equals":"0612345678"}}]}"#;
        let mut s = of_json(text);
        s.set_answer("q1", Some(Answer::Text("0612345678".into())));
        s.set_answer("q2", Some(Answer::Text("Yes".into())));
        assert!(s.check());
        let r = accepted(&s, false);
        assert_eq!(r.answers.keys().collect::<Vec<_>>(), ["q1"]);
    }

    #[test]
    fn a_question_shown_for_the_answers_as_sent_is_asked() {
        // A required question hidden for what was typed but shown for what is sent: the
        // collector would refuse the response without it, so the visitor is asked it.
        let text = r#"{"id":"s","version":1,"title":"t","questions":[
            {"id":"q1","kind":"text","title":"?"},
            {"id":"q2","kind":"text","title":"?","required":true,
             "show_if":{"not":{"question":"q1","equals":"0612345678"}}}]}"#;
        let mut s = of_json(text);
        s.set_answer("q1", Some(Answer::Text("0612345678".into())));
        assert!(s.visible("q2"));
        assert!(!s.check());
        assert_eq!(s.issue("q2"), Some(Issue::Required));
        s.set_answer("q2", Some(Answer::Text("Yes".into())));
        assert!(s.check());
        let r = accepted(&s, false);
        assert_eq!(r.answers.keys().collect::<Vec<_>>(), ["q1", "q2"]);
        assert_eq!(
            r.answers.get("q1"),
            Some(&sayso_schema::Json::from("[phone]"))
        );
    }

    #[test]
    fn an_issue_marks_only_the_fields_it_is_about() {
        use Field::*;
        let fields = [Text, OtherText, Definition, Attribution, Email, Phone];
        let about = |issue: Issue| {
            fields
                .into_iter()
                .filter(|f| issue.is_about(*f))
                .collect::<Vec<_>>()
        };
        assert_eq!(about(Issue::Required), [Text, Definition, Email, Phone]);
        assert_eq!(about(Issue::OtherEmpty), [OtherText]);
        assert_eq!(about(Issue::SelectAtMost(2)), []);
        assert_eq!(about(Issue::SelectAtLeast(2)), []);
        assert_eq!(about(Issue::InvalidEmail), [Email]);
        assert_eq!(about(Issue::InvalidPhone), [Phone]);
        assert_eq!(about(Issue::TooLong(10)), fields);
    }

    #[test]
    fn a_contact_field_left_empty_is_no_answer() {
        // Consent given, the e-mail channel picked, nothing typed: nothing to check or send.
        let mut s = branching("en");
        s.set_answer("nps", Some(Answer::Score(3)));
        s.set_answer("may_contact", Some(Answer::Consent(true)));
        s.set_answer("ease", Some(Answer::Score(4)));
        s.set_answer(
            "contact",
            Some(Answer::Contact(ContactAnswer::Email("  ".into()))),
        );
        assert_eq!(s.issue("contact"), None);
        assert!(s.check());
        let r = accepted(&s, false);
        assert!(r.answers.get("contact").is_none());
    }

    #[test]
    fn a_required_step_must_be_answered_before_the_next() {
        let mut s = branching("en");
        assert!(!s.next_step());
        assert_eq!(s.issue("nps"), Some(Issue::Required));
        assert_eq!(s.current(), "nps");
        assert_eq!(
            s.progress(),
            (1, 4),
            "questions that depend on the score wait for it"
        );
        s.set_answer("nps", Some(Answer::Score(9)));
        assert!(s.next_step());
        assert_eq!(s.current(), "reason");
        assert_eq!(s.progress(), (2, 2), "a promoter's path is two steps long");
    }

    #[test]
    fn titles_pipe_earlier_answers_and_thank_you_follows_the_branch() {
        let mut s = branching("es");
        s.set_answer("nps", Some(Answer::Score(10)));
        let reason = s.definition().question("reason").unwrap().title.clone();
        assert_eq!(
            s.piped(&reason),
            "Nos dio un 10. ¿Cuál es el motivo principal?"
        );
        let (title, message, link) = s.thank_you();
        assert_eq!(title.as_deref(), Some("¡Gracias, nos alegra!"));
        assert_eq!(
            message.as_deref(),
            Some("Nos dio un 10. ¿Contaría su visita a otros?")
        );
        assert_eq!(
            link,
            Some((
                "https://reviews.example/clinic".into(),
                "Deje una reseña".into()
            ))
        );
    }

    #[test]
    fn hidden_answers_are_not_sent_and_partial_responses_share_the_id() {
        let mut s = branching("en");
        s.set_answer("nps", Some(Answer::Score(4)));
        s.set_answer(
            "improve",
            Some(Answer::Choices(vec![Choice::Option("billing".into())])),
        );
        s.set_answer("billing_issue", Some(Answer::Text("Charged twice".into())));
        let partial = accepted(&s, true);
        assert_eq!(partial.id, ID);
        assert!(partial.partial);
        // Changing the score to a promoter's hides "improve" and, with it, the billing follow-up.
        s.set_answer("nps", Some(Answer::Score(10)));
        s.set_answer("ease", Some(Answer::Score(3)));
        let complete = accepted(&s, false);
        assert_eq!(complete.id, partial.id);
        assert_eq!(complete.answers.keys().collect::<Vec<_>>(), ["nps"]);
    }
}
