package groups

import (
	"encoding/json"
	"reflect"
	"testing"
)

// decode gives what unmarshalling into []Group gives, Raw included, for answers with
// whitespace, escapes, nested values, nulls and unknown fields.
func TestDecodeMatchesUnmarshal(t *testing.T) {
	for _, body := range decodeSeeds {
		checkDecode(t, body)
	}
}

var decodeSeeds = []string{
	sample,
	`[]`, ` [ ] `, `null`,
	`[{"id":"a","name":"x\"]},{","my_memberships":[{"role":"admin","membership_fields":{"k":[1,{"z":null}]}}]}]`,
	"\t[\n {\"id\" : \"a\\\\\" , \"future\": [[],{}] } ,\r\n null , {\"name\":\"\\u00e9\\\"\"} ]\n",
	`[{"id":"x","policies":{"is_high_assurance":true,"signup_fields":["a","b]"]}},{}]`,
}

func checkDecode(t *testing.T, body string) {
	t.Helper()
	var want []Group
	wantErr := json.Unmarshal([]byte(body), &want)
	got, err := decode([]byte(body))
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("decode(%q) error %v, json.Unmarshal %v", body, err, wantErr)
	}
	if err == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("decode(%q)\n got %#v\nwant %#v", body, got, want)
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var plain []plainGroup
		if json.Unmarshal([]byte(body), &plain) != nil {
			return // decode refuses it too (checked above): only valid answers are cut
		}
		checkDecode(t, body)
	})
}

// BenchmarkDecode decodes a my_groups answer with five groups.
func BenchmarkDecode(b *testing.B) {
	body := []byte(sample)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decode(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUnmarshal is what decode replaces, for comparison.
func BenchmarkUnmarshal(b *testing.B) {
	body := []byte(sample)
	b.ReportAllocs()
	for b.Loop() {
		var gs []Group
		if err := json.Unmarshal(body, &gs); err != nil {
			b.Fatal(err)
		}
	}
}
