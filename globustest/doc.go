// Package globustest is a strict, in-process fake of Globus Auth and Globus
// Groups for tests and offline demos.
//
// New starts two real HTTP listeners on loopback: one plays Globus Auth
// (authorize, token, revoke, OIDC discovery, helper pages) and one plays the
// Groups API (GET /v2/groups/my_groups). The fake auto-approves every valid
// authorize request as TestUser; there is no login form. It is deliberately
// strict where the real services are: exact redirect_uri matching, PKCE S256
// mandatory for native clients, single-use authorization codes (a replayed
// code revokes the tokens issued from it), form-encoded token requests only,
// no Authorization header from native clients, HTTP Basic for confidential
// clients, and Groups access only with an active Groups token.
//
// Every response of both listeners carries CORS headers
// (Access-Control-Allow-Origin echoing the Origin, or "*" without one, and
// Access-Control-Expose-Headers: Retry-After) and OPTIONS preflights are
// answered with 204, so browser code can call the fake directly.
//
// Each request is counted under "<METHOD> <path>" (see Server.Count);
// token posts are also counted as "grant:<grant_type>" and revocations as
// "revoke". Faults (Server.Inject) make chosen requests fail, stall, answer
// malformed or truncated bodies, or lose the answer of a request that was
// handled (Fault.AfterHandling with Drop or Delay).
//
// # A fault that was injected must fire
//
// Inject returns an *Injected handle telling how many times the fault fired
// (Used, Remaining). A fault is unused while it fired fewer than its Times
// times (never, for a negative Times). ClearFaults removes every pending
// fault and returns the unused ones; on a server made by NewT each unused
// fault also fails the test, once: when ClearFaults removes it, or at the
// test's cleanup if it is still pending. A fault that may legitimately not
// be used up is marked Fault.Optional (say why where it is set); prefer
// observing it through its handle. A test that checks a fault did not fire
// marks it Optional and checks Used. A fake that serves many subtests is
// better made by New, each subtest checking what ClearFaults returns, so the
// report lands in the subtest whose fault it was.
//
// GLOBUSTEST_MUTATE=nofaults (MutateEnv) is a mutation for the fault
// suites' meta tests: no fault applies and none is reported as unused, so
// every fault case that relies on the fake must fail on its own assertions.
//
// # HTTP control endpoints
//
// Browser and worker tests, which cannot call Go methods, drive the fake
// through endpoints under /_fake/ on the Auth listener. They are CORS-enabled,
// never counted and never faulted:
//
//	GET  /_fake/counts                 JSON object of all counters (Server.Counts)
//	POST /_fake/reset-counts           Server.ResetCounts
//	POST /_fake/faults                 Server.Inject; body is a JSON fault:
//	                                   {"method","path","status","retry_after",
//	                                    "delay_ms","body","content_type","times",
//	                                    "after_handling","drop","truncate",
//	                                    "optional"}
//	POST /_fake/clear-faults           Server.ClearFaults; answers
//	                                   {"ok":true,"unused":[{"method","path",
//	                                    "status","times","used","fault"}]}
//	POST /_fake/expire-access-tokens   Server.ExpireAccessTokens
//	POST /_fake/clients                Server.RegisterClient; body
//	                                   {"id","secret","redirect_uris":[...]}
//	POST /_fake/deny-next-authorize    Server.SetDenyNextAuthorize; body
//	                                   {"error":"access_denied"}
//	GET  /_fake/issued-tokens          JSON array (Server.IssuedTokens)
//	GET  /_fake/token-active?token=T   {"active":bool} (Server.TokenActive)
//
// POST bodies are JSON with unknown fields refused; successful calls answer
// 200 {"ok":true} (clear-faults adds its unused faults).
//
// The command cmd/fakeglobus runs the same fake as a standalone process.
package globustest
