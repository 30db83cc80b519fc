//go:build !(js && wasm)

package e2e

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/globustest"
)

// holdProxy sits in front of the fake's Auth listener. Armed, it lets the next token request
// through to the fake (the grant happens: tokens are issued, the refresh token rotated) and
// holds the answer until released, so a test decides when a refresh in flight ends instead of
// guessing with a delay.
type holdProxy struct {
	URL      string
	mu       sync.Mutex
	armed    bool
	held     chan struct{} // closed once the fake answered the held request
	released chan struct{}
}

func newHoldProxy(t *testing.T, target string) *holdProxy {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	h := &holdProxy{held: make(chan struct{}), released: make(chan struct{})}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		hold := h.armed && r.Method == http.MethodPost && r.URL.Path == "/v2/oauth2/token"
		if hold {
			h.armed = false
		}
		h.mu.Unlock()
		if !hold {
			rp.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		rp.ServeHTTP(rec, r)
		close(h.held)
		select {
		case <-h.released:
		case <-r.Context().Done():
			return
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(h.release) // never leave a handler waiting
	h.URL = srv.URL
	return h
}

func (h *holdProxy) arm() { h.mu.Lock(); h.armed = true; h.mu.Unlock() }

func (h *holdProxy) release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	select {
	case <-h.released:
	default:
		close(h.released)
	}
}

// TestLogoutInOneTabWhileAnotherRefreshes (issue 11 item 1, on the page): tab Q's refresh has
// been granted by Globus but its answer is still on the way when tab P logs out. Afterwards
// neither tab shows the user logged in, localStorage holds no tokens, and every token Globus
// issued — the renewed ones included — is revoked. Before the fix, P cleared storage at once and
// Q's late renewal wrote the tokens back: both tabs showed the user logged in again.
func TestLogoutInOneTabWhileAnotherRefreshes(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{RotateRefreshTokens: true})
	proxy := newHoldProxy(t, fake.AuthURL())
	s := pageSite(t, fake, map[string]any{"authUrl": proxy.URL})
	p := openPage(t, s)
	p.loginRedirect()
	q := p.otherTab()
	q.navigate(s.URL + "/")
	q.waitState("logged-in")

	fake.ExpireAccessTokens() // Q's next Groups call gets 401 and refreshes
	fake.ResetCounts()
	proxy.arm()
	q.click("#reload-groups")
	select {
	case <-proxy.held:
	case <-time.After(waitTimeout):
		t.Fatal("Q's refresh never reached Globus")
	}
	if n := fake.Count("grant:refresh_token"); n != 1 {
		t.Fatalf("%d refreshes granted, want Q's one", n)
	}

	// P logs out while Q's renewed tokens are on their way. Wait until the logout has visibly
	// begun: it waits for the Web Lock Q's refresh holds (the fix), or it already revoked
	// (without the lock), before letting Q's answer through.
	p.click("#logout")
	deadline := time.Now().Add(waitTimeout)
	for eval[int](p, `navigator.locks.query().then(s => s.pending.length)`) == 0 && fake.Count("revoke") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("P's logout never started")
		}
		time.Sleep(20 * time.Millisecond)
	}
	proxy.release()

	p.waitUntil(`document.body.dataset.state === "logged-out" && document.getElementById("notice").textContent.includes("logged out")`)
	q.waitState("logged-out")
	for _, tab := range []*page{p, q} {
		if local, session := tab.storageSnapshot(); local[storageKey] != "" || len(session) != 0 {
			t.Errorf("tokens left in Web Storage: local %v, session %v", keysOf(local), keysOf(session))
		}
	}
	for i, tok := range fake.IssuedTokens() {
		if fake.TokenActive(tok) {
			t.Errorf("token %d issued by Globus (of %d) is still active after the logout", i, len(fake.IssuedTokens()))
		}
	}
	// What a fresh load of each tab makes of storage: logged out.
	for _, tab := range []*page{q, p} {
		tab.reload()
		tab.waitState("logged-out")
	}
	if n := eval[int](q, `document.querySelectorAll("#groups-body tr").length`); n != 0 {
		t.Errorf("%d group rows shown after the logout", n)
	}
}
