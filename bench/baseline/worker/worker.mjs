// Baseline for the worker benchmark: the steady-state GET /groups of our Go worker, written by
// hand in JavaScript — read the session cookie, read the KV record under SHA-256(session id),
// decrypt it (AES-256-GCM, WebCrypto), one Groups call with the access token, respond. No
// refresh, no retries: it measures the floor of the work, not a full implementation.
// KV value: base64url(iv(12) || ciphertext) of the JSON token document (Python v2 layout).
const enc = new TextEncoder();
const b64url = (b) => btoa(String.fromCharCode(...new Uint8Array(b))).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
const unb64url = (s) => Uint8Array.from(atob(s.replaceAll("-", "+").replaceAll("_", "/")), (c) => c.charCodeAt(0));

let keyPromise;
function key(env) {
  keyPromise ??= crypto.subtle.importKey("raw", unb64url(env.BASELINE_KEY), "AES-GCM", false, ["decrypt"]);
  return keyPromise;
}

function cookie(req, name) {
  for (const part of (req.headers.get("Cookie") || "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return v.join("=");
  }
  return null;
}

export default {
  async fetch(req, env) {
    const url = new URL(req.url);
    if (url.pathname === "/healthz") return new Response("ok");
    if (url.pathname !== "/groups") return new Response("not found", { status: 404 });
    const sid = cookie(req, "__Host-baseline");
    if (!sid) return Response.json({ error: "unauthorized" }, { status: 401 });
    const kvKey = "s:" + b64url(await crypto.subtle.digest("SHA-256", enc.encode(sid)));
    const sealed = await env.TOKENS.get(kvKey);
    if (!sealed) return Response.json({ error: "unauthorized" }, { status: 401 });
    const raw = unb64url(sealed);
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: raw.slice(0, 12), additionalData: enc.encode(kvKey) }, await key(env), raw.slice(12));
    const doc = JSON.parse(new TextDecoder().decode(plain));
    const token = doc.data.DEFAULT["groups.api.globus.org"].access_token;
    const resp = await fetch(env.GLOBUS_SDK_SERVICE_URL_GROUPS + "/v2/groups/my_groups", {
      headers: { Authorization: "Bearer " + token, Accept: "application/json" },
    });
    if (!resp.ok) return Response.json({ error: "groups", status: resp.status }, { status: 502 });
    return new Response(await resp.text(), { headers: { "Content-Type": "application/json" } });
  },
};
