// Tests of node-file-storage.js under Node's test runner (`node --test js/`).
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createFileStorage, tokenDocumentKey } from "./node-file-storage.js";

const doc = '{"data": {"DEFAULT": {}}, "format_version": "2.0", "globus-sdk.version": "x"}';

test("the token document goes to the file itself, 0600; other records to the sidecar", () => {
  const dir = mkdtempSync(join(tmpdir(), "fs-storage-"));
  const path = join(dir, "tokens.json");
  const s = createFileStorage(path, { clientId: "cid" });
  const key = tokenDocumentKey("cid", "DEFAULT");
  assert.equal(s.get(key), null);
  s.put(key, doc);
  assert.equal(readFileSync(path, "utf8"), doc);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  s.put("session/other", "pending", { expirationTtl: 600 });
  assert.equal(s.get("session/other"), "pending");
  assert.equal(readFileSync(path, "utf8"), doc, "a pending record must not touch the token file");
  // A record of another key is never the token file (a login in progress must not read or delete tokens).
  assert.equal(s.get("session/never-written"), null);
  s.delete("session/never-written");
  assert.ok(existsSync(path));
  s.delete("session/other");
  assert.ok(!existsSync(`${path}.pending.json`), "an empty sidecar is removed");
  s.delete(key);
  assert.ok(!existsSync(path));
});

test("expired sidecar records are gone", () => {
  const dir = mkdtempSync(join(tmpdir(), "fs-storage-"));
  const s = createFileStorage(join(dir, "t.json"));
  const realNow = Date.now;
  try {
    s.put("lease/x", "me", { expirationTtl: 60 });
    Date.now = () => realNow() + 61_000;
    assert.equal(s.get("lease/x"), null);
  } finally {
    Date.now = realNow;
  }
});

// That it equals the key Go computes is checked end to end by js/e2e TestNodeTutorial (the
// token file is written only under that key).
test("the key is session/ + base64url(SHA-256), one per client and namespace", () => {
  assert.match(tokenDocumentKey(), /^session\/[A-Za-z0-9_-]{43}$/);
  assert.notEqual(tokenDocumentKey("a", "x"), tokenDocumentKey("a", "y"));
});
