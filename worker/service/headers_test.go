package service_test

import (
	"strings"
	"testing"

	"github.com/globus-edge/globus-edge/worker/service"
)

// Every answer, errors and the misconfigured service's included, tells browsers to use https
// only (ignored by browsers over plain http, so local runs are unaffected).
func TestStrictTransportSecurityOnEveryResponse(t *testing.T) {
	h, err := service.NewFromEnv(env(goodEnv()), refusingDoer(t), refusingKV{t})
	if err != nil {
		t.Fatal(err)
	}
	e := goodEnv()
	delete(e, "TOKEN_ENCRYPTION_KEY")
	_, cerr := service.NewFromEnv(env(e), refusingDoer(t), refusingKV{t})
	for name, r := range map[string]*resp{
		"page":         serve(h, "GET", "/", nil),
		"healthz":      serve(h, "GET", "/healthz", nil),
		"404":          serve(h, "GET", "/nope", nil),
		"401":          serve(h, "GET", "/groups", nil),
		"unconfigured": serve(service.Unavailable(cerr), "GET", "/groups", nil),
	} {
		if got := r.Header.Get("Strict-Transport-Security"); got != "max-age=31536000" {
			t.Errorf("%s: Strict-Transport-Security %q", name, got)
		}
	}
}

// The public 500 page names the settings that are missing or malformed, never their values:
// not the encryption key however it is mangled, not the client secret.
func TestConfigurationErrorNamesSettingsNotSecrets(t *testing.T) {
	key := keySpec(7)
	for _, spec := range []string{
		key[:20],                          // cut short
		key + ":current",                  // key and id swapped
		"current:" + key + "," + key[:30], // a second entry without an id
		key + "," + key,                   // two keys without ids
		"a:" + key + ",a:" + key,          // an id given twice
		"bad id!:" + key,                  // a malformed id
	} {
		e := goodEnv()
		e["TOKEN_ENCRYPTION_KEY"] = spec
		e["GLOBUS_CLIENT_SECRET"] = "client-secret-value-123"
		e["GLOBUS_SDK_HTTP_TIMEOUT"] = "soon"
		_, err := service.NewFromEnv(env(e), refusingDoer(t), refusingKV{t})
		if err == nil {
			t.Fatalf("spec %.8s… accepted", spec)
		}
		r := serve(service.Unavailable(err), "GET", "/groups", nil)
		if r.StatusCode != 500 || !strings.Contains(r.body, "TOKEN_ENCRYPTION_KEY") || !strings.Contains(r.body, "GLOBUS_SDK_HTTP_TIMEOUT") {
			t.Errorf("500 page %d %q does not name the settings", r.StatusCode, r.body)
		}
		for _, secret := range []string{key, key[:20], "client-secret-value-123"} {
			if strings.Contains(r.body, secret) {
				t.Errorf("500 page for a mangled key shows secret material: %q", r.body)
			}
		}
	}
}
