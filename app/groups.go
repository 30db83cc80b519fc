package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/globus-edge/globus-edge/auth"
	"github.com/globus-edge/globus-edge/authorizer"
	"github.com/globus-edge/globus-edge/groups"
	"github.com/globus-edge/globus-edge/tokens"
)

// MyGroups lists the user's groups with the stored tokens, renewing them first when they are
// within 60 s of expiry (and once more after a 401), writing renewed tokens back to Storage
// before they are used. If Globus refuses the refresh token, the stored tokens are removed and
// the error wraps ErrLoginRequired.
func (a *App) MyGroups(ctx context.Context, statuses ...string) ([]groups.Group, error) {
	gs, used, err := a.myGroups(ctx, statuses)
	if !auth.IsInvalidGrant(err) {
		return gs, err
	}
	// Another process or tab may have rotated the refresh token under us: if storage now
	// holds a different one, try once more with it rather than logging the user out.
	if cur, gerr := a.Storage.Get(ctx, groups.ResourceServer); gerr == nil && cur != nil && cur.RefreshToken != used {
		if gs, _, err2 := a.myGroups(ctx, statuses); !auth.IsInvalidGrant(err2) {
			return gs, err2
		}
	}
	if _, cerr := a.Storage.Clear(ctx); cerr != nil {
		return nil, fmt.Errorf("%w (and removing the stored tokens failed: %v)", err, cerr)
	}
	a.forget()
	return nil, fmt.Errorf("%w: Globus refused the stored refresh token (expired or revoked); log in again: %w", ErrLoginRequired, err)
}

// myGroups makes the call once and says which refresh token the authorizer started from.
func (a *App) myGroups(ctx context.Context, statuses []string) ([]groups.Group, string, error) {
	authz, src, err := a.authorizer(ctx)
	if err != nil {
		return nil, "", err
	}
	gc := &groups.Client{BaseURL: a.Config.GroupsURL, Doer: &authorizer.Transport{Base: a.Transport, Authorizer: authz}}
	gs, err := gc.MyGroups(ctx, statuses...)
	return gs, src.RefreshToken, err
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
	rt, err := authorizer.FromData(a.Auth, *d)
	if err != nil {
		return nil, *d, err
	}
	rt.Now = a.now
	if l, ok := a.Storage.(tokens.Locker); ok {
		rt.Lock = l.Lock
		rt.Reload = func(ctx context.Context) (*tokens.Data, error) { return a.Storage.Get(ctx, groups.ResourceServer) }
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

// Logout revokes every stored access and refresh token, then removes them from Storage. The
// tokens are removed even when a revocation fails (Globus unreachable); the returned error
// then says which revocations failed, so the user knows the tokens may still be live.
// Storage is cleared under the lock renewals take: a renewal in flight stores its tokens
// first and they are the ones revoked (otherwise it would write them back after the logout).
func (a *App) Logout(ctx context.Context) error {
	unlock, err := a.refreshLock(ctx)
	if err != nil {
		return fmt.Errorf("logout: waiting for a token refresh in progress: %w", err)
	}
	stored, err := a.Storage.Clear(ctx)
	unlock()
	a.forget()
	if err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	var errs []error
	for _, d := range stored {
		for _, t := range []string{d.AccessToken, d.RefreshToken} {
			if t == "" {
				continue
			}
			if err := a.Auth.Revoke(ctx, t); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("logout: tokens removed from storage, but revoking failed: %w", errors.Join(errs...))
	}
	return nil
}
