//go:build !(js && wasm)

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/browsertest"
)

// TestWorkerInChromium logs in through the worker's page in a real browser: the __Host-
// cookies must survive the cross-site round trip to Auth, the page must show the groups with
// their names as text, and logout must work from the page (its POST carries the Origin).
func TestWorkerInChromium(t *testing.T) {
	fake := globustest.NewT(t, globustest.Options{})
	w := startWorker(t, map[string]string{
		"GLOBUS_SDK_SERVICE_URL_AUTH":   fake.AuthURL(),
		"GLOBUS_SDK_SERVICE_URL_GROUPS": fake.GroupsURL(),
		"GLOBUS_CLIENT_ID":              clientID,
		"TOKEN_ENCRYPTION_KEY":          newKey(),
	})
	fake.RegisterClient(globustest.Client{ID: clientID, RedirectURIs: []string{w.URL + "/callback"}})
	tab := browsertest.New(t)
	// wait polls expr from Go: a navigation in between destroys the page's JS context, which
	// chromedp's own Poll does not survive.
	wait := func(what, expr string) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		var lastErr error
		for time.Now().Before(deadline) {
			ctx, cancel := context.WithTimeout(tab.Ctx, 5*time.Second)
			ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
			cancel()
			if err == nil && ok {
				return
			}
			lastErr = err
			time.Sleep(50 * time.Millisecond)
		}
		status, _ := chromedp.Run(tab.Ctx, chromedp.Evaluate[string](`document.getElementById("status")?.textContent ?? document.body.innerText`))
		t.Fatalf("waiting for %s: %v (page says %q)\nworker output:\n%s", what, lastErr, status, w.out)
	}
	eval := func(expr string) {
		t.Helper()
		if _, err := chromedp.Run(tab.Ctx, chromedp.Evaluate[any](expr)); err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
	}

	if err := chromedp.Do(tab.Ctx, chromedp.Navigate(w.URL+"/")); err != nil {
		t.Fatal(err)
	}
	wait("the logged-out page", `document.getElementById("status").textContent === "Not logged in."`)
	eval(`document.getElementById("login").click()`) // → /login → Auth → /callback → /
	wait("the groups table", `location.pathname === "/" && !document.getElementById("groups").hidden && document.querySelectorAll("#groups tbody tr").length > 0`)

	rows, err := chromedp.Run(tab.Ctx, chromedp.Evaluate[[][]string](
		`[...document.querySelectorAll("#groups tbody tr")].map((tr) => [...tr.cells].map((td) => td.textContent))`))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, r := range rows {
		names[r[1]] = true
	}
	for _, want := range []string{"Physics, Chemistry & Biology", `The "Quoted" Group`, "Équipe Données — 東京", "Line one\nLine two"} {
		if !names[want] {
			t.Errorf("page table lacks the group %q (rows %q)", want, rows)
		}
	}
	if cookies, _ := chromedp.Run(tab.Ctx, chromedp.Evaluate[string](`document.cookie`)); cookies != "" {
		t.Errorf("page script can read cookies %q: the session cookie must be HttpOnly", cookies)
	}
	stored := fake.IssuedTokens()

	eval(`document.getElementById("logout").click()`)
	wait("the logged-out page after logout", `document.getElementById("status").textContent === "Not logged in." && document.getElementById("groups").hidden`)
	if n := fake.Count("revoke"); n != 2 {
		t.Errorf("revocations = %d, want 2", n)
	}
	for _, tok := range stored {
		if fake.TokenActive(tok) {
			t.Errorf("token %.4s… still active after logout from the page", tok)
		}
	}
	if kv := withoutLeftovers(w.kv(t)); len(kv) != 0 {
		t.Errorf("KV not empty after logout from the page: %d keys", len(kv))
	}
	for _, line := range tab.Console() {
		if strings.Contains(line, "Content Security Policy") || strings.HasPrefix(line, "exception") {
			t.Errorf("browser console: %s", line)
		}
	}
}
