//go:build js && wasm

package jsstorage

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/kvstore"
	"github.com/globus-edge/globus-edge/tokens"
	"github.com/globus-edge/globus-edge/wasm/internal/jstest"
)

// mapStorage is a storage object over a Map; async makes every method return a Promise, as a
// Workers KV binding does. It records the options of each put.
const mapStorage = `
const m = new Map(), puts = [];
const wrap = (v) => a0 ? Promise.resolve(v) : v;
return {
	m, puts,
	get(k) { return wrap(m.has(k) ? m.get(k) : null); },
	put(k, v, o) { puts.push(o); m.set(k, v); return wrap(undefined); },
	delete(k) { m.delete(k); return wrap(undefined); },
};`

func TestKVRoundTrip(t *testing.T) {
	for _, async := range []bool{false, true} {
		obj := jstest.Eval(mapStorage, async)
		kv := KV{Obj: obj}
		ctx := context.Background()
		if _, ok, err := kv.Get(ctx, "k"); ok || err != nil {
			t.Fatalf("async=%v: Get of nothing = %v, %v", async, ok, err)
		}
		if err := kv.Put(ctx, "k", "v1", 0); err != nil {
			t.Fatal(err)
		}
		if err := kv.Put(ctx, "t", "v2", 90*time.Second); err != nil {
			t.Fatal(err)
		}
		if v, ok, err := kv.Get(ctx, "k"); v != "v1" || !ok || err != nil {
			t.Fatalf("async=%v: Get = %q, %v, %v", async, v, ok, err)
		}
		puts := obj.Get("puts")
		if !puts.Index(0).IsUndefined() || puts.Index(1).Get("expirationTtl").Int() != 90 {
			t.Fatalf("async=%v: put options = %s", async, jstest.Eval("return JSON.stringify(a0)", puts).String())
		}
		if err := kv.Delete(ctx, "k"); err != nil {
			t.Fatal(err)
		}
		if obj.Get("m").Get("size").Int() != 1 {
			t.Fatal("Delete did not delete")
		}
	}
}

// TestBadStorages: a storage that throws, rejects or returns a non-string gives an error that
// says which method failed and never quotes the stored value.
func TestBadStorages(t *testing.T) {
	ctx := context.Background()
	for name, src := range map[string]string{
		"throws":    `return {get() { throw new Error("disk on fire"); }, put() { throw new Error("disk on fire"); }, delete() {}};`,
		"rejects":   `return {get: async () => { throw new Error("disk on fire"); }, put: async () => { throw new Error("disk on fire"); }, delete() {}};`,
		"a number":  `return {get() { return 42; }, put() {}, delete() {}};`,
		"an object": `return {get: async () => ({access_token: "AT-SECRET"}), put() {}, delete() {}};`,
	} {
		kv := KV{Obj: jstest.Eval(src)}
		_, _, err := kv.Get(ctx, "k")
		if err == nil || !strings.Contains(err.Error(), "storage.get") || strings.Contains(err.Error(), "SECRET") {
			t.Errorf("%s: Get error %v", name, err)
		}
		// Through kvstore, the failure is a storage error (app.KindStorage), not corrupt data.
		_, _, err = kvstore.Session(kv, "sid", 0).Load(ctx)
		var se *tokens.StorageError
		if !errors.As(err, &se) {
			t.Errorf("%s: Session.Load error %v is not a StorageError", name, err)
		}
		if name == "throws" || name == "rejects" {
			if err := kv.Put(ctx, "k", "AT-SECRET", 0); err == nil || !strings.Contains(err.Error(), "disk on fire") || strings.Contains(err.Error(), "SECRET") {
				t.Errorf("%s: Put error %v", name, err)
			}
		}
	}
}

func TestCheck(t *testing.T) {
	if err := Check(jstest.Eval(mapStorage, false)); err != nil {
		t.Fatal(err)
	}
	for src, want := range map[string]string{
		`return {get() {}, delete() {}};`:         "no put method",
		`return {};`:                              "no get, put, delete method",
		`return {get: 1, put() {}, delete() {}};`: "no get method",
		`return "localStorage";`:                  "must be an object",
	} {
		if err := Check(jstest.Eval(src)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: Check = %v, want %q", src, err, want)
		}
	}
}

// TestLocksExclude: the realm's lock table holds a second holder off until the first
// releases, and a waiter gives up when its context ends.
func TestLocksExclude(t *testing.T) {
	table := jstest.Eval(`const m = new Map(); return {
		tryAcquire(n, h, ttl) { const e = m.get(n); if (e && e.until > Date.now()) return false; m.set(n, {h, until: Date.now() + ttl}); return true; },
		release(n, h) { if (m.get(n)?.h === h) m.delete(n); },
	};`)
	l := Locks{Table: table}
	ctx := context.Background()
	unlock, err := l.Acquire(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := l.Acquire(short, "a"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Acquire while held = %v, want context.Canceled", err)
	}
	other, err := l.Acquire(ctx, "b")
	if err != nil {
		t.Fatal(err)
	}
	other()
	got := make(chan func())
	go func() {
		u, _ := l.Acquire(ctx, "a")
		got <- u
	}()
	unlock()
	(<-got)()
}
