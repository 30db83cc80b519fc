package authorizer

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/globus-edge/globus-edge/tokens"
)

// Refresher renews tokens: pass auth.Client's Refresh method (a.Auth.Refresh). A function
// type, not an interface, for the reason transport.Doer is one: *auth.Client holds a Doer, so
// putting it in an interface would link what *http.Response reaches (bench/analysis.md).
type Refresher func(ctx context.Context, refreshToken string) (*tokens.Response, error)

// RefreshToken is the Python SDK's RefreshTokenAuthorizer. It uses AccessToken while
// now <= ExpiresAt - 60 s and renews otherwise. Only one renewal runs at a time: concurrent
// callers wait for it and share its result. Safe for concurrent use.
type RefreshToken struct {
	// Client renews tokens. Required.
	Client Refresher
	// OnRefresh, if set, receives every refresh response before the new token is used (the
	// tutorial passes the token storage's StoreResponse). If it fails, the request fails: a
	// rotated refresh token that was not persisted must not be relied on.
	OnRefresh func(ctx context.Context, r *tokens.Response) error
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Lock and Reload, if set, coordinate with other processes sharing the storage: renewal
	// takes the lock, and if Reload finds a usable token another process stored meanwhile
	// (before the lock, while waiting for it — a Lock returning tokens.ErrStoredMeanwhile — or
	// under it), that token is adopted instead of refreshing again. OnRefresh runs under the
	// lock.
	Lock   func(ctx context.Context) (unlock func(), err error)
	Reload func(ctx context.Context) (*tokens.Data, error)
	// Replaced, if set, is asked (under the lock) after a refresh of refreshToken failed with
	// err whether storage holds tokens that replaced it — another process rotated it, and this
	// one read storage before that or from a stale copy. Tokens it returns are used instead:
	// as they are while usable, or refreshed once more. Nil means there are none.
	Replaced func(ctx context.Context, refreshToken string, err error) *tokens.Data

	mu sync.Mutex
	// cur holds the tokens in use; ExpiresAtSeconds 0 means unknown (renew before use).
	cur tokens.Data
}

// NewRefreshToken returns an authorizer for refreshToken with an optional current access token
// and its expiry (both or neither, as in the Python SDK). Unlike the Python SDK it does not
// renew at construction; the first Header call does when needed.
func NewRefreshToken(client Refresher, refreshToken, accessToken string, expiresAt time.Time) (*RefreshToken, error) {
	if refreshToken == "" {
		return nil, errors.New("authorizer: no refresh token (log in with refresh tokens requested)")
	}
	if (accessToken == "") != expiresAt.IsZero() {
		return nil, errors.New("authorizer: access token and expiry must be given together")
	}
	cur := tokens.Data{RefreshToken: refreshToken, AccessToken: accessToken}
	if !expiresAt.IsZero() {
		cur.ExpiresAtSeconds = expiresAt.Unix()
	}
	return &RefreshToken{Client: client, cur: cur}, nil
}

// FromData builds a RefreshToken authorizer from stored token data.
func FromData(client Refresher, d tokens.Data) (*RefreshToken, error) {
	return NewRefreshToken(client, d.RefreshToken, d.AccessToken, d.ExpiresAt())
}

func (a *RefreshToken) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// Header implements Authorizer. Holding the lock across the renewal is what makes concurrent
// callers wait for one refresh instead of each sending their own.
func (a *RefreshToken) Header(ctx context.Context) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cur.NeedsRenewal(a.now()) {
		if err := a.renew(ctx); err != nil {
			return "", err
		}
	}
	return "Bearer " + a.cur.AccessToken, nil
}

// Invalidate implements Authorizer: after a 401 the next Header renews — unless the token
// was already renewed since header was sent (concurrent calls that all got a 401 for the same
// old token then share one refresh instead of each starting another).
func (a *RefreshToken) Invalidate(header string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if header == "Bearer "+a.cur.AccessToken {
		a.cur.ExpiresAtSeconds = 0
	}
	return true
}

// AccessToken returns the current access token and its expiry (for hosts that display them).
func (a *RefreshToken) AccessToken() (string, time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cur.ExpiresAtSeconds == 0 {
		return a.cur.AccessToken, time.Time{}
	}
	return a.cur.AccessToken, a.cur.ExpiresAt()
}

func (a *RefreshToken) renew(ctx context.Context) error {
	if a.Lock != nil {
		// Another process may have renewed since this one last read storage: adopting its token
		// then needs no lock (a lock can cost a storage write, as a KV lease does).
		if a.adopt(ctx) {
			return nil
		}
		unlock, adopted, err := a.lock(ctx)
		if err != nil {
			return fmt.Errorf("authorizer: taking the refresh lock: %w", err)
		}
		if adopted {
			return nil
		}
		defer unlock()
		if a.adopt(ctx) {
			return nil
		}
	}
	r, err := a.Client(ctx, a.cur.RefreshToken)
	if err != nil && a.Replaced != nil {
		if d := a.Replaced(ctx, a.cur.RefreshToken, err); d != nil && d.RefreshToken != "" && d.RefreshToken != a.cur.RefreshToken {
			a.cur = *d
			if !d.NeedsRenewal(a.now()) {
				return nil
			}
			r, err = a.Client(ctx, a.cur.RefreshToken)
		}
	}
	if err != nil {
		return err
	}
	byRS := r.ByResourceServer()
	if len(byRS) != 1 {
		return fmt.Errorf("authorizer: a refresh response must hold exactly one resource server, got %d", len(byRS))
	}
	var t tokens.Data
	for _, t = range byRS {
	}
	// Persist first: if the server rotated the refresh token, the old one is already dead.
	if a.OnRefresh != nil {
		if err := a.OnRefresh(ctx, r); err != nil {
			return fmt.Errorf("authorizer: storing refreshed tokens: %w", err)
		}
	}
	if t.RefreshToken == "" { // keep the old one when the response carries none
		t.RefreshToken = a.cur.RefreshToken
	}
	a.cur = t
	return nil
}

// lock takes the lock. When the lock reports that the holder it waited for stored new tokens
// (tokens.ErrStoredMeanwhile), those are adopted if usable (adopted, nothing held); otherwise
// the lock is taken again once, and if that too ends in new tokens that cannot be used, the
// renewal goes ahead without the lock.
func (a *RefreshToken) lock(ctx context.Context) (unlock func(), adopted bool, err error) {
	for range 2 {
		unlock, err := a.Lock(ctx)
		if !errors.Is(err, tokens.ErrStoredMeanwhile) {
			return unlock, false, err
		}
		if a.adopt(ctx) {
			return nil, true, nil
		}
	}
	return func() {}, false, nil
}

// adopt re-reads storage (Reload) and takes the token found there when another process stored
// a usable one; it reports whether it did.
func (a *RefreshToken) adopt(ctx context.Context) bool {
	if a.Reload == nil {
		return false
	}
	d, err := a.Reload(ctx)
	if err != nil || d == nil || d.AccessToken == a.cur.AccessToken || d.RefreshToken == "" || d.NeedsRenewal(a.now()) {
		return false
	}
	a.cur = *d
	return true
}
