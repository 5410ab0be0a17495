// Collector throughput: POST valid responses to a running collector on loopback, CONCURRENCY at a
// time, until COUNT are sent or SECONDS have passed, whichever comes first. One in ten re-sends
// a response already acknowledged, as a retrying widget would: it must be answered 200, not
// stored again. Started by `cargo xtask bench` against the same-3 survey; run directly with:
//   ENDPOINT=http://127.0.0.1:PORT/v1 SURVEY=clinic-three COUNT=3000 node load.mjs
// Prints responses per second and latency percentiles; exits 1 on any other status.

const endpoint = process.env.ENDPOINT;
const survey = process.env.SURVEY || "clinic-three";
const count = Number(process.env.COUNT || 3000);
const concurrency = Number(process.env.CONCURRENCY || 16);
const seconds = Number(process.env.SECONDS || 30);
const database = process.env.DATABASE || "SQLite";

const response = (id, i) => JSON.stringify({
  schema: "sayso.response/v1",
  id,
  survey: { id: survey, version: 1 },
  answers: { nps: i % 11, csat: 1 + (i % 5), why: `Load test answer ${i}.` },
  context: {
    url: "http://127.0.0.1/", referrer: "", locale: "en",
    started_at: "2026-11-24T09:00:00.000Z", submitted_at: "2026-11-24T09:01:00.000Z", attributes: {},
  },
  partial: false,
});

const statuses = {};
const latencies = [];
const acknowledged = [];
const deadline = performance.now() + seconds * 1000;
let next = 0;

async function worker() {
  while (next < count && performance.now() < deadline) {
    const i = next++;
    const resend = i % 10 === 9 && acknowledged.length > 0;
    const id = resend ? acknowledged[i % acknowledged.length] : crypto.randomUUID();
    const started = performance.now();
    const r = await fetch(`${endpoint}/responses`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: response(id, i),
    });
    await r.arrayBuffer();
    latencies.push(performance.now() - started);
    const expected = resend ? 200 : 201;
    const key = r.status === expected ? (resend ? "duplicate answered 200" : "stored 201") : `unexpected ${r.status}`;
    statuses[key] = (statuses[key] || 0) + 1;
    if (r.status === 201) acknowledged.push(id);
  }
}

const start = performance.now();
await Promise.all(Array.from({ length: concurrency }, worker));
const elapsed = (performance.now() - start) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))].toFixed(1);
console.log(`\ncollector load: ${latencies.length} POSTs in ${elapsed.toFixed(1)} s, ${concurrency} at a time, ${database}`);
console.log(`  ${(latencies.length / elapsed).toFixed(0)} responses/s; latency ms p50 ${pct(50)}, p95 ${pct(95)}, p99 ${pct(99)}`);
console.log(`  ${Object.entries(statuses).map(([k, v]) => `${k}: ${v}`).join(", ")}`);
if (Object.keys(statuses).some((k) => k.startsWith("unexpected"))) process.exit(1);
