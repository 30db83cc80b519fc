// Package groups is the Globus Groups "my groups" call and the tutorial's CSV of its result.
//
// Most programs start from package app, whose MyGroups makes this call with stored tokens that
// it refreshes; Client needs a Doer that adds the token itself (package authorizer).
package groups

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/globus-edge/globus-edge/transport"
)

// ResourceServer is the Groups resource server name in token responses.
const ResourceServer = "groups.api.globus.org"

// ScopeViewMyGroupsAndMemberships is the Groups scope the tutorial requests.
const ScopeViewMyGroupsAndMemberships = "urn:globus:auth:scope:groups.api.globus.org:view_my_groups_and_memberships"

// Statuses accepted by MyGroups.
var Statuses = []string{"active", "invited", "pending", "rejected", "removed", "left", "declined"}

// Client calls the Groups API.
type Client struct {
	// BaseURL of Groups, without a trailing slash.
	BaseURL string
	// Doer sends requests and must add authorization (an *authorizer.Transport).
	Doer transport.Doer
}

// MyGroups returns the groups in which the caller has a membership with one of statuses
// (the server's default, "active", when none are given): GET /v2/groups/my_groups.
func (c *Client) MyGroups(ctx context.Context, statuses ...string) ([]Group, error) {
	u := c.BaseURL + "/v2/groups/my_groups"
	if len(statuses) > 0 {
		for _, s := range statuses {
			if !slices.Contains(Statuses, s) {
				return nil, fmt.Errorf("groups: unknown membership status %q (valid: %s)", s, strings.Join(Statuses, ", "))
			}
		}
		u += "?statuses=" + url.QueryEscape(strings.Join(statuses, ","))
	}
	body, err := transport.GetJSON(ctx, c.Doer, u)
	if err != nil {
		return nil, fmt.Errorf("groups: listing my groups: %w", err)
	}
	gs, err := decode(body)
	if err != nil {
		return nil, fmt.Errorf("groups: listing my groups: %w", err)
	}
	return gs, nil
}
