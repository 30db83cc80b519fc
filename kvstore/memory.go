package kvstore

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"time"
)

// Memory is a KV in memory with Cloudflare KV's rules (TTL of at least MinTTL), for tests and
// native demos. The zero value is ready to use; it is safe for concurrent use.
type Memory struct {
	// Now is the clock for expiry; nil means time.Now.
	Now func() time.Time

	mu      sync.Mutex
	values  map[string]string
	expires map[string]time.Time
}

func (m *Memory) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// Get implements KV.
func (m *Memory) Get(_ context.Context, key string) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.expireLocked()
	v, ok := m.values[key]
	return v, ok, nil
}

// Put implements KV. A TTL below MinTTL is refused, as Cloudflare KV refuses it.
func (m *Memory) Put(_ context.Context, key, value string, ttl time.Duration) error {
	if ttl < 0 || (ttl > 0 && ttl < MinTTL) {
		return fmt.Errorf("memory kv: expiration TTL %v is below the KV minimum of 60 s", ttl)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.values == nil {
		m.values, m.expires = map[string]string{}, map[string]time.Time{}
	}
	m.values[key] = value
	delete(m.expires, key)
	if ttl > 0 {
		m.expires[key] = m.now().Add(ttl)
	}
	return nil
}

// Delete implements KV.
func (m *Memory) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.values, key)
	delete(m.expires, key)
	return nil
}

// Snapshot returns a copy of every live key and value.
func (m *Memory) Snapshot() map[string]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.expireLocked()
	return maps.Clone(m.values)
}

// TTL returns the time left before key expires (0 for no expiry) and whether key exists.
func (m *Memory) TTL(key string) (time.Duration, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.expireLocked()
	if _, ok := m.values[key]; !ok {
		return 0, false
	}
	if exp, ok := m.expires[key]; ok {
		return exp.Sub(m.now()), true
	}
	return 0, true
}

func (m *Memory) expireLocked() {
	now := m.now()
	for k, exp := range m.expires {
		if !now.Before(exp) {
			delete(m.values, k)
			delete(m.expires, k)
		}
	}
}
