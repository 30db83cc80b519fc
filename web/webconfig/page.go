package main

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/globus-edge/globus-edge/internal/csp"
)

// Placeholders in the index.html template, each present exactly once.
const (
	// connectSrcPlaceholder becomes the CSP's connect-src origins.
	connectSrcPlaceholder = "{{CONNECT_SRC}}"
	// wasmPlaceholder becomes the wasm's content-hashed file name, which changes whenever the
	// module does, so servers may cache it for good.
	wasmPlaceholder = "{{WASM_URL}}"
	// cssPlaceholder becomes page.css, inlined so the first paint waits for no request.
	cssPlaceholder = "{{PAGE_CSS}}"
	// styleHashPlaceholder becomes the CSP source allowing exactly that inline CSS.
	styleHashPlaceholder = "{{STYLE_HASH}}"
)

// assets are the built files index.html names or holds.
type assets struct {
	wasmName string
	css      string
}

// wasmNameRE keeps the name inside its attribute: letters, digits, dots, dashes, underscores.
var wasmNameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+\.wasm$`)

// page fills the template: CSP origins, the wasm's name, the inline CSS and its CSP hash.
func (o output) page(tmpl string, a assets) (string, error) {
	if !wasmNameRE.MatchString(a.wasmName) {
		return "", fmt.Errorf("wasm file name %q is not a plain file name", a.wasmName)
	}
	if strings.Contains(strings.ToLower(a.css), "</style") {
		return "", fmt.Errorf("the CSS holds </style, which would end the inline style element")
	}
	pairs := []string{
		connectSrcPlaceholder, o.connectSrc,
		wasmPlaceholder, a.wasmName,
		cssPlaceholder, a.css,
		styleHashPlaceholder, csp.Hash(a.css),
	}
	for i := 0; i < len(pairs); i += 2 {
		if strings.Count(tmpl, pairs[i]) != 1 {
			return "", fmt.Errorf("the template must hold %s exactly once", pairs[i])
		}
	}
	// One pass: text put in (the CSS) is never scanned for placeholders again.
	return strings.NewReplacer(pairs...).Replace(tmpl), nil
}
