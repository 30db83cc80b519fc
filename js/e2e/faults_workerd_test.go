//go:build !(js && wasm)

package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/faultsuite"
	"github.com/globus-edge/globus-edge/kvstore"
)

// TestWorkerdFaultSuite runs the Node suite's cases on the package in workerd
// (testdata/faults-worker.js, bundled by wrangler as a user's worker would be), a client per
// request over a KV binding whose put can fail: the same codes, and no good token lost in KV.
// workerd must log no cross-request promise. Long form: -faults.long or GLOBUS_EDGE_FAULTS=long.
func TestWorkerdFaultSuite(t *testing.T) {
	app := newApp(t, "js/e2e/testdata/faults-worker.js", "js/e2e/testdata/fault-ops.mjs")
	copyFile(t, filepath.Join(root, "js", "e2e", "testdata", "faults-wrangler.toml"), filepath.Join(app, "wrangler.toml"))
	s := serve(t, bundle(t, app), "faults-worker.js")
	h := &workerdHost{s: s, clients: map[string]map[string]any{}}
	fig := runFaultSuite(t, h, []bool{true}, s.log.String)
	fig.Log(t, "workerd fault suite (JS package)")
}

// TestWorkerdFaultSuiteIsHonest runs TestWorkerdFaultSuite's short form with the fake's faults
// switched off: every case with faults in the fake must fail. Long form only: it bundles and
// runs the worker a second time.
func TestWorkerdFaultSuiteIsHonest(t *testing.T) {
	if !faultsuite.Long() {
		t.Skip("long form only (-faults.long or GLOBUS_EDGE_FAULTS=long)")
	}
	faultsuite.CheckMutated(t, "TestWorkerdFaultSuite", shortCases([]bool{true}))
}

// workerdHost runs each client call as one request to faults-worker.js; a client is its
// configuration, kept here.
type workerdHost struct {
	s       *served
	mu      sync.Mutex
	n       int
	clients map[string]map[string]any
}

func (h *workerdHost) open(fake *globustest.Server, ns string, o clientOpts) (string, error) {
	cfg := map[string]any{"clientId": globustest.TutorialClientID, "namespace": ns, "authUrl": fake.AuthURL(),
		"groupsUrl": fake.GroupsURL(), "failPut": o.failPut}
	if o.timeout > 0 {
		cfg["httpTimeout"] = o.timeout
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.n++
	id := fmt.Sprintf("%s/%d", ns, h.n)
	h.clients[id] = cfg
	return id, nil
}

func (h *workerdHost) call(op, client string) hostAnswer {
	h.mu.Lock()
	cfg := map[string]any{"op": op}
	for k, v := range h.clients[client] {
		cfg[k] = v
	}
	switch op {
	case "heal":
		h.clients[client]["failPut"] = ""
	case "close":
		delete(h.clients, client)
	}
	h.mu.Unlock()
	if op == "heal" || op == "close" {
		return hostAnswer{OK: true}
	}
	b, _ := json.Marshal(cfg)
	resp, err := http.Post(h.s.URL+"/", "application/json", strings.NewReader(string(b)))
	if err != nil {
		return hostAnswer{Error: &jsError{Name: "driver", Message: err.Error()}}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var a hostAnswer
	if err := json.Unmarshal(raw, &a); err != nil || resp.StatusCode != http.StatusOK {
		return hostAnswer{Error: &jsError{Name: "driver", Message: fmt.Sprintf("HTTP %d: %s", resp.StatusCode, raw)}}
	}
	return a
}

func tokenKVKey(ns string) string {
	return kvstore.SessionKey("globus-edge:" + globustest.TutorialClientID + ":" + ns)
}

func (h *workerdHost) doc(ns string) ([]byte, error) {
	resp, err := http.Get(h.s.kvURL + "/")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var m map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		return nil, err
	}
	v, ok := m[tokenKVKey(ns)]
	if !ok {
		return nil, nil
	}
	return []byte(v), nil
}

func (h *workerdHost) setDoc(ns string, b []byte) error {
	req, _ := http.NewRequest("PUT", h.s.kvURL+"/"+url.PathEscape(tokenKVKey(ns)), strings.NewReader(string(b)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("KV PUT answered %d", resp.StatusCode)
	}
	return nil
}
