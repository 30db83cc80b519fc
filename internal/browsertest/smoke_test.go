//go:build !(js && wasm)

package browsertest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestSmoke(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<title>hi</title><script>console.log("hello", 1+1)</script>`)
	}))
	defer srv.Close()
	tab := New(t)
	if err := chromedp.Do(tab.Ctx, chromedp.Navigate(srv.URL)); err != nil {
		t.Fatal(err)
	}
	title, err := chromedp.Run(tab.Ctx, chromedp.Title())
	if err != nil || title != "hi" {
		t.Fatalf("title %q err %v", title, err)
	}
	t.Log(tab.Console())
}
