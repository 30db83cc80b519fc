//go:build js && wasm

package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"syscall/js"
	"time"

	"github.com/globus-edge/globus-edge/app"
	"github.com/globus-edge/globus-edge/auth"
	"github.com/globus-edge/globus-edge/groups"
	"github.com/globus-edge/globus-edge/internal/jsx"
	"github.com/globus-edge/globus-edge/wasm/configkeys"
	"github.com/globus-edge/globus-edge/wasm/jsfetch"
	"github.com/globus-edge/globus-edge/wasm/webstorage"
)

// client is one configured app.App seen from JavaScript. Its methods translate arguments and
// results; every Globus and token decision is app.App's.
type client struct {
	app  *app.App
	opts options
	// pending is the login in progress (see options.pendingLogin).
	pending auth.PendingLogin
	// onRefresh is the JavaScript function told after tokens were renewed and stored.
	onRefresh js.Value
	// funcs are the functions of the JavaScript face, released by its release().
	funcs []js.Func
	// deadline bounds each operation (see host); zero means none.
	deadline time.Duration
}

// newClient builds a client from a JavaScript config object for the host that started this
// program (its lock table and call deadline).
func newClient(v js.Value, h host) (*client, error) {
	o, err := parseOptions(v)
	if err != nil {
		return nil, fmt.Errorf("globus-edge: invalid config: %w", err)
	}
	for _, k := range o.Unknown {
		// A typo (clientID, redirect_uri) would otherwise fall back to a default silently.
		js.Global().Get("console").Call("warn", fmt.Sprintf("globus-edge: unknown config key %q ignored", k))
	}
	storage, err := o.tokenStorage(h.locks)
	if errors.Is(err, webstorage.ErrUnavailable) {
		return nil, fmt.Errorf("globus-edge: invalid config: %w", invalid("config.storage", fmt.Sprintf("%q is not available here: %v (use \"memory\" or a storage object)", o.Storage, err)))
	}
	if err != nil {
		return nil, err
	}
	c := &client{opts: o, pending: o.pendingLogin(), onRefresh: js.Undefined(), deadline: h.deadline}
	c.app = app.New(o.Config, jsfetch.Doer{Helper: h.fetch}.Do, storage, "")
	c.app.Scopes = o.Scopes
	c.app.OnRefresh = c.refreshed
	return c, nil
}

func (c *client) refreshed() {
	if c.onRefresh.Type() == js.TypeFunction {
		c.onRefresh.Invoke()
	}
}

// timeoutSeconds is config.Timeout as httpTimeout takes it: seconds, -1 for none (zero).
func timeoutSeconds(d time.Duration) float64 {
	if d == 0 {
		return -1
	}
	return d.Seconds()
}

// object is the JavaScript face of the client: a description of the resolved configuration,
// one Promise-returning function per operation, and release(), which frees the functions (a
// client made per request, as in a worker, must not leak them).
func (c *client) object() js.Value {
	cfg := c.opts.Config
	scopes := c.opts.Scopes
	if scopes == nil {
		scopes = app.DefaultScopes
	}
	return js.ValueOf(map[string]any{
		// The resolved config uses the config's own key names (plus authCodePage).
		"config": map[string]any{
			configkeys.ClientID: cfg.ClientID, configkeys.RedirectURI: cfg.RedirectURI, configkeys.AuthURL: cfg.AuthURL,
			configkeys.GroupsURL: cfg.GroupsURL, "authCodePage": cfg.AuthCodePage(), configkeys.Environment: cfg.Environment,
			configkeys.Scopes: strings.Join(scopes, " "), configkeys.Storage: c.opts.Storage, configkeys.Namespace: c.opts.namespace(),
			configkeys.HTTPTimeout: timeoutSeconds(cfg.Timeout),
		},
		"storageKey":      c.opts.storageKey(),
		"storageKeys":     c.opts.objectKeys(),
		"startLogin":      c.method(c.startLogin),
		"finishRedirect":  c.method(c.finishRedirect),
		"finishPasteCode": c.method(c.finishPasteCode),
		"isLoggedIn":      c.method(c.isLoggedIn),
		"myGroups":        c.method(c.myGroups),
		"logout":          c.method(c.logout),
		"setOnRefresh": c.fn(func(_ js.Value, args []js.Value) any {
			c.onRefresh = arg(args, 0, js.Undefined())
			return nil
		}),
		"release": c.fn(func(js.Value, []js.Value) any {
			// At once, this function too: a Func may be released while it runs (syscall/js).
			// No goroutine is left behind for the host to wait for (see jsx.ExportStats).
			for _, f := range c.funcs {
				f.Release()
			}
			c.funcs, c.onRefresh = nil, js.Undefined()
			return nil
		}),
	})
}

// fn makes a JavaScript function that release() frees.
func (c *client) fn(f func(js.Value, []js.Value) any) js.Func {
	jf := js.FuncOf(f)
	c.funcs = append(c.funcs, jf)
	return jf
}

// method wraps an operation as a JavaScript function returning a Promise.
func (c *client) method(fn func(ctx context.Context, args []js.Value) (any, error)) js.Func {
	return c.fn(func(_ js.Value, args []js.Value) any {
		return jsx.Promise(func() (any, error) {
			ctx, cancel := context.Background(), context.CancelFunc(func() {})
			if c.deadline > 0 {
				ctx, cancel = context.WithTimeout(ctx, c.deadline)
			}
			defer cancel()
			return fn(ctx, args)
		}, errorValue)
	})
}

// argString returns args[i], or def when it is missing.
func arg(args []js.Value, i int, def js.Value) js.Value {
	if i < len(args) {
		return args[i]
	}
	return def
}

// startLogin(mode) begins a login and keeps it as the login in progress; it resolves to the
// authorize URL. mode "redirect" comes back to the configured redirectUri; "paste" ends on
// Auth's auth-code page, whose code the user pastes.
func (c *client) startLogin(ctx context.Context, args []js.Value) (any, error) {
	mode := arg(args, 0, js.ValueOf("redirect")).String()
	var redirect string
	switch mode {
	case "redirect":
		redirect = c.opts.Config.RedirectURI
		if redirect == "" {
			return nil, invalid("config.redirectUri", "is not set: register this page's URL as a redirect URI of your Globus client and set redirectUri, or log in with a code")
		}
	case "paste":
		redirect = c.opts.Config.AuthCodePage()
	default:
		return nil, invalid("the login mode", fmt.Sprintf("must be redirect or paste, got %q", mode))
	}
	// StartLogin makes a fresh unguessable state (the CLI alone uses the tutorial's fixed one).
	f, err := c.app.StartLogin(auth.FlowOptions{RedirectURI: redirect})
	if err != nil {
		return nil, err
	}
	if err := c.pending.Save(ctx, f); err != nil {
		return nil, err
	}
	return f.AuthorizeURL, nil
}

// finishRedirect(search) finishes the login in progress with the query of the redirect back
// from Auth (location.search), read by the core's one parser (auth.Redirect). A redirect whose
// state is not this tab's login is refused and leaves that login in place; otherwise the login
// is used up whatever the outcome.
func (c *client) finishRedirect(ctx context.Context, args []js.Value) (any, error) {
	// Malformed pairs are dropped, as the worker's URL.Query drops them: what is left is read
	// the same way in every host.
	q, _ := url.ParseQuery(strings.TrimPrefix(arg(args, 0, js.ValueOf("")).String(), "?"))
	f, err := c.pending.TakeMatching(ctx, auth.ParseRedirect(q).State)
	if err != nil {
		return nil, err
	}
	return nil, c.app.FinishRedirect(ctx, f, q)
}

// finishPasteCode(code) finishes the login in progress with a code the user pasted.
func (c *client) finishPasteCode(ctx context.Context, args []js.Value) (any, error) {
	code := strings.TrimSpace(arg(args, 0, js.ValueOf("")).String())
	f, err := c.pending.Take(ctx)
	if err != nil {
		return nil, err
	}
	return nil, c.app.FinishLogin(ctx, f, code)
}

func (c *client) isLoggedIn(ctx context.Context, _ []js.Value) (any, error) {
	return c.app.LoggedIn(ctx)
}

// myGroups(statuses) lists my groups and resolves to {groups, rows, csv} from one Groups
// call: groups as Groups sent them, the table's rows (groups.Rows) and the CLI's exact CSV.
func (c *client) myGroups(ctx context.Context, args []js.Value) (any, error) {
	statuses, err := stringList(arg(args, 0, js.Undefined()))
	if err != nil {
		return nil, err
	}
	gs, err := c.app.MyGroups(ctx, statuses...)
	if err != nil {
		return nil, err
	}
	// One crossing as JSON; Group.MarshalJSON writes each group exactly as received.
	return jsx.JSON(struct {
		Groups []groups.Group `json:"groups"`
		Rows   []groups.Row   `json:"rows"`
		CSV    string         `json:"csv"`
	}{gs, groups.Rows(gs), groups.CSV(gs)})
}

func (c *client) logout(ctx context.Context, _ []js.Value) (any, error) {
	return nil, c.app.Logout(ctx)
}

// stringList reads an optional array of strings (undefined or null means none).
func stringList(v js.Value) ([]string, error) {
	if jsx.IsNullish(v) {
		return nil, nil
	}
	if !js.Global().Get("Array").Call("isArray", v).Bool() {
		return nil, invalid("statuses", "must be an array of strings, got "+v.Type().String())
	}
	out := make([]string, v.Length())
	for i := range out {
		if v.Index(i).Type() != js.TypeString {
			return nil, invalid(fmt.Sprintf("statuses[%d]", i), "must be a string")
		}
		out[i] = v.Index(i).String()
	}
	return out, nil
}
