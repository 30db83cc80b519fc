package kvstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/globus-edge/globus-edge/tokens"
)

// Lease is a best-effort lock in KV guarding one record. KV has no compare-and-set and, in the
// worker, concurrent requests of one session may run on Go instances (or in locations) that
// share no memory, so nothing else stops each of them from refreshing the session's tokens. A
// lease key, written before a refresh, lets the others wait and then adopt the tokens the
// holder stored (the core's authorizer re-reads storage).
//
// It is built for KV's rules: a key takes one write per second (so the holder cannot delete the
// lease right after writing it) and reads elsewhere may be stale. The lease value carries its
// own expiry ("until", leaseHold after it was taken) and the fingerprint of the record when it
// was taken ("base"). It is free once
//   - it is missing, unreadable (an older format), or past its until, whatever KV did with its
//     TTL: a holder that crashed delays the others by at most leaseHold;
//   - or the record no longer matches its base: the holder stored its result (or a logout
//     removed the record), which is the holder's real release and costs no write.
//
// A waiter that sees the record change stops waiting with tokens.ErrStoredMeanwhile: it should
// re-read the record instead of refreshing. A write of the lease that KV refuses (429) means
// another request is taking it at the same moment: the writer waits like any other. Two
// writers can still both win (KV without the write rule, or locations that read each other's
// lease late); that costs a second refresh, not a failure.
//
// In a location whose copy of the record is stale, a holder whose refresh was refused may find
// the newer record through its successor (SessionBlob.LoadSuccessor) without the record
// changing there; its release then says so in the lease ("next"), and the requests waiting in
// that location take the same successor instead of each being refused in turn.
type Lease struct {
	KV  KV
	Key string
	// Record is the key of the record the lease guards. While it is missing there is nothing to
	// guard (a refresh never creates a record, tokens.Update): Acquire then writes nothing.
	Record string
	// Now is the clock of the lease's expiry; nil means time.Now.
	Now func() time.Time

	seen *lastValue // the guarding SessionBlob's record values, when it has one
}

// leaseValue is what a lease key holds (JSON).
type leaseValue struct {
	Holder string `json:"holder"`
	Until  int64  `json:"until"`          // Unix milliseconds
	Base   string `json:"base"`           // the record's fingerprint when the lease was taken
	Next   string `json:"next,omitempty"` // the fingerprint of the base's successor, on release
}

const (
	// leaseHold is how long a lease holds off others when its holder neither stores nor
	// releases it, and the longest anyone waits for one holder (a later until is not believed).
	// A refresh takes well under a second, but a Globus answering slowly (retries) or a loaded
	// host can stretch it; a holder slower than this is taken for gone and a second refresh
	// runs, which with refresh-token rotation only successors (SessionBlob) make harmless.
	leaseHold    = 10 * time.Second
	leasePoll    = 50 * time.Millisecond
	leaseSettle  = 30 * time.Millisecond // between the two read-backs of a lease write
	leasePollMax = 500 * time.Millisecond
)

func (l Lease) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

// Acquire takes the lease, waiting while another holds it, and returns the function that
// releases it. It returns an error wrapping tokens.ErrStoredMeanwhile, holding nothing, when
// the record changed while it waited (or its holder handed over the record's successor).
func (l Lease) Acquire(ctx context.Context) (func(), error) {
	first, err := l.record(ctx)
	if err != nil {
		return nil, err
	}
	if first == "" {
		return func() {}, nil
	}
	id := make([]byte, 16)
	rand.Read(id)
	mine := base64.RawURLEncoding.EncodeToString(id)
	var w waiting
	for rec, poll := first, leasePoll; ; {
		v, ok, err := l.KV.Get(ctx, l.Key)
		if err != nil {
			return nil, storageError("reading a refresh lease", err)
		}
		if ok && l.handedOver(ctx, v, rec) {
			return nil, fmt.Errorf("kv: the session record's successor was handed over with its refresh lease: %w", tokens.ErrStoredMeanwhile)
		}
		if !ok || !w.held(v, Fingerprint(rec), l.now()) {
			release, err := l.take(ctx, mine, rec)
			if release != nil || err != nil {
				return release, err
			}
		}
		if err := sleep(ctx, poll); err != nil {
			return nil, err
		}
		poll = min(poll*3/2, leasePollMax)
		if rec, err = l.record(ctx); err != nil {
			return nil, err
		}
		if rec != first {
			return nil, fmt.Errorf("kv: the session record changed while waiting for its refresh lease: %w", tokens.ErrStoredMeanwhile)
		}
	}
}

// waiting remembers the holder a waiter is waiting for and since when, to cap its wait.
type waiting struct {
	holder string
	since  time.Time
}

// held reports whether the lease value v, read while the record's fingerprint is rec, still
// holds others off at now.
func (w *waiting) held(v, rec string, now time.Time) bool {
	var lv leaseValue
	if json.Unmarshal([]byte(v), &lv) != nil || lv.Holder == "" || lv.Base != rec {
		return false
	}
	if lv.Holder != w.holder {
		w.holder, w.since = lv.Holder, now
	}
	until := time.UnixMilli(lv.Until)
	return now.Before(until) && now.Before(w.since.Add(leaseHold))
}

// handedOver reports whether the lease value v was released by a holder that found the
// successor of the record value rec, and if so takes that successor as the record's newer
// value (the successor key exists: reading it cannot cache an absence that hides it).
func (l Lease) handedOver(ctx context.Context, v, rec string) bool {
	var lv leaseValue
	if l.seen == nil || json.Unmarshal([]byte(v), &lv) != nil || lv.Next == "" || lv.Base != Fingerprint(rec) {
		return false
	}
	next, ok, err := l.KV.Get(ctx, successorKey(rec))
	if err != nil || !ok || Fingerprint(next) != lv.Next {
		return false
	}
	l.seen.replace(rec, next)
	return true
}

// take writes the lease for holder mine over the record value rec and reads it back. It
// returns the release function when the lease is ours, nil when another request holds it or
// is writing it (KV refused our write as too soon after theirs).
func (l Lease) take(ctx context.Context, mine, rec string) (func(), error) {
	taken := l.now()
	lv := leaseValue{Holder: mine, Until: taken.Add(leaseHold).UnixMilli(), Base: Fingerprint(rec)}
	b, _ := json.Marshal(lv)
	val := string(b)
	err := l.KV.Put(ctx, l.Key, val, MinTTL)
	if limited, _ := RateLimited(err); limited {
		return nil, nil
	}
	if err != nil {
		return nil, storageError("writing a refresh lease", err)
	}
	// Read back, twice: of two writers racing in a store without the write rule (Miniflare's,
	// a JS app's own), the one whose value stayed holds the lease; a write landing just after
	// the first read-back is caught by the second.
	for i := range 2 {
		if i > 0 {
			if err := sleep(ctx, leaseSettle); err != nil {
				return nil, err
			}
		}
		v, ok, err := l.KV.Get(ctx, l.Key)
		if err != nil {
			return nil, storageError("reading a refresh lease back", err)
		}
		if !ok || v != val {
			return nil, nil
		}
	}
	return func() { l.release(context.WithoutCancel(ctx), lv, val, rec, taken) }, nil
}

// release frees the lease lv (stored as val) taken at taken over the record value rec. When
// the record changed meanwhile the holder's write already freed it and nothing is written.
// Otherwise (the refresh failed, or the holder adopted tokens stored by another) the lease is
// deleted, or rewritten as released with the successor the holder found, no sooner than KV
// accepts a second write to the key. Failures are ignored: the lease frees itself at its until.
func (l Lease) release(ctx context.Context, lv leaseValue, val, rec string, taken time.Time) {
	if cur, err := l.record(ctx); err != nil || cur != rec {
		return
	}
	if v, ok, err := l.KV.Get(ctx, l.Key); err != nil || !ok || v != val {
		return // only the holder releases: a waiter that took over must keep its lease
	}
	if wait := taken.Add(WriteInterval).Sub(l.now()); wait > 0 {
		sleep(ctx, min(wait, WriteInterval))
	}
	if next, ok := l.seen.successorOf(rec); ok {
		lv.Until, lv.Next = l.now().UnixMilli(), Fingerprint(next)
		b, _ := json.Marshal(lv)
		writeRetrying(ctx, func() error { return l.KV.Put(ctx, l.Key, string(b), MinTTL) })
		return
	}
	writeRetrying(ctx, func() error { return l.KV.Delete(ctx, l.Key) })
}

// record reads the guarded record's value ("" when there is none).
func (l Lease) record(ctx context.Context) (string, error) {
	v, ok, err := l.KV.Get(ctx, l.Record)
	if err != nil {
		return "", storageError("reading the record a refresh lease guards", err)
	}
	if !ok {
		return "", nil
	}
	return v, nil
}

// Fingerprint is a short hash of a stored value: what a lease records as the record it was
// taken over (its base), and what names the key of a value's successor.
func Fingerprint(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:18])
}
