package tokens

import "time"

// Data is the Python SDK's TokenStorageData: what is stored per resource server.
// Empty optional fields are omitted when written, as the Python SDK omits nulls.
type Data struct {
	ResourceServer   string `json:"resource_server"`
	IdentityID       string `json:"identity_id,omitempty"`
	Scope            string `json:"scope"`
	AccessToken      string `json:"access_token"`
	RefreshToken     string `json:"refresh_token,omitempty"`
	ExpiresAtSeconds int64  `json:"expires_at_seconds"`
	TokenType        string `json:"token_type,omitempty"`
}

// ExpiresAdjust is how long before its expiry an access token is treated as expired and
// renewed, as in the Python SDK.
const ExpiresAdjust = 60 * time.Second

// ExpiresAt is ExpiresAtSeconds as a time.
func (d Data) ExpiresAt() time.Time { return time.Unix(d.ExpiresAtSeconds, 0) }

// NeedsRenewal reports whether the access token is missing, of unknown expiry, or within
// ExpiresAdjust of its expiry at now. It is the one expiry rule: the authorizers, the login
// check and every host use it.
func (d Data) NeedsRenewal(now time.Time) bool {
	return d.AccessToken == "" || d.ExpiresAtSeconds == 0 || now.After(d.ExpiresAt().Add(-ExpiresAdjust))
}
