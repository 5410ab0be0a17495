//! The widget's place on the host page: one host element with an open shadow root whose only
//! styles are one constructable stylesheet (nothing is added to the page's styles), holding
//! the frame of the chosen display mode:
//!
//! - inline: in the page, where `data-target` says;
//! - launcher: a button in a corner that opens a panel;
//! - slide-in: a panel in a corner;
//! - modal: a `<dialog>` (the browser traps focus, Escape closes it, focus returns after).
//!
//! Floating frames live in the browser's top layer (popover, modal dialog), so a transformed
//! or zoomed page body, or a page's z-index, cannot misplace them, and they shift no content.

use sayso_schema::{Corner, Mode, Theme};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    CssStyleSheet, Element, HtmlDialogElement, HtmlElement, HtmlInputElement, ShadowRootInit,
    ShadowRootMode,
};

use crate::browser::{js_error_text, window};
use crate::dom::{Node, el, toggle_attr};
use crate::i18n::Strings;

/// The widget's CSS (from `style/`, minified at build time).
pub const CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/sayso.min.css"));

/// The host element's tag name.
pub const HOST_TAG: &str = "sayso-survey";

/// Find where an inline widget goes: the element `target` selects, else `<body>`.
pub fn find_parent(target: Option<&str>) -> Result<Element, String> {
    let document = window().document().ok_or("no document")?;
    match target {
        Some(selector) => document
            .query_selector(selector)
            .map_err(|_| format!("data-target \"{selector}\" is not a valid CSS selector"))?
            .ok_or_else(|| format!("data-target \"{selector}\" matches no element on this page")),
        None => document
            .body()
            .map(Element::from)
            .ok_or_else(|| "the page has no <body>".to_owned()),
    }
}

/// What a frame is made of.
pub struct FrameSpec<'a> {
    /// Display mode.
    pub mode: Mode,
    /// Corner of a launcher or panel.
    pub corner: Corner,
    /// Language tag of the survey.
    pub locale: &'a str,
    /// Built-in strings.
    pub strings: &'static Strings,
    /// The survey's title, the accessible name of panels and dialogs.
    pub title: &'a str,
    /// Text of the launcher button.
    pub launcher_label: &'a str,
    /// Colours, radius, font, scheme.
    pub theme: &'a Theme,
}

/// A survey's frame on the page.
pub struct Frame {
    /// The host element (`<sayso-survey>`), where the DOM events are dispatched.
    pub host: HtmlElement,
    /// Where the survey component is mounted.
    pub root: HtmlElement,
    /// The element shown and hidden: the inline frame, the panel, or the dialog.
    panel: HtmlElement,
    close: HtmlElement,
    launcher: Option<HtmlElement>,
    mode: Mode,
    /// What had the focus when the survey took it (or, in a slide-in, when the visitor moved
    /// it in), to give it back on closing.
    return_to: std::rc::Rc<std::cell::RefCell<Option<HtmlElement>>>,
}

impl Frame {
    /// Create the frame of `spec` in `parent` (closed).
    pub fn create(parent: &Element, spec: &FrameSpec) -> Result<Frame, String> {
        build(parent, spec).map_err(|e| {
            format!(
                "could not create the widget's element ({})",
                js_error_text(&e)
            )
        })
    }

    /// Show the launcher (launcher mode) or open the survey (other modes). `by_visitor`: the
    /// visitor asked for it, so the focus moves to it; a survey that appears on its own does not
    /// take the focus, except a modal dialog, which must.
    pub fn present(&self, by_visitor: bool) {
        match &self.launcher {
            Some(launcher) if !by_visitor => {
                let _ = launcher.show_popover();
            }
            _ => self.open(by_visitor),
        }
    }

    fn open(&self, focus: bool) {
        let before = self.focused_outside();
        // Opened again while the visitor is in it (a page's `Sayso.open()` as they type): the
        // focus stays where it is, and so does where it goes back to.
        let stay = before.is_none() && self.is_open();
        match self.mode {
            Mode::Inline => toggle_attr(&self.panel, "hidden", false),
            Mode::Modal => {
                let _ = self.panel.unchecked_ref::<HtmlDialogElement>().show_modal();
            }
            Mode::Launcher | Mode::SlideIn => {
                // Opened by the page (`Sayso.open()`, a click trigger), the launcher shows
                // too: it is the way back in, and where the focus returns on closing.
                if let Some(launcher) = &self.launcher {
                    let _ = launcher.show_popover();
                }
                let _ = self.panel.show_popover();
            }
        }
        if (focus || self.mode == Mode::Modal) && !stay {
            *self.return_to.borrow_mut() = before;
            let _ = self.panel.focus();
        }
    }

    /// The page's focused element, when the focus is not in the survey.
    fn focused_outside(&self) -> Option<HtmlElement> {
        window()
            .document()?
            .active_element()?
            .dyn_into::<HtmlElement>()
            .ok()
            .filter(|e| e != &self.host)
    }

    /// Whether the launcher is there.
    pub fn has_launcher(&self) -> bool {
        self.launcher.is_some()
    }

    /// Whether the survey is showing.
    pub fn is_open(&self) -> bool {
        match self.mode {
            Mode::Inline => !self.panel.has_attribute("hidden"),
            Mode::Modal => self.panel.unchecked_ref::<HtmlDialogElement>().open(),
            Mode::Launcher | Mode::SlideIn => self.panel.matches(":popover-open").unwrap_or(false),
        }
    }

    /// Hide the survey (the launcher stays). If the focus was in it, it goes back to the
    /// launcher, or else to what had it before the survey took it; focus elsewhere on the page
    /// stays where it is.
    pub fn close(&self) {
        let had_focus = window()
            .document()
            .and_then(|d| d.active_element())
            .is_some_and(|e| e == *self.host);
        match self.mode {
            Mode::Inline => toggle_attr(&self.panel, "hidden", true),
            Mode::Modal => self.panel.unchecked_ref::<HtmlDialogElement>().close(),
            Mode::Launcher | Mode::SlideIn => {
                let _ = self.panel.hide_popover();
            }
        }
        let back = self.return_to.borrow_mut().take();
        if had_focus {
            match (&self.launcher, back) {
                (Some(launcher), _) => {
                    let _ = launcher.focus();
                }
                (None, Some(element)) => {
                    let _ = element.focus();
                }
                (None, None) => {}
            }
        }
    }

    /// Remove everything: the launcher too (an SPA moved to a page the survey is not for).
    pub fn hide_all(&self) {
        self.close();
        if let Some(launcher) = &self.launcher {
            let _ = launcher.hide_popover();
        }
    }

    /// Call `closed` when the visitor closes the survey: the close button, or Escape in a
    /// dialog or a panel over the page (not in an inline survey, which is part of the page).
    pub fn on_close(&self, closed: impl Fn() + 'static) {
        let closed = std::rc::Rc::new(closed);
        let (by_button, by_escape) = (closed.clone(), closed);
        Node(self.close.clone().into()).on("click", move |_| by_button());
        let modal = self.mode == Mode::Modal;
        if self.mode == Mode::Inline {
            return;
        }
        Node(self.panel.clone().into()).on(if modal { "cancel" } else { "keydown" }, move |ev| {
            let escape = modal
                || ev
                    .dyn_ref::<web_sys::KeyboardEvent>()
                    .is_some_and(|k| k.key() == "Escape");
            if escape {
                // Ours: the page's own Escape handlers (its menus, its dialogs) do not see it.
                ev.prevent_default();
                ev.stop_propagation();
                by_escape();
            }
        });
    }

    /// Keep Tab and Shift+Tab inside a modal dialog: past the last tab stop, back to the first,
    /// and before the first, on to the last (the browser alone would let the focus leave for
    /// its own toolbar). The focus may be on something that is no tab stop (the dialog, the
    /// thank-you heading) or on a radio button of a group that is one stop: what counts is
    /// whether any stop lies ahead of it in the direction of travel.
    fn trap_focus(&self) {
        let dialog = self.panel.clone();
        Node(self.panel.clone().into()).on("keydown", move |ev| {
            let Some(key) = ev
                .dyn_ref::<web_sys::KeyboardEvent>()
                .filter(|k| k.key() == "Tab")
            else {
                return;
            };
            let (Some(target), Ok(list)) = (
                ev.target().and_then(|t| t.dyn_into::<Element>().ok()),
                dialog.query_selector_all("input, textarea, button, a[href]"),
            ) else {
                return;
            };
            let elements: Vec<HtmlElement> = (0..list.length())
                .filter_map(|i| list.item(i)?.dyn_into::<HtmlElement>().ok())
                .filter(|e| e.get_client_rects().length() > 0 && e.tab_index() >= 0)
                .collect();
            let radio_group = |e: &HtmlElement| {
                e.dyn_ref::<HtmlInputElement>()
                    .filter(|i| i.type_() == "radio")
                    .map(|i| i.name())
            };
            let target_group = target.dyn_ref::<HtmlElement>().and_then(radio_group);
            // A radio button is a stop when it is checked or none of its group is; the
            // target's own group does not count (Tab leaves it whichever button has focus).
            let stops: Vec<&HtmlElement> = elements
                .iter()
                .filter(|e| match radio_group(e) {
                    None => true,
                    Some(name) if Some(&name) == target_group.as_ref() => false,
                    Some(name) => {
                        e.unchecked_ref::<HtmlInputElement>().checked()
                            || !elements.iter().any(|o| {
                                radio_group(o).as_ref() == Some(&name)
                                    && o.unchecked_ref::<HtmlInputElement>().checked()
                            })
                    }
                })
                .collect();
            let (Some(first), Some(last)) = (stops.first(), stops.last()) else {
                return;
            };
            let backwards = key.shift_key();
            // Whether `a` comes before `b` in the document.
            let before = |a: &Element, b: &Element| {
                b.compare_document_position(a) & web_sys::Node::DOCUMENT_POSITION_PRECEDING != 0
            };
            let ahead = if backwards {
                stops.iter().any(|s| before(s, &target))
            } else {
                stops.iter().any(|s| before(&target, s))
            };
            if !ahead {
                ev.prevent_default();
                let _ = if backwards { last } else { first }.focus();
            }
        });
    }

    /// Call `opened` when the visitor clicks the launcher.
    pub fn on_launcher(&self, opened: impl Fn() + 'static) {
        if let Some(launcher) = &self.launcher {
            Node(launcher.clone().into()).on("click", move |_| opened());
        }
    }
}

fn sheet(css: &str) -> Result<JsValue, JsValue> {
    let sheet = CssStyleSheet::new()?;
    sheet.replace_sync(css)?;
    Ok(sheet.into())
}

fn build(parent: &Element, spec: &FrameSpec) -> Result<Frame, JsValue> {
    let document = window().document().ok_or("no document")?;
    let host: HtmlElement = document.create_element(HOST_TAG)?.unchecked_into();
    host.set_attribute("lang", spec.locale)?;
    host.set_attribute("dir", if spec.strings.rtl { "rtl" } else { "ltr" })?;
    if spec.theme.scheme_name() != "auto" {
        host.set_attribute("data-scheme", spec.theme.scheme_name())?;
    }
    if spec.mode != Mode::Inline {
        // Out of the page's flow (the frames themselves are in the top layer): a page laid out
        // as a flex or grid column gets no extra item, and no gap, from us.
        host.set_attribute("data-float", "")?;
    }
    let shadow = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?;
    // Constructed stylesheets, not style attributes: allowed under a strict style-src. The
    // definition's theme is a `:host` rule, so the page's own rules for the element still win.
    let sheets = js_sys::Array::of1(&sheet(CSS)?);
    let theme = spec.theme.host_css();
    if !theme.is_empty() {
        sheets.push(&sheet(&theme)?);
    }
    shadow.set_adopted_style_sheets(&sheets);

    let corner =
        sayso_schema::presentation::name_of(sayso_schema::presentation::corners(), spec.corner);
    let root = el("div", "sayso-mount");
    let close = el("button", "sayso-close")
        .attr("type", "button")
        .attr("aria-label", spec.strings.close)
        .text("×");
    let (root_element, close_element) = (root.0.clone(), close.0.clone());
    let frame = |tag: &str, modifier: &str| {
        el(tag, &format!("sayso-frame sayso-frame--{modifier}")).attr("tabindex", "-1")
    };
    // Only the panels sit in a corner; the modal is centred and the inline frame is in place.
    let panel = |role: &str| {
        frame("div", "panel")
            .attr("data-corner", corner)
            .attr("popover", "manual")
            .attr("role", role)
            .attr("aria-label", spec.title)
    };
    let panel = match spec.mode {
        Mode::Inline => frame("div", "inline").attr("hidden", ""),
        Mode::Modal => frame("dialog", "modal").attr("aria-label", spec.title),
        Mode::Launcher => panel("dialog"),
        Mode::SlideIn => panel("region"),
    }
    .child(root)
    .child(close);
    let launcher = (spec.mode == Mode::Launcher).then(|| {
        el("button", "sayso-launcher")
            .attr("type", "button")
            .attr("popover", "manual")
            .attr("data-corner", corner)
            .attr("aria-haspopup", "dialog")
            .text(spec.launcher_label)
    });
    let launcher_element: Option<HtmlElement> =
        launcher.as_ref().map(|l| l.0.clone().unchecked_into());
    let panel_element: HtmlElement = panel.0.clone().unchecked_into();
    let wrapper = el("div", "sayso").maybe_child(launcher).child(panel);
    shadow.append_child(&wrapper.0)?;
    parent.append_child(&host)?;
    let frame = Frame {
        host,
        root: root_element.unchecked_into(),
        panel: panel_element,
        close: close_element.unchecked_into(),
        launcher: launcher_element,
        mode: spec.mode,
        return_to: Default::default(),
    };
    if spec.mode == Mode::Modal {
        frame.trap_focus();
    }
    if spec.mode == Mode::SlideIn {
        // A slide-in that opened by itself has not taken the focus: the visitor may tab into
        // it, and close it with Escape; the focus then goes back to where it came from.
        let (panel, host, return_to) = (
            frame.panel.clone(),
            frame.host.clone(),
            frame.return_to.clone(),
        );
        Node(frame.panel.clone().into()).on("focusin", move |ev| {
            let from = ev
                .dyn_ref::<web_sys::FocusEvent>()
                .and_then(|f| f.related_target())
                .and_then(|t| t.dyn_into::<HtmlElement>().ok())
                .filter(|e| e != &host && !panel.contains(Some(e)));
            if from.is_some() {
                *return_to.borrow_mut() = from;
            }
        });
    }
    Ok(frame)
}
