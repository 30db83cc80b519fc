package transport

import "testing"

func TestNewAPIErrorShapes(t *testing.T) {
	cases := []struct {
		name, ctype, body        string
		code, message, requestID string
	}{
		{"oauth", "application/json", `{"error": "invalid_grant", "error_description": "bad code"}`, "invalid_grant", "bad code", ""},
		{"auth", "application/json", `{"errors":[{"status":"401","id":"req-1","code":"UNAUTHORIZED","detail":"Call must be authenticated","title":"Unauthorized"}],"error":"unauthorized","error_description":"Unauthorized"}`, "UNAUTHORIZED", "Call must be authenticated", "req-1"},
		{"groups", "application/json; charset=utf-8", `{"code": "FORBIDDEN", "detail": "no"}`, "FORBIDDEN", "no", ""},
		{"type zero", "application/json", `{"code": "X", "message": "m", "request_id": "r"}`, "X", "m", "r"},
		{"jsonapi", "application/vnd.api+json", `{"errors": [{"code": "A", "title": "t1"}, {"code": "B", "detail": "d2"}]}`, "", "t1; d2", ""},
		{"html", "text/html", `<h1>502</h1>`, "", "", ""},
		{"bad json", "application/json", `{"code": `, "", "", ""},
	}
	for _, c := range cases {
		e := NewAPIError("GET", "https://x/y?code=secret", 400, c.ctype, []byte(c.body))
		if e.Code != c.code || e.Message != c.message || e.RequestID != c.requestID || string(e.Body) != c.body {
			t.Errorf("%s: got code=%q message=%q request=%q", c.name, e.Code, e.Message, e.RequestID)
		}
		if e.URL != "https://x/y" {
			t.Errorf("%s: query kept in URL %q", c.name, e.URL)
		}
	}
}
