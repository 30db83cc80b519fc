"use strict";
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
