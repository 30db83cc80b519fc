package tokens

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the size of a token encryption key: AES-256.
const KeySize = 32

// DefaultKeyID is the id ParseKeyring gives a key written without one.
const DefaultKeyID = "default"

// sealedVersion starts every sealed value, so the format can change later.
const sealedVersion = "v1"

// validKeyID reports whether id is 1-32 characters of [A-Za-z0-9_-] (no "." or ":", which
// the sealed format and ParseKeyring use as separators).
func validKeyID(id string) bool {
	if len(id) == 0 || len(id) > 32 {
		return false
	}
	for _, c := range id {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Keyring holds AES-256-GCM keys by key id. Seal always uses the current key; Open uses
// whichever key the sealed value names, so keys can be rotated: add the new key as current,
// keep the old ones until every value sealed with them has been rewritten or has expired.
// A Keyring is safe for concurrent use.
type Keyring struct {
	current string
	aeads   map[string]cipher.AEAD
}

// NewKeyring returns a keyring whose current key is keys[current]. Every key must be KeySize
// bytes and every id must match [A-Za-z0-9_-]{1,32}.
func NewKeyring(current string, keys map[string][]byte) (*Keyring, error) {
	if _, ok := keys[current]; !ok {
		return nil, fmt.Errorf("tokens: keyring: the current key id %q has no key", current)
	}
	k := &Keyring{current: current, aeads: make(map[string]cipher.AEAD, len(keys))}
	for id, key := range keys {
		if !validKeyID(id) {
			return nil, errors.New("tokens: keyring: a key id must be 1-32 characters of [A-Za-z0-9_-]")
		}
		if len(key) != KeySize {
			return nil, fmt.Errorf("tokens: keyring: key %q must be %d bytes, got %d", id, KeySize, len(key))
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, fmt.Errorf("tokens: keyring: key %q: %w", id, err)
		}
		if k.aeads[id], err = cipher.NewGCM(block); err != nil {
			return nil, fmt.Errorf("tokens: keyring: key %q: %w", id, err)
		}
	}
	return k, nil
}

// ParseKeyring reads keys written as comma-separated "id:base64key" entries, the first being
// the current key; a lone entry may omit "id:" (its id is DefaultKeyID). Keys are base64 of
// KeySize bytes (standard or URL alphabet, padding optional), e.g. from `openssl rand -base64 32`.
// Errors never contain key material.
func ParseKeyring(spec string) (*Keyring, error) {
	entries := strings.Split(spec, ",")
	keys := map[string][]byte{}
	current := ""
	for i, e := range entries {
		e = strings.TrimSpace(e)
		id, b64, hasID := strings.Cut(e, ":")
		if !hasID {
			if len(entries) > 1 {
				return nil, fmt.Errorf("tokens: keyring entry %d: with several keys every entry must be id:base64key", i+1)
			}
			id, b64 = DefaultKeyID, e
		}
		if b64 == "" {
			return nil, fmt.Errorf("tokens: keyring entry %d: empty key", i+1)
		}
		if !validKeyID(id) {
			// Not quoted: a malformed id is often key material in the wrong place (key:id).
			return nil, fmt.Errorf("tokens: keyring entry %d: the key id must be 1-32 characters of [A-Za-z0-9_-] (entries are id:base64key)", i+1)
		}
		if _, dup := keys[id]; dup {
			return nil, fmt.Errorf("tokens: keyring entry %d: key id %q given twice", i+1, id)
		}
		key, err := decodeKey(b64)
		if err != nil || len(key) != KeySize {
			return nil, fmt.Errorf("tokens: keyring entry %d (id %q): the key must be base64 of %d random bytes", i+1, id, KeySize)
		}
		keys[id] = key
		if current == "" {
			current = id
		}
	}
	return NewKeyring(current, keys)
}

func decodeKey(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}

// Seal encrypts plaintext with the current key, binding it to additionalData (for example the
// storage key it is written under, so a value copied to another key does not open). The result
// is ASCII: "v1.<key id>.<base64url(nonce || ciphertext)>".
func (k *Keyring) Seal(plaintext, additionalData []byte) []byte {
	aead := k.aeads[k.current]
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce) // never fails: crypto/rand crashes the program instead
	prefix := sealedVersion + "." + k.current + "."
	ct := aead.Seal(nonce, nonce, plaintext, authData(prefix, additionalData))
	out := make([]byte, len(prefix)+base64.RawURLEncoding.EncodedLen(len(ct)))
	copy(out, prefix)
	base64.RawURLEncoding.Encode(out[len(prefix):], ct)
	return out
}

// Open decrypts a value made by Seal with the same additionalData, using the key it names.
// A malformed, tampered or moved value, or one sealed with a key this keyring lacks, is an
// error wrapping ErrCorrupt.
func (k *Keyring) Open(sealed, additionalData []byte) ([]byte, error) {
	parts := strings.SplitN(string(sealed), ".", 3)
	if len(parts) != 3 || parts[0] != sealedVersion {
		return nil, fmt.Errorf("%w: not a sealed value (expected %s.<key id>.<data>)", ErrCorrupt, sealedVersion)
	}
	aead, ok := k.aeads[parts[1]]
	if !ok {
		return nil, fmt.Errorf("%w: sealed with key id %q, which is not configured (was a key removed too early?)", ErrCorrupt, parts[1])
	}
	ct, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(ct) < aead.NonceSize()+aead.Overhead() {
		return nil, fmt.Errorf("%w: sealed value is truncated or not base64url", ErrCorrupt)
	}
	prefix := parts[0] + "." + parts[1] + "."
	pt, err := aead.Open(nil, ct[:aead.NonceSize()], ct[aead.NonceSize():], authData(prefix, additionalData))
	if err != nil {
		return nil, fmt.Errorf("%w: sealed value failed authentication (tampered, stored under another key, or a different key with the same id)", ErrCorrupt)
	}
	return pt, nil
}

// authData binds the format prefix (version and key id) as well as the caller's data.
func authData(prefix string, additionalData []byte) []byte {
	return append([]byte(prefix), additionalData...)
}

// SealedBlob is a Blob whose bytes are encrypted at rest: Save seals with Keys and
// AdditionalData, Load opens. Use the storage key (KV key, file path) as AdditionalData.
type SealedBlob struct {
	// Blob holds the sealed bytes. Required.
	Blob Blob
	// Keys seals and opens. Required.
	Keys *Keyring
	// AdditionalData is authenticated but not stored; Load fails unless it matches Save's.
	AdditionalData []byte
}

// ErrNoKeyring is returned by a SealedBlob without Keys.
var ErrNoKeyring = errors.New("tokens: sealed blob has no keyring")

// Load implements Blob. A value that does not open is an error wrapping ErrCorrupt.
func (s SealedBlob) Load(ctx context.Context) ([]byte, bool, error) {
	if s.Keys == nil {
		return nil, false, ErrNoKeyring
	}
	b, ok, err := s.Blob.Load(ctx)
	if err != nil || !ok {
		return nil, ok, err
	}
	pt, err := s.Keys.Open(b, s.AdditionalData)
	if err != nil {
		return nil, false, err
	}
	return pt, true, nil
}

// Save implements Blob.
func (s SealedBlob) Save(ctx context.Context, b []byte) error {
	if s.Keys == nil {
		return ErrNoKeyring
	}
	return s.Blob.Save(ctx, s.Keys.Seal(b, s.AdditionalData))
}

// Delete implements Blob.
func (s SealedBlob) Delete(ctx context.Context) error { return s.Blob.Delete(ctx) }
