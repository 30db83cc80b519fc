// Baseline for the benchmarks: the same page as ours (PKCE login with refresh tokens, list my
// groups, CSV, logout) written on the Globus JavaScript SDK, bundled with esbuild.
// Service URLs come from window.GLOBUS_SDK_SERVICE_URL_* (the JS SDK reads them from window),
// set by index.html from its query string so the page can point at the fake Globus.
import * as authorization from "@globus/sdk/core/authorization";
import * as groups from "@globus/sdk/services/groups";

const GROUPS_RS = "groups.api.globus.org";
const params = new URLSearchParams(location.search);
const manager = authorization.create({
  client: params.get("client") || localStorage.getItem("baseline-client"),
  redirect: location.origin + location.pathname,
  scopes: "urn:globus:auth:scope:groups.api.globus.org:view_my_groups_and_memberships",
  useRefreshTokens: true,
  defaultScopes: false,
  storage: localStorage,
});
performance.mark("ready");

const $ = (id) => document.getElementById(id);

function csv(list) {
  const rows = ["ID,Name,Roles"];
  for (const g of list) {
    const roles = [...new Set((g.my_memberships || []).map((m) => m.role))].sort().join("|");
    rows.push(`${g.id},"${g.name.replaceAll('"', '""')}",${roles}`);
  }
  return rows.join("\n") + "\n";
}

async function show() {
  const token = manager.tokens.getByResourceServer(GROUPS_RS);
  $("login").hidden = !!token;
  $("logout").hidden = !token;
  if (!token) return;
  const resp = await groups.groups.getMyGroups({ manager });
  if (!resp.ok) {
    $("status").textContent = `Groups error ${resp.status}`;
    return;
  }
  const list = await resp.json();
  const body = $("groups");
  body.replaceChildren();
  for (const g of list) {
    const tr = document.createElement("tr");
    for (const v of [g.id, g.name, [...new Set(g.my_memberships.map((m) => m.role))].sort().join("|")]) {
      const td = document.createElement("td");
      td.textContent = v;
      tr.append(td);
    }
    body.append(tr);
  }
  $("csv").href = URL.createObjectURL(new Blob([csv(list)], { type: "text/csv" }));
  performance.mark("groups-rendered");
}

$("login").onclick = () => {
  localStorage.setItem("baseline-client", manager.configuration.client);
  manager.login();
};
$("logout").onclick = async () => {
  await manager.revoke();
  show();
};
await manager.handleCodeRedirect({ shouldReplace: false });
history.replaceState(null, "", location.pathname);
await show();
