// fault-ops.mjs — what the fault suites' runners of @globus-edge/client share (node-faults.mjs
// in Node, faults-worker.js in workerd; the Go side is js/e2e/faultsuite_test.go): a storage
// whose put can fail as a full disk or a KV write limit does, and the report of an error.
import { GlobusError, LoginRequiredError } from "@globus-edge/client";

/**
 * Wraps storage (get/put/delete, sync or Promise, and compareAndSwap when it has one) so that
 * writes throw: failPut "all" (every record, the refresh lease first, also when it is taken
 * with compareAndSwap) or "document" (only the record under docKey(): the refresh happens at
 * Globus, storing its result fails). With promises, every method returns a Promise and a
 * failing write rejects, as a Workers KV binding does. Set .failPut = "" to heal it.
 */
export function faultyStorage(inner, failPut, docKey, promises) {
  const wrap = (fn) => (promises ? async (...a) => fn(...a) : fn);
  const s = {
    failPut,
    get: wrap((k) => inner.get(k)),
    put: wrap((k, v, o) => {
      if (s.failPut === "all" || (s.failPut === "document" && k === docKey())) throw new Error("ENOSPC: no space left on device (injected)");
      return inner.put(k, v, o);
    }),
    delete: wrap((k) => inner.delete(k)),
  };
  if (inner.bind) s.bind = (b) => inner.bind(b); // the client tells the storage its keys
  if (inner.compareAndSwap) {
    s.compareAndSwap = wrap((k, expected, v) => {
      if (s.failPut === "all") throw new Error("ENOSPC: no space left on device (injected)");
      return inner.compareAndSwap(k, expected, v);
    });
  }
  return s;
}

/** What the Go test needs to judge an error; of its text only the message, scanned for tokens. */
export function describe(e) {
  return {
    name: e?.name, message: String(e?.message), code: e?.code ?? "", globusCode: e?.globusCode ?? "", httpStatus: e?.httpStatus ?? 0,
    loginRequired: e?.loginRequired === true, isGlobusError: e instanceof GlobusError,
    isLoginRequiredError: e instanceof LoginRequiredError,
  };
}

/** A paste-code login: the fake approves every login, and its auth-code page's URL carries the code. */
export async function login(c) {
  const r = await fetch(await c.startPasteCodeLogin());
  await r.arrayBuffer();
  await c.finishPasteCodeLogin(new URL(r.url).searchParams.get("code"));
}
