package service

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/kvstore"
	"github.com/globus-edge/globus-edge/tokens"
)

// cannedGroups answers every request with a my_groups body shaped like the fake's, without
// any network: the benchmark measures the Go work of one GET /groups and nothing else.
type cannedGroups struct{ body []byte }

func (c cannedGroups) Do(req *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Status: "200 OK", Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(c.body)), ContentLength: int64(len(c.body)), Request: req}, nil
}

const benchGroup = `{"id":"0cf5b2c8-0000-4000-8000-00000000000%d","name":"Group %d","description":"a group","parent_id":null,` +
	`"group_type":"regular","enforce_session":false,"session_limit":null,"session_timeouts":{},` +
	`"my_memberships":[{"group_id":"0cf5b2c8","identity_id":"ae341a98","username":"user@example.org","role":"member","status":"active"}],` +
	`"policies":{"is_high_assurance":false,"authentication_assurance_timeout":null}}`

// BenchmarkGroupsHandler is the Go side of GET /groups (cookie check, KV read, open the sealed
// document, decide no refresh is needed, one Groups call, JSON out) over an in-memory KV and a
// canned Groups answer. `./build.sh test` runs it once; under js/wasm it gives the share of the
// worker's CPU per request that is Go's own work (BENCHMARKS.md, worker analysis):
//
//	GOOS=js GOARCH=wasm go test -run - -bench GroupsHandler ./worker/service/
func BenchmarkGroupsHandler(b *testing.B) {
	key := make([]byte, 32)
	rand.Read(key)
	env := map[string]string{"GLOBUS_CLIENT_ID": "bench", "TOKEN_ENCRYPTION_KEY": base64.StdEncoding.EncodeToString(key),
		"GLOBUS_SDK_SERVICE_URL_AUTH": "https://auth.example.org", "GLOBUS_SDK_SERVICE_URL_GROUPS": "https://groups.example.org"}
	cfg, err := ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		b.Fatal(err)
	}
	var body strings.Builder
	body.WriteString("[")
	for i := 0; i < 3; i++ {
		if i > 0 {
			body.WriteString(",")
		}
		body.WriteString(strings.NewReplacer("%d", string(rune('0'+i))).Replace(benchGroup))
	}
	body.WriteString("]")
	kv := &kvstore.Memory{}
	h, err := New(cfg, cannedGroups{[]byte(body.String())}.Do, kv)
	if err != nil {
		b.Fatal(err)
	}
	id := make([]byte, 32)
	rand.Read(id)
	sid := base64.RawURLEncoding.EncodeToString(id)
	resp, err := tokens.ParseResponse([]byte(`{"access_token":"AT-groups","expires_in":172800,"resource_server":"groups.api.globus.org",`+
		`"scope":"urn:globus:auth:scope:groups.api.globus.org:view_my_groups_and_memberships","token_type":"Bearer","refresh_token":"RT-groups","other_tokens":[]}`), time.Now())
	if err != nil {
		b.Fatal(err)
	}
	store := tokens.NewDocumentStorage((&reply{h: h}).record(sid, time.Now()))
	if err := store.StoreResponse(context.Background(), resp); err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest("GET", "https://worker.example.org/groups", nil)
	req.AddCookie(&http.Cookie{Name: SessionCookie, Value: sid})
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("GET /groups = %d %s", w.Code, w.Body)
		}
	}
}
