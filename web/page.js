// The demo page: log in to Globus (redirect or paste-code), list my groups, download them as
// the CLI's CSV, log out. All Globus work happens in the globus-edge client (Go in wasm); this
// script only moves data between the client and the DOM. Text from Globus (group names,
// error messages) is always set with textContent, never parsed as HTML.
import { createGlobusClient } from "./globus-edge.js";

const $ = (id) => document.getElementById(id);

/** config.json keys the page passes to the client. */
const configKeys = ["clientId", "redirectUri", "authUrl", "groupsUrl", "scopes", "storage", "environment", "httpTimeout"];

/** The page's states: the status line's words, and body[data-state] for CSS and tests. */
const states = {
  loading: "Loading…",
  "logging-in": "Logging in…",
  "loading-groups": "Loading your groups…",
  refreshing: "Refreshing your groups…",
  "logging-out": "Logging out…",
  "logged-in": "You are logged in.",
  "logged-out": "You are not logged in.",
  failed: "Something went wrong; see below.",
};

function setState(state) {
  document.body.dataset.state = state;
  $("status").textContent = states[state];
}

/** Reads config.json beside the page; a missing file means the defaults (production, tutorial client). */
async function loadConfig() {
  const r = await fetch("config.json", { cache: "no-store", credentials: "same-origin" });
  if (r.status === 404) return {};
  if (!r.ok) throw new Error(`config.json: HTTP ${r.status}`);
  let raw;
  try {
    raw = await r.json();
  } catch (e) {
    throw new Error(`config.json is not valid JSON: ${e.message}`);
  }
  const config = {};
  for (const [k, v] of Object.entries(raw ?? {})) {
    if (configKeys.includes(k)) config[k] = v;
    else console.warn(`config.json: unknown key "${k}" ignored`);
  }
  return config;
}

/** Says in words what went wrong and what to do; err.message keeps the technical details. */
function explain(err) {
  switch (err.code) {
    case "network_error":
      return "Could not reach Globus. Check the connection. If the browser console shows a CORS or Content-Security-Policy error, this page is not allowed to call the configured Globus URLs.";
    case "timeout":
      return "Globus did not answer in time. Try again.";
    case "state_mismatch":
      return "This login answer does not belong to the login started in this tab, so it was refused and nothing was stored. Please log in again.";
    case "no_login_in_progress":
      return "There is no login in progress in this tab (the answer was already used, or the login was started elsewhere). Nothing was stored. Please log in again.";
    case "invalid_grant":
      return "Globus refused the login code: it was already used, has expired, or was mistyped. Nothing was stored. Please log in again.";
    case "access_denied":
      return "The login was cancelled or consent was not given.";
    case "storage_corrupt":
      return "The tokens stored in this browser cannot be read. They were left as they are; clear this site's data to log in again.";
    case "storage_error":
      return "The browser refused to store the tokens (storage full or disabled).";
    case "csp_blocked":
      return "This page's Content-Security-Policy does not allow the configured Globus URLs. ./build.sh web writes the policy's connect-src from GLOBUS_SDK_SERVICE_URL_AUTH / _GROUPS (or GLOBUS_EDGE_CONNECT_SRC): rebuild the page for the URLs in config.json.";
    case "invalid_config":
      return "The page's configuration is not valid.";
    case "wasm_load_failed":
    case "wasm_exited":
      return "The page's WebAssembly module could not be started.";
  }
  if (err.httpStatus >= 500) return `Globus had a problem (HTTP ${err.httpStatus}). Try again later.`;
  if (err.httpStatus) return `Globus refused the request (HTTP ${err.httpStatus}${err.code ? ", " + err.code : ""}).`;
  return "An unexpected error happened.";
}

/** The page's CSP blocked a fetch: reported by the browser, seen by Go only as a network error. */
let cspViolation = "";

function showError(err, title = "Something went wrong") {
  if (cspViolation && (err.code === "network_error" || err.code === "csp_blocked")) {
    // Whichever of the two reports arrives last, name the real cause.
    title = "Blocked by the page's Content-Security-Policy";
    err = { ...err, code: "csp_blocked", message: `${cspViolation}${err.message && err.code !== "csp_blocked" ? "\n" + err.message : ""}` };
  }
  $("error-title").textContent = title;
  $("error-message").textContent = explain(err);
  const meta = [];
  if (err.httpStatus) meta.push(`HTTP status ${err.httpStatus}`);
  if (err.code) meta.push(`code ${err.code}`);
  if (err.requestId) meta.push(`request id ${err.requestId}`);
  $("error-meta").textContent = meta.join(" · ");
  $("error-details").textContent = err.message || String(err);
  $("error").hidden = false;
}

function clearError() {
  $("error").hidden = true;
}

function showLoggedOut(notice = "") {
  $("logged-in").hidden = true;
  $("groups-body").replaceChildren();
  $("paste").hidden = true;
  $("notice").textContent = notice;
  $("notice").hidden = !notice;
  $("logged-out").hidden = false;
  setState("logged-out");
}

let csvUrl = "";

function showGroups({ rows, csv }) {
  const body = $("groups-body");
  body.replaceChildren(...rows.map((r) => {
    const tr = document.createElement("tr");
    for (const [cls, text] of [["id", r.id], ["name", r.name], ["roles", r.roles.join(", ")]]) {
      const td = document.createElement("td");
      td.className = cls;
      td.textContent = text;
      tr.append(td);
    }
    return tr;
  }));
  $("groups-caption").textContent = rows.length === 1 ? "1 group" : `${rows.length} groups`;
  // The CSV is the Go core's, byte for byte the CLI's; a Blob keeps it off the network.
  if (csvUrl) URL.revokeObjectURL(csvUrl);
  csvUrl = URL.createObjectURL(new Blob([csv], { type: "text/csv" }));
  $("download-csv").href = csvUrl;
  $("download-csv").hidden = false;
  $("logged-out").hidden = true;
  $("logged-in").hidden = false;
  setState("logged-in");
}

function showConfig(c) {
  $("config-info").textContent =
    `Client ${c.clientId} · Auth ${c.authUrl} · Groups ${c.groupsUrl} · tokens in ${c.storage}`;
  const redirect = $("login-redirect");
  redirect.disabled = !c.redirectUri;
  if (!c.redirectUri) {
    $("redirect-note").textContent =
      "Needs redirectUri in config.json: this page's URL, registered as a redirect URI of your Globus client. Use the code login meanwhile.";
  }
}

/** Loads and shows the groups; only the latest of overlapping loads updates the page. */
let loadGeneration = 0;
async function loadGroups(client, state = "loading-groups") {
  const gen = ++loadGeneration;
  setState(state);
  try {
    const report = await client.myGroupsReport();
    if (gen !== loadGeneration) return;
    clearError();
    showGroups(report);
  } catch (err) {
    // Checked before the generation: the "logout" event this error emits has already
    // bumped it, and the notice below must still be shown.
    if (err.loginRequired) {
      showLoggedOut(`Your Globus session has ended: Globus refused the stored refresh token (it expired or was revoked), and the tokens were removed. Please log in again.${err.requestId ? ` (request id ${err.requestId})` : ""}`);
      return;
    }
    if (gen !== loadGeneration) return;
    // Still logged in: keep Reload and Log out at hand, without a stale table or CSV.
    $("groups-body").replaceChildren();
    $("groups-caption").textContent = "Your groups could not be listed.";
    $("download-csv").hidden = true;
    $("logged-out").hidden = true;
    $("logged-in").hidden = false;
    showError(err, "Could not list your groups");
    setState("failed");
  }
}

function wire(client) {
  // login/logout also fire when another tab logs in or out (shared localStorage).
  client.on("login", () => { clearError(); loadGroups(client); });
  client.on("logout", () => { ++loadGeneration; if (document.body.dataset.state !== "logged-out") showLoggedOut(); });
  client.on("refresh", () => {
    $("refresh-note").textContent = `Globus tokens renewed at ${new Date().toLocaleTimeString()}.`;
  });

  $("login-redirect").addEventListener("click", async () => {
    clearError();
    setState("logging-in");
    try {
      await client.login(); // the browser leaves the page
    } catch (err) {
      showError(err, "Could not start the login");
      setState("logged-out");
    }
  });

  $("login-paste").addEventListener("click", async () => {
    clearError();
    try {
      $("authorize-link").href = await client.startPasteCodeLogin();
      $("paste").hidden = false;
      $("code-input").value = "";
      $("code-input").focus();
    } catch (err) {
      showError(err, "Could not start the login");
    }
  });

  $("paste-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    clearError();
    setState("logging-in");
    try {
      await client.finishPasteCodeLogin($("code-input").value);
    } catch (err) {
      // The login in progress is used up whatever the outcome: start again.
      showLoggedOut();
      showError(err, "Login failed");
    }
  });

  $("reload-groups").addEventListener("click", () => { clearError(); loadGroups(client, "refreshing"); });

  $("logout").addEventListener("click", async () => {
    clearError();
    setState("logging-out");
    try {
      await client.logout();
      showLoggedOut("You are logged out. Your Globus tokens were revoked and removed from this browser.");
    } catch (err) {
      showLoggedOut("The tokens were removed from this browser, but revoking them at Globus failed, so they may stay valid until they expire.");
      showError(err, "Could not revoke the tokens");
    }
  });
}

// A fetch the page's CSP blocks reaches Go only as "Failed to fetch": name the real cause.
document.addEventListener("securitypolicyviolation", (e) => {
  cspViolation = `Content-Security-Policy ${e.violatedDirective} blocked ${e.blockedURI}.`;
  showError({ code: "csp_blocked", message: "" });
});

async function main() {
  setState("loading");
  let client;
  try {
    client = await createGlobusClient(await loadConfig());
  } catch (err) {
    showError(err, "The page could not start");
    setState("failed");
    return;
  }
  wire(client);
  showConfig(client.config);
  const params = new URLSearchParams(location.search);
  if (params.has("code") || params.has("error")) {
    setState("logging-in");
    try {
      // A completed login emits "login", whose listener loads the groups.
      if (await client.handleRedirect()) return;
    } catch (err) {
      showLoggedOut();
      showError(err, "Login failed");
      return;
    }
  }
  let loggedIn = false;
  try {
    loggedIn = await client.isLoggedIn();
  } catch (err) {
    showLoggedOut();
    showError(err, "Could not read the stored tokens");
    return;
  }
  if (loggedIn) await loadGroups(client);
  else showLoggedOut();
}

main();
