package groups

// Row is one line of the groups table every host shows (the page, the JS package's
// myGroupsReport, the worker's page): the CSV's columns, the roles as a list.
type Row struct {
	ID    string   `json:"id"`
	Name  string   `json:"name"`
	Roles []string `json:"roles"` // Group.Roles: distinct, sorted; never null
}

// Rows returns the table of gs, one Row per group in order.
func Rows(gs []Group) []Row {
	rows := make([]Row, len(gs))
	for i, g := range gs {
		rows[i] = Row{ID: g.ID, Name: g.Name, Roles: append([]string{}, g.Roles()...)}
	}
	return rows
}
