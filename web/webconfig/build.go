package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/globus-edge/globus-edge/config"
	"github.com/globus-edge/globus-edge/wasm/configkeys"
)

// Names of the page-only variables.
const (
	envScopes     = "GLOBUS_EDGE_SCOPES"
	envStorage    = "GLOBUS_EDGE_STORAGE"
	envNamespace  = "GLOBUS_EDGE_NAMESPACE"
	envConnectSrc = "GLOBUS_EDGE_CONNECT_SRC"
)

// output is what a build writes.
type output struct {
	connectSrc string
	configJSON []byte // nil: write no config.json
}

// sourceRE is what a connect-src source may look like here: a scheme and host with an
// optional port or port wildcard, nothing that could end the directive or the attribute.
var sourceRE = regexp.MustCompile(`^https?://[A-Za-z0-9.*-]+(:([0-9]+|\*))?$`)

// build computes the CSP origins and config.json from the environment.
func build(getenv func(string) string) (output, error) {
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return output{}, err
	}
	var o output
	if v := strings.TrimSpace(getenv(envConnectSrc)); v != "" {
		o.connectSrc = v
	} else {
		auth, err := origin(cfg.AuthURL)
		if err != nil {
			return output{}, err
		}
		groups, err := origin(cfg.GroupsURL)
		if err != nil {
			return output{}, err
		}
		o.connectSrc = auth
		if groups != auth {
			o.connectSrc += " " + groups
		}
	}
	for _, s := range strings.Fields(o.connectSrc) {
		if !sourceRE.MatchString(s) {
			return output{}, fmt.Errorf("connect-src source %q is not an http(s) origin", s)
		}
	}

	page := map[string]any{}
	set := func(key, env, value string) {
		if strings.TrimSpace(getenv(env)) != "" {
			page[key] = value
		}
	}
	set(configkeys.ClientID, config.EnvClientID, cfg.ClientID)
	set(configkeys.RedirectURI, config.EnvRedirectURI, cfg.RedirectURI)
	// An environment or a URL override fixes both URLs.
	for _, env := range []string{config.EnvEnvironment, config.EnvAuthURL, config.EnvGroupsURL} {
		set(configkeys.AuthURL, env, cfg.AuthURL)
		set(configkeys.GroupsURL, env, cfg.GroupsURL)
	}
	set(configkeys.HTTPTimeout, config.EnvHTTPTimeout, strings.TrimSpace(getenv(config.EnvHTTPTimeout)))
	set(configkeys.Scopes, envScopes, strings.Join(strings.Fields(getenv(envScopes)), " "))
	set(configkeys.Storage, envStorage, strings.TrimSpace(getenv(envStorage)))
	set(configkeys.Namespace, envNamespace, strings.TrimSpace(getenv(envNamespace)))
	if len(page) > 0 {
		b, err := json.MarshalIndent(page, "", "  ")
		if err != nil {
			return output{}, err
		}
		o.configJSON = append(b, '\n')
	}
	return o, nil
}

// origin returns scheme://host[:port] of a base URL.
func origin(base string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%q is not an http(s) URL", base)
	}
	return u.Scheme + "://" + u.Host, nil
}
