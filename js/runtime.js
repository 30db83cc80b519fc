// runtime.js — where the Go program runs. In a page and in Node, one Go instance per wasm
// source serves every client of the process. In workerd, a pool of instances, each serving one
// client call at a time, because workerd binds promises and I/O to the request that made them
// (see pool.js). Starting, serving on and retiring instances is instance.js's, shared with the
// Go worker. Callers get the same "program" shape either way: {newClient(config) →
// Promise<api>, exclusive} where exclusive means "one call at a time".
//
// wasm_exec.js (Go's loader, copied from the toolchain that built the wasm) must be imported
// by the entry module first; it defines globalThis.Go.
import { GlobusError } from "./errors.js";
import { createInstancePool, serveOn, startInstance } from "./instance.js";

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
    let inst;
    try {
      inst = await startInstance(await compile(source, platform), { ns: { locks }, adoptGo: platform.adoptGo });
    } catch (e) {
      throw e?.code === "wasm_exited" ? new GlobusError({ message: `globus-edge: ${e.message}`, code: "wasm_exited" }) : e;
    }
    const exited = () => new GlobusError({ message: "globus-edge: the Go program exited", code: "wasm_exited" });
    // A crash after the start: say so once, and let the next createGlobusClient start afresh.
    inst.onExit((code) => {
      (typeof source === "string" ? byURL : byObject).delete(source);
      console.error(`globus-edge: the Go program exited (code ${code})`);
    });
    return {
      exclusive: false,
      newClient: async (cfg) => {
        if (inst.exited) throw exited();
        return inst.ns.newClient(cfg);
      },
      /** Runs fn (a call into Go); rejects with wasm_exited at once if the program dies. */
      async guard(fn) {
        try {
          return await serveOn(inst, fn);
        } catch (e) {
          throw e?.code === "wasm_exited" ? exited() : e;
        }
      },
    };
  });
}

/** Pools by Module (workerd). */
const pools = new WeakMap();

/** The pool's refusals and failures as the package's errors. */
function poolError(e) {
  switch (e?.code) {
    case "busy":
      return new GlobusError({ message: `globus-edge: every Go instance is busy (${e.message}); try again shortly`, code: "busy" });
    case "deadline":
      return new GlobusError({ message: `globus-edge: ${e.message}`, code: "timeout" });
    case "wasm_exited":
      return new GlobusError({ message: `globus-edge: ${e.message}`, code: "wasm_exited" });
  }
  return e;
}

/**
 * How long a call may wait for a free pooled instance: as long as a call may take. The Go
 * worker refuses sooner (instance.js defaults: it answers HTTP with 503 and Retry-After); a
 * library call has no such answer to give, and the app's request is still waiting on it.
 */
const WAIT_MS = 30_000;

/**
 * A pool of Go instances (workerd; instance.js's defaults but WAIT_MS: 4 kept, 2 temporary,
 * each call bounded by a 30 s deadline, at most 64 calls waiting for an instance). use(fn) runs
 * fn(ns) on an instance that serves nothing else until fn settles; an instance whose program
 * died, or whose call was abandoned, is retired, never reused. Made without awaiting
 * anything, and cached as a plain object, not a promise: a promise made in one request and
 * awaited in another is what workerd refuses. (In workerd the source is always a Module:
 * wasmSource refuses the rest.)
 */
function pooledProgram(module) {
  if (!pools.has(module)) {
    const pool = createInstancePool(module, { ns: { locks }, waitMs: WAIT_MS });
    pools.set(module, {
      exclusive: true,
      pool,
      async use(fn) {
        try {
          return await pool.use(fn);
        } catch (e) {
          throw poolError(e);
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
