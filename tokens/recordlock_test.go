package tokens

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// memRecord is a LockRecord in memory, its Swap atomic under a mutex.
type memRecord struct {
	mu  sync.Mutex
	v   *string
	set int // how many Swaps changed it
}

func (m *memRecord) Get(context.Context) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.v == nil {
		return "", false, nil
	}
	return *m.v, true, nil
}

func (m *memRecord) Swap(_ context.Context, old, value *string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if (old == nil) != (m.v == nil) || (old != nil && *old != *m.v) {
		return false, nil
	}
	m.v = value
	m.set++
	return true, nil
}

func (m *memRecord) put(v string) {
	m.mu.Lock()
	m.v = &v
	m.mu.Unlock()
}

// holders runs n goroutines that each take lock() rounds times, and returns the most that held
// it at once.
func holders(t *testing.T, n, rounds int, lock func() (func(), error)) int32 {
	t.Helper()
	var in, most atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				unlock, err := lock()
				if err != nil {
					errs <- err
					return
				}
				now := in.Add(1)
				for m := most.Load(); now > m && !most.CompareAndSwap(m, now); m = most.Load() {
				}
				time.Sleep(time.Millisecond) // hold it a moment, as a refresh does
				in.Add(-1)
				unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return most.Load()
}

func TestRecordLockExclusive(t *testing.T) {
	rec := &memRecord{}
	ctx := context.Background()
	if most := holders(t, 8, 20, func() (func(), error) { return RecordLock{Record: rec}.Lock(ctx) }); most != 1 {
		t.Fatalf("%d holders at once, want 1", most)
	}
	if _, ok, _ := rec.Get(ctx); ok {
		t.Fatal("the record is left behind after the last unlock")
	}
}

// frozen is a clock that stands still.
func frozen() time.Time { return time.UnixMilli(1_700_000_000_000) }

// A value that is past its until, or that is no value of this protocol (the empty lock file of an
// older CLI's flock, garbage), is free at once: with the clock standing still, a lock that
// waited for it would never be taken.
func TestRecordLockStaleValuesAreFree(t *testing.T) {
	past, _ := json.Marshal(lockRecordValue{Holder: "dead", Until: frozen().Add(-time.Millisecond).UnixMilli()})
	for name, v := range map[string]string{"expired": string(past), "legacy empty": "", "garbage": "{not json", "no holder": `{"until": 9999999999999}`} {
		t.Run(name, func(t *testing.T) {
			rec := &memRecord{}
			rec.put(v)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // a safety net
			defer cancel()
			unlock, err := RecordLock{Record: rec, Now: frozen}.Lock(ctx)
			if err != nil {
				t.Fatalf("a %s lock value blocked: %v", name, err)
			}
			cur, _, _ := rec.Get(ctx)
			var lv lockRecordValue
			if json.Unmarshal([]byte(cur), &lv) != nil || lv.Holder == "" || lv.Until != frozen().Add(lockHold).UnixMilli() {
				t.Fatalf("the record holds %q, want the new holder's value", cur)
			}
			unlock()
		})
	}
}

// A live value holds others off: with the clock standing still, a waiter waits until its
// context ends.
func TestRecordLockWaitsWhileHeld(t *testing.T) {
	rec := &memRecord{}
	held, _ := json.Marshal(lockRecordValue{Holder: "alive", Until: frozen().Add(time.Second).UnixMilli()})
	rec.put(string(held))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := (RecordLock{Record: rec, Now: frozen}).Lock(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a held lock was taken: %v", err)
	}
	if cur, _, _ := rec.Get(ctx); cur != string(held) {
		t.Fatalf("the holder's value was changed to %q", cur)
	}
}

// A value whose until lies far ahead (a clock that was wrong, a foreign writer) is believed for
// lockHold from when the waiter first saw it, no longer.
func TestRecordLockCapsAFarUntil(t *testing.T) {
	rec := &memRecord{}
	far, _ := json.Marshal(lockRecordValue{Holder: "stuck", Until: frozen().Add(24 * time.Hour).UnixMilli()})
	rec.put(string(far))
	var calls atomic.Int64
	clock := func() time.Time { return frozen().Add(time.Duration(calls.Add(1)) * time.Second) } // a second per look
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	unlock, err := RecordLock{Record: rec, Now: clock}.Lock(ctx)
	if err != nil {
		t.Fatalf("a value with a far until blocked: %v", err)
	}
	defer unlock()
	if n := calls.Load(); n < int64(lockHold/time.Second) {
		t.Fatalf("taken after %d looks (a second each), want the hold of %v first", n, lockHold)
	}
}

// A holder renews its value, so a waiter does not take a live holder's lock when the first
// value's until has passed; unlock removes the renewed value.
func TestRecordLockRenews(t *testing.T) {
	rec := &memRecord{}
	var now atomic.Int64
	now.Store(frozen().UnixMilli())
	clock := func() time.Time { return time.UnixMilli(now.Load()) }
	ctx := context.Background()
	unlock, err := RecordLock{Record: rec, Now: clock, renewEvery: time.Millisecond}.Lock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	now.Add((lockHold * 3 / 4).Milliseconds())
	want := now.Load() + lockHold.Milliseconds()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) { // a safety net
		cur, _, _ := rec.Get(ctx)
		var lv lockRecordValue
		if json.Unmarshal([]byte(cur), &lv) == nil && lv.Until >= want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the value was not renewed: %q", cur)
		}
	}
	now.Add((lockHold / 2).Milliseconds()) // past the first value's until
	wctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := (RecordLock{Record: rec, Now: clock}).Lock(wctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a live holder's lock was taken: %v", err)
	}
	unlock()
	if v, ok, _ := rec.Get(ctx); ok {
		t.Fatalf("unlock left %q", v)
	}
}

// A holder whose lock was taken over (believed dead) neither renews nor removes the new
// holder's value.
func TestRecordLockUnlockKeepsATakeover(t *testing.T) {
	rec := &memRecord{}
	ctx := context.Background()
	unlock, err := RecordLock{Record: rec, renewEvery: time.Millisecond}.Lock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rec.put(`{"holder":"other","until":9999999999999}`)
	time.Sleep(5 * time.Millisecond) // renewals run and must find the other value
	unlock()
	if v, _, _ := rec.Get(ctx); v != `{"holder":"other","until":9999999999999}` {
		t.Fatalf("the new holder's value became %q", v)
	}
}
