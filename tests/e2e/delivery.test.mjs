// Delivery: zero loss, zero duplicates stored. Between the page and the real collector sits a
// fault-injecting proxy (proxy.mjs) that records every POST of a response; each test checks the
// rows the collector stored and prints one line: how many POSTs of the response reached the
// collector (sent), how many rows it stored, how many of those POSTs it answered "already
// stored" (duplicates); then, in parentheses, every attempt that reached the proxy (with its
// offset from the first) and the time the case took. When the proxy cuts a connection the
// browser had already used, Chromium itself sends the POST once more at once (the page sees one
// request): such pairs of "fetch reset" a few ms apart are one attempt of the widget.
import { test } from "node:test";
import assert from "node:assert/strict";
import { browser, collector, hostPages, noStorage, outboxIds, outcome, page, until, watchedPage, widgetReady } from "./harness.mjs";
import { proxy } from "./proxy.mjs";

const SURVEY = "patient-experience";


async function answer(tab) {
  await tab.locator("sayso-survey input[aria-label='9 out of 10']").click();
  await tab.locator("sayso-survey input[aria-label='4 out of 5']").click();
  await tab.locator("sayso-survey button[type=submit]").click();
}

/** The rows of the survey once at least `count` are stored and each of the `proxies` has
 * passed the collector's answer to every POST it is not holding back (the row is committed a
 * moment before its answer reaches the proxy), waiting at most `ms`. */
function storedRows(c, count, ms, what, ...proxies) {
  return until(async () => {
    const r = await c.stored(SURVEY);
    return r.length >= count && proxies.every((p) => p.settled()) && r;
  }, ms, what);
}

/** The collector, the proxy in front of it, a host page on a third origin whose widget sends
 * through the proxy, and Chromium; `run` gets them all, and everything is closed after. */
async function withSetup(run) {
  const pages = {};
  const host = await hostPages(pages);
  const c = await collector({ allowOrigins: [host.origin] });
  const p = await proxy(c.base);
  pages["/"] = page({ loader: `${c.base}/sayso.js`, attrs: { endpoint: p.endpoint, survey: SURVEY, target: "#feedback" } });
  const b = await browser();
  try {
    await run({ c, p, b, url: host.url("/") });
  } finally {
    await b.close();
    await p.close();
    await host.close();
    await c.close();
  }
}

/** A new page of the survey, answered and sent after `prepare(tab)` and with `faults` queued at
 * the proxy; returns the page, its log and when the answer was sent. */
async function answered(b, url, p, { faults = [], prepare = async () => {} } = {}) {
  const { tab, log } = await watchedPage(b);
  await tab.goto(url);
  await widgetReady(tab);
  await prepare(tab);
  p.faults.push(...faults);
  const start = Date.now();
  await answer(tab);
  return { tab, log, start };
}

/** The one line each case reports; the stored rows are asserted by the caller. */
function report(name, p, id, rows, ms) {
  const n = p.counts(id);
  console.log(
    `delivery ${name}: sent ${n.sent}, stored ${rows.length}, duplicates ${n.duplicates}` +
      ` (attempts: ${n.statuses.join(", ") || "none"}; ${(ms / 1000).toFixed(1)} s)`,
  );
  return n;
}

test("a) offline, then online: the `online` event sends the queued response at once, without a reload", async () => {
  await withSetup(async ({ c, p, b, url }) => {
    const { tab, context, log } = await watchedPage(b);
    const failed = [];
    tab.on("requestfailed", (r) => r.method() === "POST" && failed.push(Date.now()));
    await tab.goto(url);
    await widgetReady(tab);
    await context.setOffline(true);
    const start = Date.now();
    await answer(tab);
    assert.match(await outcome(tab), /could not send/);
    const [id] = await outboxIds(tab);
    assert.ok(id, "the response waits in the outbox");
    // The visitor moves on to the page meanwhile; the thanks that comes later must not pull
    // the focus back into the survey.
    await tab.focus("#host-button");
    // The first retry (backoff: 1 to 2 s) fails too; the next one is at least 2 s away.
    await until(() => failed.length >= 2, 10_000, "the first retry, still offline");
    const retried = failed[1] - failed[0];
    assert.ok(retried >= 900 && retried <= 3_000, `first retry after ${retried} ms`);
    assert.equal(p.posts.length, 0, "nothing left the browser while offline");

    const online = Date.now();
    await context.setOffline(false);
    const rows = await storedRows(c, 1, 10_000, "the response to be stored", p);
    const took = p.posts[0].at - online;
    assert.ok(took < 1_500, `sent ${took} ms after going online: sooner than the next retry`);
    await until(async () => (await outboxIds(tab)).length === 0, 5_000, "the outbox to empty");
    assert.deepEqual(rows.map((r) => r.id), [id]);
    assert.deepEqual(rows[0].answers, { nps: 9, response_time: 4 });
    await until(async () => (await outcome(tab)) === "Thank you!", 5_000, "the visitor to be thanked once it is sent");
    await tab.locator("sayso-survey [aria-live]", { hasText: "Thank you!" }).waitFor();
    assert.equal(await tab.evaluate(() => document.activeElement.id), "host-button");
    const n = report("a) offline then online", p, id, rows, Date.now() - start);
    assert.equal(n.sent, 1);
    assert.equal(n.duplicates, 0);
    assert.deepEqual(log.pageErrors, []);
  });
});

test("b) the endpoint answers 503, then 201: the widget retries by itself and it is stored once", async () => {
  await withSetup(async ({ c, p, b, url }) => {
    const { tab, log, start } = await answered(b, url, p, { faults: ["503"] });
    assert.match(await outcome(tab), /could not send/);
    // Equal jitter: the first retry comes 1 to 2 s after the failure.
    const rows = await storedRows(c, 1, 10_000, "the retry to store the response", p);
    const [first, second] = p.posts;
    assert.equal(first.status, 503);
    assert.equal(second.status, 201);
    const wait = second.at - first.at;
    assert.ok(wait >= 900 && wait <= 3_000, `retried after ${wait} ms`);
    await until(async () => (await outboxIds(tab)).length === 0, 5_000, "the outbox to empty");
    assert.deepEqual(rows.map((r) => r.id), [first.id]);
    const n = report(`b) 503 then 201 (retry after ${wait} ms)`, p, first.id, rows, Date.now() - start);
    assert.deepEqual([n.sent, n.duplicates], [1, 0]);
    assert.deepEqual(log.pageErrors, []);
  });
});

test("b) the collector limits the rate (429, Retry-After): the widget waits as long as it was told, then it is stored once", async () => {
  const pages = {};
  const host = await hostPages(pages);
  // Twelve responses a minute per address: one every 5 s once the burst of twelve is spent.
  const c = await collector({ allowOrigins: [host.origin], rateLimit: 12 });
  pages["/"] = page({ loader: `${c.base}/sayso.js`, attrs: { endpoint: c.endpoint, survey: SURVEY, target: "#feedback" } });
  const b = await browser();
  try {
    const { tab, log } = await watchedPage(b);
    const posts = [];
    tab.on("response", (r) => {
      if (r.request().method() === "POST" && r.url() === `${c.endpoint}/responses`)
        posts.push({ at: Date.now(), status: r.status(), retryAfter: r.headers()["retry-after"] });
    });
    await tab.goto(host.url("/"));
    await widgetReady(tab);
    // This test's requests come from the browser's address too (loopback): spend the burst.
    const spend = () => fetch(`${c.endpoint}/responses`, { method: "POST", headers: { "content-type": "text/plain" }, body: "{}" });
    for (let n = 0; n < 12; n++) assert.notEqual((await spend()).status, 429, "within the burst");
    assert.equal((await spend()).status, 429, "the burst is spent");
    const start = Date.now();
    await answer(tab);
    assert.match(await outcome(tab), /could not send/);
    const rows = await storedRows(c, 1, 15_000, "the retry to store the response");
    // The row is committed a moment before the page sees the answer.
    await until(() => posts.some((x) => x.status === 201), 5_000, "the page to see the 201");
    assert.deepEqual(posts.map((x) => x.status), [429, 201], "one retry, once the wait was over");
    const asked = Number(posts[0].retryAfter) * 1000;
    // The backoff alone would retry after 1 to 2 s: this case tells them apart.
    assert.ok(asked >= 3_000, `Retry-After ${posts[0].retryAfter}`);
    const waited = posts[1].at - posts[0].at;
    assert.ok(waited >= asked - 100 && waited <= asked * 1.2 + 1_000, `retried after ${waited} ms, asked to wait ${asked} ms`);
    await until(async () => (await outboxIds(tab)).length === 0, 5_000, "the outbox to empty");
    await until(async () => (await outcome(tab)) === "Thank you!", 5_000, "the visitor to be thanked once it is sent");
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0].answers, { nps: 9, response_time: 4 });
    console.log(`delivery b) rate limited: sent 2, stored ${rows.length} (429 asked ${asked} ms, retried after ${waited} ms; ${((Date.now() - start) / 1000).toFixed(1)} s)`);
    assert.deepEqual(log.pageErrors, []);
  } finally {
    await b.close();
    await host.close();
    await c.close();
  }
});

test("b) an older response for an endpoint that is gone does not hold back the retry of a new one", async () => {
  await withSetup(async ({ c, p, b, url }) => {
    // Left by a page whose site has since moved its collector: it can never be sent (the port
    // is one browsers refuse), and it stays first in the outbox, oldest first.
    const gone = "00000000-0000-4000-8000-000000000001";
    const prepare = (tab) => tab.evaluate((id) => localStorage.setItem(`sayso:outbox:${id}`, JSON.stringify({
      url: "http://127.0.0.1:1/v1/responses",
      order: 1,
      response: { schema: "sayso.response/v1", id, survey: { id: "patient-experience", version: 1 }, answers: { nps: 3 },
        context: { url: "https://old.example/", locale: "en", started_at: "2026-11-24T10:00:00Z", submitted_at: "2026-11-24T10:00:01Z" } },
    })), gone);
    const { tab, log, start } = await answered(b, url, p, { faults: ["503"], prepare });
    assert.match(await outcome(tab), /could not send/);
    const rows = await storedRows(c, 1, 10_000, "the retry to store the new response", p);
    const id = p.posts[0].id;
    assert.deepEqual(rows.map((r) => r.id), [id]);
    await until(async () => (await outboxIds(tab)).length === 1, 5_000, "the outbox to keep only the old one");
    assert.deepEqual(await outboxIds(tab), [gone]);
    const n = report("b) behind a response for a gone endpoint", p, id, rows, Date.now() - start);
    assert.deepEqual([n.sent, n.duplicates], [1, 0]);
    assert.deepEqual(log.pageErrors, []);
  });
});

test("b) a response stored in the same round does not cancel the retry of one for another endpoint that failed", async () => {
  await withSetup(async ({ c, p, b, url }) => {
    // Left by an earlier page: an older response for another endpoint (a second way to the
    // same collector), which fails once, and a newer one for this page's endpoint. The page's
    // first round sends both: the first fails, the second is stored.
    const other = await proxy(c.base);
    other.faults.push("503");
    const entry = (id, order, endpoint) => ({
      id,
      entry: {
        url: `${endpoint}/responses`,
        order,
        response: { schema: "sayso.response/v1", id, survey: { id: "patient-experience", version: 1 }, answers: { nps: 3 + order, response_time: 2 },
          context: { url: "https://clinic.example/", locale: "en", started_at: "2026-11-24T10:00:00Z", submitted_at: "2026-11-24T10:00:01Z" } },
      },
    });
    const older = entry("00000000-0000-4000-8000-000000000002", 1, other.endpoint);
    const newer = entry("00000000-0000-4000-8000-000000000003", 2, p.endpoint);
    try {
      const { tab, log } = await watchedPage(b);
      await tab.addInitScript((entries) => {
        for (const { id, entry } of entries) localStorage.setItem(`sayso:outbox:${id}`, JSON.stringify(entry));
      }, [older, newer]);
      const start = Date.now();
      await tab.goto(url);
      // The retry of the older one still comes, on this page, without another reload.
      const rows = await storedRows(c, 2, 10_000, "the retry of the other endpoint's response", p, other);
      assert.deepEqual(other.posts.map((x) => x.status), [503, 201]);
      assert.deepEqual(rows.map((r) => r.id).sort(), [older.id, newer.id]);
      const newerAt = p.posts.find((x) => x.id === newer.id).at;
      assert.ok(other.posts[0].at <= newerAt && newerAt < other.posts[1].at, "stored between the failure and the retry");
      await until(async () => (await outboxIds(tab)).length === 0, 5_000, "the outbox to empty");
      const n = report("b) a success beside another endpoint's failure", other, older.id, rows, Date.now() - start);
      assert.deepEqual([n.sent, n.duplicates], [1, 0]);
      assert.deepEqual(log.pageErrors, []);
    } finally {
      await other.close();
    }
  });
});

test("b) the endpoint refuses the response (422): the visitor is told it was not saved, and nothing retries it", async () => {
  await withSetup(async ({ c, p, b, url }) => {
    const { tab, log, start } = await answered(b, url, p, { faults: ["422"] });
    assert.match(await outcome(tab), /refused your answers/);
    assert.equal(await tab.locator("sayso-survey .sayso-outcome button").isVisible(), false, "no retry button");
    await until(async () => (await outboxIds(tab)).length === 0, 5_000, "the outbox to let it go");
    // The refusal is the site owner's to see, once, in the console.
    assert.equal(log.errors.filter((e) => /refused the response \(422\)/.test(e)).length, 1, log.errors.join("\n"));
    assert.deepEqual(await c.stored(SURVEY), []);
    report("b) refused with 422", p, p.posts[0].id, [], Date.now() - start);
    assert.equal(p.posts.length, 1, "not sent again");
    assert.deepEqual(log.pageErrors, []);
  });
});

test("c) the collector is killed mid-request and restarted: the retry stores the response once", async () => {
  await withSetup(async ({ c, p, b, url }) => {
    const { tab, log, start } = await answered(b, url, p, { faults: ["hold"] });
    // The collector has the headers and half of the body when it dies.
    const [held] = await until(() => p.held.length === 1 && p.held, 10_000, "the POST to be held");
    // While the POST is under way the button says so, and the response is already in the outbox.
    const send = tab.locator("sayso-survey button[type=submit]");
    assert.deepEqual([(await send.innerText()).trim(), await send.getAttribute("aria-disabled")], ["Sending…", "true"]);
    assert.deepEqual(await outboxIds(tab), [held.post.id]);
    await c.kill();
    await until(() => held.post.status === "reset", 5_000, "the proxy to fail the request");
    assert.match(await outcome(tab), /could not send/);
    await c.start();
    const rows = await storedRows(c, 1, 20_000, "a retry to store the response", p);
    await until(async () => (await outboxIds(tab)).length === 0, 5_000, "the outbox to empty");
    assert.deepEqual(rows.map((r) => r.id), [held.post.id]);
    const n = report("c) collector killed mid-request", p, held.post.id, rows, Date.now() - start);
    assert.equal(n.sent, 1);
    assert.equal(n.duplicates, 0);
    assert.deepEqual(log.pageErrors, []);
  });
});

test("d) the tab is closed while its POST is held: the beacon stores it, the late POST is a duplicate", async () => {
  await withSetup(async ({ c, p, b, url }) => {
    const { tab, log, start } = await answered(b, url, p, { faults: ["hold"] });
    const [held] = await until(() => p.held.length === 1 && p.held, 10_000, "the POST to be held");
    await tab.close({ runBeforeUnload: true });
    // pagehide: the response whose fetch is under way goes out again by beacon.
    const rows = await storedRows(c, 1, 10_000, "the beacon to store the response", p);
    assert.deepEqual(rows.map((r) => r.id), [held.post.id]);
    const beacon = p.posts.find((x) => x.kind === "beacon");
    assert.equal(beacon?.status, 201, "stored by the beacon");
    // The fetch of the closed tab reaches the collector late: already stored.
    held.release();
    await until(() => held.post.status === 200, 10_000, "the late POST to be answered");
    const after = await c.stored(SURVEY);
    assert.equal(after.length, 1);
    const n = report("d) tab closed during the POST", p, held.post.id, after, Date.now() - start);
    assert.deepEqual([n.sent, n.duplicates], [2, 1]);
    assert.deepEqual(log.pageErrors, []);
  });
});

test("e) two tabs sharing the outbox both send the queued response: stored once", async () => {
  await withSetup(async ({ c, p, b, url }) => {
    const context = await b.newContext();
    const pageErrors = [];
    context.on("page", (t) => t.on("pageerror", (e) => pageErrors.push(e.message)));
    const first = await context.newPage();
    await first.goto(url);
    await widgetReady(first);
    await c.stop();
    const start = Date.now();
    await answer(first);
    assert.match(await outcome(first), /could not send/);
    const [id] = await outboxIds(first);
    assert.ok(id);
    // Leaving, the tab beacons its outbox; the collector is still down.
    await first.close({ runBeforeUnload: true });
    await until(() => p.posts.some((x) => x.kind === "beacon" && x.status === "reset"), 10_000, "the beacon to fail");
    const before = p.posts.length;

    await c.start();
    // Hold both tabs' POSTs until both are under way, so that each tab reads the response from
    // the shared outbox before either has it acknowledged.
    p.faults.push("hold", "hold");
    const [one, two] = [await context.newPage(), await context.newPage()];
    await Promise.all([one.goto(url), two.goto(url)]);
    await until(() => p.held.length === 2, 15_000, "both tabs to send");
    assert.deepEqual(p.held.map((h) => h.post.id), [id, id]);
    const held = [...p.held];
    for (const h of held) h.release();
    await until(() => held.every((h) => typeof h.post.status === "number"), 10_000, "both answers");
    assert.deepEqual(held.map((h) => h.post.status).sort(), [200, 201]);
    await until(async () => (await outboxIds(one)).length === 0, 5_000, "the outbox to empty");
    assert.deepEqual(await outboxIds(two), []);
    const rows = await c.stored(SURVEY);
    assert.deepEqual(rows.map((r) => r.id), [id]);
    assert.equal(p.posts.length - before, 2, "one POST per tab");
    const n = report("e) two tabs", p, id, rows, Date.now() - start);
    assert.deepEqual([n.sent, n.duplicates], [2, 1]);
    assert.deepEqual(pageErrors, []);
  });
});

test("f) storage disabled: the survey loads, submits and is stored, with one warning and no error", async () => {
  await withSetup(async ({ c, p, b, url }) => {
    const { tab, log } = await noStorage(b);
    await tab.goto(url);
    await widgetReady(tab);
    assert.equal(await tab.evaluate(() => { try { localStorage; return "usable"; } catch { return "throws"; } }), "throws");
    const start = Date.now();
    await answer(tab);
    assert.equal(await outcome(tab), "Thank you!");
    const rows = await c.stored(SURVEY);
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0].answers, { nps: 9, response_time: 4 });
    const n = report("f) storage disabled", p, rows[0].id, rows, Date.now() - start);
    assert.deepEqual([n.sent, n.duplicates], [1, 0]);
    assert.deepEqual(log.pageErrors, []);
    assert.deepEqual(log.errors, []);
    const warnings = log.warnings.filter((w) => w.startsWith("Sayso:"));
    assert.ok(warnings.length <= 1, warnings.join("\n"));
  });
});

/** A page whose origin's localStorage the host's own data has filled to its real quota before
 * any script of the page runs: no write of more than a few bytes fits. */
async function fullStorage(b) {
  const watched = await watchedPage(b);
  await watched.context.addInitScript(() => {
    if (localStorage.length) return;
    for (let size = 1 << 20, i = 0; size >= 1; ) {
      try {
        localStorage.setItem(`host-data-${i++}`, "x".repeat(size));
      } catch (e) {
        if (e.name !== "QuotaExceededError") throw e;
        size >>= 1;
      }
    }
  });
  return watched;
}

/** How many characters the page's localStorage holds, keys and values. */
const storedCharacters = (tab) =>
  tab.evaluate(() => Object.keys(localStorage).reduce((n, k) => n + k.length + localStorage.getItem(k).length, 0));

for (const fault of [null, "503"]) {
  test(`f) storage full${fault ? ", and the first attempt fails" : ""}: the response is sent${fault ? " by the retry from memory" : ""} and stored once, with one warning`, async () => {
    await withSetup(async ({ c, p, b, url }) => {
      const { tab, log } = await fullStorage(b);
      await tab.goto(url);
      await widgetReady(tab);
      const filled = await storedCharacters(tab);
      assert.ok(filled > 1_000_000, `filled ${filled} characters`);
      const quota = await tab.evaluate(() => {
        try {
          localStorage.setItem("probe", "x".repeat(100));
          return "fits";
        } catch (e) {
          return e.name;
        }
      });
      assert.equal(quota, "QuotaExceededError");
      if (fault) p.faults.push(fault);
      const start = Date.now();
      await answer(tab);
      if (fault) assert.match(await outcome(tab), /could not send/);
      const rows = await storedRows(c, 1, 10_000, "the response to be stored", p);
      assert.equal(rows.length, 1);
      assert.deepEqual(rows[0].answers, { nps: 9, response_time: 4 });
      await until(async () => (await outcome(tab)) === "Thank you!", 5_000, "the visitor to be thanked");
      // Nothing of the widget's found room (not even the visitor memory), and the host's data
      // is untouched.
      assert.deepEqual((await tab.evaluate(() => Object.keys(localStorage))).filter((k) => !k.startsWith("host-data-")), []);
      assert.equal(await storedCharacters(tab), filled);
      const n = report(`f) storage full${fault ? ", 503 then retry" : ""}`, p, rows[0].id, rows, Date.now() - start);
      assert.deepEqual([n.sent, n.duplicates], [1, 0]);
      assert.deepEqual(log.pageErrors, []);
      assert.deepEqual(log.errors.filter((e) => e.startsWith("Sayso:")), []);
      const warnings = log.warnings.filter((w) => w.startsWith("Sayso:"));
      assert.equal(warnings.length, 1, warnings.join("\n"));
      assert.match(warnings[0], /cannot store data \(storage blocked or full\)/);
    });
  });
}

test("f) storage disabled and the first attempt fails: the retry works from memory", async () => {
  await withSetup(async ({ c, p, b, url }) => {
    const { tab, log } = await noStorage(b);
    await tab.goto(url);
    await widgetReady(tab);
    p.faults.push("503");
    const start = Date.now();
    await answer(tab);
    assert.match(await outcome(tab), /could not send/);
    const rows = await storedRows(c, 1, 10_000, "the retry to store the response", p);
    assert.equal(rows.length, 1);
    const n = report("f) storage disabled, 503 then retry", p, rows[0].id, rows, Date.now() - start);
    assert.deepEqual([n.sent, n.duplicates], [1, 0]);
    assert.deepEqual(log.pageErrors, []);
    // The browser reports the 503 itself ("Failed to load resource"); the widget says nothing.
    assert.deepEqual(log.errors.filter((e) => e.startsWith("Sayso:")), []);
    const warnings = log.warnings.filter((w) => w.startsWith("Sayso:"));
    assert.equal(warnings.length, 1, warnings.join("\n"));
  });
});
