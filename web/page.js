// The demo page: log in to Globus (redirect or paste-code), list my groups, download them as
// the CLI's CSV, log out. All Globus work happens in the globus-edge client (Go in wasm); this
// script only moves data between the client and the DOM. Text from Globus (group names,
// error messages) is always set with textContent, never parsed as HTML.
//
// The page is usable before Go is: this module has no static import, so it runs as soon as the
// HTML is parsed, without waiting for the shim. It takes a redirect's answer out of the address bar first, shows the login
// controls (or "Loading your groups…") at once, queues a click made before Go is ready, and
// only then imports the shim, whose wasm the HTML's <link rel="preload"> is already fetching.

const $ = (id) => document.getElementById(id);

/** The query parameters Globus Auth adds on its redirect back (RFC 6749 4.1.2). */
const redirectParams = ["code", "state", "error", "error_description", "error_uri"];

/**
 * Removes a redirect's answer (?code&state or ?error) from the address bar and returns the
 * original query ("" when there is none). Done before anything can fail, so a page that never
 * starts does not leave the code in the browser's history.
 */
function takeRedirect() {
  const url = new URL(location.href);
  if (!url.searchParams.has("code") && !url.searchParams.has("error")) return "";
  const search = url.search;
  for (const p of redirectParams) url.searchParams.delete(p);
  history.replaceState(history.state, "", url.href);
  return search;
}

const redirectSearch = takeRedirect();

/** Hands a taken redirect answer (its query string) to the client: no address bar involved. */
function finishRedirect(client, search) {
  const answer = new URL(location.href);
  answer.search = search;
  return client.handleRedirect(answer.href);
}

/** The wasm's URL: the content-hashed name index.html preloads (undefined: the shim's default). */
function wasmUrl() {
  return document.querySelector('link[rel="preload"][as="fetch"]')?.href;
}

/**
 * A guess made before Go can tell: does this origin's Web Storage hold a token document (keys
 * start with "globus-edge:", see wasm/webstorage.TokenKey)? Then show "Loading your groups…"
 * rather than login controls that would vanish a moment later. Go has the last word.
 */
function mayBeLoggedIn() {
  try {
    for (const s of [localStorage, sessionStorage]) {
      for (let i = 0; i < s.length; i++) if (s.key(i).startsWith("globus-edge:")) return true;
    }
  } catch {
    // Storage disabled: nothing can be stored either.
  }
  return false;
}

/** Reads config.json beside the page; a missing file means the defaults (production, tutorial client).
 * The object goes to the client as it is: Go checks it and warns about unknown keys. */
async function loadConfig() {
  const r = await fetch("config.json", { cache: "no-store", credentials: "same-origin" });
  if (r.status === 404) return {};
  if (!r.ok) throw new Error(`config.json: HTTP ${r.status}`);
  try {
    return (await r.json()) ?? {};
  } catch (e) {
    throw new Error(`config.json is not valid JSON: ${e.message}`);
  }
}

/** The page's states: the status line's words, and body[data-state] for CSS and tests. */
const states = {
  // Before Go is ready: the login controls already work (a click is queued).
  starting: "You are not logged in.",
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

/**
 * Says in words what went wrong and what to do; err.message keeps the technical details.
 * err.code is always a kind (index.d.ts ErrorKind); Globus's own code is err.globusCode.
 */
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
    case "authorize_error":
      if (err.globusCode === "access_denied") return "The login was cancelled or consent was not given.";
      return `Globus Auth did not complete the login${err.globusCode ? ` (${err.globusCode})` : ""}. Please log in again.`;
    case "bad_callback":
      return "The address this page was opened with is not a complete login answer from Globus (no code, no error). Nothing was stored. Please log in again.";
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
  if (err.httpStatus) return `Globus refused the request (HTTP ${err.httpStatus}${err.globusCode ? ", " + err.globusCode : ""}).`;
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
  if (err.globusCode) meta.push(`Globus code ${err.globusCode}`);
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
  if (!c.redirectUri) showRedirectNeeded();
}

function showRedirectNeeded() {
  $("login-redirect").disabled = true;
  $("redirect-note").textContent =
    "Needs redirectUri in config.json: this page's URL, registered as a redirect URI of your Globus client. Use the code login meanwhile.";
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

/** The client once Go is ready; null before. */
let client = null;
/** A login clicked before Go was ready, run as soon as it is (the latest click wins). */
let queued = null;

/** Runs a login action now, or once Go is ready. */
function loginAction(action) {
  if (client) return action();
  queued = action;
}

async function redirectLogin() {
  try {
    await client.login(); // the browser leaves the page
  } catch (err) {
    showLoggedOut();
    showError(err, "Could not start the login");
  }
}

async function startPaste() {
  try {
    $("authorize-link").href = await client.startPasteCodeLogin();
    if (document.body.dataset.state !== "logged-out") showLoggedOut();
    $("paste").hidden = false;
    $("code-input").value = "";
    $("code-input").focus();
  } catch (err) {
    showError(err, "Could not start the login");
  }
}

// The controls work from the start; what needs Go waits for it.
$("login-redirect").addEventListener("click", () => {
  clearError();
  setState("logging-in");
  loginAction(redirectLogin);
});

$("login-paste").addEventListener("click", () => {
  clearError();
  loginAction(startPaste);
});

$("paste-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  if (!client) return; // the form shows only after Go built the link
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

$("reload-groups").addEventListener("click", () => {
  if (!client) return;
  clearError();
  loadGroups(client, "refreshing");
});

$("logout").addEventListener("click", async () => {
  if (!client) return;
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

function listen(client) {
  // Every failed call's kind and Globus code, also where the page shows only words (a refused
  // refresh token returns it to logged-out): for tests and CSS, body[data-error-code].
  client.on("error", (err) => {
    document.body.dataset.errorCode = err.code;
    document.body.dataset.globusCode = err.globusCode;
  });
  // login/logout also fire when another tab logs in or out (shared localStorage).
  client.on("login", () => { clearError(); loadGroups(client); });
  client.on("logout", () => { ++loadGeneration; if (document.body.dataset.state !== "logged-out") showLoggedOut(); });
  client.on("refresh", () => {
    $("refresh-note").textContent = `Globus tokens renewed at ${new Date().toLocaleTimeString()}.`;
  });
}

// A fetch the page's CSP blocks reaches Go only as "Failed to fetch": name the real cause.
document.addEventListener("securitypolicyviolation", (e) => {
  cspViolation = `Content-Security-Policy ${e.violatedDirective} blocked ${e.blockedURI}.`;
  showError({ code: "csp_blocked", message: "" });
});

/** What the page shows before Go is ready: at once, from what the browser already knows. */
function showBeforeGo() {
  if (redirectSearch) {
    $("logged-out").hidden = true;
    setState("logging-in");
  } else if (mayBeLoggedIn()) {
    $("logged-out").hidden = true;
    setState("loading-groups");
  } else {
    $("logged-out").hidden = false;
    setState("starting");
  }
}

/**
 * Compiles the wasm and starts Go while config.json is still on its way. The shim runs one Go
 * program per wasm URL and shares it between clients, so a throwaway client (in-memory
 * storage, nothing read or written, no network) starts the program the real client then
 * uses. Its failure is not reported here: the real client's start reports it.
 */
async function startGoEarly(shim) {
  try {
    await (await shim).createGlobusClient({ wasmUrl: wasmUrl(), storage: "memory" });
  } catch {
    // Reported by the real start.
  }
}

async function main() {
  showBeforeGo();
  // The shim is imported here, not statically, so the lines above never wait for it.
  const shim = import("./globus-edge.js");
  const goStarted = startGoEarly(shim);
  try {
    const config = await loadConfig();
    // Known before Go: a click on a redirect login that cannot work is not offered.
    if (!config.redirectUri) showRedirectNeeded();
    const { createGlobusClient } = await shim;
    await goStarted;
    client = await createGlobusClient({ ...config, wasmUrl: wasmUrl() });
    // The client can be called from here on: what the benchmarks time as "API ready".
    performance.mark("page:client-ready");
  } catch (err) {
    showError(err, "The page could not start");
    setState("failed");
    return;
  }
  listen(client);
  showConfig(client.config);
  if (redirectSearch) {
    setState("logging-in");
    try {
      // A completed login emits "login", whose listener loads the groups.
      if (await finishRedirect(client, redirectSearch)) return;
    } catch (err) {
      showLoggedOut();
      showError(err, "Login failed");
      return;
    }
  }
  if (queued) {
    const action = queued;
    queued = null;
    return action();
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
