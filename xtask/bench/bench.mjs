// Side-by-side bench of Sayso and the reference survey page, in one headless Chromium run with
// the CPU throttled 4x, pages alternating. Started by `cargo xtask bench`, which builds the
// widget, starts the collectors and prepares the reference; run directly with the same
// environment variables if you like:
//   PAGES='[{"name":..., "url":..., "ready":"sayso"|"surveyjs"}]' CHROMIUM=... RUNS=5 node bench.mjs
//
// Per page load it records: time from navigation until the first question is visible and can
// be clicked, total blocking time (sum over long tasks of their length past 50 ms, until the
// page is ready and the network is idle), bytes transferred (encoded), used JS heap, and
// uncaught page errors; and, to show where the time went, when the page was parsed
// (DOMContentLoaded) and when its last script or wasm file arrived. It prints medians (and the
// fastest and slowest load until ready) and the ratios against the reference, for a first
// visit (nothing cached) and for a repeat visit of the same page (see `measure`).

import { launch, waitReady } from "./common.mjs";

const pages = JSON.parse(process.env.PAGES);
const runs = Number(process.env.RUNS || 5);

const OBSERVE_LONG_TASKS = () => {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push(e.duration);
  }).observe({ type: "longtask", buffered: true });
};

// One load of `page` in `tab`, measured as described above.
async function visit(tab, cdp, page) {
  let bytes = 0;
  const count = (e) => (bytes += e.encodedDataLength);
  cdp.on("Network.loadingFinished", count);
  let errors = 0;
  const error = () => errors++;
  tab.on("pageerror", error);
  await tab.goto(page.url, { waitUntil: "commit" });
  const ready = await waitReady(cdp, page.ready);
  await tab.waitForLoadState("networkidle").catch(() => console.error(`${page.name}: network not idle after 30 s`));
  const longTasks = await tab.evaluate(() => window.__longTasks);
  // Where the time went: the page parsed (DOMContentLoaded), and the last script or wasm file
  // arrived (the widget's, or the reference's scripts).
  const { parsed, files } = await tab.evaluate(() => ({
    parsed: performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd,
    files: Math.max(0, ...performance.getEntriesByType("resource")
      .filter((r) => /\.(js|wasm)(\?|$)/.test(r.name)).map((r) => r.responseEnd)),
  }));
  const tbt = longTasks.reduce((sum, d) => sum + Math.max(0, d - 50), 0);
  const metrics = (await cdp.send("Performance.getMetrics")).metrics;
  const heap = metrics.find((m) => m.name === "JSHeapUsedSize").value;
  cdp.off("Network.loadingFinished", count);
  tab.off("pageerror", error);
  return { ready, parsed, files, tbt, bytes, heap, errors };
}

// A first visit in a fresh context; then, in the same tab, a repeat visit: the page loaded
// again with the files in the browser's cache (and whatever code the browser cached from
// them), as on a visitor's next page of the site. Storage is cleared in between, so that
// Sayso's once-per-session rule lets the survey show again. (The repeat visit's heap also holds
// whatever of the first page the garbage collector has not taken yet.)
async function measure(browser, page) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const tab = await context.newPage();
  const cdp = await context.newCDPSession(tab);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  await cdp.send("Network.enable");
  await cdp.send("Performance.enable");
  await tab.addInitScript(OBSERVE_LONG_TASKS);
  const first = await visit(tab, cdp, page);
  await tab.evaluate(() => {
    localStorage.clear();
    sessionStorage.clear();
  });
  const repeat = await visit(tab, cdp, page);
  await context.close();
  return { first, repeat };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const browser = await launch();
const results = Object.fromEntries(pages.map((p) => [p.name, []]));
for (let run = 0; run < runs; run++) {
  for (const page of pages) results[page.name].push(await measure(browser, page));
}
await browser.close();

const summarise = (visit) =>
  pages.map((p) => {
    const r = results[p.name].map((x) => x[visit]);
    return {
      name: p.name,
      ready: median(r.map((x) => x.ready)),
      // The spread of one page's loads, to judge whether a difference is more than noise.
      readyRange: [Math.min(...r.map((x) => x.ready)), Math.max(...r.map((x) => x.ready))],
      parsed: median(r.map((x) => x.parsed)),
      files: median(r.map((x) => x.files)),
      tbt: median(r.map((x) => x.tbt)),
      bytes: median(r.map((x) => x.bytes)),
      heap: median(r.map((x) => x.heap)),
      errors: r.reduce((s, x) => s + x.errors, 0),
    };
  });
const pad = (s, n) => String(s).padStart(n);
// `bytes`: whether to compare bytes (not on a repeat visit, where both load from the cache).
const report = (title, summary, bytes) => {
  console.log(`\n${title}`);
  console.log(`${"page".padEnd(28)}${pad("ready ms", 10)}${pad("min-max", 11)}${pad("parsed", 8)}${pad("files", 7)}${pad("TBT ms", 9)}${pad("KB", 9)}${pad("heap MB", 9)}${pad("errors", 8)}`);
  for (const s of summary) {
    console.log(
      `${s.name.padEnd(28)}${pad(s.ready.toFixed(0), 10)}${pad(s.readyRange.map((x) => x.toFixed(0)).join("-"), 11)}${pad(s.parsed.toFixed(0), 8)}${pad(s.files.toFixed(0), 7)}${pad(s.tbt.toFixed(0), 9)}${pad((s.bytes / 1024).toFixed(1), 9)}${pad((s.heap / 1048576).toFixed(2), 9)}${pad(s.errors, 8)}`,
    );
  }
  const reference = summary.find((s) => s.name === process.env.REFERENCE);
  for (const s of summary.filter((s) => s !== reference)) {
    console.log(
      `${s.name} vs ${reference.name}: ready ${(reference.ready / s.ready).toFixed(1)}x sooner, ` +
        (bytes ? `${(reference.bytes / s.bytes).toFixed(1)}x fewer bytes, ` : "") +
        `TBT ${s.tbt.toFixed(0)} ms vs ${reference.tbt.toFixed(0)} ms`,
    );
  }
};
const first = summarise("first");
const repeat = summarise("repeat");
report(`bench: ${runs} runs per page, alternating, CPU throttled 4x, 390x844 viewport, first visit in a fresh context`, first, true);
report("repeat visit: the same page again in that context, its files in the browser's cache, storage cleared", repeat, false);
console.log(JSON.stringify({ runs, first, repeat }));
