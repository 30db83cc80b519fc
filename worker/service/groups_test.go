package service_test

import (
	"context"
	"encoding/json"
	"github.com/globus-edge/globus-edge/app"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/groups"
	"github.com/globus-edge/globus-edge/kvstore"
	"github.com/globus-edge/globus-edge/worker/service"
)

// direct asks the fake Groups API with the session's access token, bypassing the backend.
func direct(t *testing.T, h *harness, accessToken string) []byte {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, h.fake.GroupsURL()+"/v2/groups/my_groups", nil)
	req.Header.Set("Authorization", "Bearer "+accessToken)
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	if r.StatusCode != 200 {
		t.Fatalf("direct my_groups = %d %s", r.StatusCode, b)
	}
	return b
}

func TestGroupsJSONAndCSV(t *testing.T) {
	h := newHarness(t, options{})
	b := h.browser()
	sid := b.login()
	raw := direct(t, h, h.groupsToken(sid).AccessToken)
	var want []any
	json.Unmarshal(raw, &want)
	var gs []groups.Group
	if err := json.Unmarshal(raw, &gs); err != nil {
		t.Fatal(err)
	}
	wantCSV := groups.CSV(gs)
	for _, name := range []string{"Physics, Chemistry & Biology", `The "Quoted" Group`, "Équipe Données — 東京", "Line one\nLine two"} {
		if !strings.Contains(string(raw), strings.ReplaceAll(strings.ReplaceAll(name, `"`, `\"`), "\n", `\n`)) &&
			!strings.Contains(wantCSV, strings.ReplaceAll(name, `"`, `""`)) {
			t.Fatalf("fixture lacks the awkward name %q: the test would prove little", name)
		}
	}

	r := b.get("/groups")
	var got []any
	if err := json.Unmarshal([]byte(r.body), &got); err != nil || r.StatusCode != 200 {
		t.Fatalf("/groups = %d %q: %v", r.StatusCode, r.body, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("/groups JSON differs from the Groups API's objects:\n got %v\nwant %v", got, want)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", r.Header.Get("Cache-Control"))
	}
	// Every group of the fixture that has an active membership is there, names intact.
	names := map[string]bool{}
	for _, g := range got {
		names[g.(map[string]any)["name"].(string)] = true
	}
	for _, g := range globustest.TestGroups() {
		for _, m := range g["my_memberships"].([]any) {
			if m.(map[string]any)["status"] == "active" && !names[g["name"].(string)] {
				t.Errorf("group %q missing from /groups", g["name"])
			}
		}
	}

	for name, hdr := range map[string]http.Header{
		"?format=csv":           nil,
		"Accept: text/csv":      {"Accept": {"text/csv"}},
		"Accept: csv over json": {"Accept": {"application/json;q=0.5, text/csv"}},
	} {
		target := "/groups"
		if hdr == nil {
			target += "?format=csv"
		}
		r := b.do(http.MethodGet, target, hdr)
		if r.StatusCode != 200 || r.body != wantCSV {
			t.Errorf("%s: %d\n got %q\nwant %q", name, r.StatusCode, r.body, wantCSV)
		}
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
			t.Errorf("%s: Content-Type %q", name, r.Header.Get("Content-Type"))
		}
	}
	for name, hdr := range map[string]http.Header{
		"Accept: */*":           {"Accept": {"*/*"}},
		"Accept: json over csv": {"Accept": {"text/csv;q=0.5", "application/json"}},
	} {
		if r := b.do(http.MethodGet, "/groups", hdr); !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%s: Content-Type %q, want JSON", name, r.Header.Get("Content-Type"))
		}
	}
	// The page's table: the rows Go computes (groups.Rows), not a second roles rule in JS.
	r = b.get("/groups?format=rows")
	wantRows, _ := json.Marshal(groups.Rows(gs))
	if r.StatusCode != 200 || r.body != string(wantRows) || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Errorf("?format=rows: %d %s\n got %s\nwant %s", r.StatusCode, r.Header.Get("Content-Type"), r.body, wantRows)
	}
	errorBody(t, b.get("/groups?format=xml"), 400, service.CodeBadRequest)
	h.checkNoSecrets()
}

func TestGroupsSessionErrors(t *testing.T) {
	h := newHarness(t, options{})
	owner := h.browser()
	sid := owner.login()
	h.fake.ResetCounts()

	t.Run("no cookie", func(t *testing.T) {
		errorBody(t, h.browser().get("/groups"), 401, string(app.KindLoginRequired))
	})
	t.Run("garbage cookie", func(t *testing.T) {
		b := h.browser()
		b.setCookie(service.SessionCookie, "<garbage>;")
		r := b.get("/groups")
		errorBody(t, r, 401, service.CodeInvalidSession)
		checkCookie(t, r, service.SessionCookie, -1)
	})
	t.Run("tampered cookie", func(t *testing.T) {
		b := h.browser()
		forged := []byte(sid)
		forged[5] = 'A'
		if sid[5] == 'A' {
			forged[5] = 'B'
		}
		b.setCookie(service.SessionCookie, string(forged))
		r := b.get("/groups")
		errorBody(t, r, 401, string(app.KindLoginRequired))
		checkCookie(t, r, service.SessionCookie, -1)
	})
	t.Run("wrong encryption key", func(t *testing.T) {
		h.useKeys("other:" + keySpec(9))
		defer h.useKeys(keySpec(1))
		r := owner.get("/groups")
		errorBody(t, r, 401, string(app.KindStorageCorrupt))
		if owner.cookie(service.SessionCookie) == nil {
			t.Error("the cookie of an unreadable session was expired: with the right key back, the session is lost to the browser")
		}
		if _, ok := h.kv.TTL(kvstore.SessionKey(sid)); !ok {
			t.Error("an unreadable session was deleted: with the right key back it must work again")
		}
	})
	t.Run("right key again", func(t *testing.T) {
		if r := owner.get("/groups"); r.StatusCode != 200 {
			t.Fatalf("/groups = %d %s", r.StatusCode, r.body)
		}
	})
	t.Run("corrupted KV value", func(t *testing.T) {
		key := kvstore.SessionKey(sid)
		v, _, _ := h.kv.Get(context.Background(), key)
		bad := []byte(v)
		bad[len(bad)-10] ^= 1
		h.kv.Put(context.Background(), key, string(bad), 0)
		errorBody(t, owner.get("/groups"), 401, string(app.KindStorageCorrupt))
		owner.setCookie(service.SessionCookie, sid)
		h.kv.Put(context.Background(), key, "not even sealed", 0)
		errorBody(t, owner.get("/groups"), 401, string(app.KindStorageCorrupt))
	})
	if n := h.fake.Count("GET /v2/groups/my_groups"); n != 1 {
		t.Errorf("Groups calls = %d, want 1 (bad sessions must not reach Globus)", n)
	}
	h.checkNoSecrets()
}

func TestKeyRotationKeepsSessions(t *testing.T) {
	h := newHarness(t, options{fake: globustest.Options{TokenLifetime: 30 * time.Second}})
	b := h.browser()
	sid := b.login() // sealed with "default"
	h.useKeys("new:" + keySpec(2) + ",default:" + keySpec(1))
	if r := b.get("/groups"); r.StatusCode != 200 { // refreshes (30 s token), so rewrites
		t.Fatalf("/groups with a rotated keyring = %d %s", r.StatusCode, r.body)
	}
	v, _, _ := h.kv.Get(context.Background(), kvstore.SessionKey(sid))
	if !strings.HasPrefix(v, "v1.new.") {
		t.Errorf("a rewritten session is sealed with %.10q, want the current key", v)
	}
}

func TestGroupsRetriesTransientFailures(t *testing.T) {
	h := newHarness(t, options{})
	b := h.browser()
	b.login()

	h.fake.ResetCounts()
	h.fake.Inject(globustest.Fault{Method: "GET", Path: "/v2/groups/my_groups", Status: 503})
	if r := b.get("/groups"); r.StatusCode != 200 {
		t.Fatalf("503 then success: /groups = %d %s", r.StatusCode, r.body)
	}
	if n := h.fake.Count("GET /v2/groups/my_groups"); n != 2 {
		t.Errorf("503 then success: Groups calls = %d, want 2", n)
	}

	h.fake.ResetCounts()
	h.fake.Inject(globustest.Fault{Method: "GET", Path: "/v2/groups/my_groups", Status: 429, RetryAfter: "1"})
	start := time.Now()
	if r := b.get("/groups"); r.StatusCode != 200 {
		t.Fatalf("429 then success: /groups = %d %s", r.StatusCode, r.body)
	}
	if n := h.fake.Count("GET /v2/groups/my_groups"); n != 2 {
		t.Errorf("429 then success: Groups calls = %d, want 2", n)
	}
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("429 with Retry-After: 1 was retried after %v, want about 1 s", d)
	}

	// Globus stays down (Retry-After: 0 keeps the retries quick): 502 after 1+5 attempts.
	h.fake.ResetCounts()
	h.fake.Inject(globustest.Fault{Method: "GET", Path: "/v2/groups/my_groups", Status: 503, RetryAfter: "0", Times: -1})
	e := errorBody(t, b.get("/groups"), 502, string(app.KindGlobus))
	if n := h.fake.Count("GET /v2/groups/my_groups"); n != 6 {
		t.Errorf("Globus down: Groups calls = %d, want 6", n)
	}
	if !strings.Contains(e.Message, "503") {
		t.Errorf("message %q does not say what Globus answered", e.Message)
	}
	h.fake.ClearFaults()
	h.checkNoSecrets()
}
