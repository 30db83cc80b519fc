// @globus-edge/browser — Globus login (native-app PKCE) and "my groups" in the browser, with
// the logic in Go compiled to WebAssembly. This module only loads the wasm, starts Go once per
// page and adapts its Promise-returning functions to a small client API in the spirit of the
// Globus JavaScript SDK. Every Globus and token decision is made in Go (package app).

// Go's own loader, copied from the toolchain that built the wasm (the two must match). It is
// a classic script that defines globalThis.Go; importing it keeps this a single ES module
// graph, so bundlers inline it and pages need no extra <script> tag.
import "./wasm_exec.js";

const GoRuntime = globalThis.Go;

/** The wasm beside this module, unless config.wasmUrl says otherwise. */
const defaultWasmUrl = new URL("./globus-edge.wasm", import.meta.url);

/** The query parameters Globus Auth adds on its redirect back; removed from the address bar. */
const redirectParams = ["code", "state", "error", "error_description", "error_uri"];

/** An error reported by globus-edge: a Globus API answer, a refused login, a network failure. */
export class GlobusError extends Error {
  constructor(info = {}) {
    super(info.message || "globus-edge: unknown error");
    this.name = "GlobusError";
    /** HTTP status of the Globus answer, or 0 when no answer was involved. */
    this.httpStatus = info.httpStatus || 0;
    /** Globus's error code (e.g. "invalid_grant") or one of globus-edge's (e.g. "state_mismatch"). */
    this.code = info.code || "";
    /** Globus's request id, to quote when asking Globus support. */
    this.requestId = info.requestId || "";
    /** True when the user must log in (again). */
    this.loginRequired = Boolean(info.loginRequired);
  }
}

/** No usable tokens: never logged in, logged out, or Globus refused the refresh token. */
export class LoginRequiredError extends GlobusError {
  constructor(info = {}) {
    super({ ...info, loginRequired: true });
    this.name = "LoginRequiredError";
  }
}

/** Turns what Go rejects with (a plain object) into an Error subclass. */
function toError(reason) {
  if (reason instanceof Error) return reason;
  if (reason && typeof reason === "object") {
    return reason.loginRequired ? new LoginRequiredError(reason) : new GlobusError(reason);
  }
  return new GlobusError({ message: String(reason) });
}

/** Started Go programs by wasm URL: one per page, shared by every client. */
const programs = new Map();
let programCount = 0;

/**
 * Fetches and compiles the wasm. instantiateStreaming compiles while downloading but throws
 * unless the server says application/wasm, which many static servers do not: then compile
 * from the bytes instead.
 */
async function instantiate(url, imports) {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) {
    throw new GlobusError({ message: `globus-edge: loading ${url}: HTTP ${response.status}`, code: "wasm_load_failed" });
  }
  const type = (response.headers.get("Content-Type") || "").split(";")[0].trim().toLowerCase();
  if (type === "application/wasm" && typeof WebAssembly.instantiateStreaming === "function") {
    return WebAssembly.instantiateStreaming(response, imports);
  }
  return WebAssembly.instantiate(await response.arrayBuffer(), imports);
}

/**
 * Starts the Go program and resolves to its namespace object (newClient, version) once Go
 * says it is ready. Go finds the namespace through a global named by its first argument;
 * the global is deleted again at once, so other scripts cannot reach the exports by name.
 */
async function startGo(wasmUrl) {
  const name = `__globusEdge${programCount++ || ""}`;
  const ns = {};
  const ready = new Promise((resolve) => { ns.ready = resolve; });
  const t0 = performance.now();
  const go = new GoRuntime();
  go.argv = ["globus-edge", name];
  const { instance } = await instantiate(wasmUrl, go.importObject);
  const t1 = performance.now();
  globalThis[name] = ns;
  // go.run settles only when the program ends, which it never should: if it does (a crash),
  // fail the start instead of waiting forever.
  const exited = go.run(instance).then(
    () => { throw new GlobusError({ message: "globus-edge: the Go program exited", code: "wasm_exited" }); },
    (e) => { throw new GlobusError({ message: `globus-edge: the Go program crashed: ${e}`, code: "wasm_exited" }); },
  );
  try {
    await Promise.race([ready, exited]);
  } finally {
    delete globalThis[name];
  }
  // A crash after the start: say so once, and let the next createGlobusClient start afresh.
  exited.catch((e) => {
    programs.delete(String(wasmUrl));
    console.error(e.message);
  });
  const t2 = performance.now();
  // Timings for pages and benchmarks (performance.getEntriesByType("measure")).
  performance.measure("globus-edge:instantiate", { start: t0, end: t1 });
  performance.measure("globus-edge:go-start", { start: t1, end: t2 });
  performance.measure("globus-edge:ready", { start: t0, end: t2 });
  return ns;
}

function program(wasmUrl) {
  const key = String(wasmUrl);
  if (!programs.has(key)) {
    const p = startGo(key);
    // A failed start must not be cached, or a page could never retry.
    p.catch(() => programs.delete(key));
    programs.set(key, p);
  }
  return programs.get(key);
}

/** A Globus login and Groups client; see createGlobusClient. */
export class GlobusClient {
  #api;
  #listeners = new Map();
  #loggedIn = false;

  /** Use createGlobusClient: the constructor needs the started Go program. */
  constructor(api, loggedIn) {
    this.#api = api;
    this.#loggedIn = loggedIn;
    // Go calls this after renewed tokens were stored. Emit on a microtask so listeners never
    // run inside a Go callback.
    api.setOnRefresh(() => queueMicrotask(() => this.#emit("refresh")));
    this.#watchOtherTabs();
  }

  /** The configuration in use, defaults filled in (clientId, authUrl, groupsUrl, redirectUri, authCodePage, scopes, storage, namespace). */
  get config() {
    return { ...this.#api.config };
  }

  /** Starts a login that comes back to config.redirectUri: the browser leaves the page. */
  async login() {
    const url = await this.#call("startLogin", "redirect");
    window.location.assign(url);
  }

  /**
   * Finishes a login when the page was loaded by Globus Auth's redirect (?code= or ?error=),
   * removing those parameters from the address bar first so a reload or a shared link cannot
   * replay them. Resolves to true when a login completed, false when there was nothing to do.
   */
  async handleRedirect() {
    const url = new URL(window.location.href);
    if (!url.searchParams.has("code") && !url.searchParams.has("error")) return false;
    const search = url.search;
    for (const p of redirectParams) url.searchParams.delete(p);
    window.history.replaceState(window.history.state, "", url.href);
    await this.#call("finishRedirect", search);
    this.#setLoggedIn(true, true);
    return true;
  }

  /**
   * Starts a login whose code the user copies from Globus Auth's auth-code page (no redirect
   * URI to register). Resolves to the URL to open; finish with finishPasteCodeLogin.
   */
  startPasteCodeLogin() {
    return this.#call("startLogin", "paste");
  }

  /** Finishes a paste-code login with the code the user copied. */
  async finishPasteCodeLogin(code) {
    await this.#call("finishPasteCode", String(code ?? ""));
    this.#setLoggedIn(true, true);
  }

  /** Whether usable tokens are stored (no network call). */
  async isLoggedIn() {
    const v = await this.#call("isLoggedIn");
    this.#setLoggedIn(v);
    return v;
  }

  /** The groups in which I have a membership with one of statuses (default: active), as Groups sends them. */
  async myGroups({ statuses } = {}) {
    return (await this.myGroupsReport({ statuses })).groups;
  }

  /** The CLI's CSV of my groups ("ID,Name,Roles"), byte for byte. */
  async groupsCSV({ statuses } = {}) {
    return (await this.myGroupsReport({ statuses })).csv;
  }

  /** One Groups call, three views: {groups (raw), rows ({id, name, roles}), csv}. */
  myGroupsReport({ statuses } = {}) {
    return this.#call("myGroups", statuses);
  }

  /** Revokes the stored access and refresh tokens and removes them. */
  async logout() {
    try {
      await this.#call("logout");
    } finally {
      // Storage is cleared even when a revocation failed.
      this.#setLoggedIn(false);
    }
  }

  /**
   * Subscribes to "login", "logout" (also when another tab logs in or out, or Globus refuses
   * the refresh token), "refresh" (tokens renewed) or "error" (any failed call). Returns the
   * unsubscribe function.
   */
  on(event, fn) {
    if (!["login", "logout", "refresh", "error"].includes(event)) {
      throw new TypeError(`globus-edge: unknown event "${event}"`);
    }
    if (!this.#listeners.has(event)) this.#listeners.set(event, new Set());
    this.#listeners.get(event).add(fn);
    return () => this.#listeners.get(event).delete(fn);
  }

  #emit(event, payload) {
    for (const fn of [...(this.#listeners.get(event) || [])]) {
      // One failing listener must not stop the others or the operation that emitted.
      try { fn(payload); } catch (e) { console.error("globus-edge: a listener failed:", e); }
    }
  }

  /** Records the logged-in state; emits login/logout when it changes (or always when forced). */
  #setLoggedIn(v, force = false) {
    const changed = v !== this.#loggedIn;
    this.#loggedIn = v;
    if (changed || force) this.#emit(v ? "login" : "logout");
  }

  // Tabs sharing localStorage refresh one at a time: Go holds a Web Lock (navigator.locks)
  // around each refresh, so nothing needs locking here.
  async #call(method, arg) {
    try {
      return await this.#api[method](arg);
    } catch (reason) {
      const err = toError(reason);
      if (err.loginRequired) this.#setLoggedIn(false);
      this.#emit("error", err);
      throw err;
    }
  }

  /**
   * Another tab changing our localStorage key fires a "storage" event here: re-read the state
   * and emit login/logout if it changed. (sessionStorage and memory are per tab.)
   */
  #watchOtherTabs() {
    if (this.#api.config.storage !== "localStorage" || typeof window === "undefined") return;
    window.addEventListener("storage", (e) => {
      if (e.storageArea !== window.localStorage) return;
      if (e.key !== null && e.key !== this.#api.storageKey) return;
      this.isLoggedIn().catch(() => {});
    });
  }
}

/**
 * Creates a client. config: clientId (default: the Globus tutorial client), redirectUri
 * (needed for login(); must be registered with the client), scopes, authUrl, groupsUrl,
 * environment, httpTimeout, storage ("localStorage" default, "sessionStorage", "memory"),
 * namespace, wasmUrl (default: globus-edge.wasm beside this module). The wasm is loaded and
 * Go started on the first call; later clients share it.
 */
export async function createGlobusClient(config = {}) {
  const { wasmUrl = defaultWasmUrl, ...goConfig } = config;
  const ns = await program(wasmUrl);
  let api;
  try {
    api = await ns.newClient(goConfig);
  } catch (reason) {
    throw toError(reason);
  }
  let loggedIn = false;
  try {
    loggedIn = await api.isLoggedIn();
  } catch {
    // A corrupt stored document: report it on first use, not here, so the page can load.
  }
  return new GlobusClient(api, loggedIn);
}
