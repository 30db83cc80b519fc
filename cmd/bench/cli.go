//go:build !(js && wasm)

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/parallel"
	"github.com/globus-edge/globus-edge/internal/tutorialuser"
	"github.com/globus-edge/globus-edge/tokens"
)

// cliHarness runs dist/globus-groups against a fake Globus with its own HOME.
type cliHarness struct {
	fake *globustest.Server
	home string
	bin  string
}

func newCLIHarness() (*cliHarness, error) {
	fake, err := globustest.New(globustest.Options{})
	if err != nil {
		return nil, err
	}
	home, err := os.MkdirTemp("", "bench-cli")
	if err != nil {
		return nil, err
	}
	bin, _ := filepath.Abs("dist/globus-groups")
	return &cliHarness{fake: fake, home: home, bin: bin}, nil
}

func (h *cliHarness) close() { h.fake.Close(); os.RemoveAll(h.home) }

func (h *cliHarness) cmd() *exec.Cmd {
	c := exec.Command(h.bin)
	c.Env = []string{"HOME=" + h.home, "GLOBUS_SDK_SERVICE_URL_AUTH=" + h.fake.AuthURL(), "GLOBUS_SDK_SERVICE_URL_GROUPS=" + h.fake.GroupsURL()}
	return c
}

func (h *cliHarness) login() error {
	c := h.cmd()
	c.Stderr = os.Stderr
	return tutorialuser.Login(c, func(u string) (string, error) {
		loc, err := h.fake.Authorize(context.Background(), u)
		if err != nil {
			return "", err
		}
		return loc.Query().Get("code"), nil
	}, io.Discard)
}

// run runs the CLI once and returns its wall time and peak RSS in MiB.
func (h *cliHarness) run() (time.Duration, float64, error) {
	c := h.cmd()
	c.Stdout = io.Discard
	start := time.Now()
	err := c.Run()
	wall := time.Since(start)
	if err != nil {
		return 0, 0, fmt.Errorf("CLI run: %w", err)
	}
	ru := c.ProcessState.SysUsage().(*syscall.Rusage)
	return wall, float64(ru.Maxrss) / 1024, nil
}

// expireLocally makes the stored access token look expired to the CLI (not to the server).
func (h *cliHarness) expireLocally() error {
	s := tokens.NewFileStore(filepath.Join(h.home, ".list-my-globus-groups-tokens.json"))
	doc, err := s.Load(context.Background())
	if err != nil {
		return err
	}
	for rs, d := range doc.Data[tokens.DefaultNamespace] {
		d.ExpiresAtSeconds = time.Now().Unix() - 1
		doc.Data[tokens.DefaultNamespace][rs] = d
	}
	return s.Blob.Save(context.Background(), doc.Encode())
}

func (b *bench) cli() error {
	h, err := newCLIHarness()
	if err != nil {
		return err
	}
	defer h.close()
	if err := h.login(); err != nil {
		return err
	}
	var steadyT, expT []float64
	var steadyM, expM []float64
	for i := 0; i < b.runs; i++ {
		w, m, err := h.run()
		if err != nil {
			return err
		}
		steadyT, steadyM = append(steadyT, ms(w)), append(steadyM, m)
		if err := h.expireLocally(); err != nil {
			return err
		}
		w, m, err = h.run()
		if err != nil {
			return err
		}
		expT, expM = append(expT, ms(w)), append(expM, m)
	}
	cond := "fake Globus on loopback; expired = stored expiry in the past, so one refresh precedes the Groups call"
	b.add(Row{Section: "CLI", Figure: "run with an expired token: wall time (median)", Unit: "ms", Ours: median(expT), Baseline: median(steadyT), BaseName: "the same CLI, stored valid token", Conditions: cond})
	b.add(Row{Section: "CLI", Figure: "run with an expired token: peak RSS (median)", Unit: "MiB", Ours: median(expM), Baseline: median(steadyM), BaseName: "the same CLI, stored valid token", Conditions: cond})
	return nil
}

// cliRoundTrips counts what reaches the fake for the CLI's operations.
func cliRoundTrips() (rt roundTrips, err error) {
	h, err := newCLIHarness()
	if err != nil {
		return rt, err
	}
	defer h.close()
	if err := h.login(); err != nil {
		return rt, err
	}
	rt.login = h.fake.Count("POST /v2/oauth2/token")
	h.fake.ResetCounts()
	if _, _, err := h.run(); err != nil {
		return rt, err
	}
	rt.steadyAuth = authCalls(h.fake)
	h.fake.ResetCounts()
	h.expireLocally()
	if _, _, err := h.run(); err != nil {
		return rt, err
	}
	rt.expiredRefreshes = h.fake.Count("grant:refresh_token")
	h.fake.ResetCounts()
	h.expireLocally()
	if err := parallel.Run(20, func(int) error { _, _, err := h.run(); return err }); err != nil {
		return rt, err
	}
	rt.concurrentRefreshes = h.fake.Count("grant:refresh_token")
	rt.note = "processes sharing the token file; expired = stored expiry in the past; 20 processes at once"
	return rt, nil
}
