package tutorialuser

import (
	"context"
	"fmt"
	"net/http"

	"github.com/globus-edge/globus-edge/app"
	"github.com/globus-edge/globus-edge/auth"
	"github.com/globus-edge/globus-edge/config"
	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/groups"
	"github.com/globus-edge/globus-edge/tokens"
)

// ExpectedCSV logs in to fake natively (the core, over real HTTP, tokens in memory) and returns
// the CLI's CSV of the test user's groups: what every host and snippet must print byte for
// byte. The fake's request counts are reset afterwards.
func ExpectedCSV(ctx context.Context, fake *globustest.Server) (string, error) {
	a := app.New(config.Config{AuthURL: fake.AuthURL(), GroupsURL: fake.GroupsURL(), ClientID: globustest.TutorialClientID},
		http.DefaultClient.Do, tokens.NewDocumentStorage(&tokens.MemoryBlob{}), "")
	flow, err := a.StartLogin(auth.FlowOptions{})
	if err != nil {
		return "", err
	}
	loc, err := fake.Authorize(ctx, flow.AuthorizeURL)
	if err != nil {
		return "", fmt.Errorf("approving the login: %w", err)
	}
	if err := a.FinishRedirect(ctx, flow, loc.Query()); err != nil {
		return "", err
	}
	gs, err := a.MyGroups(ctx)
	if err != nil {
		return "", err
	}
	fake.ResetCounts()
	return groups.CSV(gs), nil
}

// Approver is an approve function for Login: the fake approves the login and the code it
// shows is typed.
func Approver(fake *globustest.Server) func(string) (string, error) {
	return func(authorizeURL string) (string, error) {
		loc, err := fake.Authorize(context.Background(), authorizeURL)
		if err != nil {
			return "", err
		}
		return loc.Query().Get("code"), nil
	}
}
