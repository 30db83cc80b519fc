//go:build js && wasm

package main

import (
	"fmt"
	"strconv"
	"strings"
	"syscall/js"

	"github.com/globus-edge/globus-edge/config"
	"github.com/globus-edge/globus-edge/tokens"
	"github.com/globus-edge/globus-edge/wasm/configkeys"
	"github.com/globus-edge/globus-edge/wasm/webstorage"
)

// Storage kinds a client can keep its tokens in.
const (
	storageLocal   = webstorage.Local
	storageSession = webstorage.Session
	storageMemory  = "memory"
)

// options is a client's configuration as read from the JavaScript config object.
type options struct {
	Config config.Config
	// Scopes requested at login; nil means the core's default (the Groups scope).
	Scopes []string
	// Storage is where tokens live: localStorage (default), sessionStorage or memory.
	Storage string
	// Namespace is the token document's namespace; empty means tokens.DefaultNamespace.
	Namespace string
	// Unknown lists the config's keys that are not configkeys: likely typos, reported once.
	Unknown []string
}

// envKeys maps the config keys (configkeys) that are the CLI's settings to the names
// config.FromEnv reads, so defaults and validation are the core's.
var envKeys = map[string]string{
	configkeys.Environment: config.EnvEnvironment,
	configkeys.AuthURL:     config.EnvAuthURL,
	configkeys.GroupsURL:   config.EnvGroupsURL,
	configkeys.HTTPTimeout: config.EnvHTTPTimeout,
	configkeys.ClientID:    config.EnvClientID,
	configkeys.RedirectURI: config.EnvRedirectURI,
}

// parseOptions reads a config object: the keys of envKeys plus scopes (a space-separated
// string or an array of strings), storage and namespace. Missing, null and empty values take
// the defaults; a value of the wrong type is an error naming the key. Other keys are listed
// in Unknown, not refused: an app may pass its own settings in the same object.
func parseOptions(v js.Value) (options, error) {
	if v.IsUndefined() || v.IsNull() {
		v = js.Global().Get("Object").New()
	}
	if v.Type() != js.TypeObject {
		return options{}, fmt.Errorf("config must be an object, got %s", v.Type())
	}
	env := map[string]string{}
	for key, name := range envKeys {
		s, err := stringField(v, key, key == configkeys.HTTPTimeout)
		if err != nil {
			return options{}, err
		}
		env[name] = s
	}
	cfg, err := config.FromEnv(func(name string) string { return env[name] })
	if err != nil {
		return options{}, err
	}
	o := options{Config: cfg}
	if o.Scopes, err = scopesField(v.Get(configkeys.Scopes)); err != nil {
		return options{}, err
	}
	if o.Storage, err = stringField(v, configkeys.Storage, false); err != nil {
		return options{}, err
	}
	switch o.Storage {
	case "":
		o.Storage = storageLocal
	case storageLocal, storageSession, storageMemory:
	default:
		return options{}, fmt.Errorf("config.storage must be %q, %q or %q, got %q", storageLocal, storageSession, storageMemory, o.Storage)
	}
	if o.Namespace, err = stringField(v, configkeys.Namespace, false); err != nil {
		return options{}, err
	}
	keys := js.Global().Get("Object").Call("keys", v)
	names := make([]string, keys.Length())
	for i := range names {
		names[i] = keys.Index(i).String()
	}
	o.Unknown = configkeys.Unknown(names)
	return o, nil
}

// stringField reads v[key] as a string ("" when missing or null); numbers are allowed where
// numeric says so (httpTimeout: 30 or "30").
func stringField(v js.Value, key string, numeric bool) (string, error) {
	f := v.Get(key)
	switch f.Type() {
	case js.TypeUndefined, js.TypeNull:
		return "", nil
	case js.TypeString:
		return strings.TrimSpace(f.String()), nil
	case js.TypeNumber:
		if numeric {
			return strconv.FormatFloat(f.Float(), 'f', -1, 64), nil
		}
	}
	return "", fmt.Errorf("config.%s must be a string, got %s", key, f.Type())
}

// scopesField reads scopes: nil when missing, null or blank.
func scopesField(f js.Value) ([]string, error) {
	switch {
	case f.Type() == js.TypeUndefined || f.Type() == js.TypeNull:
		return nil, nil
	case f.Type() == js.TypeString:
		if s := strings.Fields(f.String()); len(s) > 0 {
			return s, nil
		}
		return nil, nil
	case js.Global().Get("Array").Call("isArray", f).Bool():
		var out []string
		for i := 0; i < f.Length(); i++ {
			e := f.Index(i)
			if e.Type() != js.TypeString {
				return nil, fmt.Errorf("config.scopes[%d] must be a string, got %s", i, e.Type())
			}
			out = append(out, strings.Fields(e.String())...)
		}
		return out, nil
	}
	return nil, fmt.Errorf("config.scopes must be a string or an array of strings, got %s", f.Type())
}

// namespace returns the token document namespace in use.
func (o options) namespace() string {
	if o.Namespace == "" {
		return tokens.DefaultNamespace
	}
	return o.Namespace
}

// storageKey is the Web Storage key of the tokens ("" for memory storage).
func (o options) storageKey() string {
	if o.Storage == storageMemory {
		return ""
	}
	return webstorage.TokenKey(o.Config.ClientID, o.namespace())
}

// tokenStorage opens the configured token storage: the Python-compatible v2 document in a
// Web Storage key, or in memory.
func (o options) tokenStorage() (tokens.Storage, error) {
	if o.Storage == storageMemory {
		return &tokens.DocumentStorage{Blob: &tokens.MemoryBlob{}, Namespace: o.namespace()}, nil
	}
	b, err := webstorage.Open(o.Storage, o.storageKey())
	if err != nil {
		return nil, err
	}
	return &tokens.DocumentStorage{Blob: b, Namespace: o.namespace()}, nil
}
