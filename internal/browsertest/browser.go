//go:build !(js && wasm)

// Package browsertest runs end-to-end tests in Debian's headless Chromium through chromedp:
// one browser per test binary, a fresh browser context (empty cookies and storage) per test,
// and the page's console captured for failure messages (CORS failures only show there).
package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

var (
	once       sync.Once
	browserCtx context.Context
	startErr   error
)

// ExecPath finds Chromium: $CHROMIUM, else chromium or chromium-browser on PATH.
func ExecPath() (string, error) {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("browsertest: Chromium not found (apt-get install -y --no-install-recommends chromium)")
}

// start launches the shared browser. Its context is never cancelled: chromedp ties the
// browser's life to this process, and cancelling the first Run's context would kill it.
func start() {
	path, err := ExecPath()
	if err != nil {
		startErr = err
		return
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.NoFirstRun)
	alloc, _ := chromedp.NewExecAllocator(context.Background(), opts...)
	browserCtx, _ = chromedp.NewContext(alloc)
	startErr = chromedp.Do(browserCtx) // starts the browser
}

// Tab is a page in a fresh browser context.
type Tab struct {
	// Ctx runs chromedp actions in this tab.
	Ctx     context.Context
	mu      sync.Mutex
	console []string
}

// New opens a tab in a new browser context; it is closed when the test ends. A missing
// Chromium fails the test: these tests are part of the suite, not optional.
func New(t testing.TB) *Tab {
	t.Helper()
	tab, closeTab, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		closeTab()
		if t.Failed() {
			t.Logf("browser console:\n%s", strings.Join(tab.Console(), "\n"))
		}
	})
	return tab
}

// Open opens a tab in a new browser context (empty cookies and storage) outside a test, for
// the benchmarks. closeTab closes it.
func Open() (tab *Tab, closeTab func(), err error) {
	once.Do(start)
	if startErr != nil {
		return nil, nil, fmt.Errorf("browsertest: starting Chromium: %w", startErr)
	}
	tab = &Tab{}
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext(), chromedp.WithListener(func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			var parts []string
			for _, a := range e.Args {
				v := strings.Trim(string(a.Value), `"`)
				if v == "" {
					v = a.Description
				}
				parts = append(parts, v)
			}
			tab.log(string(e.Type) + ": " + strings.Join(parts, " "))
		case *runtime.EventExceptionThrown:
			d := e.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			tab.log("exception: " + msg)
		}
	}))
	tab.Ctx = ctx
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		return nil, nil, fmt.Errorf("browsertest: opening a tab: %w", err)
	}
	return tab, cancel, nil
}

func (t *Tab) log(s string) {
	t.mu.Lock()
	t.console = append(t.console, s)
	t.mu.Unlock()
}

// Console returns the console messages and uncaught exceptions seen so far.
func (t *Tab) Console() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.console...)
}
