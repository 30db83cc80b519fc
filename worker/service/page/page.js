"use strict";
const $ = (id) => document.getElementById(id);
function show(loggedIn, status) {
  $("status").textContent = status;
  $("login").hidden = loggedIn;
  $("logout").hidden = !loggedIn;
  $("csv").hidden = !loggedIn;
  $("groups").hidden = !loggedIn;
}
async function load() {
  // The table's rows as Go makes them (groups.Rows): the roles rule is not written here again.
  const res = await fetch("/groups?format=rows", { headers: { Accept: "application/json" } });
  if (res.status === 401) return show(false, "Not logged in.");
  if (!res.ok) {
    let msg = "HTTP " + res.status;
    try { const e = await res.json(); msg = e.message + " (request " + e.request_id + ")"; } catch (_) {}
    show(true, "Error: " + msg);
    $("groups").hidden = true;
    return;
  }
  const rows = await res.json();
  const body = $("groups").tBodies[0];
  body.replaceChildren();
  for (const r of rows) {
    const tr = body.insertRow();
    for (const v of [r.id, r.name, r.roles.join("|")]) tr.insertCell().textContent = v;
  }
  show(true, rows.length === 1 ? "1 group" : rows.length + " groups");
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
