package globustest

import "encoding/json"

// TestUser is the user the fake Auth service logs in. LinkedIdentityID and
// LinkedUsername are a second identity linked to it; Groups memberships
// exist for both.
var TestUser = struct {
	IdentityID, Username             string
	Name, Email                      string
	LinkedIdentityID, LinkedUsername string
}{
	IdentityID:       "8d2c1e6a-3f4b-4c5d-9e7f-0a1b2c3d4e5f",
	Username:         "testuser@globusid.org",
	Name:             "Test User",
	Email:            "testuser@example.org",
	LinkedIdentityID: "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9",
	LinkedUsername:   "testuser@example.edu",
}

const testIdentityProvider = "41143743-f3c8-4d60-bbdb-eeecaba85bd9"

// Group IDs of the test user's groups (deterministic).
const (
	GroupPlainID   = "3b0f9a6e-1c2d-4e3f-8a4b-000000000001"
	GroupPhysicsID = "3b0f9a6e-1c2d-4e3f-8a4b-000000000002"
	GroupQuotedID  = "3b0f9a6e-1c2d-4e3f-8a4b-000000000003"
	GroupUnicodeID = "3b0f9a6e-1c2d-4e3f-8a4b-000000000004"
	GroupNewlineID = "3b0f9a6e-1c2d-4e3f-8a4b-000000000005"
	GroupInvitedID = "3b0f9a6e-1c2d-4e3f-8a4b-000000000006"
	GroupPendingID = "3b0f9a6e-1c2d-4e3f-8a4b-000000000007"
	GroupFormerID  = "3b0f9a6e-1c2d-4e3f-8a4b-000000000008"
)

const (
	testSubscriptionID = "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f"
	testUpdated        = "2024-03-01T12:00:00.000000+00:00"
)

// TestGroups returns the raw JSON objects the Groups my_groups endpoint
// serves for the test user, one per group in which the user has any
// membership (every status), with all of the user's memberships in
// my_memberships. Values are as encoding/json decodes them into an any
// (objects map[string]any, arrays []any, numbers float64), so the result
// can be compared with reflect.DeepEqual against a decoded response. The
// result is a fresh copy on every call.
//
// The groups are, in order: a plain group (member); "Physics, Chemistry &
// Biology" (admin and member through two linked identities, a "plus" group
// with a subscription); `The "Quoted" Group` (member twice); "Équipe
// Données — 東京" (manager); "Line one\nLine two" (member, a subgroup of
// the plain group, null description); and groups where the only
// membership is invited, pending and left respectively.
func TestGroups() []map[string]any {
	b, err := json.Marshal(testGroups())
	if err != nil {
		panic(err)
	}
	var out []map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

// testGroups builds the data of TestGroups with Go-typed values.
func testGroups() []map[string]any {
	u, l := TestUser.IdentityID, TestUser.LinkedIdentityID
	gs := []map[string]any{
		group(GroupPlainID, "Plain Group", "A plain group.", nil,
			member(GroupPlainID, u, "member", "active")),
		group(GroupPhysicsID, "Physics, Chemistry & Biology", "Natural sciences, all of them.", nil,
			member(GroupPhysicsID, u, "admin", "active"),
			member(GroupPhysicsID, l, "member", "active")),
		group(GroupQuotedID, `The "Quoted" Group`, `Description with <b>markup</b> & "quotes", too.`, nil,
			member(GroupQuotedID, u, "member", "active"),
			member(GroupQuotedID, l, "member", "active")),
		group(GroupUnicodeID, "Équipe Données — 東京", "Équipe internationale 🌏", nil,
			member(GroupUnicodeID, u, "manager", "active")),
		group(GroupNewlineID, "Line one\nLine two", nil, GroupPlainID,
			member(GroupNewlineID, l, "member", "active")),
		group(GroupInvitedID, "Invited Only Group", "You are invited.", nil,
			member(GroupInvitedID, u, "member", "invited")),
		group(GroupPendingID, "Pending Request Group", "Join request awaiting approval.", nil,
			member(GroupPendingID, u, "member", "pending")),
		group(GroupFormerID, "Former Members Club", "You left this group.", nil,
			member(GroupFormerID, u, "member", "left")),
	}
	phys := gs[1]
	phys["group_type"] = "plus"
	phys["enforce_session"] = true
	phys["session_limit"] = 1800
	phys["session_timeouts"] = map[string]any{
		u: map[string]any{"expire_time": "2024-03-01T12:30:00+00:00", "expires_in": 0},
	}
	phys["subscription_id"] = testSubscriptionID
	phys["subscription_info"] = map[string]any{
		"name":              "Test Subscription",
		"subscriber_name":   "Globus Test University",
		"is_high_assurance": false,
		"is_baa":            false,
		"connectors":        map[string]any{},
	}
	phys["terms_and_conditions"] = "Be excellent to each other."
	phys["policies"].(map[string]any)["group_visibility"] = "authenticated"
	inv := gs[5]["my_memberships"].([]map[string]any)[0]
	inv["invite_email_address"] = TestUser.Email
	inv["invite_time"] = testUpdated
	return gs
}

// group builds a group object with every field of the reference's
// GroupReadModel that my_groups returns by default.
func group(id, name string, description, parentID any, mems ...map[string]any) map[string]any {
	return map[string]any{
		"id":                             id,
		"name":                           name,
		"description":                    description,
		"parent_id":                      parentID,
		"group_type":                     "regular",
		"enforce_session":                false,
		"session_limit":                  28800,
		"session_timeouts":               map[string]any{},
		"my_memberships":                 mems,
		"terms_and_conditions":           nil,
		"subscription_id":                nil,
		"subscription_info":              nil,
		"subscription_admin_verified_id": nil,
		"policies": map[string]any{
			"is_high_assurance":                false,
			"authentication_assurance_timeout": 28800,
			"group_visibility":                 "private",
			"group_members_visibility":         "managers",
			"join_requests":                    false,
			"signup_fields":                    []string{},
		},
	}
}

// member builds a membership object of the test user (or the linked
// identity) in a group.
func member(groupID, identityID, role, status string) map[string]any {
	username := TestUser.Username
	if identityID == TestUser.LinkedIdentityID {
		username = TestUser.LinkedUsername
	}
	return map[string]any{
		"group_id":             groupID,
		"identity_id":          identityID,
		"username":             username,
		"role":                 role,
		"status":               status,
		"status_reason":        nil,
		"invite_email_address": nil,
		"invite_time":          nil,
		"updated":              testUpdated,
		"membership_fields":    map[string]any{},
	}
}
