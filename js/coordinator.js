// coordinator.js — Durable Object mode: SessionCoordinator, the Durable Object class that
// makes one session exact across isolates and locations (one object per session: idFromName of
// the session record's KV key), and coordinatedStorage, how the package's client uses it. The
// Go worker exports the class from its entry (worker/entry.mjs), the package from its workerd
// entry (workerd.js); wrangler.toml binds it (SESSIONS) with a new_sqlite_classes migration.
//
// The class only offers primitives; every token rule stays in Go — the Go worker's in
// kvstore.SessionBlob's WithCoordinator (kvstore.MemoryCoordinators is its double in Go's
// tests), the package's in the storage rules its Go already has (tokens.RecordLock over
// swap/lease):
//   read()                              the record as held: {v, value, ok}; v 0: none held yet
//   write(expect, value, ttlMs)         compare-and-set: value (null: a tombstone) becomes
//                                       version expect+1 if the record is at version expect
//   lock(holder, seen, holdMs, waitMs)  the session's lock until holdMs from now (its holder
//                                       extends it), waiting up to waitMs while another holds
//                                       it; it gives up at once when the record is no longer
//                                       at version seen (seen < 0: never)
//   unlock(holder)                      releases holder's lock
// Each returns the record as it stands: {v, value, ok} (ok: the write or lock succeeded).
//   lease(), swap(expected, value)      a record of the package's refresh lease, read and
//                                       compare-and-swapped (null: absent)
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
  #lease = null; // the package's lease record
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

  lease() {
    return this.#lease;
  }

  swap(expected, value) {
    if (this.#lease !== expected) return false;
    this.#lease = value;
    return true;
  }

  async alarm() {
    if (this.#rec.exp && this.#rec.exp <= Date.now()) {
      this.#rec = NONE;
      await this.ctx.storage.deleteAll();
    }
  }
}

/**
 * The storage the package's Go sees in Durable Object mode (config.coordinator): storage (a KV
 * binding) with the token record coordinated by the namespace ns of SessionCoordinator. The
 * record is read from its object (KV only while the object holds none: a login stored before),
 * so no location reads it stale; a write is the object's compare-and-set from the version this
 * storage last read (a write from an older read throws, writing nothing), then KV's; a delete
 * is a tombstone every location sees at once; compareAndSwap of the lease key is the object's,
 * so Go's refresh lock (tokens.RecordLock) is exact across isolates and locations. Other keys
 * (the login in progress) are storage's. Made per client (per request), after bind tells it
 * the keys.
 */
export function coordinatedStorage(storage, ns) {
  let keys = {};
  let stub;
  let version = 0;
  let written; // what this storage last wrote to the object: a KV write KV refused is retried
  const object = () => (stub ??= ns.get(ns.idFromName(keys.tokens)));
  async function write(value, ttlS, kvWrite) {
    if (written?.value === value) {
      // Go retries a KV write KV refused as too soon; the object has it already. A newer
      // version's writer owns the KV copy now.
      if ((await object().read()).v !== written.v) return;
    } else {
      const r = await object().write(version, value, ttlS * 1000);
      if (!r.ok) throw new Error("globus-edge: the token record changed since it was read (written meanwhile elsewhere): nothing was written");
      version = r.v;
      written = { v: r.v, value };
    }
    await kvWrite();
  }
  return {
    async bind(binding) {
      keys = binding.keys;
      if (typeof storage.bind === "function") await storage.bind(binding);
    },
    async get(key) {
      if (key === keys.lease) return object().lease();
      if (key !== keys.tokens) return storage.get(key);
      const r = await object().read();
      version = r.v;
      return r.v > 0 ? r.value : storage.get(key);
    },
    put(key, value, options) {
      if (key !== keys.tokens) return storage.put(key, value, options);
      return write(value, options?.expirationTtl ?? 0, () => storage.put(key, value, options));
    },
    delete(key) {
      if (key !== keys.tokens) return storage.delete(key);
      return write(null, 0, () => storage.delete(key));
    },
    // async: an RPC call's result is a callable thenable, which Go would not take for a Promise.
    async compareAndSwap(key, expected, value) {
      if (key === keys.lease) return await object().swap(expected, value);
      return storage.compareAndSwap(key, expected, value);
    },
  };
}
