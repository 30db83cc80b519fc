// mfhost.mjs — what every Miniflare runner of the tests, the demo and the benchmarks does
// after configuring its Miniflare (worker/testdata/serve.mjs, js/e2e/testdata/serve-worker.mjs,
// bench/workers.mjs): print the worker's URL and a KV inspection URL on stdout, serve that KV
// endpoint, and stop — leaving nothing running — when stdin closes or on SIGTERM/SIGINT.
//
// The KV endpoint (loopback, tests only), for the KV namespace TOKENS:
//   GET    URL/           {"key": "value", ...} for every key
//   PUT    URL/KEY        store the request body under KEY
//   DELETE URL/KEY        delete KEY
// With several workers in one Miniflare, ?worker=NAME picks the worker's namespace.
import { createServer } from "node:http";
import { Log, LogLevel } from "miniflare";

const COMPATIBILITY_DATE = "2026-04-01"; // keep in step with wrangler.toml

/** Miniflare's shared options every runner uses: loopback, offline (no cf object fetched). */
export const shared = { log: new Log(LogLevel.WARN), cf: false, host: "127.0.0.1" };

/** Worker options every runner uses: ES modules, our compatibility date, TOKENS in memory. */
export const worker = { modules: true, compatibilityDate: COMPATIBILITY_DATE, kvNamespaces: ["TOKENS"] };

/** Module rules for a directory of ES modules and compiled .wasm (a build or a bundle). */
export const modulesRules = [
  { type: "ESModule", include: ["**/*.mjs", "**/*.js"] },
  { type: "CompiledWasm", include: ["**/*.wasm"] },
];

async function allKeys(kv) {
  const out = {};
  let cursor;
  do {
    const page = await kv.list({ cursor });
    for (const { name } of page.keys) out[name] = await kv.get(name);
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return out;
}

async function serveKV(mf, req, res) {
  const u = new URL(req.url, "http://x");
  const kv = await mf.getKVNamespace("TOKENS", u.searchParams.get("worker") ?? undefined);
  const key = decodeURIComponent(u.pathname.slice(1));
  if (req.method === "GET" && key === "") {
    res.setHeader("Content-Type", "application/json");
    return res.end(JSON.stringify(await allKeys(kv)));
  }
  if (req.method === "PUT" && key !== "") {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    await kv.put(key, Buffer.concat(chunks).toString("utf8"));
    return res.end("ok");
  }
  if (req.method === "DELETE" && key !== "") {
    await kv.delete(key);
    return res.end("ok");
  }
  res.statusCode = 404;
  res.end("unknown KV inspection request");
}

/** Runs mf until stdin closes; name labels errors, kvPort 0 picks a free port. */
export async function host(mf, name, kvPort = 0) {
  let stopping = false;
  let kvServer;
  async function stop(code = 0) {
    if (stopping) return;
    stopping = true;
    kvServer?.close();
    try {
      await mf.dispose();
    } finally {
      process.exit(code);
    }
  }
  process.on("SIGTERM", () => stop());
  process.on("SIGINT", () => stop());
  process.stdin.on("end", () => stop());
  process.stdin.on("close", () => stop());
  process.stdin.resume();
  try {
    const url = await mf.ready;
    kvServer = createServer((req, res) => {
      serveKV(mf, req, res).catch((e) => {
        res.statusCode = 500;
        res.end(String(e));
      });
    });
    await new Promise((ok) => kvServer.listen(kvPort, "127.0.0.1", ok));
    process.stdout.write(`${url.origin}\nkv http://127.0.0.1:${kvServer.address().port}\n`);
  } catch (e) {
    console.error(`${name}:`, e);
    await stop(1);
  }
}
