package service_test

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/globus-edge/globus-edge/app"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/config"
	"github.com/globus-edge/globus-edge/kvstore"
	"github.com/globus-edge/globus-edge/transport"
	"github.com/globus-edge/globus-edge/worker/service"
)

// refusingKV fails the test on any use.
type refusingKV struct{ t *testing.T }

func (k refusingKV) Get(context.Context, string) (string, bool, error) {
	k.t.Error("unexpected KV Get")
	return "", false, errors.New("no")
}
func (k refusingKV) Put(context.Context, string, string, time.Duration) error {
	k.t.Error("unexpected KV Put")
	return errors.New("no")
}
func (k refusingKV) Delete(context.Context, string) error {
	k.t.Error("unexpected KV Delete")
	return errors.New("no")
}

func refusingDoer(t *testing.T) transport.Doer {
	return transport.Doer(func(*http.Request) (*http.Response, error) {
		t.Error("unexpected outbound request")
		return nil, errors.New("no")
	})
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func goodEnv() map[string]string {
	return map[string]string{
		"GLOBUS_CLIENT_ID":              testClientID,
		"TOKEN_ENCRYPTION_KEY":          keySpec(1),
		"GLOBUS_SDK_SERVICE_URL_AUTH":   "http://127.0.0.1:1",
		"GLOBUS_SDK_SERVICE_URL_GROUPS": "http://127.0.0.1:2",
	}
}

func serve(h http.Handler, method, target string, hdr http.Header) *resp {
	req := httptest.NewRequest(method, target, nil)
	for k, v := range hdr {
		req.Header[k] = v
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return &resp{Response: w.Result(), body: w.Body.String()}
}

func TestHealthzDoesNoIO(t *testing.T) {
	h, err := service.NewFromEnv(env(goodEnv()), refusingDoer(t), refusingKV{t})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{http.MethodGet, http.MethodHead} {
		r := serve(h, m, "/healthz", nil)
		if r.StatusCode != 200 || (m == http.MethodGet && strings.TrimSpace(r.body) != "ok") {
			t.Errorf("%s /healthz = %d %q", m, r.StatusCode, r.body)
		}
	}
}

func TestConfigFromEnv(t *testing.T) {
	e := goodEnv()
	e["GLOBUS_CLIENT_SECRET"] = "shh"
	e["GLOBUS_REDIRECT_URI"] = "https://groups.example.org/callback"
	c, err := service.ConfigFromEnv(env(e))
	if err != nil {
		t.Fatal(err)
	}
	if c.ClientSecret != "shh" || c.Origin != "https://groups.example.org" || c.Globus.ClientID != testClientID || c.Keys == nil {
		t.Errorf("config %+v", c)
	}

	_, err = service.ConfigFromEnv(env(map[string]string{}))
	var ce *config.Error
	if !errors.As(err, &ce) || !errors.Is(err, config.ErrInvalid) {
		t.Fatalf("empty env: %v", err)
	}
	for _, name := range []string{"GLOBUS_CLIENT_ID", "TOKEN_ENCRYPTION_KEY"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not name %s", err, name)
		}
	}

	bad := goodEnv()
	bad["TOKEN_ENCRYPTION_KEY"] = "c2hvcnQ=" // "short"
	bad["GLOBUS_SDK_HTTP_TIMEOUT"] = "soon"
	bad["GLOBUS_REDIRECT_URI"] = "https://groups.example.org/elsewhere"
	_, err = service.ConfigFromEnv(env(bad))
	for _, name := range []string{"TOKEN_ENCRYPTION_KEY", "GLOBUS_SDK_HTTP_TIMEOUT", "GLOBUS_REDIRECT_URI"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("error %v does not name the malformed %s", err, name)
		}
	}
	if err != nil && strings.Contains(err.Error(), "c2hvcnQ") {
		t.Error("the error shows the key")
	}
}

func TestMisconfiguredServiceAnswers500(t *testing.T) {
	e := goodEnv()
	e["TOKEN_ENCRYPTION_KEY"] = "not-a-key"
	delete(e, "GLOBUS_CLIENT_ID")
	_, err := service.NewFromEnv(env(e), refusingDoer(t), refusingKV{t})
	if err == nil {
		t.Fatal("bad config accepted")
	}
	h := service.Unavailable(err)
	if r := serve(h, "GET", "/healthz", nil); r.StatusCode != 200 {
		t.Errorf("/healthz of a misconfigured service = %d", r.StatusCode)
	}
	for _, target := range []string{"/", "/login", "/groups", "/callback?code=x&state=y"} {
		r := serve(h, "GET", target, nil)
		var body service.ErrorBody
		if json.Unmarshal([]byte(r.body), &body) != nil || r.StatusCode != 500 || body.Error != string(app.KindConfig) {
			t.Fatalf("GET %s = %d %q", target, r.StatusCode, r.body)
		}
		if !strings.Contains(body.Message, "GLOBUS_CLIENT_ID") || !strings.Contains(body.Message, "TOKEN_ENCRYPTION_KEY") {
			t.Errorf("message %q does not name the settings", body.Message)
		}
		if strings.Contains(body.Message, "not-a-key") {
			t.Error("the message shows the secret's value")
		}
	}
}

func TestRoutes(t *testing.T) {
	h, err := service.NewFromEnv(env(goodEnv()), refusingDoer(t), refusingKV{t})
	if err != nil {
		t.Fatal(err)
	}
	errorBody(t, serve(h, "GET", "/nope", nil), 404, service.CodeNotFound)
	r := serve(h, "POST", "/groups", nil)
	errorBody(t, r, 405, service.CodeMethodNotAllowed)
	if r.Header.Get("Allow") != "GET" {
		t.Errorf("Allow %q", r.Header.Get("Allow"))
	}
	errorBody(t, serve(h, "DELETE", "/logout", nil), 405, service.CodeMethodNotAllowed)
	// No Globus and no KV for a request without a session.
	errorBody(t, serve(h, "GET", "/groups", nil), 401, string(app.KindLoginRequired))
}

func TestPage(t *testing.T) {
	h, err := service.NewFromEnv(env(goodEnv()), refusingDoer(t), refusingKV{t})
	if err != nil {
		t.Fatal(err)
	}
	r := serve(h, "GET", "/", nil)
	if r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET / = %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
	csp := r.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'sha256-") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "connect-src 'self'") {
		t.Errorf("CSP %q", csp)
	}
	for _, want := range []string{`href="/login"`, `id="logout"`, `fetch("/groups?format=rows"`, `fetch("/logout", { method: "POST" })`, "textContent"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(r.body, "innerHTML") {
		t.Error("page uses innerHTML")
	}
}

func TestMemoryKVFollowsKVRules(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	kv := &kvstore.Memory{Now: func() time.Time { return now }}
	ctx := context.Background()
	if err := kv.Put(ctx, "k", "v", 30*time.Second); err == nil {
		t.Error("a 30 s TTL was accepted; Cloudflare KV refuses TTLs under 60 s")
	}
	kv.Put(ctx, "k", "v", time.Minute)
	if v, ok, _ := kv.Get(ctx, "k"); !ok || v != "v" {
		t.Fatal("value not stored")
	}
	now = now.Add(time.Minute)
	if _, ok, _ := kv.Get(ctx, "k"); ok {
		t.Error("value outlived its TTL")
	}
}
