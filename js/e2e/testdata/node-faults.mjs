// node-faults.mjs — the Node side of js/e2e's TestNodeFaultSuite: @globus-edge/client driven
// over stdin/stdout, one JSON request per line ({id, op, ...}), one JSON answer per line ({id,
// ok, ...}). The Go test owns the fake Globus (faults, token checks) and the token files; this
// script only runs the package, so what it prints is what an app would see. Requests are served
// concurrently (every case has its own fake, file and namespace). Nothing printed here may hold
// a token: the Go test scans this output for every token the fakes issued.
//
//   node node-faults.mjs   (env: CLIENT_ID, the fakes' client)
import { createInterface } from "node:readline";
import { createGlobusClient, GlobusError, LoginRequiredError } from "@globus-edge/client";
import { createFileStorage, tokenDocumentKey } from "@globus-edge/client/node-file-storage";

const clientId = process.env.CLIENT_ID;
const clients = new Map();

/**
 * The file storage of the tutorial, with puts that can be made to throw as a full disk does:
 * failPut "all" (every record, the refresh lease first) or "document" (only the token
 * document: the refresh happens at Globus, storing its result fails). With promises, every
 * method returns a Promise (and a failing put rejects), as a Workers KV binding does.
 */
function faultyFileStorage(file, namespace, failPut, promises) {
  const inner = createFileStorage(file, { clientId, namespace });
  const docKey = tokenDocumentKey(clientId, namespace);
  const wrap = (fn) => (promises ? async (...a) => fn(...a) : fn);
  const s = {
    failPut,
    get: wrap((k) => inner.get(k)),
    put: wrap((k, v, o) => {
      if (s.failPut === "all" || (s.failPut === "document" && k === docKey)) throw new Error("ENOSPC: no space left on device (injected)");
      return inner.put(k, v, o);
    }),
    delete: wrap((k) => inner.delete(k)),
  };
  return s;
}

/** What the Go test needs to judge an error, and nothing that could hold a token but its message. */
function describe(e) {
  return {
    name: e?.name, message: String(e?.message), code: e?.code ?? "", httpStatus: e?.httpStatus ?? 0,
    loginRequired: e?.loginRequired === true, isGlobusError: e instanceof GlobusError,
    isLoginRequiredError: e instanceof LoginRequiredError,
  };
}

const ops = {
  /** A client of namespace over file; httpTimeout, failPut and promises as the case needs. */
  async open({ client, file, namespace, authUrl, groupsUrl, httpTimeout, failPut = "", promises = false }) {
    const storage = faultyFileStorage(file, namespace, failPut, promises);
    const c = await createGlobusClient({ clientId, authUrl, groupsUrl, httpTimeout, namespace, storage });
    clients.set(client, { c, storage });
    return {};
  },
  /** A paste-code login; the fake approves every login, its auth-code page's URL carries the code. */
  async login({ client }) {
    const { c } = clients.get(client);
    const r = await fetch(await c.startPasteCodeLogin());
    await r.arrayBuffer();
    await c.finishPasteCodeLogin(new URL(r.url).searchParams.get("code"));
    return {};
  },
  async groups({ client }) {
    return { csv: await clients.get(client).c.groupsCSV() };
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
