// Package config resolves where Globus lives and how the project talks to it: environments,
// base-URL overrides, the HTTP timeout and the native-app client settings, using the names the
// Python Globus SDK reads from the environment.
package config

import (
	"fmt"
	"math"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// TutorialClientID is the native-app client id of the Python SDK's tutorial. Replace it with
// your own registered client id for production use.
const TutorialClientID = "61338d24-54d5-408f-a10d-66c06b59f6d2"

// Names of the settings, as the Python SDK spells them (README "Configuration").
const (
	EnvEnvironment = "GLOBUS_SDK_ENVIRONMENT"
	EnvAuthURL     = "GLOBUS_SDK_SERVICE_URL_AUTH"
	EnvGroupsURL   = "GLOBUS_SDK_SERVICE_URL_GROUPS"
	EnvHTTPTimeout = "GLOBUS_SDK_HTTP_TIMEOUT"
	EnvClientID    = "GLOBUS_CLIENT_ID"
	EnvRedirectURI = "GLOBUS_REDIRECT_URI"
)

// DefaultTimeout is the per-request timeout when GLOBUS_SDK_HTTP_TIMEOUT is unset or empty.
const DefaultTimeout = 60 * time.Second

// Config is everything a host needs to reach Globus Auth and Groups.
type Config struct {
	// Environment is the Globus environment name, e.g. "production".
	Environment string
	// AuthURL and GroupsURL are the service base URLs, always without a trailing slash.
	AuthURL, GroupsURL string
	// Timeout bounds each HTTP attempt; zero means no timeout (GLOBUS_SDK_HTTP_TIMEOUT=-1).
	Timeout time.Duration
	// ClientID is the native app's client id.
	ClientID string
	// RedirectURI is where Auth sends the browser back; empty means Auth's auth-code page.
	RedirectURI string
}

// domains maps the environments the Python SDK knows to their domains.
var domains = map[string]string{
	"production":  "globus.org",
	"preview":     "preview.globus.org",
	"sandbox":     "sandbox.globuscs.info",
	"integration": "integration.globuscs.info",
	"test":        "test.globuscs.info",
	"staging":     "staging.globuscs.info",
}

// ServiceURL returns the base URL of service ("auth" or "groups") in the named environment,
// following the Python SDK's rule: auth lives at auth.<domain>, other services at
// <service>.api.<domain>. An unknown environment is an error.
func ServiceURL(environment, service string) (string, error) {
	domain, ok := domains[environment]
	if !ok {
		return "", fmt.Errorf("config: unknown Globus environment %q (known: production, preview, sandbox, integration, test, staging)", environment)
	}
	if service == "auth" {
		return "https://auth." + domain, nil
	}
	return "https://" + service + ".api." + domain, nil
}

// FromEnv builds a Config from getenv (os.Getenv natively, worker vars or page config elsewhere).
// Service URL overrides beat the environment table; an empty value counts as unset. A
// malformed setting is an *Error naming it.
func FromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		Environment: getenv(EnvEnvironment),
		ClientID:    getenv(EnvClientID),
		RedirectURI: getenv(EnvRedirectURI),
	}
	if c.Environment == "" {
		c.Environment = "production"
	}
	if c.ClientID == "" {
		c.ClientID = TutorialClientID
	}
	var err *Error
	if c.AuthURL, err = serviceURL(EnvAuthURL, getenv(EnvAuthURL), c.Environment, "auth"); err != nil {
		return Config{}, err
	}
	if c.GroupsURL, err = serviceURL(EnvGroupsURL, getenv(EnvGroupsURL), c.Environment, "groups"); err != nil {
		return Config{}, err
	}
	if c.Timeout, err = parseTimeout(getenv(EnvHTTPTimeout)); err != nil {
		return Config{}, err
	}
	return c, nil
}

// serviceURL is the override set in the setting name when there is one, else the
// environment's URL of service.
func serviceURL(name, override, environment, service string) (string, *Error) {
	if override != "" {
		if rule := checkServiceURL(override); rule != "" {
			return "", Invalid(name, rule)
		}
		return TrimBase(override), nil
	}
	u, err := ServiceURL(environment, service)
	if err != nil {
		return "", Invalid(EnvEnvironment, fmt.Sprintf("is not a known Globus environment (%q; known: production, preview, sandbox, integration, test, staging)", environment))
	}
	return u, nil
}

// checkServiceURL refuses a base URL that tokens must not be sent to: anything but an
// absolute https URL without credentials, query or fragment — except plain http to this
// machine (127.0.0.0/8, ::1, localhost), for local fakes and tests. The rule it returns does
// not repeat the value (it might hold credentials); "" means the URL is fine.
func checkServiceURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "must be an absolute URL like https://host[:port][/path], without credentials, query or fragment"
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return ""
	case "http":
		if isLoopback(u.Hostname()) {
			return ""
		}
	}
	return "must be an https URL (plain http only to 127.0.0.0/8, ::1 or localhost): tokens are sent there"
}

// isLoopback reports whether host is exactly a loopback name or address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Zone() == "" && (a.Is4() && a.IsLoopback() || a == netip.IPv6Loopback())
}

// TrimBase removes trailing slashes so paths can be joined with exactly one slash.
func TrimBase(base string) string { return strings.TrimRight(base, "/") }

// MaxTimeout is the longest GLOBUS_SDK_HTTP_TIMEOUT accepted (one day); -1 means none.
const MaxTimeout = 24 * time.Hour

// parseTimeout reads GLOBUS_SDK_HTTP_TIMEOUT: seconds (fractions allowed) above 0 and at most
// MaxTimeout, "" for the 60 s default, -1 for no timeout. NaN, infinities, 0 and values too
// large are refused: each would otherwise silently become "no timeout" (a zero or overflowed
// duration).
func parseTimeout(s string) (time.Duration, *Error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return DefaultTimeout, nil
	}
	secs, err := strconv.ParseFloat(s, 64)
	if err == nil && secs == -1 {
		return 0, nil
	}
	if err != nil || math.IsNaN(secs) || secs <= 0 || secs > MaxTimeout.Seconds() {
		return 0, Invalid(EnvHTTPTimeout, fmt.Sprintf("must be a number of seconds above 0 and at most %d, or -1 for none; got %q", int(MaxTimeout.Seconds()), s))
	}
	return max(time.Duration(secs*float64(time.Second)), time.Nanosecond), nil
}

// AuthCodePage is Auth's page that displays the code to paste, the default native redirect.
func (c Config) AuthCodePage() string { return c.AuthURL + "/v2/web/auth-code" }

// Redirect returns RedirectURI, or the auth-code page when it is empty.
func (c Config) Redirect() string {
	if c.RedirectURI != "" {
		return c.RedirectURI
	}
	return c.AuthCodePage()
}
