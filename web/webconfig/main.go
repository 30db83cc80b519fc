// Command webconfig writes the web page's build-time configuration: index.html with the
// Content-Security-Policy connect-src, the wasm's (content-hashed) file name, and page.css
// inlined with its hash in the CSP's style-src; and config.json when the environment sets
// anything. Both come from the same variables as the CLI's (config.FromEnv), so the CSP
// always allows exactly the Auth and Groups origins the page is configured for.
//
//	go run ./web/webconfig -template web/index.html -css web/page.css -out dist/web -wasm globus-edge.0123456789ab.wasm
//
// Variables: GLOBUS_SDK_ENVIRONMENT, GLOBUS_SDK_SERVICE_URL_AUTH, GLOBUS_SDK_SERVICE_URL_GROUPS,
// GLOBUS_CLIENT_ID, GLOBUS_REDIRECT_URI, GLOBUS_SDK_HTTP_TIMEOUT; GLOBUS_EDGE_SCOPES,
// GLOBUS_EDGE_STORAGE and GLOBUS_EDGE_NAMESPACE for config.json's scopes, storage and
// namespace; GLOBUS_EDGE_CONNECT_SRC replaces the computed connect-src origins (e.g.
// "http://127.0.0.1:*" for tests on loopback).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	template := flag.String("template", "web/index.html", "index.html template holding the placeholders of page.go")
	out := flag.String("out", "dist/web", "directory to write index.html (and config.json) into")
	wasm := flag.String("wasm", "globus-edge.wasm", "the wasm's file name in the output directory (content-hashed by ./build.sh web)")
	css := flag.String("css", "web/page.css", "the stylesheet to inline into index.html")
	flag.Parse()
	if err := run(*template, *css, *out, *wasm, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "webconfig:", err)
		os.Exit(1)
	}
}

func run(template, cssPath, out, wasmName string, getenv func(string) string) error {
	b, err := build(getenv)
	if err != nil {
		return err
	}
	tmpl, err := os.ReadFile(template)
	if err != nil {
		return fmt.Errorf("reading the template: %w", err)
	}
	css, err := os.ReadFile(cssPath)
	if err != nil {
		return fmt.Errorf("reading the stylesheet: %w", err)
	}
	html, err := b.page(string(tmpl), assets{wasmName: wasmName, css: string(css)})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "index.html"), []byte(html), 0o644); err != nil {
		return fmt.Errorf("writing index.html: %w", err)
	}
	cfgPath := filepath.Join(out, "config.json")
	if b.configJSON == nil {
		// No variable set: no file, so the page uses its defaults (production Globus, the
		// tutorial client, paste-code login). Remove a stale one from an earlier build.
		if err := os.Remove(cfgPath); err != nil && !os.IsNotExist(err) {
			return err
		}
	} else if err := os.WriteFile(cfgPath, b.configJSON, 0o644); err != nil {
		return fmt.Errorf("writing config.json: %w", err)
	}
	fmt.Printf("CSP connect-src: 'self' %s\n", b.connectSrc)
	if b.configJSON != nil {
		fmt.Printf("config.json: %s", b.configJSON)
	}
	return nil
}
