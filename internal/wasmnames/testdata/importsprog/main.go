//go:build js && wasm

// Program importsprog is the page's floor: one call into each standard or x/ package the page
// needs (x/oauth2's PKCE, net/http's Request and Response, encoding/json, AES-GCM and SHA-256,
// net/url, fmt, syscall/js) and nothing of ours. What the page links beyond this program is our
// own code and what only it pulls in; cmd/bench and bench/analysis.md compare the two.
package main

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall/js"
	"time"

	"golang.org/x/oauth2"
)

type doc struct {
	Access  string         `json:"access_token"`
	Expires int64          `json:"expires_at_seconds"`
	Scopes  []string       `json:"scopes,omitempty"`
	Extra   map[string]any `json:"extra,omitempty"`
}

func main() {
	v := oauth2.GenerateVerifier()
	q := url.Values{"code_challenge": {oauth2.S256ChallengeFromVerifier(v)}, "n": {strconv.Itoa(len(os.Args))}}
	u, err := url.Parse(js.Global().Get("location").String())
	if err != nil {
		panic(fmt.Errorf("parse: %w", err))
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(context.Background(), "POST", u.String(), strings.NewReader(q.Encode()))
	if err != nil {
		panic(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp := &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(nil))}
	body, _ := io.ReadAll(resp.Body)
	var d doc
	if err := json.Unmarshal(body, &d); err != nil {
		fmt.Println(err)
	}
	d.Expires = time.Now().Unix()
	out, _ := json.Marshal(d)
	key := make([]byte, 32)
	rand.Read(key)
	block, _ := aes.NewCipher(key)
	gcm, _ := cipher.NewGCM(block)
	nonce := make([]byte, gcm.NonceSize())
	sealed := gcm.Seal(nil, nonce, out, nil)
	opened, err := gcm.Open(nil, nonce, sealed, nil)
	sum := sha256.Sum256(opened)
	js.Global().Set("x", js.FuncOf(func(js.Value, []js.Value) any {
		return fmt.Sprintf("%s %v %s", base64.RawURLEncoding.EncodeToString(sum[:]), err, req.URL)
	}))
	select {}
}
