// Package configkeys is the one list of the JS client's configuration keys: the JavaScript
// config object of @globus-edge/client and the page's config.json use the same names. wasm/options.go reads them, web/webconfig writes config.json with them, web/page.js
// passes config.json through untouched, and a test checks js/index.d.ts against the list.
package configkeys

// Keys read by Go (wasm/options.go). The first six map onto the CLI's variables so defaults
// and validation are config.FromEnv's.
const (
	ClientID    = "clientId"
	RedirectURI = "redirectUri"
	AuthURL     = "authUrl"
	GroupsURL   = "groupsUrl"
	Environment = "environment"
	HTTPTimeout = "httpTimeout"
	Scopes      = "scopes"
	Storage     = "storage"
	Namespace   = "namespace"
)

// WasmURL and Wasm are read by the JavaScript package (where the module comes from: a URL, or
// a WebAssembly.Module, bytes or a Response); Coordinator by its workerd entry (a Durable
// Object namespace the storage object is then coordinated by: js/coordinator.js). They never
// reach Go.
const (
	WasmURL     = "wasmUrl"
	Wasm        = "wasm"
	Coordinator = "coordinator"
)

// Go lists the keys Go reads, in documentation order.
var Go = []string{ClientID, RedirectURI, AuthURL, GroupsURL, Environment, HTTPTimeout, Scopes, Storage, Namespace}

// All lists every key of the config object: Go's and the shim's.
func All() []string { return append(append([]string(nil), Go...), WasmURL, Wasm, Coordinator) }

// Unknown returns the names that are not config keys, in their order.
func Unknown(names []string) []string {
	var out []string
	for _, n := range names {
		known := false
		for _, k := range All() {
			known = known || n == k
		}
		if !known {
			out = append(out, n)
		}
	}
	return out
}
