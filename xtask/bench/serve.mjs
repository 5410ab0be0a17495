// A static file server for the bench's reference page: `node serve.mjs <dir> <port>`, on
// 127.0.0.1 only. It answers brotli when the browser accepts it (compressed once, kept in
// memory) so that the reference is measured as a site would serve it, like Sayso's dist/; its
// libraries (node_modules/) are cacheable for good, as a CDN serves versioned files.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { brotliCompressSync, constants } from "node:zlib";
import { extname, join, normalize } from "node:path";

const [dir, port] = process.argv.slice(2);
const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".json": "application/json" };
const cache = new Map();

createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
  const file = join(dir, path);
  try {
    if (!cache.has(file)) {
      const body = await readFile(file);
      cache.set(file, { body, br: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }) });
    }
    const { body, br } = cache.get(file);
    const brotli = /\bbr\b/.test(req.headers["accept-encoding"] || "");
    res.writeHead(200, {
      "content-type": types[extname(file)] || "application/octet-stream",
      // The bench's repeat visit loads them from the browser's cache, as it does Sayso's files.
      "cache-control": path.includes("node_modules") ? "public, max-age=31536000, immutable" : "no-cache",
      ...(brotli ? { "content-encoding": "br" } : {}),
    });
    res.end(brotli ? br : body);
  } catch {
    res.writeHead(404).end();
  }
}).listen(Number(port), "127.0.0.1");
