//go:build js && wasm

package main

import (
	"strings"
	"syscall/js"
	"testing"

	"github.com/globus-edge/globus-edge/kvstore"
	"github.com/globus-edge/globus-edge/wasm/internal/jstest"
)

// newObjectStorage is a Map-backed storage object recording the options of each put; it is
// installed as globalThis.testStorage so config literals can name it.
func newObjectStorage(t *testing.T) js.Value {
	t.Helper()
	s := jstest.Eval(`const m = new Map(), opts = {};
		return {m, opts, get: async (k) => m.get(k) ?? null, put: async (k, v, o) => { m.set(k, v); opts[k] = o; }, delete: async (k) => { m.delete(k); }};`)
	js.Global().Set("testStorage", s)
	t.Cleanup(func() { js.Global().Delete("testStorage") })
	return s
}

// TestObjectStorageKeys: with a storage object, the login in progress is kept in it (no
// sessionStorage needed, as in Node or a worker) under the documented key, expiring, and the
// token document's key is the documented one.
func TestObjectStorageKeys(t *testing.T) {
	s := newObjectStorage(t)
	c := newTestClient(t, `{clientId: "cid", namespace: "user-1", storage: globalThis.testStorage, `+unreachable+`}`)
	if c.Get("config").Get("storage").String() != "custom" {
		t.Fatalf("config.storage = %q", c.Get("config").Get("storage").String())
	}
	if got, want := c.Get("storageKey").String(), kvstore.SessionKey("globus-edge:cid:user-1"); got != want {
		t.Fatalf("storageKey = %q, want %q", got, want)
	}
	if _, rej := call(t, c, "startLogin", "paste"); !rej.IsUndefined() {
		t.Fatalf("startLogin rejected: %s", jsonString(rej))
	}
	flowKey := kvstore.SessionKey("globus-edge-flow:cid:user-1")
	if !s.Get("m").Call("has", flowKey).Bool() || s.Get("m").Get("size").Int() != 1 {
		t.Fatalf("the login in progress is not under %s: %s", flowKey, jsonString(jstest.Eval("return [...a0.keys()]", s.Get("m"))))
	}
	if ttl := s.Get("opts").Get(flowKey).Get("expirationTtl").Int(); ttl != 600 {
		t.Fatalf("the login in progress expires after %d s, want 600", ttl)
	}
	// The keys the JS client tells the storage (bind): the very records used above.
	keys := c.Get("storageKeys")
	if keys.Get("tokens").String() != c.Get("storageKey").String() || keys.Get("pending").String() != flowKey ||
		keys.Get("lease").String() != kvstore.LeaseKey("globus-edge:cid:user-1") {
		t.Fatalf("storageKeys = %s", jsonString(keys))
	}
	// Another namespace has no login in progress: users sharing a storage are separate.
	other := newTestClient(t, `{clientId: "cid", namespace: "user-2", storage: globalThis.testStorage, `+unreachable+`}`)
	if _, rej := call(t, other, "finishPasteCode", "code"); rej.Get("code").String() != "no_login_in_progress" {
		t.Fatalf("user-2 finishing user-1's login: %s", jsonString(rej))
	}
	c.Call("release")
}

func TestObjectStorageRefusals(t *testing.T) {
	for lit, want := range map[string]string{
		`{storage: {get() {}, delete() {}}}`: "no put method",
		`{storage: "custom"}`:                "pass the storage object itself",
		`{storage: 7}`:                       "or an object with get, put and delete",
		// An app that forgets the namespace would put every user on one login.
		`{storage: {get() {}, put() {}, delete() {}}}`:                 "config.namespace is required with a storage object",
		`{storage: {get() {}, put() {}, delete() {}}, namespace: " "}`: "config.namespace is required with a storage object",
	} {
		_, err := parseOptions(obj(t, lit))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", lit, err, want)
		}
	}
}

// TestMemoryPendingLoginWithoutSessionStorage: where there is no sessionStorage (Node), the
// login in progress is kept in memory, one per client.
func TestMemoryPendingLoginWithoutSessionStorage(t *testing.T) {
	if !js.Global().Get("sessionStorage").IsUndefined() {
		t.Skip("this runtime has sessionStorage")
	}
	c := newTestClient(t, `{storage: "memory", `+unreachable+`}`)
	if _, rej := call(t, c, "startLogin", "paste"); !rej.IsUndefined() {
		t.Fatalf("startLogin without sessionStorage rejected: %s", jsonString(rej))
	}
	// A redirect with another state is refused as a mismatch: there is a login in progress
	// (with none, the answer would be no_login_in_progress).
	if _, rej := call(t, c, "finishRedirect", "?code=x&state=not-this-one"); rej.Get("code").String() != "state_mismatch" {
		t.Fatalf("finishing with another state: %s", jsonString(rej))
	}
	// It belongs to this client only.
	other := newTestClient(t, `{storage: "memory", `+unreachable+`}`)
	if _, rej := call(t, other, "finishRedirect", "?code=x&state=not-this-one"); rej.Get("code").String() != "no_login_in_progress" {
		t.Fatalf("another client finishing it: %s", jsonString(rej))
	}
}

// TestUnavailableStorageIsAConfigError: asking for localStorage where there is none (Node) is
// a configuration mistake, reported as invalid_config.
func TestUnavailableStorageIsAConfigError(t *testing.T) {
	if !js.Global().Get("localStorage").IsUndefined() {
		t.Skip("this runtime has localStorage")
	}
	h := testHost(t)
	ns := js.ValueOf(map[string]any{"newClient": js.FuncOf(func(_ js.Value, args []js.Value) any { return newClientPromise(args, h) })})
	_, rej := call(t, ns, "newClient", obj(t, `{storage: "localStorage"}`))
	if rej.Get("code").String() != "invalid_config" || !strings.Contains(rej.Get("message").String(), "not available") {
		t.Fatalf("rejection = %s", jsonString(rej))
	}
}
