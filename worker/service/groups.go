package service

import (
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/globus-edge/globus-edge/groups"
)

// groups is GET /groups[?format=json|csv|rows]: the session's groups as the raw Groups
// objects (JSON), the tutorial's CSV, or the table's rows (groups.Rows: id, name and roles, as
// the page shows them). app.MyGroups renews tokens as needed and writes them back to KV before
// it uses them; Globus refusing the refresh token ends the session (401).
func (x *reply) groups() {
	format, ok := x.format()
	if !ok {
		x.fail(http.StatusBadRequest, CodeBadRequest, "format must be json, csv or rows", nil)
		return
	}
	store := x.session()
	if store == nil {
		return
	}
	gs, err := x.app(store).MyGroups(x.r.Context())
	if err != nil {
		x.failErr("listing your groups", err)
		return
	}
	x.w.Header().Set("Vary", "Accept")
	var v any = gs // each group as received (groups.Group keeps its raw object)
	switch {
	case format == "csv":
		x.w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		x.w.Header().Set("Content-Disposition", `attachment; filename="my-groups.csv"`)
		x.w.Write([]byte(groups.CSV(gs)))
		return
	case format == "rows":
		v = groups.Rows(gs)
	case gs == nil:
		v = []groups.Group{}
	}
	b, err := json.Marshal(v)
	if err != nil {
		x.failErr("encoding your groups", err)
		return
	}
	x.w.Header().Set("Content-Type", "application/json; charset=utf-8")
	x.w.Write(b)
}

// format decides the answer's format: ?format= wins; otherwise CSV when Accept names text/csv
// and does not prefer application/json, else JSON. ok is false for an unknown ?format.
func (x *reply) format() (format string, ok bool) {
	switch f := x.r.URL.Query().Get("format"); f {
	case "csv", "json", "rows":
		return f, true
	case "":
	default:
		return "", false
	}
	csvQ, jsonQ := -1.0, -1.0
	// Values may be split over several header lines (the worker runtime splits on commas).
	for _, part := range strings.Split(strings.Join(x.r.Header.Values("Accept"), ","), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		switch mt {
		case "text/csv":
			csvQ = max(csvQ, q)
		case "application/json":
			jsonQ = max(jsonQ, q)
		}
	}
	if csvQ > 0 && csvQ > jsonQ {
		return "csv", true
	}
	return "json", true
}
