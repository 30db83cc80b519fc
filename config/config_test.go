package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestFromEnvDefaults(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.AuthURL != "https://auth.globus.org" || c.GroupsURL != "https://groups.api.globus.org" ||
		c.Timeout != 60*time.Second || c.ClientID != TutorialClientID || c.Environment != "production" {
		t.Fatalf("%+v", c)
	}
	if c.Redirect() != "https://auth.globus.org/v2/web/auth-code" {
		t.Fatalf("redirect %s", c.Redirect())
	}
}

func TestFromEnvOverrides(t *testing.T) {
	c, err := FromEnv(env(map[string]string{
		EnvEnvironment: "preview", EnvAuthURL: "http://127.0.0.1:9/", EnvHTTPTimeout: "2.5",
		EnvClientID: "cid", EnvRedirectURI: "http://x/cb",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.AuthURL != "http://127.0.0.1:9" || c.GroupsURL != "https://groups.api.preview.globus.org" ||
		c.Timeout != 2500*time.Millisecond || c.ClientID != "cid" || c.Redirect() != "http://x/cb" {
		t.Fatalf("%+v", c)
	}
	if c, _ := FromEnv(env(map[string]string{EnvHTTPTimeout: "-1"})); c.Timeout != 0 {
		t.Fatalf("-1 gave %v", c.Timeout)
	}
	if c, _ := FromEnv(env(map[string]string{EnvEnvironment: "sandbox"})); c.AuthURL != "https://auth.sandbox.globuscs.info" {
		t.Fatalf("sandbox auth %s", c.AuthURL)
	}
}

func TestFromEnvErrors(t *testing.T) {
	if _, err := FromEnv(env(map[string]string{EnvEnvironment: "prod"})); err == nil || !strings.Contains(err.Error(), `"prod"`) {
		t.Fatalf("unknown environment: %v", err)
	}
	for _, v := range []string{"soon", "-2", "-0.5"} {
		if _, err := FromEnv(env(map[string]string{EnvHTTPTimeout: v})); err == nil || !strings.Contains(err.Error(), EnvHTTPTimeout) {
			t.Errorf("timeout %q: %v", v, err)
		}
	}
}

// TestFromEnvErrorNamesTheSetting: a malformed setting is a *config.Error that matches
// ErrInvalid and names the setting (the environment, when an unknown one is what is wrong), so
// a host can rename it for its users.
func TestFromEnvErrorNamesTheSetting(t *testing.T) {
	for setting, e := range map[string]map[string]string{
		EnvEnvironment: {EnvEnvironment: "prod"},
		EnvAuthURL:     {EnvAuthURL: "http://evil.example"},
		EnvGroupsURL:   {EnvGroupsURL: "https://user:pw@groups.example"},
		EnvHTTPTimeout: {EnvHTTPTimeout: "soon"},
	} {
		_, err := FromEnv(env(e))
		var ce *Error
		if !errors.As(err, &ce) || !errors.Is(err, ErrInvalid) || len(ce.Problems) != 1 || ce.Problems[0].Setting != setting {
			t.Errorf("%v: %#v, want a *config.Error naming %s", e, err, setting)
		}
	}
	if (&Error{}).Err() != nil {
		t.Error("an empty Error is an error")
	}
}
