//! How, when and to whom a survey appears: display mode, trigger, targeting and theme. The
//! decisions are plain functions of what the browser reports (URL, language, viewport, time,
//! a random draw) and what the visitor's browser remembers, so they are tested natively.

use crate::colour::{
    BLACK, DARK_ACCENT, DARK_ACCENT_TEXT, DARK_SURFACE, LIGHT_ACCENT, Rgb, TEXT_CONTRAST, WHITE,
};
use crate::json::Json;
use crate::parse::{Object, boolean, keyword, list, small, string, strings, text, uint};
use crate::problem::Problems;
use crate::text::{LocalizedText, is_locale_tag};

/// How the survey is presented.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct Display {
    /// All questions on one page, or one question per step.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub layout: Layout,
    /// Inline in the page, behind a launcher button, in a modal dialog, or in a panel that
    /// slides in at a corner.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub mode: Mode,
    /// The corner of the launcher and of the slide-in panel.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub position: Corner,
    /// Text of the launcher button (default: the built-in, translated "Feedback").
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub launcher_label: Option<LocalizedText>,
}

/// How the questions are laid out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "json-schema", schemars(rename_all = "snake_case"))]
pub enum Layout {
    /// Every (shown) question on one page.
    #[default]
    Page,
    /// One question per step.
    Steps,
}

/// Where the survey shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "json-schema", schemars(rename_all = "snake_case"))]
pub enum Mode {
    /// In the page, in the element `data-target` selects (or at the end of the page).
    #[default]
    Inline,
    /// A button in a corner that opens the survey in a panel.
    Launcher,
    /// A modal dialog: the rest of the page waits; Escape closes it.
    Modal,
    /// A panel that slides in at a corner, without covering the page.
    SlideIn,
}

/// A corner of the viewport.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "json-schema", schemars(rename_all = "snake_case"))]
pub enum Corner {
    /// Bottom right (bottom left in right-to-left languages reads the same way mirrored).
    #[default]
    BottomRight,
    /// Bottom left.
    BottomLeft,
    /// Top right.
    TopRight,
    /// Top left.
    TopLeft,
}

/// When the survey appears (subject to targeting).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct Trigger {
    /// What makes it appear.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub on: TriggerKind,
    /// `delay`: seconds after the page loads (default 10).
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub delay_seconds: u32,
    /// `scroll`: percent of the page scrolled (default 50).
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub scroll_percent: u8,
    /// `page_views`: pages seen on this site, this one included (default 3).
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub page_views: u32,
    /// `event`: the name of a DOM event dispatched on `window` or `document`.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub event: Option<String>,
    /// `click`: a CSS selector; a click on a matching element opens the survey.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub selector: Option<String>,
}

impl Default for Trigger {
    fn default() -> Self {
        Self {
            on: TriggerKind::Load,
            delay_seconds: 10,
            scroll_percent: 50,
            page_views: 3,
            event: None,
            selector: None,
        }
    }
}

/// What makes a survey appear.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "json-schema", schemars(rename_all = "snake_case"))]
pub enum TriggerKind {
    /// As soon as the page is ready.
    #[default]
    Load,
    /// `delay_seconds` after the page loads.
    Delay,
    /// When `scroll_percent` of the page has been scrolled.
    Scroll,
    /// When the pointer leaves the page towards the browser's bar (desktop only).
    ExitIntent,
    /// From the `page_views`-th page seen on the site.
    PageViews,
    /// When the DOM event `event` is dispatched.
    Event,
    /// When an element matching `selector` is clicked.
    Click,
    /// Only when the page calls `Sayso.open()`.
    Manual,
}

/// Who sees the survey. Everything is decided in the visitor's browser from what it remembers
/// in `localStorage`: no cookie, no identifier leaves the page.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct Targeting {
    /// URL patterns the page must match one of (none: every page). `*` matches anything; a
    /// pattern starting with `/` is matched against the path, otherwise against the whole URL.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub include_urls: Vec<String>,
    /// URL patterns where the survey never shows.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub exclude_urls: Vec<String>,
    /// Visitor languages to show to (none: all), e.g. `["en", "es"]`.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub locales: Vec<String>,
    /// Device classes to show on (none: all).
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub devices: Vec<Device>,
    /// Percent of visitors who are asked at all (default 100); each visitor is drawn once.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub sample_percent: u8,
    /// Days before a visitor who answered is asked again (default 90).
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub after_answer_days: u32,
    /// Days before a visitor who dismissed the survey is asked again (default 14).
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub after_dismiss_days: u32,
    /// Show it at most once per browser session (default true).
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub once_per_session: bool,
}

impl Default for Targeting {
    fn default() -> Self {
        Self {
            include_urls: Vec::new(),
            exclude_urls: Vec::new(),
            locales: Vec::new(),
            devices: Vec::new(),
            sample_percent: 100,
            after_answer_days: 90,
            after_dismiss_days: 14,
            once_per_session: true,
        }
    }
}

/// A class of device, told from the viewport and the pointer (nothing that identifies one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "json-schema", schemars(rename_all = "snake_case"))]
pub enum Device {
    /// A fine pointer, or a wide screen.
    Desktop,
    /// A touch screen 600 to 1024 CSS px wide.
    Tablet,
    /// A touch screen under 600 CSS px wide.
    Mobile,
}

/// Colours, shape and type of the widget. Every value here can also be set by the host page
/// with the matching CSS custom property (`--sayso-accent`, ...), which wins over none of
/// these: the definition's values are set on the widget's own element.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct Theme {
    /// Light, dark, or following the visitor's system setting (default).
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub scheme: Scheme,
    /// Buttons, chosen points, links: a hex colour such as `#006b5f`. In each scheme it is
    /// used as it is where it reaches 4.5:1 on the surface, else the nearest darker (light) or
    /// lighter (dark) shade that does.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub accent: Option<String>,
    /// Text on the accent colour, where it reaches 4.5:1 on it; else the scheme's own.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub accent_text: Option<String>,
    /// Corner radius, e.g. `8px` or `0.5rem`.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub radius: Option<String>,
    /// A font family list, e.g. `"Source Sans 3", Arial, sans-serif`.
    #[cfg_attr(feature = "json-schema", schemars(default))]
    pub font: Option<String>,
}

/// Light or dark.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "json-schema", schemars(rename_all = "snake_case"))]
pub enum Scheme {
    /// Follow the visitor's system setting.
    #[default]
    Auto,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

// --- Decisions -------------------------------------------------------------------------------

/// What the visitor's browser remembers about one survey (timestamps in ms since the epoch).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Memory {
    /// When the visitor last sent a complete response.
    pub answered_at: Option<f64>,
    /// When the visitor last dismissed the survey.
    pub dismissed_at: Option<f64>,
    /// This visitor's random draw for the sample, 0 to 1: drawn once and remembered, and held
    /// against the survey's current `sample_percent` each time (raising it takes more of the
    /// same visitors in).
    pub draw: Option<f64>,
}

/// The page and moment a survey might show in.
#[derive(Debug, Clone, Copy)]
pub struct Visit<'a> {
    /// The page's URL.
    pub url: &'a str,
    /// The visitor's language tag.
    pub locale: &'a str,
    /// The device class.
    pub device: Device,
    /// Now, ms since the epoch.
    pub now: f64,
    /// Whether the survey was already shown in this browser session.
    pub shown_this_session: bool,
}

/// Why a survey does not show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The page's URL is not included, or is excluded.
    Url,
    /// Not for the visitor's language.
    Locale,
    /// Not for this device class.
    Device,
    /// The visitor was not drawn into the sample.
    Sample,
    /// Answered recently.
    Answered,
    /// Dismissed recently.
    Dismissed,
    /// Already shown in this session.
    Session,
}

impl Refusal {
    /// Whether the visitor's own request (a click on the page's feedback link) overrides it:
    /// the rules that keep the survey from asking too often do, those that say whom and where
    /// it is for do not.
    pub fn yields_to_visitor(self) -> bool {
        matches!(
            self,
            Refusal::Sample | Refusal::Answered | Refusal::Dismissed | Refusal::Session
        )
    }
}

const DAY_MS: f64 = 86_400_000.0;

impl Targeting {
    /// Whether the URL rules (include, exclude) let the survey show at `url`.
    pub fn allows_url(&self, url: &str) -> bool {
        let listed = |patterns: &[String]| patterns.iter().any(|p| url_matches(p, url));
        (self.include_urls.is_empty() || listed(&self.include_urls)) && !listed(&self.exclude_urls)
    }

    /// Whether the survey may show in `visit`, given what the browser `remembers`.
    pub fn allows(&self, visit: &Visit, remembers: &Memory) -> Result<(), Refusal> {
        if !self.allows_url(visit.url) {
            return Err(Refusal::Url);
        }
        let language = |tag: &str| tag.split('-').next().unwrap_or(tag).to_ascii_lowercase();
        if !self.locales.is_empty()
            && !self
                .locales
                .iter()
                .any(|l| language(l) == language(visit.locale))
        {
            return Err(Refusal::Locale);
        }
        if !self.devices.is_empty() && !self.devices.contains(&visit.device) {
            return Err(Refusal::Device);
        }
        if remembers.draw.is_some_and(|d| !self.sampled(d)) {
            return Err(Refusal::Sample);
        }
        let within = |at: Option<f64>, days: u32| {
            at.is_some_and(|t| visit.now - t < f64::from(days) * DAY_MS)
        };
        if within(remembers.answered_at, self.after_answer_days) {
            return Err(Refusal::Answered);
        }
        if within(remembers.dismissed_at, self.after_dismiss_days) {
            return Err(Refusal::Dismissed);
        }
        if self.once_per_session && visit.shown_this_session {
            return Err(Refusal::Session);
        }
        Ok(())
    }

    /// Whether a visitor whose random draw (0 to 1) is `draw` belongs to the sample.
    pub fn sampled(&self, draw: f64) -> bool {
        draw * 100.0 < f64::from(self.sample_percent)
    }
}

impl Trigger {
    /// `delay`: milliseconds still to wait `since_start` ms after the page started loading
    /// (the delay counts from the page's start, not from when the widget could run).
    pub fn delay_left_ms(&self, since_start: f64) -> f64 {
        (f64::from(self.delay_seconds) * 1000.0 - since_start).max(0.0)
    }
}

/// Whether `url` matches `pattern`: `*` matches any run of characters; a pattern starting
/// with `/` is matched against the URL's path (query and fragment ignored, and a trailing `/`
/// on either side: `/support` is `/support/`), any other against the whole URL, or against it
/// without query and fragment (`https://shop.example/checkout` is `…/checkout?step=2` too).
pub fn url_matches(pattern: &str, url: &str) -> bool {
    if !pattern.starts_with('/') {
        let page = &url[..url.find(['?', '#']).unwrap_or(url.len())];
        return glob(pattern.as_bytes(), url.as_bytes())
            || glob(pattern.as_bytes(), page.as_bytes());
    }
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    let path = &path[..path.find(['?', '#']).unwrap_or(path.len())];
    let trim = |s: &str| -> Vec<u8> {
        let s = if s.len() > 1 {
            s.strip_suffix('/').unwrap_or(s)
        } else {
            s
        };
        s.as_bytes().to_vec()
    };
    // `/support/*` is for `/support` too, as it is for `/support/`.
    let mut slashed = trim(path);
    slashed.push(b'/');
    glob(pattern.as_bytes(), path.as_bytes())
        || glob(&trim(pattern), &trim(path))
        || glob(pattern.as_bytes(), &slashed)
}

/// Wildcard matching in time proportional to pattern × text (a URL is the visitor's to craft:
/// a recursive matcher takes seconds on a few stars and a long query string). On a mismatch
/// after a `*`, the `*` takes one more character and matching resumes after it.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    // The pattern position after the last `*`, and the text position it has taken up to.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p + 1, t));
                p += 1;
            }
            Some(&c) if c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((after, taken)) => {
                    star = Some((after, taken + 1));
                    p = after;
                    t = taken + 1;
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// The device class of a screen whose shorter side is `width` CSS px, with a `coarse` (touch)
/// pointer or not.
pub fn device_class(width: u32, coarse: bool) -> Device {
    match (coarse, width) {
        (true, 0..600) => Device::Mobile,
        (true, 600..=1024) => Device::Tablet,
        _ => Device::Desktop,
    }
}

/// What share of the page has been scrolled, in percent (100 when it does not scroll).
pub fn scrolled_percent(scroll_top: f64, viewport_height: f64, page_height: f64) -> u8 {
    let scrollable = page_height - viewport_height;
    if scrollable <= 0.0 {
        100
    } else {
        (100.0 * scroll_top / scrollable).round().clamp(0.0, 100.0) as u8
    }
}

// --- Reading, writing, checking --------------------------------------------------------------

const MODES: &[(&str, Mode)] = &[
    ("inline", Mode::Inline),
    ("launcher", Mode::Launcher),
    ("modal", Mode::Modal),
    ("slide_in", Mode::SlideIn),
];
const CORNERS: &[(&str, Corner)] = &[
    ("bottom_right", Corner::BottomRight),
    ("bottom_left", Corner::BottomLeft),
    ("top_right", Corner::TopRight),
    ("top_left", Corner::TopLeft),
];
const TRIGGERS: &[(&str, TriggerKind)] = &[
    ("load", TriggerKind::Load),
    ("delay", TriggerKind::Delay),
    ("scroll", TriggerKind::Scroll),
    ("exit_intent", TriggerKind::ExitIntent),
    ("page_views", TriggerKind::PageViews),
    ("event", TriggerKind::Event),
    ("click", TriggerKind::Click),
    ("manual", TriggerKind::Manual),
];
const DEVICES: &[(&str, Device)] = &[
    ("desktop", Device::Desktop),
    ("tablet", Device::Tablet),
    ("mobile", Device::Mobile),
];
const SCHEMES: &[(&str, Scheme)] = &[
    ("auto", Scheme::Auto),
    ("light", Scheme::Light),
    ("dark", Scheme::Dark),
];

/// The JSON name of `value` in `table`.
pub fn name_of<T: PartialEq + Copy>(table: &[(&'static str, T)], value: T) -> &'static str {
    table
        .iter()
        .find(|(_, v)| *v == value)
        .map_or("", |(n, _)| n)
}

/// The value named `name` in `table` (for `data-*` overrides).
pub fn named<T: Copy>(table: &[(&'static str, T)], name: &str) -> Option<T> {
    table.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
}

/// Display modes by JSON name.
pub fn modes() -> &'static [(&'static str, Mode)] {
    MODES
}
/// Corners by JSON name.
pub fn corners() -> &'static [(&'static str, Corner)] {
    CORNERS
}
/// Triggers by JSON name.
pub fn triggers() -> &'static [(&'static str, TriggerKind)] {
    TRIGGERS
}

impl Display {
    /// Whether `trigger` opens this survey over the page unasked: a modal or a slide-in, opened
    /// by anything but the visitor's own click. Where the browser keeps nothing, such a survey
    /// could not remember being answered or dismissed and would come back on every page, so
    /// the widget does not open it there (inline surveys, launchers, clicks and `Sayso.open()`
    /// still work).
    pub fn interrupts(&self, trigger: &Trigger) -> bool {
        matches!(self.mode, Mode::Modal | Mode::SlideIn)
            && !matches!(trigger.on, TriggerKind::Click | TriggerKind::Manual)
    }

    pub(crate) fn read(v: &Json, path: &str, p: &mut Problems) -> Option<Self> {
        let mut o = Object::new(v, path, p)?;
        let layout = o.or("layout", Layout::Page, |v, path, p| {
            keyword(
                v,
                path,
                p,
                &[("page", Layout::Page), ("steps", Layout::Steps)],
            )
        });
        let mode = o.or("mode", Mode::Inline, |v, path, p| {
            keyword(v, path, p, MODES)
        });
        let position = o.or("position", Corner::BottomRight, |v, path, p| {
            keyword(v, path, p, CORNERS)
        });
        let launcher_label = o.optional("launcher_label", text);
        o.finish();
        Some(Self {
            layout: layout?,
            mode: mode?,
            position: position?,
            launcher_label: launcher_label.ok()?,
        })
    }

    pub(crate) fn to_json(&self) -> Json {
        let mut o = crate::json::JsonObject::new();
        o.insert(
            "layout",
            if self.layout == Layout::Steps {
                "steps"
            } else {
                "page"
            },
        );
        o.insert("mode", name_of(MODES, self.mode));
        o.insert("position", name_of(CORNERS, self.position));
        if let Some(l) = &self.launcher_label {
            o.insert("launcher_label", l.to_json());
        }
        Json::Object(o)
    }
}

impl Trigger {
    pub(crate) fn read(v: &Json, path: &str, p: &mut Problems) -> Option<Self> {
        let d = Self::default();
        let mut o = Object::new(v, path, p)?;
        let on = o.or("on", d.on, |v, path, p| keyword(v, path, p, TRIGGERS));
        let delay_seconds = o.or("delay_seconds", d.delay_seconds, uint);
        let scroll_percent = o.or("scroll_percent", d.scroll_percent, small);
        let page_views = o.or("page_views", d.page_views, uint);
        let event = o.optional("event", string);
        let selector = o.optional("selector", string);
        o.finish();
        Some(Self {
            on: on?,
            delay_seconds: delay_seconds?,
            scroll_percent: scroll_percent?,
            page_views: page_views?,
            event: event.ok()?,
            selector: selector.ok()?,
        })
    }

    pub(crate) fn to_json(&self) -> Json {
        let mut o = crate::json::JsonObject::new();
        o.insert("on", name_of(TRIGGERS, self.on));
        o.insert("delay_seconds", self.delay_seconds);
        o.insert("scroll_percent", self.scroll_percent);
        o.insert("page_views", self.page_views);
        o.insert("event", self.event.clone());
        o.insert("selector", self.selector.clone());
        Json::Object(o)
    }

    pub(crate) fn check(&self, p: &mut Problems) {
        if self.delay_seconds > 3600 {
            p.push("$.trigger.delay_seconds", "at most 3600 (an hour)");
        }
        if !(1..=100).contains(&self.scroll_percent) {
            p.push("$.trigger.scroll_percent", "expected 1 to 100");
        }
        if !(1..=1000).contains(&self.page_views) {
            p.push("$.trigger.page_views", "expected 1 to 1000");
        }
        let event_ok = |e: &str| {
            (1..=64).contains(&e.len())
                && e.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_-:.".contains(&b))
        };
        match (&self.on, &self.event, &self.selector) {
            (TriggerKind::Event, None, _) => p.push(
                "$.trigger.event",
                "the event trigger needs the name of an event",
            ),
            (TriggerKind::Click, _, None) => p.push(
                "$.trigger.selector",
                "the click trigger needs a CSS selector",
            ),
            _ => {}
        }
        if let Some(e) = self.event.as_deref().filter(|e| !event_ok(e)) {
            p.push(
                "$.trigger.event",
                format!("\"{e}\" is not an event name (letters, digits, '_', '-', ':', '.')"),
            );
        }
        if let Some(s) = self
            .selector
            .as_deref()
            .filter(|s| s.trim().is_empty() || s.len() > 200)
        {
            p.push(
                "$.trigger.selector",
                format!("\"{s}\" is not a CSS selector of at most 200 characters"),
            );
        }
    }
}

impl Targeting {
    pub(crate) fn read(v: &Json, path: &str, p: &mut Problems) -> Option<Self> {
        let d = Self::default();
        let mut o = Object::new(v, path, p)?;
        let include_urls = o.or("include_urls", Vec::new(), strings);
        let exclude_urls = o.or("exclude_urls", Vec::new(), strings);
        let locales = o.or("locales", Vec::new(), strings);
        let devices = o.or("devices", Vec::new(), |v, path, p| {
            list(v, path, p, |v, path, p| keyword(v, path, p, DEVICES))
        });
        let sample_percent = o.or("sample_percent", d.sample_percent, small);
        let after_answer_days = o.or("after_answer_days", d.after_answer_days, uint);
        let after_dismiss_days = o.or("after_dismiss_days", d.after_dismiss_days, uint);
        let once_per_session = o.or("once_per_session", d.once_per_session, boolean);
        o.finish();
        Some(Self {
            include_urls: include_urls?,
            exclude_urls: exclude_urls?,
            locales: locales?,
            devices: devices?,
            sample_percent: sample_percent?,
            after_answer_days: after_answer_days?,
            after_dismiss_days: after_dismiss_days?,
            once_per_session: once_per_session?,
        })
    }

    pub(crate) fn to_json(&self) -> Json {
        let mut o = crate::json::JsonObject::new();
        o.insert("include_urls", self.include_urls.clone());
        o.insert("exclude_urls", self.exclude_urls.clone());
        o.insert("locales", self.locales.clone());
        o.insert(
            "devices",
            self.devices
                .iter()
                .map(|d| name_of(DEVICES, *d))
                .collect::<Vec<_>>(),
        );
        o.insert("sample_percent", self.sample_percent);
        o.insert("after_answer_days", self.after_answer_days);
        o.insert("after_dismiss_days", self.after_dismiss_days);
        o.insert("once_per_session", self.once_per_session);
        Json::Object(o)
    }

    pub(crate) fn check(&self, p: &mut Problems) {
        for (field, patterns) in [
            ("include_urls", &self.include_urls),
            ("exclude_urls", &self.exclude_urls),
        ] {
            if patterns.len() > 20 {
                p.push(format!("$.targeting.{field}"), "at most 20 patterns");
            }
            for (i, pattern) in patterns.iter().enumerate() {
                if pattern.is_empty()
                    || pattern.len() > 300
                    || pattern.contains(char::is_whitespace)
                {
                    p.push(
                        format!("$.targeting.{field}[{i}]"),
                        "expected a URL pattern such as /support/* or https://clinic.example/*",
                    );
                }
            }
        }
        for (i, l) in self
            .locales
            .iter()
            .enumerate()
            .filter(|(_, l)| !is_locale_tag(l))
        {
            p.push(
                format!("$.targeting.locales[{i}]"),
                format!("\"{l}\" is not a locale tag such as \"en\""),
            );
        }
        if self.sample_percent > 100 {
            p.push("$.targeting.sample_percent", "expected 0 to 100");
        }
        for (field, days) in [
            ("after_answer_days", self.after_answer_days),
            ("after_dismiss_days", self.after_dismiss_days),
        ] {
            if days > 3650 {
                p.push(format!("$.targeting.{field}"), "at most 3650 days");
            }
        }
    }
}

impl Theme {
    pub(crate) fn read(v: &Json, path: &str, p: &mut Problems) -> Option<Self> {
        let mut o = Object::new(v, path, p)?;
        let scheme = o.or("scheme", Scheme::Auto, |v, path, p| {
            keyword(v, path, p, SCHEMES)
        });
        let accent = o.optional("accent", string);
        let accent_text = o.optional("accent_text", string);
        let radius = o.optional("radius", string);
        let font = o.optional("font", string);
        o.finish();
        Some(Self {
            scheme: scheme?,
            accent: accent.ok()?,
            accent_text: accent_text.ok()?,
            radius: radius.ok()?,
            font: font.ok()?,
        })
    }

    pub(crate) fn to_json(&self) -> Json {
        let mut o = crate::json::JsonObject::new();
        o.insert("scheme", name_of(SCHEMES, self.scheme));
        for (k, v) in [
            ("accent", &self.accent),
            ("accent_text", &self.accent_text),
            ("radius", &self.radius),
            ("font", &self.font),
        ] {
            if let Some(v) = v {
                o.insert(k, v.as_str());
            }
        }
        Json::Object(o)
    }

    /// The stylesheet that applies this theme to the widget's element: `:host` rules, which the
    /// page's own rules for the element override. The accent and the text on it are kept
    /// readable in each scheme (WCAG AA, 4.5:1; the accent is text too, in links): the accent
    /// is the site owner's colour, or the nearest darker (light scheme) or lighter (dark scheme)
    /// shade of it that reaches 4.5:1 on the scheme's surface; the text on it is theirs if
    /// readable there, else the scheme's default, else black or white.
    pub fn host_css(&self) -> String {
        let mut light = String::new();
        let mut dark = String::new();
        if self.accent.is_some() || self.accent_text.is_some() {
            for (set, surface, away, accent, text) in [
                (&mut light, WHITE, BLACK, LIGHT_ACCENT, WHITE),
                (
                    &mut dark,
                    DARK_SURFACE,
                    WHITE,
                    DARK_ACCENT,
                    DARK_ACCENT_TEXT,
                ),
            ] {
                let accent = (self.accent.as_deref())
                    .and_then(|a| Rgb::parse(a, surface))
                    .unwrap_or(accent)
                    .readable_on(surface, away, TEXT_CONTRAST);
                let own = (self.accent_text.as_deref()).and_then(|t| Rgb::parse(t, accent));
                let text = accent.text_on(&[own.unwrap_or(text), text]);
                *set = format!(
                    "--sayso-accent:{};--sayso-accent-text:{};",
                    accent.hex(),
                    text.hex()
                );
            }
        }
        for (name, value) in [
            ("--sayso-radius", &self.radius),
            ("--sayso-font", &self.font),
        ] {
            if let Some(v) = value {
                light.push_str(&format!("{name}:{v};"));
            }
        }
        let mut css = String::new();
        if !light.is_empty() {
            css = format!(":host{{{light}}}");
        }
        if !dark.is_empty() {
            css.push_str(&format!(
                "@media (prefers-color-scheme:dark){{:host(:not([data-scheme=light])){{{dark}}}}}:host([data-scheme=dark]){{{dark}}}"
            ));
        }
        css
    }

    /// The name of the scheme, for the widget element's `data-scheme`.
    pub fn scheme_name(&self) -> &'static str {
        name_of(SCHEMES, self.scheme)
    }

    pub(crate) fn check(&self, p: &mut Problems) {
        // Values become CSS: only what cannot reach the network (no url(), no functions).
        for (field, colour) in [("accent", &self.accent), ("accent_text", &self.accent_text)] {
            if let Some(c) = colour.as_deref().filter(|c| Rgb::parse(c, WHITE).is_none()) {
                p.push(
                    format!("$.theme.{field}"),
                    format!("\"{c}\" is not a hex colour such as #006b5f"),
                );
            }
        }
        if let Some(r) = self.radius.as_deref().filter(|r| !is_length(r)) {
            p.push(
                "$.theme.radius",
                format!("\"{r}\" is not a length such as 8px or 0.5rem"),
            );
        }
        if let Some(f) = self.font.as_deref().filter(|f| !is_font_list(f)) {
            p.push(
                "$.theme.font",
                format!(
                    "\"{f}\" is not a font family list such as \"Source Sans 3\", Arial, sans-serif"
                ),
            );
        }
    }
}

/// A length up to 100 px, rem or em, such as `8px` or `0.5rem` (read without float parsing,
/// which would cost the widget kilobytes).
fn is_length(s: &str) -> bool {
    let number = s.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &s[number.len()..];
    let (whole, fraction) = number.split_once('.').unwrap_or((number, "0"));
    let digits = |d: &str| !d.is_empty() && d.len() <= 3 && d.bytes().all(|b| b.is_ascii_digit());
    matches!(unit, "px" | "rem" | "em")
        && digits(whole)
        && digits(fraction)
        && whole.parse::<u32>().is_ok_and(|n| n <= 100)
}

/// Family names, quoted or not, and commas; every quote closed, so that the list cannot run
/// into the next declaration of the rule it becomes.
fn is_font_list(s: &str) -> bool {
    let mut open = None;
    for c in s.chars() {
        match (open, c) {
            (None, '"' | '\'') => open = Some(c),
            (Some(q), c) if c == q => open = None,
            (_, c) if c.is_alphanumeric() || " ,-_'\"".contains(c) => {}
            _ => return false,
        }
    }
    open.is_none() && !s.trim().is_empty() && s.len() <= 200
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_patterns() {
        let url = "https://clinic.example/support/diabetes?patient=4#top";
        for (pattern, matches) in [
            ("/support/*", true),
            ("/support/diabetes", true),
            ("/support", false),
            ("/*/diabetes", true),
            ("https://clinic.example/*", true),
            ("https://other.example/*", false),
            ("*patient=4*", true),
            ("/billing/*", false),
            // A whole URL without query and fragment matches the page whatever they are.
            ("https://clinic.example/support/diabetes", true),
            ("https://clinic.example/support/diabetes?patient=5", false),
            ("https://clinic.example/support", false),
        ] {
            assert_eq!(url_matches(pattern, url), matches, "{pattern}");
        }
        assert!(url_matches("/", "https://clinic.example"));
        // A trailing slash on either side does not matter for paths.
        assert!(url_matches("/support/diabetes/", url));
        assert!(url_matches(
            "/support/emergency",
            "https://clinic.example/support/emergency/"
        ));
        assert!(!url_matches(
            "/support/emergency",
            "https://clinic.example/support/emergency-room"
        ));
        // So a pattern ending in `/*` is for the bare path as well (an exclusion too).
        for page in ["/support", "/support/", "/support/x", "/support?q=1"] {
            let url = format!("https://clinic.example{page}");
            assert!(url_matches("/support/*", &url), "{page}");
        }
        assert!(!url_matches(
            "/support/*",
            "https://clinic.example/supportx"
        ));
        assert!(!url_matches("/support/*", "https://clinic.example/"));
        // Stars against a long crafted URL: answered (a recursive matcher would take minutes).
        let crafted = format!("https://clinic.example/?{}", "utm_=email".repeat(400));
        assert!(!url_matches("*utm_*=*email*x", &crafted));
        assert!(url_matches("*utm_*=*email*l", &crafted));
        assert!(url_matches("*a*b*", "xaxxbx") && !url_matches("*a*b", "xaxxbx"));
        assert!(url_matches("**", "") && !url_matches("a*", "") && url_matches("*", "anything"));
    }

    #[test]
    fn targeting_decides_from_the_visit_and_the_memory() {
        let now = 1_800_000_000_000.0;
        let visit = Visit {
            url: "https://clinic.example/support/",
            locale: "es-MX",
            device: Device::Mobile,
            now,
            shown_this_session: false,
        };
        let t = Targeting {
            include_urls: vec!["/support/*".into()],
            exclude_urls: vec!["*/support/private*".into()],
            locales: vec!["es".into(), "en".into()],
            devices: vec![Device::Mobile, Device::Tablet],
            sample_percent: 40,
            ..Targeting::default()
        };
        let fresh = Memory::default();
        assert_eq!(t.allows(&visit, &fresh), Ok(()));
        let cases: Vec<(Visit, Memory, Refusal)> = vec![
            (
                Visit {
                    url: "https://clinic.example/billing/",
                    ..visit
                },
                fresh,
                Refusal::Url,
            ),
            (
                Visit {
                    url: "https://clinic.example/support/private/x",
                    ..visit
                },
                fresh,
                Refusal::Url,
            ),
            (
                Visit {
                    locale: "de",
                    ..visit
                },
                fresh,
                Refusal::Locale,
            ),
            (
                Visit {
                    device: Device::Desktop,
                    ..visit
                },
                fresh,
                Refusal::Device,
            ),
            (
                visit,
                Memory {
                    draw: Some(0.5),
                    ..fresh
                },
                Refusal::Sample,
            ),
            (
                visit,
                Memory {
                    answered_at: Some(now - 89.0 * DAY_MS),
                    ..fresh
                },
                Refusal::Answered,
            ),
            (
                visit,
                Memory {
                    dismissed_at: Some(now - 13.0 * DAY_MS),
                    ..fresh
                },
                Refusal::Dismissed,
            ),
            (
                Visit {
                    shown_this_session: true,
                    ..visit
                },
                fresh,
                Refusal::Session,
            ),
        ];
        for (v, m, refusal) in cases {
            assert_eq!(t.allows(&v, &m), Err(refusal), "{v:?} {m:?}");
        }
        // Whom and where are checked first, so a visitor's click, which overrides only the
        // rules against asking too often, never opens a survey on a page it is not for.
        let dismissed = Memory {
            dismissed_at: Some(now - DAY_MS),
            ..fresh
        };
        let billing = Visit {
            url: "https://clinic.example/billing/",
            ..visit
        };
        assert_eq!(t.allows(&billing, &dismissed), Err(Refusal::Url));
        assert!(!Refusal::Url.yields_to_visitor() && Refusal::Dismissed.yields_to_visitor());
        // Long enough ago, they are asked again.
        let old = Memory {
            answered_at: Some(now - 91.0 * DAY_MS),
            dismissed_at: Some(now - 15.0 * DAY_MS),
            draw: Some(0.1),
        };
        assert_eq!(t.allows(&visit, &old), Ok(()));
        // The same draw, held against a larger sample, is in it.
        let larger = Targeting {
            sample_percent: 60,
            ..t.clone()
        };
        let drawn = Memory {
            draw: Some(0.5),
            ..fresh
        };
        assert_eq!(t.allows(&visit, &drawn), Err(Refusal::Sample));
        assert_eq!(larger.allows(&visit, &drawn), Ok(()));
    }

    #[test]
    fn sampling_devices_and_scrolling() {
        let t = Targeting {
            sample_percent: 25,
            ..Targeting::default()
        };
        assert!(t.sampled(0.1) && !t.sampled(0.25) && !t.sampled(0.9));
        assert!(
            !Targeting {
                sample_percent: 0,
                ..t.clone()
            }
            .sampled(0.0)
        );
        assert_eq!(device_class(390, true), Device::Mobile);
        assert_eq!(device_class(800, true), Device::Tablet);
        assert_eq!(device_class(390, false), Device::Desktop);
        assert_eq!(scrolled_percent(500.0, 800.0, 1800.0), 50);
        assert_eq!(scrolled_percent(0.0, 800.0, 600.0), 100);
        let delay = Trigger {
            delay_seconds: 10,
            ..Trigger::default()
        };
        assert_eq!(delay.delay_left_ms(2_500.0), 7_500.0);
        assert_eq!(delay.delay_left_ms(12_000.0), 0.0);
        // The bottom of a page whose scroll offset is fractional (zoom) is 100%.
        assert_eq!(scrolled_percent(1234.67, 800.0, 2035.0), 100);
    }

    /// The declarations of `css` for the light scheme (`:host`) and the dark one.
    fn schemes(css: &str) -> [Vec<(String, String)>; 2] {
        let declarations = |rule: &str| -> Vec<(String, String)> {
            let body = &rule[rule.find('{').map_or(0, |i| i + 1)..];
            let body = &body[..body.find('}').unwrap_or(body.len())];
            (body.split(';').filter_map(|d| d.split_once(':')))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect()
        };
        let light = if css.starts_with(":host{") {
            declarations(css)
        } else {
            Vec::new()
        };
        let dark = css
            .rsplit_once(":host([data-scheme=dark])")
            .map_or(Vec::new(), |d| declarations(d.1));
        [light, dark]
    }

    fn get<'a>(set: &'a [(String, String)], name: &str) -> &'a str {
        &set.iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{name} in {set:?}"))
            .1
    }

    #[test]
    fn a_theme_accent_is_readable_in_both_schemes() {
        let contrast = |a: &str, b: &str| {
            Rgb::parse(a, WHITE)
                .unwrap()
                .contrast(Rgb::parse(b, WHITE).unwrap())
        };
        for accent in [
            "#0b5cad",
            "#006b5f",
            "#00a19a",
            "#ffd400",
            "#1b1f24",
            "#ffffff",
            "#7f7f7f80",
        ] {
            let theme = Theme {
                accent: Some(accent.into()),
                ..Theme::default()
            };
            let css = theme.host_css();
            // The dark scheme's rules are the same, followed or chosen.
            assert_eq!(css.matches("--sayso-accent:").count(), 3, "{css}");
            for (set, surface) in schemes(&css).iter().zip(["#ffffff", "#1b1f24"]) {
                let (accent, text) = (get(set, "--sayso-accent"), get(set, "--sayso-accent-text"));
                assert!(
                    contrast(accent, surface) >= 4.5,
                    "{accent} on {surface}: {css}"
                );
                assert!(contrast(text, accent) >= 4.5, "{text} on {accent}: {css}");
            }
        }
        let teal = Theme {
            accent: Some("#006B5F".into()),
            ..Theme::default()
        };
        let [light, dark] = schemes(&teal.host_css());
        // A readable brand colour is kept as it is; a dark one is lightened in the dark scheme.
        assert_eq!(get(&light, "--sayso-accent"), "#006b5f");
        assert_eq!(get(&light, "--sayso-accent-text"), "#ffffff");
        assert_ne!(get(&dark, "--sayso-accent"), "#006b5f");
        // The owner's text colour, where it is readable; where not, the scheme's own.
        let texts = Theme {
            accent: Some("#006b5f".into()),
            accent_text: Some("#f0f0f0".into()),
            ..Theme::default()
        };
        assert_eq!(
            get(&schemes(&texts.host_css())[0], "--sayso-accent-text"),
            "#f0f0f0"
        );
        let pale = Theme {
            accent_text: Some("#eeeeee".into()),
            ..Theme::default()
        };
        let [light, dark] = schemes(&pale.host_css());
        assert_eq!(get(&light, "--sayso-accent"), "#0b5cad");
        assert_eq!(get(&light, "--sayso-accent-text"), "#eeeeee");
        assert_eq!(get(&dark, "--sayso-accent-text"), "#0b1a2a");
        // A yellow too pale to read on white is darkened, and the text on it follows.
        let yellow = Theme {
            accent: Some("#ffd400".into()),
            accent_text: Some("#222222".into()),
            ..Theme::default()
        };
        assert_eq!(
            get(&schemes(&yellow.host_css())[0], "--sayso-accent-text"),
            "#ffffff"
        );
        // No colour, no colour properties; none at all, no stylesheet.
        let round = Theme {
            radius: Some("4px".into()),
            ..Theme::default()
        };
        assert_eq!(round.host_css(), ":host{--sayso-radius:4px;}");
        assert_eq!(Theme::default().host_css(), "");
    }

    #[test]
    fn what_opens_over_the_page_unasked() {
        let display = |mode| Display {
            mode,
            ..Display::default()
        };
        let trigger = |on| Trigger {
            on,
            ..Trigger::default()
        };
        for (mode, on, interrupts) in [
            (Mode::Modal, TriggerKind::Load, true),
            (Mode::SlideIn, TriggerKind::Delay, true),
            (Mode::Modal, TriggerKind::ExitIntent, true),
            (Mode::SlideIn, TriggerKind::Event, true),
            (Mode::Modal, TriggerKind::Click, false),
            (Mode::Modal, TriggerKind::Manual, false),
            (Mode::Inline, TriggerKind::Load, false),
            (Mode::Launcher, TriggerKind::PageViews, false),
        ] {
            assert_eq!(
                display(mode).interrupts(&trigger(on)),
                interrupts,
                "{mode:?} {on:?}"
            );
        }
    }

    #[test]
    fn theme_values_cannot_reach_the_network() {
        for colour in ["red", "#12345", "url(http://e)", "#fff;x:y"] {
            assert_eq!(Rgb::parse(colour, WHITE), None, "{colour}");
        }
        assert!(
            is_length("8px") && is_length("0.5rem") && !is_length("8") && !is_length("calc(1px)")
        );
        assert!(
            is_font_list("\"Source Sans 3\", Arial, sans-serif")
                && !is_font_list("x; background: url(http://e)")
                && !is_font_list("\"Source Sans 3, Arial")
                && !is_font_list("'a\"b'c\"")
                && is_font_list("'Mary\"s', serif")
        );
    }
}
