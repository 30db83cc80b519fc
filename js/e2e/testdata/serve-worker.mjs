// serve-worker.mjs — run a bundled JS worker (the output of `wrangler deploy --dry-run
// --outdir DIR`: DIR/worker.js and its .wasm modules) in workerd through Miniflare, offline,
// for the js/e2e tests.
//
//   node js/e2e/testdata/serve-worker.mjs DIR [SCRIPT]   (SCRIPT default worker.js)
//
// Vars from this process's environment: GLOBUS_CLIENT_ID, GLOBUS_SDK_SERVICE_URL_AUTH,
// GLOBUS_SDK_SERVICE_URL_GROUPS. KV namespace TOKENS in memory.
// stdout line 1: the worker's URL; line 2: "kv URL" (worker/testdata/mfhost.mjs: GET URL/
// answers every KV key and value as JSON, PUT URL/KEY stores the body; tests only). The
// worker's console output and workerd's warnings follow on stdout/stderr (the tests read
// them). Stops when stdin closes.
import { resolve } from "node:path";
import { Miniflare } from "miniflare";
import { host, modulesRules, shared, worker } from "../../../worker/testdata/mfhost.mjs";

const dir = resolve(process.argv[2] || ".");
const bindings = {};
for (const name of ["GLOBUS_CLIENT_ID", "GLOBUS_SDK_SERVICE_URL_AUTH", "GLOBUS_SDK_SERVICE_URL_GROUPS"]) {
  if (process.env[name] !== undefined) bindings[name] = process.env[name];
}
const mf = new Miniflare({
  ...shared,
  ...worker,
  scriptPath: resolve(dir, process.argv[3] || "worker.js"),
  modulesRoot: dir,
  modulesRules,
  bindings,
  port: 0,
});

await host(mf, "serve-worker.mjs");
