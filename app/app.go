package app

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/globus-edge/globus-edge/auth"
	"github.com/globus-edge/globus-edge/authorizer"
	"github.com/globus-edge/globus-edge/config"
	"github.com/globus-edge/globus-edge/groups"
	"github.com/globus-edge/globus-edge/tokens"
	"github.com/globus-edge/globus-edge/transport"
)

// ErrLoginRequired means there are no usable tokens: never logged in, logged out, or Globus
// refused the stored refresh token (which is then removed). The user must log in.
var ErrLoginRequired = errors.New("login required")

// DefaultScopes is what the tutorial requests.
var DefaultScopes = []string{groups.ScopeViewMyGroupsAndMemberships}

// App runs the login and the Groups call for one client and one token Storage.
type App struct {
	Config  config.Config
	Auth    *auth.Client
	Storage tokens.Storage
	// Scopes requested at login; nil means DefaultScopes.
	Scopes []string
	// OnRefresh, if set, is told after tokens were renewed and stored (for UI events).
	OnRefresh func()
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	// Transport sends every request with retries and timeouts; its fields may be tuned
	// (tests record its sleeps instead of waiting).
	Transport *transport.Client

	mu sync.Mutex
	// authz is reused while the stored tokens are the ones it was built from, so concurrent
	// calls share one refresh.
	authz    *authorizer.RefreshToken
	authzSrc tokens.Data
}

// New returns an App. Requests go through d wrapped in the retry policy and cfg.Timeout.
func New(cfg config.Config, d transport.Doer, storage tokens.Storage, clientSecret string) *App {
	rd := &transport.Client{Doer: d, Timeout: cfg.Timeout}
	a := &App{Config: cfg, Storage: storage, Transport: rd}
	a.Auth = &auth.Client{ClientID: cfg.ClientID, ClientSecret: clientSecret, BaseURL: cfg.AuthURL, Doer: rd.Do, Now: a.now}
	return a
}

func (a *App) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// StartLogin begins a login. Unset options default to the tutorial's: the Groups scope,
// refresh tokens, the configured redirect URI.
func (a *App) StartLogin(o auth.FlowOptions) (*auth.Flow, error) {
	if o.Scopes == nil {
		o.Scopes = a.Scopes
		if o.Scopes == nil {
			o.Scopes = DefaultScopes
		}
		o.RefreshTokens = true
	}
	if o.RedirectURI == "" {
		o.RedirectURI = a.Config.Redirect()
	}
	return a.Auth.StartFlow(o)
}

// FinishLogin exchanges a pasted or redirected code and stores the tokens. Nothing is stored
// unless the exchange succeeded and returned a Groups token. A refused code (invalid_grant)
// says to log in again and still satisfies auth.IsInvalidGrant (hosts show it as such).
func (a *App) FinishLogin(ctx context.Context, f *auth.Flow, code string) error {
	r, err := a.Auth.ExchangeCode(ctx, f, code)
	if auth.IsInvalidGrant(err) {
		// Also what a retry meets when the first attempt's answer was lost: the code is spent.
		return fmt.Errorf("login: Globus Auth refused the authorization code (expired, already used, or from another login); log in again: %w", err)
	}
	if err != nil {
		return err
	}
	if _, ok := r.ByResourceServer()[groups.ResourceServer]; !ok {
		return fmt.Errorf("login: Globus Auth returned no token for %s (check the requested scopes)", groups.ResourceServer)
	}
	if err := a.Storage.StoreResponse(ctx, r); err != nil {
		return fmt.Errorf("login: %w", err)
	}
	return nil
}

// FinishRedirect finishes the login f with Globus Auth's answer on the redirect URI (its
// query), read in auth's one order (auth.Redirect.CodeFor): a state that is not f's is refused
// before anything else in it is honoured (RFC 6749 §4.1.2.1), then the code is exchanged as in
// FinishLogin, an ?error= is an *auth.AuthorizeError, and neither is auth.ErrNoAnswer.
func (a *App) FinishRedirect(ctx context.Context, f *auth.Flow, q url.Values) error {
	code, err := auth.ParseRedirect(q).CodeFor(f)
	if err != nil {
		return err
	}
	return a.FinishLogin(ctx, f, code)
}

// LoggedIn reports whether usable Groups tokens are stored (a refresh token, or an access
// token that needs no renewal yet). It makes no network call.
func (a *App) LoggedIn(ctx context.Context) (bool, error) {
	d, err := a.Storage.Get(ctx, groups.ResourceServer)
	if err != nil || d == nil {
		return false, err
	}
	return d.RefreshToken != "" || !d.NeedsRenewal(a.now()), nil
}
