//go:build !(js && wasm)

package main

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/globus-edge/globus-edge/app"
	"github.com/globus-edge/globus-edge/auth"
	"github.com/globus-edge/globus-edge/config"
	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/tokens"
)

const benchWorkerClient = "bench-worker-client"

// siteClient talks to a backend (our worker, or package worker/service served natively) as a browser
// would, managing the __Host- cookies itself (Go's cookiejar does not send Secure cookies
// over http).
type siteClient struct {
	base, host string // base URL; Host header ("" = base's host)
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// get sends GET path with cookie c (nil for none).
func (b siteClient) get(path string, c *http.Cookie) (*http.Response, error) {
	req, _ := http.NewRequest("GET", b.base+path, nil)
	if b.host != "" {
		req.Host = b.host
	}
	if c != nil {
		req.AddCookie(c)
	}
	return noRedirect.Do(req)
}

// login runs the backend's real login: /login → Auth (the fake approves) → /callback.
func (b siteClient) login(fake *globustest.Server) (*http.Cookie, error) {
	resp, err := b.get("/login", nil)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	state := cookieNamed(resp, "__Host-")
	loc, err := fake.Authorize(context.Background(), resp.Header.Get("Location"))
	if err != nil || state == nil {
		return nil, fmt.Errorf("authorize: %v (state cookie %v)", err, state != nil)
	}
	resp, err = b.get("/callback?"+loc.RawQuery, state)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return nil, fmt.Errorf("callback answered %d", resp.StatusCode)
	}
	if c := cookieNamed(resp, "__Host-globus-edge-session"); c != nil {
		return c, nil
	}
	return nil, fmt.Errorf("no session cookie")
}

// getOK sends GET path and fails on any status but 200.
func (b siteClient) getOK(path string, c *http.Cookie) error {
	resp, err := b.get(path, c)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("%s%s answered %d", b.host, path, resp.StatusCode)
	}
	return nil
}

// workerRig is our worker and the JS baseline in one workerd, each with a live session.
type workerRig struct {
	fake         *globustest.Server
	svc          *service
	ours, base   siteClient
	oursC, baseC *http.Cookie
}

// newWorkerRig starts the rig; env adds settings for bench/workers.mjs (e.g. JS_WORKER_DIR).
func newWorkerRig(env ...string) (*workerRig, error) {
	fake, err := globustest.New(globustest.Options{})
	if err != nil {
		return nil, err
	}
	fake.RegisterClient(globustest.Client{ID: benchWorkerClient, RedirectURIs: []string{"http://ours.test/callback"}})
	key := make([]byte, 32)
	baseKey := make([]byte, 32)
	rand.Read(key)
	rand.Read(baseKey)
	svc, err := startService(2, append([]string{
		"GLOBUS_SDK_SERVICE_URL_AUTH=" + fake.AuthURL(), "GLOBUS_SDK_SERVICE_URL_GROUPS=" + fake.GroupsURL(),
		"GLOBUS_CLIENT_ID=" + benchWorkerClient, "TOKEN_ENCRYPTION_KEY=" + base64.StdEncoding.EncodeToString(key),
		"BASELINE_KEY=" + base64.RawURLEncoding.EncodeToString(baseKey),
	}, env...), "node", "bench/workers.mjs")
	if err != nil {
		fake.Close()
		return nil, err
	}
	r := &workerRig{fake: fake, svc: svc, ours: siteClient{svc.lines[0], "ours.test"}, base: siteClient{svc.lines[0], "baseline.test"}}
	if r.oursC, err = r.ours.login(fake); err != nil {
		r.close()
		return nil, fmt.Errorf("logging in to our worker: %w", err)
	}
	if r.baseC, err = r.seedBaseline(baseKey, strings.TrimPrefix(svc.lines[1], "kv ")); err != nil {
		r.close()
		return nil, fmt.Errorf("seeding the baseline: %w", err)
	}
	return r, nil
}

func (r *workerRig) close() { r.svc.stop(); r.fake.Close() }

func cookieNamed(resp *http.Response, prefix string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if strings.HasPrefix(c.Name, prefix) && c.Value != "" {
			return c
		}
	}
	return nil
}

// nativeLogin logs in natively (tutorial client) and returns the token document, its tokens
// in namespace ns.
func (r *workerRig) nativeLogin(ns string) ([]byte, error) {
	blob := &tokens.MemoryBlob{}
	a := app.New(config.Config{AuthURL: r.fake.AuthURL(), GroupsURL: r.fake.GroupsURL(), ClientID: globustest.TutorialClientID},
		http.DefaultClient, &tokens.DocumentStorage{Blob: blob, Namespace: ns}, "")
	flow, err := a.StartLogin(auth.FlowOptions{})
	if err != nil {
		return nil, err
	}
	loc, err := r.fake.Authorize(context.Background(), flow.AuthorizeURL)
	if err != nil {
		return nil, err
	}
	if err := a.FinishRedirect(context.Background(), flow, loc.Query()); err != nil {
		return nil, err
	}
	doc, _, err := blob.Load(context.Background())
	return doc, err
}

// seedBaseline logs in natively (tutorial client) and stores the token document the way the
// baseline worker reads it: KV "s:"+b64url(sha256(sid)) = b64url(iv || AES-GCM(doc, ad=key)).
func (r *workerRig) seedBaseline(key []byte, kvURL string) (*http.Cookie, error) {
	doc, err := r.nativeLogin(tokens.DefaultNamespace)
	if err != nil {
		return nil, err
	}
	sid := base64.RawURLEncoding.EncodeToString(key[:16])
	sum := sha256.Sum256([]byte(sid))
	kvKey := "s:" + base64.RawURLEncoding.EncodeToString(sum[:])
	block, _ := aes.NewCipher(key)
	gcm, _ := cipher.NewGCM(block)
	iv := make([]byte, 12)
	rand.Read(iv)
	sealed := base64.RawURLEncoding.EncodeToString(gcm.Seal(iv, iv, doc, []byte(kvKey)))
	req, _ := http.NewRequest("PUT", kvURL+"/baseline/"+url.PathEscape(kvKey), strings.NewReader(sealed))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	return &http.Cookie{Name: "__Host-baseline", Value: sid}, nil
}

// load sends n GETs with conc workers and returns latencies (ms) and requests per second.
func load(b siteClient, path string, c *http.Cookie, n, conc int) ([]float64, float64, error) {
	var mu sync.Mutex
	var lat []float64
	var firstErr error
	jobs := make(chan struct{}, n)
	for i := 0; i < n; i++ {
		jobs <- struct{}{}
	}
	close(jobs)
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				t0 := time.Now()
				err := b.getOK(path, c)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				lat = append(lat, ms(time.Since(t0)))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return lat, float64(n) / time.Since(start).Seconds(), firstErr
}

func (b *bench) worker() error {
	r, err := newWorkerRig()
	if err != nil {
		return err
	}
	defer r.close()
	n := 200
	if b.quick {
		n = 4
	}
	for _, path := range []string{"/groups", "/healthz"} {
		for _, conc := range []int{1, 4} {
			load(r.ours, path, r.oursC, min(n, 8), conc) // warm-up
			load(r.base, path, r.baseC, min(n, 8), conc)
			ol, orps, err := load(r.ours, path, r.oursC, n, conc)
			if err != nil {
				return err
			}
			bl, brps, err := load(r.base, path, r.baseC, n, conc)
			if err != nil {
				return err
			}
			cond := fmt.Sprintf("miniflare 4.20260426.0 (one workerd), loopback, fake Globus, %d requests, concurrency %d", n, conc)
			base := "hand-written JS worker, same work"
			fig := fmt.Sprintf("GET %s, concurrency %d", path, conc)
			b.add(Row{Section: "worker", Figure: fig + ": p50 latency", Unit: "ms", Ours: percentile(ol, 50), Baseline: percentile(bl, 50), BaseName: base, Conditions: cond})
			b.add(Row{Section: "worker", Figure: fig + ": p95 latency", Unit: "ms", Ours: percentile(ol, 95), Baseline: percentile(bl, 95), BaseName: base, Conditions: cond})
			b.add(Row{Section: "worker", Figure: fig + ": throughput", Unit: "req/s", Ours: orps, Baseline: brps, BaseName: base, Conditions: cond})
		}
	}
	return nil
}
