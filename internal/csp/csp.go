// Package csp holds the one rule both pages that inline their style or script follow (the web
// page's index.html, built by web/webconfig, and the worker's page, worker/service): how a
// Content-Security-Policy allows exactly that inline content.
package csp

import (
	"crypto/sha256"
	"encoding/base64"
)

// Hash is the CSP source expression that allows an inline <style> or <script> whose content is
// exactly s: 'sha256-' and the base64 of its SHA-256, quoted as a policy needs it.
func Hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}
