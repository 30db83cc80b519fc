// node-checks.mjs — runs checks.mjs in Node against the package installed beside it.
//   node node-checks.mjs   (env: AUTH_URL, GROUPS_URL, CLIENT_ID, EXPECTED_CSV_FILE)
// Prints the results as one JSON line.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { createGlobusClient } from "@globus-edge/client";
import { memoryStore, runChecks } from "./checks.mjs";

const env = process.env;
const wasmPath = createRequire(import.meta.url).resolve("@globus-edge/client/globus-edge.wasm");
const wasmBytes = new Uint8Array(await readFile(wasmPath));
const results = await runChecks({
  createGlobusClient, runtime: "node", authUrl: env.AUTH_URL, groupsUrl: env.GROUPS_URL, clientId: env.CLIENT_ID,
  expectedCSV: await readFile(env.EXPECTED_CSV_FILE, "utf8"), store: memoryStore(),
  wasmBytes, wasmModule: await WebAssembly.compile(wasmBytes),
});
process.stdout.write(JSON.stringify(results) + "\n");
