// @globus-edge/client for Cloudflare Workers written in JavaScript (package.json "workerd").
// Workers cannot compile code at run time: the wasm is imported as a WebAssembly.Module
// (wrangler's default rule for .wasm), and config.wasm, if given, must be one too. There is
// no window and no localStorage: config.storage must be an object, typically a KV binding
// (storage: env.TOKENS), and config.namespace tells users apart (e.g. a session id).
// config.coordinator (e.g. env.SESSIONS, a Durable Object namespace of SessionCoordinator,
// which this module exports for the Worker to export) makes each login exact across isolates
// and locations (coordinator.js).
//
// Calls run on a pool of Go instances, each serving one call at a time (see runtime.js and
// pool.js for why).
import "./wasm_exec.js";
import wasmModule from "./globus-edge.wasm";
import { createClient } from "./client.js";
import { coordinatedStorage } from "./coordinator.js";

export { GlobusClient, GlobusError, LoginRequiredError } from "./client.js";
export { SessionCoordinator } from "./coordinator.js";

const platform = {
  name: "workerd",
  base: "https://invalid.invalid/",
  defaultStorage: undefined, // required
  defaultWasm: () => wasmModule,
  load: () => { throw new TypeError("globus-edge: workerd cannot load a wasm URL"); },
};

/** Creates a client; see index.d.ts. Cheap: make one per request. */
export function createGlobusClient(config) {
  const ns = config?.coordinator;
  if (ns === undefined || ns === null) return createClient(platform, config);
  if (typeof ns?.idFromName !== "function" || typeof ns?.get !== "function") {
    return Promise.reject(new TypeError("globus-edge: config.coordinator must be a Durable Object namespace binding of SessionCoordinator (e.g. coordinator: env.SESSIONS)"));
  }
  const { coordinator, storage, ...rest } = config;
  if (storage === null || typeof storage !== "object") {
    return Promise.reject(new TypeError("globus-edge: config.coordinator needs config.storage, a storage object (e.g. storage: env.TOKENS)"));
  }
  return createClient(platform, { ...rest, storage: coordinatedStorage(storage, coordinator) });
}
