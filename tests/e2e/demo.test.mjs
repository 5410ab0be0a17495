// The demo clinic page, answered with mouse and keyboard, stores exactly those answers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT, browser, collector, outboxIds, outcome, until, watchedPage, widgetReady } from "./harness.mjs";

test("demo page: answer with mouse and keyboard, submit, the stored row has exactly those answers", async () => {
  const c = await collector({ demoPage: join(ROOT, "index.html") });
  const b = await browser();
  try {
    const { tab, log } = await watchedPage(b);
    await tab.goto(`${c.base}/`);
    await widgetReady(tab);

    // Mouse: NPS 8.
    await tab.locator("sayso-survey input[aria-label='8 out of 10']").click();
    // Keyboard from here on: Tab into the star group, Space picks the first star, arrows move.
    await tab.keyboard.press("Tab");
    await tab.keyboard.press("Space");
    for (let i = 0; i < 3; i++) await tab.keyboard.press("ArrowRight");
    await tab.keyboard.press("Tab");
    await tab.keyboard.type("Being part of every decision about my treatment.");
    await tab.keyboard.press("Tab");
    await tab.keyboard.type("Ana, patient");
    await tab.keyboard.press("Tab");
    await tab.keyboard.press("Space");
    await tab.keyboard.press("Tab");
    await tab.keyboard.type("The nurse called back within the hour.");
    await tab.keyboard.press("Tab");
    await tab.keyboard.press("Enter");

    assert.equal(await outcome(tab), "Thank you!");
    const rows = await c.stored("patient-experience");
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0].answers, {
      nps: 8,
      response_time: 4,
      engagement: { text: "Being part of every decision about my treatment.", attribution: "Ana, patient", publish: true },
      comment: "The nurse called back within the hour.",
    });
    assert.equal(rows[0].partial, false);
    assert.equal(rows[0].context.url, `${c.base}/`);
    assert.deepEqual(log.pageErrors, []);
    assert.deepEqual(log.errors, []);
  } finally {
    await b.close();
    await c.close();
  }
});

test("demo pages: the same survey behind a launcher, and as a dialog opened with Sayso.open()", async () => {
  const c = await collector({ demoPage: join(ROOT, "index.html"), demoDir: join(ROOT, "demo") });
  const b = await browser();
  try {
    const { tab, log } = await watchedPage(b);
    await tab.goto(`${c.base}/demo/appointments.html`);
    const launcher = tab.getByRole("button", { name: "Feedback" });
    await launcher.click();
    await tab.locator("sayso-survey input[aria-label='9 out of 10']").click();
    await tab.keyboard.press("Escape");
    await launcher.waitFor({ state: "visible" });

    // The nav link to the other page; its button calls the JS API.
    await tab.getByRole("link", { name: "Prescriptions" }).click();
    await tab.getByRole("button", { name: "Open it now" }).click();
    const dialog = tab.getByRole("dialog");
    await dialog.locator("input[aria-label='10 out of 10']").click();
    await dialog.locator("input[aria-label='5 out of 5']").click();
    await dialog.locator("button[type=submit]").click();
    assert.equal(await outcome(tab), "Thank you!");
    // The answer left behind on the first page arrived as a partial response, beside the full one.
    const rows = await until(async () => {
      const r = await c.stored("patient-experience");
      return r.length === 2 && r;
    }, 10_000, "a partial and a complete response");
    const summary = rows.map((r) => [r.context.url.replace(c.base, ""), r.partial, r.answers]);
    assert.deepEqual(summary.sort(), [
      ["/demo/appointments.html", true, { nps: 9 }],
      ["/demo/prescriptions.html", false, { nps: 10, response_time: 5 }],
    ]);
    assert.deepEqual(log.pageErrors, []);
    assert.deepEqual(log.errors, []);
  } finally {
    await b.close();
    await c.close();
  }
});

test("demo page: a required question left empty is flagged, announced and focused; nothing is sent", async () => {
  const c = await collector({ demoPage: join(ROOT, "index.html") });
  const b = await browser();
  try {
    const { tab, log } = await watchedPage(b);
    await tab.goto(`${c.base}/`);
    await widgetReady(tab);
    await tab.locator("sayso-survey input[aria-label='3 out of 5']").click();
    await tab.locator("sayso-survey button[type=submit]").click();
    const issue = tab.locator("sayso-survey #sayso-nps-issue");
    await issue.waitFor({ state: "visible" });
    assert.equal(await issue.innerText(), "Please answer this question.");
    assert.equal(await tab.locator("sayso-survey [aria-live]").innerText(), "Please answer this question.");
    const focused = await tab.evaluate(() => document.querySelector("sayso-survey").shadowRoot.activeElement?.getAttribute("name"));
    assert.equal(focused, "nps");
    // Nothing stored, and nothing on its way: a response is written to the outbox before it is
    // sent, so an empty outbox now means none will arrive later.
    assert.deepEqual(await c.stored("patient-experience"), []);
    assert.deepEqual(await outboxIds(tab), []);
    // Answering it clears the message at once.
    await tab.locator("sayso-survey input[aria-label='10 out of 10']").click();
    await issue.waitFor({ state: "hidden" });
    assert.deepEqual(log.pageErrors, []);
  } finally {
    await b.close();
    await c.close();
  }
});
