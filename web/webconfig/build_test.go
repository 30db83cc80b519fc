package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/globus-edge/globus-edge/wasm/configkeys"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaultsAreProductionWithoutConfigJSON(t *testing.T) {
	o, err := build(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if o.connectSrc != "https://auth.globus.org https://groups.api.globus.org" {
		t.Errorf("connect-src = %q", o.connectSrc)
	}
	if o.configJSON != nil {
		t.Errorf("config.json written without any variable: %s", o.configJSON)
	}
}

func TestOverridesWriteConfigAndCSP(t *testing.T) {
	o, err := build(env(map[string]string{
		"GLOBUS_SDK_SERVICE_URL_AUTH": "http://127.0.0.1:8001/", "GLOBUS_SDK_SERVICE_URL_GROUPS": "http://127.0.0.1:8002",
		"GLOBUS_CLIENT_ID": "cid", "GLOBUS_REDIRECT_URI": "http://127.0.0.1:8000/", "GLOBUS_EDGE_STORAGE": "sessionStorage",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if o.connectSrc != "http://127.0.0.1:8001 http://127.0.0.1:8002" {
		t.Errorf("connect-src = %q", o.connectSrc)
	}
	want := `{
  "authUrl": "http://127.0.0.1:8001",
  "clientId": "cid",
  "groupsUrl": "http://127.0.0.1:8002",
  "redirectUri": "http://127.0.0.1:8000/",
  "storage": "sessionStorage"
}
`
	if string(o.configJSON) != want {
		t.Errorf("config.json =\n%s\nwant\n%s", o.configJSON, want)
	}
	o, err = build(env(map[string]string{"GLOBUS_SDK_ENVIRONMENT": "preview"}))
	if err != nil || o.connectSrc != "https://auth.preview.globus.org https://groups.api.preview.globus.org" ||
		!strings.Contains(string(o.configJSON), `"authUrl": "https://auth.preview.globus.org"`) {
		t.Errorf("preview: %q %s %v", o.connectSrc, o.configJSON, err)
	}
}

func TestConnectSrcOverrideIsChecked(t *testing.T) {
	o, err := build(env(map[string]string{"GLOBUS_EDGE_CONNECT_SRC": "http://127.0.0.1:*"}))
	if err != nil || o.connectSrc != "http://127.0.0.1:*" || o.configJSON != nil {
		t.Fatalf("override: %+v, %v", o, err)
	}
	for _, bad := range []string{"'unsafe-inline'", `https://x.org"><script>`, "https://a.org; script-src *", "*"} {
		if _, err := build(env(map[string]string{"GLOBUS_EDGE_CONNECT_SRC": bad})); err == nil {
			t.Errorf("connect-src %q accepted", bad)
		}
	}
	if _, err := build(env(map[string]string{"GLOBUS_SDK_ENVIRONMENT": "moon"})); err == nil {
		t.Error("unknown environment accepted")
	}
}

func TestRunWritesPage(t *testing.T) {
	dir := t.TempDir()
	tmpl, css := filepath.Join(dir, "t.html"), filepath.Join(dir, "p.css")
	os.WriteFile(tmpl, []byte(`<meta content="connect-src 'self' {{CONNECT_SRC}}; style-src {{STYLE_HASH}}"><link href="{{WASM_URL}}"><style>{{PAGE_CSS}}</style>`), 0o644)
	os.WriteFile(css, []byte("b { color: red }\n/* {{WASM_URL}} */\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "config.json"), []byte("stale"), 0o644)
	if err := run(tmpl, css, dir, "globus-edge.0123456789ab.wasm", env(nil)); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "index.html"))
	// The hash is the CSP source of exactly the inlined text (openssl dgst -sha256 -binary | base64).
	want := `<meta content="connect-src 'self' https://auth.globus.org https://groups.api.globus.org; style-src 'sha256-Jznz5e+7AOE2YUhjIIRjVrKJiUajm0sb0g3kzWGmlFI='">` +
		`<link href="globus-edge.0123456789ab.wasm"><style>b { color: red }` + "\n/* {{WASM_URL}} */\n</style>"
	if string(b) != want {
		t.Errorf("index.html =\n%s\nwant\n%s", b, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "config.json")); !os.IsNotExist(err) {
		t.Error("a stale config.json survived a build without variables")
	}
	if err := run(tmpl, css, dir, `x.wasm"><script>`, env(nil)); err == nil {
		t.Error("a wasm name that leaves its attribute was accepted")
	}
	os.WriteFile(css, []byte("</style><script>"), 0o644)
	if err := run(tmpl, css, dir, "globus-edge.wasm", env(nil)); err == nil {
		t.Error("CSS that ends the style element was accepted")
	}
	os.WriteFile(css, []byte("b {}"), 0o644)
	for _, bad := range []string{`no placeholder`, `{{CONNECT_SRC}} {{STYLE_HASH}} {{PAGE_CSS}}`, `{{WASM_URL}} {{WASM_URL}} {{CONNECT_SRC}} {{STYLE_HASH}} {{PAGE_CSS}}`} {
		os.WriteFile(tmpl, []byte(bad), 0o644)
		if err := run(tmpl, css, dir, "globus-edge.wasm", env(nil)); err == nil {
			t.Errorf("template %q was accepted", bad)
		}
	}
}

// TestConfigJSONUsesConfigKeys: with every variable set, config.json holds only keys the
// client reads (wasm/configkeys), including namespace.
func TestConfigJSONUsesConfigKeys(t *testing.T) {
	o, err := build(env(map[string]string{
		"GLOBUS_SDK_SERVICE_URL_AUTH": "http://127.0.0.1:8001", "GLOBUS_CLIENT_ID": "cid",
		"GLOBUS_REDIRECT_URI": "http://127.0.0.1:8000/", "GLOBUS_SDK_HTTP_TIMEOUT": "30",
		"GLOBUS_EDGE_SCOPES": "a  b", "GLOBUS_EDGE_STORAGE": "memory", "GLOBUS_EDGE_NAMESPACE": "ns",
	}))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(o.configJSON, &got); err != nil {
		t.Fatal(err)
	}
	if got["namespace"] != "ns" || got["scopes"] != "a b" || got["httpTimeout"] != "30" {
		t.Errorf("config.json = %s", o.configJSON)
	}
	for k := range got {
		if !slices.Contains(configkeys.Go, k) {
			t.Errorf("config.json key %q is not one the client reads", k)
		}
	}
}
