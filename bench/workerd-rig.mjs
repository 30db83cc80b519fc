// workerd-rig.mjs — workers served by the workerd binary of the pinned npm package, directly
// (not through Miniflare, whose inspector proxy drops the profiler and whose Node process adds
// its own CPU to every figure), for the analysis tools profile-workerd.mjs and ab-workerd.mjs.
// No test runs it.
//
// startRig({workers, inspector}) starts the fake Globus (`go run ./cmd/fakeglobus`), an
// in-memory KV service in the same workerd (another isolate, so its own work stays outside a
// worker's profile, as KV's does in production) bound as TOKENS to every worker, and one
// socket per worker; then it logs in to each worker (GET /login, the fake approves, GET
// /callback: the Go worker and js/example-worker both have these routes) or, for the JS
// baseline of the benchmarks, stores its session in KV as cmd/bench does. A worker is
// {name, dir} (dir holds its modules: *.mjs/*.js as ES modules, *.wasm as compiled
// WebAssembly; the main module is entry.mjs, worker.js or worker.mjs, the first found) or
// {name, baseline: true} (bench/baseline/worker).
//
// It resolves to {url(name), cookie(name), cpuMs(), inspectorPort, version}; everything it
// started ends with the Node process.
import { spawn, execFileSync } from "node:child_process";
import { createCipheriv, createHash, randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const COMPATIBILITY_DATE = "2026-04-01"; // wrangler.toml's
const CLIENT_ID = "rig-client";

const children = [];
const tmp = mkdtempSync(join(tmpdir(), "workerd-rig-"));
process.on("exit", () => {
  for (const c of children) {
    try {
      // Each child leads its own process group (go run's binary too). SIGKILL: a workerd
      // busy in a request outlives SIGTERM, waiting for it to drain.
      process.kill(-c.pid, "SIGKILL");
    } catch {}
  }
  rmSync(tmp, { recursive: true, force: true });
});
process.on("SIGINT", () => process.exit(130));

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

function start(cmd, argv) {
  const c = spawn(cmd, argv, { cwd: root, detached: true, stdio: ["ignore", "pipe", "inherit"] });
  children.push(c);
  return c;
}

async function waitFor(url) {
  for (let i = 0; i < 600; i++) {
    try {
      await fetch(url, { redirect: "manual" });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not answer within 60 s`);
}

/** The fake Globus with each worker's callback registered; resolves to its two URLs. */
async function startFake(callbacks) {
  const fake = start("go", ["run", "./cmd/fakeglobus", "-client", `${CLIENT_ID}=${callbacks.join(",")}`]);
  const urls = {};
  for await (const line of createInterface({ input: fake.stdout })) {
    const [k, v] = line.split("=", 2);
    urls[k] = v;
    if (urls.GLOBUS_SDK_SERVICE_URL_AUTH && urls.GLOBUS_SDK_SERVICE_URL_GROUPS) break;
  }
  fake.stdout.resume();
  return { auth: urls.GLOBUS_SDK_SERVICE_URL_AUTH, groups: urls.GLOBUS_SDK_SERVICE_URL_GROUPS };
}

const KV_SOURCE = `// TOKENS: the requests workerd's KV binding sends (GET/PUT/DELETE /<key>), kept in a Map.
const store = new Map();
export default {
  async fetch(req) {
    const u = new URL(req.url);
    let key = u.pathname.slice(1);
    if (u.searchParams.get("urlencoded") === "true") key = decodeURIComponent(key);
    if (req.method === "GET") return store.has(key) ? new Response(store.get(key)) : new Response("Not Found", { status: 404 });
    if (req.method === "PUT") { store.set(key, await req.text()); return new Response(); }
    if (req.method === "DELETE") { store.delete(key); return new Response(); }
    return new Response("unsupported", { status: 405 });
  },
};
`;

const text = (name, value) => `(name = ${JSON.stringify(name)}, text = ${JSON.stringify(value)})`;

/** The worker's modules, copied into the config's directory: main module first. */
function modules(w) {
  const dir = join(tmp, w.name);
  mkdirSync(dir);
  if (w.baseline) {
    cpSync(resolve(root, "bench/baseline/worker/worker.mjs"), join(dir, "worker.mjs"));
    return [`(name = "worker.mjs", esModule = embed "${w.name}/worker.mjs")`];
  }
  const files = readdirSync(w.dir).filter((f) => /\.(mjs|js|wasm)$/.test(f));
  const main = ["entry.mjs", "worker.js", "worker.mjs"].find((f) => files.includes(f));
  if (!main) throw new Error(`${w.dir}: no entry.mjs, worker.js or worker.mjs`);
  for (const f of files) cpSync(join(w.dir, f), join(dir, f));
  return [main, ...files.filter((f) => f !== main)].map((f) =>
    f.endsWith(".wasm") ? `(name = "${f}", wasm = embed "${w.name}/${f}")` : `(name = "${f}", esModule = embed "${w.name}/${f}")`);
}

/** Logs in to a worker with /login and /callback; resolves to its session cookie(s). */
async function login(url) {
  const cookiesOf = (r) => r.headers.getSetCookie().map((c) => c.split(";")[0]);
  let r = await fetch(url + "/login", { redirect: "manual" });
  const state = cookiesOf(r).join("; ");
  const approved = await fetch(r.headers.get("location"), { redirect: "manual" });
  r = await fetch(url + "/callback" + new URL(approved.headers.get("location")).search, { redirect: "manual", headers: { cookie: state } });
  if (r.status !== 302) throw new Error(`login to ${url} failed: ${r.status} ${await r.text()}`);
  // The Go worker replaces its state cookie with the session; the JS example keeps its one cookie.
  const set = cookiesOf(r);
  return set.length ? set.filter((c) => !/=$/.test(c)).join("; ") : state;
}

/**
 * The baseline's session, as cmd/bench seeds it: the Groups token the fake issued to another
 * login, in a token document under KV "s:"+b64url(sha256(sid)) = b64url(iv || AES-GCM(doc)).
 */
async function seedBaseline(fake, kvPort, key) {
  const issued = await (await fetch(fake.auth + "/_fake/issued-tokens")).json();
  let groupsToken;
  for (const t of issued) {
    const g = await fetch(fake.groups + "/v2/groups/my_groups", { headers: { Authorization: "Bearer " + t } });
    await g.arrayBuffer();
    if (g.ok) groupsToken = t;
  }
  if (!groupsToken) throw new Error("the fake issued no token Groups accepts (log in to a worker first)");
  const sid = randomBytes(16).toString("base64url");
  const kvKey = "s:" + createHash("sha256").update(sid).digest("base64url");
  const doc = JSON.stringify({ data: { DEFAULT: { "groups.api.globus.org": { access_token: groupsToken } } } });
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(kvKey));
  const sealed = Buffer.concat([iv, cipher.update(doc), cipher.final(), cipher.getAuthTag()]).toString("base64url");
  const put = await fetch(`http://127.0.0.1:${kvPort}/${encodeURIComponent(kvKey)}?urlencoded=true`, { method: "PUT", body: sealed });
  if (!put.ok) throw new Error(`seeding the baseline: ${put.status}`);
  return `__Host-baseline=${sid}`;
}

export async function startRig({ workers }) {
  const ports = await Promise.all(workers.map(freePort));
  const [kvPort, inspectorPort] = await Promise.all([freePort(), freePort()]);
  const url = Object.fromEntries(workers.map((w, i) => [w.name, `http://127.0.0.1:${ports[i]}`]));
  const fake = await startFake(workers.filter((w) => !w.baseline).map((w) => `${url[w.name]}/callback`));
  writeFileSync(join(tmp, "kv.mjs"), KV_SOURCE);
  const baselineKey = randomBytes(32);
  const workerConfig = (w) => `const w${w.name} :Workerd.Worker = (
  modules = [
    ${modules(w).join(",\n    ")},
  ],
  compatibilityDate = "${COMPATIBILITY_DATE}",
  bindings = [
    ${(w.baseline
      ? [text("BASELINE_KEY", baselineKey.toString("base64url")), text("GLOBUS_SDK_SERVICE_URL_GROUPS", fake.groups)]
      : [text("GLOBUS_CLIENT_ID", CLIENT_ID), text("TOKEN_ENCRYPTION_KEY", randomBytes(32).toString("base64")),
        text("GLOBUS_SDK_SERVICE_URL_AUTH", fake.auth), text("GLOBUS_SDK_SERVICE_URL_GROUPS", fake.groups)]).join(",\n    ")},
    (name = "TOKENS", kvNamespace = "kv"),
  ],
);`;
  writeFileSync(join(tmp, "config.capnp"), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    ${workers.map((w) => `(name = "${w.name}", worker = .w${w.name}),`).join("\n    ")}
    (name = "kv", worker = .kv),
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [
    ${workers.map((w, i) => `(name = "${w.name}", address = "127.0.0.1:${ports[i]}", http = (), service = "${w.name}"),`).join("\n    ")}
    (name = "kv", address = "127.0.0.1:${kvPort}", http = (), service = "kv"),
  ],
);
${workers.map(workerConfig).join("\n")}
const kv :Workerd.Worker = (
  modules = [(name = "kv.mjs", esModule = embed "kv.mjs")],
  compatibilityDate = "${COMPATIBILITY_DATE}",
);
`);
  const workerdBin = resolve(root, "node_modules/workerd/bin/workerd");
  const workerd = start(workerdBin, ["serve", join(tmp, "config.capnp"), `--inspector-addr=127.0.0.1:${inspectorPort}`]);
  workerd.stdout.pipe(process.stderr);
  await Promise.all(Object.values(url).map((u) => waitFor(u + "/healthz")));
  const cookie = {};
  for (const w of workers.filter((w) => !w.baseline)) cookie[w.name] = await login(url[w.name]);
  for (const w of workers.filter((w) => w.baseline)) cookie[w.name] = await seedBaseline(fake, kvPort, baselineKey);
  return {
    url: (name) => url[name],
    cookie: (name) => cookie[name],
    /** workerd's whole-process CPU (all isolates and threads), from /proc, in ms. */
    cpuMs() {
      const s = readFileSync(`/proc/${workerd.pid}/stat`, "utf8");
      const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
      return (Number(f[11]) + Number(f[12])) * 10; // utime + stime, USER_HZ 100
    },
    inspectorPort,
    version: execFileSync(workerdBin, ["--version"]).toString().trim(),
  };
}

/** Builds ./worker (or main) for js/wasm into dir beside a copy of build/'s JS: -ldflags given. */
export function goWorkerDir(dir, { build = resolve(root, "build"), ldflags = "-s -w", main = "./worker" } = {}) {
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(build).filter((f) => /\.(mjs|js)$/.test(f))) cpSync(join(build, f), join(dir, f));
  execFileSync("go", ["build", "-trimpath", `-ldflags=${ldflags}`, "-o", join(dir, "app.wasm"), main], {
    cwd: root,
    env: { ...process.env, GOOS: "js", GOARCH: "wasm" },
    stdio: "inherit",
  });
  if (!existsSync(join(dir, "entry.mjs"))) throw new Error(`${build} has no entry.mjs: run ./build.sh worker`);
  return dir;
}
