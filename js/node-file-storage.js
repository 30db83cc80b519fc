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
// here). Each record has a file of its own, so no file is ever read, changed and written back:
//   - the token document: the file itself, written atomically (temporary file, rename), 0600;
//   - the refresh lease: "<file>.lock", the CLI's lock file. Go takes it with compareAndSwap
//     (its rule, the CLI's: tokens.RecordLock), so the CLI and Node scripts refresh once
//     between them. compareAndSwap is the file operation only: create if absent by link(2),
//     which never replaces a file nor follows a symbolic link; remove by renaming away first;
//     replace by rename. A symbolic link there is refused with an error naming it, as by the CLI;
//   - the login in progress: "<file>.pending.json", with its expiry.
// One file holds one client's tokens: a second client with another client id or namespace is
// refused. Synchronous file calls: the records are small and a storage call is never on a hot
// path.
import { randomBytes } from "node:crypto";
import { closeSync, constants, fstatSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";

function readOrNull(path) {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    if (e.code === "ENOENT") return null;
    throw e;
  }
}

/** A new name beside path for a temporary file. */
function tempName(path, what) {
  const slash = path.lastIndexOf("/");
  return `${path.slice(0, slash + 1)}.${path.slice(slash + 1)}.${what}-${randomBytes(6).toString("hex")}`;
}

function writeAtomic(path, text) {
  const tmp = tempName(path, "tmp");
  try {
    writeFileSync(tmp, text, { mode: 0o600, flag: "wx" });
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** A lock file's content, null when there is none; never read through a symbolic link. */
function readLock(path) {
  let fd;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    if (e.code === "ENOENT") return null;
    if (e.code === "ELOOP" || e.code === "EMLINK") throw new Error(`${path} is a symbolic link; refusing to follow it (remove it)`);
    throw e;
  }
  try {
    if (!fstatSync(fd).isFile()) throw new Error(`${path} is not a regular file`);
    return readFileSync(fd, "utf8");
  } finally {
    closeSync(fd);
  }
}

/**
 * compareAndSwap on a lock file: the same file operations as the CLI's (tokens/filelock_unix.go).
 * expected null: create (link a temporary file to the name: fails if the name exists, whatever
 * it is). value null: remove if it holds expected (rename it away first, so of two removers one
 * gets it; put back what was not expected). Both set: replace (rename over it; a holder renewing
 * its own value).
 */
function swapLockFile(path, expected, value) {
  if (expected === null) {
    if (value === null) return readLock(path) === null;
    const tmp = tempName(path, "tmp");
    writeFileSync(tmp, value, { mode: 0o600, flag: "wx" });
    try {
      linkSync(tmp, path);
      return true;
    } catch (e) {
      if (e.code === "EEXIST") return false;
      throw e;
    } finally {
      rmSync(tmp, { force: true });
    }
  }
  if (value === null) {
    const taken = tempName(path, "old");
    try {
      renameSync(path, taken);
    } catch (e) {
      if (e.code === "ENOENT") return false;
      throw e;
    }
    let held;
    try {
      held = readLock(taken);
    } catch (e) {
      held = e;
    }
    if (held !== expected) {
      try {
        linkSync(taken, path); // not ours to remove: put it back (unless the name was taken meanwhile)
      } catch {}
    }
    rmSync(taken, { force: true });
    if (held instanceof Error) throw held;
    return held === expected;
  }
  if (readLock(path) !== expected) return false;
  writeAtomic(path, value);
  return true;
}

/** A storage object for createGlobusClient over the file at path. */
export function createFileStorage(path) {
  if (typeof path !== "string" || path === "") throw new TypeError("createFileStorage: path must be a non-empty string");
  const lockFile = `${path}.lock`;
  const pendingFile = `${path}.pending.json`;
  let bound = null; // what bind was told: {clientId, namespace, keys}

  /** The file of a record's key ("" for a key the client does not use); nothing before bind. */
  function fileOf(key) {
    if (!bound) throw new Error(`createFileStorage(${path}): no client was created on this storage yet (pass it to createGlobusClient as config.storage)`);
    const { tokens, pending, lease } = bound.keys;
    return key === tokens ? path : key === pending ? pendingFile : key === lease ? lockFile : "";
  }
  function refuse(key, what) {
    return new Error(`createFileStorage(${path}): ${what} ${JSON.stringify(key)}: not a key of this storage's client, or not written so`);
  }

  // The login in progress: {key: {value, expires (ms since epoch, 0 = never)}}, gone once expired.
  function readPending(key) {
    let entry;
    try {
      entry = JSON.parse(readOrNull(pendingFile) ?? "{}")[key];
    } catch {
      return null; // a torn or foreign file holds nothing worth keeping: the login restarts
    }
    if (!entry || typeof entry.value !== "string" || (entry.expires && entry.expires <= Date.now())) return null;
    return entry.value;
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
      const file = fileOf(key);
      if (file === path) return readOrNull(path);
      if (file === lockFile) return readLock(lockFile);
      if (file === pendingFile) return readPending(key);
      return null;
    },
    put(key, value, options = {}) {
      const file = fileOf(key);
      if (file === path) return writeAtomic(path, value);
      if (file !== pendingFile) throw refuse(key, "put");
      const ttl = Number(options?.expirationTtl) || 0;
      writeAtomic(pendingFile, JSON.stringify({ [key]: { value, expires: ttl > 0 ? Date.now() + ttl * 1000 : 0 } }));
    },
    delete(key) {
      const file = fileOf(key);
      if (file === lockFile) throw refuse(key, "delete");
      if (file !== "") rmSync(file, { force: true });
    },
    /** The refresh lease's lock file only (StorageObject.compareAndSwap): Go takes the CLI's lock with it. */
    compareAndSwap(key, expected, value) {
      if (fileOf(key) !== lockFile) throw refuse(key, "compareAndSwap");
      return swapLockFile(lockFile, expected, value);
    },
  };
}
