package transport

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// endless is a body that never ends, as a broken or hostile server could send.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

func bodyDoer(calls *int, body func() io.Reader) Doer {
	return Doer(func(req *http.Request) (*http.Response, error) {
		*calls++
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(body()), Request: req}, nil
	})
}

func TestBodiesAreCapped(t *testing.T) {
	ctx := context.Background()
	for name, body := range map[string]func() io.Reader{
		"one byte over": func() io.Reader { return bytes.NewReader(make([]byte, MaxBodySize+1)) },
		"endless":       func() io.Reader { return endless{} },
	} {
		for _, retrying := range []bool{false, true} {
			calls := 0
			var d Doer = bodyDoer(&calls, body)
			if retrying {
				d = (&Client{Doer: d, Sleep: func(context.Context, time.Duration) error { return nil }}).Do
			}
			_, err := GetJSON(ctx, d, "https://groups.example/v2/groups/my_groups?x=secret")
			if !errors.Is(err, ErrBodyTooLarge) || !strings.Contains(err.Error(), "4 MiB") || strings.Contains(err.Error(), "secret") {
				t.Fatalf("%s (retrying %v): err %v, want ErrBodyTooLarge naming the limit", name, retrying, err)
			}
			if calls != 1 {
				t.Errorf("%s (retrying %v): %d attempts; an oversized body is not transient", name, retrying, calls)
			}
		}
	}
	calls := 0
	b, err := GetJSON(ctx, (&Client{Doer: bodyDoer(&calls, func() io.Reader { return bytes.NewReader(make([]byte, MaxBodySize)) })}).Do, "https://x/")
	if err != nil || len(b) != MaxBodySize {
		t.Fatalf("a body of exactly the limit: %d bytes, %v", len(b), err)
	}
}
