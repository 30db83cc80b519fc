// serve.mjs — run the built worker (build/entry.mjs, from `./build.sh worker`) in workerd
// through Miniflare, offline, for the end-to-end tests, the demo and the benchmarks.
//
//   node worker/testdata/serve.mjs [--port N] [--kv-port N] [--build DIR]
//
// The worker's vars and secrets are taken from this process's environment, by their wrangler
// names (GLOBUS_SDK_ENVIRONMENT, GLOBUS_SDK_SERVICE_URL_AUTH, GLOBUS_SDK_SERVICE_URL_GROUPS,
// GLOBUS_SDK_HTTP_TIMEOUT, GLOBUS_CLIENT_ID, GLOBUS_REDIRECT_URI, GLOBUS_CLIENT_SECRET,
// TOKEN_ENCRYPTION_KEY); unset names stay unbound. The KV namespace TOKENS is in memory.
//
// stdout, line 1: the worker's URL (http://127.0.0.1:PORT); line 2: "kv URL", a loopback
// endpoint for inspecting TOKENS (tests only):
//   GET    URL/      {"key": "value", ...} for every key
//   PUT    URL/KEY   store the request body under KEY
//   DELETE URL/KEY   delete KEY
// The worker's console output follows on stdout/stderr. Stops, leaving nothing running, when
// stdin closes or on SIGTERM/SIGINT.
import { createServer } from "node:http";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Log, LogLevel, Miniflare } from "miniflare";

const NAMES = [
  "GLOBUS_SDK_ENVIRONMENT", "GLOBUS_SDK_SERVICE_URL_AUTH", "GLOBUS_SDK_SERVICE_URL_GROUPS",
  "GLOBUS_SDK_HTTP_TIMEOUT", "GLOBUS_CLIENT_ID", "GLOBUS_REDIRECT_URI", "GLOBUS_CLIENT_SECRET",
  "TOKEN_ENCRYPTION_KEY",
];
// Keep in step with wrangler.toml.
const COMPATIBILITY_DATE = "2026-04-01";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const { values: args } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    "kv-port": { type: "string", default: "0" },
    build: { type: "string", default: resolve(root, "build") },
  },
});

const bindings = {};
for (const name of NAMES) {
  if (process.env[name] !== undefined) bindings[name] = process.env[name];
}

const mf = new Miniflare({
  log: new Log(LogLevel.WARN),
  cf: false, // never fetch the Request.cf object from the network
  modules: true,
  scriptPath: resolve(args.build, "entry.mjs"),
  modulesRoot: args.build,
  modulesRules: [
    { type: "ESModule", include: ["**/*.mjs", "**/*.js"] },
    { type: "CompiledWasm", include: ["**/*.wasm"] },
  ],
  compatibilityDate: COMPATIBILITY_DATE,
  kvNamespaces: ["TOKENS"],
  bindings,
  host: "127.0.0.1",
  port: Number(args.port),
});

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

async function serveKV(req, res) {
  const kv = await mf.getKVNamespace("TOKENS");
  const key = decodeURIComponent(new URL(req.url, "http://x").pathname.slice(1));
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

try {
  const url = await mf.ready;
  kvServer = createServer((req, res) => {
    serveKV(req, res).catch((e) => {
      res.statusCode = 500;
      res.end(String(e));
    });
  });
  await new Promise((ok) => kvServer.listen(Number(args["kv-port"]), "127.0.0.1", ok));
  const { port } = kvServer.address();
  process.stdout.write(`${url.origin}\nkv http://127.0.0.1:${port}\n`);
} catch (e) {
  console.error("serve.mjs:", e);
  await stop(1);
}
