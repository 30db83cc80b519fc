package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/globus-edge/globus-edge/tokens"
	"github.com/globus-edge/globus-edge/transport"
)

// Client talks to Globus Auth as one registered client. The zero ClientSecret makes it a
// native (public) client: token requests carry client_id in the form and no Authorization
// header. With a ClientSecret it authenticates with HTTP Basic instead.
type Client struct {
	// ClientID is the registered client's id.
	ClientID string
	// ClientSecret makes this a confidential client; empty for native apps.
	ClientSecret string
	// BaseURL of Globus Auth, without a trailing slash.
	BaseURL string
	// Doer sends requests; usually a *transport.Client's Do for retries and timeouts.
	Doer transport.Doer
	// Now is the clock used to compute expiry times; nil means time.Now.
	Now func() time.Time
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// ExchangeCode trades an authorization code for tokens (grant authorization_code) with the
// flow's verifier and redirect URI.
func (c *Client) ExchangeCode(ctx context.Context, f *Flow, code string) (*tokens.Response, error) {
	if code == "" {
		return nil, errors.New("auth: the authorization code is empty")
	}
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"code_verifier": {f.Verifier},
		"redirect_uri":  {f.RedirectURI},
	}
	r, err := c.token(ctx, form)
	if err != nil {
		return nil, fmt.Errorf("auth: exchanging the code for tokens: %w", err)
	}
	return r, nil
}

// Refresh uses a refresh token (grant refresh_token).
func (c *Client) Refresh(ctx context.Context, refreshToken string) (*tokens.Response, error) {
	r, err := c.token(ctx, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}})
	if err != nil {
		return nil, fmt.Errorf("auth: refreshing tokens: %w", err)
	}
	return r, nil
}

// Revoke revokes one access or refresh token.
func (c *Client) Revoke(ctx context.Context, token string) error {
	form := url.Values{"token": {token}}
	header := c.authenticate(form)
	if _, err := transport.PostForm(ctx, c.Doer, c.BaseURL+"/v2/oauth2/token/revoke", form, header); err != nil {
		return fmt.Errorf("auth: revoking a token: %w", err)
	}
	return nil
}

func (c *Client) token(ctx context.Context, form url.Values) (*tokens.Response, error) {
	header := c.authenticate(form)
	body, err := transport.PostForm(ctx, c.Doer, c.BaseURL+"/v2/oauth2/token", form, header)
	if err != nil {
		return nil, err
	}
	r, err := tokens.ParseResponse(body, c.now())
	if err != nil { // a 2xx answer that is not a token response: Globus failed, as with a 5xx
		return nil, fmt.Errorf("%w: %w", transport.ErrMalformedResponse, err)
	}
	return r, nil
}

// authenticate adds client_id (native) or returns a Basic header (confidential).
func (c *Client) authenticate(form url.Values) http.Header {
	if c.ClientSecret == "" {
		form.Set("client_id", c.ClientID)
		return nil
	}
	cred := url.QueryEscape(c.ClientID) + ":" + url.QueryEscape(c.ClientSecret)
	return http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(cred))}}
}

// IsInvalidGrant reports whether err is Auth refusing a code or refresh token
// (OAuth "invalid_grant": expired, revoked, already used). The user must log in again.
func IsInvalidGrant(err error) bool {
	e, ok := errors.AsType[*transport.APIError](err)
	return ok && e.Code == "invalid_grant"
}

// RandomState returns a fresh unguessable state (32 random bytes, base64url).
func RandomState() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails: crypto/rand crashes the program instead
	return base64.RawURLEncoding.EncodeToString(b)
}
