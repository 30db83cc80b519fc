// ab-workerd.mjs — same-run comparison of worker builds in one workerd (bench/workerd-rig.mjs):
// CPU per request (workerd's whole process, from /proc), latency and throughput of one path,
// measured in rounds that alternate the workers (in a new order each round), so a change is
// judged by its ratio to the other build under the same load on a shared machine. An
// analysis tool for bench/analysis.md; no test runs it.
//
//   node bench/ab-workerd.mjs --worker before=DIR --worker after=DIR [--baseline]
//       [--path /groups] [--n 200] [--rounds 6] [--conc 1] [--warmup 100]
//
// DIR is a worker's modules: a Go worker build (./build.sh worker's build/, or
// workerd-rig.mjs goWorkerDir) or a wrangler bundle of js/example-worker (wrangler deploy
// --dry-run --outdir DIR). --baseline adds the hand-written JS worker of the benchmarks.
// Figures are medians over the rounds; ratios are to the first worker named.
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { startRig } from "./workerd-rig.mjs";

const { values: args } = parseArgs({
  options: {
    worker: { type: "string", multiple: true, default: [] },
    baseline: { type: "boolean", default: false },
    path: { type: "string", default: "/groups" },
    n: { type: "string", default: "200" },
    rounds: { type: "string", default: "6" },
    conc: { type: "string", default: "1" },
    warmup: { type: "string", default: "100" },
  },
});
const workers = args.worker.map((s) => {
  const [name, dir] = s.split("=", 2);
  if (!/^[a-z][a-z0-9]*$/.test(name) || !dir) throw new Error(`--worker ${s}: want name=DIR (name: lower-case letters and digits)`);
  return { name, dir: resolve(dir) };
});
if (args.baseline) workers.push({ name: "baseline", baseline: true });
if (workers.length === 0) throw new Error("nothing to measure: give --worker name=DIR (and/or --baseline)");
const N = Number(args.n);
const CONC = Number(args.conc);

const rig = await startRig({ workers });

/** Sends n GETs of the path with CONC clients; resolves to the latencies (ms) and the wall time. */
async function load(w, n) {
  const url = rig.url(w.name) + args.path;
  const headers = { cookie: rig.cookie(w.name) };
  const lat = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONC }, async () => {
    while (next++ < n) {
      const t = performance.now();
      // A safety net, not a measurement: a hung request names its worker instead of waiting
      // for undici's 300 s headers timeout.
      const r = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) }).catch((e) => {
        throw new Error(`${w.name} ${args.path}: request ${next}: ${e.message}`, { cause: e });
      });
      await r.arrayBuffer();
      if (r.status !== 200) throw new Error(`${w.name} ${args.path}: ${r.status}`);
      lat.push(performance.now() - t);
    }
  }));
  return { lat, wall: performance.now() - t0 };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

for (const w of workers) await load(w, Number(args.warmup));
const res = new Map(workers.map((w) => [w.name, { cpu: [], lat: [], rps: [] }]));
for (let r = 0; r < Number(args.rounds); r++) {
  const order = workers.map((w, i) => workers[(i + r) % workers.length]);
  if (r % 2) order.reverse();
  for (const w of order) {
    const c0 = rig.cpuMs();
    const { lat, wall } = await load(w, N);
    const m = res.get(w.name);
    m.cpu.push((rig.cpuMs() - c0) / N);
    m.lat.push(...lat);
    m.rps.push((N / wall) * 1000);
  }
}

console.log(`workerd ${rig.version}; GET ${args.path}, ${args.rounds} rounds × ${N} requests per worker, concurrency ${CONC}`);
const first = res.get(workers[0].name);
const row = (name, m) => {
  const cpu = median(m.cpu);
  const p50 = pct(m.lat, 50);
  const rps = median(m.rps);
  const ratio = (a, b) => (a / b).toFixed(2).padStart(5);
  return `${name.padEnd(10)} CPU ${cpu.toFixed(2).padStart(6)} ms (${ratio(cpu, median(first.cpu))}×, rounds ${m.cpu.map((x) => x.toFixed(2)).join(" ")})  p50 ${p50.toFixed(2).padStart(6)} ms (${ratio(p50, pct(first.lat, 50))}×)  p95 ${pct(m.lat, 95).toFixed(2).padStart(6)} ms  ${rps.toFixed(0).padStart(5)} req/s (${ratio(rps, median(first.rps))}×)`;
};
for (const [name, m] of res) console.log(row(name, m));
process.exit(0);
