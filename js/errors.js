// errors.js — the errors every runtime reports. Go rejects with plain objects
// ({name, message, httpStatus, code, requestId, loginRequired}, see wasm/errors.go); they
// become these classes here, so instanceof works the same in browsers, Node and workerd.

/** An error reported by globus-edge: a Globus API answer, a refused login, a network failure. */
export class GlobusError extends Error {
  constructor(info = {}) {
    super(info.message || "globus-edge: unknown error");
    this.name = "GlobusError";
    /** HTTP status of the Globus answer, or 0 when no answer was involved. */
    this.httpStatus = info.httpStatus || 0;
    /** An app.Kind (e.g. "login_required", "state_mismatch"), or Globus's own code (e.g. "invalid_grant"). */
    this.code = info.code || "";
    /** Globus's request id, to quote when asking Globus support. */
    this.requestId = info.requestId || "";
    /** True when the user must log in (again). */
    this.loginRequired = Boolean(info.loginRequired);
  }
}

/** No usable tokens: never logged in, logged out, or Globus refused the refresh token. */
export class LoginRequiredError extends GlobusError {
  constructor(info = {}) {
    super({ ...info, loginRequired: true });
    this.name = "LoginRequiredError";
  }
}

/** Turns what Go rejects with (a plain object) into an Error subclass. */
export function toError(reason) {
  if (reason instanceof Error) return reason;
  if (reason && typeof reason === "object") {
    return reason.loginRequired ? new LoginRequiredError(reason) : new GlobusError(reason);
  }
  return new GlobusError({ message: String(reason) });
}
