// faults-worker.js — the workerd side of js/e2e's TestWorkerdFaultSuite: POST / with a JSON
// body {op: "login" | "groups", namespace, authUrl, groupsUrl, httpTimeout, failPut} makes a
// client over the TOKENS KV binding (behind a put that can fail), runs op and answers
// {ok, csv} or {ok: false, error} (fault-ops.mjs). A client per request, as a JS worker makes
// one per request. The Go test owns the fake Globus and reads KV through Miniflare. Bundled
// with wrangler (faults-wrangler.toml) like any JS worker using the package.
import { createGlobusClient } from "@globus-edge/client";
import { describe, faultyStorage, login } from "./fault-ops.mjs";

export default {
  async fetch(request, env) {
    const { op, clientId, namespace, authUrl, groupsUrl, httpTimeout, failPut = "" } = await request.json();
    let c;
    try {
      const storage = faultyStorage(env.TOKENS, failPut, () => c?.storageKey, true);
      c = await createGlobusClient({ clientId, authUrl, groupsUrl, httpTimeout, namespace, storage });
      if (op === "login") {
        await login(c);
        return Response.json({ ok: true });
      }
      return Response.json({ ok: true, csv: await c.groupsCSV() });
    } catch (e) {
      return Response.json({ ok: false, error: describe(e) });
    } finally {
      c?.close();
    }
  },
};
