//go:build js && wasm

package main

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/globus-edge/globus-edge/config"
)

// missing is what syumai's GetString returns for a key that does not exist (JS null as a
// string). Values the backend writes are sealed ("v1.…"), so none is ever this string.
const missing = "<null>"

// kvStore is a Cloudflare KV namespace as a kvstore.KV.
type kvStore struct{ ns *kv.Namespace }

// openKV binds the named KV namespace; an unbound name is a configuration error.
func openKV(binding string) (kvStore, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return kvStore{}, &config.Error{Missing: []string{fmt.Sprintf("KV namespace binding %s (wrangler.toml [[kv_namespaces]])", binding)}}
	}
	return kvStore{ns: ns}, nil
}

// Get implements kvstore.KV.
func (s kvStore) Get(_ context.Context, key string) (string, bool, error) {
	v, err := s.ns.GetString(key, nil)
	if err != nil {
		return "", false, err
	}
	if v == missing {
		return "", false, nil
	}
	return v, true, nil
}

// Put implements kvstore.KV; the TTL is rounded up to whole seconds (KV's unit).
func (s kvStore) Put(_ context.Context, key, value string, ttl time.Duration) error {
	var opts *kv.PutOptions
	if ttl > 0 {
		opts = &kv.PutOptions{ExpirationTTL: int(math.Ceil(ttl.Seconds()))}
	}
	return s.ns.PutString(key, value, opts)
}

// Delete implements kvstore.KV.
func (s kvStore) Delete(_ context.Context, key string) error {
	return s.ns.Delete(key)
}
