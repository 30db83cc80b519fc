// serve-worker.mjs — run a bundled JS worker (the output of `wrangler deploy --dry-run
// --outdir DIR`: DIR/worker.js and its .wasm modules) in workerd through Miniflare, offline,
// for the js/e2e tests.
//
//   node js/e2e/testdata/serve-worker.mjs DIR [SCRIPT]   (SCRIPT default worker.js)
//
// Vars from this process's environment: GLOBUS_CLIENT_ID, GLOBUS_SDK_SERVICE_URL_AUTH,
// GLOBUS_SDK_SERVICE_URL_GROUPS. KV namespace TOKENS in memory.
// stdout line 1: the worker's URL; line 2: "kv URL", where GET URL/ answers every KV key and
// value as JSON and PUT URL/KEY stores the body (tests only). The worker's console output and
// workerd's warnings follow on stdout/stderr (the tests read them). Stops when stdin closes.
import { createServer } from "node:http";
import { resolve } from "node:path";
import { Log, LogLevel, Miniflare } from "miniflare";

const dir = resolve(process.argv[2] || ".");
const bindings = {};
for (const name of ["GLOBUS_CLIENT_ID", "GLOBUS_SDK_SERVICE_URL_AUTH", "GLOBUS_SDK_SERVICE_URL_GROUPS"]) {
  if (process.env[name] !== undefined) bindings[name] = process.env[name];
}
const mf = new Miniflare({
  log: new Log(LogLevel.WARN),
  cf: false,
  modules: true,
  scriptPath: resolve(dir, process.argv[3] || "worker.js"),
  modulesRoot: dir,
  modulesRules: [
    { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
    { type: "CompiledWasm", include: ["**/*.wasm"] },
  ],
  compatibilityDate: "2026-04-01",
  kvNamespaces: ["TOKENS"],
  bindings,
  host: "127.0.0.1",
  port: 0,
});

let kvServer;
let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  kvServer?.close();
  await mf.dispose().catch(() => {});
  process.exit(code);
}
process.on("SIGTERM", () => stop());
process.stdin.on("close", () => stop());
process.stdin.resume();

try {
  const url = await mf.ready;
  kvServer = createServer(async (req, res) => {
    try {
      const kv = await mf.getKVNamespace("TOKENS");
      const key = decodeURIComponent(new URL(req.url, "http://x").pathname.slice(1));
      if (req.method === "GET" && key === "") {
        const out = {};
        for (const { name } of (await kv.list()).keys) out[name] = await kv.get(name);
        res.setHeader("Content-Type", "application/json");
        return res.end(JSON.stringify(out));
      }
      if (req.method === "PUT" && key !== "") {
        const chunks = [];
        for await (const c of req) chunks.push(c);
        await kv.put(key, Buffer.concat(chunks).toString("utf8"));
        return res.end("ok");
      }
      res.statusCode = 404;
      res.end("unknown KV request");
    } catch (e) {
      res.statusCode = 500;
      res.end(String(e));
    }
  });
  await new Promise((ok) => kvServer.listen(0, "127.0.0.1", ok));
  process.stdout.write(`${url.origin}\nkv http://127.0.0.1:${kvServer.address().port}\n`);
} catch (e) {
  console.error("serve-worker.mjs:", e);
  await stop(1);
}
