package kvstore

import (
	"context"
	"strings"
	"sync"
	"time"
)

// Cloud is a KV namespace as Cloudflare documents it, for tests: the rules Miniflare's local KV
// does not enforce. One central store holds the values; each Location (an edge location, where
// a Worker runs) reads through its own cache:
//
//   - a second write (put or delete) to a key within WriteInterval of the last accepted one fails
//     with a *RateLimitError (ErrRateLimited, Cloudflare's 429), whichever location sends it;
//   - a TTL below MinTTL is refused (Memory's rule);
//   - a location serves what it last read of a key (a value, or its absence) for up to
//     Staleness, however the central store changed meanwhile; its own writes it sees at once.
//
// It counts reads, writes, deletes and refusals per key prefix (Counts). The zero value is one
// consistent store (Staleness 0); it is safe for concurrent use.
type Cloud struct {
	// Now is the clock of TTLs, the write rule and staleness; nil means time.Now.
	Now func() time.Time
	// Staleness is how long a location may keep serving a read after the key changed
	// elsewhere: 0 means every read sees every accepted write (read-your-writes everywhere);
	// Cloudflare documents up to 60 s or more.
	Staleness time.Duration

	once      sync.Once
	mu        sync.Mutex
	store     *Memory              // the central values and their expiry
	written   map[string]time.Time // last accepted write of each key
	locations map[string]*Location
	counts    map[string]*Counts
}

// Counts are the operations sent to a Cloud for one key prefix.
type Counts struct {
	Reads   int // gets, from a location's cache or not
	Writes  int // accepted puts
	Deletes int // accepted deletes (Cloudflare's Free plan counts them apart from writes)
	Refused int // puts and deletes refused as a second write to the key within a second
}

func (c *Cloud) init() {
	c.once.Do(func() {
		c.store = &Memory{Now: c.now}
		c.written = map[string]time.Time{}
		c.locations = map[string]*Location{}
		c.counts = map[string]*Counts{}
	})
}

func (c *Cloud) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Location returns the edge location called name (made on first use): a KV whose reads go
// through that location's cache.
func (c *Cloud) Location(name string) *Location {
	c.init()
	c.mu.Lock()
	defer c.mu.Unlock()
	l := c.locations[name]
	if l == nil {
		l = &Location{cloud: c, name: name, cache: map[string]cached{}}
		c.locations[name] = l
	}
	return l
}

// Store is the central store itself, outside every rule and cache: for tests to inspect what
// KV holds (Snapshot, TTL) or to set it up. Writes through it bypass the write rule and are
// seen by a location only once its cached read is older than Staleness.
func (c *Cloud) Store() *Memory {
	c.init()
	return c.store
}

// Counts returns the operations so far by key prefix: the key up to and including its first
// "/" ("session/", "lease/"), or the whole key when it has none.
func (c *Cloud) Counts() map[string]Counts {
	c.init()
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]Counts, len(c.counts))
	for p, n := range c.counts {
		out[p] = *n
	}
	return out
}

// ResetCounts sets every count to zero.
func (c *Cloud) ResetCounts() {
	c.init()
	c.mu.Lock()
	c.counts = map[string]*Counts{}
	c.mu.Unlock()
}

// countLocked returns the counts of key's prefix; c.mu is held.
func (c *Cloud) countLocked(key string) *Counts {
	p := key
	if i := strings.IndexByte(key, '/'); i >= 0 {
		p = key[:i+1]
	}
	n := c.counts[p]
	if n == nil {
		n = &Counts{}
		c.counts[p] = n
	}
	return n
}

// admitLocked applies the write rule to a write of key at now; c.mu is held.
func (c *Cloud) admitLocked(key string, now time.Time) error {
	if last, ok := c.written[key]; ok && now.Sub(last) < WriteInterval {
		c.countLocked(key).Refused++
		return &RateLimitError{RetryAfter: last.Add(WriteInterval).Sub(now)}
	}
	return nil
}

// Location is one edge location of a Cloud, a KV. Get serves the location's cached read of a
// key while it is younger than the Cloud's Staleness; Put and Delete go to the central store
// (under the write rule) and update this location's cache at once.
type Location struct {
	cloud *Cloud
	name  string
	cache map[string]cached // guarded by cloud.mu
}

// cached is what a location last read or wrote of a key.
type cached struct {
	value   string
	ok      bool
	expires time.Time // zero: no expiry
	at      time.Time // when it was read or written here
}

var _ KV = (*Location)(nil)

// Name is the location's name.
func (l *Location) Name() string { return l.name }

// Get implements KV.
func (l *Location) Get(_ context.Context, key string) (string, bool, error) {
	c := l.cloud
	c.mu.Lock()
	defer c.mu.Unlock()
	c.countLocked(key).Reads++
	now := c.now()
	e, hit := l.cache[key]
	if !hit || now.Sub(e.at) >= c.Staleness {
		e = cached{at: now}
		e.value, e.ok, _ = c.store.Get(context.Background(), key)
		if ttl, ok := c.store.TTL(key); ok && ttl > 0 {
			e.expires = now.Add(ttl)
		}
		l.cache[key] = e
	}
	if !e.ok || (!e.expires.IsZero() && !now.Before(e.expires)) {
		return "", false, nil
	}
	return e.value, true, nil
}

// Put implements KV: refused with a *RateLimitError within WriteInterval of the key's last
// write, and for a TTL below MinTTL.
func (l *Location) Put(ctx context.Context, key, value string, ttl time.Duration) error {
	c := l.cloud
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if err := c.admitLocked(key, now); err != nil {
		return err
	}
	if err := c.store.Put(ctx, key, value, ttl); err != nil {
		return err
	}
	c.written[key] = now
	c.countLocked(key).Writes++
	e := cached{value: value, ok: true, at: now}
	if ttl > 0 {
		e.expires = now.Add(ttl)
	}
	l.cache[key] = e
	return nil
}

// Delete implements KV: a delete is a write, refused like Put within WriteInterval.
func (l *Location) Delete(ctx context.Context, key string) error {
	c := l.cloud
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if err := c.admitLocked(key, now); err != nil {
		return err
	}
	c.store.Delete(ctx, key)
	c.written[key] = now
	c.countLocked(key).Deletes++
	l.cache[key] = cached{at: now}
	return nil
}
