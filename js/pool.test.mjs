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
  assert.deepEqual(p.stats(), { kept: 2, idle: 1, temporary: 0, created: 2, retired: 0, reclaimed: 0, waiting: 0, refused: 0 });
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
  assert.deepEqual(p.stats(), { kept: 1, idle: 0, temporary: 0, created: 2, retired: 1, reclaimed: 0, waiting: 0, refused: 0 });
});

test("a failed start frees its place", async () => {
  let fail = true;
  const p = createPool({ create: async () => { if (fail) throw new Error("boom"); return {}; }, max: 1, overflow: 0 });
  await assert.rejects(p.acquire(), /boom/);
  fail = false;
  await p.acquire();
  assert.equal(p.stats().kept, 1);
});

test("release of an instance twice is an error; of one reclaimed meanwhile, a no-op", async () => {
  const c = counting();
  const p = createPool({ ...c, max: 1, overflow: 0, reclaimAfterMs: 1 });
  const a = await p.acquire();
  p.release(a);
  assert.throws(() => p.release(a), /not in use/);
  const b = await p.acquire();
  await new Promise((r) => setTimeout(r, 5));
  const fresh = await p.acquire(); // reclaims b
  p.release(b); // b's request came back late: not the pool's any more
  assert.notEqual(fresh.id, b.id);
  assert.deepEqual(c.destroyed, [b.id]);
  p.release(fresh);
  p.release({}); // never the pool's
});

test("a waiter gives up after waitMs with code busy", async () => {
  const c = counting();
  const p = createPool({ ...c, max: 1, overflow: 0, pollMs: 1, waitMs: 20 });
  await p.acquire();
  await assert.rejects(p.acquire(), (e) => e.code === "busy" && /within 20 ms/.test(e.message));
  assert.equal(p.stats().waiting, 0);
  assert.equal(p.stats().refused, 1);
});

test("beyond maxWaiters a request is refused at once", async () => {
  const c = counting();
  const p = createPool({ ...c, max: 1, overflow: 0, pollMs: 1, maxWaiters: 2 });
  const a = await p.acquire();
  const waiters = [p.acquire(), p.acquire()];
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(p.stats().waiting, 2);
  await assert.rejects(p.acquire(), (e) => e.code === "busy" && /2 requests are waiting/.test(e.message));
  p.release(a);
  p.release(await Promise.race(waiters)); // one waiter gets it, then the other
  await Promise.all(waiters);
  assert.equal(p.stats().waiting, 0);
});

test("an instance held past reclaimAfterMs is retired for the next request", async () => {
  const c = counting();
  const seen = [];
  const p = createPool({ ...c, max: 1, overflow: 0, pollMs: 1, reclaimAfterMs: 10, onReclaim: (i) => seen.push(i.id) });
  const a = await p.acquire(); // its request is never heard from again
  const b = await p.acquire(); // waits, then reclaims a
  assert.notEqual(b.id, a.id);
  assert.deepEqual(seen, [a.id]);
  assert.deepEqual(c.destroyed, [a.id]);
  assert.equal(p.stats().reclaimed, 1);
});

test("an idle instance that is no longer usable is retired, not handed out", async () => {
  const c = counting();
  const p = createPool({ ...c, max: 1, overflow: 0, usable: (i) => !i.dead });
  const a = await p.acquire();
  p.release(a);
  a.dead = true;
  const b = await p.acquire();
  assert.notEqual(b.id, a.id);
  assert.deepEqual(c.destroyed, [a.id]);
});
