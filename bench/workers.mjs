// workers.mjs — the worker benchmark's runtime: our Go worker (build/) and the hand-written
// JavaScript baseline (bench/baseline/worker/worker.mjs) in ONE Miniflare, i.e. the same workerd
// process, routed by Host header: "ours.test" and "baseline.test". With JS_WORKER_DIR set, also
// the JS-written worker on @globus-edge/client (js/example-worker bundled by wrangler into that
// directory, main module worker.js) as "js.test".
//
//   node bench/workers.mjs        (settings from the environment, see below)
//
// Environment: GLOBUS_SDK_SERVICE_URL_AUTH, GLOBUS_SDK_SERVICE_URL_GROUPS, GLOBUS_CLIENT_ID,
// TOKEN_ENCRYPTION_KEY (ours), BASELINE_KEY (baseline, base64url AES-256 key), JS_WORKER_DIR and
// JS_CLIENT_ID (the JS-written worker).
// stdout line 1: the URL; line 2: "kv URL" where PUT URL/<worker>/<key> stores a KV value
// (to seed the baseline's session). Stops when stdin closes or on SIGTERM.
import { createServer } from "node:http";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Log, LogLevel, Miniflare } from "miniflare";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const env = process.env;
const common = { modules: true, compatibilityDate: "2026-04-01", kvNamespaces: ["TOKENS"] };
const mf = new Miniflare({
  log: new Log(LogLevel.WARN),
  cf: false,
  host: "127.0.0.1",
  port: 0,
  workers: [
    {
      ...common,
      name: "ours",
      routes: ["ours.test/*"],
      scriptPath: resolve(root, "build/entry.mjs"),
      modulesRoot: resolve(root, "build"),
      modulesRules: [
        { type: "ESModule", include: ["**/*.mjs", "**/*.js"] },
        { type: "CompiledWasm", include: ["**/*.wasm"] },
      ],
      bindings: {
        GLOBUS_SDK_SERVICE_URL_AUTH: env.GLOBUS_SDK_SERVICE_URL_AUTH,
        GLOBUS_SDK_SERVICE_URL_GROUPS: env.GLOBUS_SDK_SERVICE_URL_GROUPS,
        GLOBUS_CLIENT_ID: env.GLOBUS_CLIENT_ID,
        TOKEN_ENCRYPTION_KEY: env.TOKEN_ENCRYPTION_KEY,
      },
    },
    {
      ...common,
      name: "baseline",
      routes: ["baseline.test/*"],
      scriptPath: resolve(root, "bench/baseline/worker/worker.mjs"),
      bindings: { GLOBUS_SDK_SERVICE_URL_GROUPS: env.GLOBUS_SDK_SERVICE_URL_GROUPS, BASELINE_KEY: env.BASELINE_KEY },
    },
    ...(env.JS_WORKER_DIR
      ? [{
        ...common,
        name: "js",
        routes: ["js.test/*"],
        scriptPath: resolve(env.JS_WORKER_DIR, "worker.js"),
        modulesRoot: env.JS_WORKER_DIR,
        modulesRules: [
          { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
          { type: "CompiledWasm", include: ["**/*.wasm"] },
        ],
        bindings: {
          GLOBUS_SDK_SERVICE_URL_AUTH: env.GLOBUS_SDK_SERVICE_URL_AUTH,
          GLOBUS_SDK_SERVICE_URL_GROUPS: env.GLOBUS_SDK_SERVICE_URL_GROUPS,
          GLOBUS_CLIENT_ID: env.JS_CLIENT_ID,
        },
      }]
      : []),
  ],
});

let kvServer;
async function stop(code = 0) {
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
    const [, worker, ...key] = new URL(req.url, "http://x").pathname.split("/");
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const kv = await mf.getKVNamespace("TOKENS", worker);
    await kv.put(decodeURIComponent(key.join("/")), Buffer.concat(chunks).toString("utf8"));
    res.end("ok");
  });
  await new Promise((ok) => kvServer.listen(0, "127.0.0.1", ok));
  process.stdout.write(`${url.origin}\nkv http://127.0.0.1:${kvServer.address().port}\n`);
} catch (e) {
  console.error("workers.mjs:", e);
  await stop(1);
}
