// A Cloudflare Worker written in JavaScript on @globus-edge/client: log in with Globus and list
// my groups, the tokens kept in the KV namespace TOKENS, one namespace per browser session.
//
//   GET  /login      start a login (302 to Globus Auth); sets the session cookie
//   GET  /callback   Globus Auth comes back here: finish the login, 302 to /groups
//   GET  /groups     my groups as JSON; CSV (the CLI's bytes) with ?format=csv
//   POST /logout     revoke the tokens and forget them (same-origin only)
//
// Vars (wrangler.toml): GLOBUS_CLIENT_ID and, for a test Globus, GLOBUS_SDK_SERVICE_URL_AUTH
// and GLOBUS_SDK_SERVICE_URL_GROUPS. The redirect URI is this worker's /callback: register it
// with the client. Tokens are stored as the Python SDK's v2 document, unencrypted: see the
// Go worker (worker/) for a session store sealed with AES-GCM. With the Durable Object
// binding SESSIONS (wrangler.toml), each session is coordinated by its own SessionCoordinator:
// refreshed once across isolates and locations, logged out everywhere at once; without it,
// the client coordinates through KV alone.
import { createGlobusClient, GlobusError } from "@globus-edge/client";

// The Durable Object class SESSIONS binds (wrangler.toml): the package's.
export { SessionCoordinator } from "@globus-edge/client";

const COOKIE = "__Host-example-session";

/** The session id from the cookie, or null. */
function sessionId(request) {
  for (const part of (request.headers.get("Cookie") || "").split(";")) {
    const [k, v] = part.trim().split("=");
    if (k === COOKIE && /^[A-Za-z0-9_-]{43}$/.test(v || "")) return v;
  }
  return null;
}

function newSessionId() {
  const b = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...b)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** The client's namespace: a hash of the session id, so the id itself is in no KV key or value. */
async function namespaceOf(sid) {
  const sum = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(sid)));
  return [...sum].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const json = (body, status = 200) => Response.json(body, { status });

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    let sid = sessionId(request);
    const fresh = !sid;
    if (fresh && url.pathname === "/login") sid = newSessionId();
    if (!sid) return json({ error: "login_required", message: "no session: GET /login first" }, 401);

    const client = await createGlobusClient({
      storage: env.TOKENS,
      coordinator: env.SESSIONS, // optional: undefined runs KV-only
      namespace: await namespaceOf(sid),
      clientId: env.GLOBUS_CLIENT_ID,
      redirectUri: `${url.origin}/callback`,
      authUrl: env.GLOBUS_SDK_SERVICE_URL_AUTH || undefined,
      groupsUrl: env.GLOBUS_SDK_SERVICE_URL_GROUPS || undefined,
    });
    try {
      if (url.pathname === "/login" && request.method === "GET") {
        const headers = new Headers({ Location: await client.authorizeUrl() });
        if (fresh) headers.append("Set-Cookie", `${COOKIE}=${sid}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=2592000`);
        return new Response(null, { status: 302, headers });
      }
      if (url.pathname === "/callback" && request.method === "GET") {
        if (!(await client.handleRedirect(request.url))) return json({ error: "bad_callback", message: "the callback carries neither a code nor an error" }, 400);
        return new Response(null, { status: 302, headers: { Location: "/groups" } });
      }
      if (url.pathname === "/groups" && request.method === "GET") {
        if (url.searchParams.get("format") === "csv") {
          return new Response(await client.groupsCSV(), { headers: { "Content-Type": "text/csv; charset=utf-8" } });
        }
        return json(await client.myGroups());
      }
      if (url.pathname === "/logout" && request.method === "POST") {
        if (request.headers.get("Origin") !== url.origin) return json({ error: "cross_origin" }, 403);
        await client.logout();
        return new Response(null, { status: 204, headers: { "Set-Cookie": `${COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0` } });
      }
      return json({ error: "not_found" }, 404);
    } catch (err) {
      if (!(err instanceof GlobusError)) throw err;
      // The Go worker's answer: the kind, the status it deserves, Globus's own code apart.
      // GlobusError messages never contain tokens, codes or verifiers.
      return json({ error: err.code, message: err.message, request_id: err.requestId, globus_code: err.globusCode || undefined }, err.serverStatus);
    } finally {
      client.close();
    }
  },
};
