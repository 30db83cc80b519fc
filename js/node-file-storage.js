// node-file-storage.js — a storage for Node apps that keeps the tokens in a JSON file in the
// Python Globus SDK's JSONTokenStorage v2 format (the file the globus-edge CLI and the Python
// tutorial use), so a Node script, the CLI and Python can share one login.
//
//   import { createFileStorage } from "@globus-edge/client/node-file-storage";
//   const storage = createFileStorage(`${homedir()}/.list-my-globus-groups-tokens.json`);
//   const client = await createGlobusClient({ storage });
//
// The client keeps three records in a storage (README: "Storage objects and keys") and tells
// the storage their keys once, when it is created (bind; the layout is Go's, never computed
// here): the token document goes to the file itself; the login in progress and the refresh
// lease, which carry an expiry, to a sidecar "<file>.pending.json". Both are written atomically
// (temporary file, rename) with mode 0600. One file holds one client's tokens: a second client
// with another client id or namespace is refused. Synchronous file calls: the records are small
// and a storage call is never on a hot path.
import { randomBytes } from "node:crypto";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";

function readOrNull(path) {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    if (e.code === "ENOENT") return null;
    throw e;
  }
}

function writeAtomic(path, text) {
  const tmp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** A storage object for createGlobusClient over the file at path. */
export function createFileStorage(path) {
  if (typeof path !== "string" || path === "") throw new TypeError("createFileStorage: path must be a non-empty string");
  const sidecar = `${path}.pending.json`;
  let bound = null; // what bind was told: {clientId, namespace, keys}

  /** The token document's key; before a client told it, nothing may be read or written. */
  function tokensKey() {
    if (!bound) throw new Error(`createFileStorage(${path}): no client was created on this storage yet (pass it to createGlobusClient as config.storage)`);
    return bound.keys.tokens;
  }

  // The sidecar: {key: {value, expires (ms since epoch, 0 = never)}}, expired entries dropped.
  function readSidecar() {
    const text = readOrNull(sidecar);
    let all = {};
    try {
      all = text ? JSON.parse(text) : {};
    } catch {
      all = {}; // a torn or foreign sidecar holds nothing worth keeping: logins restart
    }
    const now = Date.now();
    for (const [k, e] of Object.entries(all)) if (e.expires && e.expires <= now) delete all[k];
    return all;
  }
  function writeSidecar(all) {
    if (Object.keys(all).length === 0) rmSync(sidecar, { force: true });
    else writeAtomic(sidecar, JSON.stringify(all));
  }

  return {
    path,
    /** Called by the client once (StorageObject.bind): the keys it uses. A second client with other keys is refused. */
    bind({ clientId, namespace, keys }) {
      if (bound && bound.keys.tokens !== keys.tokens) {
        throw new Error(`createFileStorage(${path}) holds the tokens of clientId "${bound.clientId}" (namespace "${bound.namespace}"); ` +
          `a client with clientId "${clientId}" (namespace "${namespace}") needs a file of its own`);
      }
      bound = { clientId, namespace, keys: { ...keys } };
    },
    get(key) {
      if (key === tokensKey()) return readOrNull(path);
      return readSidecar()[key]?.value ?? null;
    },
    put(key, value, options = {}) {
      if (key === tokensKey()) return writeAtomic(path, value);
      const all = readSidecar();
      const ttl = Number(options?.expirationTtl) || 0;
      all[key] = { value, expires: ttl > 0 ? Date.now() + ttl * 1000 : 0 };
      writeSidecar(all);
    },
    delete(key) {
      if (key === tokensKey()) return rmSync(path, { force: true });
      const all = readSidecar();
      delete all[key];
      writeSidecar(all);
    },
  };
}
