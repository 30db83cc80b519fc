package service

import (
	_ "embed"
	"net/http"
	"strings"

	"github.com/globus-edge/globus-edge/internal/csp"
)

// The page's files. The style and script are inlined in the HTML and allowed by their hashes
// in the CSP; the script writes group fields with textContent only: names are data, never
// markup.
var (
	//go:embed page/page.css
	pageStyle string
	//go:embed page/page.js
	pageScript string
	//go:embed page/page.html
	pageTemplate string

	pageHTML = strings.NewReplacer("{{STYLE}}", pageStyle, "{{SCRIPT}}", pageScript).Replace(pageTemplate)
)

// pageCSP allows exactly the inline style and script above, and fetches to this origin.
var pageCSP = "default-src 'none'; script-src " + csp.Hash(pageScript) + "; style-src " + csp.Hash(pageStyle) +
	"; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// page is GET /: the single page of the service. It holds no data; its script asks /groups.
func (x *reply) page() {
	h := x.w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("X-Frame-Options", "DENY")
	x.w.WriteHeader(http.StatusOK)
	if x.r.Method != http.MethodHead {
		x.w.Write([]byte(pageHTML))
	}
}
