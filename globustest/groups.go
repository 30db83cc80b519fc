package globustest

import (
	"net/http"
	"slices"
	"strings"
)

// validStatuses are the membership statuses my_groups accepts.
var validStatuses = []string{"active", "invited", "pending", "rejected", "removed", "left", "declined"}

// handleMyGroups is GET /v2/groups/my_groups[?statuses=...].
func (s *Server) handleMyGroups(w http.ResponseWriter, r *http.Request) {
	if !s.groupsAuth(w, r) {
		return
	}
	statuses, bad, ok := parseStatuses(r.URL.Query()["statuses"])
	if !ok {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"detail": []map[string]any{{
			"loc":   []string{"query", "statuses"},
			"msg":   "Input should be " + quotedList(validStatuses),
			"type":  "enum",
			"input": bad,
		}}})
		return
	}
	out := []map[string]any{}
	for _, g := range testGroups() {
		var mine []map[string]any
		for _, m := range g["my_memberships"].([]map[string]any) {
			if slices.Contains(statuses, m["status"].(string)) {
				mine = append(mine, m)
			}
		}
		if len(mine) > 0 {
			g["my_memberships"] = mine
			out = append(out, g)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// parseStatuses splits the statuses parameter (comma-separated, possibly
// repeated) and checks each value. Without the parameter it is [active].
// On failure it returns the offending value.
func parseStatuses(raw []string) (statuses []string, bad string, ok bool) {
	if len(raw) == 0 {
		return []string{"active"}, "", true
	}
	for _, r := range raw {
		for _, st := range strings.Split(r, ",") {
			if !slices.Contains(validStatuses, st) {
				return nil, st, false
			}
			statuses = append(statuses, st)
		}
	}
	return statuses, "", true
}

// quotedList renders a, b, c as "'a', 'b' or 'c'" (pydantic's wording).
func quotedList(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = "'" + v + "'"
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

// groupsAuth checks the bearer token of a Groups request: 401 unless it is
// an active access token, 403 unless it carries a Groups scope.
func (s *Server) groupsAuth(w http.ResponseWriter, r *http.Request) bool {
	h := r.Header.Get("Authorization")
	scheme, value, _ := strings.Cut(h, " ")
	unauthorized := func(detail string) bool {
		w.Header().Set("WWW-Authenticate", "Bearer")
		writeJSON(w, http.StatusUnauthorized, groupsErrorBody("UNAUTHORIZED", detail))
		return false
	}
	if h == "" {
		return unauthorized("Authorization header is required")
	}
	if !strings.EqualFold(scheme, "Bearer") || value == "" {
		return unauthorized("Authorization header must be a Bearer token")
	}
	s.mu.Lock()
	t := s.tokens[value]
	active := t != nil && t.kind == accessToken && s.activeLocked(t)
	var scopes []string
	if active {
		scopes = slices.Clone(t.scopes)
	}
	s.mu.Unlock()
	if !active {
		return unauthorized("Token is invalid, expired or revoked")
	}
	if !slices.Contains(scopes, GroupsScope) && !slices.Contains(scopes, GroupsAllScope) {
		body := groupsErrorBody("FORBIDDEN", "Token is not valid for the Groups API")
		body["provided_scopes"] = scopes
		writeJSON(w, http.StatusForbidden, body)
		return false
	}
	return true
}
