package globustest

import (
	"html"
	"net/http"
)

// handleAuthCodePage is the native-app auth-code display page: it shows
// ?code= in <code id="auth-code"> for copy and paste, and ?error= in
// <p id="auth-error">.
func (s *Server) handleAuthCodePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	body := "<h1>Globus Auth</h1>\n"
	if e := q.Get("error"); e != "" {
		msg := e
		if d := q.Get("error_description"); d != "" {
			msg += ": " + d
		}
		body += `<p id="auth-error">` + html.EscapeString(msg) + "</p>\n"
	}
	if c := q.Get("code"); c != "" {
		body += "<p>Native App Authorization Code. Copy this code and paste it into your application:</p>\n" +
			`<code id="auth-code">` + html.EscapeString(c) + "</code>\n"
	} else if q.Get("error") == "" {
		body += `<p id="no-code">No authorization code was given.</p>` + "\n"
	}
	htmlPage(w, http.StatusOK, "Globus Auth: authorization code", body)
}

// handleLogoutPage is the browser logout helper page.
func (s *Server) handleLogoutPage(w http.ResponseWriter, r *http.Request) {
	htmlPage(w, http.StatusOK, "Globus Auth: logged out",
		`<h1 id="logged-out">You have logged out of Globus.</h1>`)
}
