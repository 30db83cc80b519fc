//go:build !(js && wasm)

package main

import (
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/browsertest"
	"github.com/globus-edge/globus-edge/internal/devserve"
)

const (
	benchPageClient     = "bench-page-client"
	benchBaselineClient = "bench-baseline-client"
)

// buildBaselinePage bundles the @globus/sdk baseline page with esbuild into dir.
func buildBaselinePage(dir string) error {
	out, err := exec.Command("node_modules/.bin/esbuild", "bench/baseline/page/app.js", "--bundle", "--minify",
		"--format=esm", "--platform=browser", "--outfile="+filepath.Join(dir, "app.bundle.js")).CombinedOutput()
	if err != nil {
		return fmt.Errorf("esbuild: %v\n%s", err, out)
	}
	html, err := os.ReadFile("bench/baseline/page/index.html")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "index.html"), html, 0o644)
}

// pageRig serves our page and the baseline page against one fake Globus.
type pageRig struct {
	fake               *globustest.Server
	ours, baseline     string // start URLs
	stopOurs, stopBase func()
	baseDir            string
}

func newPageRig() (*pageRig, error) {
	fake, err := globustest.New(globustest.Options{})
	if err != nil {
		return nil, err
	}
	r := &pageRig{fake: fake}
	if r.ours, r.stopOurs, err = devserve.Page(".", fake, benchPageClient); err != nil {
		fake.Close()
		return nil, err
	}
	if r.baseDir, err = os.MkdirTemp("", "bench-baseline"); err == nil {
		err = buildBaselinePage(r.baseDir)
	}
	var base string
	if err == nil {
		base, r.stopBase, err = devserve.Static(r.baseDir)
	}
	if err != nil {
		r.close()
		return nil, err
	}
	fake.RegisterClient(globustest.Client{ID: benchBaselineClient, RedirectURIs: []string{base}})
	r.baseline = base + "?" + url.Values{"client": {benchBaselineClient}, "auth": {fake.AuthURL()}, "groups": {fake.GroupsURL()}}.Encode()
	return r, nil
}

func (r *pageRig) close() {
	if r.stopOurs != nil {
		r.stopOurs()
	}
	if r.stopBase != nil {
		r.stopBase()
	}
	os.RemoveAll(r.baseDir)
	r.fake.Close()
}

// pageKind says how to read one page: its ready mark, its login button, its table rows.
type pageKind struct {
	name, readyExpr, loginSel, rowsSel string
}

var (
	oursPage = pageKind{"ours",
		`(e => e && e.startTime + e.duration)(performance.getEntriesByName("globus-edge:ready")[0])`,
		"#login-redirect", "#groups-body tr"}
	basePage = pageKind{"baseline",
		`(e => e && e.startTime)(performance.getEntriesByName("ready")[0])`,
		"#login", "#groups tr"}
)

const nowExpr = `performance.timeOrigin + performance.now()`

// timeLogin opens start in a fresh browser context and returns navigation start → API ready
// and click "Log in" → first table row rendered (through the redirect to Auth and back), in ms.
func timeLogin(start string, k pageKind) (ready, login float64, err error) {
	tab, closeTab, err := browsertest.Open()
	if err != nil {
		return 0, 0, err
	}
	defer closeTab()
	if err := chromedp.Do(tab.Ctx, chromedp.Navigate(start)); err != nil {
		return 0, 0, err
	}
	if ready, err = chromedp.Run(tab.Ctx, pollValue(k.readyExpr)); err != nil {
		return 0, 0, fmt.Errorf("%s: waiting for ready: %w (console: %v)", k.name, err, tab.Console())
	}
	if k.name == "ours" { // where the time to ready goes: compiling the wasm, or starting Go
		split, _ := chromedp.Run(tab.Ctx, chromedp.Evaluate[[]float64](`["globus-edge:instantiate", "globus-edge:go-start"].map(n => performance.getEntriesByName(n)[0].duration)`))
		if len(split) == 2 {
			instantiateMs, goStartMs = append(instantiateMs, split[0]), append(goStartMs, split[1])
		}
	}
	login, err = timeLoginIn(tab, k)
	return ready, login, err
}

// Splits of our time to ready, collected by timeLogin.
var instantiateMs, goStartMs []float64

func pollValue(expr string) chromedp.Action[float64] {
	return chromedp.Poll[float64](expr, chromedp.WithPollingInterval(2*time.Millisecond), chromedp.WithPollingTimeout(60*time.Second))
}

// timeLoginIn clicks "Log in" in a loaded page and returns the ms until the table has a row.
func timeLoginIn(tab *browsertest.Tab, k pageKind) (float64, error) {
	if _, err := chromedp.Run(tab.Ctx, pollValue(k.readyExpr)); err != nil {
		return 0, fmt.Errorf("%s: waiting for ready: %w (console: %v)", k.name, err, tab.Console())
	}
	t0, err := chromedp.Run(tab.Ctx, chromedp.Evaluate[float64](nowExpr))
	if err != nil {
		return 0, err
	}
	if err := chromedp.Do(tab.Ctx, chromedp.Click(chromedp.CSS(k.loginSel))); err != nil {
		return 0, err
	}
	// The page navigates to Auth and back: polls in the old document fail, so poll again in
	// the new one. The time is read in the page (epoch ms), so polling adds no delay to it.
	deadline := time.Now().Add(60 * time.Second)
	for {
		t1, err := chromedp.Run(tab.Ctx, pollValue(`document.querySelectorAll("`+k.rowsSel+`").length > 0 && `+nowExpr))
		if err == nil {
			return t1 - t0, nil
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("%s: waiting for the table: %w (console: %v)", k.name, err, tab.Console())
		}
		time.Sleep(time.Millisecond)
	}
}

func (b *bench) page() error {
	r, err := newPageRig()
	if err != nil {
		return err
	}
	defer r.close()
	runs := max(b.runs, 1)
	var or, ol, br, bl []float64
	for i := 0; i < runs; i++ {
		// Alternate the order so neither page always runs on a warmer machine.
		order := []bool{i%2 == 0, i%2 != 0}
		for _, ours := range order {
			start, k := r.baseline, basePage
			if ours {
				start, k = r.ours, oursPage
			}
			ready, login, err := timeLogin(start, k)
			if err != nil {
				return err
			}
			if ours {
				or, ol = append(or, ready), append(ol, login)
			} else {
				br, bl = append(br, ready), append(bl, login)
			}
		}
	}
	cond := fmt.Sprintf("headless Chromium, fresh browser context per run, loopback, fake Globus; median of %d", runs)
	base := "@globus/sdk 6.2.0 page (esbuild 0.28.2, minified)"
	b.add(Row{Section: "page", Figure: "navigation start → API ready", Unit: "ms", Ours: median(or), Baseline: median(br), BaseName: base, Conditions: cond})
	b.add(Row{Section: "page", Figure: "click Log in → groups table rendered (redirect login)", Unit: "ms", Ours: median(ol), Baseline: median(bl), BaseName: base, Conditions: cond})
	b.note("Page time to ready, split (median of %d): fetch + WebAssembly.instantiateStreaming %.1f ms, Go start to exports ready %.1f ms; the rest is the HTML, the shim and wasm_exec.js.",
		len(instantiateMs), median(instantiateMs), median(goStartMs))
	return nil
}
