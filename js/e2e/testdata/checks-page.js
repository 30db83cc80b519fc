// checks-page.js — runs checks.mjs in a browser page. Bundled with esbuild (as an app using
// the package would be) and served with checks.html, globus-edge.wasm and config.json
// ({authUrl, groupsUrl, clientId, expectedCSV}); the results land in window.__checks.
import { createGlobusClient } from "@globus-edge/client";
import { memoryStore, runChecks } from "./checks.mjs";

async function main() {
  const cfg = await (await fetch("config.json")).json();
  const wasmBytes = new Uint8Array(await (await fetch("globus-edge.wasm")).arrayBuffer());
  return runChecks({
    createGlobusClient, runtime: "browser", authUrl: cfg.authUrl, groupsUrl: cfg.groupsUrl, clientId: cfg.clientId,
    expectedCSV: cfg.expectedCSV, store: memoryStore(), wasmBytes, wasmModule: await WebAssembly.compile(wasmBytes),
  });
}

main().then(
  (r) => { window.__checks = r; },
  (e) => { window.__checks = [{ name: "the checks page", ok: false, detail: String(e) }]; },
);
