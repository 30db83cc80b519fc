//go:build !(js && wasm)

package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/browsertest"
	"github.com/globus-edge/globus-edge/internal/parallel"
	"github.com/globus-edge/globus-edge/internal/siteclient"
	"github.com/globus-edge/globus-edge/kvstore"
	workerservice "github.com/globus-edge/globus-edge/worker/service"
)

// pageRoundTrips logs in to our page in Chromium and counts what reaches the fake.
// "Expired" is expired at the server (the fake), so the page learns it from a 401.
func (b *bench) pageRoundTrips() (rt roundTrips, err error) {
	r, err := newPageRig()
	if err != nil {
		return rt, err
	}
	defer r.close()
	tab, closeTab, err := browsertest.Open()
	if err != nil {
		return rt, err
	}
	defer closeTab()
	rows := func() error {
		_, err := chromedp.Run(tab.Ctx, chromedp.Poll[bool](`document.querySelectorAll("#groups-body tr").length > 0`,
			chromedp.WithPollingTimeout(60*time.Second)))
		return err
	}
	open := func() error {
		if err := chromedp.Do(tab.Ctx, chromedp.Navigate(r.ours)); err != nil {
			return err
		}
		return rows()
	}
	if err := chromedp.Do(tab.Ctx, chromedp.Navigate(r.ours)); err != nil {
		return rt, err
	}
	if _, err := timeLoginIn(tab, oursPage); err != nil {
		return rt, err
	}
	rt.login = r.fake.Count("POST /v2/oauth2/token")
	r.fake.ResetCounts()
	if err := open(); err != nil {
		return rt, err
	}
	rt.steadyAuth = authCalls(r.fake)
	r.fake.ResetCounts()
	r.fake.ExpireAccessTokens()
	if err := open(); err != nil {
		return rt, err
	}
	rt.expiredRefreshes = r.fake.Count("grant:refresh_token")
	r.fake.ResetCounts()
	r.fake.ExpireAccessTokens()
	// 20 concurrent calls through the package API, in the logged-in page.
	if _, err := chromedp.Run(tab.Ctx, chromedp.Evaluate[bool](`(async () => {
		const m = await import("./globus-edge.js");
		// The page's wasm has a content-hashed name, the one index.html preloads.
		const wasmUrl = document.querySelector('link[rel="preload"][as="fetch"]').href;
		const c = await m.createGlobusClient({ ...(await (await fetch("config.json")).json()), wasmUrl });
		await Promise.all(Array.from({ length: 20 }, () => c.myGroups()));
		return true;
	})()`, chromedp.EvalAwaitPromise)); err != nil {
		return rt, fmt.Errorf("20 concurrent calls: %w (console %v)", err, tab.Console())
	}
	rt.concurrentRefreshes = r.fake.Count("grant:refresh_token")
	rt.note = "headless Chromium; expired at the server (401, then refresh)"
	return rt, nil
}

// countingKV counts the operations of package worker/service on its KV.
type countingKV struct {
	kvstore.Memory
	gets, puts, deletes atomic.Int32
}

func (c *countingKV) Get(ctx context.Context, k string) (string, bool, error) {
	c.gets.Add(1)
	return c.Memory.Get(ctx, k)
}

func (c *countingKV) Put(ctx context.Context, k, v string, ttl time.Duration) error {
	c.puts.Add(1)
	return c.Memory.Put(ctx, k, v, ttl)
}

func (c *countingKV) Delete(ctx context.Context, k string) error {
	c.deletes.Add(1)
	return c.Memory.Delete(ctx, k)
}

func (c *countingKV) take() string {
	return fmt.Sprintf("%d get, %d put, %d delete", c.gets.Swap(0), c.puts.Swap(0), c.deletes.Swap(0))
}

// workerRoundTrips counts the fake's calls for our worker in workerd, and KV operations for
// the same handler (package worker/service) served natively over a counting KV: the worker only wires
// the service to Cloudflare KV, and workerd offers no KV operation counter.
func (b *bench) workerRoundTrips() (rt roundTrips, err error) {
	r, err := newWorkerRig()
	if err != nil {
		return rt, err
	}
	defer r.close()
	op := func(n int) error { // n concurrent GET /groups
		return parallel.Run(n, func(int) error { return getOK(r.ours, "/groups") })
	}
	r.fake.ResetCounts()
	if err := r.ours.Login(context.Background(), r.fake); err != nil {
		return rt, err
	}
	rt.login = r.fake.Count("POST /v2/oauth2/token")
	r.fake.ResetCounts()
	if err := op(1); err != nil {
		return rt, err
	}
	rt.steadyAuth = authCalls(r.fake)
	r.fake.ResetCounts()
	r.fake.ExpireAccessTokens()
	if err := op(1); err != nil {
		return rt, err
	}
	rt.expiredRefreshes = r.fake.Count("grant:refresh_token")
	r.fake.ResetCounts()
	r.fake.ExpireAccessTokens()
	if err := op(20); err != nil {
		return rt, err
	}
	rt.concurrentRefreshes = r.fake.Count("grant:refresh_token")
	kv, err := serviceKVOps(r)
	if err != nil {
		return rt, err
	}
	rt.note = "workerd (miniflare); expired at the server (401, then refresh); pooled Go instances (worker/entry.mjs), refreshes serialised by a KV lease"
	b.note("Worker KV operations, counted on package worker/service served natively over a counting KV (the worker only wires the service to Cloudflare KV; workerd counts nothing): %s.", kv)
	return rt, nil
}

// serviceKVOps serves package worker/service natively over a counting KV and reports KV operations per step.
func serviceKVOps(r *workerRig) (string, error) {
	kv := &countingKV{}
	key := make([]byte, 32)
	var handler http.Handler = http.NotFoundHandler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) { handler.ServeHTTP(w, req) }))
	defer srv.Close()
	env := map[string]string{
		"GLOBUS_SDK_SERVICE_URL_AUTH": r.fake.AuthURL(), "GLOBUS_SDK_SERVICE_URL_GROUPS": r.fake.GroupsURL(),
		"GLOBUS_CLIENT_ID": benchWorkerClient, "TOKEN_ENCRYPTION_KEY": base64.StdEncoding.EncodeToString(key),
	}
	h, err := workerservice.NewFromEnv(func(k string) string { return env[k] }, http.DefaultClient.Do, kv)
	if err != nil {
		return "", err
	}
	handler = h
	r.fake.RegisterClient(globustest.Client{ID: benchWorkerClient, RedirectURIs: []string{"http://ours.test/callback", srv.URL + "/callback"}})
	c := &siteclient.Client{Base: srv.URL}
	if err := c.Login(context.Background(), r.fake); err != nil {
		return "", err
	}
	login := kv.take()
	if err := getOK(c, "/groups"); err != nil {
		return "", err
	}
	steady := kv.take()
	r.fake.ExpireAccessTokens()
	if err := getOK(c, "/groups"); err != nil {
		return "", err
	}
	return fmt.Sprintf("login %s; steady /groups %s; expired /groups %s", login, steady, kv.take()), nil
}
