// entry.mjs — the Cloudflare Worker's JS entry: a pool of Go instances per isolate.
//
// syumai/workers' generated worker.mjs starts a new Go instance for every request (~6 ms of
// CPU each, billed to the request). Here an isolate keeps up to POOL_MAX instances and hands
// each request one that is idle (js/pool.js explains why one request at a time). Go's side is
// worker/main.go: binding.serve (worker/serve.go) + Ready, then main blocks for ever.
//
// Rules that keep one request's work out of the next:
//  - an instance goes back to the pool only once Go's handler has returned: bodies are small (a
//    page, JSON, CSV) and worker/serve.go hands each over whole, never as a stream;
//  - it goes back only if Go has no more goroutines than when it was idle: a goroutine left
//    running (say, a fetch abandoned on timeout; wasm/jsfetch waits for the fetch to settle,
//    so ours leave none) could touch JS during another request, which workerd forbids;
//  - an instance that exited (panic), served RETIRE_AFTER requests or grew past MEMORY_LIMIT is
//    dropped; a crash answers its request with a JSON 500 and the next request gets a healthy
//    instance;
//  - no promise created for one request is settled during another: Go's exit is reported
//    through a per-request callback, never through go.run's promise.
//
// env is the same object for every request of an isolate, so each instance gets it once at
// start (syumai's Go side reads it then). The ExecutionContext is per request and not passed:
// the Go service needs no waitUntil.
import "./wasm_exec.js"; // syumai's copy of Go's loader: go.run(instance, context)
import mod from "./app.wasm";
import { lastResort, requestId } from "./lastresort.mjs";
import { createPool } from "./pool.js";

/**
 * Instances kept per isolate. One holds ~6 MiB of linear memory warm and ~11 MiB after 1,000
 * requests (TestPoolInstanceMemory), so 4 kept + 2 temporary stay under 100 MiB even at the
 * limit below, inside an isolate's 128 MB.
 */
const POOL_MAX = 4;
/** Temporary instances for bursts beyond POOL_MAX, each dropped after one request. */
const POOL_OVERFLOW = 2;
/** Replace an instance after this many requests (bounds slow growth, fragmentation). */
const RETIRE_AFTER = 1000;
/** Replace an instance whose linear memory grew past this (an isolate has 128 MB). */
const MEMORY_LIMIT = 16 * 1024 * 1024;

// syumai's Go side calls globalThis.tryCatch to catch JS exceptions.
globalThis.tryCatch = (fn) => {
  try {
    return { result: fn() };
  } catch (error) {
    return { error };
  }
};

let pool; // one per isolate, made on the first request (env arrives with it)

/** Starts one Go instance and waits until its handler is registered. */
async function startGo(env) {
  const go = new Go();
  const inst = { go, instance: null, binding: {}, exited: false, served: 0, idleGoroutines: 0, onExit: null };
  // go.run's promise was created by the request that started this instance; settling it
  // during a later request is what workerd forbids. Exit is reported through onExit instead.
  go._resolveExitPromise = () => {};
  go.exit = (code) => {
    inst.exited = true;
    inst.onExit?.(code);
  };
  const started = new Promise((resolve, reject) => {
    inst.onExit = (code) => reject(new Error(`the Go program exited during start-up (code ${code})`));
    const imports = { ...go.importObject, workers: { ready: () => resolve() } };
    inst.instance = new WebAssembly.Instance(mod, imports);
    // Lets Go (the test-only /__test/instance route) report its linear memory.
    inst.binding.memoryBytes = () => inst.instance.exports.mem.buffer.byteLength;
    go.run(inst.instance, { env, binding: inst.binding });
  });
  await started;
  inst.onExit = null;
  inst.idleGoroutines = inst.binding.goStats().goroutines;
  return inst;
}

/**
 * Logs what went wrong under a fresh request id and answers as the service does (lastresort.mjs,
 * generated from worker/service: its error body, common headers and id format): a 500 the
 * client can quote.
 */
function failed(req, what) {
  const id = requestId();
  console.error(`worker: ${id}: ${req.method} ${new URL(req.url).pathname}: ${what}`);
  return lastResort(id);
}

/** Statuses whose Response must not have a body. */
const NO_BODY = new Set([101, 204, 205, 304]);

/**
 * Serves req on inst; resolves to the Response, or null if Go exited. The request and the
 * answer cross to Go and back whole (worker/serve.go): headers as one JSON list, bodies as one
 * Uint8Array, and the answer is complete when Go's Promise resolves.
 */
async function serve(inst, req) {
  const exited = new Promise((resolve) => (inst.onExit = () => resolve(null)));
  try {
    const body = req.body ? new Uint8Array(await req.arrayBuffer()) : null;
    const out = await Promise.race([inst.binding.serve(req.method, req.url, JSON.stringify([...req.headers]), body), exited]);
    if (out === null) return null;
    const [status, headers, bytes] = out;
    return new Response(NO_BODY.has(status) || bytes.byteLength === 0 ? null : bytes, { status, headers: JSON.parse(headers) });
  } finally {
    inst.onExit = null;
  }
}

/** Whether inst may serve another request. */
async function reusable(inst) {
  if (inst.exited || inst.served >= RETIRE_AFTER) return false;
  const bytes = inst.instance.exports.mem.buffer.byteLength;
  if (bytes > MEMORY_LIMIT) {
    console.warn(`worker: retiring a Go instance whose memory grew to ${(bytes / 2 ** 20).toFixed(1)} MiB after ${inst.served} requests`);
    return false;
  }
  const leftOver = () => inst.binding.goStats().goroutines - inst.idleGoroutines;
  if (leftOver() > 0) {
    // Goroutines that just handed over the answer may still be returning: give Go one turn.
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (inst.exited) return false;
    const left = leftOver();
    if (left > 0) {
      console.warn(`worker: retiring a Go instance that left ${left} goroutine(s) running`);
      return false;
    }
  }
  return true;
}

async function fetch(req, env) {
  pool ??= createPool({ create: () => startGo(env), max: POOL_MAX, overflow: POOL_OVERFLOW });
  let inst;
  try {
    inst = await pool.acquire();
  } catch (e) {
    // No instance could start (the module failed to instantiate, or Go exited at start-up).
    return failed(req, `starting a Go instance: ${e}`);
  }
  inst.served++;
  let res;
  try {
    res = await serve(inst, req);
  } catch (e) {
    // serve rejected (a request it could not translate): the instance may be fine,
    // but nothing says so; drop it.
    pool.retire(inst);
    return failed(req, String(e));
  }
  if (res === null) {
    pool.retire(inst);
    return failed(req, "the Go instance exited; dropped it");
  }
  if (await reusable(inst)) pool.release(inst);
  else pool.retire(inst);
  return res;
}

export default { fetch };
