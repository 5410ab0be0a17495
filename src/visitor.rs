//! What the visitor's browser remembers between pages, for targeting: pages seen, and per
//! survey when it was answered or dismissed and whether the visitor was drawn into its sample.
//! Kept in `localStorage` (no cookie, nothing sent anywhere); plain Rust, tested natively.

use sayso_schema::{Json, JsonObject, Memory};

/// Storage key of the visitor's memory (`localStorage`).
pub const VISITOR_KEY: &str = "sayso:visitor";
/// Storage key of the surveys shown in this browser session (`sessionStorage`).
pub const SESSION_KEY: &str = "sayso:shown";

/// The visitor's memory.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VisitorMemory {
    /// Pages seen with the widget on them.
    pub views: u32,
    surveys: Vec<(String, Memory)>,
}

impl VisitorMemory {
    /// Read what was stored; anything unreadable is forgotten, never fatal.
    pub fn parse(text: Option<&str>) -> Self {
        let Some(json) = text.and_then(|t| Json::parse(t).ok()) else {
            return Self::default();
        };
        // Times are whole milliseconds: read as integers, no float parsing in the widget.
        let number = |v: Option<&Json>| v.and_then(Json::as_u64).map(|n| n as f64);
        let surveys = json
            .get("surveys")
            .and_then(Json::as_object)
            .map(|o| {
                o.iter()
                    .map(|(id, m)| {
                        let memory = Memory {
                            answered_at: number(m.get("answered")),
                            dismissed_at: number(m.get("dismissed")),
                            // In millionths, an integer like the times.
                            draw: number(m.get("draw")).map(|n| n / 1e6),
                        };
                        (id.to_owned(), memory)
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self {
            views: json.get("views").and_then(Json::as_u64).unwrap_or(0) as u32,
            surveys,
        }
    }

    /// The text to store.
    pub fn to_text(&self) -> String {
        let surveys: JsonObject = self
            .surveys
            .iter()
            .map(|(id, m)| {
                let mut o = JsonObject::new();
                let time = |t: f64| Json::from(t.round() as u64);
                if let Some(t) = m.answered_at {
                    o.insert("answered", time(t));
                }
                if let Some(t) = m.dismissed_at {
                    o.insert("dismissed", time(t));
                }
                if let Some(d) = m.draw {
                    o.insert("draw", (d * 1e6).round() as u64);
                }
                (id.as_str(), Json::Object(o))
            })
            .collect();
        let mut o = JsonObject::new();
        o.insert("views", self.views);
        o.insert("surveys", surveys);
        Json::Object(o).to_string()
    }

    /// What is remembered about survey `id`.
    pub fn survey(&self, id: &str) -> Memory {
        self.surveys
            .iter()
            .find(|(s, _)| s == id)
            .map(|(_, m)| *m)
            .unwrap_or_default()
    }

    fn survey_mut(&mut self, id: &str) -> &mut Memory {
        if let Some(i) = self.surveys.iter().position(|(s, _)| s == id) {
            return &mut self.surveys[i].1;
        }
        self.surveys.push((id.to_owned(), Memory::default()));
        &mut self.surveys.last_mut().expect("just pushed").1
    }

    /// The visitor answered survey `id` at `now`.
    pub fn answered(&mut self, id: &str, now: f64) {
        self.survey_mut(id).answered_at = Some(now);
    }

    /// The visitor dismissed survey `id` at `now`.
    pub fn dismissed(&mut self, id: &str, now: f64) {
        self.survey_mut(id).dismissed_at = Some(now);
    }

    /// The visitor's draw (0 to 1) for survey `id`'s sample: `draw` the first time, the
    /// remembered one after. Kept in millionths, as stored, rounded down: the first page
    /// decides as later ones do, and a draw never becomes 1 (outside even a 100% sample).
    pub fn draw(&mut self, id: &str, draw: f64) -> f64 {
        *self
            .survey_mut(id)
            .draw
            .get_or_insert((draw * 1e6).floor() / 1e6)
    }
}

/// The surveys shown in this session, from `sessionStorage`'s text.
pub fn shown_in_session(text: Option<&str>) -> Vec<String> {
    text.and_then(|t| Json::parse(t).ok())
        .and_then(|j| {
            j.as_array().map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
        })
        .unwrap_or_default()
}

/// The text storing `ids` as the surveys shown in this session.
pub fn session_text(ids: &[String]) -> String {
    Json::from(ids.to_vec()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_survives_storage_and_forgets_junk() {
        let mut m = VisitorMemory::parse(None);
        m.views = 3;
        m.answered("patient-experience", 1_800_000_000_000.0);
        m.dismissed("billing", 1_700_000_000_000.0);
        m.draw("billing", 0.25);
        let again = VisitorMemory::parse(Some(&m.to_text()));
        assert_eq!(again, m);
        assert_eq!(
            again.survey("patient-experience").answered_at,
            Some(1_800_000_000_000.0)
        );
        assert_eq!(again.survey("billing").draw, Some(0.25));
        assert_eq!(again.survey("unknown"), Memory::default());
        assert_eq!(
            VisitorMemory::parse(Some("{not json")),
            VisitorMemory::default()
        );
    }

    #[test]
    fn a_draw_is_the_same_on_every_page_and_below_one() {
        for random in [0.999_999_9, 0.123_456_789, 0.0] {
            let mut first = VisitorMemory::default();
            let drawn = first.draw("s", random);
            assert!(
                drawn < 1.0 && drawn <= random && random - drawn < 1e-6,
                "{random}"
            );
            let later = VisitorMemory::parse(Some(&first.to_text()));
            assert_eq!(later.survey("s").draw, Some(drawn), "{random}");
        }
    }

    #[test]
    fn a_visitor_is_drawn_once() {
        let mut m = VisitorMemory::default();
        assert_eq!(m.draw("s", 0.1), 0.1);
        assert_eq!(m.draw("s", 0.9), 0.1, "the first draw stands");
    }

    #[test]
    fn session_list() {
        let ids = vec!["a".to_owned(), "b".to_owned()];
        assert_eq!(shown_in_session(Some(&session_text(&ids))), ids);
        assert!(shown_in_session(Some("junk")).is_empty());
    }
}
