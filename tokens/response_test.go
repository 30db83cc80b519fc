package tokens

import (
	"strings"
	"testing"
	"time"
)

const exchangeBody = `{"access_token": "groupsAT", "expires_in": 172800, "resource_server": "groups.api.globus.org",
 "scope": "urn:globus:auth:scope:groups.api.globus.org:view_my_groups_and_memberships", "token_type": "Bearer",
 "refresh_token": "groupsRT", "id_token": "a.b.c", "state": "_default", "unknown_field": {"x": 1},
 "other_tokens": [{"access_token": "transferAT", "expires_in": 100, "resource_server": "transfer.api.globus.org",
   "scope": "urn:globus:auth:scope:transfer.api.globus.org:all", "token_type": "Bearer", "refresh_token": null}]}`

func TestParseResponseByResourceServer(t *testing.T) {
	now := time.Unix(1_000_000, 900_000_000) // .9 s: expiry truncates, as int(time.time() + expires_in)
	r, err := ParseResponse([]byte(exchangeBody), now)
	if err != nil {
		t.Fatal(err)
	}
	if r.IDToken != "a.b.c" || r.State != "_default" || len(r.OtherTokens) != 1 {
		t.Fatalf("parsed %+v", r)
	}
	by := r.ByResourceServer()
	g, tr := by["groups.api.globus.org"], by["transfer.api.globus.org"]
	if g.AccessToken != "groupsAT" || g.RefreshToken != "groupsRT" || g.ExpiresAtSeconds != 1_000_000+172800 {
		t.Fatalf("groups %+v", g)
	}
	if tr.AccessToken != "transferAT" || tr.RefreshToken != "" || tr.ExpiresAtSeconds != 1_000_100 {
		t.Fatalf("transfer %+v", tr)
	}
}

func TestParseResponseRejects(t *testing.T) {
	for name, body := range map[string]string{
		"malformed":           `{"access_token": `,
		"no access token":     `{"resource_server": "x", "other_tokens": []}`,
		"other without rs":    `{"access_token": "a", "resource_server": "x", "other_tokens": [{"access_token": "b"}]}`,
		"other_tokens object": `{"access_token": "a", "resource_server": "x", "other_tokens": {}}`,
		"negative expiry":     `{"access_token": "a", "resource_server": "x", "expires_in": -5}`,
		"html":                `<html>502 Bad Gateway</html>`,
	} {
		if _, err := ParseResponse([]byte(body), time.Now()); err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), "groupsAT") {
			t.Errorf("%s: error leaks a token: %v", name, err)
		}
	}
}

func FuzzParseResponse(f *testing.F) {
	f.Add([]byte(exchangeBody))
	f.Add([]byte(`{"access_token": "a", "resource_server": "x", "expires_in": 5, "other_tokens": []}`))
	f.Add([]byte(`{"error": "invalid_grant"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseResponse(b, time.Unix(0, 0))
		if err != nil {
			return
		}
		by := r.ByResourceServer()
		if len(by) == 0 || len(by) > 1+len(r.OtherTokens) {
			t.Fatalf("by resource server has %d entries for %d tokens", len(by), 1+len(r.OtherTokens))
		}
		for rs, d := range by {
			if rs == "" || d.AccessToken == "" || d.ExpiresAtSeconds < 0 {
				t.Fatalf("bad entry %q %+v", rs, d)
			}
		}
	})
}
