package auth

import (
	"errors"
	"net/url"
	"testing"
)

// TestRedirectOrder: state first (a forged answer is refused whatever it carries), then the
// code, then the error, and neither is ErrNoAnswer.
func TestRedirectOrder(t *testing.T) {
	f := &Flow{State: "s1"}
	var authz *AuthorizeError
	for _, c := range []struct {
		query string
		code  string
		check func(error) bool
	}{
		{"state=forged&code=c", "", func(err error) bool { return errors.Is(err, ErrStateMismatch) }},
		{"state=forged&error=access_denied", "", func(err error) bool { return errors.Is(err, ErrStateMismatch) }},
		{"code=c", "", func(err error) bool { return errors.Is(err, ErrStateMismatch) }},
		{"state=s1&code=c&error=access_denied", "c", func(err error) bool { return err == nil }},
		{"state=s1&code=c", "c", func(err error) bool { return err == nil }},
		{"state=s1&error=access_denied&error_description=no", "", func(err error) bool {
			return errors.As(err, &authz) && authz.Code == "access_denied" && authz.Description == "no"
		}},
		{"state=s1", "", func(err error) bool { return errors.Is(err, ErrNoAnswer) }},
		{"state=s1&code=&error=", "", func(err error) bool { return errors.Is(err, ErrNoAnswer) }},
	} {
		q, _ := url.ParseQuery(c.query)
		code, err := ParseRedirect(q).CodeFor(f)
		if code != c.code || !c.check(err) {
			t.Errorf("?%s: code %q, error %v", c.query, code, err)
		}
	}
}
