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
// Everything is bounded, so anonymous traffic cannot stall the pool: a waiter gives up after
// waitMs, at most maxWaiters wait at once (later requests are refused at once), and an instance
// held longer than reclaimAfterMs is taken back as abandoned — workerd may cancel a request
// (its client left, it hit a limit) and with it the continuation that would have released
// its instance. Both refusals are errors with code "busy".
//
// Used through js/instance.js (createInstancePool) by the Go worker's entry and by the JS
// package in workerd.

/**
 * @template T
 * @param {object} opts
 * @param {() => Promise<T>} opts.create   start a new instance
 * @param {(inst: T) => void} [opts.destroy] called once for an instance leaving the pool
 * @param {(inst: T) => boolean} [opts.usable] false for an idle instance that must not serve
 *   (its program died meanwhile); it is retired instead of handed out
 * @param {(inst: T, heldMs: number) => void} [opts.onReclaim] told of each abandoned instance
 * @param {number} [opts.max=4]       instances kept between requests
 * @param {number} [opts.overflow=4]  temporary instances beyond max, each dropped after one use
 * @param {number} [opts.pollMs=2]    how soon a waiting request first re-checks the idle list;
 *   each later check waits twice as long, up to 16 × pollMs (many waiters cost little CPU)
 * @param {number} [opts.waitMs=Infinity]      how long a request may wait for an instance
 * @param {number} [opts.maxWaiters=Infinity]  how many requests may wait at once
 * @param {number} [opts.reclaimAfterMs=Infinity] when a held instance counts as abandoned
 */
export function createPool({
  create, destroy = () => {}, usable = () => true, onReclaim = () => {},
  max = 4, overflow = 4, pollMs = 2, waitMs = Infinity, maxWaiters = Infinity, reclaimAfterMs = Infinity,
}) {
  if (typeof create !== "function") throw new TypeError("createPool: create must be a function");
  if (!(max >= 1) || !(overflow >= 0)) throw new RangeError("createPool: max must be ≥ 1 and overflow ≥ 0");
  if (!(waitMs >= 0) || !(maxWaiters >= 0) || !(reclaimAfterMs > 0)) {
    throw new RangeError("createPool: waitMs and maxWaiters must be ≥ 0, reclaimAfterMs > 0");
  }
  const idle = [];
  const kept = new Set(); // instances that belong to the pool, idle or busy
  const tempSet = new Set(); // temporary instances in use
  const busy = new Map(); // instance → when it was handed out
  let temporary = 0; // temporary instances in use or starting
  let created = 0;
  let retired = 0;
  let reclaimed = 0;
  let waiting = 0;
  let refused = 0;

  async function start() {
    created++;
    return create();
  }

  function handOut(inst) {
    busy.set(inst, Date.now());
    return inst;
  }

  /** Retires instances held past reclaimAfterMs: their request was abandoned. */
  function reclaim() {
    if (reclaimAfterMs === Infinity) return;
    const now = Date.now();
    for (const [inst, since] of busy) {
      if (now - since > reclaimAfterMs) {
        reclaimed++;
        retire(inst);
        try {
          onReclaim(inst, now - since);
        } catch {
          // A logger failing must not fail the request that found the instance.
        }
      }
    }
  }

  /** The next idle instance that may serve; dead ones are retired on the way. */
  function takeIdle() {
    for (;;) {
      const inst = idle.pop();
      if (inst === undefined) return undefined;
      if (usable(inst)) return inst;
      retire(inst);
    }
  }

  function refuse(message) {
    refused++;
    return Object.assign(new Error(`pool: ${message}`), { code: "busy" });
  }

  /**
   * Take an instance for one request. Hand it back with release() once the request's answer is
   * complete, or with retire() if it must not serve again. Rejects with code "busy" when none
   * became free within waitMs or maxWaiters requests are waiting already.
   * @returns {Promise<T>}
   */
  async function acquire() {
    reclaim();
    const deadline = Date.now() + waitMs;
    let queued = false;
    let polls = 0;
    try {
      for (;;) {
        const inst = takeIdle();
        if (inst !== undefined) return handOut(inst);
        if (kept.size < max) {
          const slot = {}; // reserve the place while the instance starts
          kept.add(slot);
          try {
            const inst = await start();
            kept.delete(slot);
            kept.add(inst);
            return handOut(inst);
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
            return handOut(inst);
          } catch (e) {
            temporary--;
            throw e;
          }
        }
        if (!queued) {
          if (waiting >= maxWaiters) throw refuse(`${waiting} requests are waiting for an instance already`);
          waiting++;
          queued = true;
        }
        if (Date.now() >= deadline) throw refuse(`no instance became free within ${waitMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs * 2 ** polls++, pollMs * 16)));
        reclaim();
      }
    } finally {
      if (queued) waiting--;
    }
  }

  /**
   * Give back an instance that finished its request and may serve another. An instance the
   * pool no longer holds (reclaimed as abandoned meanwhile) is ignored: it is not the pool's.
   */
  function release(inst) {
    if (!busy.delete(inst)) {
      if (kept.has(inst) || tempSet.has(inst)) throw new Error("pool: release of an instance that is not in use");
      return;
    }
    if (tempSet.has(inst)) return retire(inst);
    idle.push(inst);
  }

  /** Drop an instance (it exited, crashed, grew too large, left work behind or was abandoned). */
  function retire(inst) {
    busy.delete(inst);
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
    return { kept: kept.size, idle: idle.length, temporary, created, retired, reclaimed, waiting, refused };
  }

  return { acquire, release, retire, stats };
}
