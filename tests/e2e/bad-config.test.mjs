// Bad configuration never breaks the host page: exactly one clear console error from Sayso
// naming what is wrong, no uncaught exception, and nothing added to the page. (The browser's
// own "Failed to load resource" lines for a 404 or a dead endpoint are its, not ours.)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { freePort, hostPages, page, stage, watchedPage } from "./harness.mjs";

const pages = {};
let staged, c, host, b, deadEndpoint;
before(async () => {
  staged = await stage(pages);
  ({ c, host, b } = staged);
  deadEndpoint = `http://127.0.0.1:${await freePort()}/v1`;
});
after(() => staged?.close());

const INVALID_INLINE = `<script type="application/json" id="survey">{"id": "x", "version": 1, "title": "T",
  "questions": [{"id": "q", "kind": "nps", "title": "?", "requird": true}]}</script>`;

const cases = [
  { name: "no endpoint", attrs: () => ({ survey: "patient-experience" }), says: /data-endpoint/ },
  { name: "no survey", attrs: () => ({ endpoint: c.endpoint }), says: /data-survey/ },
  { name: "unknown survey", attrs: () => ({ endpoint: c.endpoint, survey: "no-such-survey" }), says: /no survey at .*no-such-survey/, survey: "no-such-survey" },
  { name: "endpoint down", attrs: () => ({ endpoint: deadEndpoint, survey: "patient-experience" }), says: /could not load the survey/, survey: "patient-experience" },
  { name: "missing target", attrs: () => ({ endpoint: c.endpoint, survey: "patient-experience", target: "#nowhere" }), says: /data-target "#nowhere"/, survey: "patient-experience" },
  {
    name: "invalid click selector",
    attrs: () => ({ endpoint: c.endpoint, survey: "patient-experience", trigger: "click", selector: "button[" }),
    says: /data-selector "button\[" is not a valid CSS selector/,
    survey: "patient-experience",
  },
  { name: "malformed locale", attrs: () => ({ endpoint: c.endpoint, survey: "patient-experience", locale: "klingon!" }), says: /data-locale/ },
  {
    name: "invalid inline definition",
    attrs: () => ({ endpoint: c.endpoint, "survey-inline": "#survey" }),
    body: INVALID_INLINE,
    extra: ["script#survey"],
    says: /inline survey .* is invalid: \$\.questions\[0\]\.requird: unknown field/,
  },
];

async function expectOneError(url, says, extra = [], survey) {
  const { tab, log, context } = await watchedPage(b);
  await tab.addInitScript(() => {
    window.errorEvents = [];
    document.addEventListener("sayso:error", (e) => window.errorEvents.push(e.detail));
  });
  try {
    const sayso = tab.waitForEvent("console", { predicate: (m) => m.text().startsWith("Sayso:"), timeout: 20_000 });
    await tab.goto(url);
    await sayso;
    await tab.waitForLoadState("networkidle");
    const ours = log.errors.filter((e) => e.startsWith("Sayso:"));
    assert.equal(ours.length, 1, log.errors.join("\n"));
    assert.match(ours[0], says);
    // The same, as the sayso:error event, naming the survey once the tag or definition has.
    const [event, ...more] = await tab.evaluate(() => window.errorEvents);
    assert.deepEqual(more, []);
    assert.equal(`Sayso: ${event.message}`, ours[0]);
    assert.equal(event.survey, survey);
    const others = log.errors.filter((e) => !e.startsWith("Sayso:") && !/^Failed to load resource|blocked by CORS policy/.test(e));
    assert.deepEqual(others, []);
    assert.deepEqual(log.pageErrors, []);
    const dom = await tab.evaluate(() => ({
      hosts: document.querySelectorAll("sayso-survey").length,
      main: [...document.querySelector("main").children].map((e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")),
      feedback: document.getElementById("feedback").childNodes.length,
      bodyChildren: document.body.children.length,
    }));
    const main = ["h1", "p#para", "button#host-button", "div#feedback", ...extra];
    assert.deepEqual(dom, { hosts: 0, main, feedback: 0, bodyChildren: 2 });
    // The host page still works, and a click brings no second error (the round trip of an
    // evaluate comes after any console message the click caused).
    await tab.click("#host-button");
    await tab.evaluate(() => 0);
    assert.equal(log.errors.filter((e) => e.startsWith("Sayso:")).length, 1, log.errors.join("\n"));
  } finally {
    await context.close();
  }
}

for (const k of cases) {
  test(`bad config (${k.name}): one console error, no page error, host page untouched`, async () => {
    const path = `/${k.name.replace(/ /g, "-")}`;
    pages[path] = page({ loader: `${c.base}/sayso.js`, attrs: k.attrs(), body: k.body || "" });
    await expectOneError(host.url(path), k.says, k.extra, k.survey);
  });
}

test("bad config (origin not allowed): the collector refuses the survey; one console error, no widget", async () => {
  const stranger = await hostPages({ "/": page({ loader: `${c.base}/sayso.js`, attrs: { endpoint: c.endpoint, survey: "patient-experience" } }) });
  try {
    await expectOneError(stranger.url("/"), /could not load the survey/, [], "patient-experience");
  } finally {
    await stranger.close();
  }
});
