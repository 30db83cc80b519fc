// kvdouble.mjs — KV as Cloudflare documents it, in workerd, for tests (never deploy it): the
// module of a Miniflare wrapped binding that stands in for a worker's KV namespace TOKENS
// (mfhost.mjs's documentedKV wires it). The rules Miniflare's local KV does not enforce, as
// kvstore.Cloud has them in Go:
//   - one write (put or delete) per key per second, whichever location sends it: a second
//     one throws the binding's "KV PUT failed: 429 Too Many Requests" (kvstore.RateLimited
//     recognises the text);
//   - an expirationTtl below 60 s throws, as the binding does;
//   - each location (a worker of its own, so an isolate of its own, with this binding's var
//     LOCATION) reads through its own cache: what it last read of a key (a value or its
//     absence) is served for STALENESS_MS (up to 60,000, Cloudflare's documented worst),
//     however the key changed elsewhere; its own writes it sees at once.
// The values are in one real KV namespace (CENTRAL), shared by every location; the write rule,
// the clock and the operation counts are in one test-only Durable Object (kvrules.mjs), exact
// across isolates.

/** Each location's cache, in this isolate's memory: key → {value, at, exp}. */
const caches = new Map();

class DocumentedKV {
  #env;
  constructor(env) {
    this.#env = env;
  }

  // The stub is made per call: workerd ties a stub to the request that made it.
  #rules() {
    return this.#env.RULES.get(this.#env.RULES.idFromName("kv"));
  }

  #cache() {
    const loc = this.#env.LOCATION;
    if (!caches.has(loc)) caches.set(loc, new Map());
    return caches.get(loc);
  }

  async get(key) {
    const { now, exp } = await this.#rules().op("get", key, 0);
    const cache = this.#cache();
    let e = cache.get(key);
    if (!e || now - e.at >= Number(this.#env.STALENESS_MS || 0)) {
      e = { value: await this.#env.CENTRAL.get(key), at: now, exp };
      cache.set(key, e);
    }
    if (e.value === null || (e.exp && now >= e.exp)) return null;
    return e.value;
  }

  async put(key, value, options) {
    const ttl = options?.expirationTtl ?? 0;
    const r = await this.#rules().op("put", key, ttl);
    if (r.error) throw new Error(`KV PUT failed: ${r.error}`);
    await this.#env.CENTRAL.put(key, value, options);
    this.#cache().set(key, { value, at: r.now, exp: r.exp });
  }

  async delete(key) {
    const r = await this.#rules().op("delete", key, 0);
    if (r.error) throw new Error(`KV DELETE failed: ${r.error}`);
    await this.#env.CENTRAL.delete(key);
    this.#cache().set(key, { value: null, at: r.now, exp: 0 });
  }
}

/** The wrapped binding: env holds CENTRAL, RULES, LOCATION and STALENESS_MS. */
export default function (env) {
  return new DocumentedKV(env);
}
