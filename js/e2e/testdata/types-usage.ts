// types-usage.ts — uses every type index.d.ts and node-file-storage.d.ts export, as an app
// would; js/e2e TestTypes checks it with tsc --strict --noEmit against the installed package.
import {
  createGlobusClient,
  GlobusClient,
  GlobusError,
  LoginRequiredError,
  type ErrorKind,
  type GlobusClientConfig,
  type GlobusEvent,
  type Group,
  type GroupRow,
  type GroupsOptions,
  type GroupsReport,
  type Membership,
  type MembershipStatus,
  type ModuleErrorCode,
  type ResolvedConfig,
  type StorageBinding,
  type StorageKind,
  type StorageObject,
} from "@globus-edge/client";
import { createFileStorage, type FileStorage } from "@globus-edge/client/node-file-storage";

const kv = new Map<string, string>();
const storage: StorageObject = {
  get: (key) => kv.get(key) ?? null,
  put: async (key, value, options) => { kv.set(key, value); void options?.expirationTtl; },
  delete: (key) => { kv.delete(key); },
  bind: (b: StorageBinding) => { kv.set("bound", `${b.clientId}:${b.namespace}:${b.keys.tokens}:${b.keys.pending}:${b.keys.lease}`); },
  compareAndSwap: async (key, expected, value) => {
    if ((kv.get(key) ?? null) !== expected) return false;
    if (value === null) kv.delete(key);
    else kv.set(key, value);
    return true;
  },
};
const kind: StorageKind = "sessionStorage";
const file: FileStorage = createFileStorage("/tmp/tokens.json");
const key: string = file.path;
const swapped: boolean = file.compareAndSwap(key, null, "v");

const config: GlobusClientConfig = {
  clientId: "cid", redirectUri: "https://app.example.org/", scopes: ["a", "b"], authUrl: "https://auth.globus.org",
  groupsUrl: "https://groups.api.globus.org", environment: "production", httpTimeout: 60, storage, namespace: key,
  wasmUrl: new URL("https://app.example.org/globus-edge.wasm"),
};
const other: GlobusClientConfig = { storage: kind, wasm: new Uint8Array(0) };

async function use(client: GlobusClient): Promise<string> {
  const resolved: ResolvedConfig = client.config;
  const timeout: number = resolved.httpTimeout;
  const where: StorageKind | "custom" = resolved.storage;
  const statuses: MembershipStatus[] = ["active", "invited"];
  const options: GroupsOptions = { statuses };
  const groups: Group[] = await client.myGroups(options);
  const memberships: Membership[] = groups.flatMap((g) => g.my_memberships ?? []);
  const report: GroupsReport = await client.myGroupsReport();
  const rows: GroupRow[] = report.rows;
  const event: GlobusEvent = "refresh";
  const off: () => void = client.on(event, () => {});
  client.on("error", (e: GlobusError) => console.log(e.code, e.globusCode, e.httpStatus, e.serverStatus, e.requestId));
  off();
  try {
    await client.handleRedirect(new URL("https://app.example.org/?code=c&state=s"));
    if (!(await client.isLoggedIn())) await client.finishPasteCodeLogin(await client.startPasteCodeLogin());
    await client.authorizeUrl();
    return (await client.groupsCSV()) + rows.length + memberships.length + timeout + where;
  } catch (err) {
    if (err instanceof LoginRequiredError) {
      const yes: true = err.loginRequired;
      return String(yes);
    }
    if (err instanceof GlobusError) {
      const code: ErrorKind | ModuleErrorCode = err.code;
      return code;
    }
    throw err;
  } finally {
    await client.logout();
    client.close();
  }
}

await use(await createGlobusClient(config));
await use(await createGlobusClient(other));
await use(await createGlobusClient());
