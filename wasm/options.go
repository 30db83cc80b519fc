//go:build js && wasm

package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"syscall/js"

	"github.com/globus-edge/globus-edge/auth"
	"github.com/globus-edge/globus-edge/config"
	"github.com/globus-edge/globus-edge/kvstore"
	"github.com/globus-edge/globus-edge/tokens"
	"github.com/globus-edge/globus-edge/wasm/configkeys"
	"github.com/globus-edge/globus-edge/wasm/jsstorage"
	"github.com/globus-edge/globus-edge/wasm/webstorage"
)

// Storage kinds a client can keep its tokens in.
const (
	storageLocal   = webstorage.Local
	storageSession = webstorage.Session
	storageMemory  = "memory"
	// storageObject is what config.storage reports for a JavaScript storage object.
	storageObject = "custom"
)

// options is a client's configuration as read from the JavaScript config object.
type options struct {
	Config config.Config
	// Scopes requested at login; nil means the core's default (the Groups scope).
	Scopes []string
	// Storage is where tokens live: localStorage (default), sessionStorage, memory, or
	// storageObject for StorageObj.
	Storage string
	// StorageObj is the JavaScript storage object (get, put, delete) when Storage is storageObject.
	StorageObj js.Value
	// Namespace is the token document's namespace; empty means tokens.DefaultNamespace.
	Namespace string
	// Unknown lists the config's keys that are not configkeys: likely typos, reported once.
	Unknown []string
}

// envKeys pairs the config keys (configkeys) that are the CLI's settings with the names
// config.FromEnv reads, so defaults and validation are the core's.
var envKeys = [...]struct{ key, env string }{
	{configkeys.Environment, config.EnvEnvironment},
	{configkeys.AuthURL, config.EnvAuthURL},
	{configkeys.GroupsURL, config.EnvGroupsURL},
	{configkeys.HTTPTimeout, config.EnvHTTPTimeout},
	{configkeys.ClientID, config.EnvClientID},
	{configkeys.RedirectURI, config.EnvRedirectURI},
}

// invalid is a malformed config key, named as the JS user set it ("config.storage").
func invalid(key, rule string) error { return config.Invalid(key, rule) }

// jsKey names a CLI variable (config.FromEnv's) by the config key the JS user set instead.
func jsKey(env string) string {
	for _, k := range envKeys {
		if k.env == env {
			return "config." + k.key
		}
	}
	return env
}

// parseOptions reads a config object: the keys of envKeys plus scopes (a space-separated
// string or an array of strings), storage and namespace. Missing, null and empty values take
// the defaults; a value of the wrong type is a *config.Error naming the key (also where
// config.FromEnv found the problem: config.authUrl, not GLOBUS_SDK_SERVICE_URL_AUTH). Other
// keys are listed in Unknown, not refused: an app may pass its own settings in the same object.
func parseOptions(v js.Value) (options, error) {
	if v.IsUndefined() || v.IsNull() {
		v = js.Global().Get("Object").New()
	}
	if v.Type() != js.TypeObject {
		return options{}, invalid("config", "must be an object, got "+v.Type().String())
	}
	env := map[string]string{}
	for _, k := range envKeys {
		s, err := stringField(v, k.key, k.key == configkeys.HTTPTimeout)
		if err != nil {
			return options{}, err
		}
		env[k.env] = s
	}
	cfg, err := config.FromEnv(func(name string) string { return env[name] })
	if ce, ok := errors.AsType[*config.Error](err); ok {
		for i, p := range ce.Problems { // FromEnv's fresh error: renamed in place
			ce.Problems[i].Setting = jsKey(p.Setting)
		}
		return options{}, ce
	} else if err != nil {
		return options{}, err
	}
	o := options{Config: cfg}
	if o.Scopes, err = scopesField(v.Get(configkeys.Scopes)); err != nil {
		return options{}, err
	}
	const storageRule = `must be "localStorage", "sessionStorage" or "memory", or an object with get, put and delete methods`
	if f := v.Get(configkeys.Storage); f.Type() == js.TypeObject || f.Type() == js.TypeFunction {
		if err := jsstorage.Check(f); err != nil {
			return options{}, invalid("config.storage", "is not a storage: "+err.Error())
		}
		o.Storage, o.StorageObj = storageObject, f
	} else if o.Storage, err = stringField(v, configkeys.Storage, false); err != nil {
		return options{}, invalid("config.storage", storageRule+", got "+f.Type().String())
	}
	switch o.Storage {
	case "":
		o.Storage = storageLocal
	case storageLocal, storageSession, storageMemory, storageObject:
	default:
		return options{}, invalid("config.storage", fmt.Sprintf("%s, got %q", storageRule, o.Storage))
	}
	if o.Namespace, err = stringField(v, configkeys.Namespace, false); err != nil {
		return options{}, err
	}
	if o.Storage == storageObject && o.StorageObj.IsUndefined() {
		return options{}, invalid("config.storage", fmt.Sprintf("%q names no storage: pass the storage object itself", storageObject))
	}
	if o.Storage == storageObject && o.Namespace == "" {
		// A storage object is usually shared (a KV namespace, a server's store): with the
		// default namespace every user of it would share one login.
		return options{}, invalid("config."+configkeys.Namespace, fmt.Sprintf("is required with a storage object: one per user (e.g. a hash of the session id), or %q for a single user's file", tokens.DefaultNamespace))
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
	return "", invalid("config."+key, "must be a string, got "+f.Type().String())
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
				return nil, invalid(fmt.Sprintf("config.scopes[%d]", i), "must be a string, got "+e.Type().String())
			}
			out = append(out, strings.Fields(e.String())...)
		}
		return out, nil
	}
	return nil, invalid("config.scopes", "must be a string or an array of strings, got "+f.Type().String())
}

// namespace returns the token document namespace in use.
func (o options) namespace() string {
	if o.Namespace == "" {
		return tokens.DefaultNamespace
	}
	return o.Namespace
}

// recordID is what names the login's records in a storage object: the Web Storage key the
// same login has in a browser. kvstore hashes it into the record's key.
func (o options) recordID() string { return webstorage.TokenKey(o.Config.ClientID, o.namespace()) }

// pendingID names the login in progress in a storage object, where it is kept beside the
// tokens: a server finishes it in another request, maybe on another instance.
func (o options) pendingID() string {
	return webstorage.FlowKey(o.Config.ClientID) + ":" + o.namespace()
}

// storageKey is the key of the token document: the Web Storage key, the storage object's key
// (kvstore.SessionKey of recordID, the key of the record tokenStorage opens), or "" for memory
// storage.
func (o options) storageKey() string {
	switch o.Storage {
	case storageMemory:
		return ""
	case storageObject:
		return kvstore.SessionKey(o.recordID())
	}
	return webstorage.TokenKey(o.Config.ClientID, o.namespace())
}

// objectKeys are the three keys the client uses in a storage object, as kvstore names the
// records tokenStorage and pendingLogin open: the token document, the login in progress and
// the refresh lease. The JS client tells them to the storage once (StorageObject.bind in
// js/index.d.ts), so a storage that keeps records apart (js/node-file-storage.js) never
// computes a key. nil (JS null) for other storage.
func (o options) objectKeys() any {
	if o.Storage != storageObject {
		return nil
	}
	return map[string]any{"tokens": o.storageKey(), "pending": kvstore.SessionKey(o.pendingID()), "lease": kvstore.LeaseKey(o.recordID())}
}

// tokenStorage opens the configured token storage: the Python-compatible v2 document in a
// Web Storage key, in a storage object or in memory. locks is the realm's lock table.
func (o options) tokenStorage(locks jsstorage.Locks) (tokens.Storage, error) {
	var b tokens.Blob
	switch o.Storage {
	case storageMemory:
		b = &tokens.MemoryBlob{}
	case storageObject:
		// No TTL: the tokens stay until logout (Globus expires an unused refresh token itself).
		b = jsstorage.Blob{SessionBlob: kvstore.Session(jsstorage.KV{Obj: o.StorageObj}, o.recordID(), 0), Locks: locks, Name: o.recordID()}
	default:
		wb, err := webstorage.Open(o.Storage, o.storageKey())
		if err != nil {
			return nil, err
		}
		b = wb
	}
	return &tokens.DocumentStorage{Blob: b, Namespace: o.namespace()}, nil
}

// pendingLogin is where the login in progress waits for its code: in a storage object beside
// the tokens (pendingID); otherwise in sessionStorage (it survives the redirect and never
// leaves the tab), or in memory where there is no sessionStorage (Node). It is single use and
// expires after auth.PendingTTL everywhere.
func (o options) pendingLogin() auth.PendingLogin {
	p := auth.PendingLogin{TTL: auth.PendingTTL}
	if o.Storage == storageObject {
		p.Blob = kvstore.Session(jsstorage.KV{Obj: o.StorageObj}, o.pendingID(), auth.PendingTTL)
		return p
	}
	if b, err := webstorage.Open(webstorage.Session, webstorage.FlowKey(o.Config.ClientID)); err == nil {
		p.Blob = b
		return p
	}
	p.Blob = &tokens.MemoryBlob{}
	return p
}
