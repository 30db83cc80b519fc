// runtime.js — where the Go program runs. In a page and in Node, one Go instance per wasm
// source serves every client of the process. In workerd, a pool of instances (pool.js), each
// serving one client call at a time, because workerd binds promises and I/O to the request
// that made them (see pool.js). Callers get the same "program" shape either way:
// {newClient(config) → Promise<api>, exclusive} where exclusive means "one call at a time".
//
// wasm_exec.js (Go's loader, copied from the toolchain that built the wasm) must be imported
// by the entry module first; it defines globalThis.Go.
import { GlobusError } from "./errors.js";
import { createPool } from "./pool.js";

/**
 * The realm's lock table (see wasm/jsstorage.Locks): Go instances of this realm take it
 * before the storage lease, so concurrent refreshes of one login in one isolate or process
 * are exactly one. Waiters poll it from Go; nothing here resolves a promise for another caller.
 */
const lockTable = new Map();
const locks = {
  tryAcquire(name, holder, ttlMs) {
    const e = lockTable.get(name);
    const now = Date.now();
    if (e && e.until > now) return false;
    lockTable.set(name, { holder, until: now + Number(ttlMs) });
    return true;
  },
  release(name, holder) {
    if (lockTable.get(name)?.holder === holder) lockTable.delete(name);
  },
};

const isModule = (v) => typeof WebAssembly.Module === "function" && v instanceof WebAssembly.Module;
const isBytes = (v) => v instanceof ArrayBuffer || ArrayBuffer.isView(v);
const isResponse = (v) => typeof Response === "function" && v instanceof Response;

/**
 * Checks config.wasm / config.wasmUrl before anything starts, so a wrong type is a TypeError
 * at once and not a failure deep in WebAssembly. Returns the source to use.
 */
export function wasmSource(config, platform) {
  const { wasm, wasmUrl } = config;
  if (wasm !== undefined && wasmUrl !== undefined) {
    throw new TypeError("globus-edge: give config.wasm or config.wasmUrl, not both");
  }
  if (wasm !== undefined) {
    if (!(isModule(wasm) || isBytes(wasm) || isResponse(wasm))) {
      const got = wasm === null ? "null" : typeof wasm === "object" ? wasm.constructor?.name || "object" : typeof wasm;
      throw new TypeError(`globus-edge: config.wasm must be a WebAssembly.Module, an ArrayBuffer or Uint8Array of the .wasm, or a Response, got ${got}`);
    }
    if (platform.name === "workerd" && !isModule(wasm)) {
      // Workers refuse to compile code at run time; their .wasm imports are Modules already.
      throw new TypeError("globus-edge: in workerd, config.wasm must be a WebAssembly.Module (import wasm from \"./globus-edge.wasm\"), not bytes or a Response");
    }
    return wasm;
  }
  if (wasmUrl !== undefined) {
    if (typeof wasmUrl !== "string" && !(wasmUrl instanceof URL)) {
      throw new TypeError(`globus-edge: config.wasmUrl must be a string or a URL, got ${typeof wasmUrl}`);
    }
    if (platform.name === "workerd") {
      throw new TypeError("globus-edge: in workerd, pass config.wasm (a WebAssembly.Module), not wasmUrl: Workers cannot compile fetched code");
    }
    return new URL(String(wasmUrl), platform.base).href;
  }
  return platform.defaultWasm();
}

/** Compiles a source to a WebAssembly.Module. */
async function compile(source, platform) {
  if (isModule(source)) return source;
  if (isBytes(source)) return WebAssembly.compile(source);
  let response = source;
  if (typeof source === "string") {
    response = await platform.load(source);
    if (isBytes(response)) return WebAssembly.compile(response);
  }
  if (!response.ok) {
    throw new GlobusError({ message: `globus-edge: loading the wasm from ${response.url || (typeof source === "string" ? source : "config.wasm (a Response)")}: HTTP ${response.status}`, code: "wasm_load_failed" });
  }
  // compileStreaming compiles while downloading but throws unless the server says
  // application/wasm, which many static servers do not: then compile from the bytes.
  const type = (response.headers.get("Content-Type") || "").split(";")[0].trim().toLowerCase();
  if (type === "application/wasm" && typeof WebAssembly.compileStreaming === "function") {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

let programCount = 0;

/**
 * Starts one Go instance of module and resolves to {ns, dead} once Go says it is ready: ns has
 * newClient and version; dead becomes true if the program ever exits. Go finds ns through a
 * global named by its first argument, deleted again at once so other scripts cannot reach it.
 */
async function startGo(module, platform) {
  const name = `__globusEdge${programCount++ || ""}`;
  const ns = { locks };
  const ready = new Promise((resolve) => { ns.ready = resolve; });
  const t0 = performance.now();
  const go = new globalThis.Go();
  go.argv = ["globus-edge", name];
  platform.adoptGo?.(go);
  const instance = await WebAssembly.instantiate(module, go.importObject);
  const t1 = performance.now();
  globalThis[name] = ns;
  const inst = { ns, dead: false };
  // go.run settles only when the program ends, which it never should: if it does (a crash),
  // fail the start instead of waiting forever.
  const exited = go.run(instance).then(
    () => { throw new GlobusError({ message: "globus-edge: the Go program exited", code: "wasm_exited" }); },
    (e) => { throw new GlobusError({ message: `globus-edge: the Go program crashed: ${e}`, code: "wasm_exited" }); },
  );
  exited.catch(() => { inst.dead = true; });
  try {
    await Promise.race([ready, exited]);
  } finally {
    delete globalThis[name];
  }
  const t2 = performance.now();
  // Timings for pages and benchmarks (performance.getEntriesByType("measure")); not every
  // runtime has measure.
  if (typeof performance.measure === "function") {
    performance.measure("globus-edge:instantiate", { start: t0, end: t1 });
    performance.measure("globus-edge:go-start", { start: t1, end: t2 });
    performance.measure("globus-edge:ready", { start: t0, end: t2 });
  }
  inst.exited = exited;
  return inst;
}

/** Programs by source: strings (URLs) in a Map, objects (Module, bytes, Response) in a WeakMap. */
const byURL = new Map();
const byObject = new WeakMap();

function cached(source, make) {
  const map = typeof source === "string" ? byURL : byObject;
  if (!map.has(source)) {
    const p = make();
    // A failed start must not be cached, or a page could never retry.
    p.catch(() => map.delete(source));
    map.set(source, p);
  }
  return map.get(source);
}

/** One shared Go instance (page, Node): every client of the process uses it. */
function sharedProgram(source, platform) {
  return cached(source, async () => {
    const inst = await startGo(await compile(source, platform), platform);
    // A crash after the start: say so once, and let the next createGlobusClient start afresh.
    inst.exited.catch((e) => {
      (typeof source === "string" ? byURL : byObject).delete(source);
      console.error(e.message);
    });
    return { exclusive: false, newClient: (cfg) => inst.ns.newClient(cfg), dead: () => inst.dead };
  });
}

/** Pool sizes in workerd: instances kept, and temporary ones for bursts (each ~ tens of MB). */
const POOL_MAX = 4;
const POOL_OVERFLOW = 2;

/** Pools by Module (workerd). */
const pools = new WeakMap();

/**
 * How long one call may hold an instance before the next acquirer retires it as abandoned.
 * workerd can cancel a request (its client went away, it hit a limit) and with it the request's
 * continuations: the call's finally would never run and its instance would stay busy for ever.
 * No call takes this long (at most 5 attempts of the HTTP timeout, 60 s by default, plus
 * backoff). Not covered by a test: it would have to wait that long.
 */
const ABANDONED_MS = 15 * 60 * 1000;

/**
 * A pool of Go instances (workerd). use(fn) runs fn(ns) on an instance that serves nothing else
 * until fn settles; an instance whose program died is retired, never reused. Made without
 * awaiting anything, and cached as a plain object, not a promise: a promise made in one
 * request and awaited in another is what workerd refuses. (In workerd the source is always a
 * Module: wasmSource refuses the rest.)
 */
function pooledProgram(module) {
  if (!pools.has(module)) {
    const pool = createPool({ create: () => startGo(module, { name: "workerd" }), max: POOL_MAX, overflow: POOL_OVERFLOW });
    const busy = new Map(); // instance → when its call started
    const retireAbandoned = () => {
      const now = Date.now();
      for (const [inst, since] of busy) {
        if (now - since > ABANDONED_MS) {
          busy.delete(inst);
          pool.retire(inst);
        }
      }
    };
    pools.set(module, {
      exclusive: true,
      pool,
      async use(fn) {
        retireAbandoned();
        const inst = await pool.acquire();
        busy.set(inst, Date.now());
        try {
          return await fn(inst.ns);
        } finally {
          // An instance retired as abandoned meanwhile is no longer the pool's to take back.
          if (busy.delete(inst)) {
            if (inst.dead) pool.retire(inst);
            else pool.release(inst);
          }
        }
      },
    });
  }
  return pools.get(module);
}

/** The program for source on this platform. */
export function program(source, platform) {
  return platform.name === "workerd" ? pooledProgram(source) : sharedProgram(source, platform);
}
