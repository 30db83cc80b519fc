// Tests of pool.js under Node's test runner: `node --test js/` (./build.sh test runs it).
import assert from "node:assert/strict";
import { test } from "node:test";
import { createPool } from "./pool.js";

function counting() {
  let n = 0;
  const destroyed = [];
  return { destroyed, create: async () => ({ id: ++n }), destroy: (i) => destroyed.push(i.id) };
}

test("keeps at most max instances and reuses released ones", async () => {
  const c = counting();
  const p = createPool({ ...c, max: 2, overflow: 0 });
  const a = await p.acquire();
  const b = await p.acquire();
  p.release(a);
  assert.equal((await p.acquire()).id, a.id);
  p.release(b);
  assert.deepEqual(p.stats(), { kept: 2, idle: 1, temporary: 0, created: 2, retired: 0 });
});

test("beyond max, temporary instances serve once and are dropped", async () => {
  const c = counting();
  const p = createPool({ ...c, max: 1, overflow: 1 });
  await p.acquire();
  const t = await p.acquire();
  assert.equal(p.stats().temporary, 1);
  p.release(t);
  assert.deepEqual(c.destroyed, [t.id]);
  assert.equal(p.stats().temporary, 0);
});

test("a request beyond max and overflow waits for a release", async () => {
  const c = counting();
  const p = createPool({ ...c, max: 1, overflow: 0, pollMs: 1 });
  const a = await p.acquire();
  let got;
  const waiting = p.acquire().then((i) => (got = i));
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(got, undefined, "took an instance while all were busy");
  p.release(a);
  await waiting;
  assert.equal(got.id, a.id);
  assert.equal(p.stats().created, 1);
});

test("a retired instance is replaced by a fresh one", async () => {
  const c = counting();
  const p = createPool({ ...c, max: 1, overflow: 0 });
  const a = await p.acquire();
  p.retire(a);
  assert.deepEqual(c.destroyed, [a.id]);
  const b = await p.acquire();
  assert.notEqual(b.id, a.id);
  assert.deepEqual(p.stats(), { kept: 1, idle: 0, temporary: 0, created: 2, retired: 1 });
});

test("a failed start frees its place", async () => {
  let fail = true;
  const p = createPool({ create: async () => { if (fail) throw new Error("boom"); return {}; }, max: 1, overflow: 0 });
  await assert.rejects(p.acquire(), /boom/);
  fail = false;
  await p.acquire();
  assert.equal(p.stats().kept, 1);
});

test("release of a foreign instance is an error", async () => {
  const p = createPool({ create: async () => ({}), max: 1 });
  assert.throws(() => p.release({}), /does not hold/);
});
