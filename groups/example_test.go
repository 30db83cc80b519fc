package groups_test

import (
	"context"
	"net/http"
	"os"

	"github.com/globus-edge/globus-edge/auth"
	"github.com/globus-edge/globus-edge/authorizer"
	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/groups"
)

// My groups from the fake Globus with an access token, printed as the tutorial's CSV. The
// Doer adds the token (authorizer.Transport); app.App does all of this, with a refreshing
// authorizer and token storage, in one call.
func ExampleClient_MyGroups() {
	fake, err := globustest.New(globustest.Options{})
	if err != nil {
		panic(err)
	}
	defer fake.Close()
	ctx := context.Background()
	accessToken := login(ctx, fake)

	tr := &authorizer.Transport{Base: http.DefaultClient.Do, Authorizer: authorizer.AccessToken(accessToken)}
	c := &groups.Client{BaseURL: fake.GroupsURL(), Doer: tr.Do}
	gs, err := c.MyGroups(ctx, "active", "invited")
	if err != nil {
		panic(err)
	}
	groups.WriteCSV(os.Stdout, gs[:2]) // the first two of the fake's groups
	// Output:
	// ID,Name,Roles
	// 3b0f9a6e-1c2d-4e3f-8a4b-000000000001,"Plain Group",member
	// 3b0f9a6e-1c2d-4e3f-8a4b-000000000002,"Physics, Chemistry & Biology",admin|member
}

// CSV quotes every name, doubles embedded quotes and sorts the roles.
func ExampleCSV() {
	gs := []groups.Group{{ID: "g1", Name: `The "Quoted" Group`, MyMemberships: []groups.Membership{{Role: "member"}, {Role: "admin"}}}}
	os.Stdout.WriteString(groups.CSV(gs))
	// Output:
	// ID,Name,Roles
	// g1,"The ""Quoted"" Group",admin|member
}

// login gets a Groups access token from the fake the tutorial's way (see auth's examples).
func login(ctx context.Context, fake *globustest.Server) string {
	c := &auth.Client{ClientID: globustest.TutorialClientID, BaseURL: fake.AuthURL(), Doer: http.DefaultClient.Do}
	flow, err := c.StartFlow(auth.FlowOptions{Scopes: []string{groups.ScopeViewMyGroupsAndMemberships}})
	if err != nil {
		panic(err)
	}
	page, err := fake.Authorize(ctx, flow.AuthorizeURL)
	if err != nil {
		panic(err)
	}
	r, err := c.ExchangeCode(ctx, flow, page.Query().Get("code"))
	if err != nil {
		panic(err)
	}
	return r.ByResourceServer()[groups.ResourceServer].AccessToken
}
