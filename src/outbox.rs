//! Responses not yet acknowledged by the endpoint. A response is written here before it is
//! sent and removed only after a 2xx answer, so a crash, a closed tab or a dead network never
//! loses it: the next page load sends it again, and its id makes that idempotent.

use sayso_schema::{Json, JsonObject, Response};

/// Storage key of the outbox (in `localStorage`).
pub const OUTBOX_KEY: &str = "sayso:outbox";
/// Most responses kept; past this the oldest is dropped (a visitor cannot produce this many
/// unsent responses without something being badly wrong).
pub const OUTBOX_CAPACITY: usize = 50;

/// Durable text storage for one key. `localStorage` in the browser; any map in tests.
pub trait TextStore {
    /// The stored text, if any.
    fn load(&self) -> Option<String>;
    /// Store `text`; `false` when the store refused (full, disabled, private mode).
    fn save(&self, text: &str) -> bool;
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
    fn to_json(&self) -> Json {
        let mut o = JsonObject::new();
        o.insert("url", self.url.as_str());
        o.insert("response", self.response.to_json());
        Json::Object(o)
    }

    fn from_json(value: &Json) -> Option<Self> {
        let url = value.get("url")?.as_str()?.to_owned();
        let response = Response::from_value(value.get("response")?).ok()?;
        Some(Self { url, response })
    }
}

/// The stored queue: the entries this version reads, and the others as they were stored.
#[derive(Default)]
struct Stored {
    queue: Vec<Pending>,
    /// Entries this version cannot read: written by an older or newer widget (in another tab,
    /// while a site updates it), which will send them. They are written back untouched, never
    /// dropped, except as the oldest when the outbox is full.
    foreign: Vec<Json>,
}

fn parse_queue(text: &str) -> Option<Stored> {
    let items = Json::parse(text).ok()?;
    let mut stored = Stored::default();
    for item in items.as_array()? {
        match Pending::from_json(item) {
            Some(p) => stored.queue.push(p),
            None => stored.foreign.push(item.clone()),
        }
    }
    Some(stored)
}

/// The queue of unacknowledged responses, oldest first.
pub struct Outbox<S: TextStore> {
    store: S,
    /// Copy of the queue, the truth while the store refuses writes: sending still works, only
    /// retry across page loads is lost.
    memory: Vec<Pending>,
    /// Whether the last write reached the store.
    durable: bool,
}

impl<S: TextStore> Outbox<S> {
    /// An outbox over `store`.
    pub fn new(store: S) -> Self {
        Self {
            store,
            memory: Vec::new(),
            durable: true,
        }
    }

    /// The queue as stored now: another tab may have changed it since this one last looked.
    fn read(&self) -> Stored {
        if !self.durable {
            return Stored {
                queue: self.memory.clone(),
                foreign: Vec::new(),
            };
        }
        // A store that is not a JSON array at all is ignored rather than fatal.
        self.store
            .load()
            .and_then(|t| parse_queue(&t))
            .unwrap_or_default()
    }

    fn write(&mut self, stored: Stored) -> bool {
        let entries = stored
            .foreign
            .into_iter()
            .chain(stored.queue.iter().map(Pending::to_json));
        self.durable = self.store.save(&Json::Array(entries.collect()).to_string());
        self.memory = stored.queue;
        self.durable
    }

    /// Queue `pending` (replacing an entry with the same response id). Returns whether it is
    /// durably stored; when not, it is still kept in memory for this page.
    pub fn put(&mut self, pending: Pending) -> bool {
        let mut stored = self.read();
        stored
            .queue
            .retain(|p| p.response.id != pending.response.id);
        stored.queue.push(pending);
        // Past capacity the oldest go, the foreign ones (stored first) before this version's.
        let mut over = (stored.foreign.len() + stored.queue.len()).saturating_sub(OUTBOX_CAPACITY);
        let foreign = over.min(stored.foreign.len());
        stored.foreign.drain(..foreign);
        over -= foreign;
        stored.queue.drain(..over);
        self.write(stored)
    }

    /// Forget the response with this id (it was acknowledged).
    pub fn remove(&mut self, id: &str) {
        self.forget(|p| p.response.id == id);
    }

    /// Forget `sent`: the endpoint answered it for good (stored, or refused). What was queued
    /// under its id after it left is kept when it says more: the complete response after a
    /// partial one, a later partial one.
    pub fn settle(&mut self, sent: &Pending) {
        let sent = &sent.response;
        self.forget(|p| p.response.id == sent.id && (!sent.partial || p.response == *sent));
    }

    /// Drop the entries `gone` selects; the store is written only when that changes something,
    /// so that a tab with nothing to say does not write back what it read over another tab's
    /// change.
    fn forget(&mut self, gone: impl Fn(&Pending) -> bool) {
        let mut stored = self.read();
        let before = stored.queue.len();
        stored.queue.retain(|p| !gone(p));
        if stored.queue.len() != before {
            self.write(stored);
        }
    }

    /// Every response still waiting that this version can send, oldest first.
    pub fn pending(&self) -> Vec<Pending> {
        self.read().queue
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::rc::Rc;

    /// An in-memory store; `full` makes it refuse writes like a full or disabled localStorage.
    #[derive(Clone, Default)]
    pub struct MemoryStore {
        pub text: Rc<RefCell<Option<String>>>,
        pub full: bool,
    }

    impl TextStore for MemoryStore {
        fn load(&self) -> Option<String> {
            self.text.borrow().clone()
        }
        fn save(&self, text: &str) -> bool {
            if !self.full {
                *self.text.borrow_mut() = Some(text.to_owned());
            }
            !self.full
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
        let before = store.text.borrow().clone();
        outbox.settle(&pending(9));
        outbox.remove(&pending(9).response.id);
        assert_eq!(*store.text.borrow(), before);
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
        let newer =
            r#"{"url":"https://a.example/v1/responses","response":{"schema":"sayso.response/v2"}}"#;
        *store.text.borrow_mut() = Some(format!("[{newer}, 7]"));
        let mut outbox = Outbox::new(store.clone());
        assert!(outbox.pending().is_empty());
        outbox.put(pending(1));
        outbox.remove(&pending(1).response.id);
        outbox.put(pending(2));
        assert_eq!(
            Json::parse(store.text.borrow().as_deref().unwrap()).unwrap(),
            Json::parse(&format!("[{newer}, 7, {}]", pending(2).to_json())).unwrap()
        );
        // Past capacity, they are the first to go.
        for n in 3..=(OUTBOX_CAPACITY as u32 + 1) {
            outbox.put(pending(n));
        }
        let text = store.text.borrow().clone().unwrap();
        assert!(!text.contains("v2") && !text.starts_with("[7"), "{text}");
        assert_eq!(outbox.pending().len(), OUTBOX_CAPACITY);
    }

    #[test]
    fn a_corrupt_store_is_ignored() {
        let store = MemoryStore::default();
        *store.text.borrow_mut() = Some("{not json".into());
        let mut outbox = Outbox::new(store.clone());
        assert!(outbox.pending().is_empty());
        outbox.put(pending(1));
        assert_eq!(Outbox::new(store).pending(), [pending(1)]);
    }
}
