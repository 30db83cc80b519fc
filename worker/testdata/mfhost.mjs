// mfhost.mjs — what every Miniflare runner of the tests, the demo and the benchmarks does
// after configuring its Miniflare (worker/testdata/serve.mjs, js/e2e/testdata/serve-worker.mjs,
// bench/workers.mjs): print the worker's URL and a KV inspection URL on stdout, serve that KV
// endpoint, and stop — leaving nothing running — when stdin closes or on SIGTERM/SIGINT.
//
// The KV endpoint (loopback, tests only), for the KV namespace TOKENS:
//   GET    URL/           {"key": "value", ...} for every key
//   PUT    URL/KEY        store the request body under KEY
//   DELETE URL/KEY        delete KEY
// With several workers in one Miniflare, ?worker=NAME picks the worker's namespace. With the
// documented KV (documentedKV below) the endpoint reads and writes its central store, outside
// its rules and caches, and also answers
//   GET    URL/?ops[&reset=1]   the KV operations since the last reset, by key prefix:
//                              {"session/": {"reads", "writes", "deletes", "refused"}, ...}
//   POST   URL/?advance=MS      moves the double's clock on by MS (its caches' staleness and
//                              its write rule; the workers' own clocks are real)
import { createServer } from "node:http";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
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

const here = dirname(fileURLToPath(import.meta.url));

/**
 * KV as Cloudflare documents it (kvdouble.mjs, kvrules.mjs) for the workers of one Miniflare:
 * workers() are the double's own two workers, to add to the Miniflare's list; at(location) is
 * what a worker serving from that location adds to its options: TOKENS bound to the double,
 * reading through that location's cache, which stays stale for stalenessMs (≤ 60,000). The
 * values live in one KV namespace every location shares.
 */
export function documentedKV({ stalenessMs = 0 } = {}) {
  const central = { CENTRAL: "documented-kv" };
  const rules = { RULES: { className: "KVRules", scriptName: "kv-rules" } };
  return {
    inspect: { binding: "CENTRAL", worker: "kv-rules" },
    workers: () => [
      { name: "kv-double", modules: true, scriptPath: resolve(here, "kvdouble.mjs"), kvNamespaces: central, durableObjects: rules },
      {
        name: "kv-rules", modules: true, compatibilityDate: COMPATIBILITY_DATE, scriptPath: resolve(here, "kvrules.mjs"),
        kvNamespaces: central, durableObjects: { RULES: { className: "KVRules", useSQLite: true } },
      },
    ],
    at: (location) => ({
      kvNamespaces: [],
      wrappedBindings: { TOKENS: { scriptName: "kv-double", bindings: { LOCATION: location, STALENESS_MS: String(stalenessMs) } } },
    }),
  };
}

async function serveKV(mf, req, res, inspect) {
  const u = new URL(req.url, "http://x");
  if (inspect && (u.searchParams.has("ops") || u.searchParams.has("advance"))) {
    const rules = await mf.getWorker(inspect.worker);
    const path = u.searchParams.has("ops") ? `/ops${u.searchParams.has("reset") ? "?reset=1" : ""}` : `/advance?ms=${u.searchParams.get("advance")}`;
    const r = await rules.fetch(`http://kv-rules${path}`, { method: u.searchParams.has("ops") ? "GET" : "POST" });
    res.setHeader("Content-Type", "application/json");
    return res.end(await r.text());
  }
  const kv = inspect
    ? await mf.getKVNamespace(inspect.binding, inspect.worker)
    : await mf.getKVNamespace("TOKENS", u.searchParams.get("worker") ?? undefined);
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

/**
 * Runs mf until stdin closes; name labels errors, kvPort 0 picks a free port. With the
 * documented KV, o.inspect is its inspect (the endpoint then serves its central store), and
 * o.locations names the workers of further locations, each printed as "at NAME URL" after the
 * KV line (their direct sockets: unsafeDirectSockets in their options).
 */
export async function host(mf, name, kvPort = 0, o = {}) {
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
      serveKV(mf, req, res, o.inspect).catch((e) => {
        res.statusCode = 500;
        res.end(String(e));
      });
    });
    await new Promise((ok) => kvServer.listen(kvPort, "127.0.0.1", ok));
    let lines = `${url.origin}\nkv http://127.0.0.1:${kvServer.address().port}\n`;
    for (const loc of o.locations ?? []) lines += `at ${loc} ${(await mf.unsafeGetDirectURL(loc)).origin}\n`;
    process.stdout.write(lines);
  } catch (e) {
    console.error(`${name}:`, e);
    await stop(1);
  }
}
