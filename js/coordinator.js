// coordinator.js — SessionCoordinator, the Durable Object class that makes one session exact
// across isolates and locations (one object per session: idFromName of the session record's
// KV key). The Go worker exports it from its entry (worker/entry.mjs), the package from its
// workerd entry (workerd.js); wrangler.toml binds it (SESSIONS) with a new_sqlite_classes
// migration.
//
// It only offers primitives; every token rule stays in Go (kvstore.SessionBlob's
// WithCoordinator, kvstore.MemoryCoordinators is its double in Go's tests):
//   read()                              the record as held: {v, value, ok}; v 0: none held yet
//   write(expect, value, ttlMs)         compare-and-set: value (null: a tombstone) becomes
//                                       version expect+1 if the record is at version expect
//   lock(holder, seen, holdMs, waitMs)  the session's lock until holdMs from now (its holder
//                                       extends it), waiting up to waitMs while another holds
//                                       it; it gives up at once when the record is no longer
//                                       at version seen (seen < 0: never)
//   unlock(holder)                      releases holder's lock
// Each returns the record as it stands: {v, value, ok} (ok: the write or lock succeeded).
//
// The record is in the object's storage (strongly consistent); it is dropped by an alarm once
// its time is up (the session's TTL, passed by Go; a tombstone of a record that had none is kept
// 30 days). The lock is in memory: an object is evicted only after a while without requests,
// and a holder renews its lock every few seconds. Waiting happens here, not by polling: a
// waiter's call returns as soon as the holder writes or unlocks (the input gate only closes
// during storage operations, so waiting calls do not block the others).
import { DurableObject } from "cloudflare:workers";

const TOMBSTONE_MS = 30 * 24 * 3600 * 1000;
const NONE = Object.freeze({ v: 0, value: null, exp: 0 });

export class SessionCoordinator extends DurableObject {
  #rec = NONE;
  #lock = null; // {holder, until}
  #wake = new Set(); // resolvers of waiting lock calls

  constructor(ctx, env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.#rec = (await ctx.storage.get("rec")) ?? NONE;
    });
  }

  #view(ok) {
    return { v: this.#rec.v, value: this.#rec.value, ok };
  }

  #changed() {
    for (const wake of [...this.#wake]) wake();
  }

  read() {
    return this.#view(true);
  }

  async write(expect, value, ttlMs) {
    const cur = this.#rec;
    if (cur.v !== expect) return this.#view(false);
    let exp = 0;
    if (ttlMs > 0) exp = Date.now() + ttlMs;
    else if (value === null) exp = cur.exp || Date.now() + TOMBSTONE_MS;
    this.#rec = { v: expect + 1, value, exp };
    this.#changed();
    await this.ctx.storage.put("rec", this.#rec);
    if (exp) await this.ctx.storage.setAlarm(exp);
    else await this.ctx.storage.deleteAlarm();
    return this.#view(true);
  }

  async lock(holder, seen, holdMs, waitMs) {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const now = Date.now();
      const l = this.#lock;
      if (!l || l.holder === holder || l.until <= now) {
        this.#lock = { holder, until: now + holdMs };
        return this.#view(true);
      }
      if ((seen >= 0 && this.#rec.v !== seen) || now >= deadline) return this.#view(false);
      await new Promise((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.#wake.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(deadline, l.until) - now);
        this.#wake.add(wake);
      });
    }
  }

  unlock(holder) {
    if (this.#lock?.holder === holder) {
      this.#lock = null;
      this.#changed();
    }
    return this.#view(true);
  }

  async alarm() {
    if (this.#rec.exp && this.#rec.exp <= Date.now()) {
      this.#rec = NONE;
      await this.ctx.storage.deleteAll();
    }
  }
}
