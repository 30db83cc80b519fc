package tokens

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"unicode/utf16"
)

// DefaultNamespace is the namespace the Python SDK's JSONTokenStorage uses by default.
const DefaultNamespace = "DEFAULT"

// Version is globus-edge's release: the npm package's version (js/package.json; a test fails
// when the two differ) and the Go program's in the wasm (its version).
const Version = "0.2.0"

// SDKVersion is written as "globus-sdk.version"; the Python reader only requires a string.
const SDKVersion = "globus-edge-" + Version

// Document is the Python SDK's JSONTokenStorage file: namespace → resource server → Data.
type Document struct {
	Data map[string]map[string]Data
}

// NewDocument returns an empty document.
func NewDocument() *Document { return &Document{Data: map[string]map[string]Data{}} }

// ErrCorrupt marks stored token data that cannot be read. Callers keep the stored bytes as
// they are and tell the user; they never overwrite them silently.
var ErrCorrupt = errors.New("tokens: stored token data is corrupt")

type wireDocument struct {
	Data          map[string]map[string]json.RawMessage `json:"data"`
	ByRS          map[string]json.RawMessage            `json:"by_rs"` // format 1.0
	FormatVersion *string                               `json:"format_version"`
	SDKVersion    *string                               `json:"globus-sdk.version"`
}

// DecodeDocument reads a v2.0 document, or a v1.0 one (by_rs moved under DEFAULT). Anything
// else wraps ErrCorrupt with the reason.
func DecodeDocument(b []byte) (*Document, error) {
	var w wireDocument
	if err := json.Unmarshal(b, &w); err != nil {
		return nil, fmt.Errorf("%w: not a JSON token document: %v", ErrCorrupt, err)
	}
	if w.FormatVersion == nil || w.SDKVersion == nil {
		return nil, fmt.Errorf("%w: format_version and globus-sdk.version are required", ErrCorrupt)
	}
	switch *w.FormatVersion {
	case "2.0":
		if w.Data == nil {
			return nil, fmt.Errorf("%w: missing data", ErrCorrupt)
		}
	case "1.0":
		if w.ByRS == nil {
			return nil, fmt.Errorf("%w: missing by_rs", ErrCorrupt)
		}
		w.Data = map[string]map[string]json.RawMessage{DefaultNamespace: w.ByRS}
	default:
		return nil, fmt.Errorf("%w: unsupported format_version %q", ErrCorrupt, *w.FormatVersion)
	}
	d := NewDocument()
	for ns, byRS := range w.Data {
		d.Data[ns] = map[string]Data{}
		for rs, raw := range byRS {
			var t Data
			if err := json.Unmarshal(raw, &t); err != nil {
				return nil, fmt.Errorf("%w: token data for %q: %v", ErrCorrupt, rs, err)
			}
			if t.AccessToken == "" || t.ResourceServer == "" {
				return nil, fmt.Errorf("%w: token data for %q lacks access_token or resource_server", ErrCorrupt, rs)
			}
			d.Data[ns][rs] = t
		}
	}
	return d, nil
}

// Encode writes the document as Python's json.dump does by default (", " and ": "
// separators, keys in the Python SDK's order, non-ASCII escaped), format_version "2.0".
func (d *Document) Encode() []byte {
	var b bytes.Buffer
	b.WriteString(`{"data": {`)
	for i, ns := range slices.Sorted(maps.Keys(d.Data)) {
		if i > 0 {
			b.WriteString(", ")
		}
		writeString(&b, ns)
		b.WriteString(": {")
		for j, rs := range slices.Sorted(maps.Keys(d.Data[ns])) {
			if j > 0 {
				b.WriteString(", ")
			}
			writeString(&b, rs)
			b.WriteString(": ")
			writeData(&b, d.Data[ns][rs])
		}
		b.WriteString("}")
	}
	b.WriteString(`}, "format_version": "2.0", "globus-sdk.version": `)
	writeString(&b, SDKVersion)
	b.WriteString("}")
	return b.Bytes()
}

func writeData(b *bytes.Buffer, t Data) {
	fields := []struct{ k, v string }{
		{"resource_server", t.ResourceServer}, {"identity_id", t.IdentityID},
		{"scope", t.Scope}, {"access_token", t.AccessToken}, {"refresh_token", t.RefreshToken},
	}
	b.WriteString("{")
	for _, f := range fields {
		if f.v == "" && f.k != "scope" && f.k != "resource_server" && f.k != "access_token" {
			continue // Python omits null fields
		}
		writeString(b, f.k)
		b.WriteString(": ")
		writeString(b, f.v)
		b.WriteString(", ")
	}
	fmt.Fprintf(b, `"expires_at_seconds": %d`, t.ExpiresAtSeconds)
	if t.TokenType != "" {
		b.WriteString(`, "token_type": `)
		writeString(b, t.TokenType)
	}
	b.WriteString("}")
}

// writeString writes s as a JSON string as Python's json.dumps does with ensure_ascii: '"' and
// '\\' escaped, \b \f \n \r \t by name, every other byte outside ' '..'~' as \u00XX and
// non-ASCII as \uXXXX (UTF-16, surrogate pairs above the BMP). Invalid UTF-8 becomes \ufffd.
// Written out rather than through encoding/json's Encoder, which every wasm build would link
// only for this (bench/analysis.md).
func writeString(b *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	u := func(r rune) {
		b.WriteString(`\u`)
		for shift := 12; shift >= 0; shift -= 4 {
			b.WriteByte(hex[r>>shift&0xf])
		}
	}
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteByte(byte(r))
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r >= ' ' && r <= '~':
			b.WriteByte(byte(r))
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			u(r1)
			u(r2)
		default:
			u(r)
		}
	}
	b.WriteByte('"')
}
