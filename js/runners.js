// runners.js — how a GlobusClient reaches Go. Every runner has the same shape: {config,
// storageKey, loggedIn, setOnRefresh(fn), call(method, arg) → Promise, close()}. On a shared
// instance (page, Node) one Go client is made and kept; on a pool (workerd) each instance keeps
// a Go client per config, holding nothing of a request between calls (see keptClient).
// Either way, bind(api) runs once, with the first Go client, before anything is read from the
// storage (client.js tells a storage object the keys Go will use).
import { toError } from "./errors.js";

/** Runs fn while the platform is told a call is in flight (Node: keep the process alive). */
async function held(platform, fn) {
  const release = platform.hold?.() ?? (() => {});
  try {
    return await fn();
  } finally {
    release();
  }
}

/** A Go client on a shared instance (page, Node): made once, kept. */
export async function sharedRunner(prog, goConfig, platform, bind) {
  let api;
  try {
    api = await held(platform, () => prog.newClient(goConfig));
  } catch (reason) {
    throw toError(reason);
  }
  try {
    await bind(api);
  } catch (e) {
    api.release();
    throw e;
  }
  let loggedIn = false;
  try {
    loggedIn = await held(platform, () => api.isLoggedIn());
  } catch {
    // A corrupt stored document or a failing storage: reported on first use, not here, so the
    // app can start (and show a login).
  }
  return {
    config: api.config,
    storageKey: api.storageKey,
    loggedIn,
    setOnRefresh: (fn) => api.setOnRefresh(fn),
    call: (method, arg) => held(platform, () => prog.guard(() => api[method](arg))),
    close: () => api.release(),
  };
}

/**
 * Go clients kept per pooled instance (its ns) and config, so a call does not build, describe
 * and free a Go client each time (most of a JS-written Worker's crossings). A kept client holds
 * the config and nothing of a request: no callback (setOnRefresh is cleared after each call),
 * and its tokens are read from the storage on every call (app.App reuses an authorizer only
 * while the stored tokens are the ones it was built from). At most KEEP per instance, the
 * oldest released first: a config differs per user (its namespace) and maybe per request (a
 * storage object made per request). The clients go with their instance.
 */
const KEEP = 8;
const kept = new WeakMap();
const storageIds = new WeakMap();
let storageSeq = 0;

/** The cache key of a config: its values as JSON, a storage object by identity; null: uncached. */
function configKey(goConfig) {
  const { storage, ...rest } = goConfig;
  let id = storage;
  if (storage !== null && (typeof storage === "object" || typeof storage === "function")) {
    if (!storageIds.has(storage)) storageIds.set(storage, ++storageSeq);
    id = { object: storageIds.get(storage) };
  }
  try {
    return JSON.stringify([id, Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : 1))]);
  } catch {
    return null; // not JSON (a cycle, a BigInt): a client per call, as before
  }
}

/** The kept Go client of ns for key, made (and the oldest released) when there is none. */
async function keptClient(ns, key, goConfig) {
  if (key === null) return { api: await ns.newClient(goConfig), keep: false };
  let m = kept.get(ns);
  if (!m) kept.set(ns, (m = new Map()));
  let api = m.get(key);
  if (api) {
    m.delete(key); // re-inserted below: the Map's order is last use
  } else {
    api = await ns.newClient(goConfig);
    if (m.size >= KEEP) {
      const [oldest, old] = m.entries().next().value;
      m.delete(oldest);
      old.release();
    }
  }
  m.set(key, api);
  return { api, keep: true };
}

/**
 * Calls on a pooled instance (workerd), each on the instance serving it, with that instance's
 * kept Go client for this config (keptClient). No Go promise or callback is carried from one
 * request into another.
 */
export async function pooledRunner(prog, goConfig, bind) {
  let onRefresh = () => {};
  const key = configKey(goConfig);
  const withClient = (fn) => prog.use(async (ns) => {
    let c;
    try {
      c = await keptClient(ns, key, goConfig);
    } catch (reason) {
      throw toError(reason);
    }
    try {
      return await fn(c.api);
    } finally {
      if (c.keep) c.api.setOnRefresh(undefined);
      else c.api.release();
    }
  });
  // One instance visit for the description, the binding and the first look at storage.
  const { config, storageKey, loggedIn } = await withClient(async (api) => {
    await bind(api);
    return {
      config: api.config,
      storageKey: api.storageKey,
      loggedIn: await api.isLoggedIn().catch(() => false), // as in sharedRunner
    };
  });
  return {
    config,
    storageKey,
    loggedIn,
    setOnRefresh: (fn) => { onRefresh = fn; },
    call: (method, arg) => withClient((api) => {
      api.setOnRefresh(() => onRefresh());
      return api[method](arg);
    }),
    close: () => {},
  };
}
