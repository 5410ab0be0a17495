//! Responses not yet acknowledged by the endpoint. A response is written here before it is
//! sent and removed only after a 2xx answer, so a crash, a closed tab or a dead network never
//! loses it: the next page load sends it again, and its id makes that idempotent.
//!
//! Each response has a key of its own (`sayso:outbox:<id>`). Tabs of one site share
//! `localStorage`, and a browser may show one tab another's writes a moment late: with the
//! whole queue under one key, a tab writing back what it had read could erase a response
//! another tab had just queued. Per-response keys are only ever written by a tab that has
//! that response, and only ever deleted once the endpoint answered for it. Even so, a tab that
//! sees another's write late may delete a key on the answer to an earlier, partial form of the
//! response queued there: so a page puts back its own unacknowledged responses whenever it
//! reads the queue.

use sayso_schema::{Json, JsonObject, Response};

/// Prefix of the outbox's keys (in `localStorage`); the response id follows.
pub const OUTBOX_PREFIX: &str = "sayso:outbox:";
/// Where versions before per-response keys kept the whole queue; read once and moved.
pub const OLD_OUTBOX_KEY: &str = "sayso:outbox";
/// Most responses kept; past this the oldest is dropped (a visitor cannot produce this many
/// unsent responses without something being badly wrong).
pub const OUTBOX_CAPACITY: usize = 50;

/// Durable text storage under string keys. `localStorage` in the browser; a map in tests.
pub trait KeyStore {
    /// Every key in the store.
    fn keys(&self) -> Vec<String>;
    /// The text under `key`, if any.
    fn get(&self, key: &str) -> Option<String>;
    /// Store `text` under `key`; `false` when the store refused (full, disabled, private mode).
    fn set(&self, key: &str, text: &str) -> bool;
    /// Delete `key`.
    fn remove(&self, key: &str);
}

/// A response waiting for its acknowledgement.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    /// Full URL it is POSTed to.
    pub url: String,
    /// The response itself.
    pub response: Response,
}

impl Pending {
    fn to_json(&self, order: u64) -> Json {
        let mut o = JsonObject::new();
        o.insert("url", self.url.as_str());
        o.insert("order", order);
        o.insert("response", self.response.to_json());
        Json::Object(o)
    }

    /// The entry and its place in the queue (entries of the old single-key queue have none).
    fn from_json(value: &Json) -> Option<(Self, u64)> {
        let url = value.get("url")?.as_str()?.to_owned();
        let response = Response::from_value(value.get("response")?).ok()?;
        let order = value.get("order").and_then(Json::as_u64).unwrap_or(0);
        Some((Self { url, response }, order))
    }
}

/// Whether the endpoint's answer for `sent` settles what is `queued` under the same id: the
/// answer to a complete response settles everything; the answer to a partial one only that
/// same partial, not what was queued after it (the complete form, a later partial).
fn settles(sent: &Pending, queued: &Pending) -> bool {
    sent.response.id == queued.response.id
        && (!sent.response.partial || queued.response == sent.response)
}

fn key(id: &str) -> String {
    format!("{OUTBOX_PREFIX}{id}")
}

/// The queue of unacknowledged responses, oldest first.
pub struct Outbox<S: KeyStore> {
    store: S,
    /// Copy of the queue, the truth once the store refuses writes: sending still works, only
    /// retry across page loads is lost.
    memory: Vec<Pending>,
    /// Whether the last write reached the store.
    durable: bool,
    /// What this page queued and has not had acknowledged, with its place in the queue.
    own: Vec<(Pending, u64)>,
}

impl<S: KeyStore> Outbox<S> {
    /// An outbox over `store`.
    pub fn new(store: S) -> Self {
        Self {
            store,
            memory: Vec::new(),
            durable: true,
            own: Vec::new(),
        }
    }

    /// The queue as stored now, with each entry's place: another tab may have changed it since
    /// this one last looked. An entry this version cannot read (an older or newer widget's, in
    /// another tab while a site updates it) is left alone for that version to send.
    fn read(&self) -> Vec<(Pending, u64)> {
        if !self.durable {
            return self.memory.iter().cloned().zip(1..).collect();
        }
        self.move_old_queue();
        // This page's own, if another tab removed them on a stale view: if that tab had them
        // acknowledged for real, the cost is one more request, answered as a duplicate.
        for (own, order) in &self.own {
            let key = key(&own.response.id);
            if self.store.get(&key).is_none() {
                self.store.set(&key, &own.to_json(*order).to_string());
            }
        }
        let mut queue: Vec<(Pending, u64)> = self
            .store
            .keys()
            .into_iter()
            .filter(|k| k.starts_with(OUTBOX_PREFIX))
            .filter_map(|k| {
                let entry = Pending::from_json(&Json::parse(&self.store.get(&k)?).ok()?)?;
                // Under its own id's key only: anything else is not ours to send.
                (k == key(&entry.0.response.id)).then_some(entry)
            })
            .collect();
        queue.sort_by(|a, b| (a.1, &a.0.response.id).cmp(&(b.1, &b.0.response.id)));
        queue
    }

    /// Give each response of the old single-key queue its own key, in the same order; what
    /// cannot be read stays under the old key.
    fn move_old_queue(&self) {
        let Some(text) = self.store.get(OLD_OUTBOX_KEY) else {
            return;
        };
        let items = match Json::parse(&text) {
            Ok(Json::Array(items)) => items,
            _ => return,
        };
        let mut unread = Vec::new();
        for (item, order) in items.iter().zip(1..) {
            let moved = Pending::from_json(item).is_some_and(|(p, _)| {
                let key = key(&p.response.id);
                self.store.get(&key).is_some()
                    || self.store.set(&key, &p.to_json(order).to_string())
            });
            if !moved {
                unread.push(item.clone());
            }
        }
        if unread.is_empty() {
            self.store.remove(OLD_OUTBOX_KEY);
        } else if unread.len() < items.len() {
            self.store
                .set(OLD_OUTBOX_KEY, &Json::Array(unread).to_string());
        }
    }

    /// Queue `pending` (replacing an entry with the same response id), after every other.
    /// Returns whether it is durably stored; when not, it is still kept in memory for this page.
    pub fn put(&mut self, pending: Pending) -> bool {
        let mut queue = self.read();
        let order = queue.iter().map(|e| e.1).max().unwrap_or(0) + 1;
        queue.retain(|e| e.0.response.id != pending.response.id);
        let written = self.durable
            && self.store.set(
                &key(&pending.response.id),
                &pending.to_json(order).to_string(),
            );
        self.own.retain(|e| e.0.response.id != pending.response.id);
        self.own.push((pending.clone(), order));
        queue.push((pending, order));
        // Past capacity the oldest go.
        let over = queue.len().saturating_sub(OUTBOX_CAPACITY);
        for (old, _) in queue.drain(..over) {
            self.own.retain(|e| e.0.response.id != old.response.id);
            if written {
                self.store.remove(&key(&old.response.id));
            }
        }
        self.durable = written;
        self.memory = queue.into_iter().map(|e| e.0).collect();
        written
    }

    /// Forget the response with this id (it was acknowledged).
    pub fn remove(&mut self, id: &str) {
        self.own.retain(|e| e.0.response.id != id);
        self.forget(id, |_| true);
    }

    /// Forget `sent`: the endpoint answered it for good (stored, or refused). What was queued
    /// under its id after it left is kept when it says more: the complete response after a
    /// partial one, a later partial one.
    pub fn settle(&mut self, sent: &Pending) {
        self.own.retain(|e| !settles(sent, &e.0));
        self.forget(&sent.response.id, |queued| settles(sent, queued));
    }

    /// Drop the entry for `id` if `gone` says so of what is queued under it now.
    fn forget(&mut self, id: &str, gone: impl Fn(&Pending) -> bool) {
        // Its own key only, not the whole queue: this runs on every acknowledgement.
        let queued = if self.durable {
            let text = self.store.get(&key(id));
            text.and_then(|t| Pending::from_json(&Json::parse(&t).ok()?))
                .map(|e| e.0)
        } else {
            self.memory.iter().find(|p| p.response.id == id).cloned()
        };
        if queued.is_some_and(|p| gone(&p)) {
            self.memory.retain(|p| p.response.id != id);
            if self.durable {
                self.store.remove(&key(id));
            }
        }
    }

    /// Every response still waiting that this version can send, oldest first.
    pub fn pending(&self) -> Vec<Pending> {
        self.read().into_iter().map(|e| e.0).collect()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::collections::BTreeMap;
    use std::rc::Rc;

    /// An in-memory store shared by its clones (the tabs of one site); `full` makes it refuse
    /// writes like a full or disabled localStorage.
    #[derive(Clone, Default)]
    pub struct MemoryStore {
        pub map: Rc<RefCell<BTreeMap<String, String>>>,
        pub full: bool,
    }

    impl KeyStore for MemoryStore {
        fn keys(&self) -> Vec<String> {
            self.map.borrow().keys().cloned().collect()
        }
        fn get(&self, key: &str) -> Option<String> {
            self.map.borrow().get(key).cloned()
        }
        fn set(&self, key: &str, text: &str) -> bool {
            if !self.full {
                self.map.borrow_mut().insert(key.into(), text.into());
            }
            !self.full
        }
        fn remove(&self, key: &str) {
            self.map.borrow_mut().remove(key);
        }
    }

    fn pending(n: u32) -> Pending {
        let response = Response::from_json(&format!(
            r#"{{"schema": "sayso.response/v1", "id": "00000000-0000-4000-8000-{n:012}",
                "survey": {{"id": "s", "version": 1}}, "answers": {{"nps": 9}},
                "context": {{"url": "https://a.example/", "locale": "en",
                            "started_at": "2026-11-24T10:00:00Z", "submitted_at": "2026-11-24T10:00:01Z"}}}}"#
        ))
        .unwrap();
        Pending {
            url: "https://a.example/v1/responses".into(),
            response,
        }
    }

    #[test]
    fn survives_a_reload_until_acknowledged() {
        let store = MemoryStore::default();
        let mut outbox = Outbox::new(store.clone());
        assert!(outbox.put(pending(1)));
        assert!(outbox.put(pending(2)));
        // A new page load sees both, oldest first.
        let reloaded = Outbox::new(store.clone());
        let ids: Vec<_> = reloaded
            .pending()
            .iter()
            .map(|p| p.response.id.clone())
            .collect();
        assert_eq!(ids, [pending(1).response.id, pending(2).response.id]);
        outbox.remove(&pending(1).response.id);
        assert_eq!(Outbox::new(store).pending(), [pending(2)]);
    }

    #[test]
    fn the_same_response_is_queued_once() {
        let mut outbox = Outbox::new(MemoryStore::default());
        outbox.put(pending(1));
        outbox.put(pending(1));
        assert_eq!(outbox.pending().len(), 1);
    }

    #[test]
    fn keeps_the_newest_when_full() {
        let mut outbox = Outbox::new(MemoryStore::default());
        for n in 0..(OUTBOX_CAPACITY as u32 + 3) {
            outbox.put(pending(n));
        }
        let queue = outbox.pending();
        assert_eq!(queue.len(), OUTBOX_CAPACITY);
        assert_eq!(queue[0], pending(3));
    }

    #[test]
    fn a_refusing_store_still_keeps_responses_for_this_page() {
        let mut outbox = Outbox::new(MemoryStore {
            full: true,
            ..Default::default()
        });
        assert!(!outbox.put(pending(1)));
        assert_eq!(outbox.pending(), [pending(1)]);
        outbox.remove(&pending(1).response.id);
        assert!(outbox.pending().is_empty());
    }

    #[test]
    fn a_store_that_fills_up_keeps_new_responses_in_memory() {
        let store = MemoryStore::default();
        let mut outbox = Outbox::new(store.clone());
        outbox.put(pending(1));
        let mut full = Outbox::new(MemoryStore {
            full: true,
            ..store
        });
        assert!(!full.put(pending(2)));
        assert_eq!(full.pending(), [pending(1), pending(2)]);
    }

    fn partial(n: u32) -> Pending {
        let mut p = pending(n);
        p.response.partial = true;
        p.response.answers.insert("comment", "half");
        p
    }

    #[test]
    fn settling_forgets_what_was_sent_and_keeps_what_came_after() {
        let store = MemoryStore::default();
        let mut outbox = Outbox::new(store.clone());
        // The complete response is sent and acknowledged.
        outbox.put(pending(1));
        outbox.put(pending(2));
        outbox.settle(&pending(1));
        assert_eq!(outbox.pending(), [pending(2)]);
        // A partial response was on its way when the visitor finished: its acknowledgement
        // must not take the complete response with it.
        outbox.put(pending(3));
        outbox.settle(&partial(3));
        assert_eq!(outbox.pending(), [pending(2), pending(3)]);
        // A partial response acknowledged as it was sent is forgotten.
        outbox.put(partial(4));
        outbox.settle(&partial(4));
        assert_eq!(outbox.pending(), [pending(2), pending(3)]);
        // An acknowledged complete response replaces any partial one queued under its id.
        outbox.put(partial(2));
        outbox.settle(&pending(2));
        assert_eq!(Outbox::new(store).pending(), [pending(3)]);
    }

    #[test]
    fn settling_what_another_tab_already_removed_writes_nothing() {
        let store = MemoryStore::default();
        let mut outbox = Outbox::new(store.clone());
        outbox.put(pending(1));
        let before = store.map.borrow().clone();
        outbox.settle(&pending(9));
        outbox.remove(&pending(9).response.id);
        assert_eq!(*store.map.borrow(), before);
    }

    #[test]
    fn a_response_another_tab_removed_on_a_stale_view_is_put_back_by_its_own_page() {
        let store = MemoryStore::default();
        let (mut one, mut two) = (Outbox::new(store.clone()), Outbox::new(store.clone()));
        // Tab one queued the partial form, then the complete form; tab two, acknowledged for
        // the partial form and seeing tab one's last write late, removed the key.
        one.put(partial(1));
        one.put(pending(1));
        one.put(pending(2));
        store.map.borrow_mut().remove(&key(&pending(1).response.id));
        // Tab one reads the queue before every send: its response is back, in its place.
        assert_eq!(one.pending(), [pending(1), pending(2)]);
        assert_eq!(two.pending(), [pending(1), pending(2)]);
        // Once acknowledged here, it is this page's no longer: removed for good.
        one.settle(&partial(1));
        store.map.borrow_mut().remove(&key(&pending(1).response.id));
        assert_eq!(
            one.pending(),
            [pending(1), pending(2)],
            "a partial settles only itself"
        );
        one.settle(&pending(1));
        assert_eq!(one.pending(), [pending(2)]);
        // What another tab queued is that tab's to put back, not this one's.
        two.put(pending(3));
        store.map.borrow_mut().remove(&key(&pending(3).response.id));
        assert_eq!(one.pending(), [pending(2)]);
    }

    #[test]
    fn what_an_answer_settles() {
        // The answer to a complete response settles any form of it; to a partial, only itself.
        assert!(settles(&pending(1), &pending(1)));
        assert!(settles(&pending(1), &partial(1)));
        assert!(settles(&partial(1), &partial(1)));
        assert!(!settles(&partial(1), &pending(1)));
        assert!(!settles(&pending(1), &pending(2)));
        let mut later = partial(1);
        later.response.answers.insert("comment", "more");
        assert!(!settles(&partial(1), &later));
    }

    #[test]
    fn two_tabs_queueing_at_once_lose_nothing() {
        // Each tab has read the (empty) queue before the other wrote: with one key for the
        // whole queue, the second write would have erased the first.
        let store = MemoryStore::default();
        let (mut one, mut two) = (Outbox::new(store.clone()), Outbox::new(store.clone()));
        assert!(one.pending().is_empty() && two.pending().is_empty());
        one.put(pending(1));
        two.put(pending(2));
        two.remove(&pending(2).response.id);
        assert_eq!(Outbox::new(store).pending(), [pending(1)]);
    }

    #[test]
    fn queued_responses_read_back_equal_to_what_was_queued() {
        // Settling compares what was sent with what is queued: reading must not change it.
        let store = MemoryStore::default();
        let mut outbox = Outbox::new(store.clone());
        let mut p = partial(5);
        p.response
            .answers
            .insert("quote", "«Ça va» — \"fine\"\n\u{1F600}");
        p.response.context.attributes.insert("plan", "gold");
        outbox.put(p.clone());
        assert_eq!(Outbox::new(store.clone()).pending(), [p.clone()]);
        outbox.settle(&Outbox::new(store.clone()).pending()[0]);
        assert!(Outbox::new(store).pending().is_empty());
    }

    #[test]
    fn entries_another_version_wrote_are_kept_untouched() {
        let store = MemoryStore::default();
        let id = "00000000-0000-4000-8000-000000000077";
        let newer =
            r#"{"url":"https://a.example/v1/responses","response":{"schema":"sayso.response/v2"}}"#;
        store.set(&key(id), newer);
        store.set("sayso:outbox:not-json", "{oops");
        let mut outbox = Outbox::new(store.clone());
        assert!(outbox.pending().is_empty());
        for n in 1..=(OUTBOX_CAPACITY as u32 + 1) {
            outbox.put(pending(n));
        }
        outbox.remove(&pending(2).response.id);
        assert_eq!(store.get(&key(id)).as_deref(), Some(newer));
        assert_eq!(store.get("sayso:outbox:not-json").as_deref(), Some("{oops"));
        assert_eq!(outbox.pending().len(), OUTBOX_CAPACITY - 1);
    }

    #[test]
    fn the_queue_of_older_versions_moves_to_a_key_per_response() {
        let store = MemoryStore::default();
        let old = |p: &Pending| {
            let mut o = JsonObject::new();
            o.insert("url", p.url.as_str());
            o.insert("response", p.response.to_json());
            Json::Object(o).to_string()
        };
        store.set(
            OLD_OUTBOX_KEY,
            &format!("[{}, 7, {}]", old(&pending(2)), old(&pending(1))),
        );
        let mut outbox = Outbox::new(store.clone());
        // In the old order, each under its own key now; what could not be read stays.
        assert_eq!(outbox.pending(), [pending(2), pending(1)]);
        assert!(store.get(&key(&pending(1).response.id)).is_some());
        assert_eq!(store.get(OLD_OUTBOX_KEY).as_deref(), Some("[7]"));
        outbox.put(pending(3));
        assert_eq!(
            Outbox::new(store).pending(),
            [pending(2), pending(1), pending(3)]
        );
    }
}
