//! A small DOM builder, with Leptos effects for the parts that change.
//!
//! Why not `view!` for the questions: tachys compiles each distinct element shape (tag,
//! attributes, reactive parts) into its own code, measured at about 2.5 KB of wasm per shape;
//! the controls of the eleven question kinds needed some twenty shapes, a third of the widget's
//! size budget. Built with these few functions they cost a few KB; so is the survey's frame
//! inside the `SurveyWidget` component (see `ui.rs`). Every change still flows through Leptos
//! signals: `bind` re-runs its closure, as an effect, whenever a signal it reads changes.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Element, Event};

use crate::browser::window;

/// An element under construction.
pub struct Node(pub Element);

/// A new `<tag class="class">`.
pub fn el(tag: &str, class: &str) -> Node {
    let element = window()
        .document()
        .expect("a document")
        .create_element(tag)
        .expect("a valid tag name");
    if !class.is_empty() {
        element.set_class_name(class);
    }
    Node(element)
}

impl Node {
    /// Set an attribute.
    pub fn attr(self, name: &str, value: &str) -> Self {
        let _ = self.0.set_attribute(name, value);
        self
    }

    /// Set an attribute when there is a value.
    pub fn maybe_attr(self, name: &str, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.attr(name, v),
            None => self,
        }
    }

    /// Append text.
    pub fn text(self, text: &str) -> Self {
        let _ = self.0.append_with_str_1(text);
        self
    }

    /// Append a child.
    pub fn child(self, child: Node) -> Self {
        let _ = self.0.append_child(&child.0);
        self
    }

    /// Append a child when there is one.
    pub fn maybe_child(self, child: Option<Node>) -> Self {
        match child {
            Some(c) => self.child(c),
            None => self,
        }
    }

    /// Append children.
    pub fn children(self, children: impl IntoIterator<Item = Node>) -> Self {
        children.into_iter().fold(self, Node::child)
    }

    /// Listen to `event`. The listener lives as long as the page, like the widget.
    pub fn on(self, event: &str, handler: impl FnMut(Event) + 'static) -> Self {
        let closure = Closure::<dyn FnMut(Event)>::new(handler);
        let _ = self.0.add_event_listener_with_callback_and_bool(
            event,
            closure.as_ref().unchecked_ref(),
            false,
        );
        closure.forget();
        self
    }

    /// Keep the element up to date: `update` runs now and again whenever a signal it read
    /// changes.
    pub fn bind(self, update: impl Fn(&Element) + 'static) -> Self {
        watch(self.0.clone(), Box::new(update));
        self
    }
}

/// Run `update` on `element` now and whenever a signal it read changes. One effect type for
/// every caller: each distinct closure given to `Effect::new` costs about 1.5 KB of wasm.
#[inline(never)]
pub fn watch(element: Element, update: Box<dyn Fn(&Element)>) {
    Effect::new(move |_| update(&element));
}

/// Set or remove a boolean attribute (`hidden`).
pub fn toggle_attr(element: &Element, name: &str, on: bool) {
    let _ = if on {
        element.set_attribute(name, "")
    } else {
        element.remove_attribute(name)
    };
}
