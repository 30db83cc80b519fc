package globustest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"time"
)

// faultJSON is the body of POST /_fake/faults.
type faultJSON struct {
	Method      string `json:"method"`
	Path        string `json:"path"`
	Status      int    `json:"status"`
	RetryAfter  string `json:"retry_after"`
	DelayMS     int64  `json:"delay_ms"`
	Body        string `json:"body"`
	ContentType string `json:"content_type"`
	Times       int    `json:"times"`
	// AfterHandling, Drop, Truncate: see Fault.
	AfterHandling bool `json:"after_handling"`
	Drop          bool `json:"drop"`
	Truncate      bool `json:"truncate"`
	Optional      bool `json:"optional"`
}

// clientJSON is the body of POST /_fake/clients.
type clientJSON struct {
	ID           string   `json:"id"`
	Secret       string   `json:"secret"`
	RedirectURIs []string `json:"redirect_uris"`
}

// serveControl answers the /_fake/ endpoints documented in the package
// comment.
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	ok := map[string]bool{"ok": true}
	switch r.Method + " " + r.URL.Path {
	case "GET /_fake/counts":
		writeJSON(w, http.StatusOK, s.Counts())
	case "POST /_fake/reset-counts":
		s.ResetCounts()
		writeJSON(w, http.StatusOK, ok)
	case "POST /_fake/faults":
		var f faultJSON
		if decodeControl(w, r, &f) {
			if f.Path == "" {
				controlError(w, "path is required")
				return
			}
			s.Inject(Fault{Method: f.Method, Path: f.Path, Status: f.Status, RetryAfter: f.RetryAfter,
				Delay: time.Duration(f.DelayMS) * time.Millisecond, Body: f.Body,
				ContentType: f.ContentType, Times: f.Times,
				AfterHandling: f.AfterHandling, Drop: f.Drop, Truncate: f.Truncate, Optional: f.Optional})
			writeJSON(w, http.StatusOK, ok)
		}
	case "POST /_fake/clear-faults":
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "unused": toUnusedJSON(s.ClearFaults())})
	case "POST /_fake/expire-access-tokens":
		s.ExpireAccessTokens()
		writeJSON(w, http.StatusOK, ok)
	case "POST /_fake/clients":
		var c clientJSON
		if decodeControl(w, r, &c) {
			if c.ID == "" {
				controlError(w, "id is required")
				return
			}
			s.RegisterClient(Client{ID: c.ID, Secret: c.Secret, RedirectURIs: c.RedirectURIs})
			writeJSON(w, http.StatusOK, ok)
		}
	case "POST /_fake/deny-next-authorize":
		var d struct {
			Error string `json:"error"`
		}
		if decodeControl(w, r, &d) {
			if d.Error == "" {
				d.Error = "access_denied"
			}
			s.SetDenyNextAuthorize(d.Error)
			writeJSON(w, http.StatusOK, ok)
		}
	case "GET /_fake/issued-tokens":
		writeJSON(w, http.StatusOK, s.IssuedTokens())
	case "GET /_fake/token-active":
		writeJSON(w, http.StatusOK, map[string]bool{"active": s.TokenActive(r.URL.Query().Get("token"))})
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown control endpoint " + r.Method + " " + r.URL.Path})
	}
}

// decodeControl decodes a JSON control body strictly (an empty body is an
// empty object), answering 400 on failure.
func decodeControl(w http.ResponseWriter, r *http.Request, v any) bool {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		controlError(w, err.Error())
		return false
	}
	if len(b) == 0 {
		return true
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		controlError(w, "bad JSON body: "+err.Error())
		return false
	}
	return true
}

func controlError(w http.ResponseWriter, msg string) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": msg})
}
