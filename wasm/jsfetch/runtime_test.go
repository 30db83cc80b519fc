//go:build js && wasm

package jsfetch

import (
	"net/http"
	"testing"

	"github.com/globus-edge/globus-edge/wasm/internal/jstest"
)

// TestWorkerdShape stands in for workerd: a fetch that, like workerd's, throws "Illegal
// invocation" unless called on globalThis, and records its init. The default Doer must call
// it as globalThis.fetch and, in a runtime naming itself Cloudflare-Workers, send no
// credentials field; elsewhere it sends "omit".
func TestWorkerdShape(t *testing.T) {
	rec := jstest.Eval(`
const real = globalThis.fetch, oldNav = Object.getOwnPropertyDescriptor(globalThis, "navigator");
const rec = {inits: [], restore() {
	globalThis.fetch = real;
	if (oldNav) Object.defineProperty(globalThis, "navigator", oldNav); else delete globalThis.navigator;
}};
globalThis.fetch = function (url, init) {
	if (this !== globalThis) throw new TypeError("Illegal invocation");
	rec.inits.push("credentials" in init ? init.credentials : "(none)");
	return Promise.resolve(new Response("ok"));
};
rec.setUA = (ua) => Object.defineProperty(globalThis, "navigator", {value: {userAgent: ua}, configurable: true});
return rec;`)
	t.Cleanup(func() { rec.Call("restore") })
	for _, ua := range []string{"Cloudflare-Workers", "Node.js/20"} {
		rec.Call("setUA", ua)
		req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:9/x", nil)
		resp, err := testDoer(t).Do(req)
		if err != nil {
			t.Fatalf("%s: %v", ua, err)
		}
		resp.Body.Close()
	}
	inits := rec.Get("inits")
	if inits.Index(0).String() != "(none)" || inits.Index(1).String() != "omit" {
		t.Fatalf("credentials sent: workerd %q, elsewhere %q", inits.Index(0).String(), inits.Index(1).String())
	}
}
