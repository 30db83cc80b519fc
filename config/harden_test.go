package config

import (
	"strings"
	"testing"
	"time"
)

// Tokens travel to these URLs: plain http only to this machine.
func TestServiceURLsMustBeHTTPS(t *testing.T) {
	ok := []string{"https://auth.example.org", "https://auth.example.org:8443/base/", "http://127.0.0.1:9",
		"http://127.5.6.7", "http://[::1]:8080/", "http://localhost:9101", "http://LOCALHOST", "HTTPS://auth.example.org"}
	bad := []string{"http://auth.example.org", "http://10.0.0.1:80", "http://localhost.evil.example",
		"http://127.0.0.1.evil.example", "http://[::2]", "ftp://auth.example.org", "auth.example.org",
		"//auth.example.org", "https://", "http://0.0.0.0:9", "https://user:pw@auth.example.org", "http://[::ffff:127.0.0.1]",
		"https://auth.example.org/?q=1", "https://auth.example.org/#x", "not a url", "https://exa mple.org"}
	for _, name := range []string{EnvAuthURL, EnvGroupsURL} {
		for _, u := range ok {
			if _, err := FromEnv(env(map[string]string{name: u})); err != nil {
				t.Errorf("%s=%s refused: %v", name, u, err)
			}
		}
		for _, u := range bad {
			_, err := FromEnv(env(map[string]string{name: u}))
			if err == nil || !strings.Contains(err.Error(), name) {
				t.Errorf("%s=%s: %v, want an error naming %s", name, u, err, name)
			}
			if err != nil && strings.Contains(u, "pw@") && strings.Contains(err.Error(), "pw") {
				t.Errorf("the error shows the URL's password: %v", err)
			}
		}
	}
}

func TestTimeoutMustBeFinitePositiveOrMinusOne(t *testing.T) {
	for _, v := range []string{"NaN", "nan", "inf", "+Inf", "-inf", "0", "0.0", "-0", "1e300", "1e10", "-1.5", "-2", "0x1p-2000"} {
		if _, err := FromEnv(env(map[string]string{EnvHTTPTimeout: v})); err == nil || !strings.Contains(err.Error(), EnvHTTPTimeout) {
			t.Errorf("GLOBUS_SDK_HTTP_TIMEOUT=%s: %v, want an error naming the variable", v, err)
		}
	}
	for v, want := range map[string]time.Duration{"": DefaultTimeout, "-1": 0, "-1.0": 0, "60": time.Minute,
		"0.25": 250 * time.Millisecond, "1e-9": time.Nanosecond, "1e-12": time.Nanosecond, "86400": 24 * time.Hour} {
		if d, err := parseTimeout(v); err != nil || d != want {
			t.Errorf("GLOBUS_SDK_HTTP_TIMEOUT=%q: %v %v, want %v", v, d, err, want)
		}
	}
}
