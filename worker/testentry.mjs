// testentry.mjs — the main module of the test build (build-test/entry.mjs; never deploy it): the
// worker's entry (worker.mjs there, a copy of worker/entry.mjs) with the limits the tests set
// through vars, and one route of its own:
//
//   GET /__test/abandon   takes a Go instance and never gives it back, as a request that
//                         workerd cancelled leaves one (its finally never runs)
//   GET /__test/kvops     {get, put, delete}: the KV operations Go made through env.TOKENS
//                         since the last /__test/kvops (which resets them)
//
// Vars (numbers; unset keeps the entry's limit): WORKERTEST_MAX_BODY_BYTES,
// WORKERTEST_BODY_TIMEOUT_MS, WORKERTEST_WAIT_MS, WORKERTEST_MAX_WAITERS,
// WORKERTEST_DEADLINE_MS, WORKERTEST_GRACE_MS, WORKERTEST_POOL_MAX, WORKERTEST_POOL_OVERFLOW.
import { createWorker } from "./worker.mjs";

export { SessionCoordinator } from "./worker.mjs";

const vars = {
  WORKERTEST_MAX_BODY_BYTES: "maxBodyBytes",
  WORKERTEST_BODY_TIMEOUT_MS: "bodyTimeoutMs",
  WORKERTEST_WAIT_MS: "waitMs",
  WORKERTEST_MAX_WAITERS: "maxWaiters",
  WORKERTEST_DEADLINE_MS: "deadlineMs",
  WORKERTEST_GRACE_MS: "graceMs",
  WORKERTEST_POOL_MAX: "max",
  WORKERTEST_POOL_OVERFLOW: "overflow",
};

const worker = createWorker((env) => {
  const o = {};
  for (const [name, key] of Object.entries(vars)) {
    if (env[name] !== undefined && env[name] !== "") o[key] = Number(env[name]);
  }
  return o;
});

let ops = { get: 0, put: 0, delete: 0 };
let seen, counted; // env, and the same with TOKENS counting (env is the isolate's: made once)

/** env with TOKENS counting each operation. */
function counting(env) {
  if (seen !== env) {
    const kv = env.TOKENS;
    const wrap = (op) => (...args) => {
      ops[op]++;
      return kv[op](...args);
    };
    seen = env;
    counted = { ...env, TOKENS: kv && { get: wrap("get"), put: wrap("put"), delete: wrap("delete") } };
  }
  return counted;
}

export default {
  async fetch(req, env, ctx) {
    env = counting(env);
    switch (new URL(req.url).pathname) {
      case "/__test/abandon":
        if (!worker.pool()) await worker.fetch(new Request(new URL("/healthz", req.url)), env, ctx);
        await worker.pool().acquire();
        return new Response("abandoned one Go instance\n");
      case "/__test/kvops": {
        const out = ops;
        ops = { get: 0, put: 0, delete: 0 };
        return Response.json(out);
      }
    }
    return worker.fetch(req, env, ctx);
  },
};
