package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/globus-edge/globus-edge/auth"
	"github.com/globus-edge/globus-edge/authorizer"
	"github.com/globus-edge/globus-edge/groups"
	"github.com/globus-edge/globus-edge/transport"
)

// MyGroups lists the user's groups with the stored tokens, renewing them first when they are
// within 60 s of expiry (and once more after a 401), writing renewed tokens back to Storage
// before they are used. If Globus refuses the refresh token (or, when none is stored, the access
// token), the stored tokens are removed and the error wraps ErrLoginRequired.
func (a *App) MyGroups(ctx context.Context, statuses ...string) ([]groups.Group, error) {
	gs, used, err := a.myGroups(ctx, statuses)
	if isUnauthorized(err) {
		// Groups refused the token even after the refresh and retry. If storage no longer holds
		// the login, another tab, process or request logged out meanwhile (and revoked what
		// this call had just renewed): the user is logged out, not Globus failing.
		if cur, gerr := a.Storage.Get(ctx, groups.ResourceServer); gerr == nil && cur == nil {
			a.forget()
			return nil, fmt.Errorf("%w: logged out while the groups were being listed: %w", ErrLoginRequired, err)
		}
		if used == "" {
			// An access token without a refresh token (revoked, or expired early): nothing can
			// renew it, so it is removed and the user asked to log in, rather than failing the
			// same way on every call until its recorded expiry.
			return nil, a.dropLogin(ctx, "Globus refused the stored access token and there is no refresh token", err)
		}
	}
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
	return nil, a.dropLogin(ctx, "Globus refused the stored refresh token (expired or revoked)", err)
}

// dropLogin removes stored tokens Globus refused (why says which) and returns the error that
// asks the user to log in again, wrapping ErrLoginRequired and Globus's answer.
func (a *App) dropLogin(ctx context.Context, why string, err error) error {
	if _, cerr := a.Storage.Clear(ctx); cerr != nil {
		return fmt.Errorf("%w (and removing the stored tokens failed: %v)", err, cerr)
	}
	a.forget()
	return fmt.Errorf("%w: %s; log in again: %w", ErrLoginRequired, why, err)
}

// isUnauthorized reports whether err is a 401 answer from Globus.
func isUnauthorized(err error) bool {
	api, ok := errors.AsType[*transport.APIError](err)
	return ok && api.HTTPStatus == http.StatusUnauthorized
}

// myGroups makes the call once and says which refresh token the authorizer started from.
func (a *App) myGroups(ctx context.Context, statuses []string) ([]groups.Group, string, error) {
	authz, src, err := a.authorizer(ctx)
	if err != nil {
		return nil, "", err
	}
	tr := &authorizer.Transport{Base: a.Transport.Do, Authorizer: authz}
	gc := &groups.Client{BaseURL: a.Config.GroupsURL, Doer: tr.Do}
	gs, err := gc.MyGroups(ctx, statuses...)
	return gs, src.RefreshToken, err
}
