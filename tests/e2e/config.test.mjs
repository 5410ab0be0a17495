// The options may come from `window.saysoConfig` as well as from the tag's data-* attributes;
// an attribute wins over the same key in saysoConfig.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { outcome, page, stage, until, watchedPage, widgetReady } from "./harness.mjs";

const pages = {};
let staged, c, host, b;
before(async () => {
  staged = await stage(pages);
  ({ c, host, b } = staged);
});
after(() => staged?.close());

test("window.saysoConfig configures the widget, and the tag's attributes win over it", async () => {
  const global = { endpoint: c.endpoint, survey: "patient-experience", target: "#elsewhere" };
  pages["/global"] = page({
    loader: `${c.base}/sayso.js`,
    attrs: { target: "#feedback" },
    body: `<div id="elsewhere"></div><script>window.saysoConfig = ${JSON.stringify(global)};</script>`,
  });
  const { tab, log } = await watchedPage(b);
  await tab.goto(host.url("/global"));
  await widgetReady(tab);
  // The widget went where the attribute said, not where saysoConfig said.
  assert.equal(await tab.locator("#feedback sayso-survey").count(), 1);
  assert.equal(await tab.locator("#elsewhere sayso-survey").count(), 0);
  await tab.locator("sayso-survey input[aria-label='8 out of 10']").click();
  await tab.locator("sayso-survey input[aria-label='5 out of 5']").click();
  await tab.locator("sayso-survey button[type=submit]").click();
  assert.equal(await outcome(tab), "Thank you!");
  // Endpoint and survey came from saysoConfig alone.
  const rows = await until(async () => {
    const r = await c.stored("patient-experience");
    return r.length > 0 && r;
  }, 10_000, "the response to be stored");
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0].answers, { nps: 8, response_time: 5 });
  assert.deepEqual(log.pageErrors, []);
  assert.deepEqual(log.errors, []);
});
