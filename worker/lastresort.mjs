// lastresort.mjs — GENERATED from worker/service by `go generate ./worker/service`
// (TestLastResortModule, which fails when this file is stale): do not edit. worker/entry.mjs
// answers with it when no Go instance can (none could start, or one exited mid-request): the
// service's own answer to an internal_error, with its headers and body, and its request ids.

/** A fresh request id, made as worker/service makes its own: 8 random bytes in hex. */
export function requestId() {
  return Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The service's 500 internal_error answer under request id id, as worker/service writes it. */
export function lastResort(id) {
  return new Response("{\"error\":\"internal_error\",\"message\":\"the worker failed while answering; try again\",\"request_id\":" + JSON.stringify(id) + "}\n", {
    status: 500,
    headers: {
      "Cache-Control": "no-store",
      "Content-Type": "application/json; charset=utf-8",
      "Referrer-Policy": "no-referrer",
      "Strict-Transport-Security": "max-age=31536000",
      "X-Content-Type-Options": "nosniff",
      "X-Request-Id": id,
    },
  });
}
