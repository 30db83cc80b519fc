// checks-worker.js — runs checks.mjs inside workerd: GET /checks?auth=…&groups=…&client=…&prefix=…
// answers the results as JSON. The expected CSV comes in the request body (POST). Bundled
// with wrangler (wrangler.toml beside it) like any JS worker using the package.
import { createGlobusClient } from "@globus-edge/client";
import { runChecks } from "./checks.mjs";

export default {
  async fetch(request, env) {
    const q = new URL(request.url).searchParams;
    const results = await runChecks({
      createGlobusClient, runtime: "workerd", authUrl: q.get("auth"), groupsUrl: q.get("groups"),
      clientId: q.get("client"), prefix: q.get("prefix") || "", expectedCSV: await request.text(), store: env.TOKENS,
    });
    return Response.json(results);
  },
};
