//go:build js && wasm

package webstorage

import (
	"context"
	"errors"
	"syscall/js"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/wasm/internal/jstest"
)

// TestLockExcludes runs with Node's own navigator.locks when it has one (Node 20 has none;
// the local fallback is then what is tested) and checks the Locker contract: a second Lock
// waits for the first unlock, and a waiting Lock gives up when its context ends.
func TestLockExcludes(t *testing.T) {
	testExclusion(t, Blob{Key: "k1"})
}

// TestWebLocks installs a minimal Web Locks stand-in (one FIFO queue per name, signal
// support) so the navigator.locks path is exercised under Node too.
func TestWebLocks(t *testing.T) {
	stub := jstest.Eval(`
const queues = new Map();
let requests = 0;
function next(name) {
	const q = queues.get(name);
	if (!q || q.busy || q.waiting.length === 0) return;
	const w = q.waiting.shift();
	q.busy = true;
	Promise.resolve().then(() => w.cb()).finally(() => { q.busy = false; w.resolve(); next(name); });
}
return {
	get requests() { return requests; },
	request(name, opts, cb) {
		requests++;
		if (!queues.has(name)) queues.set(name, {busy: false, waiting: []});
		return new Promise((resolve, reject) => {
			const w = {cb, resolve};
			opts.signal.addEventListener("abort", () => {
				const q = queues.get(name), i = q.waiting.indexOf(w);
				if (i >= 0) { q.waiting.splice(i, 1); const e = new Error("aborted"); e.name = "AbortError"; reject(e); }
			});
			queues.get(name).waiting.push(w);
			next(name);
		});
	},
};`)
	nav := js.Global().Get("navigator")
	if nav.IsUndefined() {
		nav = js.Global().Get("Object").New()
		js.Global().Set("navigator", nav)
		t.Cleanup(func() { js.Global().Delete("navigator") })
	}
	jstest.Eval(`Object.defineProperty(a0, "locks", {value: a1, configurable: true});`, nav, stub)
	t.Cleanup(func() { jstest.Eval(`delete a0.locks;`, nav) })
	testExclusion(t, Blob{Key: "k2"})
	if stub.Get("requests").Int() < 3 {
		t.Fatalf("navigator.locks.request was called %d times, want every Lock to use it", stub.Get("requests").Int())
	}
}

func testExclusion(t *testing.T, b Blob) {
	t.Helper()
	ctx := context.Background()
	unlock, err := b.Lock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan func(), 1)
	go func() {
		u, err := b.Lock(ctx)
		if err != nil {
			t.Error(err)
		}
		got <- u
	}()
	// While the first lock is held, a Lock with a short deadline must give up...
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := b.Lock(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock while held = %v, want context.DeadlineExceeded", err)
	}
	select {
	case <-got:
		t.Fatal("a second Lock was granted while the first was held")
	default:
	}
	// ...and the waiting one gets it once the first unlocks.
	unlock()
	unlock() // unlocking twice is harmless
	select {
	case u := <-got:
		u()
	case <-time.After(10 * time.Second):
		t.Fatal("the waiting Lock was never granted")
	}
	// The lock is free again.
	u, err := b.Lock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	u()
}
