package groups

import (
	"io"
	"sort"
	"strings"
)

// CSVHeader is the tutorial's header line.
const CSVHeader = "ID,Name,Roles"

// Roles returns the group's distinct membership roles, sorted. (The tutorial uses a Python
// set, whose order is unspecified; sorting makes the output stable.)
func (g Group) Roles() []string {
	seen := map[string]bool{}
	var roles []string
	for _, m := range g.MyMemberships {
		if !seen[m.Role] {
			seen[m.Role] = true
			roles = append(roles, m.Role)
		}
	}
	sort.Strings(roles)
	return roles
}

// WriteCSV writes the tutorial's CSV: "ID,Name,Roles", then per group
// id,"name",role1|role2 with lines ending in "\n". The name is always double-quoted, as in the
// tutorial, and embedded quotes are doubled (RFC 4180), which the tutorial does not do.
func WriteCSV(w io.Writer, gs []Group) error {
	var b strings.Builder
	b.WriteString(CSVHeader + "\n")
	for _, g := range gs {
		b.WriteString(field(g.ID))
		b.WriteString(`,"` + strings.ReplaceAll(g.Name, `"`, `""`) + `",`)
		b.WriteString(field(strings.Join(g.Roles(), "|")))
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// CSV returns WriteCSV's output as a string.
func CSV(gs []Group) string {
	var b strings.Builder
	WriteCSV(&b, gs) // a strings.Builder never fails
	return b.String()
}

// field quotes an unquoted column only if it needs it (ids and roles never do in practice).
func field(s string) string {
	if strings.ContainsAny(s, ",\"\r\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}
