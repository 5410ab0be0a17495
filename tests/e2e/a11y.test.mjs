// WCAG 2.2 AA, tested rather than claimed: axe-core in real Chromium on every question kind,
// in every state (questions, errors, thank you), light and dark; target sizes; reflow at
// 320 px and at 200% zoom; reduced motion; forced colours (Windows high contrast).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, TOKEN, axe, outcome, page, stage, watchedPage, widgetReady } from "./harness.mjs";

const EVERY_KIND = readFileSync(join(ROOT, "schema/tests/fixtures/every-kind.json"), "utf8");
const pages = {};
let staged, c, host, b;

before(async () => {
  staged = await stage(pages, { "every-kind": join(ROOT, "schema/tests/fixtures/every-kind.json") });
  ({ c, host, b } = staged);
  pages["/every-kind"] = page({
    loader: `${c.base}/sayso.js`,
    attrs: { endpoint: c.endpoint, "survey-inline": "#survey", target: "#feedback" },
    body: `<script type="application/json" id="survey">${EVERY_KIND}</script>`,
  });
  const stars = { id: "stars", version: 1, title: "Stars", questions: [{ id: "csat", kind: "csat", title: "Satisfied?", style: "stars" }] };
  for (const mode of ["launcher", "modal", "slide_in"]) {
    pages[`/every-kind-${mode}`] = page({
      loader: `${c.base}/sayso.js`,
      attrs: { endpoint: c.endpoint, "survey-inline": "#survey", mode, trigger: mode === "launcher" ? "load" : "manual" },
      body: `<script type="application/json" id="survey">${EVERY_KIND}</script>`,
    });
  }
  // Likert points labelled with a digit each: the narrowest options there are.
  const digits = { id: "digits", version: 1, title: "Digits", questions: [{ id: "agree", kind: "likert", title: "Do you agree?", points: 5,
    point_labels: ["1", "2", "3", "4", "5"], rows: [{ id: "clear", label: "Answers were clear" }] }] };
  pages["/digits"] = page({
    loader: `${c.base}/sayso.js`,
    attrs: { endpoint: c.endpoint, "survey-inline": "#survey", target: "#feedback" },
    body: `<script type="application/json" id="survey">${JSON.stringify(digits)}</script>`,
  });
  pages["/stars"] = page({
    loader: `${c.base}/sayso.js`,
    attrs: { endpoint: c.endpoint, "survey-inline": "#survey", target: "#feedback" },
    body: `<script type="application/json" id="survey">${JSON.stringify(stars)}</script>`,
  });
});
after(() => staged?.close());

for (const mode of ["launcher", "modal", "slide_in"]) {
  test(`${mode} on a 320 px phone: axe 0 violations, 44 px targets, nothing wider than the screen, Escape gives the focus back`, async () => {
    const { tab, log, context } = await watchedPage(b, { viewport: { width: 320, height: 640 } });
    await tab.goto(host.url(`/every-kind-${mode}`));
    await tab.waitForFunction(() => window.Sayso && typeof window.Sayso.open === "function" && !window.Sayso.q.length);
    let opener;
    if (mode === "launcher") {
      opener = tab.locator("sayso-survey .sayso-launcher");
      await opener.waitFor({ state: "visible" });
    } else {
      await tab.evaluate(() => document.getElementById("host-button").addEventListener("click", () => window.Sayso.open()));
      opener = tab.locator("#host-button");
    }
    await opener.focus();
    await tab.keyboard.press("Enter");
    const frame = tab.locator(`sayso-survey .sayso-frame--${mode === "modal" ? "modal" : "panel"}`);
    await frame.locator("input").first().waitFor({ state: "visible" });
    assert.deepEqual(await axe(tab, `${mode}, 320 px`), []);
    const look = await tab.evaluate(() => {
      const root = document.querySelector("sayso-survey").shadowRoot;
      const frame = root.querySelector(".sayso-frame--modal, .sayso-frame--panel");
      const r = frame.getBoundingClientRect();
      const controls = [...root.querySelectorAll(".sayso-launcher, .sayso-close, button[type=submit], .sayso-option")].filter((e) => e.getClientRects().length);
      return {
        inside: r.left >= 0 && r.right <= innerWidth,
        page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        small: controls.map((e) => e.getBoundingClientRect()).filter((b) => b.width < 44 || b.height < 44).length,
      };
    });
    assert.deepEqual(look, { inside: true, page: 0, small: 0 });
    await tab.keyboard.press("Escape");
    await frame.waitFor({ state: "hidden" });
    const focused = await tab.evaluate(() => {
      const a = document.activeElement;
      return a.id || a.shadowRoot?.activeElement?.className;
    });
    assert.equal(focused, mode === "launcher" ? "sayso-launcher" : "host-button");
    assert.deepEqual(log.pageErrors, []);
    await context.close();
  });
}

test("the live region says a repeated error again", async () => {
  const { tab, log, context } = await open();
  const live = () => tab.evaluate(() => document.querySelector("sayso-survey").shadowRoot.querySelector("[aria-live]").textContent);
  await tab.locator("sayso-survey button[type=submit]").click();
  await tab.locator("sayso-survey #sayso-nps-issue").waitFor({ state: "visible" });
  const first = await live();
  assert.equal(first.trim(), "Please answer this question.");
  await tab.locator("sayso-survey button[type=submit]").click();
  // The same words again would be no change, so nothing would be spoken.
  await tab.waitForFunction((first) => document.querySelector("sayso-survey").shadowRoot.querySelector("[aria-live]").textContent !== first, first);
  assert.equal((await live()).trim(), "Please answer this question.");
  assert.deepEqual(log.pageErrors, []);
  await context.close();
});

async function open(options = {}, path = "/every-kind") {
  const { tab, log, context } = await watchedPage(b, options);
  await tab.goto(host.url(path));
  await widgetReady(tab);
  return { tab, log, context };
}

for (const colorScheme of ["light", "dark"]) {
  test(`axe: every question kind, every state, ${colorScheme}: 0 violations`, async () => {
    const { tab, log, context } = await open({ colorScheme });
    assert.deepEqual(await axe(tab, `${colorScheme}, questions`), []);
    // Consent given, so the contact question shows too.
    await tab.locator("sayso-survey #sayso-may_contact-q input").check();
    await tab.locator("sayso-survey #sayso-contact-q input[type=radio]").first().check();
    assert.deepEqual(await axe(tab, `${colorScheme}, questions with contact`), []);
    // Errors: send with the required question unanswered.
    await tab.locator("sayso-survey button[type=submit]").click();
    await tab.locator("sayso-survey #sayso-nps-issue").waitFor({ state: "visible" });
    assert.deepEqual(await axe(tab, `${colorScheme}, errors`), []);
    // Thank you (consent given and a channel picked, nothing typed: no answer, not an error).
    await tab.locator("sayso-survey input[aria-label='7 out of 10']").click();
    await tab.locator("sayso-survey button[type=submit]").click();
    assert.equal(await outcome(tab), "Thank you!");
    assert.deepEqual(await axe(tab, `${colorScheme}, thank you`), []);
    assert.deepEqual(log.pageErrors, []);
    await context.close();
  });
}

/** The controls in the widget smaller than 44 x 44 CSS pixels (a control in its label: the label). */
const smallTargets = (tab) => tab.evaluate(() => {
  const root = document.querySelector("sayso-survey").shadowRoot;
  const controls = [...root.querySelectorAll("input, textarea, button, a")].filter((e) => e.offsetParent !== null || e.closest("label")?.offsetParent);
  return controls
    .map((e) => {
      // A control inside its label is hit anywhere on the label.
      const target = e.closest("label") || e;
      const r = target.getBoundingClientRect();
      return { what: e.outerHTML.slice(0, 80), w: Math.round(r.width), h: Math.round(r.height) };
    })
    .filter((t) => t.w < 44 || t.h < 44);
});

test("every control offers a target of at least 44 x 44 CSS pixels, likert points labelled with one digit too", async () => {
  const { tab, context } = await open();
  await tab.locator("sayso-survey #sayso-may_contact-q input").check();
  assert.deepEqual(await smallTargets(tab), []);
  await tab.goto(host.url("/digits"));
  await widgetReady(tab);
  assert.deepEqual(await smallTargets(tab), []);
  await context.close();
});

for (const [label, width, zoom] of [["320 px wide", 320, 1], ["200% zoom", 640, 2]]) {
  test(`no horizontal scrolling at ${label}`, async () => {
    const { tab, context } = await open({ viewport: { width, height: 800 } });
    if (zoom !== 1) await tab.evaluate((z) => (document.documentElement.style.zoom = String(z)), zoom);
    const overflow = await tab.evaluate(() => {
      const root = document.querySelector("sayso-survey").shadowRoot;
      const wide = [...root.querySelectorAll("*")].filter((e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== "hidden");
      return {
        page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        widgetRight: Math.round(document.querySelector("sayso-survey").getBoundingClientRect().right),
        viewport: window.innerWidth,
        wide: wide.map((e) => e.className || e.tagName),
      };
    });
    assert.equal(overflow.page, 0, JSON.stringify(overflow));
    assert.ok(overflow.widgetRight <= overflow.viewport, JSON.stringify(overflow));
    assert.deepEqual(overflow.wide, []);
    await context.close();
  });
}

test("prefers-reduced-motion: no transitions or animations", async () => {
  const { tab, context } = await open({ reducedMotion: "reduce" });
  const moving = await tab.evaluate(() =>
    [...document.querySelector("sayso-survey").shadowRoot.querySelectorAll("*")]
      .map((e) => getComputedStyle(e))
      .filter((s) => parseFloat(s.transitionDuration) > 0 || s.animationName !== "none").length,
  );
  assert.equal(moving, 0);
  await context.close();
});

test("forced colours: the chosen scale point stays distinguishable", async () => {
  const { tab, context } = await open({ forcedColors: "active" });
  await tab.locator("sayso-survey input[aria-label='7 out of 10']").click();
  const looks = await tab.evaluate(() => {
    const root = document.querySelector("sayso-survey").shadowRoot;
    const bg = (label) => getComputedStyle(root.querySelector(`input[aria-label='${label}']`).parentElement).backgroundColor;
    return { chosen: bg("7 out of 10"), other: bg("6 out of 10"), forced: matchMedia("(forced-colors: active)").matches };
  });
  assert.equal(looks.forced, true);
  assert.notEqual(looks.chosen, looks.other);
  await context.close();
});

test("forced colours: the chosen star and those before it stand out, in the system's colours", async () => {
  const { tab, context } = await open({ forcedColors: "active", colorScheme: "dark" }, "/stars");
  await tab.locator("sayso-survey input[aria-label='4 out of 5']").click();
  const stars = await tab.evaluate(() => {
    const root = document.querySelector("sayso-survey").shadowRoot;
    const color = (label) => getComputedStyle(root.querySelector(`input[aria-label='${label}']`).parentElement).color;
    const probe = document.body.appendChild(document.createElement("span"));
    probe.style.color = "Highlight";
    const highlight = getComputedStyle(probe).color;
    probe.remove();
    return { chosen: color("4 out of 5"), lit: color("2 out of 5"), other: color("5 out of 5"), highlight };
  });
  assert.equal(stars.chosen, stars.highlight);
  assert.equal(stars.lit, stars.highlight);
  assert.notEqual(stars.other, stars.highlight);
  await context.close();
});

// The site owner's side keeps the same bar: the dashboard with answers to every kind (scores,
// distributions, choices, texts, definitions, likert) and a webhook-less collector.
for (const colorScheme of ["light", "dark"]) {
  test(`axe: the dashboard with answers to every kind, ${colorScheme}: 0 violations`, async () => {
    const response = (n, nps) => ({
      schema: "sayso.response/v1",
      id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
      survey: { id: "every-kind", version: 3 },
      answers: {
        nps, csat: 4, ces: 2, rating: 4,
        channel: { other: "A letter" },
        topics: ["billing", { other: "Parking" }],
        comment: "Quick, and <kind>.",
        engagement: { text: "Taking part in decisions about my care.", attribution: "Ana, patient", publish: true },
        agreement: { clear: 5, kind: 4 },
        may_contact: true,
        contact: { email: "ana@example.org" },
      },
      context: { url: "https://clinic.example/support", locale: "en", started_at: "2026-11-24T09:00:00.000Z", submitted_at: "2026-11-24T09:02:10.500Z" },
    });
    for (const [n, nps] of [[9000 + (colorScheme === "dark"), 9], [9100 + (colorScheme === "dark"), 3]]) {
      const r = await fetch(`${c.endpoint}/responses`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(response(n, nps)) });
      assert.ok(r.ok, `stored: ${r.status} ${await r.text()}`);
    }
    // The dashboard's CSP admits no script: axe is injected past it.
    const { tab, log } = await watchedPage(b, { colorScheme, bypassCSP: true, httpCredentials: { username: "admin", password: TOKEN } });
    await tab.goto(`${c.base}/admin`);
    assert.match(await tab.locator("h2").first().innerText(), /Every kind|every-kind/i);
    assert.deepEqual(await axe(tab, `dashboard, ${colorScheme}`), []);
    assert.deepEqual(log.pageErrors, []);
  });
}
