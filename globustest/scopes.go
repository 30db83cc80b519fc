package globustest

// TutorialClientID is the native client of the Python SDK tutorial. New
// registers it with the single redirect URI AuthCodePageURL().
const TutorialClientID = "61338d24-54d5-408f-a10d-66c06b59f6d2"

// Scopes known to the fake. Any other scope is refused with invalid_scope.
const (
	GroupsScope    = "urn:globus:auth:scope:groups.api.globus.org:view_my_groups_and_memberships"
	GroupsAllScope = "urn:globus:auth:scope:groups.api.globus.org:all"
	TransferScope  = "urn:globus:auth:scope:transfer.api.globus.org:all"
)

// Resource servers tokens are issued for.
const (
	GroupsResourceServer   = "groups.api.globus.org"
	TransferResourceServer = "transfer.api.globus.org"
	AuthResourceServer     = "auth.globus.org"
)

// scopeRS maps each known scope to its resource server; offline_access
// belongs to none (it only enables refresh tokens).
var scopeRS = map[string]string{
	GroupsScope:      GroupsResourceServer,
	GroupsAllScope:   GroupsResourceServer,
	TransferScope:    TransferResourceServer,
	"openid":         AuthResourceServer,
	"profile":        AuthResourceServer,
	"email":          AuthResourceServer,
	"offline_access": "",
}

// rsScopes is the scopes granted for one resource server.
type rsScopes struct {
	rs     string
	scopes []string
}

// byResourceServer groups scopes by resource server, in order of first
// appearance, dropping duplicates and offline_access.
func byResourceServer(scopes []string) []rsScopes {
	var out []rsScopes
	idx := map[string]int{}
	seen := map[string]bool{}
	for _, sc := range scopes {
		rs := scopeRS[sc]
		if rs == "" || seen[sc] {
			continue
		}
		seen[sc] = true
		i, ok := idx[rs]
		if !ok {
			i = len(out)
			idx[rs] = i
			out = append(out, rsScopes{rs: rs})
		}
		out[i].scopes = append(out[i].scopes, sc)
	}
	return out
}
