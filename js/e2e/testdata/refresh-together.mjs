// refresh-together.mjs — one of the processes of js/e2e's TestSharedTokenFile: a client over
// createFileStorage(TOKEN_FILE) with the CLI's client id and namespace is made, says "ready" on
// stderr, waits for a line on stdin (so that the test starts the refreshes of several processes
// together), then prints the groups as CSV. A failure is "<code>: <message>" on stderr, exit 1.
//   node refresh-together.mjs   (env: TOKEN_FILE, AUTH_URL, GROUPS_URL)
import { createInterface } from "node:readline";
import { createGlobusClient } from "@globus-edge/client";
import { createFileStorage } from "@globus-edge/client/node-file-storage";

const env = process.env;
const client = await createGlobusClient({
  authUrl: env.AUTH_URL, groupsUrl: env.GROUPS_URL, httpTimeout: 10, namespace: "DEFAULT",
  storage: createFileStorage(env.TOKEN_FILE),
});
process.stderr.write("ready\n");
const lines = createInterface({ input: process.stdin });
await new Promise((go) => lines.once("line", go));
lines.close();
try {
  process.stdout.write(await client.groupsCSV());
} catch (e) {
  process.stderr.write(`${e.code}: ${e.message}\n`);
  process.exitCode = 1;
} finally {
  client.close();
}
