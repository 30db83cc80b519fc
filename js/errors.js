// errors.js — the errors every runtime reports. Go rejects with plain objects
// ({name, message, code, serverStatus, globusCode, httpStatus, requestId, loginRequired}, made by
// wasm/errors.go from the core's app.Describe); they become these classes here, so instanceof
// works the same in browsers, Node and workerd.

/** An error reported by globus-edge: a Globus API answer, a refused login, a network failure. */
export class GlobusError extends Error {
  constructor(info = {}) {
    super(info.message || "globus-edge: unknown error");
    this.name = "GlobusError";
    /** What went wrong: always one of index.d.ts's ErrorKind or ModuleErrorCode, never Globus's own code. */
    this.code = info.code || "internal_error";
    /** The HTTP status a server built on this package answers this failure with: the Go worker's, by code. */
    this.serverStatus = info.serverStatus || 500;
    /** Globus's own code when Globus answered (e.g. "SERVICE_UNAVAILABLE", "invalid_grant") or the redirect's OAuth error ("access_denied"); "" otherwise. */
    this.globusCode = info.globusCode || "";
    /** HTTP status of the Globus answer, or 0 when no answer was involved. */
    this.httpStatus = info.httpStatus || 0;
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
