// Tests of node-file-storage.js under Node's test runner (`node --test js/`). That a client
// binds it to the keys Go uses, so the token document lands in the file, is checked end to end
// by js/e2e (TestNodeFileStorage, TestNodeTutorial).
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createFileStorage } from "./node-file-storage.js";

const doc = '{"data": {"DEFAULT": {}}, "format_version": "2.0", "globus-sdk.version": "x"}';
const binding = (clientId, namespace = "DEFAULT") => ({
  clientId, namespace, keys: { tokens: `session/t-${clientId}-${namespace}`, pending: `session/p-${clientId}`, lease: `lease/l-${clientId}` },
});

test("the token document goes to the file itself, 0600; other records to the sidecar", () => {
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
});

test("expired sidecar records are gone", () => {
  const dir = mkdtempSync(join(tmpdir(), "fs-storage-"));
  const s = createFileStorage(join(dir, "t.json"));
  s.bind(binding("cid"));
  const realNow = Date.now;
  try {
    s.put("lease/x", "me", { expirationTtl: 60 });
    Date.now = () => realNow() + 61_000;
    assert.equal(s.get("lease/x"), null);
  } finally {
    Date.now = realNow;
  }
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
