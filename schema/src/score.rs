//! Scores and per-question summaries of many responses.

use std::collections::{BTreeMap, VecDeque};

use crate::answer::{Answer, Choice, DefinitionAnswer};
use crate::definition::{QuestionKind, SurveyDefinition};
use crate::response::Response;

/// How many free-text answers a summary keeps per question (the most recent).
pub const RECENT_TEXTS: usize = 20;

/// Promoters (9-10), passives (7-8) and detractors (0-6) of an NPS question.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NpsBreakdown {
    /// Scores of 9 or 10.
    pub promoters: u32,
    /// Scores of 7 or 8.
    pub passives: u32,
    /// Scores of 0 to 6.
    pub detractors: u32,
}

impl NpsBreakdown {
    /// Count every score of `scores` (0-10).
    pub fn from_scores(scores: impl IntoIterator<Item = u8>) -> Self {
        let mut b = Self::default();
        for s in scores {
            b.add(s);
        }
        b
    }

    /// Count one score.
    pub fn add(&mut self, score: u8) {
        match score {
            9.. => self.promoters += 1,
            7 | 8 => self.passives += 1,
            _ => self.detractors += 1,
        }
    }

    /// Number of scores counted.
    pub fn total(&self) -> u32 {
        self.promoters + self.passives + self.detractors
    }

    /// Net Promoter Score: % promoters minus % detractors, from -100 to 100; `None` without
    /// scores.
    pub fn score(&self) -> Option<f64> {
        let n = f64::from(self.total());
        (n > 0.0).then(|| 100.0 * (f64::from(self.promoters) - f64::from(self.detractors)) / n)
    }
}

/// Share (percent) of `scores` in the top two points of a scale ending at `max` (CSAT top-2-box).
pub fn top_two_box(scores: impl IntoIterator<Item = u8>, max: u8) -> Option<f64> {
    let (mut top, mut n) = (0u32, 0u32);
    for s in scores {
        n += 1;
        top += u32::from(s + 1 >= max);
    }
    (n > 0).then(|| 100.0 * f64::from(top) / f64::from(n))
}

/// Arithmetic mean of `scores` (CES and rating); `None` without scores.
pub fn mean(scores: impl IntoIterator<Item = u8>) -> Option<f64> {
    let (mut sum, mut n) = (0u64, 0u32);
    for s in scores {
        sum += u64::from(s);
        n += 1;
    }
    (n > 0).then(|| sum as f64 / f64::from(n))
}

/// Everything the dashboard shows about one survey.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveySummary {
    /// Complete responses.
    pub complete: u32,
    /// Responses whose visitor left before finishing.
    pub partial: u32,
    /// One summary per question, in definition order.
    pub questions: Vec<QuestionSummary>,
}

/// The answers to one question, summarised.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionSummary {
    /// The question's id.
    pub id: String,
    /// How many responses answered it.
    pub answered: u32,
    /// The summary for its kind.
    pub detail: Detail,
}

/// The summary of one question, by kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Detail {
    /// A numeric scale: how many chose each point, lowest point first.
    Scale {
        /// The lowest point.
        low: u8,
        /// Count per point from `low`.
        counts: Vec<u32>,
    },
    /// Choice questions: how many picked each option, and the recent "other" texts.
    Choices {
        /// Count per option id.
        counts: BTreeMap<String, u32>,
        /// How many gave an "other" answer of their own (apart: `other` may be an option id).
        others: u32,
        /// Most recent "other" answers.
        other: VecDeque<String>,
    },
    /// Free text: the most recent answers.
    Texts(VecDeque<String>),
    /// Definitions: the most recent ones.
    Definitions(VecDeque<DefinitionAnswer>),
    /// Likert: count per point (from 1) for each row id.
    Likert(BTreeMap<String, Vec<u32>>),
    /// Consent: how many agreed.
    Consent {
        /// Answered true.
        agreed: u32,
    },
    /// Contact details are counted, never shown in summaries.
    Contact,
}

impl QuestionSummary {
    /// The scores of a scale question, expanded from the counts.
    pub fn scores(&self) -> Vec<u8> {
        match &self.detail {
            Detail::Scale { low, counts } => counts
                .iter()
                .enumerate()
                .flat_map(|(i, n)| std::iter::repeat_n(low + i as u8, *n as usize))
                .collect(),
            _ => Vec::new(),
        }
    }
}

impl SurveySummary {
    /// An empty summary of `definition`.
    pub fn new(definition: &SurveyDefinition) -> Self {
        let questions = definition
            .questions
            .iter()
            .map(|q| QuestionSummary {
                id: q.id.clone(),
                answered: 0,
                detail: match &q.kind {
                    QuestionKind::SingleChoice { .. } | QuestionKind::MultiChoice { .. } => {
                        Detail::Choices {
                            counts: BTreeMap::new(),
                            others: 0,
                            other: VecDeque::new(),
                        }
                    }
                    QuestionKind::Text { .. } => Detail::Texts(VecDeque::new()),
                    QuestionKind::Definition { .. } => Detail::Definitions(VecDeque::new()),
                    QuestionKind::Likert { .. } => Detail::Likert(BTreeMap::new()),
                    QuestionKind::Consent { .. } => Detail::Consent { agreed: 0 },
                    QuestionKind::Contact { .. } => Detail::Contact,
                    kind => {
                        let (low, high) = kind.scale().expect("the remaining kinds are scales");
                        Detail::Scale {
                            low,
                            counts: vec![0; usize::from(high - low) + 1],
                        }
                    }
                },
            })
            .collect();
        Self {
            complete: 0,
            partial: 0,
            questions,
        }
    }

    /// Add one response (oldest first, so that the recent texts are the last ones added).
    pub fn add(&mut self, definition: &SurveyDefinition, response: &Response) {
        if response.partial {
            self.partial += 1;
        } else {
            self.complete += 1;
        }
        let answers = response.typed_answers(definition);
        for summary in &mut self.questions {
            let Some(answer) = answers.get(summary.id.as_str()).filter(|a| !a.is_blank()) else {
                continue;
            };
            summary.answered += 1;
            match (&mut summary.detail, answer) {
                (Detail::Scale { low, counts }, Answer::Score(s)) => {
                    if let Some(c) = counts.get_mut(usize::from(s - *low)) {
                        *c += 1;
                    }
                }
                (
                    Detail::Choices {
                        counts,
                        others,
                        other,
                    },
                    Answer::Choice(c),
                ) => count_choice(counts, others, other, c),
                (
                    Detail::Choices {
                        counts,
                        others,
                        other,
                    },
                    Answer::Choices(cs),
                ) => cs
                    .iter()
                    .for_each(|c| count_choice(counts, others, other, c)),
                (Detail::Texts(texts), Answer::Text(t)) => push_recent(texts, t.clone()),
                (Detail::Definitions(defs), Answer::Definition(d)) => push_recent(defs, d.clone()),
                (Detail::Likert(rows), Answer::Likert(points)) => {
                    for (row, p) in points {
                        let counts = rows.entry(row.clone()).or_default();
                        if counts.len() < usize::from(*p) {
                            counts.resize(usize::from(*p), 0);
                        }
                        counts[usize::from(*p) - 1] += 1;
                    }
                }
                (Detail::Consent { agreed }, Answer::Consent(true)) => *agreed += 1,
                _ => {}
            }
        }
    }
}

fn count_choice(
    counts: &mut BTreeMap<String, u32>,
    others: &mut u32,
    other: &mut VecDeque<String>,
    choice: &Choice,
) {
    match choice {
        Choice::Option(id) => *counts.entry(id.clone()).or_default() += 1,
        Choice::Other(text) => {
            *others += 1;
            push_recent(other, text.clone());
        }
    }
}

fn push_recent<T>(list: &mut VecDeque<T>, item: T) {
    if list.len() == RECENT_TEXTS {
        list.pop_front();
    }
    list.push_back(item);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nps_from_a_known_mix() {
        // 5 promoters, 3 passives, 2 detractors of 10: 50% - 20% = 30.
        let b = NpsBreakdown::from_scores([10, 9, 9, 10, 9, 8, 7, 7, 6, 0]);
        assert_eq!((b.promoters, b.passives, b.detractors), (5, 3, 2));
        assert_eq!(b.score(), Some(30.0));
        assert_eq!(NpsBreakdown::from_scores([0, 3, 6]).score(), Some(-100.0));
        assert_eq!(NpsBreakdown::from_scores([9, 10]).score(), Some(100.0));
        assert_eq!(NpsBreakdown::default().score(), None);
    }

    #[test]
    fn an_answer_of_ones_own_is_counted_apart_from_an_option_called_other() {
        let definition = SurveyDefinition::from_json(
            r#"{"id":"s","version":1,"title":"t","questions":[{"id":"channel",
                "kind":"single_choice","title":"?","allow_other":true,
                "options":[{"id":"phone","label":"Phone"},{"id":"other","label":"Somewhere else"}]}]}"#,
        )
        .unwrap();
        let mut summary = SurveySummary::new(&definition);
        for answer in [r#""other""#, r#"{"other":"By letter"}"#, r#""phone""#] {
            let response = Response::from_json(&format!(
                r#"{{"schema":"sayso.response/v1","id":"00000000-0000-4000-8000-000000000001",
                    "survey":{{"id":"s","version":1}},"answers":{{"channel":{answer}}},
                    "context":{{"url":"https://a.example/","locale":"en",
                    "started_at":"2026-01-31T09:30:00Z","submitted_at":"2026-01-31T09:31:00Z"}}}}"#
            ))
            .unwrap();
            summary.add(&definition, &response);
        }
        let Detail::Choices {
            counts,
            others,
            other,
        } = &summary.questions[0].detail
        else {
            panic!("a choice summary");
        };
        assert_eq!(counts.get("other"), Some(&1));
        assert_eq!(counts.get("phone"), Some(&1));
        assert_eq!(*others, 1);
        assert_eq!(other.iter().collect::<Vec<_>>(), ["By letter"]);
    }

    #[test]
    fn csat_top_two_box_and_ces_mean() {
        assert_eq!(top_two_box([5, 4, 3, 2], 5), Some(50.0));
        assert_eq!(top_two_box([1, 1, 1], 5), Some(0.0));
        assert_eq!(top_two_box([], 5), None);
        assert_eq!(mean([1, 7, 4]), Some(4.0));
        assert_eq!(mean([]), None);
    }
}
