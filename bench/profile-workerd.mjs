// profile-workerd.mjs — where a Go worker's /groups goes in workerd itself, sampled by V8.
//
// Runs the workerd binary of the pinned npm package directly (bench/workerd-rig.mjs: not
// through Miniflare, whose inspector proxy drops the profiler) with its own inspector, serving
// two workers: ours (the JS of ./build.sh worker's build/, beside an app.wasm built here with
// the same flags but its name section kept, so Go's functions are named in the profile) and the
// hand-written JS baseline of the benchmarks (bench/baseline/worker), both over the rig's
// in-memory KV and the fake Globus. For each worker it warms up, measures workerd's CPU over N
// requests of PATH from /proc, and samples N more over the inspector protocol
// (Profiler.start/stop on the worker's own target). The samples are split into workerd's
// fetch, KV, promise plumbing, Go ⇄ JS crossings, Go and the rest. An analysis tool for
// bench/analysis.md; no test runs it.
//
//   ./build.sh worker && node bench/profile-workerd.mjs [--path /groups] [--n 2000]
//       [--warmup 300] [--interval 100] [--save PREFIX] [--top 25]
//
// --save PREFIX writes PREFIX-ours.cpuprofile and PREFIX-baseline.cpuprofile (open them in
// Chrome DevTools' Performance panel or speedscope).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import WebSocket from "ws"; // Node 20 has no global WebSocket; ws comes with miniflare and wrangler
import { goWorkerDir, root, startRig } from "./workerd-rig.mjs";

const { values: args } = parseArgs({
  options: {
    path: { type: "string", default: "/groups" },
    n: { type: "string", default: "2000" },
    warmup: { type: "string", default: "300" },
    interval: { type: "string", default: "100" }, // µs between samples
    build: { type: "string", default: resolve(root, "build") },
    save: { type: "string" },
    top: { type: "string", default: "25" },
  },
});
const N = Number(args.n);

// Our worker: build/'s JS beside an app.wasm that keeps its name section (-w without -s).
const oursDir = goWorkerDir(join(mkdtempSync(join(tmpdir(), "profile-workerd-")), "ours"), { build: args.build, ldflags: "-w" });
const rig = await startRig({ workers: [{ name: "ours", dir: oursDir }, { name: "baseline", baseline: true }] });
const version = rig.version;
const procCPU = () => rig.cpuMs();
const inspectorPort = rig.inspectorPort;

/** Opens the inspector of the worker named target and returns post(method, params). */
async function inspector(target) {
  const list = await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json();
  const t = list.find((x) => x.id === target);
  if (!t) throw new Error(`no inspector target ${target} in ${JSON.stringify(list.map((x) => x.id))}`);
  const ws = new WebSocket(t.webSocketDebuggerUrl);
  await new Promise((ok, fail) => {
    ws.once("open", ok);
    ws.once("error", fail);
  });
  let nextId = 0;
  const pending = new Map();
  ws.on("message", (data) => {
    const m = JSON.parse(data.toString());
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.error) p.fail(new Error(`${target}: ${JSON.stringify(m.error)}`));
    else p.ok(m.result);
  });
  const post = (method, params = {}) =>
    new Promise((ok, fail) => {
      const id = ++nextId;
      pending.set(id, { ok, fail });
      ws.send(JSON.stringify({ id, method, params }));
    });
  post.close = () => ws.close();
  return post;
}

/** Warms up, then measures workerd's CPU over N requests and samples N more. */
async function measure(target, url, cookie) {
  const serve = async () => {
    const x = await fetch(url + args.path, { headers: { cookie } });
    await x.arrayBuffer();
    if (x.status !== 200) throw new Error(`${target} ${args.path}: ${x.status}`);
  };
  for (let i = 0; i < Number(args.warmup); i++) await serve();
  // Without the profiler first: the CPU a request costs (workerd alone: no Miniflare, no proxy).
  let cpuBase = procCPU();
  for (let i = 0; i < N; i++) await serve();
  cpuBase = procCPU() - cpuBase;
  const post = await inspector(target);
  await post("Profiler.enable");
  await post("Profiler.setSamplingInterval", { interval: Number(args.interval) });
  await post("Profiler.start");
  let cpu = procCPU();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await serve();
  const wall = performance.now() - t0;
  cpu = procCPU() - cpu;
  const { profile } = await post("Profiler.stop");
  post.close();
  if (args.save) writeFileSync(`${args.save}-${target}.cpuprofile`, JSON.stringify(profile));
  return { cpuBase, cpu, wall, profile };
}

// 6. The split. Each sample goes to the first rule that matches walking from its leaf frame
// outward (so workerd's fetch called from Go counts as fetch, not as Go's call into JS).
const isWasm = (cf) => cf.url.startsWith("wasm://");
const native = (cf) => cf.url === "" && !cf.functionName.startsWith("(");
const go = (re) => (cf) => isWasm(cf) && re.test(cf.functionName);
// The lines (0-based) of instance.js's functions that serve Go's fetches: an async function's
// frames after an await have no caller to tell them by, only their position.
const instanceLines = readFileSync(join(oursDir, "instance.js"), "utf8").split("\n");
const helperRanges = ["export async function readCapped(", "export function goFetch("].map((sig) => {
  const from = instanceLines.findIndex((l) => l.startsWith(sig));
  return [from, instanceLines.findIndex((l, i) => i > from && l === "}")];
});
const inHelper = (line) => helperRanges.some(([a, b]) => a >= 0 && line >= a && line <= b);
// Each rule: [category, test(frame, the frames above it, innermost first)].
const rules = [
  ["V8's garbage collector", (cf) => cf.functionName === "(garbage collector)"],
  ["workerd outside JS (event loop, sockets, HTTP; V8's \"(program)\")", (cf) => cf.functionName === "(program)"],
  ["workerd: KV binding calls (get/put/delete, this isolate's side)", (cf, up) => native(cf) && /^(get|put|delete|list|getWithMetadata)$/.test(cf.functionName) && (up.some((u) => /jsstorage/.test(u.functionName)) || /worker\.mjs$/.test(up[0]?.url ?? ""))],
  ["workerd: outbound fetch (to Globus)", (cf, up) => native(cf) && cf.functionName === "fetch" && up.length > 0 && up[0].functionName !== "(root)"],
  ["workerd: WebCrypto (digest, decrypt, importKey, random)", (cf) => native(cf) && /^(digest|decrypt|encrypt|importKey|getRandomValues|randomUUID)$/.test(cf.functionName)],
  ["workerd: incoming request dispatch (the native fetch event)", (cf, up) => native(cf) && cf.functionName === "fetch" && up.every((u) => u.functionName === "(root)")],
  ["workerd: Request, Response, Headers, bodies", (cf) => native(cf) && /^(Request|Response|Headers|arrayBuffer|text|json|getSetCookie|entries|bytes|clone|body)$/.test(cf.functionName)],
  ["promise plumbing (native callbacks at the root, then/resolve/race, microtasks)", (cf, up) => (cf.url === "" && cf.functionName === "" && up.every((u) => u.functionName === "(root)")) || (native(cf) && /^(then|resolve|reject|race|Promise|all|queueMicrotask|setTimeout)$/.test(cf.functionName)) || cf.functionName === "(microtask)"],
  ["Go: encoding/json", go(/^encoding_json\./)],
  ["Go: crypto (AES-GCM, SHA-256, random)", go(/^crypto/)],
  ["Go: runtime, finalizers on js.Values (SetFinalizer, specials)", go(/^runtime\.(SetFinalizer|addspecial|removespecial|addfinalizer|removefinalizer|runfinq|createfing|queuefinalizer)/)],
  ["Go: runtime, garbage collector", go(/^runtime\.(gc[A-Z]|gcBgMarkWorker|gcDrain|markroot|scanobject|scanblock|scanstack|scanframe|greyobject|shade|sweepone|bgsweep|bulkBarrier|wbBuf|findObject|spanOf|__gcWork|__mspan_\.sweep|__sweepLocked|markBits|gcmark|typePointers|__mspan_\.typePointers)/)],
  ["Go: runtime, stack growth (morestack, copystack)", go(/^runtime\.(morestack|newstack|copystack|adjust|pcvalue|funcInfo|findfunc|step|readvarint|funcdata|pcdatavalue|stackalloc|stackfree|gentraceback|__unwinder)/)],
  ["Go ⇄ JS crossings: syscall/js and Go's side of them", go(/^(syscall_js\.|runtime\.(handleEvent|beforeIdle|resume|pause|handleAsyncEvent|wasmExit|getRandomData|walltime|nanotime|scheduleTimeoutEvent|clearTimeoutEvent)|wasm_pc_f_loop|wasm_export_)/)],
  ["Go: runtime, allocation (mallocgc, heap bits, memclr/memmove)", go(/^runtime\.(malloc|mallocgc|nextFree|__mcache|__mcentral|__mheap|__mspan|heapBits|writeHeapBits|memclr|memmove|typedmemmove|typedslicecopy|newobject|makeslice|growslice|newarray|rawstring|rawbyteslice|slicebytetostring|stringtoslicebyte|concatstring|profilealloc|publicationBarrier|deductAssistCredit|gcAssist|largeAlloc|allocm|wbZero|wbMove)/)],
  ["Go: runtime, scheduler, maps and the rest", go(/^(runtime|internal_runtime|sync|internal_sync)[._]/)],
  ["Go: globus-edge code", go(/^(github\.com_globus_edge|main\.)/)],
  ["Go: syumai/workers", go(/^github\.com_syumai/)],
  ["Go: rest of the standard library", (cf) => isWasm(cf)],
  ["Go ⇄ JS crossings: wasm_exec.js and V8's wasm⇄JS wrappers", (cf) => /wasm_exec\.js$/.test(cf.url) || /^(js-to-wasm|wasm-to-js|GenericJSToWasmWrapper|JSToWasmWrapper|WasmToJS)/.test(cf.functionName)],
  ["Go's fetch helper (instance.js goFetch, readCapped: the request, reading the answer)", (cf) => /instance\.js$/.test(cf.url) && inHelper(cf.lineNumber)],
  ["the entry and the pool (entry.mjs, instance.js, pool.js)", (cf) => /(entry\.mjs|instance\.js|pool\.js)$/.test(cf.url)],
  ["the baseline's own JS (worker.mjs)", (cf) => /worker\.mjs$/.test(cf.url)],
];
const AREAS = [
  ["a request in Go (worker/host/serve.go: handler, crossings, awaits included)", (cf) => /worker_host\.(exportServe|serveOne)/.test(cf.functionName)],
  ["Go's fetch doer (wasm/jsfetch), workerd's fetch included", (cf) => /wasm_jsfetch/.test(cf.functionName)],
  ["KV calls (wasm/jsstorage), the binding included", (cf) => /wasm_jsstorage/.test(cf.functionName)],
  ["encoding/json", (cf) => /^encoding_json\./.test(cf.functionName)],
  ["the entry's and the pool's handling (entry.mjs, instance.js, pool.js), what they call included", (cf) => /(entry\.mjs|instance\.js|pool\.js)$/.test(cf.url)],
];

/** Splits a profile by RULES (exclusive) and AREAS (inclusive); times are sampled µs. */
function split(profile) {
  const byId = new Map(profile.nodes.map((nd) => [nd.id, nd]));
  const parent = new Map();
  for (const nd of profile.nodes) for (const c of nd.children || []) parent.set(c, nd.id);
  const totals = new Map();
  const areas = new Map();
  const leaves = new Map();
  let all = 0;
  let idle = 0;
  const add = (m, k, dt) => m.set(k, (m.get(k) || 0) + dt);
  profile.samples.forEach((sid, i) => {
    const dt = profile.timeDeltas[i] || 0;
    const leaf = byId.get(sid).callFrame;
    if (leaf.functionName === "(idle)") {
      idle += dt;
      return;
    }
    all += dt;
    const stack = [];
    for (let id = sid; id !== undefined; id = parent.get(id)) stack.push(byId.get(id).callFrame);
    let cat = native(leaf) ? "other native (JSON, TextDecoder, Reflect, ...)" : "other JS";
    outer: for (let k = 0; k < stack.length; k++) {
      for (const [c, test] of rules) {
        if (test(stack[k], stack.slice(k + 1))) {
          cat = c;
          break outer;
        }
      }
    }
    add(totals, cat, dt);
    for (const [a, test] of AREAS) if (stack.some((cf) => test(cf))) add(areas, a, dt);
    add(leaves, `${leaf.functionName || "(anonymous)"} ${leaf.url ? leaf.url.replace(/^wasm:.*/, "(Go)").replace(/^.*\//, "") : "(native)"}`, dt);
  });
  return { totals, areas, leaves, all, idle };
}

function report(name, m) {
  const { totals, areas, leaves, all, idle } = split(m.profile);
  const per = (us) => ((us / all) * (m.cpuBase / N)).toFixed(2);
  const pct = (us) => `${(100 * us / all).toFixed(1).padStart(5)}%`;
  console.log(`\n${name}: workerd process CPU per request ${(m.cpuBase / N).toFixed(2)} ms without the profiler, ${(m.cpu / N).toFixed(2)} ms with it (all isolates and threads); wall ${(m.wall / N).toFixed(2)} ms per request`);
  console.log(`the worker's isolate, sampled: ${(100 * all / (all + idle)).toFixed(0)}% busy. Shares of its busy samples, and ≈ ms of the unprofiled CPU per request:`);
  for (const [cat, us] of [...totals].sort((x, y) => y[1] - x[1])) console.log(`  ${pct(us)}  ${per(us).padStart(5)} ms  ${cat}`);
  if (areas.size) {
    console.log("inclusive:");
    for (const [a] of AREAS) if (areas.has(a)) console.log(`  ${pct(areas.get(a))}  ${a}`);
  }
  console.log("heaviest leaf functions (self time):");
  for (const [k, us] of [...leaves].sort((x, y) => y[1] - x[1]).slice(0, Number(args.top))) console.log(`  ${pct(us)}  ${k}`);
}

const mOurs = await measure("ours", rig.url("ours"), rig.cookie("ours"));
const mBase = await measure("baseline", rig.url("baseline"), rig.cookie("baseline"));
console.log(`workerd ${version}, ${args.path} × ${N} per figure (after ${args.warmup} warm-up), one client at a time, sampling every ${args.interval} µs`);
console.log(`CPU per request, ours / baseline: ${(mOurs.cpuBase / N).toFixed(2)} / ${(mBase.cpuBase / N).toFixed(2)} ms = ${(mOurs.cpuBase / mBase.cpuBase).toFixed(2)}×`);
report("ours (Go worker, build/)", mOurs);
report("baseline (bench/baseline/worker, hand-written JS)", mBase);
process.exit(0);
