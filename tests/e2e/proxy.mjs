// A small fault-injecting HTTP proxy for the delivery tests, on loopback only: the page's
// data-endpoint points at it and it forwards to the collector, passing the collector's headers
// (CORS included) through. Every POST of a response is recorded; the next POSTs can be answered
// 503, or held (half the body already at the collector) until the test releases them.

import { once } from "node:events";
import { createServer, request } from "node:http";
import { freePort } from "./harness.mjs";

/**
 * A proxy in front of `target` (the collector's base URL).
 *
 * - `faults`: what to do with the next POSTs of a response, consumed in order: a status such as
 *   `"503"` (answered with CORS headers and a problem, as a collector in trouble would, or
 *   `"422"` as one refusing the response) or `"hold"` (send the headers and
 *   half of the body to the collector, then wait for `release()`, or fail with a socket reset
 *   if the collector goes away meanwhile). Empty: forward.
 * - `posts`: every POST of a response, in arrival order: `{ id, kind, at, status }`, where
 *   `kind` is `"beacon"` (a `no-cors` request sent on leaving) or `"fetch"`, and `status` is the collector's
 *   answer (201 stored, 200 already stored), 503 for an injected fault, `"reset"` when the
 *   request failed at the socket, `null` while it is under way.
 * - `held`: the POSTs being held: `{ post, release() }`.
 */
export async function proxy(target) {
  const upstream = new URL(target);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const p = { base, endpoint: `${base}/v1`, faults: [], posts: [], held: [] };

  /** Open the request to the collector; the answer (or its failure) goes back to the page. */
  function forward(req, res, post) {
    const up = request({
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: upstream.host, connection: "close" },
      agent: false,
    });
    up.on("response", (answer) => {
      if (post) post.status = answer.statusCode;
      const headers = { ...answer.headers };
      delete headers.connection;
      res.writeHead(answer.statusCode, headers);
      answer.pipe(res);
    });
    up.on("error", () => {
      if (post) post.status = "reset";
      // What a dead server looks like to the page: the connection is cut.
      req.socket.destroy();
    });
    return up;
  }

  const server = createServer((req, res) => {
    res.on("error", () => {});
    req.on("error", () => {});
    const path = new URL(req.url, base).pathname;
    if (req.method !== "POST" || !path.endsWith("/responses")) {
      // Survey definitions and the rest: passed through as they are.
      const up = forward(req, res, null);
      req.pipe(up);
      return;
    }
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      let id = null;
      try {
        id = JSON.parse(body.toString("utf8")).id ?? null;
      } catch {}
      const kind = req.headers["sec-fetch-mode"] === "no-cors" ? "beacon" : "fetch";
      const post = { id, kind, at: Date.now(), status: null };
      p.posts.push(post);
      const fault = p.faults.shift();
      if (/^\d{3}$/.test(fault ?? "")) {
        post.status = Number(fault);
        const origin = req.headers.origin;
        res.writeHead(post.status, {
          "content-type": "application/problem+json",
          vary: "origin",
          ...(origin ? { "access-control-allow-origin": origin } : {}),
        });
        res.end(JSON.stringify({ type: "about:blank", title: "Injected by the proxy", status: post.status }));
        return;
      }
      const up = forward(req, res, post);
      if (fault === "hold") {
        const half = Math.floor(body.length / 2);
        up.write(body.subarray(0, half));
        const held = {
          post,
          release() {
            p.held.splice(p.held.indexOf(held), 1);
            up.end(body.subarray(half));
          },
        };
        p.held.push(held);
        up.on("error", () => {
          if (p.held.includes(held)) p.held.splice(p.held.indexOf(held), 1);
        });
        return;
      }
      up.end(body);
    });
  });
  server.listen(port, "127.0.0.1");
  await once(server, "listening");

  /** No POST is waiting for the collector's answer, except those held on purpose. */
  p.settled = () => p.posts.every((x) => x.status !== null || p.held.some((h) => h.post === x));

  /** What became of the POSTs of response `id`: reached the collector (`sent`), answered
   * "already stored" (`duplicates`), and every attempt that left the browser (`attempts`). */
  p.counts = (id) => {
    const mine = p.posts.filter((x) => x.id === id);
    const sent = mine.filter((x) => x.status === 200 || x.status === 201);
    return {
      attempts: mine.length,
      sent: sent.length,
      duplicates: sent.filter((x) => x.status === 200).length,
      beacons: mine.filter((x) => x.kind === "beacon").length,
      statuses: mine.map((x) => `${x.kind} ${x.status} @${x.at - mine[0].at} ms`),
    };
  };
  p.close = () => {
    for (const h of [...p.held]) h.release();
    server.closeAllConnections();
    return new Promise((r) => server.close(r));
  };
  return p;
}
