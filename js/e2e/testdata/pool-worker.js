// pool-worker.js — kills the package's pooled Go instances in workerd, for js/e2e's
// TestWorkerdPoolSurvivesDeadInstances. It keeps every Go loader object the package makes (it
// reads globalThis.Go when it starts an instance) and ends a program the way Go ends itself:
// through the loader's runtime.wasmExit import. Bundled by wrangler (pool-wrangler.toml).
//
//   GET /call               one client call (isLoggedIn) → {loggedIn, programs}
//   GET /kill               ends every running program → {killed}
//   GET /kill-during-call   a call waiting on storage; the program ends meanwhile; then another
//                           call → {first: {code} or {ok}, second: {ok} or {code}}
import { createGlobusClient } from "@globus-edge/client";

const programs = [];
const Loader = globalThis.Go;
globalThis.Go = class extends Loader {
  constructor() {
    super();
    programs.push(this);
  }
};

function killAll() {
  let n = 0;
  for (const go of programs) {
    if (go.exited) continue;
    go.importObject.gojs["runtime.wasmExit"](0);
    n++;
  }
  return n;
}

const settle = (p) => p.then(() => ({ ok: true }), (e) => ({ code: e.code, message: e.message }));

export default {
  async fetch(request, env) {
    let stall = false;
    const storage = {
      get: (k) => (stall ? new Promise(() => {}) : env.TOKENS.get(k)),
      put: (k, v, o) => env.TOKENS.put(k, v, o),
      delete: (k) => env.TOKENS.delete(k),
    };
    const client = () => createGlobusClient({ storage, namespace: "pool-test", clientId: "pool-test" });
    switch (new URL(request.url).pathname) {
      case "/call": {
        const loggedIn = await (await client()).isLoggedIn();
        return Response.json({ loggedIn, programs: programs.length });
      }
      case "/kill":
        return Response.json({ killed: killAll() });
      case "/kill-during-call": {
        const c = await client();
        stall = true;
        const first = settle(c.isLoggedIn());
        await new Promise((r) => setTimeout(r, 50)); // the call is waiting on storage now
        killAll();
        const a = await first;
        stall = false;
        const b = await settle((await client()).isLoggedIn());
        return Response.json({ first: a, second: b });
      }
    }
    return new Response("not found", { status: 404 });
  },
};
