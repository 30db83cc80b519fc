package service_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"github.com/globus-edge/globus-edge/app"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/config"
	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/kvstore"
	"github.com/globus-edge/globus-edge/tokens"
	"github.com/globus-edge/globus-edge/worker/service"
)

// fuzzOrigin is the origin the fuzzed requests are addressed to (absolute URLs, as the worker
// runtime hands them over).
const fuzzOrigin = "https://worker.test"

// Placeholders a fuzzed string may contain; each is replaced by a live value before the
// request is made, so the fuzzer reaches the code behind a valid session or login cookie.
const (
	phSession    = "{SID}"     // a logged-in session's id
	phState      = "{STATE}"   // the state of a login in progress
	phStateValue = "{STATECK}" // that login's sealed state cookie
)

// fuzzEnv is one backend over a fake Globus and an in-memory KV, with a logged-in session and
// a login in progress, shared by every fuzz input.
type fuzzEnv struct {
	fake    *globustest.Server
	kv      *kvstore.Memory
	h       *service.Handler
	logs    []string
	keySpec string
	sid     string // a logged-in session (recreated when an input logs it out)
	state   string // a login in progress: its state and sealed cookie
	stateCk string
}

func newFuzzEnv(f *testing.F) *fuzzEnv {
	e := &fuzzEnv{fake: globustest.NewT(f, globustest.Options{}), kv: &kvstore.Memory{}, keySpec: keySpec(9)}
	e.fake.RegisterClient(globustest.Client{ID: testClientID, RedirectURIs: []string{fuzzOrigin + service.CallbackPath}})
	keys, err := tokens.ParseKeyring(e.keySpec)
	if err != nil {
		f.Fatal(err)
	}
	g := config.Config{Environment: "test", AuthURL: e.fake.AuthURL(), GroupsURL: e.fake.GroupsURL(), Timeout: 10 * time.Second, ClientID: testClientID}
	e.h, err = service.New(service.Config{Globus: g, Keys: keys}, http.DefaultClient.Do, e.kv)
	if err != nil {
		f.Fatal(err)
	}
	e.h.Logf = func(format string, args ...any) { e.logs = append(e.logs, fmt.Sprintf(format, args...)) }
	e.state, e.stateCk, _ = e.startLogin(f)
	e.sid = e.login(f)
	return e
}

// serve sends one request straight to the handler.
func (e *fuzzEnv) serve(method, path, rawQuery string, header http.Header) *httptest.ResponseRecorder {
	r := &http.Request{Method: method, URL: &url.URL{Scheme: "https", Host: "worker.test", Path: path, RawQuery: rawQuery},
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: header, Host: "worker.test"}
	r = r.WithContext(context.Background())
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

// startLogin runs GET /login and returns the state, the sealed state cookie and Auth's answer.
func (e *fuzzEnv) startLogin(tb testing.TB) (state, cookie string, cb *url.URL) {
	w := e.serve("GET", "/login", "", http.Header{})
	loc, err := url.Parse(w.Header().Get("Location"))
	if w.Code != http.StatusFound || err != nil {
		tb.Fatalf("GET /login = %d", w.Code)
	}
	for _, c := range w.Result().Cookies() {
		if c.Name == service.StateCookie {
			cookie = c.Value
		}
	}
	if cb, err = e.fake.Authorize(context.Background(), loc.String()); err != nil {
		tb.Fatal(err)
	}
	return loc.Query().Get("state"), cookie, cb
}

// login logs a browser in and returns its session id.
func (e *fuzzEnv) login(tb testing.TB) string {
	_, ck, cb := e.startLogin(tb)
	w := e.serve("GET", service.CallbackPath, cb.RawQuery, http.Header{"Cookie": {service.StateCookie + "=" + ck}})
	for _, c := range w.Result().Cookies() {
		if c.Name == service.SessionCookie && c.Value != "" {
			return c.Value
		}
	}
	tb.Fatalf("callback = %d, no session", w.Code)
	return ""
}

// fill replaces the placeholders in s by live values.
func (e *fuzzEnv) fill(s string) string {
	return strings.NewReplacer(phSession, e.sid, phStateValue, e.stateCk, phState, e.state).Replace(s)
}

// documented5xx are the only server errors the README documents, by status.
var documented5xx = map[int][]string{
	http.StatusInternalServerError: {string(app.KindStorage), string(app.KindConfig)},
	http.StatusBadGateway:          {string(app.KindGlobus), "network_error"},
	http.StatusGatewayTimeout:      {string(app.KindTimeout)},
}

// FuzzHandler feeds the backend arbitrary methods, paths, queries, cookies and headers (with
// live session and login values spliced in where the input names them) and checks what must
// hold for any request: no panic, no 5xx beyond the documented ones, error bodies in the
// documented shape, no token or key material in any response, and Set-Cookie only for the
// two cookies with exactly the documented attributes. `go test` runs the seeds; fuzz with
// `go test ./worker/service -run '^$' -fuzz FuzzHandler`.
func FuzzHandler(f *testing.F) {
	sc, st := service.SessionCookie+"=", service.StateCookie+"="
	for _, s := range [][5]string{
		// method, path, query, Cookie header, "Name: value" headers (lines)
		{"GET", "/", "", "", ""},
		{"HEAD", "/", "", "", ""},
		{"GET", "/healthz", "x=1", "", ""},
		{"GET", "/login", "return_to=/groups/日本?x=é", "", ""},
		{"GET", "/login", "return_to=//evil.example", "", ""},
		{"GET", "/login", "return_to=%0d%0aSet-Cookie:x=y", "", ""},
		{"GET", "/callback", "code=abc&state=" + phState, st + phStateValue, ""},
		{"GET", "/callback", "error=access_denied&state=" + phState, st + phStateValue, ""},
		{"GET", "/callback", "error=<script>&error_description=%00&state=" + phState, st + phStateValue, ""},
		{"GET", "/callback", "state=" + phState, st + phStateValue, ""},
		{"GET", "/callback", "code=abc&state=wrong", st + phStateValue, ""},
		{"GET", "/callback", "code=abc&state=" + phState, st + "garbage", ""},
		{"GET", "/callback", "code=a&code=b&state=" + phState + "&state=x", st + phStateValue + "; " + st + "x", ""},
		{"GET", "/groups", "", sc + phSession, ""},
		{"GET", "/groups", "format=csv", sc + phSession, ""},
		{"GET", "/groups", "format=xml", sc + phSession, ""},
		{"GET", "/groups", "", sc + phSession, "Accept: text/csv;q=0.9, application/json;q=0.1"},
		{"GET", "/groups", "", sc + phSession, "Accept: text/csv;q=NaN"},
		{"GET", "/groups", "", sc + "AAAA", ""},
		{"GET", "/groups", "", sc + strings.Repeat("A", 43), ""},
		{"GET", "/groups", "", sc + phSession + "; " + sc + "x", ""},
		{"GET", "/groups", "%zz;;&&=", "=;=;" + sc, ""},
		{"POST", "/logout", "", sc + phSession, "Origin: " + fuzzOrigin},
		{"POST", "/logout", "", sc + phSession, "Origin: https://evil.example"},
		{"POST", "/logout", "", sc + "x", "Origin: " + fuzzOrigin},
		{"POST", "/groups", "", "", ""},
		{"DELETE", "/logout", "", "", ""},
		{"OPTIONS", "/login", "", "", "Origin: https://evil.example\nAccess-Control-Request-Method: POST"},
		{"", "", "", "", ""},
		{"G\x00T", "/../login", "", "", ""},
		{"GET", "//groups", "", "", ""},
		{"GET", "/groups/", "", sc + phSession, ""},
		{"GET", "/\xff\xfe", "\xff=\xfe", "\xff=\xfe", "X-\xff: \xfe"},
	} {
		f.Add(s[0], s[1], s[2], s[3], s[4])
	}
	e := newFuzzEnv(f)
	key, _ := base64.StdEncoding.DecodeString(e.keySpec)
	f.Fuzz(func(t *testing.T, method, path, query, cookie, headers string) {
		if _, ok, _ := e.kv.Get(context.Background(), kvstore.SessionKey(e.sid)); !ok {
			e.sid = e.login(t) // an earlier input logged it out
		}
		hd := http.Header{}
		if cookie != "" {
			hd.Set("Cookie", e.fill(cookie))
		}
		for _, line := range strings.Split(headers, "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && k != "" {
				hd.Add(k, e.fill(strings.TrimSpace(v)))
			}
		}
		e.logs = e.logs[:0] // this input's log lines only
		fpath, fquery := e.fill(path), e.fill(query)
		w := e.serve(method, fpath, fquery, hd)
		checkResponse(t, w, method)
		// No secret in the body, in any header but the cookies this request set, nor in the log:
		// no token and no key ever; the session id and the login's state and cookie (which the
		// browser holds) only where the request itself put them outside its cookies, as an
		// echo of ?error_description= may.
		secrets := append(e.fake.IssuedTokens(), e.keySpec, string(key))
		sent := fpath + "?" + fquery
		for k, vs := range hd {
			if k != "Cookie" {
				sent += k + ": " + strings.Join(vs, ",")
			}
		}
		for _, s := range []string{e.sid, e.state, e.stateCk} {
			if !strings.Contains(sent, s) {
				secrets = append(secrets, s)
			}
		}
		var out strings.Builder
		out.Write(w.Body.Bytes())
		for k, vs := range w.Header() {
			if k != "Set-Cookie" {
				out.WriteString(k + ": " + strings.Join(vs, ",") + "\n")
			}
		}
		out.WriteString(strings.Join(e.logs, "\n"))
		for _, c := range w.Result().Cookies() {
			if c.Value == e.sid || c.Value == e.stateCk && c.Name != service.StateCookie {
				t.Errorf("cookie %s carries an existing secret back", c.Name)
			}
		}
		for _, s := range secrets {
			if s != "" && strings.Contains(out.String(), s) {
				t.Fatalf("%s %q: secret %.4s… in the response or log", method, path, s)
			}
		}
	})
}

// checkResponse checks the status, the error body and the cookies of one response.
func checkResponse(t *testing.T, w *httptest.ResponseRecorder, method string) {
	t.Helper()
	if w.Code >= 500 {
		var body service.ErrorBody
		json.Unmarshal(w.Body.Bytes(), &body)
		ok := false
		for _, c := range documented5xx[w.Code] {
			ok = ok || body.Error == c
		}
		if !ok {
			t.Fatalf("undocumented %d %q", w.Code, w.Body.String())
		}
	}
	if w.Code >= 400 {
		var body service.ErrorBody
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Error == "" || body.RequestID != w.Header().Get("X-Request-Id") {
			t.Fatalf("%d: error body %q not in the documented shape", w.Code, w.Body.String())
		}
	}
	if w.Header().Get("Strict-Transport-Security") == "" || w.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("%d: common headers missing: %v", w.Code, w.Header())
	}
	if loc := w.Header().Get("Location"); loc != "" {
		for i := 0; i < len(loc); i++ {
			if loc[i] <= 0x20 || loc[i] >= 0x7f {
				t.Fatalf("Location %q is not printable ASCII", loc)
			}
		}
	}
	for _, line := range w.Header().Values("Set-Cookie") {
		checkSetCookie(t, line)
	}
}

// checkSetCookie accepts only the two documented cookies, each exactly with Path=/, Secure,
// HttpOnly, SameSite=Lax and a Max-Age, and no Domain.
func checkSetCookie(t *testing.T, line string) {
	t.Helper()
	c, err := http.ParseSetCookie(line)
	if err != nil {
		t.Fatalf("Set-Cookie %q does not parse: %v", line, err)
	}
	if c.Name != service.SessionCookie && c.Name != service.StateCookie {
		t.Fatalf("undocumented cookie %q", c.Name)
	}
	if c.Path != "/" || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Domain != "" || c.MaxAge == 0 || c.Partitioned {
		t.Fatalf("cookie %s with attributes other than documented: %q", c.Name, line)
	}
	var attrs []string
	for _, a := range strings.Split(line, ";")[1:] {
		name, _, _ := strings.Cut(strings.TrimSpace(a), "=")
		attrs = append(attrs, name)
	}
	if got := strings.Join(attrs, ","); got != "Path,Max-Age,HttpOnly,Secure,SameSite" {
		t.Fatalf("cookie %s attributes %s", c.Name, got)
	}
}
