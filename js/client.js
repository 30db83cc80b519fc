// client.js — GlobusClient, the same in every runtime. It adapts the Go program's
// Promise-returning functions to a small API in the spirit of the Globus JavaScript SDK;
// every Globus and token decision is made in Go (package app). Entry modules (index.js,
// node.js, workerd.js) pass their platform: how to load a wasm URL, the defaults, the name.
import { GlobusError, LoginRequiredError, toError } from "./errors.js";
import { pooledRunner, sharedRunner } from "./runners.js";
import { program, wasmSource } from "./runtime.js";

export { GlobusError, LoginRequiredError };

/** The query parameters Globus Auth adds on its redirect back; removed from the address bar. */
const redirectParams = ["code", "state", "error", "error_description", "error_uri"];
const storageKinds = ["localStorage", "sessionStorage", "memory"];
const storageMethods = ["get", "put", "delete"];
const events = ["login", "logout", "refresh", "error"];

/** Checks config.storage, filling in the platform's default; a mistake is a TypeError. */
function checkStorage(storage, platform) {
  if (storage === undefined || storage === null || storage === "") {
    if (!platform.defaultStorage) {
      throw new TypeError(`globus-edge: config.storage is required in ${platform.name}: pass a storage object (e.g. storage: env.TOKENS, a KV binding)`);
    }
    return platform.defaultStorage;
  }
  if (typeof storage === "string") {
    // An unknown name is Go's to refuse (invalid_config, like every other bad setting).
    if (platform.name === "workerd" && storageKinds.includes(storage)) {
      // Each call may run on another Go instance: only a shared storage keeps the login.
      throw new TypeError(`globus-edge: config.storage "${storage}" does not work in workerd: pass a storage object (e.g. storage: env.TOKENS)`);
    }
    return storage;
  }
  if (typeof storage !== "object" && typeof storage !== "function") return storage; // Go says what is wrong
  const missing = storageMethods.filter((m) => typeof storage[m] !== "function");
  if (missing.length) {
    throw new TypeError(`globus-edge: config.storage has no ${missing.join(", ")} method (a storage needs get(key), put(key, value) and delete(key))`);
  }
  return storage;
}

/**
 * Tells a storage object which client it serves and the keys Go will use in it
 * (StorageObject.bind, optional), so it never computes a key itself. Run once per client,
 * before Go reads the storage. A storage that throws refuses the client: invalid_config.
 */
function binder(storage) {
  return async (api) => {
    const keys = api.storageKeys;
    if (!keys || typeof storage?.bind !== "function" || storage.bind === Function.prototype.bind) return;
    const { clientId, namespace } = api.config;
    try {
      await storage.bind({ clientId, namespace, keys: { tokens: keys.tokens, pending: keys.pending, lease: keys.lease } });
    } catch (e) {
      throw new GlobusError({ code: "invalid_config", message: `globus-edge: invalid config: config.storage refused this client: ${e?.message ?? e}` });
    }
  };
}

/** A Globus login and Groups client; see createGlobusClient. */
export class GlobusClient {
  #runner;
  #platform;
  #listeners = new Map();
  #loggedIn = false;
  #closed = false;
  #unwatch = () => {};

  /** Use createGlobusClient: the constructor needs the started Go program. */
  constructor(runner, platform, loggedIn) {
    this.#runner = runner;
    this.#platform = platform;
    this.#loggedIn = loggedIn;
    // Go calls this after renewed tokens were stored. Emit on a microtask so listeners never
    // run inside a Go callback.
    runner.setOnRefresh(() => queueMicrotask(() => this.#emit("refresh")));
    this.#watchOtherTabs();
  }

  /** The configuration in use, defaults filled in (clientId, authUrl, groupsUrl, redirectUri, authCodePage, environment, scopes, httpTimeout, storage, namespace). */
  get config() {
    return { ...this.#runner.config };
  }

  /** The storage key of the token document ("" for memory storage); see README for the layout. */
  get storageKey() {
    return this.#runner.storageKey;
  }

  /** Starts a login that comes back to config.redirectUri: the browser leaves the page. Browsers only. */
  async login() {
    if (typeof window === "undefined" || !window.location) {
      throw new TypeError("globus-edge: login() navigates a browser window; elsewhere send the user to authorizeUrl()");
    }
    window.location.assign(await this.authorizeUrl());
  }

  /**
   * Starts a login that comes back to config.redirectUri and resolves to the URL to send the
   * user to, without navigating (servers: answer with a redirect to it). The login in progress
   * is kept in the storage until handleRedirect finishes it (single use, 10 minutes).
   */
  authorizeUrl() {
    return this.#call("startLogin", "redirect");
  }

  /**
   * Finishes a redirect login. url is the callback URL Globus Auth sent the user to (a string
   * or URL; servers pass the request's URL); in a browser it defaults to the page's address,
   * whose ?code=/?error= parameters are then removed first so a reload or a shared link cannot
   * replay them. Resolves to true when a login completed, false when the URL has neither.
   */
  async handleRedirect(url) {
    let u;
    if (url === undefined) {
      if (typeof window === "undefined" || !window.location) {
        throw new TypeError("globus-edge: handleRedirect(url) needs the callback URL outside a browser");
      }
      u = new URL(window.location.href);
    } else {
      if (typeof url !== "string" && !(url instanceof URL)) {
        throw new TypeError(`globus-edge: handleRedirect(url): url must be a string or a URL, got ${typeof url}`);
      }
      // Relative to the page in a browser; elsewhere the URL must be absolute.
      u = new URL(String(url), globalThis.location?.href);
    }
    if (!u.searchParams.has("code") && !u.searchParams.has("error")) return false;
    const search = u.search;
    if (url === undefined) {
      for (const p of redirectParams) u.searchParams.delete(p);
      window.history.replaceState(window.history.state, "", u.href);
    }
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
   * Releases the client: its Go functions are freed and later calls reject with code
   * "client_closed". Stored tokens stay. Idempotent.
   */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    this.#unwatch();
    this.#runner.close();
  }

  /**
   * Subscribes to "login", "logout" (also when another tab logs in or out, or Globus refuses
   * the refresh token), "refresh" (tokens renewed) or "error" (any failed call). Returns the
   * unsubscribe function.
   */
  on(event, fn) {
    if (!events.includes(event)) throw new TypeError(`globus-edge: unknown event "${event}"`);
    if (typeof fn !== "function") throw new TypeError("globus-edge: on(event, fn): fn must be a function");
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

  // Refreshes are single-flight in Go (the storage's lock), so nothing needs locking here.
  async #call(method, arg) {
    try {
      if (this.#closed) throw new GlobusError({ message: "globus-edge: this client was closed", code: "client_closed" });
      return await this.#runner.call(method, arg);
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
    if (this.#runner.config.storage !== "localStorage" || typeof window === "undefined" || !window.addEventListener) return;
    const onStorage = (e) => {
      if (e.storageArea !== window.localStorage) return;
      if (e.key !== null && e.key !== this.#runner.storageKey) return;
      this.isLoggedIn().catch(() => {});
    };
    window.addEventListener("storage", onStorage);
    this.#unwatch = () => window.removeEventListener("storage", onStorage);
  }
}

/**
 * Creates a client on platform (see the entry modules). Configuration mistakes (the wasm's
 * type, a storage object's shape) are TypeErrors; what Go refuses is a GlobusError with code
 * "invalid_config".
 */
export async function createClient(platform, config = {}) {
  if (config === null || typeof config !== "object") {
    throw new TypeError(`globus-edge: config must be an object, got ${config === null ? "null" : typeof config}`);
  }
  const source = wasmSource(config, platform);
  const { wasm, wasmUrl, ...goConfig } = config;
  goConfig.storage = checkStorage(config.storage, platform);
  const prog = await program(source, platform);
  const bind = binder(goConfig.storage);
  const runner = prog.exclusive ? await pooledRunner(prog, goConfig, bind) : await sharedRunner(prog, goConfig, platform, bind);
  return new GlobusClient(runner, platform, runner.loggedIn);
}
