//go:build js && wasm

package jsstorage

import (
	"context"
	"errors"
	"strings"
	"syscall/js"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/kvstore"
	"github.com/globus-edge/globus-edge/tokens"
	"github.com/globus-edge/globus-edge/wasm/internal/jstest"
)

// swapStorage is mapStorage with compareAndSwap (a0: async), counting each method's calls by
// key.
const swapStorage = `
const m = new Map(), calls = [];
const wrap = (v) => a0 ? Promise.resolve(v) : v;
return {
	m, calls,
	get(k) { calls.push("get " + k); return wrap(m.has(k) ? m.get(k) : null); },
	put(k, v) { calls.push("put " + k); m.set(k, v); return wrap(undefined); },
	delete(k) { calls.push("delete " + k); m.delete(k); return wrap(undefined); },
	compareAndSwap(k, old, v) {
		calls.push("swap " + k);
		if ((m.has(k) ? m.get(k) : null) !== old) return wrap(false);
		if (v === null) m.delete(k); else m.set(k, v);
		return wrap(true);
	},
};`

// A storage with compareAndSwap holds the refresh lease as a tokens.RecordLock under the lease
// key: a second Blob of the same login (another process: no shared lock table) waits, the
// lease key is never put or deleted, and unlock removes it.
func TestBlobLockUsesCompareAndSwap(t *testing.T) {
	for _, async := range []bool{false, true} {
		obj := jstest.Eval(swapStorage, async)
		kv := KV{Obj: obj}
		if !canSwap(kv) {
			t.Fatal("CanSwap is false for a storage with compareAndSwap")
		}
		ctx := context.Background()
		blob := func() Blob { return Blob{SessionBlob: kvstore.Session(kv, "sid", 0)} }
		if err := blob().Save(ctx, []byte("{}")); err != nil { // a lease guards a stored record
			t.Fatal(err)
		}
		unlock, err := blob().Lock(ctx)
		if err != nil {
			t.Fatal(err)
		}
		lease := kvstore.LeaseKey("sid")
		if v := obj.Get("m").Call("get", lease); v.Type() != js.TypeString || !strings.Contains(v.String(), `"until"`) {
			t.Fatalf("async=%v: the lease key holds %v, want a RecordLock value", async, v)
		}
		short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		if _, err := blob().Lock(short); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("async=%v: a second holder's Lock = %v, want it to wait", async, err)
		}
		cancel()
		unlock()
		if obj.Get("m").Call("has", lease).Bool() {
			t.Fatalf("async=%v: unlock left the lease", async)
		}
		calls := jstest.Eval("return a0.join(',')", obj.Get("calls")).String()
		if strings.Contains(calls, "put "+lease) || strings.Contains(calls, "delete "+lease) || !strings.Contains(calls, "swap "+lease) {
			t.Fatalf("async=%v: calls %s: the lease must go through compareAndSwap only", async, calls)
		}
	}
}

// A compareAndSwap that throws or answers something else than a boolean is a storage error
// naming the method.
func TestRecordBadSwaps(t *testing.T) {
	for name, src := range map[string]string{
		"throws":   `compareAndSwap() { throw new Error("disk on fire"); }`,
		"a string": `compareAndSwap() { return "yes"; }`,
	} {
		obj := jstest.Eval(`return {get() { return null; }, put() {}, delete() {}, ` + src + `};`)
		v := "x"
		_, err := (&Record{KV: KV{Obj: obj}, Key: "lease/k"}).Swap(context.Background(), nil, &v)
		if _, ok := errors.AsType[*tokens.StorageError](err); !ok || !strings.Contains(err.Error(), "compareAndSwap") {
			t.Errorf("%s: Swap error %v, want a StorageError naming compareAndSwap", name, err)
		}
	}
	if canSwap(KV{Obj: jstest.Eval(mapStorage, false)}) || canSwap(&kvstore.Memory{}) {
		t.Error("CanSwap is true for a storage without compareAndSwap")
	}
}
