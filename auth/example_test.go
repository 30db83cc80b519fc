package auth_test

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"

	"github.com/globus-edge/globus-edge/auth"
	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/groups"
)

// The authorize URL of the native-app PKCE flow, as the Python SDK builds it. State and
// Verifier are fixed here to make the URL repeatable; leave them empty for fresh random ones.
func ExampleClient_StartFlow() {
	c := &auth.Client{ClientID: globustest.TutorialClientID, BaseURL: "https://auth.globus.org", Doer: http.DefaultClient.Do}
	flow, err := c.StartFlow(auth.FlowOptions{
		Scopes:        []string{groups.ScopeViewMyGroupsAndMemberships},
		RefreshTokens: true,
		State:         auth.DefaultState,
		Verifier:      "0123456789012345678901234567890123456789abc",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(flow.AuthorizeURL)
	// Output:
	// https://auth.globus.org/v2/oauth2/authorize?client_id=61338d24-54d5-408f-a10d-66c06b59f6d2&redirect_uri=https%3A%2F%2Fauth.globus.org%2Fv2%2Fweb%2Fauth-code&scope=urn%3Aglobus%3Aauth%3Ascope%3Agroups.api.globus.org%3Aview_my_groups_and_memberships&state=_default&response_type=code&code_challenge=DksyTyvjKJMTgEpPXzLiaCJ1P325hYFdr6STK5uo-WM&code_challenge_method=S256&access_type=offline
}

// A login against the fake Globus: the authorize URL, the user's approval (the fake's), the
// code exchange. The response holds a token per resource server.
func ExampleClient_ExchangeCode() {
	fake, err := globustest.New(globustest.Options{})
	if err != nil {
		panic(err)
	}
	defer fake.Close()
	ctx := context.Background()

	c := &auth.Client{ClientID: globustest.TutorialClientID, BaseURL: fake.AuthURL(), Doer: http.DefaultClient.Do}
	flow, err := c.StartFlow(auth.FlowOptions{Scopes: []string{groups.ScopeViewMyGroupsAndMemberships}, RefreshTokens: true})
	if err != nil {
		panic(err)
	}
	page, err := fake.Authorize(ctx, flow.AuthorizeURL) // the user logs in and copies the code
	if err != nil {
		panic(err)
	}
	r, err := c.ExchangeCode(ctx, flow, page.Query().Get("code"))
	if err != nil {
		panic(err)
	}
	byRS := r.ByResourceServer()
	for _, rs := range slices.Sorted(maps.Keys(byRS)) {
		fmt.Println(rs, byRS[rs].Scope, "refresh token:", byRS[rs].RefreshToken != "")
	}
	// Output:
	// groups.api.globus.org urn:globus:auth:scope:groups.api.globus.org:view_my_groups_and_memberships refresh token: true
}
