// workers.mjs — the worker benchmark's runtime: our Go worker (build/) and the hand-written
// JavaScript baseline (bench/baseline/worker/worker.mjs) in ONE Miniflare, i.e. the same workerd
// process, routed by Host header: "ours.test" (KV-only mode: no SESSIONS binding),
// "durable.test" (the same build in Durable Object mode: SESSIONS bound to the
// SessionCoordinator it exports) and "baseline.test". With JS_WORKER_DIR set, also
// the JS-written worker on @globus-edge/client (js/example-worker bundled by wrangler into that
// directory, main module worker.js) as "js.test".
//
//   node bench/workers.mjs        (settings from the environment, see below)
//
// Environment: GLOBUS_SDK_SERVICE_URL_AUTH, GLOBUS_SDK_SERVICE_URL_GROUPS, GLOBUS_CLIENT_ID,
// TOKEN_ENCRYPTION_KEY (ours), BASELINE_KEY (baseline, base64url AES-256 key), JS_WORKER_DIR and
// JS_CLIENT_ID (the JS-written worker).
// stdout line 1: the URL; line 2: "kv URL" where PUT URL/<key>?worker=<name> stores a KV value
// (to seed a session; see worker/testdata/mfhost.mjs). Stops when stdin closes or on SIGTERM.
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { host, modulesRules, shared, worker } from "../worker/testdata/mfhost.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const env = process.env;
const ours = {
  ...worker,
  scriptPath: resolve(root, "build/entry.mjs"),
  modulesRoot: resolve(root, "build"),
  modulesRules,
  bindings: {
    GLOBUS_SDK_SERVICE_URL_AUTH: env.GLOBUS_SDK_SERVICE_URL_AUTH,
    GLOBUS_SDK_SERVICE_URL_GROUPS: env.GLOBUS_SDK_SERVICE_URL_GROUPS,
    GLOBUS_CLIENT_ID: env.GLOBUS_CLIENT_ID,
    TOKEN_ENCRYPTION_KEY: env.TOKEN_ENCRYPTION_KEY,
  },
};
const mf = new Miniflare({
  ...shared,
  port: 0,
  workers: [
    { ...ours, name: "ours", routes: ["ours.test/*"] },
    {
      ...ours,
      name: "durable",
      routes: ["durable.test/*"],
      durableObjects: { SESSIONS: { className: "SessionCoordinator", useSQLite: true } },
    },
    {
      ...worker,
      name: "baseline",
      routes: ["baseline.test/*"],
      scriptPath: resolve(root, "bench/baseline/worker/worker.mjs"),
      bindings: { GLOBUS_SDK_SERVICE_URL_GROUPS: env.GLOBUS_SDK_SERVICE_URL_GROUPS, BASELINE_KEY: env.BASELINE_KEY },
    },
    ...(env.JS_WORKER_DIR
      ? [{
        ...worker,
        name: "js",
        routes: ["js.test/*"],
        scriptPath: resolve(env.JS_WORKER_DIR, "worker.js"),
        modulesRoot: env.JS_WORKER_DIR,
        modulesRules,
        bindings: {
          GLOBUS_SDK_SERVICE_URL_AUTH: env.GLOBUS_SDK_SERVICE_URL_AUTH,
          GLOBUS_SDK_SERVICE_URL_GROUPS: env.GLOBUS_SDK_SERVICE_URL_GROUPS,
          GLOBUS_CLIENT_ID: env.JS_CLIENT_ID,
        },
      }]
      : []),
  ],
});

await host(mf, "workers.mjs");
