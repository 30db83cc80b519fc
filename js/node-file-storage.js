// node-file-storage.js — a storage for Node apps that keeps the tokens in a JSON file in the
// Python Globus SDK's JSONTokenStorage v2 format (the file the globus-edge CLI and the Python
// tutorial use), so a Node script, the CLI and Python can share one login.
//
//   import { createFileStorage } from "@globus-edge/client/node-file-storage";
//   const storage = createFileStorage(`${homedir()}/.list-my-globus-groups-tokens.json`);
//   const client = await createGlobusClient({ storage });
//
// The client keeps three records in a storage (README: "Storage objects and keys"): the token
// document, the login in progress and a short refresh lease. The token document (the key
// computed from clientId and namespace, as the client does) goes to the file itself; the other
// two, which carry an expiry, to a sidecar "<file>.pending.json". Both are written atomically
// (temporary file, rename) with mode 0600. Synchronous file calls: the records are small and a
// storage call is never on a hot path.
import { createHash, randomBytes } from "node:crypto";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";

/** The tutorial's client id, the client's default. */
const TUTORIAL_CLIENT_ID = "61338d24-54d5-408f-a10d-66c06b59f6d2";

/** The storage key of the token document of clientId and namespace ("session/" + base64url(SHA-256)). */
export function tokenDocumentKey(clientId = TUTORIAL_CLIENT_ID, namespace = "DEFAULT") {
  return "session/" + createHash("sha256").update(`globus-edge:${clientId}:${namespace}`).digest("base64url");
}

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

/**
 * A storage object for createGlobusClient over the file at path. options.clientId and
 * options.namespace must be the client's (defaults: the tutorial client, "DEFAULT").
 */
export function createFileStorage(path, { clientId = TUTORIAL_CLIENT_ID, namespace = "DEFAULT" } = {}) {
  if (typeof path !== "string" || path === "") throw new TypeError("createFileStorage: path must be a non-empty string");
  const docKey = tokenDocumentKey(clientId, namespace);
  const sidecar = `${path}.pending.json`;

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
    get(key) {
      if (key === docKey) return readOrNull(path);
      return readSidecar()[key]?.value ?? null;
    },
    put(key, value, options = {}) {
      if (key === docKey) return writeAtomic(path, value);
      const all = readSidecar();
      const ttl = Number(options?.expirationTtl) || 0;
      all[key] = { value, expires: ttl > 0 ? Date.now() + ttl * 1000 : 0 };
      writeSidecar(all);
    },
    delete(key) {
      if (key === docKey) return rmSync(path, { force: true });
      const all = readSidecar();
      delete all[key];
      writeSidecar(all);
    },
  };
}
