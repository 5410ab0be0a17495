//! One visitor answering one survey: answers, what is wrong with them, and the response they
//! make. Plain Rust, tested natively; the components only display it and forward input.

use std::sync::Arc;

use sayso_schema::{
    Answer, Choice, ContactAnswer, Context, Problems, QuestionKind, RESPONSE_SCHEMA, Response,
    SurveyDefinition, SurveyRef, is_email, is_phone,
};

use crate::form::{self, Control, Field};

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
}

/// The state of one visitor's answers.
#[derive(Debug, Clone)]
pub struct SurveySession {
    definition: Arc<SurveyDefinition>,
    locale: String,
    started_at: String,
    /// Answer per question, in definition order.
    answers: Vec<Option<Answer>>,
    /// Issue per question, in definition order.
    issues: Vec<Option<Issue>>,
}

impl SurveySession {
    /// A fresh session of `definition` shown in `locale` since `started_at` (RFC 3339).
    pub fn new(definition: Arc<SurveyDefinition>, locale: String, started_at: String) -> Self {
        let n = definition.questions.len();
        Self {
            definition,
            locale,
            started_at,
            answers: vec![None; n],
            issues: vec![None; n],
        }
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
    }

    /// Whether `field` of question `id` is shown now.
    pub fn field_shown(&self, id: &str, field: Field) -> bool {
        self.definition
            .question(id)
            .is_some_and(|q| form::field_shown(&q.kind, self.answer(id), field))
    }

    /// Whether question `id` is shown: a contact question only once its consent is given.
    pub fn visible(&self, id: &str) -> bool {
        match self.definition.question(id).map(|q| &q.kind) {
            Some(QuestionKind::Contact {
                consent_question, ..
            }) => self.answer(consent_question) == Some(&Answer::Consent(true)),
            Some(_) => true,
            None => false,
        }
    }

    /// Whether any question has a non-blank answer.
    pub fn has_answers(&self) -> bool {
        self.answers.iter().flatten().any(|a| !a.is_blank())
    }

    /// Check every question, recording the issues to show; `true` when there are none.
    pub fn check(&mut self) -> bool {
        for i in 0..self.answers.len() {
            self.check_question(i);
        }
        self.issues.iter().all(Option::is_none)
    }

    /// The id of the first question with an issue, to move focus to.
    pub fn first_issue(&self) -> Option<&str> {
        let i = self.issues.iter().position(Option::is_some)?;
        Some(&self.definition.questions[i].id)
    }

    fn check_question(&mut self, i: usize) {
        let question = &self.definition.questions[i];
        if !self.visible(&question.id) {
            self.issues[i] = None;
            return;
        }
        let answer = self.answers[i].as_ref().filter(|a| !a.is_blank());
        let issue = match (answer, &question.kind) {
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
        };
        self.issues[i] = issue;
    }

    /// The response to send: non-blank answers only, checked by the same schema code the
    /// collector runs, so that nothing the collector would refuse leaves the browser.
    pub fn response(
        &self,
        id: String,
        context: Context,
        partial: bool,
    ) -> Result<Response, Problems> {
        let answers = self
            .definition
            .questions
            .iter()
            .zip(&self.answers)
            .filter_map(|(q, a)| Some((q, a.as_ref()?)))
            .filter(|(q, a)| !a.is_blank() && self.visible(&q.id))
            .map(|(q, a)| (q.id.as_str(), a.to_value()))
            .collect();
        let response = Response {
            schema: RESPONSE_SCHEMA.to_owned(),
            id,
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
        };
        response.validate_against(&self.definition)?;
        Ok(response)
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

    fn session() -> SurveySession {
        SurveySession::new(demo(), "en".into(), "2026-11-24T10:00:00.000Z".into())
    }

    const ID: &str = "6a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b";

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
        let r = s.response(ID.into(), context(), false).unwrap();
        assert_eq!(
            r.answers.keys().collect::<Vec<_>>(),
            ["nps", "response_time", "engagement"]
        );
        assert_eq!(r.context.started_at, "2026-11-24T10:00:00.000Z");
        assert_eq!(r.context.locale, "en");
        assert_eq!(r.survey.version, 1);
    }

    #[test]
    fn the_schema_gate_refuses_what_the_collector_would() {
        let mut s = session();
        s.set_answer("nps", Some(Answer::Score(9)));
        let err = s.response(ID.into(), context(), false).unwrap_err();
        assert_eq!(err.0[0].path, "$.answers.response_time");
        assert!(
            s.response(ID.into(), context(), true).is_ok(),
            "a partial response may miss required answers"
        );
    }

    #[test]
    fn an_empty_other_answer_is_an_issue() {
        let text = r#"{"id":"s","version":1,"title":"t","questions":[{"id":"c","kind":"single_choice","title":"?",
            "allow_other":true,"options":[{"id":"a","label":"A"},{"id":"b","label":"B"}]}]}"#;
        let mut s = SurveySession::new(
            Arc::new(SurveyDefinition::from_json(text).unwrap()),
            "en".into(),
            String::new(),
        );
        s.set_answer("c", Some(Answer::Choice(Choice::Other(" ".into()))));
        assert!(!s.check());
        assert_eq!(s.issue("c"), Some(Issue::OtherEmpty));
        s.set_answer("c", Some(Answer::Choice(Choice::Other("By post".into()))));
        assert_eq!(s.issue("c"), None);
    }
}
