// A minimal app embedding @globus-edge/client: log in with a redirect, list my groups.
// Bundle it (esbuild main.js --bundle --format=esm --outfile=app.js) and serve app.js with
// index.html, config.json and globus-edge.wasm (from the package) in one directory.
import { createGlobusClient } from "@globus-edge/client";

const out = document.getElementById("out");
const say = (text) => { out.textContent = text; };

async function main() {
  // config.json: {clientId, redirectUri, authUrl?, groupsUrl?}. The redirectUri is this
  // page's URL, registered with the client.
  const config = await (await fetch("config.json")).json();
  // A bundle has no package directory next to it: say where the wasm is served from.
  const client = await createGlobusClient({ ...config, wasmUrl: new URL("globus-edge.wasm", document.baseURI) });
  await client.handleRedirect();
  if (!(await client.isLoggedIn())) {
    const button = document.createElement("button");
    button.id = "login";
    button.textContent = "Log in with Globus";
    button.onclick = () => client.login();
    out.replaceChildren(button);
    return;
  }
  const groups = await client.myGroups();
  const list = document.createElement("ul");
  list.id = "groups";
  for (const g of groups) {
    const li = document.createElement("li");
    li.textContent = g.name;
    li.dataset.id = g.id;
    list.append(li);
  }
  out.replaceChildren(list);
}

main().catch((err) => say(`${err.name}: ${err.message}${err.requestId ? ` (request id ${err.requestId})` : ""}`));
