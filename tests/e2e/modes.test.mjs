// Display modes, triggers, targeting, the JS API and its events, theming, hidden fields and
// redaction, against the real collector in Chromium.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, axe, noStorage, outboxIds, outcome, page, stage, until, watchedPage } from "./harness.mjs";

const base = (id, extra = {}) => ({
  id,
  version: 1,
  title: "Quick feedback",
  questions: [
    { id: "nps", kind: "nps", title: "How likely are you to recommend us?", required: true },
    { id: "comment", kind: "text", title: "Anything else?" },
  ],
  targeting: { once_per_session: false },
  ...extra,
});
const SURVEYS = [
  base("fb"),
  base("fb-session", { targeting: { once_per_session: true } }),
  base("fb-targeted", { targeting: { include_urls: ["/support/*"], exclude_urls: ["*/support/private*"], once_per_session: false } }),
  base("fb-sampled-out", { targeting: { sample_percent: 0, once_per_session: false } }),
  base("fb-views", { trigger: { on: "page_views", page_views: 3 } }),
  base("fb-hidden", { privacy: { hidden_fields: ["utm_source", "campaign"] } }),
  base("fb-theme", { theme: { scheme: "dark", accent: "#aa0000", radius: "2px" } }),
  base("fb-light", { theme: { scheme: "light" } }),
  base("fb-yellow", { theme: { scheme: "light", accent: "#ffd400", accent_text: "#ffffff" } }),
  base("fb-spanish-speakers", { targeting: { locales: ["es"], once_per_session: false } }),
  base("fb-phones", { targeting: { devices: ["mobile"], once_per_session: false } }),
  base("fb-unredacted", { privacy: { redact: false } }),
  base("fb-queries-kept", { privacy: { strip_url_query: false } }),
  base("fb-spa", { targeting: { include_urls: ["/app/support*"], once_per_session: false } }),
  base("fb-spa-hidden", { targeting: { include_urls: ["/app3/support*"], once_per_session: false }, privacy: { hidden_fields: ["utm_source", "campaign"] } }),
  base("fb-spa-event", { trigger: { on: "event", event: "feedback:open" }, targeting: { include_urls: ["/app2/support*"], once_per_session: false } }),
  base("fb-launcher-session", { display: { mode: "launcher" }, targeting: { once_per_session: true } }),
];
/** Count `sayso:shown` events on the page, from before the widget loads. */
const countShown = (tab) => tab.addInitScript(() => {
  window.shownCount = 0;
  document.addEventListener("sayso:shown", () => window.shownCount++);
});

const pages = {};
let staged, c, host, b;
before(async () => {
  staged = await stage(pages, Object.fromEntries(SURVEYS.map((s) => [s.id, s])));
  ({ c, host, b } = staged);
});
after(() => staged?.close());

/** Serve a page with the tag for survey `id` and these data-* attributes; return its URL. */
function serve(path, id, attrs = {}, extra = {}) {
  pages[path.split("?")[0]] = page({ loader: `${c.base}/sayso.js`, attrs: { endpoint: c.endpoint, survey: id, ...attrs }, ...extra });
  return host.url(path);
}

/** WCAG contrast of two computed colours, `rgb(r, g, b)`. */
function contrast(a, b) {
  const luminance = (c) => {
    const [r, g, bl] = c.match(/\d+/g).map((v) => {
      const s = Number(v) / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}
const shadow = (tab, fn, arg) => tab.evaluate(([f, a]) => new Function("root", "arg", `return (${f})(root, arg)`)(document.querySelector("sayso-survey")?.shadowRoot, a), [fn.toString(), arg]);
const shownEvent = (tab) => tab.evaluate(() => new Promise((resolve) => document.addEventListener("sayso:shown", () => resolve(true), { once: true })));
/**
 * Wait until the widget has counted this page as the visitor's `n`-th (1 in a new context): it
 * counts the view, decides whether the survey shows and sets up its trigger in one task, so from
 * then on a trigger is heard, and a survey kept away stays away. (The loader's `window.Sayso`,
 * there from the start, says nothing about the widget.)
 */
const viewed = (tab, n = 1) => tab.waitForFunction((n) => (JSON.parse(localStorage.getItem("sayso:visitor") || "{}").views ?? 0) >= n, n);
const activeInWidget = (tab) => tab.evaluate(() => {
  const e = document.querySelector("sayso-survey")?.shadowRoot?.activeElement;
  return e ? e.className || e.tagName : null;
});

test("launcher: a corner button opens the survey, Escape closes it, focus returns, dismissal is remembered", async () => {
  const url = serve("/launcher", "fb", { mode: "launcher", position: "bottom_left" });
  const { tab, log } = await watchedPage(b, { viewport: { width: 1000, height: 700 } });
  const events = [];
  await tab.exposeFunction("record", (e) => events.push(e));
  await tab.addInitScript(() => ["shown", "dismissed"].forEach((e) => document.addEventListener(`sayso:${e}`, () => window.record(e))));
  await tab.goto(url);
  const launcher = tab.locator("sayso-survey .sayso-launcher");
  await launcher.waitFor({ state: "visible" });
  const box = await launcher.boundingBox();
  assert.ok(box.x < 40 && box.y + box.height > 700 - 40, `bottom left: ${JSON.stringify(box)}`);
  assert.equal(await tab.locator("sayso-survey .sayso-frame--panel").isVisible(), false);
  await launcher.click();
  await tab.locator("sayso-survey .sayso-frame--panel input").first().waitFor({ state: "visible" });
  assert.match(await activeInWidget(tab), /sayso-frame--panel/);
  await tab.keyboard.press("Escape");
  await tab.locator("sayso-survey .sayso-frame--panel").waitFor({ state: "hidden" });
  assert.equal(await activeInWidget(tab), "sayso-launcher");
  assert.deepEqual(events, ["shown", "dismissed"]);
  // The launcher is a toggle: closing the survey with it is a dismissal too.
  await launcher.click();
  await tab.locator("sayso-survey .sayso-frame--panel input").first().waitFor({ state: "visible" });
  await launcher.click();
  await tab.locator("sayso-survey .sayso-frame--panel").waitFor({ state: "hidden" });
  assert.equal(events.filter((e) => e === "dismissed").length, 2, events.join());
  // The next page: dismissed recently, so no launcher.
  await tab.reload();
  await tab.waitForLoadState("networkidle");
  assert.equal(await tab.locator("sayso-survey .sayso-launcher").isVisible().catch(() => false), false);
  assert.deepEqual(log.pageErrors, []);
});

test("launcher opened by Sayso.open(): the launcher shows too, Escape gives it the focus; Sayso.close() leaves the page's focus alone", async () => {
  const url = serve("/launcher-api", "fb", { mode: "launcher", trigger: "manual" });
  const { tab, log } = await watchedPage(b);
  await tab.goto(url);
  await tab.waitForFunction(() => window.Sayso && typeof window.Sayso.open === "function" && !window.Sayso.q.length);
  await tab.evaluate(() => window.Sayso.open());
  await tab.locator("sayso-survey .sayso-frame--panel input").first().waitFor({ state: "visible" });
  assert.equal(await tab.locator("sayso-survey .sayso-launcher").isVisible(), true, "the way back in");
  await tab.keyboard.press("Escape");
  await tab.locator("sayso-survey .sayso-frame--panel").waitFor({ state: "hidden" });
  assert.equal(await activeInWidget(tab), "sayso-launcher");
  // Open again, then the visitor goes back to the page and the page closes the survey.
  await tab.locator("sayso-survey .sayso-launcher").click();
  await tab.locator("sayso-survey .sayso-frame--panel input").first().waitFor({ state: "visible" });
  await tab.focus("#host-button");
  await tab.evaluate(() => window.Sayso.close());
  await tab.locator("sayso-survey .sayso-frame--panel").waitFor({ state: "hidden" });
  assert.equal(await tab.evaluate(() => document.activeElement.id), "host-button");
  assert.deepEqual(log.pageErrors, []);
});

test("slide-in opened from the page: Escape closes it and the focus goes back where it was, even after the page opens it again", async () => {
  const url = serve("/slide-api", "fb", { mode: "slide_in", trigger: "click", selector: "#host-button" });
  const { tab, log } = await watchedPage(b);
  await tab.goto(url);
  await viewed(tab);
  await tab.focus("#host-button");
  await tab.keyboard.press("Enter");
  await tab.locator("sayso-survey .sayso-frame--panel input").first().waitFor({ state: "visible" });
  assert.match(await activeInWidget(tab), /sayso-frame--panel/);
  // The page opens it again while the visitor types: the focus stays in the field, and still
  // goes back to the button.
  await tab.locator("sayso-survey textarea").focus();
  await tab.evaluate(() => window.Sayso.open());
  assert.equal(await tab.evaluate(() => document.querySelector("sayso-survey").shadowRoot.activeElement.tagName), "TEXTAREA");
  await tab.keyboard.press("Escape");
  await tab.locator("sayso-survey .sayso-frame--panel").waitFor({ state: "hidden" });
  assert.equal(await tab.evaluate(() => document.activeElement.id), "host-button");
  assert.deepEqual(log.pageErrors, []);
});

test("Sayso.open() then close(), or open() twice, while the survey is being built: not shown, or shown once with every question", async () => {
  const url = serve("/building", "fb", { mode: "slide_in", trigger: "manual" });
  const { tab, log } = await watchedPage(b);
  // Whether each `sayso:shown` came with the last question built.
  await tab.addInitScript(() => {
    window.shown = [];
    document.addEventListener("sayso:shown", () => window.shown.push(!!document.querySelector("sayso-survey").shadowRoot.querySelector("textarea")));
  });
  const panel = tab.locator("sayso-survey .sayso-frame--panel");
  await tab.goto(url);
  await viewed(tab);
  await tab.evaluate(() => { window.Sayso.open(); window.Sayso.close(); });
  // The survey is ready in the task that builds its last question.
  await panel.locator("textarea").waitFor({ state: "attached" });
  assert.equal(await panel.isVisible(), false, "closed while it was built: it stays closed");
  assert.deepEqual(await tab.evaluate(() => window.shown), []);
  await tab.goto(url);
  await viewed(tab, 2);
  await tab.evaluate(() => { window.Sayso.open(); window.Sayso.open(); });
  await panel.locator("textarea").waitFor({ state: "visible" });
  assert.deepEqual(await tab.evaluate(() => window.shown), [true], "shown once, whole");
  assert.deepEqual(log.pageErrors, []);
});

test("click: the visitor's own click opens the survey after a dismissal and outside the sample, not where the URL rules exclude it", async () => {
  const clickable = (path, id) => serve(path, id, { mode: "slide_in", trigger: "click", selector: "#host-button" });
  const { tab, context, log } = await watchedPage(b);
  let views = 0;
  const armed = () => viewed(tab, ++views);
  const panel = tab.locator("sayso-survey .sayso-frame--panel");
  await tab.goto(clickable("/click-dismiss", "fb"));
  await armed();
  await tab.click("#host-button");
  await panel.locator("input").first().waitFor({ state: "visible" });
  await tab.locator("sayso-survey .sayso-close").click();
  await panel.waitFor({ state: "hidden" });
  assert.ok(JSON.parse(await tab.evaluate(() => localStorage.getItem("sayso:visitor"))).surveys.fb.dismissed, "the dismissal is remembered");
  // The next page: the dismissal keeps a page-opened survey away, not the visitor's own click.
  await tab.goto(clickable("/click-dismiss", "fb"));
  await armed();
  await tab.click("#host-button");
  await panel.locator("input").first().waitFor({ state: "visible" });
  await tab.goto(clickable("/click-sampled", "fb-sampled-out"));
  await armed();
  await tab.click("#host-button");
  await panel.locator("input").first().waitFor({ state: "visible" });
  // Where the URL rules exclude the survey, the click does nothing: the click is heard at once
  // by the page's own listener too, after which nothing was built.
  await tab.goto(clickable("/billing", "fb-targeted"));
  await armed();
  await tab.evaluate(() => document.querySelector("#host-button").addEventListener("click", () => { window.clicked = true; }));
  await tab.click("#host-button");
  await tab.waitForFunction(() => window.clicked);
  assert.equal(await tab.evaluate(() => Boolean(document.querySelector("sayso-survey")?.shadowRoot?.querySelector(".sayso-frame"))), false);
  assert.deepEqual(log.pageErrors, []);
  await context.close();
});

test("inline: Escape is the page's, not a way to dismiss a survey that is part of it", async () => {
  const url = serve("/inline-escape", "fb", { target: "#feedback" });
  const { tab, log } = await watchedPage(b);
  await tab.addInitScript(() => {
    window.seen = [];
    document.addEventListener("keydown", (e) => window.seen.push(e.key));
    document.addEventListener("sayso:dismissed", () => window.seen.push("dismissed"));
  });
  await tab.goto(url);
  await tab.locator("sayso-survey input").first().waitFor({ state: "visible" });
  const boxes = await shadow(tab, (root) => [root.host, root.querySelector(".sayso-frame")].map((e) => {
    const r = e.getBoundingClientRect();
    return [r.x, r.y, r.width];
  }));
  assert.deepEqual(boxes[1], boxes[0], "the inline frame sits exactly in its element, over none of the page");
  await tab.locator("sayso-survey input[aria-label='6 out of 10']").focus();
  await tab.keyboard.press("Escape");
  assert.deepEqual(await tab.evaluate(() => window.seen), ["Escape"]);
  assert.equal(await tab.locator("sayso-survey input").first().isVisible(), true);
  assert.deepEqual(log.pageErrors, []);
});

test("modal on exit intent: focus is trapped inside, Escape closes it", async () => {
  const url = serve("/modal", "fb", { mode: "modal", trigger: "exit_intent" }, { body: '<p style="height:2000px">Long page.</p>' });
  const { tab, log } = await watchedPage(b);
  await tab.goto(url);
  await viewed(tab);
  assert.equal(await tab.locator("sayso-survey dialog").count(), 0, "nothing before the visitor heads for the tabs");
  await tab.evaluate(() => window.scrollTo(0, 1000));
  const shown = shownEvent(tab);
  await tab.mouse.move(300, 300);
  await tab.mouse.move(300, 5);
  await tab.evaluate(() => document.dispatchEvent(new MouseEvent("mouseout", { clientY: 0, relatedTarget: null, bubbles: true })));
  await shown;
  const dialog = tab.locator("sayso-survey dialog.sayso-frame--modal");
  await dialog.locator("input").first().waitFor({ state: "visible" });
  assert.equal(await shadow(tab, (root) => root.querySelector("dialog").open), true);
  const place = await shadow(tab, (root) => {
    const r = root.querySelector("dialog").getBoundingClientRect();
    return { scrollY: window.scrollY, inView: r.top >= 0 && r.bottom <= innerHeight, centred: Math.abs(r.top - (innerHeight - r.bottom)) <= 1 };
  });
  assert.deepEqual(place, { scrollY: 1000, inView: true, centred: true }, "the dialog is centred in view and the page stays where it was");
  for (let i = 0; i < 20; i++) await tab.keyboard.press("Tab");
  assert.equal(await shadow(tab, (root) => root.querySelector("dialog").contains(root.activeElement)), true, "focus stays in the dialog");
  // Back from the first stop, which is a chosen point in the middle of its scale: to the last.
  await dialog.locator("input[aria-label='7 out of 10']").check();
  await tab.keyboard.press("Shift+Tab");
  assert.equal(await activeInWidget(tab), "sayso-close");
  await tab.keyboard.press("Escape");
  assert.equal(await shadow(tab, (root) => root.querySelector("dialog").open), false);
  assert.equal(await tab.evaluate(() => window.scrollY), 1000);
  assert.deepEqual(log.pageErrors, []);
});

test("exit intent is for a mouse: on a touch screen the same leaving gesture shows nothing, Sayso.open() still does", async () => {
  const url = serve("/modal-touch", "fb", { mode: "modal", trigger: "exit_intent" });
  const leave = (tab) => tab.evaluate(() => {
    document.dispatchEvent(new MouseEvent("mouseout", { clientY: 0, relatedTarget: null, bubbles: true }));
    return Boolean(document.querySelector("sayso-survey")?.shadowRoot?.querySelector("dialog"));
  });
  // The trigger builds the dialog at once (it opens when its questions are ready): once the
  // page is counted, the leaving gesture is heard or ignored synchronously.
  const desktop = await watchedPage(b, { viewport: { width: 1280, height: 800 } });
  await desktop.tab.goto(url);
  await viewed(desktop.tab);
  assert.equal(await leave(desktop.tab), true, "with a mouse, leaving through the top shows the modal");
  await desktop.context.close();

  const { tab, context, log } = await watchedPage(b, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await tab.goto(url);
  await viewed(tab);
  assert.equal(await tab.evaluate(() => matchMedia("(pointer: fine)").matches), false);
  assert.equal(await leave(tab), false, "on a touch screen, nothing shows");
  await tab.evaluate(() => Sayso.open());
  await tab.locator("sayso-survey dialog input").first().waitFor({ state: "visible" });
  assert.deepEqual(log.pageErrors, []);
  await context.close();
});

test("storage blocked: a modal does not open by itself (it could not remember a dismissal), one warning; Sayso.open() opens it", async () => {
  const url = serve("/modal-no-storage", "fb", { mode: "modal", trigger: "load" });
  const { tab, log } = await noStorage(b);
  await tab.goto(url);
  await until(() => log.warnings.some((w) => w.startsWith("Sayso:")), 10_000, "the widget's warning");
  assert.deepEqual(log.warnings.filter((w) => w.startsWith("Sayso:")), [
    "Sayso: this page cannot store data (storage blocked or full), so this survey could not remember being answered or dismissed; it does not open by itself here (Sayso.open() still opens it)",
  ]);
  // The warning is given in the task that would have armed the load trigger, which opens a task
  // later: one more task of the page's, and nothing was built.
  await tab.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
  assert.equal(await tab.evaluate(() => Boolean(document.querySelector("sayso-survey")?.shadowRoot?.querySelector("dialog"))), false);
  await tab.evaluate(() => Sayso.open());
  await tab.locator("sayso-survey dialog input").first().waitFor({ state: "visible" });
  assert.deepEqual(log.pageErrors, []);
  assert.deepEqual(log.errors.filter((e) => e.startsWith("Sayso:")), []);
});

test("slide-in after a delay: appears in its corner without taking the focus; close button closes", async () => {
  const url = serve("/slide", "fb", { mode: "slide_in", trigger: "delay", delay: "1", position: "top_right" });
  const { tab, log } = await watchedPage(b, { viewport: { width: 1000, height: 700 } });
  await tab.addInitScript(() => document.addEventListener("sayso:shown", () => { window.shownAt = performance.now(); }));
  await tab.goto(url);
  await tab.focus("#host-button");
  await tab.waitForFunction(() => window.shownAt);
  // The delay counts from the page's start (not from the widget's, which waits for idle time).
  assert.ok(await tab.evaluate(() => window.shownAt) >= 1000, "not before the delay");
  const panel = tab.locator("sayso-survey .sayso-frame--panel");
  await panel.waitFor({ state: "visible" });
  const box = await panel.boundingBox();
  assert.ok(box.y < 40 && box.x + box.width > 1000 - 40, `top right: ${JSON.stringify(box)}`);
  assert.equal(await tab.evaluate(() => document.activeElement.id), "host-button", "the visitor's focus stays where it was");
  await tab.locator("sayso-survey .sayso-close").click();
  await panel.waitFor({ state: "hidden" });
  assert.deepEqual(log.pageErrors, []);
});

test("slide-in that opened by itself: a visitor who tabbed into it and pressed Escape is back where they were", async () => {
  const url = serve("/slide-escape", "fb", { mode: "slide_in", trigger: "load" });
  const { tab, log } = await watchedPage(b);
  await tab.goto(url);
  await tab.focus("#host-button");
  const panel = tab.locator("sayso-survey .sayso-frame--panel");
  await panel.waitFor({ state: "visible" });
  assert.equal(await tab.evaluate(() => document.activeElement.id), "host-button");
  await tab.locator("sayso-survey input").first().focus();
  await tab.keyboard.press("Escape");
  await panel.waitFor({ state: "hidden" });
  assert.equal(await tab.evaluate(() => document.activeElement.id), "host-button", "not lost to <body>");
  assert.deepEqual(log.pageErrors, []);
});

test("triggers: scroll, a custom event, a click, page views, and manual Sayso.open()", async () => {
  const tall = { body: '<div style="height:3000px"></div><button id="give-feedback">Give feedback</button>' };
  const cases = [
    ["scroll", serve("/t-scroll", "fb", { trigger: "scroll", scroll: "50", target: "#feedback" }, tall), async (tab) => {
      // 30% is not enough (two frames: the scroll event has been handled by then).
      await tab.evaluate(() => window.scrollTo(0, (document.documentElement.scrollHeight - innerHeight) * 0.3));
      await tab.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      assert.equal(await tab.locator("sayso-survey input").first().isVisible().catch(() => false), false, "not at 30%");
      await tab.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    }],
    ["event", serve("/t-event", "fb", { trigger: "event", event: "feedback:open" }), (tab) => tab.evaluate(() => document.dispatchEvent(new Event("feedback:open")))],
    ["click", serve("/t-click", "fb", { trigger: "click", selector: "#give-feedback", mode: "modal" }, tall), (tab) => tab.click("#give-feedback")],
    ["manual", serve("/t-manual", "fb", { trigger: "manual", mode: "slide_in" }), (tab) => tab.evaluate(() => window.Sayso.open())],
  ];
  for (const [name, url, act] of cases) {
    const { tab, log, context } = await watchedPage(b);
    await tab.goto(url);
    await viewed(tab);
    assert.equal(await tab.locator("sayso-survey input").first().isVisible().catch(() => false), false, `${name}: not before its trigger`);
    const shown = shownEvent(tab);
    await act(tab);
    await shown;
    await tab.locator("sayso-survey input").first().waitFor({ state: "visible" });
    assert.deepEqual(log.pageErrors, [], name);
    await context.close();
  }
  // Page views: the third page with the tag shows it.
  const url = serve("/t-views", "fb-views");
  const { tab, context } = await watchedPage(b);
  for (const view of [1, 2]) {
    await tab.goto(url);
    await viewed(tab, view);
    assert.equal(await tab.locator("sayso-survey").count(), 0, `view ${view}`);
  }
  await tab.goto(url);
  await tab.locator("sayso-survey input").first().waitFor({ state: "visible" });
  await context.close();
});

/**
 * A visitor going from page to page in `tab`. `shows(url)` waits for the survey: the widget
 * builds it a few tasks after deciding to show it. `staysAway(url)` checks that it decided not
 * to: that decision is made in the task that counts the page view.
 */
function visitor(tab) {
  let views = 0;
  const input = tab.locator("sayso-survey input").first();
  const open = async (url) => {
    await tab.goto(url);
    await tab.waitForLoadState("networkidle");
    await viewed(tab, ++views);
  };
  return {
    shows: async (url) => {
      await open(url);
      await input.waitFor({ state: "visible" });
    },
    staysAway: async (url, why = url) => {
      await open(url);
      assert.equal(await input.isVisible(), false, why);
    },
  };
}

test("targeting: URL include and exclude, sampling, once per session, not again after answering", async () => {
  const { tab, context } = await watchedPage(b);
  const { shows, staysAway } = visitor(tab);
  await shows(serve("/support/help", "fb-targeted"));
  await staysAway(serve("/billing", "fb-targeted"));
  await staysAway(serve("/support/private/x", "fb-targeted"));
  await staysAway(serve("/sampled", "fb-sampled-out"));
  await shows(serve("/session", "fb-session"));
  await staysAway(serve("/session", "fb-session"), "once per session");
  // Answered: not again (90 days by default).
  await shows(serve("/answer", "fb"));
  await tab.locator("sayso-survey input[aria-label='9 out of 10']").click();
  await tab.locator("sayso-survey button[type=submit]").click();
  assert.equal(await outcome(tab), "Thank you!");
  await staysAway(serve("/answer", "fb"), "answered");
  await context.close();
});

test("targeting: the visitor's language and device, as the browser tells them", async () => {
  const desktop = await watchedPage(b, { viewport: { width: 1280, height: 800 } });
  const atDesk = visitor(desktop.tab);
  await atDesk.staysAway(serve("/lang-en", "fb-spanish-speakers"), "an English page");
  await atDesk.shows(serve("/lang-es", "fb-spanish-speakers", { locale: "es" }));
  await atDesk.staysAway(serve("/phones", "fb-phones"), "a desktop");
  await desktop.context.close();
  const phone = await watchedPage(b, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  assert.equal(await phone.tab.evaluate(() => matchMedia("(pointer: coarse)").matches), true);
  await visitor(phone.tab).shows(serve("/phones", "fb-phones"));
  await phone.context.close();
});

test("API: calls queued before the widget loads, events, attributes and hidden fields reach the response", async () => {
  // The page starts with the README's stub, before the tag, and uses it at once.
  const stub = readFileSync(join(ROOT, "README.md"), "utf8").match(/<script>\n(  window\.Sayso = [^]*?)<\/script>/)[1];
  const head = `<script>${stub}
    Sayso.setAttributes({ plan: "gold", visits: 3 });
    Sayso.on("submitted", function (d) { window.submitted = d; });
    // Junk in the queue is passed over; a stub kept from before the load still works after it.
    Sayso.q.push(null, 42, ["nosuch"]);
    window.earlyOn = Sayso.on;
    window.events = [];
    ["shown", "answered", "submitted"].forEach(function (e) { document.addEventListener("sayso:" + e, function (ev) { window.events.push([e, ev.detail]); }); });</script>`;
  const url = serve("/api?utm_source=newsletter&campaign=flu&patient=123#top", "fb-hidden", { target: "#feedback" }, { head });
  const { tab, log } = await watchedPage(b);
  await tab.goto(url);
  await tab.locator("sayso-survey input").first().waitFor({ state: "visible" });
  await tab.evaluate(() => window.Sayso.setAttributes({ section: "billing" }));
  await tab.evaluate(() => window.earlyOn("submitted", function (d) { window.earlySubmitted = d; }));
  await tab.locator("sayso-survey input[aria-label='8 out of 10']").click();
  await tab.locator("sayso-survey textarea").fill("Call me on 06 12 34 56 78 or ana@example.org");
  await tab.locator("sayso-survey button[type=submit]").click();
  assert.equal(await outcome(tab), "Thank you!");
  const rows = await c.stored("fb-hidden");
  assert.equal(rows.length, 1);
  const [row] = rows;
  assert.deepEqual(row.context.attributes, { plan: "gold", visits: 3, utm_source: "newsletter", campaign: "flu", section: "billing" });
  assert.equal(row.context.url, host.url("/api"), "query and fragment stripped");
  assert.equal(row.answers.comment, "Call me on [phone] or [email]", "free text redacted");
  assert.deepEqual(await tab.evaluate(() => window.submitted), { survey: "fb-hidden", id: row.id });
  assert.deepEqual(await tab.evaluate(() => window.earlySubmitted), { survey: "fb-hidden", id: row.id });
  const names = await tab.evaluate(() => window.events.map(([e]) => e));
  assert.deepEqual([...new Set(names)], ["shown", "answered", "submitted"]);
  assert.deepEqual(await tab.evaluate(() => window.events.find(([e]) => e === "answered")[1]), { survey: "fb-hidden", question: "nps" });
  assert.equal(await tab.locator("sayso-survey .sayso-counter", { hasText: "removed before sending" }).count(), 1);
  assert.deepEqual(log.pageErrors, []);
});

test("API: Sayso.open queued before load with another survey's id is an error, and the trigger still works; an open closed again stays closed", async () => {
  const queued = (calls) => ({ head: `<script>window.Sayso = { q: ${JSON.stringify(calls)} };</script>` });
  const { tab, log } = await watchedPage(b);
  await tab.goto(serve("/q-other", "fb", { trigger: "manual" }, queued([["open", ["billing"]]])));
  await until(() => log.errors.length, 10_000, "the console error");
  assert.deepEqual(log.errors, ['Sayso: Sayso.open("billing"): this page\'s tag shows the survey "fb"']);
  assert.equal(await tab.locator("sayso-survey").count(), 0);
  // Only an error: the survey's own trigger still shows it.
  await tab.goto(serve("/q-other-load", "fb", { target: "#feedback" }, queued([["open", ["billing"]]])));
  await tab.locator("sayso-survey input").first().waitFor({ state: "visible" });
  assert.equal(log.errors.length, 2);
  await tab.goto(serve("/q-closed", "fb", { trigger: "manual" }, queued([["open", []], ["close", []]])));
  // The widget has decided once it has counted this page view (same task as the queued calls).
  await viewed(tab, 2);
  assert.equal(await tab.locator("sayso-survey").count(), 0);
  assert.deepEqual(log.pageErrors, []);
});

test("launcher with once per session: the button stays on the session's pages until the visitor opens it", async () => {
  const url = serve("/launcher-session", "fb-launcher-session");
  const { tab, log } = await watchedPage(b);
  await countShown(tab);
  const launcher = tab.locator("sayso-survey .sayso-launcher");
  for (const page of [1, 2]) {
    await tab.goto(url);
    await launcher.waitFor({ state: "visible" });
    assert.equal(await tab.evaluate(() => window.shownCount), 0, `page ${page}: a button is not the survey shown`);
  }
  await launcher.click();
  await tab.locator("sayso-survey .sayso-frame--panel input").first().waitFor({ state: "visible" });
  assert.equal(await tab.evaluate(() => window.shownCount), 1);
  // Shown in this session now: not on the next page.
  await tab.goto(url);
  await viewed(tab, 3);
  assert.equal(await tab.locator("sayso-survey").count(), 0);
  assert.deepEqual(log.pageErrors, []);
});

test("scroll trigger on a page too short to scroll: shown without scrolling", async () => {
  const { tab, log } = await watchedPage(b);
  await tab.goto(serve("/t-scroll-short", "fb", { trigger: "scroll", scroll: "80", target: "#feedback" }));
  await tab.locator("sayso-survey input").first().waitFor({ state: "visible" });
  assert.equal(await tab.evaluate(() => window.scrollY), 0);
  assert.deepEqual(log.pageErrors, []);
});

test("scroll trigger on an app shell (the page never scrolls, its main container does): shown when the container is scrolled", async () => {
  const head = "<style>html, body { height: 100%; margin: 0; overflow: hidden } main { height: 100%; overflow: auto } #para { height: 3000px }</style>";
  const { tab, log } = await watchedPage(b);
  await tab.goto(serve("/t-scroll-shell", "fb", { trigger: "scroll", scroll: "50", target: "#feedback" }, { head }));
  await viewed(tab);
  // Past the widget's first look (a timer it set before the page view was counted).
  await tab.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
  assert.equal(await tab.locator("sayso-survey").count(), 0, "not shown before the visitor scrolls");
  await tab.evaluate(() => { const main = document.querySelector("main"); main.scrollTop = main.scrollHeight; });
  await tab.locator("sayso-survey input").first().waitFor({ state: "visible" });
  assert.deepEqual(log.pageErrors, []);
});

test("theming: the definition's theme and the host page's custom properties", async () => {
  const themed = serve("/theme", "fb-theme", { target: "#feedback" });
  const { tab } = await watchedPage(b);
  await tab.goto(themed);
  await tab.locator("sayso-survey input").first().waitFor({ state: "visible" });
  const look = () => shadow(tab, (root) => {
    const button = getComputedStyle(root.querySelector("button[type=submit]"));
    const card = getComputedStyle(root.querySelector(".sayso-card"));
    return { button: button.backgroundColor, text: button.color, radius: button.borderTopLeftRadius, card: card.backgroundColor, font: card.fontFamily };
  });
  const dark = await look();
  // The definition's #aa0000 is unreadable on the dark surface (2.1:1): a lighter shade of it
  // is used, with text readable on it.
  const [red, green, blue] = dark.button.match(/\d+/g).map(Number);
  assert.ok(red > 170 && green > 0 && green === blue, `a lighter red: ${dark.button}`);
  assert.ok(contrast(dark.button, dark.card) >= 4.5, `${dark.button} on ${dark.card}`);
  assert.ok(contrast(dark.text, dark.button) >= 4.5, `${dark.text} on ${dark.button}`);
  assert.equal(dark.radius, "1px", "half the 2px radius on buttons");
  assert.equal(dark.card, "rgb(27, 31, 36)", "dark scheme from the definition");
  assert.deepEqual(await axe(tab, "dark theme with a dark red accent"), []);
  // A yellow too pale for white, in the light scheme: darkened, with white text as asked.
  await tab.goto(serve("/yellow", "fb-yellow", { target: "#feedback" }));
  await tab.locator("sayso-survey input").first().waitFor({ state: "visible" });
  const yellow = await look();
  assert.ok(contrast(yellow.button, yellow.card) >= 4.5 && contrast(yellow.text, yellow.button) >= 4.5, JSON.stringify(yellow));
  assert.equal(yellow.text, "rgb(255, 255, 255)");
  assert.deepEqual(await axe(tab, "light theme with a yellow accent"), []);
  const plain = serve("/host-theme", "fb", { target: "#feedback" }, { head: "<style>sayso-survey { --sayso-accent: #006b5f; --sayso-font: Georgia, serif; }</style>" });
  await tab.goto(plain);
  await tab.locator("sayso-survey input").first().waitFor({ state: "visible" });
  const host = await look();
  assert.equal(host.button, "rgb(0, 107, 95)");
  assert.equal(host.font, "Georgia, serif");
  // The page's rules win over the definition's theme too.
  const both = serve("/both-theme", "fb-theme", { target: "#feedback" }, { head: "<style>sayso-survey { --sayso-accent: #006b5f; }</style>" });
  await tab.goto(both);
  await tab.locator("sayso-survey input").first().waitFor({ state: "visible" });
  const mixed = await look();
  assert.equal(mixed.button, "rgb(0, 107, 95)", "accent from the page");
  assert.equal(mixed.radius, "1px", "radius still from the definition");
});

test("theming: auto follows a dark system, light stays light", async () => {
  const { tab } = await watchedPage(b, { colorScheme: "dark" });
  const card = () => shadow(tab, (root) => getComputedStyle(root.querySelector(".sayso-card")).backgroundColor);
  await tab.goto(serve("/auto-dark", "fb", { target: "#feedback" }));
  await tab.locator("sayso-survey input").first().waitFor({ state: "visible" });
  assert.equal(await card(), "rgb(27, 31, 36)");
  await tab.goto(serve("/forced-light", "fb-light", { target: "#feedback" }));
  await tab.locator("sayso-survey input").first().waitFor({ state: "visible" });
  assert.equal(await card(), "rgb(255, 255, 255)");
});

test("the launcher's label from the tag; redaction off sends the text as typed, with no note", async () => {
  const { tab, log } = await watchedPage(b);
  await tab.goto(serve("/launcher-label", "fb", { mode: "launcher", "launcher-label": "Tell us how we did" }));
  await tab.getByRole("button", { name: "Tell us how we did" }).waitFor({ state: "visible" });
  await tab.goto(serve("/unredacted", "fb-unredacted", { target: "#feedback" }));
  await tab.locator("sayso-survey input[aria-label='8 out of 10']").click();
  await tab.locator("sayso-survey textarea").fill("Call me on 06 12 34 56 78 or ana@example.org");
  assert.equal(await tab.locator("sayso-survey .sayso-counter", { hasText: "removed before sending" }).count(), 0);
  await tab.locator("sayso-survey button[type=submit]").click();
  assert.equal(await outcome(tab), "Thank you!");
  const [row] = await c.stored("fb-unredacted");
  assert.equal(row.answers.comment, "Call me on 06 12 34 56 78 or ana@example.org");
  assert.deepEqual(log.pageErrors, []);
});

test("a survey that keeps query strings: kept, unless the URL would be too long for the endpoint to take", async () => {
  // Each visitor in a browser of their own (one who answered is not asked again).
  const answer = async (url) => {
    const { context, tab, log } = await watchedPage(b);
    await tab.goto(url);
    await tab.locator("sayso-survey input[aria-label='8 out of 10']").click();
    await tab.locator("sayso-survey button[type=submit]").click();
    assert.equal(await outcome(tab), "Thank you!");
    assert.deepEqual(await outboxIds(tab), []);
    assert.deepEqual(log.pageErrors, []);
    await context.close();
  };
  await answer(serve("/kept?campaign=flu", "fb-queries-kept", { target: "#feedback" }));
  // A tracking query of 3000 characters: the URL would be refused (over 2048 bytes), and the
  // answers with it; the query goes instead.
  await answer(serve(`/long?token=${"x".repeat(3000)}`, "fb-queries-kept", { target: "#feedback" }));
  const rows = await c.stored("fb-queries-kept");
  assert.deepEqual(rows.map((r) => r.context.url), [host.url("/kept?campaign=flu"), host.url("/long")]);
});

test("single-page app: the URL rules are applied again when the route changes with pushState", async () => {
  const url = serve("/app/home", "fb-spa", { mode: "slide_in" });
  pages["/app/support"] = pages["/app/home"];
  const { tab, log } = await watchedPage(b);
  await tab.goto(url);
  await tab.waitForLoadState("networkidle");
  await viewed(tab);
  assert.equal(await tab.locator("sayso-survey .sayso-frame--panel").isVisible().catch(() => false), false);
  const shown = shownEvent(tab);
  await tab.evaluate(() => history.pushState({}, "", "/app/support"));
  await shown;
  await tab.locator("sayso-survey .sayso-frame--panel").waitFor({ state: "visible" });
  await tab.evaluate(() => history.pushState({}, "", "/app/home"));
  await tab.locator("sayso-survey .sayso-frame--panel").waitFor({ state: "hidden" });
  // Back on a page it is for, it shows again; once dismissed, it does not.
  await tab.evaluate(() => history.pushState({}, "", "/app/support"));
  await tab.locator("sayso-survey .sayso-frame--panel").waitFor({ state: "visible" });
  await tab.locator("sayso-survey .sayso-close").click();
  await tab.locator("sayso-survey .sayso-frame--panel").waitFor({ state: "hidden" });
  await tab.evaluate(() => history.pushState({}, "", "/app/home"));
  // The route change is handled as pushState returns (the Navigation API's event).
  await tab.evaluate(() => history.pushState({}, "", "/app/support"));
  assert.equal(await tab.locator("sayso-survey .sayso-frame--panel").isVisible(), false);
  assert.deepEqual(log.pageErrors, []);
});

test("single-page app: hidden fields from the landing URL, and from the URL where the survey shows", async () => {
  serve("/app3/home", "fb-spa-hidden", { target: "#feedback" });
  pages["/app3/support"] = pages["/app3/home"];
  const { tab, log } = await watchedPage(b);
  await tab.goto(host.url("/app3/home?utm_source=mail&campaign=old"));
  await viewed(tab);
  const shown = shownEvent(tab);
  await tab.evaluate(() => history.pushState({}, "", "/app3/support?campaign=new"));
  await shown;
  await tab.locator("sayso-survey input[aria-label='8 out of 10']").click();
  await tab.locator("sayso-survey button[type=submit]").click();
  assert.equal(await outcome(tab), "Thank you!");
  const [row] = await c.stored("fb-spa-hidden");
  assert.deepEqual(row.context.attributes, { utm_source: "mail", campaign: "new" });
  assert.equal(row.context.url, host.url("/app3/support"));
  assert.deepEqual(log.pageErrors, []);
});

test("single-page app: a route change leaves an open modal, and the field being typed in, alone", async () => {
  const { tab, log } = await watchedPage(b);
  await tab.goto(serve("/spa-modal", "fb", { mode: "modal" }));
  const field = tab.locator("sayso-survey dialog textarea");
  await field.waitFor({ state: "visible" });
  await field.click();
  await tab.keyboard.type("The nurse called back");
  // The app records the draft in the URL; the route change is handled as replaceState returns.
  await tab.evaluate(() => history.replaceState({}, "", "/spa-modal?draft=1"));
  assert.equal(await field.evaluate((e) => e.getRootNode().activeElement === e), true, "the focus stays in the field");
  await tab.keyboard.type(" within an hour.");
  assert.equal(await field.inputValue(), "The nurse called back within an hour.");
  assert.deepEqual(log.pageErrors, []);
});

test("single-page app: a trigger that fires on a route the survey is not for shows nothing; on one it is for, it shows once", async () => {
  const url = serve("/app2/support", "fb-spa-event", { mode: "slide_in" });
  pages["/app2/home"] = pages["/app2/support"];
  const { tab, log } = await watchedPage(b);
  await countShown(tab);
  await tab.goto(url);
  await viewed(tab);
  const fire = () => tab.evaluate(() => {
    document.dispatchEvent(new Event("feedback:open")); // the widget listens on window and document
    return document.querySelectorAll("sayso-survey").length;
  });
  await tab.evaluate(() => history.pushState({}, "", "/app2/home"));
  assert.equal(await fire(), 0, "not on a page it is not for");
  await tab.evaluate(() => history.pushState({}, "", "/app2/support"));
  assert.equal(await fire(), 1);
  await tab.locator("sayso-survey .sayso-frame--panel input").first().waitFor({ state: "visible" });
  await fire();
  assert.equal(await tab.evaluate(() => window.shownCount), 1);
  assert.deepEqual(log.pageErrors, []);
});

test("floating modes shift no host content (CLS 0), even on a page laid out as a flex column with gaps", async () => {
  // The tag's element is the body's last child: in the flow, it would be a flex item with a gap.
  const head = "<style>body { display: flex; flex-direction: column; justify-content: flex-end; gap: 24px; min-height: 100vh; margin: 0 }</style>";
  for (const mode of ["launcher", "modal", "slide_in"]) {
    const url = serve(`/cls-${mode}`, "fb", { mode }, { head });
    const { tab, context } = await watchedPage(b);
    await tab.addInitScript(() => {
      window.cls = 0;
      new PerformanceObserver((l) => l.getEntries().forEach((e) => { if (!e.hadRecentInput) window.cls += e.value; })).observe({ type: "layout-shift", buffered: true });
    });
    await tab.goto(url);
    await tab.locator(mode === "launcher" ? "sayso-survey .sayso-launcher" : "sayso-survey input").first().waitFor({ state: "visible" });
    await tab.waitForLoadState("networkidle");
    assert.equal(await tab.evaluate(() => window.cls), 0, mode);
    assert.equal(await tab.evaluate(() => getComputedStyle(document.querySelector("sayso-survey")).position), "fixed", mode);
    await context.close();
  }
});
