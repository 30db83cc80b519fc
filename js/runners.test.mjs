// Tests of runners.js's pooled runner under Node's test runner (`node --test js/`): the Go
// clients an instance keeps per config. The Go side is a stand-in recording what was asked of
// it; js/e2e's checks (TestWorkerChecks) run the same in workerd on the real program.
import assert from "node:assert/strict";
import { test } from "node:test";
import { pooledRunner } from "./runners.js";

/** One instance whose newClient makes recording clients; use(fn) runs fn on it. */
function instance() {
  const made = [];
  const ns = {
    async newClient(cfg) {
      const api = {
        cfg,
        calls: [],
        onRefresh: "unset",
        released: false,
        config: { namespace: cfg.namespace },
        storageKey: `key:${cfg.namespace}`,
        setOnRefresh(fn) { this.onRefresh = fn; },
        release() { this.released = true; },
        async isLoggedIn() { return cfg.namespace === "alice"; },
        async myGroups() {
          if (this.released) throw new Error("called after release");
          this.calls.push("myGroups");
          return `groups of ${cfg.namespace}`;
        },
      };
      made.push(api);
      return api;
    },
  };
  return { made, prog: { use: (fn) => fn(ns) } };
}

const noBind = async () => {};
const kv = { get() {}, put() {}, delete() {} };

test("two namespaces interleaved on one instance keep their own Go clients", async () => {
  const { made, prog } = instance();
  const alice = await pooledRunner(prog, { storage: kv, namespace: "alice", clientId: "c" }, noBind);
  const bob = await pooledRunner(prog, { storage: kv, namespace: "bob", clientId: "c" }, noBind);
  assert.equal(alice.loggedIn, true);
  assert.equal(bob.loggedIn, false);
  for (let i = 0; i < 3; i++) {
    assert.equal(await alice.call("myGroups"), "groups of alice");
    assert.equal(await bob.call("myGroups"), "groups of bob");
  }
  // One Go client per config, made once and kept: no third client, none released.
  assert.deepEqual(made.map((a) => a.cfg.namespace), ["alice", "bob"]);
  assert.deepEqual(made.map((a) => a.calls.length), [3, 3]);
  assert.ok(made.every((a) => !a.released));
  // A later client of the same config (the next request) gets the kept one.
  const again = await pooledRunner(prog, { clientId: "c", namespace: "alice", storage: kv }, noBind);
  assert.equal(await again.call("myGroups"), "groups of alice");
  assert.equal(made.length, 2);
});

test("a kept client holds no callback of a request between calls", async () => {
  const { made, prog } = instance();
  const r = await pooledRunner(prog, { storage: kv, namespace: "alice" }, noBind);
  let told = 0;
  r.setOnRefresh(() => told++);
  await r.call("myGroups");
  assert.equal(made[0].onRefresh, undefined);
});

test("another storage object is another client; at most 8 are kept, the oldest released", async () => {
  const { made, prog } = instance();
  for (let i = 0; i < 9; i++) {
    const storage = { get() {}, put() {}, delete() {} }; // made per request, as some apps do
    await (await pooledRunner(prog, { storage, namespace: "alice" }, noBind)).call("myGroups");
  }
  assert.equal(made.length, 9);
  assert.deepEqual(made.map((a) => a.released), [true, ...Array(8).fill(false)]);
});

test("a config that is not JSON gets a client per call, released after it", async () => {
  const { made, prog } = instance();
  const r = await pooledRunner(prog, { storage: kv, namespace: "alice", extra: 1n }, noBind);
  await r.call("myGroups");
  assert.equal(made.length, 2);
  assert.ok(made.every((a) => a.released));
});
