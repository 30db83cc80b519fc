// Type declarations for @globus-edge/browser.

/** Where tokens are kept. localStorage survives reloads and is shared by the origin's tabs
 * (and readable by any script on the page); sessionStorage is per tab; memory is per page load. */
export type StorageKind = "localStorage" | "sessionStorage" | "memory";

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
  /** Default: "localStorage". */
  storage?: StorageKind;
  /** Token document namespace (Python JSONTokenStorage). Default: "DEFAULT". */
  namespace?: string;
  /** URL of globus-edge.wasm. Default: beside this module (set it when you bundle). */
  wasmUrl?: string | URL;
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
  storage: StorageKind;
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

export class GlobusError extends Error {
  name: "GlobusError" | "LoginRequiredError";
  /** HTTP status of the Globus answer, or 0. */
  httpStatus: number;
  /** Globus's code (e.g. "invalid_grant", "access_denied") or globus-edge's: "login_required",
   * "state_mismatch", "no_login_in_progress", "network_error", "timeout", "storage_corrupt",
   * "storage_error", "invalid_config", "wasm_load_failed", "wasm_exited". */
  code: string;
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
  /** Redirects to Globus Auth; the browser comes back to redirectUri. */
  login(): Promise<void>;
  /** Finishes a redirect login if the page URL carries ?code= or ?error=; true when it did. */
  handleRedirect(): Promise<boolean>;
  /** Starts a login ending on Globus Auth's auth-code page; resolves to the URL to open. */
  startPasteCodeLogin(): Promise<string>;
  finishPasteCodeLogin(code: string): Promise<void>;
  isLoggedIn(): Promise<boolean>;
  myGroups(options?: GroupsOptions): Promise<Group[]>;
  groupsCSV(options?: GroupsOptions): Promise<string>;
  myGroupsReport(options?: GroupsOptions): Promise<GroupsReport>;
  /** Revokes both tokens at Globus Auth and clears storage (storage is cleared even if revoking fails). */
  logout(): Promise<void>;
  on(event: "error", listener: (error: GlobusError) => void): () => void;
  on(event: "login" | "logout" | "refresh", listener: () => void): () => void;
}

export function createGlobusClient(config?: GlobusClientConfig): Promise<GlobusClient>;
