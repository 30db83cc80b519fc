//go:build !(js && wasm)

package e2e

import (
	"strings"
	"testing"

	"github.com/globus-edge/globus-edge/globustest"
)

// TestLogout: both tokens are revoked at Globus and the browser keeps nothing.
func TestLogout(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{})
	p := openPage(t, pageSite(t, fake, nil))
	p.loginRedirect()
	tok := p.groupsToken()
	p.click("#logout")
	p.waitState("logged-out")
	if fake.TokenActive(tok.AccessToken) {
		t.Error("the access token is still active at Globus")
	}
	if fake.TokenActive(tok.RefreshToken) {
		t.Error("the refresh token is still active at Globus")
	}
	if n := fake.Count("revoke"); n != 2 {
		t.Errorf("%d revocations, want 2", n)
	}
	if n := eval[int](p, "localStorage.length + sessionStorage.length"); n != 0 {
		t.Errorf("%d items left in Web Storage", n)
	}
	if notice := p.text("#notice"); !strings.Contains(notice, "revoked") {
		t.Errorf("notice %q", notice)
	}
	if n := eval[int](p, `document.querySelectorAll("#groups-body tr").length`); n != 0 {
		t.Errorf("%d group rows left on the page", n)
	}
	p.reload()
	p.waitState("logged-out")
}

// TestOtherTabs: tabs of one origin share localStorage; logging out in one tab shows the
// logged-out view in the other, and logging in again shows the table there too (the
// "storage" event, emitted as logout and login).
func TestOtherTabs(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{})
	s := pageSite(t, fake, nil)
	p := openPage(t, s)
	p.loginRedirect()

	q := p.otherTab()
	q.navigate(s.URL + "/")
	q.waitState("logged-in")

	q.click("#logout")
	q.waitState("logged-out")
	p.waitState("logged-out")

	q.click("#login-redirect")
	q.waitState("logged-in")
	p.waitState("logged-in")
	if n := len(p.rows()); n == 0 {
		t.Error("the first tab shows no groups after the other tab logged in")
	}
}
