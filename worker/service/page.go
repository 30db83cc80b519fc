package service

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"net/http"
	"strings"
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
var pageCSP = "default-src 'none'; script-src '" + cspHash(pageScript) + "'; style-src '" + cspHash(pageStyle) +
	"'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func cspHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

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
