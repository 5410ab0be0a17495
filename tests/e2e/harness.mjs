// Shared pieces of the end-to-end tests: the real collector as a child process with its own
// SQLite file, a static server for host pages on another origin, and headless Chromium.
// Started by `cargo xtask test` (step e2e), which sets SAYSO_ROOT, SAYSO_COLLECTOR and CHROMIUM.

import { spawn } from "node:child_process";
import { once } from "node:events";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const ROOT = process.env.SAYSO_ROOT;
const COLLECTOR = process.env.SAYSO_COLLECTOR;
export const TOKEN = "e2e-admin-passphrase";

/** A port nothing listens on right now. */
export async function freePort() {
  const s = createServer();
  s.listen(0, "127.0.0.1");
  await once(s, "listening");
  const { port } = s.address();
  s.close();
  await once(s, "close");
  return port;
}

/** Poll `check` (async, truthy when done) every 50 ms for at most `ms`. */
export async function until(check, ms = 10_000, what = "condition") {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The collector, on its own port and database. `stop()` ends it (SIGTERM), `kill()` kills it
 * (SIGKILL), `start()` starts it again on the same port and database.
 */
export async function collector({ surveys = join(ROOT, "surveys"), allowOrigins = [], demoPage, demoDir, rateLimit } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "sayso-e2e-"));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let child = null;
  const args = () => [
    "--listen", `127.0.0.1:${port}`,
    "--database", join(dir, "responses.db"),
    "--surveys", surveys,
    "--dist", join(ROOT, "dist"),
    ...(demoPage ? ["--demo-page", demoPage] : []),
    ...(demoDir ? ["--demo-dir", demoDir] : []),
    ...allowOrigins.flatMap((o) => ["--allow-origin", o]),
    ...(rateLimit ? ["--rate-limit", String(rateLimit)] : []),
  ];
  const c = {
    base,
    endpoint: `${base}/v1`,
    async start() {
      child = spawn(COLLECTOR, args(), { env: { ...process.env, SAYSO_ADMIN_TOKEN: TOKEN, RUST_LOG: "warn" }, stdio: ["ignore", "inherit", "inherit"] });
      await until(async () => (await fetch(`${base}/healthz`).catch(() => null))?.ok, 15_000, "the collector to listen");
    },
    async stop(signal = "SIGTERM") {
      if (!child) return;
      const exited = once(child, "exit");
      child.kill(signal);
      await exited;
      child = null;
    },
    kill() {
      return c.stop("SIGKILL");
    },
    /** Every stored response of `survey`, oldest first, as the dashboard exports them. */
    async stored(survey) {
      const r = await fetch(`${base}/admin/export.ndjson?survey=${survey}`, {
        headers: { authorization: "Basic " + Buffer.from(`admin:${TOKEN}`).toString("base64") },
      });
      if (!r.ok) throw new Error(`export answered ${r.status}`);
      return (await r.text()).split("\n").filter(Boolean).map((l) => JSON.parse(l));
    },
    async close() {
      await c.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await c.start();
  return c;
}

/**
 * A static server for host pages, on its own origin: `pages` maps a path to HTML, to a
 * function of the request returning HTML, or to `{ html, headers }`.
 */
export async function hostPages(pages) {
  const port = await freePort();
  const server = createServer((req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    // Browsers ask for an icon; a 404 would be a console error that is not the widget's.
    if (path === "/favicon.ico") return res.writeHead(204).end();
    const page = pages[path];
    if (page === undefined) return res.writeHead(404).end();
    const { html, headers } = typeof page === "object" ? page : { html: typeof page === "function" ? page(req) : page, headers: {} };
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", ...headers }).end(html);
  });
  server.listen(port, "127.0.0.1");
  await once(server, "listening");
  return {
    origin: `http://127.0.0.1:${port}`,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    close: () => new Promise((r) => server.close(r)),
  };
}

/** A host page embedding the widget with the one tag; `attrs` become data-* attributes. */
export function page({ loader, attrs = {}, head = "", body = "", tag = true }) {
  const data = Object.entries(attrs)
    .map(([k, v]) => ` data-${k}="${String(v).replace(/"/g, "&quot;")}"`)
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title>${head}</head><body>
<main><h1>Host page</h1><p id="para">Host content.</p><button id="host-button">Host button</button>
<div id="feedback"></div>${body}</main>
${tag ? `<script async src="${loader}"${data}></script>` : ""}
</body></html>`;
}

/**
 * What most suites share: host pages served from `pages`, a collector that accepts answers from
 * them, and a browser. `surveys` maps a survey id to its definition (an object, or the path of a
 * JSON file); without it the collector serves the demo surveys. `close()` stops all three.
 */
export async function stage(pages, surveys) {
  let dir;
  if (surveys) {
    dir = mkdtempSync(join(tmpdir(), "sayso-surveys-"));
    for (const [id, s] of Object.entries(surveys)) {
      const file = join(dir, `${id}.json`);
      typeof s === "string" ? copyFileSync(s, file) : writeFileSync(file, JSON.stringify(s));
    }
  }
  const host = await hostPages(pages);
  const c = await collector({ surveys: dir, allowOrigins: [host.origin] });
  const b = await browser();
  return {
    c,
    host,
    b,
    async close() {
      await b.close();
      await c.close();
      await host.close();
    },
  };
}

/** Headless Chromium as this machine needs it. */
export async function browser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}

/** The ids of the responses in the page's outbox (one `sayso:outbox:<id>` key each), oldest first. */
export function outboxIds(tab) {
  return tab.evaluate(() =>
    Object.keys(localStorage)
      .filter((k) => k.startsWith("sayso:outbox:"))
      .map((k) => JSON.parse(localStorage.getItem(k)))
      .sort((a, b) => a.order - b.order)
      .map((p) => p.response.id),
  );
}

/** A new page that records console messages and uncaught errors. */
export async function watchedPage(b, options = {}) {
  const context = await b.newContext(options);
  const tab = await context.newPage();
  const log = { errors: [], warnings: [], pageErrors: [] };
  tab.on("console", (m) => {
    if (m.type() === "error") log.errors.push(m.text());
    if (m.type() === "warning") log.warnings.push(m.text());
  });
  tab.on("pageerror", (e) => log.pageErrors.push(e.message));
  return { tab, context, log };
}

/** Wait until the widget shows its questions. */
/** A watched page whose localStorage is blocked (as in some private modes): even reading the
 * property throws. */
export async function noStorage(b, options = {}) {
  const watched = await watchedPage(b, options);
  await watched.context.addInitScript(() =>
    Object.defineProperty(window, "localStorage", {
      get() {
        throw new DOMException("denied", "SecurityError");
      },
    }),
  );
  return watched;
}

export async function widgetReady(tab) {
  await tab.locator("sayso-survey input").first().waitFor({ state: "visible", timeout: 20_000 });
}

/** Wait until the widget shows its outcome (thank you, or error with retry). */
export async function outcome(tab) {
  const heading = tab.locator("sayso-survey .sayso-outcome:not([hidden]) h2");
  await heading.waitFor({ state: "visible", timeout: 20_000 });
  return heading.innerText();
}

/** axe-core's WCAG 2.0/2.1/2.2 A and AA rules on the whole page, shadow root included; the
 * violations, one line each (also printed, so that the test output reports the count). */
export async function axe(tab, label) {
  await tab.addScriptTag({ path: join(ROOT, "node_modules/axe-core/axe.min.js") });
  const violations = await tab.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
    });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => JSON.stringify(n.target)).join(", ")}`);
  });
  console.log(`axe ${label}: ${violations.length} violations${violations.length ? "\n  " + violations.join("\n  ") : ""}`);
  return violations;
}
