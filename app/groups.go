package app

import (
	"context"
	"fmt"

	"github.com/globus-edge/globus-edge/auth"
	"github.com/globus-edge/globus-edge/authorizer"
	"github.com/globus-edge/globus-edge/groups"
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
