package kvstore

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/tokens"
)

const testRecord = "session/r"

// withRecord is a Cloud (one location, no staleness) holding a record, and a lease over it.
func withRecord(t *testing.T) (*Cloud, *Location, Lease) {
	t.Helper()
	c := &Cloud{}
	c.Store().Put(context.Background(), testRecord, "v0", 0)
	a := c.Location("a")
	return c, a, Lease{KV: a, Key: "lease/r", Record: testRecord}
}

// Twenty requests want the lease at once: one takes it (the others' writes are refused as 429s
// or lose the read-back), and when it stores the record every waiter stops with
// ErrStoredMeanwhile. The holder's store is its release: the lease is written once, deleted
// never, and no write fails the caller.
func TestLeaseOneHolderWaitersAdoptOnStore(t *testing.T) {
	c, a, l := withRecord(t)
	var mu sync.Mutex
	var held, meanwhile int
	var errs []error
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			unlock, err := l.Acquire(context.Background())
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, tokens.ErrStoredMeanwhile):
				meanwhile++
			case err != nil:
				errs = append(errs, err)
			default:
				held++
				mu.Unlock()
				// Store only once every request has read the record it started from.
				for c.Counts()["session/"].Reads < 20 {
					time.Sleep(time.Millisecond)
				}
				a.Put(context.Background(), testRecord, "v1", 0)
				unlock()
				mu.Lock()
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 || held != 1 || meanwhile != 19 {
		t.Fatalf("%d held, %d adopted, errors %v; want 1, 19, none", held, meanwhile, errs)
	}
	if n := c.Counts()["lease/"]; n.Writes != 1 || n.Deletes != 0 {
		t.Errorf("lease operations %+v: want one write and no delete (the store released it)", n)
	}
}

// A holder that stores nothing (its refresh failed) deletes its lease, waiting for the key's
// second rather than having the delete refused.
func TestLeaseReleaseWithoutStoreDeletes(t *testing.T) {
	c, a, l := withRecord(t)
	unlock, err := l.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	if _, ok, _ := a.Get(context.Background(), l.Key); ok {
		t.Fatal("the lease was left behind")
	}
	if n := c.Counts()["lease/"]; n.Writes != 1 || n.Deletes != 1 || n.Refused != 0 {
		t.Errorf("lease operations %+v: want one write, one delete, no refusal", n)
	}
}

// With no record there is nothing a refresh could store: the lease is not written.
func TestLeaseWithoutRecordWritesNothing(t *testing.T) {
	c := &Cloud{}
	l := Lease{KV: c.Location("a"), Key: "lease/r", Record: testRecord}
	unlock, err := l.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	for p, n := range c.Counts() {
		if n.Writes+n.Deletes+n.Refused != 0 {
			t.Errorf("%s: %+v, want no write", p, n)
		}
	}
}

// noTTL is a store that ignores expirationTtl (a JS app's own storage object), whose clock
// moves on by step at every read of the lease, so a waiter's polls are counted in clock time.
type noTTL struct {
	Memory
	clk  *clock
	step time.Duration
}

func (k *noTTL) Put(ctx context.Context, key, v string, _ time.Duration) error {
	return k.Memory.Put(ctx, key, v, 0)
}

func (k *noTTL) Get(ctx context.Context, key string) (string, bool, error) {
	if key == "lease/r" {
		k.clk.advance(k.step)
	}
	return k.Memory.Get(ctx, key)
}

// A lease left by a holder that crashed, in a store that ignores TTLs, delays the next holder
// by at most its own expiry (its until, believed up to leaseHold), and not at all when it is
// of an older format or guards a record that changed since.
func TestStaleLeaseWithoutTTLDelaysAtMostItsExpiry(t *testing.T) {
	const step = time.Second
	for _, tc := range []struct {
		name  string
		lease func(start time.Time, base string) string
		wait  time.Duration // when the lease is free, from start
	}{
		{"expiring in 3 s", func(s time.Time, b string) string { return leaseJSON(s.Add(3*time.Second), b) }, 3 * time.Second},
		{"claiming an hour", func(s time.Time, b string) string { return leaseJSON(s.Add(time.Hour), b) }, leaseHold},
		{"already expired", func(s time.Time, b string) string { return leaseJSON(s.Add(-time.Second), b) }, 0},
		{"older format", func(time.Time, string) string { return "Zm9vYmFyYmF6cXV4" }, 0},
		{"over an older record", func(s time.Time, _ string) string { return leaseJSON(s.Add(time.Hour), "old") }, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			kv := &noTTL{clk: clk, step: step}
			ctx := context.Background()
			kv.Put(ctx, testRecord, "v0", 0)
			start := clk.now()
			kv.Put(ctx, "lease/r", tc.lease(start, Fingerprint("v0")), 0)
			l := Lease{KV: kv, Key: "lease/r", Record: testRecord, Now: clk.now}
			unlock, err := l.Acquire(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer unlock()
			// The clock moved step at each lease read; the lease is ours from the first read
			// at or after the moment it is free, plus the two read-backs.
			waited := clk.now().Sub(start)
			if waited < tc.wait || waited > tc.wait+3*step {
				t.Errorf("acquired after %v of clock time, want %v (+ at most a poll and the read-backs)", waited, tc.wait)
			}
		})
	}
}

func leaseJSON(until time.Time, base string) string {
	return `{"holder":"crashed","until":` + strconv.FormatInt(until.UnixMilli(), 10) + `,"base":"` + base + `"}`
}
