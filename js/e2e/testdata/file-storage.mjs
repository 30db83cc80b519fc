// file-storage.mjs — the Node side of js/e2e's TestNodeFileStorage: a client with its own
// client id over createFileStorage(TOKEN_FILE) logs in and lists its groups; then a client
// with another client id is made on the same storage object, which must refuse it. Prints
// {csv, storageKey, refused: {code, message} | null} as one JSON line.
//   node file-storage.mjs   (env: CLIENT_ID, AUTH_URL, GROUPS_URL, TOKEN_FILE)
import { createGlobusClient } from "@globus-edge/client";
import { createFileStorage } from "@globus-edge/client/node-file-storage";
import { login } from "./fault-ops.mjs";

const env = process.env;
const storage = createFileStorage(env.TOKEN_FILE);
const config = { clientId: env.CLIENT_ID, authUrl: env.AUTH_URL, groupsUrl: env.GROUPS_URL, storage, namespace: "DEFAULT" };
const c = await createGlobusClient(config);
await login(c);
const csv = await c.groupsCSV();
let refused = null;
try {
  (await createGlobusClient({ ...config, clientId: "someone-else" })).close();
} catch (e) {
  refused = { code: e.code, message: e.message };
}
c.close();
process.stdout.write(JSON.stringify({ csv, storageKey: c.storageKey, refused }) + "\n");
