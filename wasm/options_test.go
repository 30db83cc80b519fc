//go:build js && wasm

package main

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/config"
)

func TestParseOptionsDefaults(t *testing.T) {
	for _, lit := range []string{"undefined", "null", "{}", `{"clientId": null, "scopes": "  "}`} {
		o, err := parseOptions(obj(t, lit))
		if err != nil {
			t.Fatalf("%s: %v", lit, err)
		}
		c := o.Config
		if c.ClientID != config.TutorialClientID || c.AuthURL != "https://auth.globus.org" ||
			c.GroupsURL != "https://groups.api.globus.org" || c.RedirectURI != "" || c.Timeout != 60*time.Second {
			t.Errorf("%s: config = %+v, want production with the tutorial client", lit, c)
		}
		if o.Storage != "localStorage" || o.Scopes != nil || o.namespace() != "DEFAULT" {
			t.Errorf("%s: storage %q scopes %v namespace %q", lit, o.Storage, o.Scopes, o.namespace())
		}
		if o.storageKey() != "globus-edge:"+config.TutorialClientID+":DEFAULT" {
			t.Errorf("%s: storage key %q", lit, o.storageKey())
		}
	}
}

func TestParseOptionsOverrides(t *testing.T) {
	o, err := parseOptions(obj(t, `{
		clientId: "my-client", redirectUri: "https://app.example.org/", authUrl: "http://127.0.0.1:9/",
		groupsUrl: "http://127.0.0.1:10", httpTimeout: 2.5, storage: "sessionStorage", namespace: "ns",
		scopes: ["openid", "urn:globus:auth:scope:groups.api.globus.org:all email"], wasmUrl: "ignored.wasm"}`))
	if err != nil {
		t.Fatal(err)
	}
	c := o.Config
	if c.ClientID != "my-client" || c.RedirectURI != "https://app.example.org/" || c.AuthURL != "http://127.0.0.1:9" ||
		c.GroupsURL != "http://127.0.0.1:10" || c.Timeout != 2500*time.Millisecond {
		t.Errorf("config = %+v", c)
	}
	if want := []string{"openid", "urn:globus:auth:scope:groups.api.globus.org:all", "email"}; !reflect.DeepEqual(o.Scopes, want) {
		t.Errorf("scopes = %q, want %q", o.Scopes, want)
	}
	if o.Storage != "sessionStorage" || o.storageKey() != "globus-edge:my-client:ns" {
		t.Errorf("storage %q key %q", o.Storage, o.storageKey())
	}
	if o.Unknown != nil {
		t.Errorf("known keys reported unknown: %q", o.Unknown)
	}
	if o, err := parseOptions(obj(t, `{clientID: "typo", redirect_uri: "x", storage: "memory"}`)); err != nil ||
		!reflect.DeepEqual(o.Unknown, []string{"clientID", "redirect_uri"}) {
		t.Errorf("unknown keys %q, %v; want clientID, redirect_uri", o.Unknown, err)
	}
	o, err = parseOptions(obj(t, `{environment: "preview", scopes: "a b", storage: "memory"}`))
	if err != nil {
		t.Fatal(err)
	}
	if o.Config.AuthURL != "https://auth.preview.globus.org" || !reflect.DeepEqual(o.Scopes, []string{"a", "b"}) || o.storageKey() != "" {
		t.Errorf("preview/memory options = %+v", o)
	}
}

func TestParseOptionsErrors(t *testing.T) {
	for lit, want := range map[string]string{
		`"a string"`:            "config must be an object",
		`{clientId: 42}`:        "config.clientId must be a string",
		`{redirectUri: {}}`:     "config.redirectUri must be a string",
		`{storage: "cookies"}`:  `config.storage must be "localStorage", "sessionStorage" or "memory"`,
		`{scopes: 7}`:           "config.scopes must be a string or an array",
		`{scopes: ["a", 1]}`:    "config.scopes[1] must be a string",
		`{environment: "moon"}`: "config.environment is not a known Globus environment",
		// The problem is named by the key the user set, not by the CLI's variable.
		`{httpTimeout: "soon"}`:                "config.httpTimeout must be a number of seconds",
		`{authUrl: "http://auth.example.org"}`: "config.authUrl must be an https URL",
		`{namespace: true}`:                    "config.namespace must be a string",
		`{groupsUrl: ["x"]}`:                   "config.groupsUrl must be a string",
	} {
		_, err := parseOptions(obj(t, lit))
		if err == nil || !strings.Contains(err.Error(), want) || !errors.Is(err, config.ErrInvalid) || strings.Contains(err.Error(), "GLOBUS_SDK_") {
			t.Errorf("%s: error %v, want a config error saying %q", lit, err, want)
		}
	}
}
