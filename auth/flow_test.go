package auth

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

const tutorialID = "61338d24-54d5-408f-a10d-66c06b59f6d2"

var groupsScope = "urn:globus:auth:scope:groups.api.globus.org:view_my_groups_and_memberships"

// The Python SDK's URL for the tutorial, from the reference, with the challenge left open.
const pythonURL = "https://auth.globus.org/v2/oauth2/authorize?client_id=61338d24-54d5-408f-a10d-66c06b59f6d2&redirect_uri=https%3A%2F%2Fauth.globus.org%2Fv2%2Fweb%2Fauth-code&scope=urn%3Aglobus%3Aauth%3Ascope%3Agroups.api.globus.org%3Aview_my_groups_and_memberships&state=_default&response_type=code&code_challenge=CHALLENGE&code_challenge_method=S256&access_type=offline"

func TestAuthorizeURLMatchesPythonSDK(t *testing.T) {
	c := &Client{ClientID: tutorialID, BaseURL: "https://auth.globus.org"}
	f, err := c.StartFlow(FlowOptions{Scopes: []string{groupsScope}, RefreshTokens: true, State: DefaultState})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Verifier) != 43 || !regexp.MustCompile(`^[A-Za-z0-9_-]+$`).MatchString(f.Verifier) {
		t.Fatalf("verifier %q", f.Verifier)
	}
	want := strings.Replace(pythonURL, "CHALLENGE", oauth2.S256ChallengeFromVerifier(f.Verifier), 1)
	if f.AuthorizeURL != want {
		t.Fatalf("\n got %s\nwant %s", f.AuthorizeURL, want)
	}
	f2, _ := c.StartFlow(FlowOptions{Scopes: []string{groupsScope}})
	if f2.Verifier == f.Verifier || !strings.HasSuffix(f2.AuthorizeURL, "&access_type=online") {
		t.Fatalf("second flow %s", f2.AuthorizeURL)
	}
}

func TestRFC7636Vector(t *testing.T) {
	c := &Client{ClientID: "c", BaseURL: "https://a"}
	f, err := c.StartFlow(FlowOptions{Scopes: []string{"s"}, Verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(f.AuthorizeURL)
	if got := u.Query().Get("code_challenge"); got != "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" {
		t.Fatalf("challenge %s", got)
	}
	for _, bad := range []string{"short", strings.Repeat("a", 129), strings.Repeat("a", 42) + "!"} {
		if _, err := c.StartFlow(FlowOptions{Scopes: []string{"s"}, Verifier: bad}); err == nil {
			t.Errorf("verifier %q accepted", bad)
		}
	}
	if _, err := c.StartFlow(FlowOptions{}); err == nil {
		t.Error("no scopes accepted")
	}
}

func TestAuthorizeURLOptionalParams(t *testing.T) {
	c := &Client{ClientID: "c", BaseURL: "https://a"}
	mfa := true
	f, err := c.StartFlow(FlowOptions{
		Scopes: []string{"openid", "email"}, RedirectURI: "http://127.0.0.1:8/cb?x=1", State: "st",
		PrefillNamedGrant: "my laptop", SessionRequiredIdentities: []string{"id1", "id2"},
		SessionRequiredSingleDomain: []string{"uchicago.edu"}, SessionRequiredPolicies: []string{"p1"},
		SessionRequiredMFA: &mfa, SessionMessage: "please", Prompt: "login",
		QueryParams: url.Values{"state": {"override"}, "extra": {"a b"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	q := f.AuthorizeURL[strings.Index(f.AuthorizeURL, "?")+1:]
	var keys []string
	for _, kv := range strings.Split(q, "&") {
		keys = append(keys, kv[:strings.Index(kv, "=")])
	}
	want := "client_id redirect_uri scope state response_type code_challenge code_challenge_method access_type prefill_named_grant session_required_identities session_required_single_domain session_required_policies session_required_mfa session_message prompt extra"
	if strings.Join(keys, " ") != want {
		t.Fatalf("order\n got %v\nwant %s", keys, want)
	}
	for _, part := range []string{"scope=openid+email", "state=override", "session_required_identities=id1%2Cid2", "session_required_mfa=True", "prefill_named_grant=my+laptop", "redirect_uri=http%3A%2F%2F127.0.0.1%3A8%2Fcb%3Fx%3D1"} {
		if !strings.Contains(q, part) {
			t.Errorf("missing %s in %s", part, q)
		}
	}
}

func TestCheckState(t *testing.T) {
	f := &Flow{State: "abc"}
	if f.CheckState("abc") != nil || f.CheckState("abd") != ErrStateMismatch || f.CheckState("") != ErrStateMismatch {
		t.Fatal("state check wrong")
	}
	if a, b := RandomState(), RandomState(); a == b || len(a) != 43 {
		t.Fatalf("random states %q %q", a, b)
	}
}
