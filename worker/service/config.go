package service

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/globus-edge/globus-edge/config"
	"github.com/globus-edge/globus-edge/kvstore"
	"github.com/globus-edge/globus-edge/tokens"
)

// Names of the settings the backend reads beyond config's (README "The Cloudflare Worker", "Configuration").
const (
	// EnvEncryptionKey holds the token encryption keys (a secret): base64 of 32 bytes, or
	// comma-separated id:base64 entries with the current key first (see tokens.ParseKeyring).
	EnvEncryptionKey = "TOKEN_ENCRYPTION_KEY"
	// EnvClientSecret makes the backend a confidential client (a secret); optional.
	EnvClientSecret = "GLOBUS_CLIENT_SECRET"
	// EnvSessionMaxAge is a session's absolute lifetime in seconds; optional.
	EnvSessionMaxAge = "GLOBUS_EDGE_SESSION_MAX_AGE"
)

// DefaultSessionTTL is how long a session lives in KV and in the browser after its last write
// (login or token refresh).
const DefaultSessionTTL = 30 * 24 * time.Hour

// DefaultSessionMaxAge is how long a session lives after its login, however often it is used
// or refreshed: a stolen session cookie is of use for at most this long, and a user logs in
// again (one click at Globus) at most weekly.
const DefaultSessionMaxAge = 7 * 24 * time.Hour

// maxSessionMaxAge is the longest SessionMaxAge: browsers keep a cookie at most 400 days.
const maxSessionMaxAge = 400 * 24 * time.Hour

// CallbackPath is the route Globus Auth redirects back to.
const CallbackPath = "/callback"

// Config is what the backend needs besides its KV and its Doer.
type Config struct {
	// Globus is where Auth and Groups live and the client id. A non-empty RedirectURI must be
	// this service's own origin + CallbackPath; empty means derived from each request.
	Globus config.Config
	// ClientSecret makes the backend a confidential client (HTTP Basic); empty for a native one.
	ClientSecret string
	// Keys encrypt everything written to KV. Required.
	Keys *tokens.Keyring
	// Origin is the public origin ("https://groups.example.org"), used for the redirect URI
	// and the logout CSRF check. Empty means the origin of Globus.RedirectURI, or, when that
	// is empty too, the origin each request was addressed to.
	Origin string
	// SessionTTL bounds a session's life after its last write; zero means DefaultSessionTTL.
	// KV needs at least 60 s.
	SessionTTL time.Duration
	// SessionMaxAge bounds a session's life after its login, refreshes or not; zero means
	// DefaultSessionMaxAge. At least 60 s, at most 400 days.
	SessionMaxAge time.Duration
}

// ConfigFromEnv reads the backend's configuration from getenv (worker vars and secrets):
// config.FromEnv's names, TOKEN_ENCRYPTION_KEY (required), GLOBUS_CLIENT_SECRET (optional).
// GLOBUS_CLIENT_ID is required here: the tutorial's client cannot redirect to a backend. All
// problems are reported at once in a *config.Error.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	ce := &config.Error{}
	var c Config
	g, err := config.FromEnv(getenv)
	if err != nil {
		ce.Merge(err)
		g.RedirectURI = getenv(config.EnvRedirectURI) // still checked below
	}
	c.Globus = g
	if strings.TrimSpace(getenv(config.EnvClientID)) == "" {
		ce.Missing = append(ce.Missing, config.EnvClientID)
	}
	if spec := getenv(EnvEncryptionKey); spec == "" {
		ce.Missing = append(ce.Missing, EnvEncryptionKey+" (secret)")
	} else if c.Keys, err = tokens.ParseKeyring(spec); err != nil {
		ce.Add(EnvEncryptionKey, "is malformed: "+strings.TrimPrefix(err.Error(), "tokens: "))
	}
	c.ClientSecret = getenv(EnvClientSecret)
	if v := strings.TrimSpace(getenv(EnvSessionMaxAge)); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < int64(kvstore.MinTTL/time.Second) || n > int64(maxSessionMaxAge/time.Second) {
			ce.Add(EnvSessionMaxAge, "must be a whole number of seconds from 60 to 34560000 (400 days)")
		} else {
			c.SessionMaxAge = time.Duration(n) * time.Second
		}
	}
	c.checkRedirect(ce)
	if err := ce.Err(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// checkRedirect requires a configured redirect URI to be an absolute http(s) URL ending in
// CallbackPath, and fills Origin from it; a problem is added to ce.
func (c *Config) checkRedirect(ce *config.Error) {
	ru := c.Globus.RedirectURI
	if ru == "" {
		return
	}
	u, err := url.Parse(ru)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != CallbackPath || u.RawQuery != "" || u.Fragment != "" {
		ce.Add(config.EnvRedirectURI, fmt.Sprintf("must be this service's origin followed by %s (e.g. https://groups.example.org%s)", CallbackPath, CallbackPath))
		return
	}
	origin := u.Scheme + "://" + u.Host
	if c.Origin != "" && c.Origin != origin {
		ce.Add(config.EnvRedirectURI, "is not on the configured origin")
		return
	}
	c.Origin = origin
}

// validate checks a Config given to New directly.
func (c *Config) validate() error {
	ce := &config.Error{}
	if c.Globus.ClientID == "" {
		ce.Missing = append(ce.Missing, config.EnvClientID)
	}
	if c.Globus.AuthURL == "" || c.Globus.GroupsURL == "" {
		ce.Missing = append(ce.Missing, "Globus service URLs")
	}
	if c.Keys == nil {
		ce.Missing = append(ce.Missing, EnvEncryptionKey+" (secret)")
	}
	if c.SessionTTL == 0 {
		c.SessionTTL = DefaultSessionTTL
	} else if c.SessionTTL < kvstore.MinTTL {
		ce.Add("the session lifetime", "must be at least 60 s (a KV minimum)")
	}
	if c.SessionMaxAge == 0 {
		c.SessionMaxAge = DefaultSessionMaxAge
	} else if c.SessionMaxAge < kvstore.MinTTL || c.SessionMaxAge > maxSessionMaxAge {
		ce.Add("the session maximum age", "must be from 60 s to 400 days")
	}
	c.Origin = strings.TrimRight(c.Origin, "/")
	c.checkRedirect(ce)
	return ce.Err()
}
