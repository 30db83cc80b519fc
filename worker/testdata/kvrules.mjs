// kvrules.mjs — the test-only Durable Object behind kvdouble.mjs (never deploy it): one
// instance ("kv") sees every KV operation of every location, so the write rule is exact across
// isolates. It keeps each key's last accepted write and expiry, counts the operations by key
// prefix (the key up to and including its first "/"), and keeps the double's clock: the real
// one plus an offset a test may advance (to step past a location's staleness without waiting).
//
// Its worker's fetch handler, for the test runner (mfhost.mjs), reaches the instance:
//   GET  /ops[?reset=1]   {"session/": {"reads", "writes", "deletes", "refused"}, ...}
//   POST /advance?ms=N    moves the clock on by N ms
import { DurableObject } from "cloudflare:workers";

const WRITE_INTERVAL_MS = 1000;
const MIN_TTL_S = 60;

export class KVRules extends DurableObject {
  #last = new Map(); // key → last accepted write (clock ms)
  #exp = new Map(); // key → expiry (clock ms) of its value
  #ops = {};
  #offset = 0;

  #now() {
    return Date.now() + this.#offset;
  }

  #count(key, what) {
    const i = key.indexOf("/");
    const prefix = i < 0 ? key : key.slice(0, i + 1);
    this.#ops[prefix] ??= { reads: 0, writes: 0, deletes: 0, refused: 0 };
    this.#ops[prefix][what]++;
  }

  /** One operation of kind get|put|delete on key: {now, exp} or, refused, {error}. */
  op(kind, key, ttlS) {
    const now = this.#now();
    if (kind === "get") {
      this.#count(key, "reads");
      return { now, exp: this.#exp.get(key) ?? 0 };
    }
    if (ttlS && ttlS < MIN_TTL_S) {
      return { error: `400 Invalid expiration_ttl of ${ttlS}. Expiration TTL must be at least ${MIN_TTL_S}.` };
    }
    const last = this.#last.get(key);
    if (last !== undefined && now - last < WRITE_INTERVAL_MS) {
      this.#count(key, "refused");
      return { error: "429 Too Many Requests" };
    }
    this.#last.set(key, now);
    this.#count(key, kind === "put" ? "writes" : "deletes");
    const exp = kind === "put" && ttlS ? now + ttlS * 1000 : 0;
    if (exp) this.#exp.set(key, exp);
    else this.#exp.delete(key);
    return { now, exp };
  }

  fetch(req) {
    const u = new URL(req.url);
    if (u.pathname === "/ops") {
      const out = this.#ops;
      if (u.searchParams.has("reset")) this.#ops = {};
      return Response.json(out);
    }
    if (u.pathname === "/advance" && req.method === "POST") {
      this.#offset += Number(u.searchParams.get("ms"));
      return Response.json({ offset: this.#offset });
    }
    return new Response("unknown kvrules request", { status: 404 });
  }
}

export default {
  fetch(req, env) {
    return env.RULES.get(env.RULES.idFromName("kv")).fetch(req);
  },
};
