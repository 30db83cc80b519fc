// Tests of node-file-storage.js under Node's test runner (`node --test js/`). That a client
// binds it to the keys Go uses, so the token document lands in the file, is checked end to end
// by js/e2e (TestNodeFileStorage, TestNodeTutorial).
import assert from "node:assert/strict";
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createFileStorage } from "./node-file-storage.js";

const doc = '{"data": {"DEFAULT": {}}, "format_version": "2.0", "globus-sdk.version": "x"}';
const binding = (clientId, namespace = "DEFAULT") => ({
  clientId, namespace, keys: { tokens: `session/t-${clientId}-${namespace}`, pending: `session/p-${clientId}`, lease: `lease/l-${clientId}` },
});

test("the token document goes to the file itself, 0600; the login in progress to the sidecar", () => {
  const dir = mkdtempSync(join(tmpdir(), "fs-storage-"));
  const path = join(dir, "tokens.json");
  const s = createFileStorage(path);
  const b = binding("cid");
  s.bind(b);
  const key = b.keys.tokens;
  assert.equal(s.get(key), null);
  s.put(key, doc);
  assert.equal(readFileSync(path, "utf8"), doc);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  s.put(b.keys.pending, "pending", { expirationTtl: 600 });
  assert.equal(statSync(`${path}.pending.json`).mode & 0o777, 0o600);
  assert.equal(s.get(b.keys.pending), "pending");
  assert.equal(readFileSync(path, "utf8"), doc, "a pending record must not touch the token file");
  // A record of another key is never the token file (a login in progress must not read or delete tokens).
  assert.equal(s.get("session/never-written"), null);
  s.delete("session/never-written");
  assert.ok(existsSync(path));
  s.delete(b.keys.pending);
  assert.ok(!existsSync(`${path}.pending.json`), "an empty sidecar is removed");
  s.delete(key);
  assert.ok(!existsSync(path));
  assert.deepEqual(readdirSync(dir), [], "no temporary file is left");
});

test("an expired login in progress is gone; an older sidecar's other records are ignored", () => {
  const dir = mkdtempSync(join(tmpdir(), "fs-storage-"));
  const path = join(dir, "t.json");
  const s = createFileStorage(path);
  const b = binding("cid");
  s.bind(b);
  const realNow = Date.now;
  try {
    s.put(b.keys.pending, "me", { expirationTtl: 60 });
    Date.now = () => realNow() + 61_000;
    assert.equal(s.get(b.keys.pending), null);
  } finally {
    Date.now = realNow;
  }
  // An older version kept the lease beside the login in progress.
  writeFileSync(`${path}.pending.json`, JSON.stringify({ [b.keys.lease]: { value: "x", expires: 0 }, [b.keys.pending]: { value: "p", expires: 0 } }));
  assert.equal(s.get(b.keys.pending), "p");
  assert.equal(s.get(b.keys.lease), null, "the lease is the lock file now");
});

test("compareAndSwap: the lock file is created only if absent, removed or replaced only from the expected value", () => {
  const dir = mkdtempSync(join(tmpdir(), "fs-storage-"));
  const path = join(dir, "t.json");
  const lock = `${path}.lock`;
  const s = createFileStorage(path);
  const { lease } = binding("cid").keys;
  s.bind(binding("cid"));
  assert.equal(s.compareAndSwap(lease, null, "a"), true);
  assert.equal(readFileSync(lock, "utf8"), "a");
  assert.equal(statSync(lock).mode & 0o777, 0o600);
  assert.equal(s.get(lease), "a");
  assert.equal(s.compareAndSwap(lease, null, "b"), false, "a second creation");
  assert.equal(s.compareAndSwap(lease, "b", null), false, "removing another value");
  assert.equal(s.compareAndSwap(lease, "b", "c"), false, "replacing another value");
  assert.equal(readFileSync(lock, "utf8"), "a", "refused swaps change nothing (a wrong removal puts the file back)");
  assert.equal(s.compareAndSwap(lease, "a", "b"), true);
  assert.equal(s.get(lease), "b");
  assert.equal(s.compareAndSwap(lease, "b", null), true);
  assert.ok(!existsSync(lock));
  assert.equal(s.compareAndSwap(lease, "b", null), false, "nothing to remove");
  assert.deepEqual(readdirSync(dir), [], "no temporary file is left");
  // Only the lease is a lock file, and the lock file changes only by compareAndSwap.
  assert.throws(() => s.compareAndSwap(binding("cid").keys.tokens, null, "x"), /not a key of this storage's client/);
  assert.throws(() => s.put(lease, "x"), /put "lease\/l-cid"/);
  assert.throws(() => s.delete(lease), /delete "lease\/l-cid"/);
  assert.throws(() => s.put("session/other", "x"), /put "session\/other"/);
});

test("a lock file that is a symbolic link is refused, naming it, and its target is not created", () => {
  const dir = mkdtempSync(join(tmpdir(), "fs-storage-"));
  const path = join(dir, "t.json");
  symlinkSync(join(dir, "elsewhere"), `${path}.lock`);
  const s = createFileStorage(path);
  const { lease } = binding("cid").keys;
  s.bind(binding("cid"));
  assert.equal(s.compareAndSwap(lease, null, "a"), false, "creating never replaces the link");
  assert.throws(() => s.get(lease), (e) => e.message === `${path}.lock is a symbolic link; refusing to follow it (remove it)`);
  assert.ok(lstatSync(`${path}.lock`).isSymbolicLink(), "the link stays");
  assert.ok(!existsSync(join(dir, "elsewhere")), "the link's target was created");
});

test("one file, one client: nothing before a client binds it, another client id or namespace refused", () => {
  const dir = mkdtempSync(join(tmpdir(), "fs-storage-"));
  const s = createFileStorage(join(dir, "t.json"));
  assert.throws(() => s.get("session/x"), /no client was created on this storage/);
  s.bind(binding("a"));
  s.bind(binding("a")); // the same client again (a second createGlobusClient with the same config)
  assert.throws(() => s.bind(binding("b")), /clientId "a".*clientId "b"/);
  assert.throws(() => s.bind(binding("a", "other")), /namespace "other"/);
});
