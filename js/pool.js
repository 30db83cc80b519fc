// pool.js — a bounded pool of Go WebAssembly instances, each serving one request at a time.
//
// Why a pool and not one instance: workerd binds every promise and I/O object to the request
// that created it. One Go instance shared by concurrent requests resumes request B's goroutines
// while JS runs for request A, and workerd cancels those continuations ("A promise was resolved
// or rejected from a different request context"). An instance that serves one request at a
// time, and goes back to the pool only once its answer is complete, never does that.
//
// Why waiting polls: a waiter woken by another request's release() would have its promise
// resolved from that other request's context, the very thing workerd forbids. A waiter instead
// re-checks the idle list on its own timer, created in its own request. Requests beyond `max`
// first get a temporary instance (up to `overflow` of them, dropped after one request), so a
// burst waits only when both are exhausted.
//
// Used by the Go worker's entry (worker/entry.mjs) and by the JS package in workerd.

/**
 * @template T
 * @param {object} opts
 * @param {() => Promise<T>} opts.create   start a new instance
 * @param {(inst: T) => void} [opts.destroy] called once for an instance leaving the pool
 * @param {number} [opts.max=4]       instances kept between requests
 * @param {number} [opts.overflow=4]  temporary instances beyond max, each dropped after one use
 * @param {number} [opts.pollMs=2]    how often a waiting request re-checks the idle list
 */
export function createPool({ create, destroy = () => {}, max = 4, overflow = 4, pollMs = 2 }) {
  if (typeof create !== "function") throw new TypeError("createPool: create must be a function");
  if (!(max >= 1) || !(overflow >= 0)) throw new RangeError("createPool: max must be ≥ 1 and overflow ≥ 0");
  const idle = [];
  const kept = new Set(); // instances that belong to the pool, idle or busy
  const tempSet = new Set(); // temporary instances in use
  let temporary = 0; // temporary instances in use or starting
  let created = 0;
  let retired = 0;

  async function start() {
    created++;
    return create();
  }

  /**
   * Take an instance for one request. Hand it back with release() once the request's answer is
   * complete, or with retire() if it must not serve again.
   * @returns {Promise<T>}
   */
  async function acquire() {
    for (;;) {
      const inst = idle.pop();
      if (inst !== undefined) return inst;
      if (kept.size < max) {
        const slot = {}; // reserve the place while the instance starts
        kept.add(slot);
        try {
          const inst = await start();
          kept.delete(slot);
          kept.add(inst);
          return inst;
        } catch (e) {
          kept.delete(slot);
          throw e;
        }
      }
      if (temporary < overflow) {
        temporary++;
        try {
          const inst = await start();
          tempSet.add(inst);
          return inst;
        } catch (e) {
          temporary--;
          throw e;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }
  /** Give back an instance that finished its request and may serve another. */
  function release(inst) {
    if (tempSet.has(inst)) return retire(inst);
    if (!kept.has(inst)) throw new Error("pool: release of an instance this pool does not hold");
    idle.push(inst);
  }

  /** Drop an instance (it exited, crashed, grew too large or left work behind). */
  function retire(inst) {
    if (tempSet.delete(inst)) temporary--;
    else if (!kept.delete(inst)) return;
    const i = idle.indexOf(inst);
    if (i >= 0) idle.splice(i, 1);
    retired++;
    try {
      destroy(inst);
    } catch {
      // Nothing to recover: the instance is already out of the pool.
    }
  }

  /** Counters for tests and benchmarks. */
  function stats() {
    return { kept: kept.size, idle: idle.length, temporary, created, retired };
  }

  return { acquire, release, retire, stats };
}
