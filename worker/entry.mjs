// entry.mjs — the Cloudflare Worker's JS entry: it bounds each request, then serves it on one
// of a pool of Go instances per isolate (js/instance.js, the runtime the JS package uses too).
// Go's side is worker/host: ns.serve (worker/host/serve.go), then main blocks for ever.
//
// syumai/workers' generated worker.mjs starts a new Go instance for every request (~6 ms of
// CPU each, billed to the request). Here an isolate keeps up to `max` instances and hands each
// request one that is idle; js/pool.js and js/instance.js say why one request at a time and
// when an instance is replaced (it exited, served 1,000 requests, grew past 16 MiB or left a
// goroutine running).
//
// Anonymous traffic must not be able to stall the isolate, so every wait is bounded
// (`limits`; README, Security):
//  - the request body is read, capped and under a deadline, BEFORE an instance is taken: a
//    slow or huge body holds no Go instance (413 body_too_large, 408 body_timeout);
//  - waiting for an instance has a deadline and a bound on waiters (503 busy, Retry-After);
//  - each request's Go work has a deadline (Go's context ends: 504 timeout from the service),
//    with a JS backstop that answers and retires an instance that still does not answer;
//  - an instance whose request was cancelled by workerd (its finally never runs) is reclaimed
//    by a later request.
//
// env is the same object for every request of an isolate, so each instance gets it once at
// start (syumai's Go side reads it then). The ExecutionContext is per request and not passed:
// the Go service needs no waitUntil.
//
// The module also exports SessionCoordinator (coordinator.js, the JS package's), the Durable
// Object class wrangler.toml binds as SESSIONS: with the binding, Go coordinates each session
// through its object (Durable Object mode); without it, through KV alone.
import "./wasm_exec.js"; // Go's own loader, from the toolchain that built app.wasm
import mod from "./app.wasm";
import { createInstancePool, defaults, readCapped } from "./instance.js";
import { errorAnswer, lastResort, refusals, requestId } from "./lastresort.mjs";

export { SessionCoordinator } from "./coordinator.js";

/** The worker's limits: the pool's (js/instance.js defaults) and the request body's. */
export const limits = Object.freeze({
  ...defaults,
  /**
   * The largest request body read. No route of the service takes a body (Go answers 413 to
   * any); this caps what reaches Go at all.
   */
  maxBodyBytes: 64 * 1024,
  /** How long the whole request body may take to arrive. */
  bodyTimeoutMs: 10_000,
  /** Retry-After of a 503 busy, in seconds. */
  retryAfterS: 5,
});

/** Logs what happened under request id id, with the path only (a query can hold a code). */
function log(req, id, what) {
  console.error(`worker: ${id}: ${req.method} ${new URL(req.url).pathname}: ${what}`);
}

/**
 * One of the entry's own refusals (lastresort.mjs: status and code as worker/service names
 * them, its error body and headers), logged under a fresh request id. extra: more headers.
 */
function refuse(req, refusal, message, extra) {
  const id = requestId();
  log(req, id, `${refusal.status} ${refusal.code}: ${message}`);
  return errorAnswer(refusal.status, refusal.code, message, id, extra);
}

/**
 * The last-resort 500, generated from the service (lastresort.mjs): something failed that the
 * client can only retry.
 */
function failed(req, what) {
  const id = requestId();
  log(req, id, what);
  return lastResort(id);
}

/** A refusal of the request's body: one of lastresort.mjs's refusals, and why. */
class BodyRefused extends Error {
  constructor(refusal, message) {
    super(message);
    this.refusal = refusal;
  }
}

/**
 * Reads the request body, at most o.maxBodyBytes of it (a larger Content-Length is refused
 * before reading) and within o.bodyTimeoutMs; resolves to a Uint8Array, or null for none.
 */
async function readBody(req, o) {
  if (req.body === null) return null;
  const tooLarge = () => new BodyRefused(refusals.bodyTooLarge, `request bodies are limited to ${o.maxBodyBytes} bytes`);
  const declared = req.headers.get("Content-Length");
  if (declared !== null && Number(declared) > o.maxBodyBytes) throw tooLarge();
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new BodyRefused(refusals.bodyTimeout, `the request body did not arrive within ${o.bodyTimeoutMs / 1000} s`)), o.bodyTimeoutMs);
  });
  try {
    return await readCapped(req.body, o.maxBodyBytes, { late, tooLarge });
  } finally {
    clearTimeout(timer);
  }
}

/** Statuses whose Response must not have a body. */
const NO_BODY = new Set([101, 204, 205, 304]);

/**
 * Makes the worker's fetch handler. overrides(env) may change `limits` (the test build sets
 * short deadlines from its vars); it is called once, with the first request's env. Returns
 * {fetch, pool()}: pool() is the isolate's instance pool once the first request made it.
 */
export function createWorker(overrides = () => ({})) {
  let pool; // one per isolate, made on the first request (env arrives with it)
  let o;
  async function fetch(req, env) {
    if (!pool) {
      o = { ...limits, ...overrides(env) };
      pool = createInstancePool(mod, { ...o, context: { env }, label: "worker", retireOnError: true });
    }
    let body;
    try {
      body = await readBody(req, o);
    } catch (e) {
      if (e instanceof BodyRefused) return refuse(req, e.refusal, e.message);
      return failed(req, `reading the request body: ${e}`);
    }
    let out;
    try {
      // The request and the answer cross to Go and back whole (worker/host/serve.go): headers
      // as one JSON list, bodies as one Uint8Array; the answer is complete when Go resolves.
      out = await pool.use((ns) => ns.serve(req.method, req.url, JSON.stringify([...req.headers]), body, o.deadlineMs));
    } catch (e) {
      if (e?.code === "busy") {
        return refuse(req, refusals.busy, `the worker is busy (${e.message}): try again shortly`, { "Retry-After": String(o.retryAfterS) });
      }
      if (e?.starting) return failed(req, `starting a Go instance: ${e}`);
      return failed(req, `${String(e)}; the instance was dropped`);
    }
    const [status, headers, bytes] = out;
    return new Response(NO_BODY.has(status) || bytes.byteLength === 0 ? null : bytes, { status, headers: JSON.parse(headers) });
  }
  return { fetch, pool: () => pool };
}

export default { fetch: createWorker().fetch };
