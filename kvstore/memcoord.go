package kvstore

import (
	"context"
	"sync"
	"time"
)

// MemoryCoordinators is the worker's Durable Object (js/coordinator.js: one SessionCoordinator
// per session) in memory, for tests: the same primitives with the same rules, one process
// holding every session's. It counts the calls it gets, as Durable Object requests are billed.
// The zero value is ready to use; it is safe for concurrent use.
type MemoryCoordinators struct {
	// Now is the clock of lock expiries and kept records; nil means time.Now.
	Now func() time.Time

	mu     sync.Mutex
	byKey  map[string]*memCoord
	counts map[string]int // calls by method
}

var _ Coordinators = (*MemoryCoordinators)(nil)

// memCoord is one session's coordinator. changed is closed (and replaced) whenever the record
// or the lock changes, waking the Lock calls waiting on it.
type memCoord struct {
	m       *MemoryCoordinators
	rec     Record
	exp     time.Time // when rec is dropped; zero: never
	holder  string
	until   time.Time
	changed chan struct{}
}

func (m *MemoryCoordinators) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// For implements Coordinators.
func (m *MemoryCoordinators) For(key string) Coordinator {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.byKey == nil {
		m.byKey, m.counts = map[string]*memCoord{}, map[string]int{}
	}
	c := m.byKey[key]
	if c == nil {
		c = &memCoord{m: m, changed: make(chan struct{})}
		m.byKey[key] = c
	}
	return c
}

// Counts returns the calls so far by method ("read", "write", "lock", "unlock").
func (m *MemoryCoordinators) Counts() map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]int, len(m.counts))
	for k, v := range m.counts {
		out[k] = v
	}
	return out
}

// ResetCounts sets every count to zero.
func (m *MemoryCoordinators) ResetCounts() {
	m.mu.Lock()
	m.counts = map[string]int{}
	m.mu.Unlock()
}

// call counts a call of method and returns with m.mu held, the kept record dropped if its
// time has passed (the Durable Object's alarm).
func (c *memCoord) call(method string) {
	c.m.mu.Lock()
	c.m.counts[method]++
	if !c.exp.IsZero() && !c.m.now().Before(c.exp) {
		c.rec, c.exp = Record{}, time.Time{}
	}
}

// notifyLocked wakes the waiting Lock calls; c.m.mu is held.
func (c *memCoord) notifyLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// Read implements Coordinator.
func (c *memCoord) Read(context.Context) (Record, error) {
	c.call("read")
	defer c.m.mu.Unlock()
	return c.rec, nil
}

// Write implements Coordinator.
func (c *memCoord) Write(_ context.Context, expect int64, value *string, ttl time.Duration) (Record, bool, error) {
	c.call("write")
	defer c.m.mu.Unlock()
	if c.rec.Version != expect {
		return c.rec, false, nil
	}
	now := c.m.now()
	switch {
	case ttl > 0:
		c.exp = now.Add(ttl)
	case value == nil && c.exp.IsZero():
		c.exp = now.Add(tombstoneTTL)
	case value != nil:
		c.exp = time.Time{}
	}
	c.rec = Record{Version: expect + 1, Deleted: value == nil}
	if value != nil {
		c.rec.Value = *value
	}
	c.notifyLocked()
	return c.rec, true, nil
}

// tombstoneTTL is how long a coordinator keeps the tombstone of a record that had no expiry.
const tombstoneTTL = 30 * 24 * time.Hour

// Lock implements Coordinator.
func (c *memCoord) Lock(ctx context.Context, holder string, seen int64, hold, wait time.Duration) (Record, bool, error) {
	c.call("lock")
	deadline := c.m.now().Add(wait)
	for {
		now := c.m.now()
		if c.holder == "" || c.holder == holder || !now.Before(c.until) {
			c.holder, c.until = holder, now.Add(hold)
			defer c.m.mu.Unlock()
			return c.rec, true, nil
		}
		if (seen >= 0 && c.rec.Version != seen) || !now.Before(deadline) {
			defer c.m.mu.Unlock()
			return c.rec, false, nil
		}
		changed, next := c.changed, min(deadline.Sub(now), c.until.Sub(now))
		c.m.mu.Unlock()
		t := time.NewTimer(next)
		select {
		case <-changed:
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return Record{}, false, ctx.Err()
		}
		t.Stop()
		c.m.mu.Lock()
	}
}

// Unlock implements Coordinator.
func (c *memCoord) Unlock(_ context.Context, holder string) error {
	c.call("unlock")
	defer c.m.mu.Unlock()
	if c.holder == holder {
		c.holder = ""
		c.notifyLocked()
	}
	return nil
}
