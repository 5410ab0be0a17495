// The endpoint need not be the collector: a site owner's own backend that serves the survey
// definition and accepts the documented JSON works the same.
import { test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { ROOT, browser, collector, freePort, hostPages, outcome, page, until, watchedPage, widgetReady } from "./harness.mjs";

/** A minimal receiver, as a site owner might write one: CORS for any origin, 201 on POST. */
async function receiver(prefix = "/api/feedback") {
  const received = [];
  const port = await freePort();
  const server = createServer((req, res) => {
    const cors = { "access-control-allow-origin": "*" };
    if (req.method === "GET" && req.url === `${prefix}/surveys/patient-experience`) {
      res.writeHead(200, { ...cors, "content-type": "application/json" });
      return res.end(readFileSync(join(ROOT, "surveys/patient-experience.json")));
    }
    if (req.method === "POST" && req.url === `${prefix}/responses`) {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        received.push({ contentType: req.headers["content-type"], cookie: req.headers.cookie, body: JSON.parse(body) });
        res.writeHead(201, cors).end();
      });
      return;
    }
    res.writeHead(404, cors).end();
  });
  server.listen(port, "127.0.0.1");
  await once(server, "listening");
  return { endpoint: `http://127.0.0.1:${port}${prefix}`, received, close: () => new Promise((r) => server.close(r)) };
}

/**
 * The widget's files from a collector, a `receiver(prefix)` as the endpoint, host pages at the
 * paths of `endpoints` with a tag for the endpoint each makes of the receiver's, and a browser:
 * `run` gets them, and all are closed after.
 */
async function withReceiver(prefix, endpoints, run) {
  const assets = await collector(); // only serves the widget's files here
  const own = await receiver(prefix);
  const tag = (endpoint) => page({ loader: `${assets.base}/sayso.js`, attrs: { endpoint, survey: "patient-experience", target: "#feedback" } });
  const host = await hostPages(Object.fromEntries(Object.entries(endpoints).map(([path, endpoint]) => [path, tag(endpoint(own.endpoint))])));
  const b = await browser();
  try {
    await run({ own, host, b });
  } finally {
    await b.close();
    await host.close();
    await own.close();
    await assets.close();
  }
}

test("a site owner's own endpoint receives the documented response v1, once, without cookies", async () => {
  await withReceiver("/api/feedback", { "/": (endpoint) => endpoint }, async ({ own, host, b }) => {
    const { tab, log, context } = await watchedPage(b);
    await context.addCookies([{ name: "session", value: "secret", url: host.url("/") }]);
    await tab.goto(host.url("/?patient=1234#top"));
    await widgetReady(tab);
    await tab.locator("sayso-survey input[aria-label='6 out of 10']").click();
    await tab.locator("sayso-survey input[aria-label='2 out of 5']").click();
    await tab.locator("sayso-survey textarea").last().fill("Hold music was too long.");
    await tab.locator("sayso-survey button[type=submit]").click();
    assert.equal(await outcome(tab), "Thank you!");

    assert.equal(own.received.length, 1);
    const { body, contentType, cookie } = own.received[0];
    assert.equal(contentType, "text/plain;charset=UTF-8");
    assert.equal(cookie, undefined);
    assert.equal(body.schema, "sayso.response/v1");
    assert.match(body.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual(body.survey, { id: "patient-experience", version: 1 });
    assert.deepEqual(body.answers, { nps: 6, response_time: 2, comment: "Hold music was too long." });
    assert.equal(body.partial, false);
    // The page's query string (here a patient number) and fragment are not sent.
    assert.equal(body.context.url, host.url("/"));
    assert.equal(body.context.locale, "en");
    assert.deepEqual(Object.keys(body.context).sort(), ["attributes", "locale", "referrer", "started_at", "submitted_at", "url"]);
    assert.deepEqual(log.pageErrors, []);
    assert.deepEqual(log.errors, []);
  });
});

test("leaving the page: the partial response goes out without the endpoint's cookies", async () => {
  // The endpoint's host has a session cookie (as a site owner's own domain would): a beacon
  // would carry it and tie the answers to the session.
  await withReceiver("/api/feedback", { "/": (endpoint) => endpoint }, async ({ own, host, b }) => {
    const { tab, context } = await watchedPage(b);
    await context.addCookies([{ name: "session", value: "secret", url: own.endpoint }]);
    await tab.goto(host.url("/"));
    await widgetReady(tab);
    await tab.locator("sayso-survey input[aria-label='6 out of 10']").click();
    await tab.close({ runBeforeUnload: true });
    const sent = await until(() => own.received.find((r) => r.body.partial), 10_000, "the partial response");
    assert.deepEqual(sent.body.answers, { nps: 6 });
    assert.equal(sent.cookie, undefined);
  });
});

test("an endpoint at the root of its origin, with or without the final slash", async () => {
  const endpoints = { "/bare": (endpoint) => endpoint, "/slash": (endpoint) => `${endpoint}/` };
  await withReceiver("", endpoints, async ({ own, host, b }) => {
    for (const path of ["/bare", "/slash"]) {
      const { tab, log, context } = await watchedPage(b);
      await tab.goto(host.url(path));
      await widgetReady(tab);
      await tab.locator("sayso-survey input[aria-label='6 out of 10']").click();
      await tab.locator("sayso-survey input[aria-label='2 out of 5']").click();
      await tab.locator("sayso-survey button[type=submit]").click();
      assert.equal(await outcome(tab), "Thank you!", path);
      assert.deepEqual(log.errors, [], path);
      await context.close();
    }
    assert.equal(own.received.length, 2);
  });
});

test("the widget's files load from any static host, even one that serves wasm untyped and uncompressed", async () => {
  // The loader finds the widget next to itself, whatever the host; this one sends no
  // application/wasm type, so the wasm cannot be compiled as it streams.
  const dist = join(ROOT, "dist");
  const manifest = JSON.parse(readFileSync(join(dist, "manifest.json"), "utf8"));
  const file = (name, type) => ({ html: readFileSync(join(dist, name)), headers: { "content-type": type } });
  const pages = {
    [`/static/${manifest.loader}`]: file(manifest.loader, "text/javascript"),
    [`/static/${manifest.glue}`]: file(manifest.glue, "text/javascript"),
    [`/static/${manifest.wasm}`]: file(manifest.wasm, "application/octet-stream"),
  };
  const host = await hostPages(pages);
  const own = await receiver();
  pages["/"] = page({ loader: "/static/sayso.js", attrs: { endpoint: own.endpoint, survey: "patient-experience", target: "#feedback" } });
  const b = await browser();
  try {
    const { tab, log } = await watchedPage(b);
    const wasmRequests = [];
    tab.on("request", (r) => r.url().endsWith(".wasm") && wasmRequests.push(r.url()));
    await tab.goto(host.url("/"));
    await widgetReady(tab);
    await tab.locator("sayso-survey input[aria-label='9 out of 10']").click();
    await tab.locator("sayso-survey input[aria-label='4 out of 5']").click();
    await tab.locator("sayso-survey button[type=submit]").click();
    assert.equal(await outcome(tab), "Thank you!");
    assert.equal(own.received.length, 1);
    assert.deepEqual(own.received[0].body.answers, { nps: 9, response_time: 4 });
    // The streamed compile failed on the type, and the widget fell back to fetching it itself.
    assert.equal(wasmRequests.length, 2);
    assert.ok(log.warnings.some((w) => /application\/wasm/.test(w)), log.warnings.join("\n"));
    assert.deepEqual(log.pageErrors, []);
    assert.deepEqual(log.errors, []);
  } finally {
    await b.close();
    await host.close();
    await own.close();
  }
});
