// Where Sayso's time to ready goes, from a Chromium trace of the page loaded RUNS times with
// the CPU throttled 4x. Started by `cargo xtask bench` after the side-by-side runs:
//   URL=http://127.0.0.1:PORT/ CHROMIUM=... RUNS=5 node trace.mjs
//
// For each load it takes, in ms from navigation: when the loader ran, when the idle callback
// fired, when the widget's code was first called and when the first question could be clicked;
// and, between the idle callback and ready, how busy the page's main thread was: in how many
// tasks, the longest, and how much of it V8 spent compiling wasm functions on first call and
// Blink on style and layout. It prints the medians. Ready is polled as in bench.mjs
// (`waitReady`).

import { launch, waitReady } from "./common.mjs";

const url = process.env.URL;
const runs = Number(process.env.RUNS || 5);

async function load(browser) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const tab = await context.newPage();
  const cdp = await context.newCDPSession(tab);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  const events = [];
  cdp.on("Tracing.dataCollected", (e) => events.push(...e.value));
  const complete = new Promise((resolve) => cdp.once("Tracing.tracingComplete", resolve));
  await cdp.send("Tracing.start", { categories: "devtools.timeline,disabled-by-default-devtools.timeline,v8.execute,v8.wasm,blink.user_timing,loading", transferMode: "ReportEvents" });
  await tab.goto(url, { waitUntil: "commit" });
  const ready = await waitReady(cdp, "sayso");
  await cdp.send("Tracing.end");
  await complete;
  await context.close();

  const navigation = events.find((e) => e.name === "navigationStart" && e.args?.data?.isLoadingMainFrame && e.args.data.documentLoaderURL === url);
  const main = events.filter((e) => e.pid === navigation.pid && e.tid === navigation.tid && e.ph === "X");
  const at = (e) => (e ? (e.ts - navigation.ts) / 1000 : NaN);
  const loader = main.find((e) => e.name === "EvaluateScript" && /\/sayso\.js/.test(e.args?.data?.url || ""));
  const idle = main.find((e) => e.name === "FireIdleCallback");
  const widget = main.find((e) => e.name === "FunctionCall" && /\/sayso-[0-9a-f]+\.js/.test(e.args?.data?.url || ""));
  const from = at(idle);
  const within = (e) => at(e) >= from && at(e) < ready;
  const sum = (name) => main.filter((e) => name.test(e.name) && within(e)).reduce((s, e) => s + e.dur / 1000, 0);
  const tasks = main.filter((e) => e.name === "RunTask" && within(e)).map((e) => e.dur / 1000);
  return {
    loader: at(loader),
    idle: from,
    widget: at(widget),
    ready,
    busy: tasks.reduce((s, d) => s + d, 0),
    tasks: tasks.filter((d) => d >= 1).length,
    longest: Math.max(0, ...tasks),
    compile: sum(/^wasm\.CompileLazy$/),
    layout: sum(/^(UpdateLayoutTree|Layout)$/),
  };
}

const median = (xs) => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};

const browser = await launch();
const loads = [];
for (let i = 0; i < runs; i++) loads.push(await load(browser));
await browser.close();

const m = Object.fromEntries(Object.keys(loads[0]).map((k) => [k, median(loads.map((l) => l[k]))]));
const ms = (x) => `${x.toFixed(0)} ms`;
console.log(`\nwhere the time goes: ${url}, traced ${runs} times at 4x, medians`);
console.log(`  the loader runs              ${ms(m.loader)}`);
console.log(`  the idle callback fires      ${ms(m.idle)}`);
console.log(`  the widget's code is called  ${ms(m.widget)}`);
console.log(`  the first question is ready  ${ms(m.ready)}`);
console.log(
  `  from idle to ready the main thread is busy ${ms(m.busy)} in ${m.tasks.toFixed(0)} tasks (longest ${ms(m.longest)}), ` +
    `of which compiling wasm on first call ${ms(m.compile)}, style and layout ${ms(m.layout)}`,
);
console.log(JSON.stringify({ runs, medians: m }));
