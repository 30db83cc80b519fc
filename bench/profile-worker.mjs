// profile-worker.mjs — where a Go worker instance's CPU goes, sampled by V8. The worker's wasm
// runs under Node as the pooled entry runs it in workerd (one instance started by js/instance.js
// with Go's own loader, env with a KV in memory), logs in against a running fake Globus, then serves N requests of PATH
// while the profiler samples. Node's fetch is not workerd's, so read the Go and boundary shares,
// not the fetch share. An analysis tool for BENCHMARKS.md (bench/analysis.md); no test runs it.
//
//   go run ./cmd/fakeglobus -auth-addr 127.0.0.1:9101 -groups-addr 127.0.0.1:9102 \
//     -client prof-client=https://w.test/callback &
//   GOOS=js GOARCH=wasm go build -o /tmp/app.wasm ./worker     # keep the name section
//   node bench/profile-worker.mjs /tmp/app.wasm [PATH] [N]
import { readFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { webcrypto } from "node:crypto";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const [wasmPath, path = "/groups", n = "2000"] = process.argv.slice(2);
if (!wasmPath) throw new Error("usage: node bench/profile-worker.mjs APP.wasm [PATH] [N]");
const goroot = (await import("node:child_process")).execFileSync("go", ["env", "GOROOT"], { cwd: root }).toString().trim();
await import(resolve(goroot, "lib/wasm/wasm_exec.js"));
const { startInstance } = await import(resolve(root, "js/instance.js"));

const store = new Map();
const env = {
  TOKENS: { get: async (k) => store.get(k) ?? null, put: async (k, v) => void store.set(k, v), delete: async (k) => void store.delete(k) },
  GLOBUS_CLIENT_ID: "prof-client",
  TOKEN_ENCRYPTION_KEY: Buffer.from(webcrypto.getRandomValues(new Uint8Array(32))).toString("base64"),
  GLOBUS_SDK_SERVICE_URL_AUTH: "http://127.0.0.1:9101",
  GLOBUS_SDK_SERVICE_URL_GROUPS: "http://127.0.0.1:9102",
};
const mod = await WebAssembly.compile(await readFile(wasmPath));
const { ns } = await startInstance(mod, { context: { env } });
// As worker/entry.mjs calls it (worker/host/serve.go): headers as JSON pairs, the answer whole.
const ask = async (url, cookie) => {
  const [status, headers, body] = await ns.serve("GET", url, JSON.stringify(cookie ? [["cookie", cookie]] : []), null, 30000);
  return new Response([101, 204, 205, 304].includes(status) || body.byteLength === 0 ? null : body, { status, headers: JSON.parse(headers) });
};

// Log in: /login → the fake approves → /callback.
let r = await ask("https://w.test/login");
const state = r.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
const approved = await fetch(r.headers.get("location"), { redirect: "manual" });
r = await ask("https://w.test/callback" + new URL(approved.headers.get("location")).search, state);
const cookie = r.headers.getSetCookie().map((c) => c.split(";")[0]).find((c) => c.startsWith("__Host-globus-edge-session"));
if (!cookie) throw new Error(`login failed: ${r.status} ${await r.text()}`);

const serve = async () => {
  const x = await ask("https://w.test" + path, cookie);
  await x.arrayBuffer();
  if (x.status !== 200) throw new Error(`${path}: ${x.status}`);
};
for (let i = 0; i < 200; i++) await serve(); // warm-up
const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 100 });
await session.post("Profiler.start");
const cpu0 = process.cpuUsage();
for (let i = 0; i < Number(n); i++) await serve();
const cpu = process.cpuUsage(cpu0);
const { profile } = await session.post("Profiler.stop");

// Each sample goes to the category of its innermost frame that has one (so Node's fetch called
// from Go counts as fetch, not as Go's call into JS); frames of no category: "other".
const byId = new Map(profile.nodes.map((nd) => [nd.id, nd]));
const parent = new Map();
for (const nd of profile.nodes) for (const c of nd.children || []) parent.set(c, nd.id);
const categories = [
  ["encoding/json (Go)", /^encoding_json\./],
  ["crypto: AES-GCM, SHA-256 (Go)", /^crypto_internal/],
  ["finalizers on js.Values (Go runtime: SetFinalizer, addspecial)", /^runtime\.(SetFinalizer|addspecial|removespecial)/],
  ["Go's garbage collector", /^runtime\.(gcBgMarkWorker|gcDrain|gcMark|markroot|scanobject|greyobject|sweepone|bgsweep|gcStart|wbBuf)/],
  ["other Go runtime (scheduler, malloc, stacks)", /^runtime\./],
  ["Node's fetch, Request and Response (undici, sockets)", /undici|node:net|stream_base/],
  ["crossing Go ⇄ JS (syscall/js, wasm_exec.js)", /^syscall[/_]js\.|wasm_exec|^(storeValue|loadValue|loadString|loadSlice|storeValueInMem)$|^wasm-to-js|GenericJSToWasmWrapper/],
  ["globus-edge and syumai Go code", /^github/],
  ["V8's garbage collector", /^\(garbage collector\)$/],
];
// Inclusive shares of a few areas (a sample counts for each area on its stack).
const areas = [
  ["a request in Go, handler and crossings included (worker/serve.go)", /^main\.(exportServe|serveOne)/],
  ["finalizers Go sets on js.Values (runtime.SetFinalizer)", /^runtime\.SetFinalizer$/],
  ["the fetch doer (wasm/jsfetch)", /wasm_jsfetch/],
  ["syumai's KV calls", /cloudflare_kv/],
];
const areaTotals = new Map();
const totals = new Map();
let all = 0;
profile.samples.forEach((sid, i) => {
  const dt = profile.timeDeltas[i] || 0;
  const leaf = byId.get(sid).callFrame.functionName;
  if (leaf === "(idle)" || leaf === "(program)") return;
  all += dt;
  let cat = "other (Go standard library, the Request/Response objects, the event loop)";
  outer: for (let id = sid; id !== undefined; id = parent.get(id)) {
    const cf = byId.get(id).callFrame;
    for (const [c, re] of categories) if (re.test(cf.functionName) || re.test(cf.url)) { cat = c; break outer; }
  }
  totals.set(cat, (totals.get(cat) || 0) + dt);
  const hit = new Set();
  for (let id = sid; id !== undefined; id = parent.get(id)) {
    const fn = byId.get(id).callFrame.functionName;
    for (const [a, re] of areas) if (re.test(fn)) hit.add(a);
  }
  for (const a of hit) areaTotals.set(a, (areaTotals.get(a) || 0) + dt);
});
console.log(`${path}: ${n} requests, ${((cpu.user + cpu.system) / 1000 / Number(n)).toFixed(2)} ms of CPU per request (this process; the fake's is apart)`);
for (const [cat, us] of [...totals].sort((x, y) => y[1] - x[1])) console.log(`  ${(100 * us / all).toFixed(1).padStart(5)}%  ${cat}`);
console.log("inclusive:");
for (const [a] of areas) console.log(`  ${(100 * (areaTotals.get(a) || 0) / all).toFixed(1).padStart(5)}%  ${a}`);
process.exit(0);
