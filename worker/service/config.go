package service

import (
	"errors"
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

// FlowTTL is how long a login may take between /login and /callback.
const FlowTTL = 10 * time.Minute

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

// ConfigError is a missing or malformed setting. Its message names the settings, never their
// values.
type ConfigError struct {
	// Missing lists the names of required settings that are unset.
	Missing []string
	// Problems describes settings that are set but malformed.
	Problems []string
}

func (e *ConfigError) Error() string {
	var parts []string
	if len(e.Missing) > 0 {
		parts = append(parts, "missing "+strings.Join(e.Missing, ", "))
	}
	parts = append(parts, e.Problems...)
	return "configuration: " + strings.Join(parts, "; ")
}

// ConfigFromEnv reads the backend's configuration from getenv (worker vars and secrets):
// config.FromEnv's names, TOKEN_ENCRYPTION_KEY (required), GLOBUS_CLIENT_SECRET (optional).
// GLOBUS_CLIENT_ID is required here: the tutorial's client cannot redirect to a backend. All
// problems are reported at once in a *ConfigError.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	ce := &ConfigError{}
	var c Config
	g, err := config.FromEnv(getenv)
	if err != nil {
		ce.Problems = append(ce.Problems, strings.TrimPrefix(err.Error(), "config: "))
		g.RedirectURI = getenv(config.EnvRedirectURI) // still checked below
	}
	c.Globus = g
	if strings.TrimSpace(getenv(config.EnvClientID)) == "" {
		ce.Missing = append(ce.Missing, config.EnvClientID)
	}
	if spec := getenv(EnvEncryptionKey); spec == "" {
		ce.Missing = append(ce.Missing, EnvEncryptionKey+" (secret)")
	} else if c.Keys, err = tokens.ParseKeyring(spec); err != nil {
		ce.Problems = append(ce.Problems, EnvEncryptionKey+": "+strings.TrimPrefix(err.Error(), "tokens: "))
	}
	c.ClientSecret = getenv(EnvClientSecret)
	if v := strings.TrimSpace(getenv(EnvSessionMaxAge)); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < int64(kvstore.MinTTL/time.Second) || n > int64(maxSessionMaxAge/time.Second) {
			ce.Problems = append(ce.Problems, EnvSessionMaxAge+" must be a whole number of seconds from 60 to 34560000 (400 days)")
		} else {
			c.SessionMaxAge = time.Duration(n) * time.Second
		}
	}
	if err := c.checkRedirect(); err != nil {
		ce.Problems = append(ce.Problems, err.Error())
	}
	if len(ce.Missing) > 0 || len(ce.Problems) > 0 {
		return Config{}, ce
	}
	return c, nil
}

// checkRedirect requires a configured redirect URI to be an absolute http(s) URL ending in
// CallbackPath, and fills Origin from it.
func (c *Config) checkRedirect() error {
	ru := c.Globus.RedirectURI
	if ru == "" {
		return nil
	}
	u, err := url.Parse(ru)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != CallbackPath || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%s must be this service's origin followed by %s (e.g. https://groups.example.org%s)", config.EnvRedirectURI, CallbackPath, CallbackPath)
	}
	origin := u.Scheme + "://" + u.Host
	if c.Origin != "" && c.Origin != origin {
		return fmt.Errorf("%s is not on the configured origin", config.EnvRedirectURI)
	}
	c.Origin = origin
	return nil
}

// validate checks a Config given to New directly.
func (c *Config) validate() error {
	ce := &ConfigError{}
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
		ce.Problems = append(ce.Problems, "the session lifetime must be at least 60 s (a KV minimum)")
	}
	if c.SessionMaxAge == 0 {
		c.SessionMaxAge = DefaultSessionMaxAge
	} else if c.SessionMaxAge < kvstore.MinTTL || c.SessionMaxAge > maxSessionMaxAge {
		ce.Problems = append(ce.Problems, "the session maximum age must be from 60 s to 400 days")
	}
	c.Origin = strings.TrimRight(c.Origin, "/")
	if err := c.checkRedirect(); err != nil {
		ce.Problems = append(ce.Problems, err.Error())
	}
	if len(ce.Missing) > 0 || len(ce.Problems) > 0 {
		return ce
	}
	return nil
}

// Is makes a ConfigError match config.ErrInvalid, the mark app.KindOf looks for.
func (e *ConfigError) Is(target error) bool { return target == config.ErrInvalid }

// IsConfigError reports whether err is a configuration problem.
func IsConfigError(err error) bool {
	var ce *ConfigError
	return errors.As(err, &ce)
}
