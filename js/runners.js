// runners.js — how a GlobusClient reaches Go. Every runner has the same shape: {config,
// storageKey, loggedIn, setOnRefresh(fn), call(method, arg) → Promise, close()}. On a shared
// instance (page, Node) one Go client is made and kept; on a pool (workerd) a Go client is made
// for each call on the instance serving it and released after, so nothing crosses requests.
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
 * A Go client per call on a pooled instance (workerd): nothing of it outlives the call, so no
 * Go object or promise is carried from one request into another.
 */
export async function pooledRunner(prog, goConfig, bind) {
  let onRefresh = () => {};
  const withClient = (fn) => prog.use(async (ns) => {
    let api;
    try {
      api = await ns.newClient(goConfig);
    } catch (reason) {
      throw toError(reason);
    }
    try {
      return await fn(api);
    } finally {
      api.release();
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
