/*
 * Sayso loader (sayso.js): the one script tag a site owner pastes.
 *
 * It reads the tag's data-* options (over window.saysoConfig), creates window.Sayso with a
 * call queue, starts loading the widget (sayso-<hash>.js + .wasm, next to this file) and the
 * survey definition in parallel, and starts the widget once the page has been parsed and the
 * browser is idle. It never blocks parsing and is safe to include twice. The widget checks
 * everything; the loader only saves round trips. `cargo xtask dist` fills in the hashed name
 * and minifies it; its brotli size is checked against a 600 byte budget.
 */
(function (w, d) {
  var api = w.Sayso;
  if (api && api.loaded) return;
  var tag = d.currentScript || d.querySelector('script[src*="sayso.js"]');
  var queue = (api && api.q) || [];
  var config = Object.assign({}, w.saysoConfig, tag && tag.dataset);
  api = w.Sayso = { loaded: 1, q: queue };
  "open close setAttributes on".split(" ").forEach(function (method) {
    api[method] = function () {
      queue.push([method, arguments]);
    };
  });
  // A download started early. Its failure is the widget's to report (or the URL is asked
  // again), never an unhandled rejection; a page whose fetch throws just gets no head start.
  function get(url) {
    try {
      var response = fetch(url, { credentials: "omit" });
      response.catch(function () {});
      return response;
    } catch (e) {}
  }
  var base = (tag && tag.src) || d.baseURI;
  var glue = new URL("__SAYSO__.js", base).href;
  var wasmUrl = new URL("__SAYSO__.wasm", base).href;
  // The wasm is compiled (off the main thread) as it arrives, while the page is still busy; if
  // that fails (a server without the application/wasm type), the widget fetches it itself.
  var wasm;
  try {
    (wasm = WebAssembly.compileStreaming(get(wasmUrl))).catch(function () {});
  } catch (e) {}
  // The glue is imported and the wasm instantiated as soon as they arrive (a few milliseconds of
  // work); only starting the widget waits for idle time.
  var widget = import(glue).then(function (widget) {
    return widget
      .default({
        module_or_path: wasm
          ? wasm.catch(function () {
              return fetch(wasmUrl);
            })
          : wasmUrl,
      })
      .then(function () {
        return widget;
      });
  });
  widget.catch(function () {});
  var survey;
  try {
    if (config.survey && config.endpoint && !config.surveyInline)
      survey = get(new URL(config.endpoint.replace(/\/$/, "") + "/surveys/" + config.survey, d.baseURI));
  } catch (e) {}
  function load() {
    widget
      .then(function (widget) {
        widget.start(JSON.stringify(config), survey, api);
      })
      .catch(function (error) {
        console.error("Sayso: could not load the widget (" + error + ")");
      });
  }
  function idle() {
    (w.requestIdleCallback || setTimeout)(load, { timeout: 3000 });
  }
  if (d.readyState == "loading") d.addEventListener("DOMContentLoaded", idle);
  else idle();
})(window, document);
