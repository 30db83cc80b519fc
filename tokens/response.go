// Package tokens holds what Globus Auth hands out and how it is kept: token responses and
// their by-resource-server view, TokenData, the Storage interface, and the Python SDK's
// JSONTokenStorage v2 document used by every store (file, localStorage, KV).
//
// Most programs start from package app and give it a Storage from here: NewFileStore for the
// Python SDK's token file, NewDocumentStorage over a MemoryBlob to keep nothing.
package tokens

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Token is one token of a response: the top-level one or an element of other_tokens.
type Token struct {
	AccessToken    string `json:"access_token"`
	ExpiresIn      int64  `json:"expires_in"`
	ResourceServer string `json:"resource_server"`
	Scope          string `json:"scope"`
	TokenType      string `json:"token_type,omitempty"`
	RefreshToken   string `json:"refresh_token,omitempty"`
	IDToken        string `json:"id_token,omitempty"`
}

// Response is a parsed token response (code exchange or refresh).
type Response struct {
	Token
	// State echoes the authorize request's state.
	State string
	// OtherTokens are the tokens for the other resource servers requested.
	OtherTokens []Token
	// ReceivedAt is when the response was parsed; expiry times count from it.
	ReceivedAt time.Time
}

type wireResponse struct {
	Token
	State       string   `json:"state"`
	OtherTokens *[]Token `json:"other_tokens"`
}

// ParseResponse parses a token endpoint body received at now. Unknown fields are ignored;
// other_tokens may be absent (refresh responses from some servers) but must be an array when
// present; every token needs an access_token and a resource_server.
func ParseResponse(body []byte, now time.Time) (*Response, error) {
	var w wireResponse
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("tokens: malformed token response: %w", err)
	}
	r := &Response{Token: w.Token, State: w.State, ReceivedAt: now}
	if w.OtherTokens != nil {
		r.OtherTokens = *w.OtherTokens
	}
	for _, t := range r.All() {
		if t.AccessToken == "" || t.ResourceServer == "" {
			return nil, errors.New("tokens: token response lacks access_token or resource_server")
		}
		if t.ExpiresIn < 0 {
			return nil, errors.New("tokens: token response has a negative expires_in")
		}
	}
	return r, nil
}

// All returns the top-level token followed by other_tokens.
func (r *Response) All() []Token {
	return append([]Token{r.Token}, r.OtherTokens...)
}

// ByResourceServer is the Python SDK's by_resource_server: one Data per resource server,
// top-level token first, later entries overwriting earlier ones, with
// expires_at_seconds = trunc(received + expires_in).
func (r *Response) ByResourceServer() map[string]Data {
	out := make(map[string]Data, 1+len(r.OtherTokens))
	for _, t := range r.All() {
		out[t.ResourceServer] = Data{
			ResourceServer:   t.ResourceServer,
			Scope:            t.Scope,
			AccessToken:      t.AccessToken,
			RefreshToken:     t.RefreshToken,
			ExpiresAtSeconds: r.ReceivedAt.Unix() + t.ExpiresIn,
			TokenType:        t.TokenType,
		}
	}
	return out
}
