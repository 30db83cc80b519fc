package app

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"testing"

	"github.com/globus-edge/globus-edge/auth"
	"github.com/globus-edge/globus-edge/config"
	"github.com/globus-edge/globus-edge/tokens"
	"github.com/globus-edge/globus-edge/transport"
)

// TestDescribe: the kind, the status a server answers with and Globus's own code, status and
// request id, for each shape of failure.
func TestDescribe(t *testing.T) {
	unavailable := transport.NewAPIError("GET", "https://groups.api.globus.org/v2/groups/my_groups?x=1", 503,
		"application/json", []byte(`{"code":"SERVICE_UNAVAILABLE","detail":"down","request_id":"req-123"}`))
	refused := transport.NewAPIError("POST", "https://auth.globus.org/v2/oauth2/token", 400,
		"application/json", []byte(`{"error":"invalid_grant","error_description":"gone","request_id":"req-9"}`))
	for _, c := range []struct {
		err  error
		want Failure // Message is checked apart
	}{
		{fmt.Errorf("groups: %w", unavailable), Failure{Kind: KindGlobus, Status: 502, GlobusCode: "SERVICE_UNAVAILABLE", GlobusStatus: 503, GlobusRequestID: "req-123"}},
		{fmt.Errorf("auth: exchanging the code: %w", refused), Failure{Kind: KindCodeRefused, Status: 400, GlobusCode: "invalid_grant", GlobusStatus: 400, GlobusRequestID: "req-9"}},
		{fmt.Errorf("%w: refused: %w", ErrLoginRequired, refused), Failure{Kind: KindLoginRequired, Status: 401, GlobusCode: "invalid_grant", GlobusStatus: 400, GlobusRequestID: "req-9"}},
		{&auth.AuthorizeError{Code: "access_denied", Description: "no"}, Failure{Kind: KindAuthorize, Status: 400, GlobusCode: "access_denied"}},
		{&auth.AuthorizeError{Code: "<script>"}, Failure{Kind: KindAuthorize, Status: 400}},
		{auth.ErrNoAnswer, Failure{Kind: KindBadCallback, Status: 400}},
		{fmt.Errorf("x: %w", auth.ErrStateMismatch), Failure{Kind: KindStateMismatch, Status: 400}},
		{auth.ErrNoLogin, Failure{Kind: KindNoLogin, Status: 400}},
		{fmt.Errorf("%w: bad", tokens.ErrCorrupt), Failure{Kind: KindStorageCorrupt, Status: 401}},
		{&tokens.StorageError{Op: "kv", Err: errors.New("down")}, Failure{Kind: KindStorage, Status: 500}},
		{&config.Error{Missing: []string{"GLOBUS_CLIENT_ID"}}, Failure{Kind: KindConfig, Status: 500}},
		{&transport.NetworkError{Method: "GET", URL: "u", Err: context.DeadlineExceeded}, Failure{Kind: KindTimeout, Status: 504}},
		{&transport.NetworkError{Method: "GET", URL: "u", Err: errors.New("refused")}, Failure{Kind: KindNetwork, Status: 502}},
		{fmt.Errorf("%w: cut", transport.ErrMalformedResponse), Failure{Kind: KindGlobus, Status: 502}},
		{errors.New("something else"), Failure{Kind: KindInternal, Status: 500}},
	} {
		got := Describe(c.err)
		if got.Message != c.err.Error() {
			t.Errorf("Describe(%v).Message = %q", c.err, got.Message)
		}
		got.Message = ""
		if got != c.want {
			t.Errorf("Describe(%v) = %+v, want %+v", c.err, got, c.want)
		}
	}
	if Describe(nil) != (Failure{}) {
		t.Error("Describe(nil) is not the zero Failure")
	}
}

// TestEveryKindHasAStatus: each Kind declared in kind.go has the status this table gives it,
// so a kind added to kind.go fails here until its status is decided (not 500 by default).
func TestEveryKindHasAStatus(t *testing.T) {
	want := map[Kind]int{
		KindLoginRequired: 401, KindStorageCorrupt: 401,
		KindStateMismatch: 400, KindNoLogin: 400, KindCodeRefused: 400, KindAuthorize: 400, KindBadCallback: 400,
		KindConfig: 500, KindStorage: 500, KindInternal: 500,
		KindGlobus: 502, KindNetwork: 502, KindTimeout: 504,
	}
	f, err := parser.ParseFile(token.NewFileSet(), "kind.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	ast.Inspect(f, func(nd ast.Node) bool {
		vs, ok := nd.(*ast.ValueSpec)
		if !ok {
			return true
		}
		if id, isIdent := vs.Type.(*ast.Ident); isIdent && id.Name == "Kind" {
			k, _ := strconv.Unquote(vs.Values[0].(*ast.BasicLit).Value)
			n++
			if s, ok := want[Kind(k)]; !ok || Kind(k).Status() != s {
				t.Errorf("kind %s: status %d, want %d (decide it in this table)", k, Kind(k).Status(), s)
			}
		}
		return true
	})
	if n != len(want) {
		t.Errorf("kind.go declares %d kinds, this table %d", n, len(want))
	}
}
