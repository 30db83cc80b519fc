// @globus-edge/client — Globus login (native-app PKCE) and Groups "my groups", with the logic
// in Go compiled to WebAssembly. This is the browser entry (package.json "browser" and
// "default"); node.js and workerd.js are the other runtimes'. All three export the same API.

// Go's own loader, copied from the toolchain that built the wasm (the two must match). It is
// a classic script that defines globalThis.Go; importing it keeps this a single ES module
// graph, so bundlers inline it and pages need no extra <script> tag.
import "./wasm_exec.js";
import { createClient } from "./client.js";

export { GlobusClient, GlobusError, LoginRequiredError } from "./client.js";

const platform = {
  name: "browser",
  // A relative wasmUrl is resolved as fetch would resolve it.
  base: globalThis.document?.baseURI ?? globalThis.location?.href ?? import.meta.url,
  defaultStorage: typeof window !== "undefined" ? "localStorage" : "memory",
  /** The wasm beside this module, unless config.wasm or config.wasmUrl says otherwise. */
  defaultWasm: () => new URL("./globus-edge.wasm", import.meta.url).href,
  load: (url) => fetch(url, { credentials: "same-origin" }),
};

/**
 * Creates a client. config: clientId (default: the Globus tutorial client), redirectUri
 * (needed for login()/authorizeUrl(); must be registered with the client), scopes, authUrl,
 * groupsUrl, environment, httpTimeout, storage ("localStorage" default, "sessionStorage",
 * "memory", or an object with get/put/delete), namespace, and the wasm: wasm (a
 * WebAssembly.Module, bytes or a Response) or wasmUrl (default: globus-edge.wasm beside this
 * module). Go is started on the first call; later clients share it.
 */
export function createGlobusClient(config) {
  return createClient(platform, config);
}
