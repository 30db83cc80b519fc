package tokens

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func TestSealOpenRoundTrip(t *testing.T) {
	k, err := ParseKeyring(b64(testKey(1)))
	if err != nil {
		t.Fatal(err)
	}
	if k.current != DefaultKeyID {
		t.Fatalf("current id %q", k.current)
	}
	secret := []byte(`{"access_token": "AT-secret"}`)
	sealed := k.Seal(secret, []byte("session/abc"))
	if !strings.HasPrefix(string(sealed), "v1.default.") {
		t.Fatalf("sealed value %q lacks the version and key id prefix", sealed)
	}
	if bytes.Contains(sealed, []byte("AT-secret")) {
		t.Fatal("plaintext visible in the sealed value")
	}
	if again := k.Seal(secret, []byte("session/abc")); bytes.Equal(again, sealed) {
		t.Fatal("two seals of the same plaintext are equal: the nonce is not random")
	}
	pt, err := k.Open(sealed, []byte("session/abc"))
	if err != nil || !bytes.Equal(pt, secret) {
		t.Fatalf("Open = %q, %v", pt, err)
	}
}

func TestOpenRefusesWithErrCorrupt(t *testing.T) {
	k, _ := ParseKeyring("k1:" + b64(testKey(1)))
	other, _ := ParseKeyring("k1:" + b64(testKey(2))) // same id, different key
	stranger, _ := ParseKeyring("k9:" + b64(testKey(1)))
	sealed := k.Seal([]byte("payload"), []byte("key-a"))
	flip := bytes.Clone(sealed)
	flip[len(flip)-3] ^= 0x01
	cases := map[string]struct {
		k      *Keyring
		sealed []byte
		ad     string
	}{
		"tampered ciphertext":   {k, flip, "key-a"},
		"moved to another key":  {k, sealed, "key-b"},
		"wrong key, same id":    {other, sealed, "key-a"},
		"unknown key id":        {stranger, sealed, "key-a"},
		"not sealed at all":     {k, []byte(`{"data": {}}`), "key-a"},
		"truncated":             {k, sealed[:len("v1.k1.")+4], "key-a"},
		"key id edited":         {k, bytes.Replace(sealed, []byte("v1.k1."), []byte("v1.k2."), 1), "key-a"},
		"unknown format prefix": {k, bytes.Replace(sealed, []byte("v1."), []byte("v2."), 1), "key-a"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			pt, err := c.k.Open(c.sealed, []byte(c.ad))
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Open = %q, %v; want an error wrapping ErrCorrupt", pt, err)
			}
		})
	}
}

func TestKeyRotation(t *testing.T) {
	old, _ := ParseKeyring("old:" + b64(testKey(1)))
	sealedOld := old.Seal([]byte("v"), nil)
	rotated, err := ParseKeyring("new:" + b64(testKey(2)) + ", old:" + b64(testKey(1)))
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := rotated.Open(sealedOld, nil); err != nil || string(pt) != "v" {
		t.Fatalf("rotated keyring cannot open a value sealed with the old key: %q %v", pt, err)
	}
	sealedNew := rotated.Seal([]byte("v"), nil)
	if !strings.HasPrefix(string(sealedNew), "v1.new.") {
		t.Fatalf("rotated keyring seals with %q, want the first (current) key", sealedNew[:8])
	}
	if _, err := old.Open(sealedNew, nil); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("old keyring opened a value sealed with the new key: %v", err)
	}
	// A bare key and the same key written with the default id are interchangeable.
	bare, _ := ParseKeyring(b64(testKey(1)))
	named, _ := ParseKeyring("k2:" + b64(testKey(2)) + ",default:" + b64(testKey(1)))
	if _, err := named.Open(bare.Seal([]byte("x"), nil), nil); err != nil {
		t.Fatalf("rotating away from a bare key: %v", err)
	}
}

func TestParseKeyringErrors(t *testing.T) {
	good := b64(testKey(7))
	cases := []string{
		"",
		"not base64!",
		b64(testKey(1)[:16]),
		good + "," + good,
		"a:" + good + ",a:" + good,
		"bad id:" + good,
		"a:",
	}
	for _, spec := range cases {
		if _, err := ParseKeyring(spec); err == nil {
			t.Errorf("ParseKeyring(%q) accepted a bad spec", spec)
		} else if strings.Contains(err.Error(), good) {
			t.Errorf("error leaks key material: %v", err)
		}
	}
	urlKey := base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{0xfb}, KeySize))
	if _, err := ParseKeyring("u:" + urlKey); err != nil {
		t.Errorf("URL-alphabet key refused: %v", err)
	}
}

func TestSealedBlobStore(t *testing.T) {
	ctx := context.Background()
	k, _ := ParseKeyring(b64(testKey(3)))
	mem := &MemoryBlob{}
	st := NewDocumentStorage(SealedBlob{Blob: mem, Keys: k, AdditionalData: []byte("session/1")})
	r := &Response{Token: Token{AccessToken: "AT-1", RefreshToken: "RT-1", ResourceServer: "groups.api.globus.org", ExpiresIn: 100}}
	if err := st.StoreResponse(ctx, r); err != nil {
		t.Fatal(err)
	}
	raw, _, _ := mem.Load(ctx)
	if bytes.Contains(raw, []byte("AT-1")) || bytes.Contains(raw, []byte("RT-1")) {
		t.Fatalf("token in plaintext at rest: %s", raw)
	}
	d, err := st.Get(ctx, "groups.api.globus.org")
	if err != nil || d == nil || d.RefreshToken != "RT-1" {
		t.Fatalf("Get = %+v, %v", d, err)
	}
	moved := NewDocumentStorage(SealedBlob{Blob: mem, Keys: k, AdditionalData: []byte("session/2")})
	if _, err := moved.Get(ctx, "groups.api.globus.org"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("value read under another key: %v", err)
	}
	if _, err := moved.Clear(ctx); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Clear of an unreadable value: %v", err)
	}
	if _, ok, _ := mem.Load(ctx); !ok {
		t.Fatal("an unreadable value was deleted; DocumentStorage must leave it in place")
	}
	if err := (SealedBlob{Blob: mem}).Save(ctx, []byte("x")); !errors.Is(err, ErrNoKeyring) {
		t.Fatalf("Save without keys: %v", err)
	}
}
