// serve.mjs — run the built worker (build/entry.mjs, from `./build.sh worker`) in workerd
// through Miniflare, offline, for the end-to-end tests, the demo and the benchmarks.
//
//   node worker/testdata/serve.mjs [--port N] [--kv-port N] [--build DIR]
//        [--locations a,b,...] [--staleness-ms N] [--coordinator]
//
// The worker's vars and secrets are taken from this process's environment, by their wrangler
// names (GLOBUS_SDK_ENVIRONMENT, GLOBUS_SDK_SERVICE_URL_AUTH, GLOBUS_SDK_SERVICE_URL_GROUPS,
// GLOBUS_SDK_HTTP_TIMEOUT, GLOBUS_CLIENT_ID, GLOBUS_REDIRECT_URI, GLOBUS_CLIENT_SECRET,
// TOKEN_ENCRYPTION_KEY, GLOBUS_EDGE_SESSION_MAX_AGE; the test build's WORKERTEST_*); unset
// names stay unbound.
//
// The KV namespace TOKENS is KV as Cloudflare documents it (mfhost.mjs's documentedKV: one
// write per key per second, TTLs of at least 60 s, a read cache per location), in memory. Each
// of --locations (default: a) is the worker of its own (its own isolate) reading through its
// own cache, which stays stale for --staleness-ms (default 0, at most 60,000); they share the
// KV's store and, with --coordinator, the Durable Object namespace SESSIONS of the class
// SessionCoordinator the entry exports (Durable Object mode, as wrangler.toml declares it;
// without it the worker runs KV-only).
//
// stdout, line 1: the URL of the first location's worker (http://127.0.0.1:PORT); line 2: "kv
// URL", a loopback endpoint for inspecting TOKENS (tests only; mfhost.mjs):
//   GET    URL/             {"key": "value", ...} for every key
//   PUT    URL/KEY          store the request body under KEY
//   DELETE URL/KEY          delete KEY
//   GET    URL/?ops         the KV operations by key prefix (&reset=1 resets them)
//   POST   URL/?advance=MS  moves the KV double's clock on
// then "at NAME URL" for each further location. The worker's console output follows on
// stdout/stderr. Stops, leaving nothing running, when stdin closes or on SIGTERM/SIGINT.
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Miniflare } from "miniflare";
import { documentedKV, host, modulesRules, shared, worker } from "./mfhost.mjs";

const NAMES = [
  "GLOBUS_SDK_ENVIRONMENT", "GLOBUS_SDK_SERVICE_URL_AUTH", "GLOBUS_SDK_SERVICE_URL_GROUPS",
  "GLOBUS_SDK_HTTP_TIMEOUT", "GLOBUS_CLIENT_ID", "GLOBUS_REDIRECT_URI", "GLOBUS_CLIENT_SECRET",
  "TOKEN_ENCRYPTION_KEY", "GLOBUS_EDGE_SESSION_MAX_AGE",
  // build-test/ only (worker/testworker, worker/testentry.mjs)
  "WORKERTEST_EXIT_AT_START", "WORKERTEST_MAX_BODY_BYTES", "WORKERTEST_BODY_TIMEOUT_MS", "WORKERTEST_WAIT_MS",
  "WORKERTEST_MAX_WAITERS", "WORKERTEST_DEADLINE_MS", "WORKERTEST_GRACE_MS", "WORKERTEST_POOL_MAX",
  "WORKERTEST_POOL_OVERFLOW",
];

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const { values: args } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    "kv-port": { type: "string", default: "0" },
    build: { type: "string", default: resolve(root, "build") },
    locations: { type: "string", default: "a" },
    "staleness-ms": { type: "string", default: "0" },
    coordinator: { type: "boolean", default: false },
  },
});

const bindings = {};
for (const name of NAMES) {
  if (process.env[name] !== undefined) bindings[name] = process.env[name];
}

const kv = documentedKV({ stalenessMs: Number(args["staleness-ms"]) });
const locations = args.locations.split(",");
const mf = new Miniflare({
  ...shared,
  port: Number(args.port),
  workers: [
    ...locations.map((loc, i) => ({
      ...worker,
      ...kv.at(loc),
      name: loc,
      scriptPath: resolve(args.build, "entry.mjs"),
      modulesRoot: args.build,
      modulesRules,
      bindings,
      ...(args.coordinator ? { durableObjects: { SESSIONS: { className: "SessionCoordinator", scriptName: locations[0], useSQLite: true } } } : {}),
      ...(i > 0 ? { unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }] } : {}),
    })),
    ...kv.workers(),
  ],
});

await host(mf, "serve.mjs", Number(args["kv-port"]), { inspect: kv.inspect, locations: locations.slice(1) });
