package app

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/globus-edge/globus-edge/auth"
	"github.com/globus-edge/globus-edge/authorizer"
	"github.com/globus-edge/globus-edge/groups"
	"github.com/globus-edge/globus-edge/tokens"
)

// storeRenewal writes a refresh response back to Storage, but only over a login that is still
// stored. A renewal that finishes after a logout (in another process, tab or worker request
// whose lock did not cover it) finds no record: its tokens are revoked at Globus instead of
// being stored, so the logout stands and nothing it missed stays live.
func (a *App) storeRenewal(ctx context.Context, r *tokens.Response) error {
	err := tokens.Update(ctx, a.Storage, r)
	if !errors.Is(err, tokens.ErrNoRecord) {
		return err
	}
	if rerr := a.revoke(context.WithoutCancel(ctx), maps.Values(r.ByResourceServer())); rerr != nil {
		return fmt.Errorf("%w: logged out while the tokens were being renewed; revoking the renewed tokens failed: %w", ErrLoginRequired, rerr)
	}
	return fmt.Errorf("%w: logged out while the tokens were being renewed (the renewed tokens were revoked)", ErrLoginRequired)
}

// refreshLock takes the lock renewals take, when Storage has one, so that a logout and a
// renewal do not interleave. A lock that stopped waiting because the renewal it waited for
// stored its tokens (tokens.ErrStoredMeanwhile) lets the caller go on: what it reads now is
// what that renewal stored.
func (a *App) refreshLock(ctx context.Context) (func(), error) {
	l, ok := a.Storage.(tokens.Locker)
	if !ok {
		return func() {}, nil
	}
	unlock, err := l.Lock(ctx)
	if errors.Is(err, tokens.ErrStoredMeanwhile) {
		return func() {}, nil
	}
	return unlock, err
}

// authorizer returns the authorizer for the stored Groups tokens, reusing the current one while
// storage still holds what it was built from (another tab or process may have changed it).
func (a *App) authorizer(ctx context.Context) (authorizer.Authorizer, tokens.Data, error) {
	d, err := a.Storage.Get(ctx, groups.ResourceServer)
	if err != nil {
		return nil, tokens.Data{}, err
	}
	if d == nil {
		return nil, tokens.Data{}, ErrLoginRequired
	}
	if d.RefreshToken == "" {
		if d.NeedsRenewal(a.now()) {
			return nil, *d, fmt.Errorf("%w: the stored access token has expired and there is no refresh token", ErrLoginRequired)
		}
		return authorizer.AccessToken(d.AccessToken), *d, nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.authz != nil && a.authzSrc == *d {
		return a.authz, *d, nil
	}
	rt, err := authorizer.FromData(a.Auth.Refresh, *d)
	if err != nil {
		return nil, *d, err
	}
	rt.Now = a.now
	if l, ok := a.Storage.(tokens.Locker); ok {
		rt.Lock = l.Lock
		rt.Reload = func(ctx context.Context) (*tokens.Data, error) { return a.Storage.Get(ctx, groups.ResourceServer) }
	}
	rt.Replaced = func(ctx context.Context, refused string, err error) *tokens.Data {
		if !auth.IsInvalidGrant(err) {
			return nil
		}
		return a.replacement(ctx, refused)
	}
	rt.OnRefresh = func(ctx context.Context, r *tokens.Response) error {
		if err := a.storeRenewal(ctx, r); err != nil {
			return err
		}
		if a.OnRefresh != nil {
			a.OnRefresh()
		}
		return nil
	}
	a.authz, a.authzSrc = rt, *d
	return rt, *d, nil
}

func (a *App) forget() {
	a.mu.Lock()
	a.authz = nil
	a.mu.Unlock()
}

// replacement returns the Groups tokens that replaced the refresh token Globus refused, when
// another process, tab or worker request rotated it: what storage holds now if it differs, or,
// from a storage whose reads may be stale (a KV location that has not yet seen another
// location's refresh), the login that replaced the one it read (tokens.Successors). Removing
// the login instead could remove the newer one. Nil when there is none.
func (a *App) replacement(ctx context.Context, refused string) *tokens.Data {
	d, err := a.Storage.Get(ctx, groups.ResourceServer)
	if err != nil || d == nil {
		return nil
	}
	if d.RefreshToken != refused {
		return d
	}
	s, ok := a.Storage.(tokens.Successors)
	if !ok {
		return nil
	}
	if next, err := s.GetSuccessor(ctx, groups.ResourceServer); err == nil && next != nil && next.RefreshToken != refused {
		return next
	}
	return nil
}
