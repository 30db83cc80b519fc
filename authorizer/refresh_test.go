package authorizer

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/tokens"
)

// countingRefresher answers refreshes with numbered tokens, with or without a refresh token.
type countingRefresher struct {
	n         atomic.Int32
	rotate    bool
	lastRT    atomic.Value
	expiresIn int64
}

func (c *countingRefresher) Refresh(_ context.Context, rt string) (*tokens.Response, error) {
	n := c.n.Add(1)
	c.lastRT.Store(rt)
	r := &tokens.Response{ReceivedAt: time.Unix(1000, 0)}
	r.AccessToken, r.ResourceServer, r.ExpiresIn = "AT"+string(rune('0'+n)), "rs", c.expiresIn
	if c.rotate {
		r.RefreshToken = "RT" + string(rune('0'+n))
	}
	return r, nil
}

func TestRenewalRule(t *testing.T) {
	ref := &countingRefresher{expiresIn: 3600}
	a, err := NewRefreshToken(ref.Refresh, "RT0", "AT0", time.Unix(1000, 0))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(940, 0) // exactly expires_at - 60: still valid
	a.Now = func() time.Time { return now }
	if h, _ := a.Header(context.Background()); h != "Bearer AT0" || ref.n.Load() != 0 {
		t.Fatalf("at the edge: %q, %d refreshes", h, ref.n.Load())
	}
	now = time.Unix(941, 0)
	if h, _ := a.Header(context.Background()); h != "Bearer AT1" || ref.n.Load() != 1 {
		t.Fatalf("past the edge: %q, %d refreshes", h, ref.n.Load())
	}
	// Without rotation the old refresh token stays in use.
	a.Invalidate("Bearer AT1")
	a.Header(context.Background())
	if ref.lastRT.Load() != "RT0" {
		t.Fatalf("refresh token lost: used %v", ref.lastRT.Load())
	}
}

func TestOnRefreshFailureFailsTheRequest(t *testing.T) {
	ref := &countingRefresher{rotate: true, expiresIn: 3600}
	a, _ := NewRefreshToken(ref.Refresh, "RT0", "", time.Time{})
	a.OnRefresh = func(context.Context, *tokens.Response) error { return errors.New("disk full") }
	if _, err := a.Header(context.Background()); err == nil {
		t.Fatal("a token that could not be stored was used")
	}
	if at, _ := a.AccessToken(); at != "" {
		t.Fatalf("unstored token kept: %q", at)
	}
}

func TestConstructorRules(t *testing.T) {
	if _, err := NewRefreshToken((&countingRefresher{}).Refresh, "", "", time.Time{}); err == nil {
		t.Error("no refresh token accepted")
	}
	if _, err := NewRefreshToken((&countingRefresher{}).Refresh, "RT", "AT", time.Time{}); err == nil {
		t.Error("access token without expiry accepted")
	}
	if _, err := AccessToken("").Header(context.Background()); err == nil {
		t.Error("empty access token accepted")
	}
}

func TestTransportRetriesOnceOn401(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.Header.Get("Authorization") != "Bearer AT1" {
			w.WriteHeader(401)
		}
	}))
	defer srv.Close()
	ref := &countingRefresher{expiresIn: 3600}
	a, _ := NewRefreshToken(ref.Refresh, "RT0", "AT0", time.Now().Add(time.Hour))
	tr := &Transport{Base: http.DefaultClient.Do, Authorizer: a}
	req, _ := http.NewRequest("GET", srv.URL, nil)
	resp, err := tr.Do(req)
	if err != nil || resp.StatusCode != 200 || hits.Load() != 2 || ref.n.Load() != 1 {
		t.Fatalf("status %v err %v hits %d refreshes %d", resp.StatusCode, err, hits.Load(), ref.n.Load())
	}
	if req.Header.Get("Authorization") != "" {
		t.Fatal("caller's request modified")
	}
	// A static token gets no second try.
	hits.Store(0)
	resp, _ = (&Transport{Base: http.DefaultClient.Do, Authorizer: AccessToken("AT0")}).Do(req)
	if resp.StatusCode != 401 || hits.Load() != 1 {
		t.Fatalf("static: %d after %d hits", resp.StatusCode, hits.Load())
	}
}
