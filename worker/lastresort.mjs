// lastresort.mjs — GENERATED from worker/service by `go generate ./worker/service`
// (TestLastResortModule, which fails when this file is stale): do not edit. worker/entry.mjs
// answers with it when no Go instance can (none could start, or one exited mid-request) and
// when it refuses a request before taking one: the service's own error answers, with its
// headers and body, and its request ids.

/** A fresh request id, made as worker/service makes its own: 8 random bytes in hex. */
export function requestId() {
  return Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The entry's own refusals, with the status and code worker/service gives them. */
export const refusals = Object.freeze({
  bodyTooLarge: Object.freeze({ status: 413, code: "body_too_large" }),
  bodyTimeout: Object.freeze({ status: 408, code: "body_timeout" }),
  busy: Object.freeze({ status: 503, code: "busy" }),
});

/**
 * An error answer as worker/service writes it: status, the JSON error body (code, message,
 * request id id) and the service's common headers, plus extra headers. (Go's encoder escapes
 * <, > and &; the entry's messages hold none.)
 */
export function errorAnswer(status, code, message, id, extra = {}) {
  const body = "{\"error\":" + JSON.stringify(code) + ",\"message\":" + JSON.stringify(message) + ",\"request_id\":" + JSON.stringify(id) + "}\n";
  return new Response(body, {
    status,
    headers: {
      "Cache-Control": "no-store",
      "Content-Type": "application/json; charset=utf-8",
      "Referrer-Policy": "no-referrer",
      "Strict-Transport-Security": "max-age=31536000",
      "X-Content-Type-Options": "nosniff",
      "X-Request-Id": id,
      ...extra,
    },
  });
}

/** The service's 500 internal_error answer under request id id, as worker/service writes it. */
export function lastResort(id) {
  return errorAnswer(500, "internal_error", "the worker failed while answering; try again", id);
}
