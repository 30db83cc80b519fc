// @globus-edge/client for Node ≥ 20 (package.json "node"): the browser API, with the wasm read
// from disk (file: URLs) and memory as the default storage. One Go instance per process,
// shared by every client (one per user, say, each with its own namespace).
import "./wasm_exec.js";
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { createClient } from "./client.js";

export { GlobusClient, GlobusError, LoginRequiredError } from "./client.js";

const platform = {
  name: "node",
  // A relative wasmUrl is a path relative to the working directory.
  base: pathToFileURL(`${process.cwd()}/`).href,
  defaultStorage: "memory",
  defaultWasm: () => new URL("./globus-edge.wasm", import.meta.url).href,
  // fetch cannot read file: URLs in Node.
  load: async (url) => (url.startsWith("file:") ? new Uint8Array(await readFile(new URL(url))) : fetch(url)),
  // Go's timers are Node timers that would keep the process alive after the script is done
  // (Go leaves the next timer scheduled, e.g. a 60 s HTTP timeout already cancelled): unref
  // them, and keep the process alive only while a client call is in flight (hold).
  adoptGo(go) {
    const imports = go.importObject.gojs;
    const schedule = imports["runtime.scheduleTimeoutEvent"];
    imports["runtime.scheduleTimeoutEvent"] = (sp) => {
      schedule(sp);
      for (const t of go._scheduledTimeouts.values()) t.unref?.();
    };
  },
  hold() {
    if (inFlight++ === 0) keepAlive = setInterval(() => {}, 2 ** 30);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (--inFlight === 0) clearInterval(keepAlive);
    };
  },
};
let inFlight = 0;
let keepAlive;

/** Creates a client; see index.d.ts. storage defaults to "memory" (see node-file-storage.js for a file). */
export function createGlobusClient(config) {
  return createClient(platform, config);
}
