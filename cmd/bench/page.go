//go:build !(js && wasm)

package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdppage "github.com/chromedp/cdproto/page"
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
	// API ready: the page's client exists (config.json read, Go started, newClient done),
	// as the baseline's mark follows its authorization manager's creation.
	oursPage = pageKind{"ours",
		`(e => e && e.startTime)(performance.getEntriesByName("page:client-ready")[0])`,
		"#login-redirect", "#groups-body tr"}
	basePage = pageKind{"baseline",
		`(e => e && e.startTime)(performance.getEntriesByName("ready")[0])`,
		"#login", "#groups tr"}
)

const nowExpr = `performance.timeOrigin + performance.now()`

// visibleProbe runs in every document of a bench tab before the page's own scripts (CDP adds
// it; the page's CSP does not apply). It marks "bench:login-visible" in the first animation
// frame in which the login control is rendered and enabled: that frame is the control's first
// paint. The same probe times both pages.
const visibleProbe = `(() => {
  const check = () => {
    const e = document.querySelector(%q);
    if (e && !e.disabled && !e.closest("[hidden]") && e.getClientRects().length > 0) {
      performance.mark("bench:login-visible");
      return;
    }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})();`

const visibleExpr = `(e => e && e.startTime)(performance.getEntriesByName("bench:login-visible")[0])`

// visit is one page's timings in one browser context, in ms.
type visit struct {
	visible, cold, warm, login float64
}

// timeVisit opens start in a fresh browser context and measures: navigation start → login
// control painted and → API ready (cold: empty HTTP cache), the same page visited again in
// that context → API ready (warm: HTTP cache on), then click "Log in" → first table row.
func timeVisit(start string, k pageKind) (v visit, err error) {
	tab, closeTab, err := browsertest.Open()
	if err != nil {
		return v, err
	}
	defer closeTab()
	err = chromedp.Do(tab.Ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, cdppage.AddScriptToEvaluateOnNewDocument,
			cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: fmt.Sprintf(visibleProbe, k.loginSel)})
		return err
	}))
	if err != nil {
		return v, fmt.Errorf("installing the paint probe: %w", err)
	}
	if err := chromedp.Do(tab.Ctx, chromedp.Navigate(start)); err != nil {
		return v, err
	}
	if v.cold, err = chromedp.Run(tab.Ctx, pollValue(k.readyExpr)); err != nil {
		return v, fmt.Errorf("%s: waiting for ready: %w (console: %v)", k.name, err, tab.Console())
	}
	if v.visible, err = chromedp.Run(tab.Ctx, pollValue(visibleExpr)); err != nil {
		return v, fmt.Errorf("%s: waiting for the login control: %w (console: %v)", k.name, err, tab.Console())
	}
	if k.name == "ours" { // where the time to ready goes: compiling the wasm, or starting Go
		split, _ := chromedp.Run(tab.Ctx, chromedp.Evaluate[[]float64](splitExpr))
		if len(split) == 2 {
			instantiateMs, goStartMs = append(instantiateMs, split[0]), append(goStartMs, split[1])
		}
	}
	if err := chromedp.Do(tab.Ctx, chromedp.Navigate(start)); err != nil {
		return v, err
	}
	if v.warm, err = chromedp.Run(tab.Ctx, pollValue(k.readyExpr)); err != nil {
		return v, fmt.Errorf("%s: waiting for ready (warm): %w (console: %v)", k.name, err, tab.Console())
	}
	if k.name == "ours" {
		split, _ := chromedp.Run(tab.Ctx, chromedp.Evaluate[[]float64](splitExpr))
		if len(split) == 2 {
			warmInstantiateMs, warmGoStartMs = append(warmInstantiateMs, split[0]), append(warmGoStartMs, split[1])
		}
	}
	v.login, err = timeLoginIn(tab, k)
	return v, err
}

// Splits of our time to ready (cold and warm), collected by timeVisit.
var instantiateMs, goStartMs, warmInstantiateMs, warmGoStartMs []float64

// splitExpr reads the shim's measures: fetch + compile + instantiate, and Go's start.
const splitExpr = `["globus-edge:instantiate", "globus-edge:go-start"].map(n => performance.getEntriesByName(n)[0].duration)`

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
	var ours, base []visit
	for i := 0; i < runs; i++ {
		// Alternate the order so neither page always runs on a warmer machine.
		for _, isOurs := range []bool{i%2 == 0, i%2 != 0} {
			start, k := r.baseline, basePage
			if isOurs {
				start, k = r.ours, oursPage
			}
			v, err := timeVisit(start, k)
			if err != nil {
				return err
			}
			if isOurs {
				ours = append(ours, v)
			} else {
				base = append(base, v)
			}
		}
	}
	med := func(vs []visit, f func(visit) float64) float64 {
		var xs []float64
		for _, v := range vs {
			xs = append(xs, f(v))
		}
		return median(xs)
	}
	cond := fmt.Sprintf("headless Chromium, fresh browser context per run, loopback, fake Globus, every file revalidated but the hashed wasm (immutable); median of %d", runs)
	base0 := "@globus/sdk 6.2.0 page (esbuild 0.28.2, minified)"
	row := func(fig string, f func(visit) float64, c string) {
		b.add(Row{Section: "page", Figure: fig, Unit: "ms", Ours: med(ours, f), Baseline: med(base, f), BaseName: base0, Conditions: cond + c})
	}
	row("navigation start → login control painted, enabled (cold)", func(v visit) float64 { return v.visible }, "; first animation frame showing the control")
	row("navigation start → API ready (cold: empty HTTP cache)", func(v visit) float64 { return v.cold }, "")
	row("navigation start → API ready (warm: second visit, same context)", func(v visit) float64 { return v.warm }, "")
	row("click Log in → groups table rendered (redirect login)", func(v visit) float64 { return v.login }, "; after the warm visit")
	b.note("Page time to ready, split (median of %d loads): fetch + WebAssembly.instantiateStreaming %.1f ms cold, %.1f ms warm; Go start to exports ready %.1f ms cold, %.1f ms warm; the rest is the HTML, config.json, the shim and wasm_exec.js.",
		len(instantiateMs), median(instantiateMs), median(warmInstantiateMs), median(goStartMs), median(warmGoStartMs))
	return b.pageSizes(r)
}
