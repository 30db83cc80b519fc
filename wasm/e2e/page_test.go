//go:build !(js && wasm)

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/globus-edge/globus-edge/internal/browsertest"
	"github.com/globus-edge/globus-edge/tokens"
)

// waitTimeout bounds every wait. Generous: nothing here depends on speed, only on progress.
const waitTimeout = 60 * time.Second

// page is the demo page in a fresh browser context.
type page struct {
	t   *testing.T
	tab *browsertest.Tab
	// ctx runs chromedp actions in this page's tab.
	ctx  context.Context
	site *site
}

// openPage opens the site's page in a new browser context and fails the test if the page
// threw an uncaught exception by the end of the test.
func openPage(t *testing.T, s *site) *page {
	t.Helper()
	p := blankPage(t, s)
	p.navigate(s.URL + "/")
	return p
}

// blankPage is openPage without the navigation.
func blankPage(t *testing.T, s *site) *page {
	t.Helper()
	tab := browsertest.New(t)
	p := &page{t: t, tab: tab, ctx: tab.Ctx, site: s}
	t.Cleanup(func() {
		for _, line := range p.tab.Console() {
			if strings.HasPrefix(line, "exception:") {
				t.Errorf("uncaught exception in the page: %s", line)
			}
		}
	})
	return p
}

func (p *page) navigate(url string) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.Navigate(url)); err != nil {
		p.t.Fatalf("navigating to %s: %v", url, err)
	}
}

// startNavigation navigates without waiting for the load event, which a held wasm response
// (a preload) delays.
func (p *page) startNavigation(url string) {
	p.t.Helper()
	err := chromedp.Do(p.ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, cdppage.Navigate, cdppage.NavigateParams{URL: url})
		return err
	}))
	if err != nil {
		p.t.Fatalf("navigating to %s: %v", url, err)
	}
}

// history returns the URLs of the tab's navigation history entries, as the browser keeps them.
func (p *page) history() []string {
	p.t.Helper()
	h, err := chromedp.Run(p.ctx, func(ctx context.Context, t *chromedp.Target) (cdppage.GetNavigationHistoryResult, error) {
		return cdp.Call(ctx, t, cdppage.GetNavigationHistory, cdp.Empty{})
	})
	if err != nil {
		p.t.Fatalf("reading the navigation history: %v", err)
	}
	var urls []string
	for _, e := range h.Entries {
		urls = append(urls, e.URL)
	}
	return urls
}

func (p *page) reload() {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.Reload()); err != nil {
		p.t.Fatalf("reloading: %v", err)
	}
}

// eval evaluates a JavaScript expression (awaiting a Promise) and decodes its JSON value.
func eval[T any](p *page, expr string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// waitUntil polls a JavaScript condition until it is true. Evaluation errors count as "not
// yet": the page may be between documents during a redirect.
func (p *page) waitUntil(cond string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitTimeout)
	defer cancel()
	var last error
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+cond+")"))
		if err == nil && ok {
			return
		}
		last = err
		select {
		case <-ctx.Done():
			p.t.Fatalf("waiting for %s: gave up after %v (last error %v); state %q, status %q, error %q",
				cond, waitTimeout, last, p.tryEval("document.body && document.body.dataset.state"),
				p.tryEval(`document.getElementById("status")?.textContent`), p.tryEval(`document.getElementById("error")?.textContent`))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (p *page) tryEval(expr string) string {
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[any](expr))
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return fmt.Sprint(v)
}

// waitState waits for the page's body[data-state].
func (p *page) waitState(state string) {
	p.t.Helper()
	p.waitUntil(fmt.Sprintf("document.body && document.body.dataset.state === %q", state))
}

// click clicks an element with real mouse events, once it is visible.
func (p *page) click(sel string) {
	p.t.Helper()
	p.waitUntil(fmt.Sprintf("(e => e && !e.closest('[hidden]') && !e.disabled)(document.querySelector(%q))", sel))
	if err := chromedp.Do(p.ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		p.t.Fatalf("clicking %s: %v", sel, err)
	}
}

// mouseClick clicks the middle of an element with real mouse events, once it is visible and
// enabled, without chromedp's DOM node lookup (which needs a loaded document: a page whose
// preloaded wasm is held has not fired load yet).
func (p *page) mouseClick(sel string) {
	p.t.Helper()
	p.waitUntil(fmt.Sprintf("(e => e && !e.closest('[hidden]') && !e.disabled)(document.querySelector(%q))", sel))
	xy := eval[[]float64](p, fmt.Sprintf("(r => [r.x + r.width / 2, r.y + r.height / 2])(document.querySelector(%q).getBoundingClientRect())", sel))
	if err := chromedp.Do(p.ctx, chromedp.MouseClickXY(xy[0], xy[1])); err != nil {
		p.t.Fatalf("clicking %s: %v", sel, err)
	}
}

// clickUntil mouse-clicks sel until cond holds (at most 5 clicks, 2 s apart). Chromium may
// drop input that arrives before a document's first frame is presented, which a page whose
// load is held can meet; the page's handlers must take a repeated click as one.
func (p *page) clickUntil(sel, cond string) {
	p.t.Helper()
	for i := 0; i < 5; i++ {
		eval[bool](p, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`)
		p.mouseClick(sel)
		for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if eval[bool](p, "!!("+cond+")") {
				if i > 0 {
					p.t.Logf("%s took %d clicks", sel, i+1)
				}
				return
			}
		}
	}
	p.t.Fatalf("5 clicks on %s did not make %s true", sel, cond)
}

func (p *page) text(sel string) string {
	p.t.Helper()
	return eval[string](p, fmt.Sprintf("document.querySelector(%q).textContent", sel))
}

// rows returns the groups table's cells as text.
func (p *page) rows() [][]string {
	p.t.Helper()
	return eval[[][]string](p, `[...document.querySelectorAll("#groups-body tr")].map(tr => [...tr.cells].map(td => td.textContent))`)
}

// loginRedirect logs in with the redirect button from the logged-out page.
func (p *page) loginRedirect() {
	p.t.Helper()
	p.waitState("logged-out")
	p.click("#login-redirect")
	p.waitState("logged-in")
}

// storageKey is the e2e client's token document key.
const storageKey = "globus-edge:" + e2eClientID + ":DEFAULT"

// storedTokens reads the token document the page keeps in localStorage (nil when none).
func (p *page) storedTokens(key string) *tokens.Document {
	p.t.Helper()
	raw := eval[*string](p, fmt.Sprintf("localStorage.getItem(%q)", key))
	if raw == nil {
		return nil
	}
	d, err := tokens.DecodeDocument([]byte(*raw))
	if err != nil {
		p.t.Fatalf("the stored token document is not the Python v2 format: %v", err)
	}
	return d
}

// groupsToken is the stored Groups token data, failing the test when there is none.
func (p *page) groupsToken() tokens.Data {
	p.t.Helper()
	d := p.storedTokens(storageKey)
	if d == nil {
		p.t.Fatal("no token document in localStorage")
	}
	t, ok := d.Data[tokens.DefaultNamespace]["groups.api.globus.org"]
	if !ok {
		p.t.Fatalf("no Groups token stored; namespaces: %v", keysOf(d.Data))
	}
	return t
}

func keysOf[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// storageSnapshot is every localStorage and sessionStorage item, for "nothing stored" checks.
func (p *page) storageSnapshot() (local, session map[string]string) {
	p.t.Helper()
	var both [2]map[string]string
	raw := eval[string](p, `JSON.stringify([localStorage, sessionStorage].map(s => Object.fromEntries(Object.keys(s).map(k => [k, s.getItem(k)]))))`)
	if err := json.Unmarshal([]byte(raw), &both); err != nil {
		p.t.Fatal(err)
	}
	return both[0], both[1]
}

// downloadCSV clicks "Download CSV" with downloads allowed into a temporary directory and
// returns the file the browser saved. (The page's CSP rightly forbids reading the blob: URL
// with fetch, so the test takes the user's path.)
func (p *page) downloadCSV() string {
	p.t.Helper()
	dir := p.t.TempDir()
	c := chromedp.FromContext(p.ctx)
	if _, err := chromedp.CallBrowser(p.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, BrowserContextID: c.BrowserContextID, DownloadPath: dir,
	}); err != nil {
		p.t.Fatalf("allowing downloads: %v", err)
	}
	p.click("#download-csv")
	path := filepath.Join(dir, "my-globus-groups.csv")
	deadline := time.Now().Add(waitTimeout)
	for {
		if b, err := os.ReadFile(path); err == nil {
			if _, err := os.Stat(path + ".crdownload"); os.IsNotExist(err) {
				return string(b)
			}
		}
		if time.Now().After(deadline) {
			entries, _ := os.ReadDir(dir)
			p.t.Fatalf("no my-globus-groups.csv downloaded (directory holds %v)", entries)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// otherTab opens a second tab in p's browser context (sharing its storage), closed at the
// end of the test.
func (p *page) otherTab() *page {
	ctx, cancel := chromedp.NewContext(p.ctx)
	p.t.Cleanup(cancel)
	return &page{t: p.t, tab: p.tab, ctx: ctx, site: p.site}
}
