//go:build js && wasm

package jsfetch

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"syscall/js"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/internal/jsx"
	"github.com/globus-edge/globus-edge/transport"
	"github.com/globus-edge/globus-edge/wasm/internal/jstest"
)

// serverSource is a real HTTP server in Node (go_js_wasm_exec exposes require). Go's own
// httptest server would live in the wasm's fake network, which fetch cannot reach.
//
//	/echo  answers 201 with JSON {method, headers, body} of the request and two headers
//	/slow  never answers (for cancellation)
//	/bytes answers 200 with every byte value 0..255
//	/flood streams 40 MiB in 64 KiB chunks without a Content-Length (chunked)
//	/declared says Content-Length: 41943040, sends 64 KiB and then nothing
//
// srv.flood counts the bytes /flood wrote before its client went away.
const serverSource = `
const http = require("http");
const state = {flood: -1};
const srv = http.createServer((req, res) => {
	if (req.url === "/flood") {
		const chunk = Buffer.alloc(64 << 10, 120);
		let sent = 0;
		res.writeHead(200, {"Content-Type": "application/json"});
		res.on("close", () => { state.flood = sent; });
		const more = () => {
			while (sent < 40 << 20) {
				sent += chunk.length;
				if (!res.write(chunk)) return res.once("drain", more);
			}
			res.end();
		};
		return more();
	}
	if (req.url === "/declared") {
		res.writeHead(200, {"Content-Type": "application/json", "Content-Length": String(40 << 20)});
		return res.write(Buffer.alloc(64 << 10, 120));
	}
	const chunks = [];
	req.on("data", (c) => chunks.push(c));
	req.on("end", () => {
		if (req.url === "/slow") return;
		if (req.url === "/bytes") {
			res.writeHead(200, {"Content-Type": "application/octet-stream"});
			res.end(Buffer.from([...Array(256).keys()]));
			return;
		}
		res.setHeader("X-Multi", ["a", "b"]);
		res.writeHead(201, "Made It", {"Content-Type": "application/json", "Retry-After": "7"});
		res.end(JSON.stringify({method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString()}));
	});
});
return new Promise((resolve) => srv.listen(0, "127.0.0.1", () =>
	resolve({url: "http://127.0.0.1:" + srv.address().port, state, close: () => { srv.closeAllConnections(); srv.close(); }})));`

func startServer(t *testing.T) string {
	t.Helper()
	return startServerState(t).Get("url").String()
}

// startServerState starts the server and returns its handle: url, state, close.
func startServerState(t *testing.T) js.Value {
	t.Helper()
	v, err := jsx.Await(context.Background(), jstest.Eval(serverSource))
	if err != nil {
		t.Fatalf("starting the Node server: %v", err)
	}
	t.Cleanup(func() { v.Call("close") })
	return v
}

func TestDoRequestAndResponse(t *testing.T) {
	base := startServer(t)
	req, _ := http.NewRequest(http.MethodPost, base+"/echo?x=1", strings.NewReader("grant_type=refresh_token&token=%C3%A9"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer abc")
	req.Header.Add("X-Globus-Client-Info", "product=globus-edge")
	resp, err := testDoer(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 201 || resp.Status != "201 Made It" {
		t.Errorf("status = %d %q, want 201 \"201 Made It\"", resp.StatusCode, resp.Status)
	}
	if got := resp.Header.Get("Retry-After"); got != "7" {
		t.Errorf("Retry-After = %q, want 7", got)
	}
	if got := resp.Header.Get("X-Multi"); got != "a, b" {
		t.Errorf("X-Multi = %q, want the combined %q", got, "a, b")
	}
	if resp.ContentLength != int64(len(body)) || resp.Request != req {
		t.Errorf("ContentLength %d for %d bytes, Request set %v", resp.ContentLength, len(body), resp.Request == req)
	}
	var echo struct {
		Method  string            `json:"method"`
		Headers map[string]string `json:"headers"`
		Body    string            `json:"body"`
	}
	if err := json.Unmarshal(body, &echo); err != nil {
		t.Fatalf("echo body %q: %v", body, err)
	}
	if echo.Method != "POST" || echo.Body != "grant_type=refresh_token&token=%C3%A9" {
		t.Errorf("server saw %s %q", echo.Method, echo.Body)
	}
	for k, want := range map[string]string{
		"content-type": "application/x-www-form-urlencoded", "authorization": "Bearer abc",
		"x-globus-client-info": "product=globus-edge",
	} {
		if echo.Headers[k] != want {
			t.Errorf("server saw header %s = %q, want %q", k, echo.Headers[k], want)
		}
	}
	if _, ok := echo.Headers["cookie"]; ok {
		t.Error("a cookie header was sent")
	}
}

func TestDoBinaryBody(t *testing.T) {
	base := startServer(t)
	req, _ := http.NewRequest(http.MethodGet, base+"/bytes", nil)
	resp, err := testDoer(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if len(b) != 256 {
		t.Fatalf("got %d bytes, want 256", len(b))
	}
	for i, c := range b {
		if int(c) != i {
			t.Fatalf("byte %d = %d", i, c)
		}
	}
}

// TestDoRefusesFloods: an answer larger than transport.MaxBodySize is refused as
// transport.ErrBodyTooLarge once the cap is passed, not after reading it whole: a chunked
// 40 MiB answer is cut off (the server saw its client leave well before the end), and one whose
// Content-Length says 40 MiB is refused without waiting for bytes the server never sends.
func TestDoRefusesFloods(t *testing.T) {
	srv := startServerState(t)
	base := srv.Get("url").String()
	for _, path := range []string{"/flood", "/declared"} {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		if _, err := testDoer(t).Do(req); !errors.Is(err, transport.ErrBodyTooLarge) {
			t.Fatalf("GET %s = %v, want transport.ErrBodyTooLarge", path, err)
		}
	}
	// The server notices the closed connection a moment after Do returned.
	for deadline := time.Now().Add(10 * time.Second); srv.Get("state").Get("flood").Int() < 0; {
		if time.Now().After(deadline) {
			t.Fatal("the flooding server never saw its client leave")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if sent := srv.Get("state").Get("flood").Int(); sent >= 40<<20 {
		t.Fatalf("the server wrote all %d bytes: the answer was read whole", sent)
	}
}

// TestDoHonoursContext checks the AbortController wiring: a request that never gets an
// answer returns once its context ends, with an error that wraps the context's error (so
// transport.Client reports a timeout as a timeout).
func TestDoHonoursContext(t *testing.T) {
	base := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/slow", nil)
	_, err := testDoer(t).Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Do on a stalled server = %v, want context.DeadlineExceeded", err)
	}
	done, cancel2 := context.WithCancel(context.Background())
	cancel2()
	req, _ = http.NewRequestWithContext(done, http.MethodGet, base+"/echo", nil)
	if _, err := testDoer(t).Do(req); !errors.Is(err, context.Canceled) {
		t.Fatalf("Do with a cancelled context = %v, want context.Canceled", err)
	}
}

func TestDoNetworkError(t *testing.T) {
	// Start a server and close it at once: its port is then refused.
	v, err := jsx.Await(context.Background(), jstest.Eval(serverSource))
	if err != nil {
		t.Fatal(err)
	}
	url := v.Get("url").String()
	v.Call("close")
	c := &transport.Client{Doer: testDoer(t).Do, MaxRetries: transport.NoRetries}
	req, _ := http.NewRequest(http.MethodGet, url+"/echo", nil)
	_, err = c.Do(req)
	var ne *transport.NetworkError
	if !errors.As(err, &ne) {
		t.Fatalf("Do to a closed port = %v, want a *transport.NetworkError", err)
	}
	var je *jsx.Error
	if !errors.As(err, &je) || je.Name != "TypeError" {
		t.Fatalf("error %v does not carry fetch's TypeError", err)
	}
}

// TestDoUsesConfiguredFetch checks that Fetch replaces globalThis.fetch and that a fetch
// that throws synchronously is an error, not a crash.
func TestDoUsesConfiguredFetch(t *testing.T) {
	var gotURL string
	fake := js.FuncOf(func(_ js.Value, args []js.Value) any {
		gotURL = args[0].String()
		return jstest.Eval(`return Promise.resolve(new Response("hi", {status: 418, headers: {"X-A": "1"}}));`)
	})
	defer fake.Release()
	req, _ := http.NewRequest(http.MethodGet, "https://groups.api.globus.org/v2/groups/my_groups", nil)
	resp, err := Doer{Helper: jstest.FetchHelper(t), Fetch: fake.Value}.Do(req)
	if err != nil || resp.StatusCode != 418 || resp.Header.Get("X-A") != "1" {
		t.Fatalf("Do = %+v, %v", resp, err)
	}
	if gotURL != req.URL.String() {
		t.Fatalf("fetch got URL %q", gotURL)
	}
	throwing := jstest.Eval(`return () => { throw new TypeError("bad init"); };`)
	if _, err := (Doer{Helper: jstest.FetchHelper(t), Fetch: throwing}).Do(req); err == nil || !strings.Contains(err.Error(), "bad init") {
		t.Fatalf("Do with a throwing fetch = %v", err)
	}
}

// testDoer is the zero Doer with the host's fetch helper (js/instance.js), as hosts make it.
func testDoer(t *testing.T) Doer { return Doer{Helper: jstest.FetchHelper(t)} }

// TestDoWithoutHelper: a Doer no host gave its helper says so instead of crashing.
func TestDoWithoutHelper(t *testing.T) {
	req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:9/x", nil)
	if _, err := (Doer{}).Do(req); err == nil || !strings.Contains(err.Error(), "no fetch helper") {
		t.Fatalf("Do without a helper = %v, want an error naming the helper", err)
	}
}

// TestDoRefusesLineBreaksInHeaders: a header the helper's line format cannot carry is
// refused, as fetch refuses it, before anything is sent.
func TestDoRefusesLineBreaksInHeaders(t *testing.T) {
	req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:9/x", nil)
	req.Header["X-Evil"] = []string{"a\nX-Injected: b"}
	if _, err := testDoer(t).Do(req); err == nil || !strings.Contains(err.Error(), "invalid header") {
		t.Fatalf("Do with a line break in a header = %v, want it refused", err)
	}
}
