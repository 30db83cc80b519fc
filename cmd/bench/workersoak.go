//go:build !(js && wasm)

package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/childproc"
	"github.com/globus-edge/globus-edge/internal/siteclient"
	"github.com/globus-edge/globus-edge/internal/workerload"
)

// workerSoak runs the test build of the worker (build-test/, with /__test/instance) under the
// mixed load of internal/workerload and records one Go instance's linear memory after warm-up
// and after the soak, and the soak's outcome.
func (b *bench) workerSoak() error {
	fake, err := globustest.New(globustest.Options{RotateRefreshTokens: true})
	if err != nil {
		return err
	}
	defer fake.Close()
	key := make([]byte, 32)
	rand.Read(key)
	cmd := exec.Command("node", "worker/testdata/serve.mjs", "--build", "build-test")
	cmd.Env = append(os.Environ(), "GLOBUS_SDK_SERVICE_URL_AUTH="+fake.AuthURL(), "GLOBUS_SDK_SERVICE_URL_GROUPS="+fake.GroupsURL(),
		"GLOBUS_CLIENT_ID="+benchWorkerClient, "TOKEN_ENCRYPTION_KEY="+base64.StdEncoding.EncodeToString(key))
	svc, err := childproc.Start(cmd, 2, 120*time.Second)
	if err != nil {
		return err
	}
	defer svc.Stop()
	base := svc.Lines[0]
	fake.RegisterClient(globustest.Client{ID: benchWorkerClient, RedirectURIs: []string{base + "/callback"}})

	u := &siteclient.Client{Base: base}
	if err := u.Login(context.Background(), fake); err != nil {
		return err
	}
	for i := 0; i < 20; i++ {
		if err := getOK(u, "/groups"); err != nil {
			return err
		}
	}
	warm, err := instanceMemory(u)
	if err != nil {
		return err
	}
	cfg := workerload.Config{Base: base, Fake: fake, Clients: 8, Sessions: 4, Requests: 5000, Expiries: 5, Bursts: 10}
	if b.quick {
		cfg.Requests, cfg.Expiries, cfg.Bursts = 200, 1, 1
	}
	res, err := workerload.Run(context.Background(), cfg)
	if err != nil {
		return err
	}
	after, err := instanceMemory(u)
	if err != nil {
		return err
	}
	cond := fmt.Sprintf("build-test/ in miniflare 4.20260426.0; soak: %d mixed requests, 8 clients, 4 sessions", res.Requests)
	b.add(Row{Section: "worker", Figure: "one Go instance's linear memory, after the soak", Unit: "MiB",
		Ours: after / (1 << 20), Baseline: warm / (1 << 20), BaseName: "the same measure after warm-up (20 requests)", Conditions: cond})
	cross := strings.Count(svc.Out.String(), "different request context")
	b.note("Worker soak (internal/workerload against the fake, in workerd): %d requests (%v) in %v; %d unexpected answers, %d sessions lost, %d refreshes for %d sessions × %d server-side expiries, %d Groups 503 bursts of 3, %d logouts with new logins, %d cross-request warnings in workerd's log.",
		res.Requests, res.ByRoute, res.Elapsed.Round(time.Millisecond), res.Failures, res.Lost, res.Refreshes, cfg.Sessions, cfg.Expiries, cfg.Bursts, res.Logouts, cross)
	if res.Failures != 0 || res.Lost != 0 || cross != 0 {
		return fmt.Errorf("worker soak: %d unexpected answers (%q), %d sessions lost, %d cross-request warnings", res.Failures, res.Unexpected, res.Lost, cross)
	}
	return nil
}

// instanceMemory asks /__test/instance ("ID N BYTES") for the answering instance's memory.
func instanceMemory(c *siteclient.Client) (float64, error) {
	r, err := c.Get("/__test/instance")
	if err != nil {
		return 0, err
	}
	f := strings.Fields(r.Body)
	if r.StatusCode != 200 || len(f) != 3 {
		return 0, fmt.Errorf("/__test/instance answered %d %q", r.StatusCode, r.Body)
	}
	n, err := strconv.ParseFloat(f[2], 64)
	return n, err
}
