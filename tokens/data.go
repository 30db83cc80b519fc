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

// ExpiresAt is ExpiresAtSeconds as a time.
func (d Data) ExpiresAt() time.Time { return time.Unix(d.ExpiresAtSeconds, 0) }
