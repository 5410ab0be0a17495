/*
 * The widget's last line of defence, appended to the wasm-bindgen glue by `cargo xtask dist`
 * (xtask/src/guard.rs), which sends every call from the page into the widget through
 * `guarded`: the entry point, and each Rust closure the page calls (event listeners, timers,
 * promise callbacks, `window.Sayso`).
 *
 * Rust code reports what can go wrong itself and never throws. What is left: a panic (a trap:
 * release builds carry no unwinding) or an exception the host page throws from a built-in it
 * replaced, which unwinds through Rust frames without running their destructors. Either way
 * the widget's state can no longer be trusted, and without this every later event would fail
 * again as an uncaught error of the host page. So the first one stops the widget for good: one
 * console error, a `sayso:error` event, the widget's elements removed, and no further call into
 * it. What the outbox holds stays in localStorage and is sent on the next page load.
 */
let stopped = false;

function guarded(f, args) {
  if (stopped) return;
  try {
    return f(...args);
  } catch (error) {
    stop(error);
  }
}

function stop(error) {
  if (stopped) return;
  stopped = true;
  // Nothing here may throw in turn, whatever the page did to the built-ins.
  try {
    const message = "Sayso: the widget stopped after an unexpected error (" + error + ")";
    console.error(message);
    const hosts = document.querySelectorAll("sayso-survey");
    const init = { bubbles: true, composed: true, detail: { message: message } };
    for (let i = 0; i < hosts.length; i++) {
      hosts[i].dispatchEvent(new CustomEvent("sayso:error", init));
      hosts[i].remove();
    }
    if (!hosts.length) document.dispatchEvent(new CustomEvent("sayso:error", init));
  } catch (e) {}
}
