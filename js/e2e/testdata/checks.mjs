// checks.mjs — the same checks of @globus-edge/client in every runtime (Node, workerd,
// Chromium), against the fake Globus. The runners (node-checks.mjs, checks-worker.js,
// checks-page.js) pass the runtime's createGlobusClient and a storage; runChecks returns
// [{name, ok, detail}] for the Go test (js/e2e) to assert, and never throws.
//
// Each check would fail if its feature broke: logins (paste code, authorize URL + callback
// URL), groups and the CLI's CSV, refresh (an expired token → exactly one refresh for 10
// concurrent calls, and for two clients of one namespace racing), logout, close, and bad
// input (wasm of the wrong type, a storage missing a method, throwing or returning a
// non-string, a corrupt document), with no token in any error message.

/** A Map-backed storage whose methods return Promises, like a Workers KV binding. */
export function memoryStore() {
  const m = new Map();
  return {
    get: async (k) => (m.has(k) ? m.get(k) : null),
    put: async (k, v) => { m.set(k, String(v)); },
    delete: async (k) => { m.delete(k); },
  };
}

/**
 * opts: createGlobusClient, runtime ("node" | "workerd" | "browser"), authUrl, groupsUrl,
 * clientId (a client whose redirect URI is the fake's auth-code page), expectedCSV, store (a
 * storage object), prefix (namespaces start with it: runs sharing a KV stay apart), and for
 * Node and browsers wasmBytes and wasmModule (sources to pass as config.wasm).
 */
export async function runChecks(opts) {
  const { createGlobusClient, runtime, authUrl, groupsUrl, clientId, expectedCSV, store, prefix = "" } = opts;
  const results = [];
  const messages = []; // every error message seen, scanned for tokens at the end
  const tokens = new Set();
  const base = { clientId, authUrl, groupsUrl, redirectUri: `${authUrl}/v2/web/auth-code`, storage: store };
  const check = async (name, fn) => {
    try {
      const detail = await fn();
      results.push({ name, ok: true, detail: detail ?? "" });
    } catch (e) {
      results.push({ name, ok: false, detail: `${e?.name}: ${e?.message}` });
    }
  };
  const fail = (msg) => { throw new Error(msg); };
  /** Runs fn, which must reject; returns the error after checking it with test. */
  const rejects = async (fn, test, what) => {
    let err;
    try { await fn(); } catch (e) { err = e; }
    if (!err) fail(`${what}: did not fail`);
    messages.push(String(err.message));
    if (!test(err)) fail(`${what}: wrong error ${err.name} ${err.code ?? ""}: ${err.message}`);
    return err;
  };
  /** The fake approves every login: following the authorize URL ends on the redirect URI with ?code=. */
  const approve = async (url) => {
    const r = await fetch(url);
    await r.arrayBuffer();
    return r.url;
  };
  const refreshes = async () => (await (await fetch(`${authUrl}/_fake/counts`)).json())["grant:refresh_token"] ?? 0;
  const ns = (n) => `${prefix}${n}`;
  /** Marks the stored access token expired, as time passing would. */
  const expire = async (key) => {
    const doc = JSON.parse(await store.get(key));
    for (const byRS of Object.values(doc.data)) for (const t of Object.values(byRS)) t.expires_at_seconds = 1;
    await store.put(key, JSON.stringify(doc));
  };
  const remember = async (key) => {
    const raw = await store.get(key);
    if (!raw) return;
    for (const byRS of Object.values(JSON.parse(raw).data)) {
      for (const t of Object.values(byRS)) { tokens.add(t.access_token); if (t.refresh_token) tokens.add(t.refresh_token); }
    }
  };

  await check("wasm of the wrong type is a TypeError", async () => {
    for (const wasm of [42, "globus-edge.wasm", {}, null]) {
      await rejects(() => createGlobusClient({ ...base, wasm }), (e) => e instanceof TypeError && /config\.wasm must be/.test(e.message), `wasm ${String(wasm)}`);
    }
    if (runtime === "workerd") {
      await rejects(() => createGlobusClient({ ...base, wasm: new Uint8Array(8) }), (e) => e instanceof TypeError && /WebAssembly\.Module/.test(e.message), "bytes in workerd");
      await rejects(() => createGlobusClient({ ...base, wasmUrl: "https://example.org/x.wasm" }), (e) => e instanceof TypeError, "wasmUrl in workerd");
    }
  });

  await check("storage objects of the wrong shape are TypeErrors", async () => {
    await rejects(() => createGlobusClient({ ...base, storage: { get() {}, delete() {} } }), (e) => e instanceof TypeError && /no put method/.test(e.message), "storage without put");
    await rejects(() => createGlobusClient({ ...base, storage: "cookies" }), (e) => e.name === "GlobusError" && e.code === "invalid_config" && /config\.storage/.test(e.message), "storage cookies");
    await rejects(() => createGlobusClient({ ...base, storage: 42 }), (e) => e.code === "invalid_config" && /config\.storage/.test(e.message), "storage 42");
    // Without a namespace every user of a shared storage would be on one login.
    await rejects(() => createGlobusClient({ ...base, storage: memoryStore(), namespace: undefined }), (e) => e.code === "invalid_config" && /config\.namespace is required/.test(e.message), "storage object without namespace");
    if (runtime === "workerd") {
      await rejects(() => createGlobusClient({ ...base, storage: undefined }), (e) => e instanceof TypeError && /required in workerd/.test(e.message), "no storage in workerd");
      await rejects(() => createGlobusClient({ ...base, storage: "memory" }), (e) => e instanceof TypeError && /workerd/.test(e.message), "memory in workerd");
    }
  });

  if (runtime !== "workerd") {
    await check("wasm as a Module or bytes works; clients of one source share one Go", async () => {
      const ready = () => performance.getEntriesByType("measure").filter((m) => m.name === "globus-edge:ready").length;
      for (const wasm of [opts.wasmModule, opts.wasmBytes]) {
        const c = await createGlobusClient({ ...base, storage: memoryStore(), namespace: ns("m"), wasm });
        if (await c.isLoggedIn()) fail("a fresh memory storage is logged in");
        c.close();
      }
      const before = ready();
      const cs = await Promise.all([1, 2, 3].map(() => createGlobusClient({ ...base, storage: memoryStore(), namespace: ns("m"), wasm: opts.wasmModule })));
      cs.forEach((c) => c.close());
      if (ready() !== before) fail(`${ready() - before} more Go programs started for clients of one source`);
    });
  }

  let a;
  await check("paste-code login stores the v2 document under the namespace", async () => {
    a = await createGlobusClient({ ...base, namespace: ns("a") });
    let logins = 0;
    a.on("login", () => logins++);
    const code = new URL(await approve(await a.startPasteCodeLogin())).searchParams.get("code");
    await a.finishPasteCodeLogin(code);
    if (!(await a.isLoggedIn()) || logins !== 1) fail(`logged in ${await a.isLoggedIn()}, login events ${logins}`);
    const doc = JSON.parse(await store.get(a.storageKey));
    if (doc.format_version !== "2.0" || !doc.data[ns("a")]?.["groups.api.globus.org"]?.refresh_token) fail("stored document is not the v2 document of the namespace");
    if (Object.keys(doc.data).length !== 1) fail("the document holds other namespaces");
    await remember(a.storageKey);
    return a.storageKey;
  });

  await check("groups and the CLI's CSV", async () => {
    const report = await a.myGroupsReport();
    if (report.csv !== expectedCSV) fail(`CSV differs:\n${report.csv}`);
    if (report.groups.length !== report.rows.length || report.groups.length === 0) fail("groups and rows differ");
    if ((await a.groupsCSV()) !== expectedCSV) fail("groupsCSV differs");
    return `${report.groups.length} groups`;
  });

  await check("two namespaces interleaved on one Go instance: no crossover", async () => {
    // In workerd each instance keeps a Go client per config (js/runners.js): one call after
    // another lands on the same idle instance, so these alternate between its kept clients of
    // the two namespaces. x never logged in: it must never see a's login, nor a lose it.
    const x = await createGlobusClient({ ...base, namespace: ns("x") });
    const a2 = await createGlobusClient({ ...base, namespace: ns("a") });
    if (x.storageKey === a2.storageKey) fail("two namespaces share a storage key");
    for (let i = 0; i < 3; i++) {
      if ((await a2.groupsCSV()) !== expectedCSV) fail(`round ${i}: a's groups differ`);
      if (await x.isLoggedIn()) fail(`round ${i}: x is logged in with a's login`);
      await rejects(() => x.myGroups(), (e) => e.code === "login_required", `round ${i}: x's groups`);
      if (!(await a2.isLoggedIn())) fail(`round ${i}: a is logged out`);
    }
    if ((await store.get(x.storageKey)) != null) fail("x's storage key holds a document");
    x.close();
    a2.close();
  });

  await check("authorizeUrl + handleRedirect(url): single use, state checked", async () => {
    const b = await createGlobusClient({ ...base, namespace: ns("b") });
    const forged = new URL(await approve(await b.authorizeUrl()));
    forged.searchParams.set("state", "not-this-login");
    await rejects(() => b.handleRedirect(forged.href), (e) => e.code === "state_mismatch", "forged state");
    const callback = await approve(await b.authorizeUrl());
    if ((await b.handleRedirect(callback)) !== true) fail("handleRedirect did not finish the login");
    if (!(await b.isLoggedIn())) fail("not logged in after the callback");
    await rejects(() => b.handleRedirect(callback), (e) => e.code === "no_login_in_progress", "replayed callback");
    if ((await b.handleRedirect("https://app.example.org/callback?x=1")) !== false) fail("a URL without code/error counted");
    await remember(b.storageKey);
    await b.logout();
    b.close();
  });

  await check("an expired token: exactly one refresh for 10 concurrent calls", async () => {
    let refreshed = 0;
    a.on("refresh", () => refreshed++);
    await expire(a.storageKey);
    const before = await refreshes();
    const csvs = await Promise.all(Array.from({ length: 10 }, () => a.groupsCSV()));
    const n = (await refreshes()) - before;
    if (n !== 1) fail(`${n} refreshes`);
    if (csvs.some((c) => c !== expectedCSV)) fail("a call returned another CSV");
    await new Promise((r) => setTimeout(r, 0));
    if (refreshed < 1) fail("no refresh event");
    await remember(a.storageKey);
    return `${n} refresh`;
  });

  await check("two clients of one namespace racing: one refresh, both answer", async () => {
    const a2 = await createGlobusClient({ ...base, namespace: ns("a") });
    await expire(a.storageKey);
    const before = await refreshes();
    const all = await Promise.all([a, a2, a, a2, a, a2, a, a2].map((c) => c.groupsCSV()));
    const n = (await refreshes()) - before;
    if (n !== 1) fail(`${n} refreshes`);
    if (all.some((c) => c !== expectedCSV)) fail("a call returned another CSV");
    const doc = JSON.parse(await store.get(a.storageKey));
    if (!(doc.data[ns("a")]["groups.api.globus.org"].expires_at_seconds > 1)) fail("the renewed token was not stored");
    await remember(a.storageKey);
    a2.close();
  });

  await check("a corrupt document is reported and left as it is", async () => {
    const c = await createGlobusClient({ ...base, namespace: ns("corrupt") });
    await store.put(c.storageKey, "{not json");
    await rejects(() => c.myGroups(), (e) => e.code === "storage_corrupt", "corrupt document");
    await rejects(() => c.logout(), (e) => e.code === "storage_corrupt", "logout over a corrupt document");
    if ((await store.get(c.storageKey)) !== "{not json") fail("the corrupt document was changed");
    // workerd's store is KV as Cloudflare documents it: one write per key per second.
    if (runtime === "workerd") await new Promise((ok) => setTimeout(ok, 1000));
    await store.delete(c.storageKey);
    c.close();
  });

  await check("a storage that throws or returns a non-string: storage_error", async () => {
    const bad = {
      throws: { get() { throw new Error("disk on fire"); }, put() {}, delete() {} },
      rejects: { get: async () => { throw new Error("disk on fire"); }, put: async () => {}, delete: async () => {} },
      number: { get: () => 42, put() {}, delete() {} },
    };
    for (const [what, storage] of Object.entries(bad)) {
      const c = await createGlobusClient({ ...base, storage, namespace: ns("bad") });
      const e = await rejects(() => c.myGroups(), (e) => e.code === "storage_error" && !e.loginRequired, what);
      if (what !== "number" && !/disk on fire/.test(e.message)) fail(`${what}: the storage's own message is lost: ${e.message}`);
      c.close();
    }
  });

  await check("logout revokes and forgets; every client of the namespace is logged out", async () => {
    const a2 = await createGlobusClient({ ...base, namespace: ns("a") });
    let logouts = 0;
    a.on("logout", () => logouts++);
    await a.logout();
    if (logouts !== 1) fail(`${logouts} logout events`);
    if ((await store.get(a.storageKey)) !== null) fail("the token document is still stored");
    if (await a.isLoggedIn()) fail("still logged in");
    const e = await rejects(() => a2.myGroups(), (e) => e.code === "login_required" && e.loginRequired, "after logout");
    if (e.name !== "LoginRequiredError") fail(`error name ${e.name}`);
    a2.close();
  });

  await check("close: later calls reject with client_closed", async () => {
    a.close();
    a.close();
    await rejects(() => a.isLoggedIn(), (e) => e.code === "client_closed", "after close");
  });

  await check("no token in any error message", async () => {
    if (tokens.size < 2) fail(`only ${tokens.size} tokens seen`);
    for (const m of messages) for (const t of tokens) if (t && m.includes(t)) fail("an error message contains a token");
    return `${messages.length} messages, ${tokens.size} tokens`;
  });
  return results;
}
