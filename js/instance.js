// instance.js — Go WebAssembly instances in JavaScript, written once for every host: start one,
// serve one request or call on it, decide whether it may serve again, and the pool of them
// workerd needs. Used by the Go worker's entry (worker/entry.mjs) and by the JS package
// (runtime.js: one shared instance in pages and Node, a pool in workerd).
//
// Both hosts load Go with Go's own wasm_exec.js, copied from the toolchain that built the wasm
// (the loader and the wasm's imports change together between Go releases). syumai/workers'
// copy of it differs only by a Proxy of globalThis that hands each instance its own
// `context`; its Go side reads `context` once, during package initialisation, which runs
// inside go.run's synchronous start. So the worker's context ({env, binding}) is set on
// globalThis for exactly that call and removed again: no Proxy, whose trap every global
// lookup of Go would pay, and which makes workerd's fetch throw "Illegal invocation" when
// called as its method.
//
// Go finds its host object (ns) through a global named by its first argument (internal/jsx
// Host), deleted once Go is ready. Go puts its functions on ns (newClient or serve, and
// goroutines) and says it is ready through ns.ready() or syumai's `workers.ready` import.
//
// No promise made for one request is settled during another (workerd forbids it): Go's exit
// is reported to per-call listeners, never through go.run's promise.

import { createPool } from "./pool.js";

/**
 * The limits of a pool, each overridable per pool. One instance holds ~6 MiB of linear memory
 * warm and ~11 MiB after 1,000 requests (worker/e2e TestPoolInstanceMemory), so 4 kept + 2
 * temporary stay under 100 MiB even at memoryLimit, inside an isolate's 128 MB.
 */
export const defaults = Object.freeze({
  /** Instances kept per isolate. */
  max: 4,
  /** Temporary instances for bursts beyond max, each dropped after one request. */
  overflow: 2,
  /** Replace an instance after this many requests (bounds slow growth, fragmentation). */
  retireAfter: 1000,
  /** Replace an instance whose linear memory grew past this. */
  memoryLimit: 16 * 1024 * 1024,
  /** How long a request may wait for a free instance before it is refused (code "busy"). */
  waitMs: 5_000,
  /**
   * How many requests may wait at once; beyond, a request is refused at once. A burst of
   * normal requests (a few ms each) drains quickly; this bounds the waiting a stalled pool
   * accumulates.
   */
  maxWaiters: 64,
  /**
   * Go's GOGC in each pooled instance (Go's default is 100). Linear memory never shrinks, so an
   * instance keeps its peak heap for good: at 50, one instance holds 8.25 MiB after the
   * 5,000-request soak instead of 10.5 (7.5–7.75 warm), for no CPU per request beyond noise
   * (bench/analysis.md, round 2). 25 held 7.5 MiB but cost 13% CPU at concurrency 4.
   */
  gogc: 50,
  /** How long one request's (or call's) Go work may take: Go's context ends then. */
  deadlineMs: 30_000,
  /**
   * How long after deadlineMs an unanswered request is given up by JS (code "deadline") and
   * its instance retired; twice this after deadlineMs, an instance still held counts as
   * abandoned (its request was cancelled) and the next request retires it.
   */
  graceMs: 5_000,
});

/** An Error with a code: "wasm_exited", "deadline" or (from the pool) "busy". */
function codeError(code, message) {
  return Object.assign(new Error(message), { code });
}

let started = 0;

/** An Error with name "BodyTooLargeError": the refusal of a body over its cap. */
function tooLarge(maxBytes) {
  return Object.assign(new Error(`the body is larger than ${maxBytes} bytes`), { name: "BodyTooLargeError" });
}

/**
 * Reads a body stream whole, refusing it (tooLarge) as soon as more than maxBytes arrived: a
 * flood is never held whole. Each read races `late`, when given (a Promise that rejects when
 * the body takes too long). Resolves to one Uint8Array, or null for an empty body.
 */
export async function readCapped(stream, maxBytes, { late, tooLarge: refuse = () => tooLarge(maxBytes) } = {}) {
  const reader = stream.getReader();
  const chunks = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await (late ? Promise.race([reader.read(), late]) : reader.read());
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) throw refuse();
      chunks.push(value);
    }
  } catch (e) {
    reader.cancel().catch(() => {});
    throw e;
  }
  if (total === 0) return null;
  if (chunks.length === 1) return chunks[0];
  const body = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.byteLength;
  }
  return body;
}

/**
 * fetch for Go (wasm/jsfetch: ns.fetch), so a request crosses from Go to JavaScript once and its
 * answer once back, with one settlement for Go to wait on instead of one for the answer and
 * one per chunk of its body. Go hands over the request whole, its headers as "name:value"
 * lines; the answer comes back whole: [head, body], head being the status, the status text
 * and the headers as lines ("200\nOK\nname:value..."), body a Uint8Array or null. A body over
 * maxBytes (or a Content-Length saying so) is refused with a BodyTooLargeError and the
 * request aborted, so its connection closes. The Promise has abort(), which Go calls when its
 * context ends.
 *
 * fetchFn (undefined: globalThis.fetch, looked up per call) is called without a receiver:
 * workerd throws "Illegal invocation" for a fetch whose `this` is anything but the global or
 * undefined. credentials "" means "omit", except in workerd, which has no cookie jar and
 * whose older releases threw for the field ("not implemented"): there no field is sent.
 */
export function goFetch(fetchFn, url, method, headerLines, body, credentials, maxBytes) {
  const controller = new AbortController();
  const headers = new Headers();
  for (const line of headerLines ? headerLines.split("\n") : []) {
    const at = line.indexOf(":");
    headers.append(line.slice(0, at), line.slice(at + 1));
  }
  const init = { method, headers, signal: controller.signal };
  const creds = credentials || (globalThis.navigator?.userAgent === "Cloudflare-Workers" ? "" : "omit");
  if (creds) init.credentials = creds;
  if (body) init.body = body;
  const answer = (async () => {
    const r = await (fetchFn ?? globalThis.fetch)(url, init);
    const refuse = () => {
      controller.abort();
      return tooLarge(maxBytes);
    };
    const declared = r.headers.get("Content-Length");
    if (declared !== null && Number(declared) > maxBytes) throw refuse();
    const bytes = r.body === null ? null : await readCapped(r.body, maxBytes, { tooLarge: refuse });
    let head = `${r.status}\n${r.statusText}`;
    for (const [k, v] of r.headers) head += `\n${k}:${v}`;
    return [head, bytes];
  })();
  answer.abort = () => controller.abort();
  return answer;
}

/**
 * Starts one Go instance of module and resolves once Go is ready. options: context (the
 * worker's {env}; see the header), ns (extra fields for Go's host object: locks, deadlineMs),
 * adoptGo (a hook given the Go object before it runs), gogc (Go's GOGC, when given).
 * The instance: {ns, go, wasm, exited, served, idleGoroutines, memoryBytes(), onExit(fn)}.
 */
export async function startInstance(module, { context, ns = {}, adoptGo, gogc } = {}) {
  const name = `__globusEdge${started++ || ""}`;
  const t0 = performance.now();
  const go = new globalThis.Go();
  go.argv = ["globus-edge", name];
  if (gogc !== undefined) go.env = { ...go.env, GOGC: String(gogc) };
  adoptGo?.(go);
  const listeners = new Set();
  const inst = {
    ns: { ...ns },
    go,
    wasm: null,
    exited: false,
    served: 0,
    idleGoroutines: 0,
    memoryBytes: () => inst.wasm.exports.mem.buffer.byteLength,
    /** Calls fn(code) if the program exits; returns the function that stops listening. */
    onExit(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
  go._resolveExitPromise = () => {}; // see the header: exit is reported through listeners
  go.exit = (code) => {
    inst.exited = true;
    // A timer Go had scheduled would resume a program that is gone (and throw).
    for (const t of go._scheduledTimeouts.values()) clearTimeout(t);
    go._scheduledTimeouts.clear();
    for (const fn of [...listeners]) fn(code);
  };
  // The test build's /__test/instance reports it.
  inst.ns.memoryBytes = inst.memoryBytes;
  inst.ns.fetch = goFetch;
  let stopListening;
  let failStart;
  const ready = new Promise((resolve, reject) => {
    failStart = reject;
    inst.ns.ready = () => resolve();
    stopListening = inst.onExit((code) => reject(codeError("wasm_exited", `the Go program exited during start-up (code ${code})`)));
  });
  const imports = { ...go.importObject, workers: { ready: () => inst.ns.ready() } };
  inst.wasm = await WebAssembly.instantiate(module, imports);
  const t1 = performance.now();
  globalThis[name] = inst.ns;
  const hadContext = Object.hasOwn(globalThis, "context");
  const previous = globalThis.context;
  if (context) globalThis.context = { binding: {}, ...context };
  try {
    // Its promise never settles (see go._resolveExitPromise) unless the start itself throws,
    // which it does at once: this request's to report.
    go.run(inst.wasm).catch((e) => failStart(codeError("wasm_exited", `the Go program failed to start: ${e}`)));
  } finally {
    if (context) {
      if (hadContext) globalThis.context = previous;
      else delete globalThis.context;
    }
  }
  try {
    await ready;
  } finally {
    delete globalThis[name];
    stopListening();
  }
  inst.idleGoroutines = inst.ns.goroutines();
  // Timings for pages and benchmarks (performance.getEntriesByType("measure")); not every
  // runtime has measure.
  if (typeof performance.measure === "function") {
    const t2 = performance.now();
    performance.measure("globus-edge:instantiate", { start: t0, end: t1 });
    performance.measure("globus-edge:go-start", { start: t1, end: t2 });
    performance.measure("globus-edge:ready", { start: t0, end: t2 });
  }
  return inst;
}

/**
 * Runs fn(inst.ns) — one request or call — and settles with it, or rejects with code
 * "wasm_exited" as soon as the program exits, or with code "deadline" after backstopMs (if
 * given): a call never waits for ever on an instance that cannot answer.
 */
export async function serveOn(inst, fn, { backstopMs = 0 } = {}) {
  inst.served++;
  inst.ns.settledGoroutines = undefined; // Go sets it as it settles this call's Promise

  let stopListening = () => {};
  let timer;
  const stopped = new Promise((_, reject) => {
    stopListening = inst.onExit((code) => reject(codeError("wasm_exited", `the Go program exited (code ${code})`)));
    if (backstopMs > 0) {
      timer = setTimeout(() => reject(codeError("deadline", `the Go program did not answer within ${backstopMs} ms`)), backstopMs);
    }
  });
  try {
    if (inst.exited) throw codeError("wasm_exited", "the Go program had exited");
    return await Promise.race([(async () => fn(inst.ns))(), stopped]);
  } catch (e) {
    // A program that exits inside a call also makes the loader throw (it resumes an instance
    // it has just dropped): report the exit, not that.
    if (inst.exited && e?.code !== "wasm_exited") throw codeError("wasm_exited", `the Go program exited (${e})`);
    throw e;
  } finally {
    stopListening();
    clearTimeout(timer);
  }
}

/**
 * Why inst must not serve again, or "" if it may: it exited, served retireAfter requests,
 * grew past memoryLimit, or left goroutines running (which could touch JS during the next
 * request, which workerd forbids).
 */
export async function retireReason(inst, { retireAfter = defaults.retireAfter, memoryLimit = defaults.memoryLimit } = {}) {
  if (inst.exited) return "it exited";
  if (inst.served >= retireAfter) return `it served ${inst.served} requests`;
  const bytes = inst.memoryBytes();
  if (bytes > memoryLimit) return `its memory grew to ${(bytes / 2 ** 20).toFixed(1)} MiB after ${inst.served} requests`;
  // Go reports the count as it settles a call's Promise (internal/jsx ExportStats): when that
  // is the idle count, asking Go again (a round of its event handling) would say the same.
  const settled = inst.ns.settledGoroutines;
  if (typeof settled === "number" && settled <= inst.idleGoroutines) return "";
  const leftOver = () => inst.ns.goroutines() - inst.idleGoroutines;
  if (leftOver() > 0) {
    // Goroutines that just handed over the answer may still be returning: give Go one turn.
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (inst.exited) return "it exited";
    const left = leftOver();
    if (left > 0) return `it left ${left} goroutine(s) running`;
  }
  return "";
}

/**
 * A pool of instances of module (workerd: one request or call per instance at a time; see
 * pool.js). options: the fields of `defaults`, plus startInstance's context/ns/adoptGo, label
 * (the log prefix) and retireOnError (retire an instance whose fn rejected: the worker's serve
 * rejects only when Go panicked). ns.deadlineMs tells Go the deadline of each call.
 *
 * use(fn) runs fn(ns) on an instance that serves nothing else until fn settles, and rejects
 * with code "busy" (no instance free in time, or too many waiting), "deadline" or
 * "wasm_exited" (the instance is then retired), or with starting: true when no instance could
 * start. acquire() is the pool's own (pool.js), for tests that need an instance held.
 */
export function createInstancePool(module, options = {}) {
  const o = { ...defaults, label: "globus-edge", retireOnError: false, ...options };
  const backstopMs = o.deadlineMs + o.graceMs;
  const pool = createPool({
    create: () => startInstance(module, { context: o.context, adoptGo: o.adoptGo, gogc: o.gogc, ns: { ...o.ns, deadlineMs: o.deadlineMs } }),
    usable: (inst) => !inst.exited,
    onReclaim: (inst, heldMs) => console.warn(`${o.label}: reclaimed a Go instance held for ${Math.round(heldMs / 1000)} s by a request that never finished (abandoned)`),
    max: o.max,
    overflow: o.overflow,
    waitMs: o.waitMs,
    maxWaiters: o.maxWaiters,
    reclaimAfterMs: backstopMs + o.graceMs,
  });
  async function use(fn) {
    let inst;
    try {
      inst = await pool.acquire();
    } catch (e) {
      // No instance could start (the module failed to instantiate, or Go exited at start-up).
      if (e?.code !== "busy" && e && typeof e === "object") e.starting = true;
      throw e;
    }
    let retire = "";
    try {
      return await serveOn(inst, fn, { backstopMs });
    } catch (e) {
      if (e?.code === "deadline" || e?.code === "wasm_exited" || o.retireOnError) retire = "its request failed";
      throw e;
    } finally {
      retire ||= await retireReason(inst, o);
      if (retire === "") pool.release(inst);
      else {
        if (/memory|goroutine/.test(retire)) console.warn(`${o.label}: retiring a Go instance: ${retire}`);
        pool.retire(inst);
      }
    }
  }
  return { use, acquire: pool.acquire, stats: pool.stats, options: o };
}
