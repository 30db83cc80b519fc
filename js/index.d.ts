// Type declarations for @globus-edge/client (browsers, Cloudflare Workers, Node ≥ 20).

/** Where tokens are kept. localStorage survives reloads and is shared by the origin's tabs
 * (and readable by any script on the page); sessionStorage is per tab; memory is per page load
 * (or per process in Node). Not in workerd, where storage must be a StorageObject. */
export type StorageKind = "localStorage" | "sessionStorage" | "memory";

/**
 * Any key-value store: a Workers KV binding as it is (storage: env.TOKENS), or your own. Each
 * method may return its result or a Promise of it. get must give a string or null; put gets
 * options {expirationTtl: seconds} for records that may expire (the login in progress, the
 * refresh lease) — a store may ignore it. Values are the Python SDK's v2 token document (JSON)
 * and small JSON records; see the README for the keys.
 */
export interface StorageObject {
  get(key: string): string | null | undefined | Promise<string | null | undefined>;
  put(key: string, value: string, options?: { expirationTtl?: number }): void | Promise<unknown>;
  delete(key: string): void | Promise<unknown>;
  /**
   * Optional: told once, when a client is created on this storage and before it reads or
   * writes anything, which client it serves and the keys it will use. The key layout is
   * Go's; a storage that keeps records apart (node-file-storage's token file) learns the keys
   * here instead of computing them. Throwing refuses the client: createGlobusClient rejects
   * with code "invalid_config" and the thrown message.
   */
  bind?(binding: StorageBinding): void | Promise<unknown>;
  /**
   * Optional, to make refreshes exact between processes: atomically sets key to value when it
   * holds expected, and returns whether it did. expected null means "only if key is absent"
   * (an exclusive create: it never replaces a value), value null means "remove it". Of two
   * calls from one expected value at once, at most one may succeed. The client calls it for the
   * refresh lease only (keys.lease), with values it makes (a holder and an expiry), and then
   * takes no lease with put/delete: the rule is Go's (the CLI's lock file); the storage only
   * stores. Without it the lease is put and read back, which is best effort. A Workers KV
   * binding has none (KV has no compare-and-set); node-file-storage's is the CLI's lock file.
   */
  compareAndSwap?(key: string, expected: string | null, value: string | null): boolean | Promise<boolean>;
}

/** What a client tells its storage object (StorageObject.bind). */
export interface StorageBinding {
  clientId: string;
  namespace: string;
  keys: {
    /** The token document (the Python SDK's v2 JSON). */
    tokens: string;
    /** The login in progress (put with an expirationTtl). */
    pending: string;
    /** The refresh lease (put with an expirationTtl, or compareAndSwap when the storage has it). */
    lease: string;
  };
}

export interface GlobusClientConfig {
  /** Native-app client id. Default: the Globus SDK tutorial client (paste-code login only). */
  clientId?: string;
  /** This page's URL as registered with the client; needed for login(). */
  redirectUri?: string;
  /** Scopes, space-separated or as an array. Default: the Groups view_my_groups_and_memberships scope. */
  scopes?: string | string[];
  /** Globus Auth base URL. Default: from environment (production: https://auth.globus.org). */
  authUrl?: string;
  /** Globus Groups base URL. Default: from environment (production: https://groups.api.globus.org). */
  groupsUrl?: string;
  /** Globus environment name ("production", "preview", ...). Default: production. */
  environment?: string;
  /** Per-request timeout in seconds; -1 for none. Default: 60. */
  httpTimeout?: number | string;
  /** Default: "localStorage" in a browser window, "memory" in Node; required in workerd
   * (a StorageObject, e.g. env.TOKENS). */
  storage?: StorageKind | StorageObject;
  /** Token document namespace (Python JSONTokenStorage): tells users sharing one storage apart
   * (e.g. a hash of a session id in a worker). Required with a StorageObject (else
   * invalid_config): "DEFAULT" is the Python SDK's, for one user's file. Default otherwise:
   * "DEFAULT". */
  namespace?: string;
  /** URL of globus-edge.wasm (browsers: fetched; Node: file: or http(s):). Default: beside
   * this module (Vite emits it so; with esbuild, import "@globus-edge/client/globus-edge.wasm"
   * with --loader:.wasm=file and pass that). Not in workerd. */
  wasmUrl?: string | URL;
  /** The wasm itself, instead of wasmUrl: a compiled module (workerd: the only kind, and the
   * default is the package's own import), or its bytes, or a Response (browsers, Node). Go
   * starts once per source and process; clients given the same source share it. */
  wasm?: WebAssembly.Module | ArrayBuffer | Uint8Array | Response;
  /** workerd only: a Durable Object namespace binding of SessionCoordinator (e.g.
   * coordinator: env.SESSIONS, declared in wrangler.toml; the Worker exports the class) beside
   * a storage object. The login's tokens are then read from its object (never stale in any
   * location), each write is ordered by it, a logout is seen everywhere at once and refreshes
   * are single-flight across isolates and locations; the tokens are still written to storage. */
  coordinator?: DurableObjectNamespaceLike;
}

/** What coordinator takes: a Durable Object namespace binding (workerd's
 * DurableObjectNamespace; only idFromName and get are used). */
export interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown;
  get(id: any): unknown;
}

/**
 * The Durable Object class of coordinator (workerd entry only): export it from your Worker's
 * main module (`export { SessionCoordinator } from "@globus-edge/client";`) and bind it in
 * wrangler.toml with a new_sqlite_classes migration (see README). One object per login; it
 * offers primitives only (a versioned record, a refresh lock record): the rules are the
 * client's.
 */
export class SessionCoordinator {
  constructor(ctx: unknown, env: unknown);
}

/** The configuration in use, defaults filled in. */
export interface ResolvedConfig {
  clientId: string;
  redirectUri: string;
  authUrl: string;
  groupsUrl: string;
  authCodePage: string;
  environment: string;
  scopes: string;
  /** Seconds per HTTP attempt; -1 for none. */
  httpTimeout: number;
  /** "custom" for a StorageObject. */
  storage: StorageKind | "custom";
  namespace: string;
}

export type MembershipStatus = "active" | "invited" | "pending" | "rejected" | "removed" | "left" | "declined";

export interface Membership {
  group_id: string;
  identity_id: string;
  username: string;
  role: "member" | "manager" | "admin" | string;
  status: MembershipStatus | string;
  [field: string]: unknown;
}

/** A group exactly as Globus Groups sends it (GroupReadModel); the common fields are typed. */
export interface Group {
  id: string;
  name: string;
  description?: string | null;
  parent_id?: string | null;
  group_type?: string;
  my_memberships?: Membership[];
  [field: string]: unknown;
}

/** One row of the groups table: the CLI's columns. */
export interface GroupRow {
  id: string;
  name: string;
  /** Distinct roles of my memberships, sorted. */
  roles: string[];
}

export interface GroupsReport {
  groups: Group[];
  rows: GroupRow[];
  /** The CLI's CSV, byte for byte: "ID,Name,Roles\n" then one line per group. */
  csv: string;
}

export interface GroupsOptions {
  /** Default: the server's default, active. */
  statuses?: MembershipStatus[];
}

export type GlobusEvent = "login" | "logout" | "refresh" | "error";

/** What went wrong, in the one vocabulary of every globus-edge host (Go's app.Kind). */
export type ErrorKind =
  | "login_required" // no usable tokens (or Globus refused the refresh token: storage cleared)
  | "state_mismatch" // a redirect that is not this login's (the login in progress stays)
  | "no_login_in_progress" // nothing to finish: finished already, expired (10 min), never started
  | "invalid_grant" // Globus refused the code
  | "authorize_error" // ?error= on the redirect (globusCode is its OAuth error, e.g. "access_denied")
  | "bad_callback" // a redirect with the login's state but neither a code nor an error
  | "storage_corrupt" // the stored document cannot be read (left as it is)
  | "storage_error" // the storage itself failed (threw, rejected, returned a non-string)
  | "invalid_config"
  | "timeout"
  | "network_error"
  | "globus_error" // another Globus answer, or a malformed one (globusCode: Globus's own code when it sent one)
  | "internal_error";

/** Codes of the JS module itself. */
export type ModuleErrorCode = "wasm_load_failed" | "wasm_exited" | "client_closed" | "busy";

export class GlobusError extends Error {
  name: "GlobusError" | "LoginRequiredError";
  /** What went wrong, always one of the documented codes (never Globus's own code: see
   * globusCode). Messages never contain tokens. */
  code: ErrorKind | ModuleErrorCode;
  /** The HTTP status a server built on this package answers this failure with (the Go
   * worker's, by code): 401 login_required and storage_corrupt, 400 for a refused or malformed
   * login, 502 globus_error and network_error, 504 timeout, 500 otherwise. */
  serverStatus: number;
  /** Globus's own code when Globus answered (e.g. "SERVICE_UNAVAILABLE", "invalid_grant",
   * "FORBIDDEN") or the OAuth error of the redirect (e.g. "access_denied"); "" otherwise. */
  globusCode: string;
  /** HTTP status of the Globus answer, or 0. */
  httpStatus: number;
  /** Globus's request id, or "". */
  requestId: string;
  loginRequired: boolean;
}

export class LoginRequiredError extends GlobusError {
  name: "LoginRequiredError";
  loginRequired: true;
}

export class GlobusClient {
  private constructor();
  readonly config: ResolvedConfig;
  /** The token document's storage key: the Web Storage key, or a StorageObject's tokens key
   * (StorageBinding.keys.tokens); "" for memory storage. */
  readonly storageKey: string;
  /** Redirects to Globus Auth; the browser comes back to redirectUri. Browsers only (TypeError elsewhere). */
  login(): Promise<void>;
  /** Starts a redirect login without navigating; resolves to the URL to send the user to. The
   * login in progress waits in the storage (single use, 10 minutes). */
  authorizeUrl(): Promise<string>;
  /** Finishes a redirect login from the callback URL (in a browser: the page's address by
   * default, whose code/state are then removed); true when it did, false when the URL carries
   * neither ?code= nor ?error=. */
  handleRedirect(url?: string | URL): Promise<boolean>;
  /** Starts a login ending on Globus Auth's auth-code page; resolves to the URL to open. */
  startPasteCodeLogin(): Promise<string>;
  finishPasteCodeLogin(code: string): Promise<void>;
  isLoggedIn(): Promise<boolean>;
  /** My groups as Globus sends them (one Groups call). For groups and CSV both, use myGroupsReport. */
  myGroups(options?: GroupsOptions): Promise<Group[]>;
  /** The CLI's CSV (one Groups call). For groups and CSV both, use myGroupsReport. */
  groupsCSV(options?: GroupsOptions): Promise<string>;
  /** Groups, table rows and the CSV from one Groups call. */
  myGroupsReport(options?: GroupsOptions): Promise<GroupsReport>;
  /** Revokes both tokens at Globus Auth and clears storage (storage is cleared even if revoking fails). */
  logout(): Promise<void>;
  /** Releases the client (later calls reject with code "client_closed"); stored tokens stay. */
  close(): void;
  on(event: "error", listener: (error: GlobusError) => void): () => void;
  on(event: "login" | "logout" | "refresh", listener: () => void): () => void;
}

/** Creates a client. Rejects with a TypeError for a wasm of the wrong type or a storage
 * object without get/put/delete, with a GlobusError ("invalid_config") for other bad settings
 * and when the storage's bind refuses the client. */
export function createGlobusClient(config?: GlobusClientConfig): Promise<GlobusClient>;
