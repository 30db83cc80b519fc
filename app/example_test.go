package app_test

import (
	"context"
	"fmt"
	"net/http"
	"os"

	"github.com/globus-edge/globus-edge/app"
	"github.com/globus-edge/globus-edge/auth"
	"github.com/globus-edge/globus-edge/config"
	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/groups"
	"github.com/globus-edge/globus-edge/tokens"
)

// The tutorial's whole job against the fake Globus: log in with a pasted code, store the
// tokens, list my groups as the CLI's CSV. With real Globus, cfg comes from
// config.FromEnv(os.Getenv) and the code from the person at the keyboard.
func Example() {
	fake, err := globustest.New(globustest.Options{})
	if err != nil {
		panic(err)
	}
	defer fake.Close()
	ctx := context.Background()

	cfg := config.Config{AuthURL: fake.AuthURL(), GroupsURL: fake.GroupsURL(), ClientID: globustest.TutorialClientID}
	// http.Client's Do method is a transport.Doer; the tokens go to memory here
	// (tokens.NewFileStore for the Python SDK's token file).
	a := app.New(cfg, http.DefaultClient.Do, tokens.NewDocumentStorage(&tokens.MemoryBlob{}), "")

	flow, err := a.StartLogin(auth.FlowOptions{State: auth.DefaultState})
	if err != nil {
		panic(err)
	}
	// The user opens flow.AuthorizeURL, logs in and copies the code Globus shows; the fake
	// approves at once.
	page, err := fake.Authorize(ctx, flow.AuthorizeURL)
	if err != nil {
		panic(err)
	}
	if err := a.FinishLogin(ctx, flow, page.Query().Get("code")); err != nil {
		panic(err)
	}

	gs, err := a.MyGroups(ctx)
	if err != nil {
		fmt.Println(app.KindOf(err)) // login_required, timeout, globus_error, ...
		return
	}
	groups.WriteCSV(os.Stdout, gs)
	// Output:
	// ID,Name,Roles
	// 3b0f9a6e-1c2d-4e3f-8a4b-000000000001,"Plain Group",member
	// 3b0f9a6e-1c2d-4e3f-8a4b-000000000002,"Physics, Chemistry & Biology",admin|member
	// 3b0f9a6e-1c2d-4e3f-8a4b-000000000003,"The ""Quoted"" Group",member
	// 3b0f9a6e-1c2d-4e3f-8a4b-000000000004,"Équipe Données — 東京",manager
	// 3b0f9a6e-1c2d-4e3f-8a4b-000000000005,"Line one
	// Line two",member
}
