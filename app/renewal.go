package app

import (
	"context"
	"errors"
	"fmt"

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
	var failed []error
	for _, d := range r.ByResourceServer() {
		for _, t := range []string{d.AccessToken, d.RefreshToken} {
			if t == "" {
				continue
			}
			if rerr := a.Auth.Revoke(context.WithoutCancel(ctx), t); rerr != nil {
				failed = append(failed, rerr)
			}
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%w: logged out while the tokens were being renewed; revoking the renewed tokens failed: %w", ErrLoginRequired, errors.Join(failed...))
	}
	return fmt.Errorf("%w: logged out while the tokens were being renewed (the renewed tokens were revoked)", ErrLoginRequired)
}

// refreshLock takes the lock renewals take, when Storage has one, so that a logout and a
// renewal do not interleave.
func (a *App) refreshLock(ctx context.Context) (func(), error) {
	l, ok := a.Storage.(tokens.Locker)
	if !ok {
		return func() {}, nil
	}
	return l.Lock(ctx)
}
