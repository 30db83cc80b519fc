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

// instanceMemory is the answering instance's linear memory in bytes.
func instanceMemory(c *siteclient.Client) (float64, error) {
	_, _, memory, err := workerload.Instance(c)
	return float64(memory), err
}

// workerGoWork runs BenchmarkGroupsHandler (the Go side of GET /groups over an in-memory KV and
// a canned Groups answer) as js/wasm under Node and natively: how much of the worker's CPU per
// request is Go's own work, and what wasm costs it.
func (b *bench) workerGoWork() error {
	n := "2000x"
	if b.quick {
		n = "5x"
	}
	run := func(env ...string) (float64, error) {
		cmd := exec.Command("go", "test", "-run", "-", "-bench", "GroupsHandler", "-benchtime", n, "./worker/service/")
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			return 0, fmt.Errorf("go test -bench GroupsHandler %v: %v\n%s", env, err, out)
		}
		for _, line := range strings.Split(string(out), "\n") {
			f := strings.Fields(line)
			if len(f) >= 4 && strings.HasPrefix(f[0], "BenchmarkGroupsHandler") && f[3] == "ns/op" {
				v, err := strconv.ParseFloat(f[2], 64)
				return v / 1e6, err
			}
		}
		return 0, fmt.Errorf("no result in:\n%s", out)
	}
	wasm, err := run("GOOS=js", "GOARCH=wasm", "PATH="+goRootWasm()+string(os.PathListSeparator)+os.Getenv("PATH"))
	if err != nil {
		return err
	}
	native, err := run()
	if err != nil {
		return err
	}
	b.add(Row{Section: "worker", Figure: "Go's own work per GET /groups (handler, KV in memory, canned Groups answer)", Unit: "ms",
		Ours: wasm, Baseline: native, BaseName: "the same benchmark, native", Conditions: "BenchmarkGroupsHandler, js/wasm under Node 20 vs linux/amd64"})
	return nil
}

// goRootWasm is the toolchain's lib/wasm (go_js_wasm_exec, wasm_exec.js).
func goRootWasm() string {
	out, _ := exec.Command("go", "env", "GOROOT").Output()
	return strings.TrimSpace(string(out)) + "/lib/wasm"
}
