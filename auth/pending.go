package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/globus-edge/globus-edge/tokens"
)

// ErrNoLogin means a login was to be finished but none is in progress here: it was finished
// already (a reload or a replayed redirect), expired, was started elsewhere, or never begun.
var ErrNoLogin = errors.New("auth: no login in progress here (it may have been finished already, or expired): start the login again")

// PendingTTL is how long a login in progress can be finished, in every host: the worker's
// state cookie, the page's sessionStorage, a JS app's storage object.
const PendingTTL = 10 * time.Minute

// PendingLogin keeps one login in progress (a Flow) between StartFlow and the code exchange,
// in a tokens.Blob: sessionStorage in a page, a sealed cookie in the worker, any storage in a
// JS app. A saved login is used at most once: Take removes it before looking at it, whatever
// the outcome (a failed exchange, a state mismatch, a replayed redirect).
type PendingLogin struct {
	Blob tokens.Blob
	// TTL is how long a saved login can be taken; 0 means no limit.
	TTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// pendingRecord is what is stored: the flow without its authorize URL (not needed to finish,
// and the largest field where the record travels in a cookie), and when it stops being valid.
type pendingRecord struct {
	Flow    Flow  `json:"flow"`
	Expires int64 `json:"expires,omitempty"` // Unix seconds; 0: never
}

func (p PendingLogin) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// Save keeps f, replacing any earlier login in progress.
func (p PendingLogin) Save(ctx context.Context, f *Flow) error {
	rec := pendingRecord{Flow: *f}
	rec.Flow.AuthorizeURL = ""
	if p.TTL > 0 {
		rec.Expires = p.now().Add(p.TTL).Unix()
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("auth: saving the login in progress: %w", err)
	}
	if err := p.Blob.Save(ctx, b); err != nil {
		return &tokens.StorageError{Op: "auth: saving the login in progress", Err: err}
	}
	return nil
}

// Take returns the login in progress after removing it, for a code the user pasted (no state
// comes back with it). Nothing saved, an unreadable record (tampered with, or sealed with a key
// no longer configured) and an expired one are ErrNoLogin; only a failure of the storage
// itself is another error.
func (p PendingLogin) Take(ctx context.Context) (*Flow, error) { return p.take(ctx, "", false) }

// TakeMatching is Take for a redirect back from Auth carrying state. A state that is not the
// saved login's is ErrStateMismatch and leaves the login in place, so a forged or stale
// redirect (?code=… or ?error=…) cannot cancel the login in progress; RFC 6749 §4.1.2.1 has
// the state checked before anything else in the redirect is honoured.
func (p PendingLogin) TakeMatching(ctx context.Context, state string) (*Flow, error) {
	return p.take(ctx, state, true)
}

func (p PendingLogin) take(ctx context.Context, state string, match bool) (*Flow, error) {
	b, ok, err := p.Blob.Load(ctx)
	switch {
	case errors.Is(err, tokens.ErrCorrupt):
		return nil, p.drop(ctx, fmt.Errorf("%w (the stored one is unreadable: %v)", ErrNoLogin, err))
	case err != nil:
		return nil, &tokens.StorageError{Op: "auth: reading the login in progress", Err: err}
	case !ok:
		return nil, ErrNoLogin
	}
	var rec pendingRecord
	if err := json.Unmarshal(b, &rec); err != nil || rec.Flow.State == "" || !validVerifier(rec.Flow.Verifier) {
		return nil, p.drop(ctx, fmt.Errorf("%w (the stored one is unreadable)", ErrNoLogin))
	}
	if rec.Expires != 0 && !p.now().Before(time.Unix(rec.Expires, 0)) {
		return nil, p.drop(ctx, fmt.Errorf("%w (it expired)", ErrNoLogin))
	}
	if match {
		if err := rec.Flow.CheckState(state); err != nil {
			return nil, err
		}
	}
	if err := p.drop(ctx, nil); err != nil {
		return nil, err
	}
	return &rec.Flow, nil
}

// drop deletes the saved login and returns why it was dropped (or the deletion's failure).
func (p PendingLogin) drop(ctx context.Context, why error) error {
	if err := p.Blob.Delete(ctx); err != nil {
		return &tokens.StorageError{Op: "auth: removing the login in progress", Err: err}
	}
	return why
}
