package service_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/globus-edge/globus-edge/worker/service"
)

// A header value cannot carry non-ASCII in the worker (the runtime's Headers throws), and
// the callback sets Location only after the session is stored: return_to must come out ASCII.
func TestReturnToNonASCIIIsPercentEncoded(t *testing.T) {
	cases := map[string]string{
		"/groups/日本":     "/groups/%E6%97%A5%E6%9C%AC",
		"/é?q=ü#frag":    "/%C3%A9?q=%C3%BC#frag",
		"/a b":           "/a%20b",
		"/bad\xffutf8":   "/bad%FFutf8",
		"/\u00a0/x":      "/%C2%A0/x",
		"/already%20ok":  "/already%20ok",
		"/\u3000/evil":   "/%E3%80%80/evil",
		"/" + "\u2215x":  "/%E2%88%95x",
		"/x\"<>`{|}^y":   "/x%22%3C%3E%60%7B%7C%7D%5Ey",
		"/\uff0f/evil":   "/%EF%BC%8F/evil",
		"/%2F%2Fevil.ex": "/%2F%2Fevil.ex",
	}
	for in, want := range cases {
		if got := service.SafeReturnTo(in); got != want {
			t.Errorf("SafeReturnTo(%q) = %q, want %q", in, got, want)
		}
	}
	h := newHarness(t, options{})
	b := h.browser()
	r := b.callback(b.startLogin("/login?return_to=" + url.QueryEscape("/groups/日本?x=é")))
	if r.StatusCode != http.StatusFound || r.Header.Get("Location") != "/groups/%E6%97%A5%E6%9C%AC?x=%C3%A9" {
		t.Fatalf("callback = %d Location %q", r.StatusCode, r.Header.Get("Location"))
	}
}

// FuzzSafeReturnTo: whatever return_to is, the redirect target is printable ASCII, a path on
// this origin, and survives a browser's URL parsing as one.
func FuzzSafeReturnTo(f *testing.F) {
	for _, s := range []string{"", "/", "//evil", "/\\evil", "/\t/evil", "/日本", "/a b?c=d#e",
		"https://evil", "/\xff", "/..//evil", "/%2e%2e/", "/\u3000", strings.Repeat("/é", 1000)} {
		f.Add(s)
	}
	base, _ := url.Parse("https://worker.example/callback")
	f.Fuzz(func(t *testing.T, in string) {
		out := service.SafeReturnTo(in)
		if out == "" || out[0] != '/' || (len(out) > 1 && (out[1] == '/' || out[1] == '\\')) {
			t.Fatalf("SafeReturnTo(%q) = %q: not a same-origin path", in, out)
		}
		for i := 0; i < len(out); i++ {
			if c := out[i]; c <= 0x20 || c >= 0x7f {
				t.Fatalf("SafeReturnTo(%q) = %q: byte %#x is not printable ASCII", in, out, c)
			}
		}
		u, err := base.Parse(strings.ReplaceAll(out, "\\", "/")) // browsers read \ as /
		if err != nil {
			return // Go's parser is stricter than browsers (e.g. "%zz"); the host check is what matters
		}
		if u.Host != "worker.example" || u.Scheme != "https" {
			t.Fatalf("SafeReturnTo(%q) = %q leads to %s", in, out, u)
		}
	})
}
