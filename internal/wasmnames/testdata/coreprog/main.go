// Program coreprog links every core package the way a host does, so a test can check what the
// core pulls into a js/wasm binary.
package main

import (
	"net/http"

	"github.com/globus-edge/globus-edge/app"
	"github.com/globus-edge/globus-edge/config"
	"github.com/globus-edge/globus-edge/tokens"
	"github.com/globus-edge/globus-edge/transport"
)

func main() {
	cfg, _ := config.FromEnv(func(string) string { return "" })
	doer := transport.Doer(func(*http.Request) (*http.Response, error) { return nil, nil })
	a := app.New(cfg, doer, tokens.NewDocumentStorage(&tokens.MemoryBlob{}), "")
	a.MyGroups(nil)
	a.Logout(nil)
}
