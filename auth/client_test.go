package auth_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/globus-edge/globus-edge/auth"
	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/transport"
)

const groupsScope = globustest.GroupsScope

func start(t *testing.T, c *auth.Client, f *globustest.Server, o auth.FlowOptions) (*auth.Flow, string) {
	t.Helper()
	flow, err := c.StartFlow(o)
	if err != nil {
		t.Fatal(err)
	}
	loc, err := f.Authorize(context.Background(), flow.AuthorizeURL)
	if err != nil {
		t.Fatal(err)
	}
	if err := flow.CheckState(loc.Query().Get("state")); err != nil {
		t.Fatal(err)
	}
	return flow, loc.Query().Get("code")
}

func TestExchangeRefreshRevoke(t *testing.T) {
	f := globustest.NewT(t, globustest.Options{})
	c := &auth.Client{ClientID: globustest.TutorialClientID, BaseURL: f.AuthURL(), Doer: http.DefaultClient.Do}
	ctx := context.Background()
	flow, code := start(t, c, f, auth.FlowOptions{Scopes: []string{groupsScope, globustest.TransferScope}, RefreshTokens: true})
	r, err := c.ExchangeCode(ctx, flow, code)
	if err != nil {
		t.Fatal(err)
	}
	by := r.ByResourceServer()
	if len(by) != 2 || by[globustest.GroupsResourceServer].RefreshToken == "" || by["transfer.api.globus.org"].AccessToken == "" {
		t.Fatalf("by resource server %+v", by)
	}
	// A replayed code is refused and revokes what the first exchange issued.
	if _, err := c.ExchangeCode(ctx, flow, code); !auth.IsInvalidGrant(err) {
		t.Fatalf("replay: %v", err)
	}
	if f.TokenActive(by[globustest.GroupsResourceServer].AccessToken) {
		t.Fatal("tokens of a replayed code still active")
	}
	// Refresh and revoke with a fresh login.
	flow, code = start(t, c, f, auth.FlowOptions{Scopes: []string{groupsScope}, RefreshTokens: true})
	r, err = c.ExchangeCode(ctx, flow, code)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := c.Refresh(ctx, r.RefreshToken)
	if err != nil || r2.AccessToken == r.AccessToken || r2.ResourceServer != globustest.GroupsResourceServer {
		t.Fatalf("refresh: %v %+v", err, r2)
	}
	if err := c.Revoke(ctx, r.RefreshToken); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Refresh(ctx, r.RefreshToken); !auth.IsInvalidGrant(err) {
		t.Fatalf("refresh after revoke: %v", err)
	}
}

func TestExchangeRejections(t *testing.T) {
	f := globustest.NewT(t, globustest.Options{})
	c := &auth.Client{ClientID: globustest.TutorialClientID, BaseURL: f.AuthURL(), Doer: http.DefaultClient.Do}
	ctx := context.Background()
	opts := auth.FlowOptions{Scopes: []string{groupsScope}}

	flow, code := start(t, c, f, opts)
	wrong := *flow
	wrong.Verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	if _, err := c.ExchangeCode(ctx, &wrong, code); !auth.IsInvalidGrant(err) {
		t.Fatalf("wrong verifier: %v", err)
	}
	if _, err := c.ExchangeCode(ctx, flow, "not-a-code"); !auth.IsInvalidGrant(err) {
		t.Fatalf("wrong code: %v", err)
	}
	var apiErr *transport.APIError
	_, err := c.ExchangeCode(ctx, flow, "not-a-code")
	if !errors.As(err, &apiErr) || apiErr.HTTPStatus != 401 || apiErr.Message == "" {
		t.Fatalf("OAuth error body not mapped: %#v", apiErr)
	}
	if _, err := c.ExchangeCode(ctx, flow, ""); err == nil {
		t.Fatal("empty code accepted")
	}
	// Without online refresh tokens none are issued.
	r, err := c.ExchangeCode(ctx, flow, code)
	if err != nil || r.RefreshToken != "" {
		t.Fatalf("online login: %v, refresh token present=%v", err, r != nil && r.RefreshToken != "")
	}
	// A redirect URI that is not registered never comes back.
	bad, _ := c.StartFlow(auth.FlowOptions{Scopes: []string{groupsScope}, RedirectURI: "http://127.0.0.1:1/evil"})
	if _, err := f.Authorize(ctx, bad.AuthorizeURL); err == nil {
		t.Fatal("unregistered redirect URI accepted")
	}
}

func TestConfidentialClient(t *testing.T) {
	f := globustest.NewT(t, globustest.Options{})
	f.RegisterClient(globustest.Client{ID: "conf", Secret: "s3cret:/+", RedirectURIs: []string{"http://127.0.0.1:9/cb"}})
	c := &auth.Client{ClientID: "conf", ClientSecret: "s3cret:/+", BaseURL: f.AuthURL(), Doer: http.DefaultClient.Do}
	flow, code := start(t, c, f, auth.FlowOptions{Scopes: []string{groupsScope}, RedirectURI: "http://127.0.0.1:9/cb", State: auth.RandomState(), RefreshTokens: true})
	if _, err := c.ExchangeCode(context.Background(), flow, code); err != nil {
		t.Fatal(err)
	}
	c.ClientSecret = "wrong"
	if _, err := c.Refresh(context.Background(), "x"); err == nil {
		t.Fatal("wrong secret accepted")
	}
}
