package globustest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// writeJSON answers status with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// randomToken returns 32 random bytes, base64url without padding (43 chars).
func randomToken() string {
	return base64.RawURLEncoding.EncodeToString(randomBytes(32))
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// newUUID returns a random version-4 UUID.
func newUUID() string {
	b := randomBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// errorCode turns a status into an upper-snake code such as
// "SERVICE_UNAVAILABLE".
func errorCode(status int) string {
	t := http.StatusText(status)
	if t == "" {
		return "ERROR"
	}
	return strings.ToUpper(strings.NewReplacer(" ", "_", "-", "_", "'", "").Replace(t))
}

// authAPIErrorBody is the Auth API error document (reference F.1):
// a JSON:API-like errors array plus OAuth-style error fields.
func authAPIErrorBody(status int, code, detail string) map[string]any {
	return map[string]any{
		"errors": []map[string]any{{
			"status": strconv.Itoa(status),
			"id":     newUUID(),
			"code":   code,
			"detail": detail,
			"title":  http.StatusText(status),
		}},
		"error":             strings.ToLower(code),
		"error_description": http.StatusText(status),
	}
}

// groupsErrorBody is the Groups error document {code, detail}.
func groupsErrorBody(code, detail string) map[string]any {
	return map[string]any{"code": code, "detail": detail}
}

// oauthError answers an OAuth2 token/revoke error: 401 for invalid_grant
// and invalid_client (as the reference fixtures), 400 otherwise.
func oauthError(w http.ResponseWriter, code, desc string) {
	status := http.StatusBadRequest
	if code == "invalid_grant" || code == "invalid_client" {
		status = http.StatusUnauthorized
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

// notFound answers an unknown path with a JSON 404 in the listener's style.
func notFound(sd side, w http.ResponseWriter, r *http.Request) {
	detail := "no such path: " + r.URL.Path
	if sd == sideAuth {
		writeJSON(w, http.StatusNotFound, authAPIErrorBody(http.StatusNotFound, "NOT_FOUND", detail))
		return
	}
	writeJSON(w, http.StatusNotFound, groupsErrorBody("NOT_FOUND", detail))
}

// methodNotAllowed answers a known path called with the wrong method.
func methodNotAllowed(sd side, w http.ResponseWriter, allowed string) {
	w.Header().Set("Allow", allowed+", OPTIONS")
	const code, detail = "METHOD_NOT_ALLOWED", "method not allowed"
	if sd == sideAuth {
		writeJSON(w, http.StatusMethodNotAllowed, authAPIErrorBody(http.StatusMethodNotAllowed, code, detail))
		return
	}
	writeJSON(w, http.StatusMethodNotAllowed, groupsErrorBody(code, detail))
}

// htmlPage answers a small HTML page; bodyHTML must already be escaped.
func htmlPage(w http.ResponseWriter, status int, title, bodyHTML string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	io.WriteString(w, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>"+
		html.EscapeString(title)+"</title></head>\n<body>\n"+bodyHTML+"\n</body></html>\n")
}
