package tokens

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

func TestDecodeEncodePythonFile(t *testing.T) {
	py, err := os.ReadFile("testdata/python-v2.json")
	if err != nil {
		t.Fatal(err)
	}
	d, err := DecodeDocument(py)
	if err != nil {
		t.Fatal(err)
	}
	got := d.Data["DEFAULT"]["groups.api.globus.org"]
	if got.AccessToken != "AT" || got.RefreshToken != "RT" || got.ExpiresAtSeconds != 1767225600 || got.TokenType != "Bearer" {
		t.Fatalf("decoded %+v", got)
	}
	// Re-encoding gives the Python SDK's bytes except for the version string we write.
	want := strings.Replace(string(py), `"4.9.0"`, `"`+SDKVersion+`"`, 1)
	if enc := string(d.Encode()); enc != want {
		t.Fatalf("encode mismatch\n got %s\nwant %s", enc, want)
	}
}

func TestDecodeV1(t *testing.T) {
	b, _ := os.ReadFile("testdata/python-v1.json")
	d, err := DecodeDocument(b)
	if err != nil {
		t.Fatal(err)
	}
	if d.Data[DefaultNamespace]["groups.api.globus.org"].RefreshToken != "RT1" {
		t.Fatalf("v1 not moved under DEFAULT: %+v", d.Data)
	}
	// Extra keys are not written back; the upgrade writes 2.0.
	enc := string(d.Encode())
	if strings.Contains(enc, "something_new") || !strings.Contains(enc, `"format_version": "2.0"`) {
		t.Fatalf("encoded %s", enc)
	}
}

func TestEncodeOmitsEmptyAndEscapesLikePython(t *testing.T) {
	d := NewDocument()
	d.Data["DEFAULT"] = map[string]Data{"rs": {ResourceServer: "rs", Scope: "a <b> & é 😀", AccessToken: "x", ExpiresAtSeconds: 5}}
	enc := string(d.Encode())
	want := `{"data": {"DEFAULT": {"rs": {"resource_server": "rs", "scope": "a <b> & \u00e9 \ud83d\ude00", "access_token": "x", "expires_at_seconds": 5}}}, "format_version": "2.0", "globus-sdk.version": "` + SDKVersion + `"}`
	if enc != want {
		t.Fatalf("\n got %s\nwant %s", enc, want)
	}
	back, err := DecodeDocument([]byte(enc))
	if err != nil || back.Data["DEFAULT"]["rs"].Scope != "a <b> & é 😀" {
		t.Fatalf("round trip: %v %+v", err, back)
	}
}

// Strings are written as Python's json.dumps(ensure_ascii=True) writes them (the reference
// of each case below is its output): short escapes for \b \f \n \r \t, \u00XX for the other
// control characters and DEL, \uXXXX (surrogate pairs above the BMP) for non-ASCII, and '/',
// '<', '>', '&' as they are. Each must also read back as the same string.
func TestWriteStringMatchesPython(t *testing.T) {
	for in, want := range map[string]string{
		"plain text / <a> & b": `"plain text / <a> & b"`,
		`quote " back \ slash`: `"quote \" back \\ slash"`,
		"\b\f\n\r\t":           `"\b\f\n\r\t"`,
		"\x00\x01\x1f\x7f":     `"\u0000\u0001\u001f\u007f"`,
		"é \u2028 \uffff":      `"\u00e9 \u2028 \uffff"`,
		"😀 \U0010ffff":         `"\ud83d\ude00 \udbff\udfff"`,
		"":                     `""`,
	} {
		var b bytes.Buffer
		writeString(&b, in)
		if b.String() != want {
			t.Errorf("writeString(%q) = %s, want %s", in, b.String(), want)
		}
		var back string
		if err := json.Unmarshal(b.Bytes(), &back); err != nil || back != in {
			t.Errorf("%s reads back as %q (%v), want %q", b.String(), back, err, in)
		}
	}
	var b bytes.Buffer
	writeString(&b, "bad \xff byte")
	if b.String() != `"bad \ufffd byte"` {
		t.Errorf("invalid UTF-8 written as %s, want the replacement character", b.String())
	}
}

func TestDecodeCorrupt(t *testing.T) {
	for name, in := range map[string]string{
		"not json":        `{"data": {`,
		"no version":      `{"data": {}}`,
		"bad version":     `{"data": {}, "format_version": "3.0", "globus-sdk.version": "x"}`,
		"version not str": `{"data": {}, "format_version": 2, "globus-sdk.version": "x"}`,
		"no data":         `{"format_version": "2.0", "globus-sdk.version": "x"}`,
		"bad token":       `{"data": {"DEFAULT": {"rs": {"expires_at_seconds": "soon"}}}, "format_version": "2.0", "globus-sdk.version": "x"}`,
		"empty token":     `{"data": {"DEFAULT": {"rs": {}}}, "format_version": "2.0", "globus-sdk.version": "x"}`,
		"array":           `[]`,
	} {
		if _, err := DecodeDocument([]byte(in)); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err = %v, want ErrCorrupt", name, err)
		}
	}
}

func FuzzDecodeDocument(f *testing.F) {
	for _, p := range []string{"testdata/python-v2.json", "testdata/python-v1.json"} {
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	f.Add([]byte(`{"data": {"DEFAULT": {}}, "format_version": "2.0", "globus-sdk.version": "x"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := DecodeDocument(b)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error not ErrCorrupt: %v", err)
			}
			return
		}
		// Whatever decodes must survive its own encoding unchanged.
		enc := d.Encode()
		d2, err := DecodeDocument(enc)
		if err != nil {
			t.Fatalf("re-decode: %v\n%s", err, enc)
		}
		if !bytes.Equal(d2.Encode(), enc) {
			t.Fatalf("encoding not stable")
		}
	})
}
