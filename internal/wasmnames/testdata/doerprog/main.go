// Program doerprog is coreprog plus one type whose method returns *http.Response put in an
// interface, as transport.Doer was before it became a function type: the linker then keeps
// the methods of what *http.Response reaches, pkix.Name.String among them. The check must see
// it.
package main

import (
	"net/http"

	"github.com/globus-edge/globus-edge/app"
	"github.com/globus-edge/globus-edge/config"
	"github.com/globus-edge/globus-edge/tokens"
)

// doer is the interface transport.Doer used to be.
type doer interface {
	Do(req *http.Request) (*http.Response, error)
}

type nothing struct{}

func (nothing) Do(*http.Request) (*http.Response, error) { return nil, nil }

// sink keeps the interface value alive.
var sink doer = nothing{}

func main() {
	cfg, _ := config.FromEnv(func(string) string { return "" })
	a := app.New(cfg, sink.Do, tokens.NewDocumentStorage(&tokens.MemoryBlob{}), "")
	a.MyGroups(nil)
	a.Logout(nil)
}
