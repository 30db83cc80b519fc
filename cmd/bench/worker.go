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
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/globus-edge/globus-edge/app"
	"github.com/globus-edge/globus-edge/auth"
	"github.com/globus-edge/globus-edge/config"
	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/siteclient"
	"github.com/globus-edge/globus-edge/tokens"
)

const benchWorkerClient = "bench-worker-client"

// getOK sends GET path as browser c and fails on any status but 200.
func getOK(c *siteclient.Client, path string) error {
	r, err := c.Get(path)
	if err != nil {
		return err
	}
	if r.StatusCode != 200 {
		return fmt.Errorf("%s%s answered %d", c.Host, path, r.StatusCode)
	}
	return nil
}

// workerRig is our worker (in KV-only and in Durable Object mode) and the JS baseline in one
// workerd, each with a live session.
type workerRig struct {
	fake                *globustest.Server
	svc                 *service
	ours, durable, base *siteclient.Client // each holds its session cookie
}

// newWorkerRig starts the rig; env adds settings for bench/workers.mjs (e.g. JS_WORKER_DIR).
func newWorkerRig(env ...string) (*workerRig, error) {
	fake, err := globustest.New(globustest.Options{})
	if err != nil {
		return nil, err
	}
	fake.RegisterClient(globustest.Client{ID: benchWorkerClient, RedirectURIs: []string{"http://ours.test/callback", "http://durable.test/callback"}})
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
	r := &workerRig{fake: fake, svc: svc,
		ours:    &siteclient.Client{Base: svc.lines[0], Host: "ours.test"},
		durable: &siteclient.Client{Base: svc.lines[0], Host: "durable.test"},
		base:    &siteclient.Client{Base: svc.lines[0], Host: "baseline.test"}}
	for _, c := range []*siteclient.Client{r.ours, r.durable} {
		if err = c.Login(context.Background(), fake); err != nil {
			r.close()
			return nil, fmt.Errorf("logging in to our worker (%s): %w", c.Host, err)
		}
	}
	baseC, err := r.seedBaseline(baseKey, strings.TrimPrefix(svc.lines[1], "kv "))
	if err != nil {
		r.close()
		return nil, fmt.Errorf("seeding the baseline: %w", err)
	}
	r.base.SetCookie(baseC.Name, baseC)
	return r, nil
}

func (r *workerRig) close() { r.svc.stop(); r.fake.Close() }

// nativeLogin logs in natively (tutorial client) and returns the token document, its tokens
// in namespace ns.
func (r *workerRig) nativeLogin(ns string) ([]byte, error) {
	blob := &tokens.MemoryBlob{}
	a := app.New(config.Config{AuthURL: r.fake.AuthURL(), GroupsURL: r.fake.GroupsURL(), ClientID: globustest.TutorialClientID},
		http.DefaultClient.Do, &tokens.DocumentStorage{Blob: blob, Namespace: ns}, "")
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
	req, _ := http.NewRequest("PUT", kvURL+"/"+url.PathEscape(kvKey)+"?worker=baseline", strings.NewReader(sealed))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	return &http.Cookie{Name: "__Host-baseline", Value: sid}, nil
}

// load sends n GETs with conc workers and returns latencies (ms) and requests per second.
func load(b *siteclient.Client, path string, n, conc int) ([]float64, float64, error) {
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
				err := getOK(b, path)
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

// sideBySide loads ours, then base, each with n requests to path at concurrency conc after a
// short warm-up of both; mark, when not nil, runs before, between and after the two loads (the
// worker's CPU readings). It returns the latencies (ms) and throughputs (req/s) of each.
func sideBySide(ours, base *siteclient.Client, path string, n, conc int, mark func()) (ol, bl []float64, orps, brps float64, err error) {
	if mark == nil {
		mark = func() {}
	}
	load(ours, path, min(n, 8), conc) // warm-up
	load(base, path, min(n, 8), conc)
	mark()
	if ol, orps, err = load(ours, path, n, conc); err != nil {
		return
	}
	mark()
	if bl, brps, err = load(base, path, n, conc); err != nil {
		return
	}
	mark()
	return
}

// addLoadRows adds fig's p50 and p95 latency and throughput rows: ours against the baseline.
func (b *bench) addLoadRows(section, fig, baseName, cond string, ol, bl []float64, orps, brps float64) {
	b.add(Row{Section: section, Figure: fig + ": p50 latency", Unit: "ms", Ours: percentile(ol, 50), Baseline: percentile(bl, 50), BaseName: baseName, Conditions: cond})
	b.add(Row{Section: section, Figure: fig + ": p95 latency", Unit: "ms", Ours: percentile(ol, 95), Baseline: percentile(bl, 95), BaseName: baseName, Conditions: cond})
	b.add(Row{Section: section, Figure: fig + ": throughput", Unit: "req/s", Ours: orps, Baseline: brps, BaseName: baseName, Conditions: cond})
}

func (b *bench) worker() error {
	r, err := newWorkerRig()
	if err != nil {
		return err
	}
	defer r.close()
	n := 400
	if b.quick {
		n = 4
	}
	for _, path := range []string{"/groups", "/healthz"} {
		for _, conc := range []int{1, 4} {
			var cpu []time.Duration
			ol, bl, orps, brps, err := sideBySide(r.ours, r.base, path, n, conc, func() {
				c, _ := treeCPU(r.svc.Pid())
				cpu = append(cpu, c)
			})
			if err != nil {
				return err
			}
			c0, c1, c2 := cpu[0], cpu[1], cpu[2]
			cond := fmt.Sprintf("miniflare 4.20260426.0 (one workerd), loopback, fake Globus, %d requests, concurrency %d", n, conc)
			base := "hand-written JS worker, same work"
			fig := fmt.Sprintf("GET %s, concurrency %d", path, conc)
			b.addLoadRows("worker", fig, base, cond, ol, bl, orps, brps)
			if !b.quick {
				// CPU of node + workerd over each run (10 ms resolution), per request.
				b.add(Row{Section: "worker", Figure: fig + ": CPU per request (node + workerd)", Unit: "ms",
					Ours: ms(c1-c0) / float64(n), Baseline: ms(c2-c1) / float64(n), BaseName: base, Conditions: cond})
			}
		}
	}
	if err := b.workerDurable(r); err != nil {
		return err
	}
	if err := b.workerGoWork(); err != nil {
		return err
	}
	return b.workerSoak()
}
