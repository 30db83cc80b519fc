package bff

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
)

// pageStyle and pageScript are inlined in the page and allowed by their hashes in the CSP.
// The script writes group fields with textContent only: names are data, never markup.
const pageStyle = `body{font:16px/1.4 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top;white-space:pre-wrap}
#status{color:#444}button,a.button{font:inherit;margin-right:.5rem}`

const pageScript = `"use strict";
const $ = (id) => document.getElementById(id);
function roles(g) {
  return [...new Set((g.my_memberships || []).map((m) => m.role))].sort().join("|");
}
function show(loggedIn, status) {
  $("status").textContent = status;
  $("login").hidden = loggedIn;
  $("logout").hidden = !loggedIn;
  $("csv").hidden = !loggedIn;
  $("groups").hidden = !loggedIn;
}
async function load() {
  const res = await fetch("/groups", { headers: { Accept: "application/json" } });
  if (res.status === 401) return show(false, "Not logged in.");
  if (!res.ok) {
    let msg = "HTTP " + res.status;
    try { const e = await res.json(); msg = e.message + " (request " + e.request_id + ")"; } catch (_) {}
    show(true, "Error: " + msg);
    $("groups").hidden = true;
    return;
  }
  const gs = await res.json();
  const body = $("groups").tBodies[0];
  body.replaceChildren();
  for (const g of gs) {
    const tr = body.insertRow();
    for (const v of [g.id, g.name, roles(g)]) tr.insertCell().textContent = v;
  }
  show(true, gs.length === 1 ? "1 group" : gs.length + " groups");
}
$("logout").addEventListener("click", async () => {
  const res = await fetch("/logout", { method: "POST" });
  if (!res.ok) {
    let msg = "HTTP " + res.status;
    try { msg = (await res.json()).message; } catch (_) {}
    $("status").textContent = "Logout: " + msg;
  }
  $("groups").tBodies[0].replaceChildren();
  await load();
});
load().catch((e) => show(false, "Error: " + e));
`

const pageHTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>My Globus groups</title>
<style>` + pageStyle + `</style>
</head>
<body>
<h1>My Globus groups</h1>
<p id="status">Loading…</p>
<p><a id="login" class="button" href="/login" hidden>Log in with Globus</a><button id="logout" type="button" hidden>Log out</button><a id="csv" href="/groups?format=csv" hidden>Download CSV</a></p>
<table id="groups" hidden>
<thead><tr><th>ID</th><th>Name</th><th>Roles</th></tr></thead>
<tbody></tbody>
</table>
<script>` + pageScript + `</script>
</body>
</html>
`

// pageCSP allows exactly the inline style and script above, and fetches to this origin.
var pageCSP = "default-src 'none'; script-src '" + cspHash(pageScript) + "'; style-src '" + cspHash(pageStyle) +
	"'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func cspHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// page is GET /: the single page of the service. It holds no data; its script asks /groups.
func (x *exchange) page() {
	h := x.w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("X-Frame-Options", "DENY")
	x.w.WriteHeader(http.StatusOK)
	if x.r.Method != http.MethodHead {
		x.w.Write([]byte(pageHTML))
	}
}
