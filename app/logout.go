package app

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"

	"github.com/globus-edge/globus-edge/groups"
	"github.com/globus-edge/globus-edge/tokens"
)

// Logout revokes every stored access and refresh token, then removes them from Storage. The
// tokens are removed even when a revocation fails (Globus unreachable); the returned error
// then says which revocations failed, so the user knows the tokens may still be live.
// Storage is cleared under the lock renewals take: a renewal in flight stores its tokens
// first and they are the ones revoked (otherwise it would write them back after the logout).
// Storage is read first: with no login stored (never logged in, or a forged session) Logout
// takes no lock and writes nothing, as taking a lock or deleting can cost a write (in KV).
func (a *App) Logout(ctx context.Context) error {
	d, err := a.Storage.Get(ctx, groups.ResourceServer)
	if err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	if d == nil { // a login is always stored with its Groups token (FinishLogin)
		a.forget()
		return nil
	}
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
	if err := a.revoke(ctx, maps.Values(stored)); err != nil {
		return fmt.Errorf("logout: tokens removed from storage, but revoking failed: %w", err)
	}
	return nil
}

// revoke revokes the access and refresh token of each token data, trying all of them, and
// joins the failures.
func (a *App) revoke(ctx context.Context, all iter.Seq[tokens.Data]) error {
	var errs []error
	for d := range all {
		for _, t := range []string{d.AccessToken, d.RefreshToken} {
			if t == "" {
				continue
			}
			if err := a.Auth.Revoke(ctx, t); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}
