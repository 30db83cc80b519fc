//go:build js && wasm

package webstorage

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/internal/jsx"
	"github.com/globus-edge/globus-edge/tokens"
	"github.com/globus-edge/globus-edge/wasm/internal/jstest"
)

func TestBlobRoundTrip(t *testing.T) {
	ls := jstest.InstallStorage(t, Local)
	ctx := context.Background()
	b, err := Open(Local, TokenKey("client-1", "DEFAULT"))
	if err != nil {
		t.Fatal(err)
	}
	if got, ok, err := b.Load(ctx); err != nil || ok || got != nil {
		t.Fatalf("Load of a missing key = %q, %v, %v; want nil, false, nil", got, ok, err)
	}
	want := []byte(`{"data": {}, "format_version": "2.0"}`)
	if err := b.Save(ctx, want); err != nil {
		t.Fatal(err)
	}
	if v := ls.Call("getItem", "globus-edge:client-1:DEFAULT").String(); v != string(want) {
		t.Fatalf("localStorage holds %q, want %q", v, want)
	}
	got, ok, err := b.Load(ctx)
	if err != nil || !ok || !bytes.Equal(got, want) {
		t.Fatalf("Load = %q, %v, %v; want %q, true, nil", got, ok, err, want)
	}
	if err := b.Delete(ctx); err != nil {
		t.Fatal(err)
	}
	if n := ls.Get("length").Int(); n != 0 {
		t.Fatalf("after Delete localStorage has %d items", n)
	}
	if err := b.Delete(ctx); err != nil {
		t.Fatalf("deleting nothing: %v", err)
	}
}

// TestStoreOverBlob checks the Python-compatible token document end to end over the
// stand-in: what is stored is the v2 document, other namespaces survive a Clear, and the
// key disappears with the last namespace.
func TestStoreOverBlob(t *testing.T) {
	ls := jstest.InstallStorage(t, Local)
	ctx := context.Background()
	b, err := Open(Local, TokenKey("c", "DEFAULT"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := tokens.ParseResponse([]byte(`{"access_token":"AT","expires_in":3600,"resource_server":"groups.api.globus.org",
		"scope":"s","token_type":"Bearer","refresh_token":"RT","other_tokens":[]}`), time.Unix(1000, 0))
	if err != nil {
		t.Fatal(err)
	}
	main := &tokens.DocumentStorage{Blob: b}
	other := &tokens.DocumentStorage{Blob: b, Namespace: "other"}
	if err := main.StoreResponse(ctx, resp); err != nil {
		t.Fatal(err)
	}
	if err := other.StoreResponse(ctx, resp); err != nil {
		t.Fatal(err)
	}
	raw := ls.Call("getItem", "globus-edge:c:DEFAULT").String()
	if !strings.Contains(raw, `"format_version": "2.0"`) || !strings.Contains(raw, `"expires_at_seconds": 4600`) {
		t.Fatalf("stored document is not the v2 format: %s", raw)
	}
	d, err := main.Get(ctx, "groups.api.globus.org")
	if err != nil || d == nil || d.RefreshToken != "RT" {
		t.Fatalf("Get = %+v, %v", d, err)
	}
	if _, err := main.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	if d, _ := other.Get(ctx, "groups.api.globus.org"); d == nil {
		t.Fatal("Clear of DEFAULT removed the other namespace")
	}
	if _, err := other.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	if n := ls.Get("length").Int(); n != 0 {
		t.Fatalf("after clearing every namespace localStorage has %d items", n)
	}
}

func TestSaveQuotaExceededIsAnError(t *testing.T) {
	ss := jstest.InstallStorage(t, Session)
	ss.Call("setQuota", 10)
	b, err := Open(Session, "k")
	if err != nil {
		t.Fatal(err)
	}
	err = b.Save(context.Background(), []byte("far more than ten characters"))
	var je *jsx.Error
	if !errors.As(err, &je) || je.Name != "QuotaExceededError" {
		t.Fatalf("Save over quota = %v, want a QuotaExceededError", err)
	}
	if !strings.Contains(err.Error(), `writing "k"`) {
		t.Fatalf("error %q does not say what was written", err)
	}
}

func TestOpenUnavailable(t *testing.T) {
	// Node has no localStorage: exactly the "not available here" case of workers.
	if _, err := Open(Local, "k"); err == nil || !strings.Contains(err.Error(), "not available") {
		t.Fatalf("Open without localStorage = %v, want not available", err)
	}
	// A browser with storage disabled throws a SecurityError from the getter.
	jstest.Eval(`Object.defineProperty(globalThis, "sessionStorage", {configurable: true,
		get() { const e = new Error("access denied"); e.name = "SecurityError"; throw e; }});`)
	t.Cleanup(func() { jstest.Eval(`delete globalThis.sessionStorage;`) })
	if _, err := Open(Session, "k"); err == nil || !strings.Contains(err.Error(), "SecurityError") {
		t.Fatalf("Open with a throwing getter = %v, want the SecurityError", err)
	}
	if _, err := Open("cookies", "k"); err == nil {
		t.Fatal("Open of an unknown area succeeded")
	}
}

func TestKeys(t *testing.T) {
	if got := TokenKey("abc", "DEFAULT"); got != "globus-edge:abc:DEFAULT" {
		t.Fatalf("TokenKey = %q", got)
	}
	if got := FlowKey("abc"); got != "globus-edge-flow:abc" {
		t.Fatalf("FlowKey = %q", got)
	}
}
