package groups

import "encoding/json"

// Group is a Groups API group (GroupReadModel). Raw keeps the object exactly as received so
// hosts can pass it on without losing fields this type does not name.
type Group struct {
	ID                          string                    `json:"id"`
	Name                        string                    `json:"name"`
	Description                 *string                   `json:"description,omitempty"`
	TermsAndConditions          *string                   `json:"terms_and_conditions,omitempty"`
	ParentID                    *string                   `json:"parent_id"`
	GroupType                   string                    `json:"group_type,omitempty"`
	EnforceSession              bool                      `json:"enforce_session"`
	SessionLimit                *int64                    `json:"session_limit,omitempty"`
	SessionTimeouts             map[string]SessionTimeout `json:"session_timeouts,omitempty"`
	MyMemberships               []Membership              `json:"my_memberships,omitempty"`
	Memberships                 []Membership              `json:"memberships,omitempty"`
	AllowedActions              map[string][]string       `json:"allowed_actions,omitempty"`
	ChildIDs                    []string                  `json:"child_ids,omitempty"`
	SubscriptionID              *string                   `json:"subscription_id,omitempty"`
	SubscriptionInfo            *SubscriptionInfo         `json:"subscription_info,omitempty"`
	SubscriptionAdminVerifiedID *string                   `json:"subscription_admin_verified_id,omitempty"`
	Policies                    *Policies                 `json:"policies,omitempty"`
	Raw                         json.RawMessage           `json:"-"`
}

// SessionTimeout is an entry of Group.SessionTimeouts.
type SessionTimeout struct {
	ExpireTime string `json:"expire_time"`
	ExpiresIn  int64  `json:"expires_in"`
}

// Membership is a Groups API membership (MembershipReadModel).
type Membership struct {
	GroupID            string         `json:"group_id"`
	SourceGroupID      *string        `json:"source_group_id,omitempty"`
	IdentityID         string         `json:"identity_id"`
	Username           string         `json:"username"`
	Role               string         `json:"role"`
	Status             string         `json:"status"`
	StatusReason       *string        `json:"status_reason,omitempty"`
	InviteEmailAddress *string        `json:"invite_email_address,omitempty"`
	Updated            *string        `json:"updated,omitempty"`
	InviteTime         *string        `json:"invite_time,omitempty"`
	MembershipFields   map[string]any `json:"membership_fields,omitempty"`
}

// SubscriptionInfo describes a group's subscription.
type SubscriptionInfo struct {
	Name            string                     `json:"name"`
	SubscriberName  *string                    `json:"subscriber_name,omitempty"`
	IsHighAssurance bool                       `json:"is_high_assurance"`
	IsBAA           bool                       `json:"is_baa"`
	Connectors      map[string]ConnectorPolicy `json:"connectors,omitempty"`
}

// ConnectorPolicy is a subscription's per-connector assurance.
type ConnectorPolicy struct {
	IsHA  bool `json:"is_ha"`
	IsBAA bool `json:"is_baa"`
}

// Policies are a group's policies.
type Policies struct {
	IsHighAssurance                bool     `json:"is_high_assurance"`
	AuthenticationAssuranceTimeout *int64   `json:"authentication_assurance_timeout,omitempty"`
	GroupVisibility                string   `json:"group_visibility"`
	GroupMembersVisibility         string   `json:"group_members_visibility"`
	JoinRequests                   *bool    `json:"join_requests,omitempty"`
	SignupFields                   []string `json:"signup_fields,omitempty"`
}

type plainGroup Group

// UnmarshalJSON decodes a group and keeps the raw object in Raw.
func (g *Group) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, (*plainGroup)(g)); err != nil {
		return err
	}
	g.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// MarshalJSON writes Raw when the group was decoded, so no field is lost on the way through.
func (g Group) MarshalJSON() ([]byte, error) {
	if len(g.Raw) > 0 {
		return g.Raw, nil
	}
	return json.Marshal(plainGroup(g))
}
