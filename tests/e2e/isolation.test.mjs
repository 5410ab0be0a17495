// Style isolation both ways: a hostile host stylesheet changes nothing in the widget, and the
// widget's styles change nothing on the host page. The tag included twice makes one widget.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { page, stage, watchedPage, widgetReady } from "./harness.mjs";

const HOSTILE = `<style>* { all: unset !important; } button { display: none !important; }
  input { width: 1px !important; height: 1px !important; } body { font-size: 40px; color: red; }</style>`;

let staged, c, host, b;
const pages = {};
before(async () => {
  staged = await stage(pages);
  ({ c, host, b } = staged);
  const attrs = { endpoint: c.endpoint, survey: "patient-experience", target: "#feedback" };
  pages["/plain"] = page({ loader: `${c.base}/sayso.js`, attrs });
  pages["/hostile"] = page({ loader: `${c.base}/sayso.js`, attrs, head: HOSTILE });
  pages["/hostile-no-widget"] = page({ loader: `${c.base}/sayso.js`, attrs, head: HOSTILE, tag: false });
  pages["/no-widget"] = page({ loader: `${c.base}/sayso.js`, attrs, tag: false });
  pages["/twice"] = page({ loader: `${c.base}/sayso.js`, attrs, body: `<script async src="${c.base}/sayso.js" data-endpoint="${c.endpoint}" data-survey="patient-experience" data-target="#feedback"></script>` });
});
after(() => staged?.close());

/** Boxes and key computed styles of the widget's parts. */
const widgetLook = (tab) =>
  tab.evaluate(() => {
    const root = document.querySelector("sayso-survey").shadowRoot;
    const look = (selector) => {
      const e = root.querySelector(selector);
      const s = getComputedStyle(e);
      const r = e.getBoundingClientRect();
      return { w: Math.round(r.width), h: Math.round(r.height), display: s.display, font: s.fontSize, color: s.color, bg: s.backgroundColor };
    };
    return {
      card: look(".sayso-card"),
      title: look(".sayso-title"),
      option: look(".sayso-option"),
      textarea: look("textarea"),
      button: look("button[type=submit]"),
    };
  });

/** Computed styles of the host page's own elements. */
const hostLook = (tab) =>
  tab.evaluate(() =>
    ["h1", "#para", "#host-button", "body"].map((selector) => {
      const s = getComputedStyle(document.querySelector(selector));
      return [selector, s.display, s.fontSize, s.fontFamily, s.color, s.margin, s.padding, s.backgroundColor].join(" | ");
    }),
  );

test("a hostile host stylesheet changes nothing in the widget", async () => {
  const { tab: plain, log: plainLog } = await watchedPage(b);
  await plain.goto(host.url("/plain"));
  await widgetReady(plain);
  const { tab: hostile, log } = await watchedPage(b);
  await hostile.goto(host.url("/hostile"));
  await widgetReady(hostile);
  const expected = await widgetLook(plain);
  assert.equal(expected.button.display, "block");
  assert.ok(expected.option.w >= 44 && expected.option.h >= 44, JSON.stringify(expected.option));
  assert.deepEqual(await widgetLook(hostile), expected);
  assert.deepEqual([...log.pageErrors, ...plainLog.pageErrors], []);
});

test("the widget's styles change nothing on the host page", async () => {
  for (const [withWidget, without] of [["/plain", "/no-widget"], ["/hostile", "/hostile-no-widget"]]) {
    const { tab: a } = await watchedPage(b);
    await a.goto(host.url(without));
    const expected = await hostLook(a);
    const { tab } = await watchedPage(b);
    await tab.goto(host.url(withWidget));
    await widgetReady(tab);
    assert.deepEqual(await hostLook(tab), expected, withWidget);
    // No stylesheet was added to the document, constructed or not.
    const sheets = await tab.evaluate(() => [document.styleSheets.length, document.adoptedStyleSheets.length]);
    assert.deepEqual(sheets, [await a.evaluate(() => document.styleSheets.length), 0]);
  }
});

test("the tag included twice makes one widget and no error", async () => {
  const { tab, log } = await watchedPage(b);
  await tab.goto(host.url("/twice"));
  await widgetReady(tab);
  await tab.waitForLoadState("networkidle");
  assert.equal(await tab.locator("sayso-survey").count(), 1);
  assert.deepEqual(log.pageErrors, []);
  assert.deepEqual(log.errors, []);
});
