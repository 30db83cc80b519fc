package tokens

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"time"
)

// LockRecord is one record with an atomic compare-and-swap, where RecordLock keeps its lock:
// the lock file beside a token file, written by the CLI (FileBlob.Lock) and by the JS package's
// Node file storage (its compareAndSwap, js/node-file-storage.js), so that they lock each
// other out. The record's values are RecordLock's; the record only stores them.
type LockRecord interface {
	// Get returns the record's value, or ok=false when there is none.
	Get(ctx context.Context) (value string, ok bool, err error)
	// Swap sets the record to *value (removes it when value is nil) if it holds *old (is
	// absent when old is nil), and reports whether it did. Of several Swaps from one old
	// value, made at once by different processes, at most one succeeds; a creation (nil old)
	// never replaces a record, and a removal never leaves another value removed.
	Swap(ctx context.Context, old, value *string) (bool, error)
}

// RecordLock is a Locker over a LockRecord: the lock between processes that share a token file
// (the CLI, Node scripts). It is exact while its holders live: the record is created only if
// absent, so of two processes one holds it and the other waits. A holder that dies leaves its
// value behind, which carries its own expiry ("until", lockHold after it was written); a live
// holder pushes it forward every lockRenew, so only a dead (or stalled) holder's value expires,
// and a waiter then removes it (a removal from that value, which one waiter wins) and creates
// its own. So a holder that crashed delays the others by at most lockHold. A value that does not
// parse (the empty lock file an older CLI left, locked with flock(2)) is free at once: values
// of this protocol are whole from the moment they exist (LockRecord.Swap), never empty.
type RecordLock struct {
	Record LockRecord
	// Now is the clock of the values' expiry; nil means time.Now.
	Now func() time.Time

	renewEvery time.Duration // tests shorten it; 0 means lockRenew
}

// lockRecordValue is what a lock record holds (JSON).
type lockRecordValue struct {
	Holder string `json:"holder"`
	Until  int64  `json:"until"` // Unix milliseconds
}

const (
	// lockHold is how long a value holds others off without being renewed, and the longest
	// anyone waits for one value (a later until is not believed).
	lockHold = 10 * time.Second
	// lockRenew is how often a holder renews its value: well within lockHold, so a holder
	// that is merely slow (a refresh retried against a slow Globus) keeps the lock.
	lockRenew   = lockHold / 4
	lockPollMin = 5 * time.Millisecond
	lockPollMax = 100 * time.Millisecond // a file or a Node storage: polling is cheap, a handover quick
)

func (l RecordLock) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

// value is a fresh value of holder's.
func (l RecordLock) value(holder string) string {
	b, _ := json.Marshal(lockRecordValue{Holder: holder, Until: l.now().Add(lockHold).UnixMilli()})
	return string(b)
}

// Lock implements Locker: it waits until the record is created with its value (or a stale
// value removed first), then renews the value until unlocked.
func (l RecordLock) Lock(ctx context.Context) (func(), error) {
	id := make([]byte, 12)
	rand.Read(id)
	mine := base64.RawURLEncoding.EncodeToString(id)
	var seen string // the value waited on, since when: a value is believed for lockHold at most
	var since time.Time
	for poll := lockPollMin; ; poll = min(poll*2, lockPollMax) {
		val := l.value(mine)
		ok, err := l.Record.Swap(ctx, nil, &val)
		if err != nil {
			return nil, err
		}
		if ok {
			return l.hold(ctx, mine, val), nil
		}
		cur, exists, err := l.Record.Get(ctx)
		if err != nil {
			return nil, err
		}
		now := l.now()
		if cur != seen {
			seen, since = cur, now
		}
		if exists && !(now.Before(untilOf(cur)) && now.Before(since.Add(lockHold))) {
			// Removed by one waiter only; each then tries to create it again after the poll.
			if _, err := l.Record.Swap(ctx, &cur, nil); err != nil {
				return nil, err
			}
		}
		if err := Sleep(ctx, poll); err != nil {
			return nil, err
		}
	}
}

// untilOf is the expiry of the lock value v; the zero time when v is none (an older CLI's
// empty lock file, garbage), which holds no one off.
func untilOf(v string) time.Time {
	var lv lockRecordValue
	if json.Unmarshal([]byte(v), &lv) != nil || lv.Holder == "" {
		return time.Time{}
	}
	return time.UnixMilli(lv.Until)
}

// hold renews the value val of holder mine until the returned unlock, which removes it. A
// renewal or removal that finds another value (a waiter took the lock over, believing this
// holder dead) changes nothing: the other holder keeps its lock.
func (l RecordLock) hold(ctx context.Context, mine, val string) func() {
	every := l.renewEvery
	if every == 0 {
		every = lockRenew
	}
	ctx = context.WithoutCancel(ctx)
	held, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for Sleep(held, every) == nil {
			next := l.value(mine)
			if ok, err := l.Record.Swap(ctx, &val, &next); err == nil && ok {
				val = next
			}
		}
	}()
	return func() {
		stop()
		<-done
		l.Record.Swap(ctx, &val, nil) // a failure leaves a value that expires by itself
	}
}

// Sleep waits d, or until ctx ends and returns its error.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
