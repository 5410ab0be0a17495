//! A counter and a fetched text in a shadow root: the floor under the Sayso widget.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

/// Mount the counter into a new shadow root and show the text at `url`.
#[wasm_bindgen]
pub fn start(url: String) {
    let document = web_sys::window().unwrap().document().unwrap();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    let root = host
        .attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
        .unwrap();
    let mount = document.create_element("div").unwrap();
    root.append_child(&mount).unwrap();
    leptos::mount::mount_to(mount.unchecked_into(), move || {
        let count = RwSignal::new(0u32);
        let text = RwSignal::new(String::new());
        leptos::task::spawn_local(async move {
            if let Ok(r) = gloo_net::http::Request::get(&url).send().await {
                text.set(r.text().await.unwrap_or_default());
            }
        });
        view! {
            <button on:click=move |_| count.update(|c| *c += 1)>{move || count.get()}</button>
            <p>{move || text.get()}</p>
        }
    })
    .forget();
}
