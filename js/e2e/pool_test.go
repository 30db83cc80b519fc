//go:build !(js && wasm)

package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"
)

// TestWorkerdPoolSurvivesDeadInstances kills the package's pooled Go instances in workerd
// (testdata/pool-worker.js ends their programs as Go ends itself): an idle instance that died
// is never handed to the next call, which succeeds on a fresh one, and a call whose instance
// dies under it fails at once with wasm_exited instead of waiting for ever.
func TestWorkerdPoolSurvivesDeadInstances(t *testing.T) {
	app := newApp(t, "js/e2e/testdata/pool-worker.js")
	copyFile(t, filepath.Join(root, "js", "e2e", "testdata", "pool-wrangler.toml"), filepath.Join(app, "wrangler.toml"))
	s := serve(t, bundle(t, app), "pool-worker.js")
	step := 0
	get := func(path string, v any) {
		t.Helper()
		step++
		c := &http.Client{Timeout: 20 * time.Second} // a safety net: a hung call is the failure
		r, err := c.Get(s.URL + path)
		if err != nil {
			t.Fatalf("step %d, %s: %v", step, path, err)
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, v); err != nil || r.StatusCode != 200 {
			t.Fatalf("step %d, %s: %d %s", step, path, r.StatusCode, b)
		}
	}
	var call struct {
		LoggedIn bool `json:"loggedIn"`
		Programs int  `json:"programs"`
	}
	get("/call", &call)
	started := call.Programs
	var kill struct {
		Killed int `json:"killed"`
	}
	get("/kill", &kill)
	if kill.Killed == 0 {
		t.Fatal("no program was running to kill")
	}
	get("/call", &call)
	if call.LoggedIn || call.Programs <= started {
		t.Fatalf("after the kill: loggedIn %v with %d programs started (%d before); want a fresh instance", call.LoggedIn, call.Programs, started)
	}

	type outcome struct {
		OK      bool   `json:"ok"`
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	var during struct {
		First, Second outcome
	}
	get("/kill-during-call", &during)
	if during.First.Code != "wasm_exited" {
		t.Errorf("a call whose instance died: %+v; want code wasm_exited", during.First)
	}
	if !during.Second.OK {
		t.Errorf("the call after it: %+v; want it to succeed", during.Second)
	}
}
