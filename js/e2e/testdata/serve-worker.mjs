// serve-worker.mjs — run a bundled JS worker (the output of `wrangler deploy --dry-run
// --outdir DIR`: DIR/worker.js and its .wasm modules) in workerd through Miniflare, offline,
// for the js/e2e tests.
//
//   node js/e2e/testdata/serve-worker.mjs DIR [SCRIPT] [--locations a,b] [--staleness-ms N] [--coordinator]
//
// SCRIPT defaults to worker.js. Vars from this process's environment: GLOBUS_CLIENT_ID,
// GLOBUS_SDK_SERVICE_URL_AUTH, GLOBUS_SDK_SERVICE_URL_GROUPS. The KV namespace TOKENS is KV as
// Cloudflare documents it (worker/testdata/mfhost.mjs's documentedKV: one write per key per
// second, TTLs of at least 60 s), in memory; each of --locations (default: a) is a worker of
// its own reading through its own cache, stale for --staleness-ms (default 0). --coordinator
// binds SESSIONS, a Durable Object namespace of the bundle's SessionCoordinator (the package's,
// which the worker exports), shared by every location.
// stdout line 1: the worker's URL; line 2: "kv URL" (worker/testdata/mfhost.mjs: GET URL/
// answers every KV key and value as JSON, PUT URL/KEY stores the body, GET URL/?ops counts the
// operations; tests only); then "at NAME URL" for each further location. The worker's console
// output and workerd's warnings follow on stdout/stderr (the tests read them). Stops when stdin
// closes.
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { Miniflare } from "miniflare";
import { documentedKV, host, modulesRules, shared, worker } from "../../../worker/testdata/mfhost.mjs";

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    locations: { type: "string", default: "a" },
    "staleness-ms": { type: "string", default: "0" },
    coordinator: { type: "boolean", default: false },
  },
});
const dir = resolve(positionals[0] || ".");
const bindings = {};
for (const name of ["GLOBUS_CLIENT_ID", "GLOBUS_SDK_SERVICE_URL_AUTH", "GLOBUS_SDK_SERVICE_URL_GROUPS"]) {
  if (process.env[name] !== undefined) bindings[name] = process.env[name];
}
const kv = documentedKV({ stalenessMs: Number(args["staleness-ms"]) });
const locations = args.locations.split(",");
const mf = new Miniflare({
  ...shared,
  port: 0,
  workers: [
    ...locations.map((loc, i) => ({
      ...worker,
      ...kv.at(loc),
      name: loc,
      scriptPath: resolve(dir, positionals[1] || "worker.js"),
      modulesRoot: dir,
      modulesRules,
      bindings,
      ...(args.coordinator ? { durableObjects: { SESSIONS: { className: "SessionCoordinator", scriptName: locations[0], useSQLite: true } } } : {}),
      ...(i > 0 ? { unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }] } : {}),
    })),
    ...kv.workers(),
  ],
});

await host(mf, "serve-worker.mjs", 0, { inspect: kv.inspect, locations: locations.slice(1) });
