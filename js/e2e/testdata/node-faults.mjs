// node-faults.mjs — the Node side of js/e2e's TestNodeFaultSuite (and TestNodeFailureTable,
// which adds the redirect op): @globus-edge/client driven
// over stdin/stdout, one JSON request per line ({id, op, ...}), one JSON answer per line ({id,
// ok, ...}). The Go test owns the fake Globus (faults, token checks) and the token files; this
// script only runs the package, so what it prints is what an app would see. Requests are served
// concurrently (every case has its own fake, file and namespace). Nothing printed here may hold
// a token: the Go test scans this output for every token the fakes issued.
//
//   node node-faults.mjs   (env: CLIENT_ID, the fakes' client)
import { createInterface } from "node:readline";
import { createGlobusClient } from "@globus-edge/client";
import { createFileStorage } from "@globus-edge/client/node-file-storage";
import { describe, faultyStorage, login } from "./fault-ops.mjs";

const clientId = process.env.CLIENT_ID;
const clients = new Map();

const ops = {
  /** A client of namespace over file; httpTimeout, failPut and promises as the case needs. */
  async open({ client, file, namespace, authUrl, groupsUrl, redirectUri, httpTimeout, failPut = "", promises = false }) {
    // The tutorial's token file, behind a put that can throw.
    let c;
    const storage = faultyStorage(createFileStorage(file), failPut, () => c?.storageKey, promises);
    c = await createGlobusClient({ clientId, authUrl, groupsUrl, redirectUri, httpTimeout, namespace, storage });
    clients.set(client, { c, storage });
    return {};
  },
  async login({ client }) {
    await login(clients.get(client).c);
    return {};
  },
  async groups({ client }) {
    return { csv: await clients.get(client).c.groupsCSV() };
  },
  /** Starts a redirect login and comes back with query, its "__STATE__" the login's state. */
  async redirect({ client, query }) {
    const { c } = clients.get(client);
    const state = new URL(await c.authorizeUrl()).searchParams.get("state");
    const back = new URL(c.config.redirectUri);
    back.search = query.replaceAll("__STATE__", encodeURIComponent(state));
    await c.handleRedirect(back.href);
    return {};
  },
  /** The storage works again (the disk has room). */
  async heal({ client }) {
    clients.get(client).storage.failPut = "";
    return {};
  },
  async close({ client }) {
    clients.get(client)?.c.close();
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
// stdin closed: the test is over; finish what runs, release the clients.
rl.on("close", async () => {
  await Promise.allSettled([...pending]);
  for (const { c } of clients.values()) c.close();
});
