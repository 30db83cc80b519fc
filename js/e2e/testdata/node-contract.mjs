// node-contract.mjs — the Node side of js/e2e's TestNodeFailureTable (internal/failtable):
// @globus-edge/client driven over stdin/stdout as node-faults.mjs is (one JSON request per
// line, one JSON answer per line). Each client keeps its tokens in the tutorial's token file;
// the Go test owns the fake Globus, its faults and the files.
//
//   node node-contract.mjs   (env: CLIENT_ID, the fakes' client)
import { createInterface } from "node:readline";
import { createGlobusClient } from "@globus-edge/client";
import { createFileStorage } from "@globus-edge/client/node-file-storage";
import { describe, login } from "./fault-ops.mjs";

const clientId = process.env.CLIENT_ID;
const clients = new Map();

const ops = {
  async open({ client, file, namespace, authUrl, groupsUrl, redirectUri, httpTimeout }) {
    const storage = createFileStorage(file);
    clients.set(client, await createGlobusClient({ clientId, authUrl, groupsUrl, redirectUri, httpTimeout, namespace, storage }));
    return {};
  },
  async login({ client }) {
    await login(clients.get(client));
    return {};
  },
  async groups({ client }) {
    return { csv: await clients.get(client).groupsCSV() };
  },
  /** Starts a redirect login and comes back with query, its "__STATE__" the login's state. */
  async redirect({ client, query }) {
    const c = clients.get(client);
    const state = new URL(await c.authorizeUrl()).searchParams.get("state");
    const back = new URL(c.config.redirectUri);
    back.search = query.replaceAll("__STATE__", encodeURIComponent(state));
    await c.handleRedirect(back.href);
    return {};
  },
  async close({ client }) {
    clients.get(client)?.close();
    clients.delete(client);
    return {};
  },
};

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
const pending = new Set();
rl.on("line", (line) => {
  const req = JSON.parse(line);
  const p = (async () => {
    let res;
    try {
      res = { ok: true, ...(await ops[req.op](req)) };
    } catch (e) {
      res = { ok: false, error: describe(e) };
    }
    process.stdout.write(JSON.stringify({ id: req.id, ...res }) + "\n");
  })();
  pending.add(p);
  p.finally(() => pending.delete(p));
});
rl.on("close", async () => {
  await Promise.allSettled([...pending]);
  for (const c of clients.values()) c.close();
});
