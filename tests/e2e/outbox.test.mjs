// Never lose a response: it waits in the outbox while the collector is down and is stored
// exactly once after it comes back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT, browser, collector, outboxIds, outcome, until, watchedPage, widgetReady } from "./harness.mjs";


async function answer(tab) {
  await tab.locator("sayso-survey input[aria-label='9 out of 10']").click();
  await tab.locator("sayso-survey input[aria-label='5 out of 5']").click();
  await tab.locator("sayso-survey button[type=submit]").click();
}

test("collector down: the response stays in the outbox; after a restart and a reload it is stored exactly once", async () => {
  const c = await collector({ demoPage: join(ROOT, "index.html") });
  const b = await browser();
  try {
    const { tab, log } = await watchedPage(b);
    await tab.goto(`${c.base}/`);
    await widgetReady(tab);
    await c.stop();
    await answer(tab);
    assert.match(await outcome(tab), /could not send/);
    const queued = await outboxIds(tab);
    assert.equal(queued.length, 1);

    await c.start();
    await tab.reload();
    await until(async () => (await outboxIds(tab)).length === 0, 15_000, "the outbox to empty");
    const rows = await c.stored("patient-experience");
    assert.deepEqual(rows.map((r) => r.id), queued);
    assert.deepEqual(rows[0].answers, { nps: 9, response_time: 5 });

    // Loading the page again sends nothing more.
    await tab.reload();
    await widgetReady(tab);
    assert.equal((await c.stored("patient-experience")).length, 1);
    assert.deepEqual(log.pageErrors, []);
  } finally {
    await b.close();
    await c.close();
  }
});

test("collector down: the retry button sends the same response once the collector is back", async () => {
  const c = await collector({ demoPage: join(ROOT, "index.html") });
  const b = await browser();
  try {
    const { tab, log } = await watchedPage(b);
    const failed = [];
    tab.on("requestfailed", (r) => r.method() === "POST" && failed.push(Date.now()));
    await tab.goto(`${c.base}/`);
    await widgetReady(tab);
    await c.stop();
    await answer(tab);
    await outcome(tab);
    const [id] = await outboxIds(tab);
    // The first automatic retry (1 to 2 s later) fails too, so that the next one is at least
    // 2 s away: the click below, not a retry of the widget's own, is what sends it.
    await until(() => failed.length >= 2, 10_000, "the first automatic retry, still down");
    await c.start();
    await tab.locator("sayso-survey .sayso-outcome button").click();
    await tab.locator("sayso-survey .sayso-outcome h2", { hasText: "Thank you!" }).waitFor({ timeout: 10_000 });
    await until(async () => (await outboxIds(tab)).length === 0, 10_000, "the outbox to empty");
    assert.deepEqual((await c.stored("patient-experience")).map((r) => r.id), [id]);
    assert.deepEqual(log.pageErrors, []);
  } finally {
    await b.close();
    await c.close();
  }
});
