// Host pages we do not control: a strict Content Security Policy, Trusted Types, pages that
// replace, extend or freeze built-ins, a page already running wasm-bindgen code, a tag added
// late by a tag manager, a transformed and zoomed body. The widget works, or stays out of the
// way with one console message; never an uncaught error. And privacy: no cookie, no request
// to anyone but the endpoint.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { outcome, page, stage, watchedPage, widgetReady } from "./harness.mjs";

const SURVEY = {
  id: "fb",
  version: 1,
  title: "Quick feedback",
  questions: [{ id: "nps", kind: "nps", title: "How likely are you to recommend us?", required: true }],
  targeting: { once_per_session: false },
};
const pages = {};
let staged, c, host, b;
before(async () => {
  staged = await stage(pages, { fb: SURVEY });
  ({ c, host, b } = staged);
});
after(() => staged?.close());

const tag = (attrs = {}) => ({ loader: `${c.base}/sayso.js`, attrs: { endpoint: c.endpoint, survey: "fb", target: "#feedback", ...attrs } });

/** Answer and send; the response is stored once. */
async function answerAndSend(tab) {
  await widgetReady(tab);
  await tab.locator("sayso-survey input[aria-label='7 out of 10']").click();
  await tab.locator("sayso-survey button[type=submit]").click();
  assert.equal(await outcome(tab), "Thank you!");
}

test("a strict CSP, with Trusted Types enforced: works, and no violation is reported", async () => {
  const csp = [
    "default-src 'none'",
    `script-src ${c.base} 'wasm-unsafe-eval'`,
    "style-src 'self'",
    `connect-src ${c.base}`,
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
  ].join("; ");
  pages["/csp"] = { html: page(tag()), headers: { "content-security-policy": csp } };
  const { tab, log } = await watchedPage(b);
  await tab.addInitScript(() => {
    window.violations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.violations.push(`${e.violatedDirective}: ${e.blockedURI}`));
  });
  const before = (await c.stored("fb")).length;
  await tab.goto(host.url("/csp"));
  await answerAndSend(tab);
  assert.deepEqual(await tab.evaluate(() => window.violations), []);
  assert.equal((await c.stored("fb")).length, before + 1);
  assert.deepEqual(log.pageErrors, []);
  assert.deepEqual(log.errors.filter((e) => !/favicon/.test(e)), []);
});

const HOSTILE_SCRIPTS = {
  "fetch wrapped by an analytics script": `<script>const f = window.fetch; window.fetch = function () { window.wrapped = (window.wrapped || 0) + 1; return f.apply(this, arguments); };</script>`,
  "built-ins extended": `<script>Array.prototype.last = function () { return this[this.length - 1]; };
    Object.prototype.injected = "x"; String.prototype.shout = function () { return this.toUpperCase(); };</script>`,
  "built-ins frozen": `<script>[Object, Array, Function, Promise, JSON].forEach(function (c) { Object.freeze(c.prototype || c); }); Object.freeze(Object); Object.freeze(JSON);</script>`,
  "an AMD loader present": `<script>window.define = function () { throw new Error("anonymous define"); }; window.define.amd = { jQuery: true };
    window.require = function () { throw new Error("require"); };</script>`,
  "a page already running wasm-bindgen code": `<script>window.wasm_bindgen = function () { throw new Error("not ours"); }; window.__wbindgen_placeholder__ = {};</script>`,
  // As in Safari 15 and Chrome 102: requests go without a timeout rather than throw.
  "no AbortSignal.timeout (an older browser)": `<script>delete AbortSignal.timeout;</script>`,
};

for (const [name, script] of Object.entries(HOSTILE_SCRIPTS)) {
  test(`hostile page (${name}): the widget works, no uncaught error`, async () => {
    const path = `/hostile-${name.replace(/\W+/g, "-")}`;
    pages[path] = page({ ...tag(), head: script });
    const { tab, log } = await watchedPage(b);
    const before = (await c.stored("fb")).length;
    await tab.goto(host.url(path));
    await answerAndSend(tab);
    assert.equal((await c.stored("fb")).length, before + 1);
    assert.deepEqual(log.pageErrors, []);
  });
}

test("hostile page (fetch replaced by a broken one): one console message, no uncaught error, the page untouched", async () => {
  pages["/broken-fetch"] = page({ ...tag(), head: `<script>window.fetch = function () { throw new TypeError("fetch is disabled here"); };</script>` });
  const { tab, log } = await watchedPage(b);
  const message = tab.waitForEvent("console", { predicate: (m) => m.text().startsWith("Sayso:"), timeout: 20_000 });
  await tab.goto(host.url("/broken-fetch"));
  await message;
  await tab.waitForLoadState("networkidle");
  assert.equal(log.errors.filter((e) => e.startsWith("Sayso:")).length, 1, log.errors.join("\n"));
  assert.deepEqual(log.pageErrors, []);
  assert.equal(await tab.locator("sayso-survey").count(), 0);
});

// Built-ins the page broke, that the widget calls without expecting them to throw: at start
// (rendering) or in a handler (submitting). The exception unwinds through the widget, which
// stops for good: one console error, a sayso:error event, its elements gone, no uncaught error
// now or on later calls, and the host page neither navigated nor otherwise touched.
const BROKEN_BUILT_INS = {
  "a handler (preventDefault throws)": {
    script: `<script>Event.prototype.preventDefault = function () { throw new Error("preventDefault is broken"); };</script>`,
    async act(tab) {
      await widgetReady(tab);
      await tab.locator("sayso-survey input[aria-label='7 out of 10']").click();
      await tab.locator("sayso-survey button[type=submit]").click();
    },
  },
  "rendering (the textContent setter throws)": {
    script: `<script>Object.defineProperty(Node.prototype, "textContent", { get() { return ""; }, set() { throw new Error("textContent is broken"); } });</script>`,
    async act() {},
  },
};

for (const [where, { script, act }] of Object.entries(BROKEN_BUILT_INS)) {
  test(`an exception from a built-in the page broke, in ${where}: the widget stops cleanly`, async () => {
    const path = `/broken-${where.replace(/\W+/g, "-")}`;
    const marker = `<script>window.marker = "host page"; window.saysoErrors = [];
      document.addEventListener("sayso:error", (e) => window.saysoErrors.push(e.detail.message));</script>`;
    pages[path] = page({ ...tag(), head: marker + script });
    const { tab, log } = await watchedPage(b);
    const stopped = tab.waitForEvent("console", { predicate: (m) => m.text().startsWith("Sayso: the widget stopped"), timeout: 20_000 });
    await tab.goto(host.url(path));
    await act(tab);
    const message = (await stopped).text();
    assert.match(message, /is broken/);
    assert.deepEqual(await tab.evaluate(() => window.saysoErrors), [message]);
    assert.equal(await tab.locator("sayso-survey").count(), 0);
    // Later calls into the widget do nothing, and throw nothing.
    await tab.evaluate(() => {
      window.Sayso.open();
      window.Sayso.setAttributes({ plan: "gold" });
      window.dispatchEvent(new Event("pagehide"));
    });
    assert.equal(await tab.evaluate(() => window.marker), "host page", "the page did not navigate");
    assert.equal(new URL(tab.url()).pathname, path);
    assert.deepEqual(log.pageErrors, []);
    assert.deepEqual(log.errors.filter((e) => e.startsWith("Sayso:")), [message]);
  });
}

test("a page that already uses the same widget code (a second wasm-bindgen instance) keeps working", async () => {
  // Another copy of the glue module, initialised by the page itself before our tag runs.
  const manifest = await (await fetch(`${c.base}/manifest.json`)).json();
  const other = `<script type="module">const m = await import("${c.base}/${manifest.glue}?another-copy");
    await m.default({ module_or_path: "${c.base}/${manifest.wasm}" }); window.otherReady = true;</script>`;
  pages["/second-instance"] = page({ ...tag(), head: other });
  const { tab, log } = await watchedPage(b);
  await tab.goto(host.url("/second-instance"));
  await tab.waitForFunction(() => window.otherReady === true);
  await answerAndSend(tab);
  assert.deepEqual(log.pageErrors, []);
});

test("the tag inserted late by a tag manager", async () => {
  const manager = `<script>window.addEventListener("load", function () { setTimeout(function () {
      var s = document.createElement("script"); s.async = true; s.src = "${c.base}/sayso.js";
      s.dataset.endpoint = "${c.endpoint}"; s.dataset.survey = "fb"; s.dataset.target = "#feedback";
      document.body.appendChild(s); }, 200); });</script>`;
  pages["/late"] = page({ ...tag(), tag: false, body: manager });
  const { tab, log } = await watchedPage(b);
  await tab.goto(host.url("/late"));
  await answerAndSend(tab);
  assert.deepEqual(log.pageErrors, []);
});

test("a transformed, zoomed body: the launcher still sits in the viewport's corner and works", async () => {
  pages["/transformed"] = page({ ...tag({ mode: "launcher" }), head: "<style>body { transform: scale(0.7) rotate(2deg); zoom: 1.3; }</style>" });
  const { tab, log } = await watchedPage(b, { viewport: { width: 1000, height: 700 } });
  await tab.goto(host.url("/transformed"));
  const launcher = tab.locator("sayso-survey .sayso-launcher");
  await launcher.waitFor({ state: "visible" });
  const box = await launcher.boundingBox();
  assert.ok(box.x + box.width > 1000 - 40 && box.y + box.height > 700 - 40, JSON.stringify(box));
  await launcher.click();
  await answerAndSend(tab);
  assert.deepEqual(log.pageErrors, []);
});

test("privacy: no cookie, and no request to any origin but the page's and the endpoint's", async () => {
  pages["/privacy"] = page(tag());
  const { tab, context } = await watchedPage(b);
  const origins = new Set();
  tab.on("request", (r) => origins.add(new URL(r.url()).origin));
  await tab.goto(host.url("/privacy"));
  await answerAndSend(tab);
  await tab.waitForLoadState("networkidle");
  assert.deepEqual([...origins].sort(), [host.origin, c.base].sort());
  assert.deepEqual(await context.cookies(), []);
  assert.equal(await tab.evaluate(() => document.cookie), "");
  // What the response carries about the visitor: nothing that identifies them.
  const [row] = (await c.stored("fb")).slice(-1);
  assert.deepEqual(Object.keys(row.context).sort(), ["attributes", "locale", "referrer", "started_at", "submitted_at", "url"]);
  assert.equal(JSON.stringify(row).includes("Mozilla"), false, "no user agent");
});
