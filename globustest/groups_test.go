package globustest

import (
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"testing"
)

// groupNames decodes a my_groups array and returns the group names.
func groupNames(t *testing.T, r reply) []string {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("my_groups: %d %s", r.status, r.raw)
	}
	var gs []map[string]any
	if err := json.Unmarshal(r.raw, &gs); err != nil {
		t.Fatalf("decode: %v %s", err, r.raw)
	}
	var names []string
	for _, g := range gs {
		names = append(names, g["name"].(string))
	}
	return names
}

func TestMyGroupsAuth(t *testing.T) {
	s := NewT(t, Options{})
	at := str(login(t, s, authReq{})["access_token"])
	for name, token := range map[string]string{"missing": "", "unknown": "not-a-token"} {
		r := groups(t, s, token, "")
		if r.status != http.StatusUnauthorized || r.json["code"] != "UNAUTHORIZED" || str(r.json["detail"]) == "" {
			t.Errorf("%s token: %d %s", name, r.status, r.raw)
		}
	}
	req := mustGet(t, s.GroupsURL()+"/v2/groups/my_groups")
	req.Header.Set("Authorization", "Basic "+at)
	if r := do(t, req); r.status != http.StatusUnauthorized {
		t.Errorf("non-Bearer scheme: %d", r.status)
	}
	// A refresh token is not a bearer token.
	rt := str(login(t, s, authReq{})["refresh_token"])
	if r := groups(t, s, rt, ""); r.status != http.StatusUnauthorized {
		t.Errorf("refresh token as bearer: %d", r.status)
	}
	if r := groups(t, s, at, ""); r.status != http.StatusOK {
		t.Errorf("valid token: %d %s", r.status, r.raw)
	}
	// Groups "all" scope works too.
	all := str(login(t, s, authReq{scope: GroupsAllScope})["access_token"])
	if r := groups(t, s, all, ""); r.status != http.StatusOK {
		t.Errorf("all scope: %d", r.status)
	}
}

func TestMyGroupsContentAndStatuses(t *testing.T) {
	s := NewT(t, Options{})
	at := str(login(t, s, authReq{})["access_token"])
	r := groups(t, s, at, "")
	var got []map[string]any
	json.Unmarshal(r.raw, &got)
	var want []map[string]any
	for _, g := range TestGroups() {
		if g["my_memberships"].([]any)[0].(map[string]any)["status"] == "active" {
			want = append(want, g)
		}
	}
	if len(want) != 5 || !reflect.DeepEqual(got, want) {
		t.Fatalf("default my_groups differs from the active TestGroups:\n got %s", r.raw)
	}
	for _, g := range got {
		for _, k := range []string{"id", "name", "description", "parent_id", "group_type", "enforce_session",
			"session_limit", "session_timeouts", "my_memberships", "policies", "subscription_id"} {
			if _, ok := g[k]; !ok {
				t.Errorf("group %v lacks %s", g["id"], k)
			}
		}
	}
	names := groupNames(t, r)
	for _, n := range []string{"Physics, Chemistry & Biology", `The "Quoted" Group`, "Équipe Données — 東京", "Line one\nLine two"} {
		if !slices.Contains(names, n) {
			t.Errorf("missing group %q", n)
		}
	}
	if got := groupNames(t, groups(t, s, at, "statuses=invited")); !reflect.DeepEqual(got, []string{"Invited Only Group"}) {
		t.Errorf("statuses=invited: %v", got)
	}
	both := groupNames(t, groups(t, s, at, "statuses=active,invited"))
	repeated := groupNames(t, groups(t, s, at, "statuses=active&statuses=invited"))
	if len(both) != 6 || !reflect.DeepEqual(both, repeated) {
		t.Errorf("active+invited: %v / %v", both, repeated)
	}
	all := groupNames(t, groups(t, s, at, "statuses=active,invited,pending,rejected,removed,left,declined"))
	if len(all) != len(TestGroups()) {
		t.Errorf("all statuses: %v", all)
	}
	bad := groups(t, s, at, "statuses=active,bogus")
	detail, _ := bad.json["detail"].([]any)
	if bad.status != http.StatusUnprocessableEntity || len(detail) != 1 {
		t.Fatalf("invalid status: %d %s", bad.status, bad.raw)
	}
	d := detail[0].(map[string]any)
	if !reflect.DeepEqual(d["loc"], []any{"query", "statuses"}) || str(d["msg"]) == "" || str(d["type"]) == "" {
		t.Errorf("422 detail %v", d)
	}
}

func TestTestGroupsMemberships(t *testing.T) {
	roles := map[string][]string{}
	for _, g := range TestGroups() {
		for _, m := range g["my_memberships"].([]any) {
			mm := m.(map[string]any)
			roles[g["name"].(string)] = append(roles[g["name"].(string)], mm["role"].(string))
		}
	}
	for name, want := range map[string][]string{
		"Physics, Chemistry & Biology": {"admin", "member"},
		`The "Quoted" Group`:           {"member", "member"},
		"Équipe Données — 東京":          {"manager"},
	} {
		if !reflect.DeepEqual(roles[name], want) {
			t.Errorf("%s roles %v, want %v", name, roles[name], want)
		}
	}
}
