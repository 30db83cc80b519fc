// Command fakeglobus runs the globustest fake of Globus Auth and Groups as
// a standalone process, for browser and worker tests and offline demos.
//
// Usage:
//
//	fakeglobus [-auth-addr 127.0.0.1:0] [-groups-addr 127.0.0.1:0]
//	           [-client id=redirect1,redirect2]... [-client id:secret=redirect]...
//	           [-token-lifetime 48h] [-code-lifetime 10m] [-rotate]
//
// The first two lines of standard output are
//
//	GLOBUS_SDK_SERVICE_URL_AUTH=http://127.0.0.1:PORT
//	GLOBUS_SDK_SERVICE_URL_GROUPS=http://127.0.0.1:PORT
//
// so scripts can read them; the fake serves until SIGINT or SIGTERM. The
// control endpoints under /_fake/ on the Auth URL are described in package
// globustest.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/globus-edge/globus-edge/globustest"
)

// clientFlags collects repeated -client values.
type clientFlags []globustest.Client

func (c *clientFlags) String() string { return fmt.Sprint(len(*c), " clients") }

// Set parses "id=uri1,uri2" (native) or "id:secret=uri1,..." (confidential).
func (c *clientFlags) Set(v string) error {
	who, uris, ok := strings.Cut(v, "=")
	if !ok || who == "" || uris == "" {
		return fmt.Errorf("want id=redirect[,redirect...] or id:secret=redirect[,...], got %q", v)
	}
	id, secret, _ := strings.Cut(who, ":")
	if id == "" {
		return fmt.Errorf("empty client id in %q", v)
	}
	*c = append(*c, globustest.Client{ID: id, Secret: secret, RedirectURIs: strings.Split(uris, ",")})
	return nil
}

func main() {
	var (
		opts    globustest.Options
		clients clientFlags
	)
	flag.StringVar(&opts.AuthAddr, "auth-addr", "127.0.0.1:0", "listen address of the fake Auth service")
	flag.StringVar(&opts.GroupsAddr, "groups-addr", "127.0.0.1:0", "listen address of the fake Groups service")
	flag.DurationVar(&opts.TokenLifetime, "token-lifetime", 48*time.Hour, "access token lifetime")
	flag.DurationVar(&opts.CodeLifetime, "code-lifetime", 10*time.Minute, "authorization code lifetime")
	flag.BoolVar(&opts.RotateRefreshTokens, "rotate", false, "rotate refresh tokens on every refresh")
	flag.Var(&clients, "client", "register a client: id=redirect1,redirect2 (native) or id:secret=redirects (confidential); repeatable")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "fakeglobus: unexpected arguments %q\n", flag.Args())
		os.Exit(2)
	}

	s, err := globustest.New(opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakeglobus:", err)
		os.Exit(1)
	}
	defer s.Close()
	for _, c := range clients {
		s.RegisterClient(c)
	}

	// os.Stdout is unbuffered: each line is written at once.
	fmt.Printf("GLOBUS_SDK_SERVICE_URL_AUTH=%s\n", s.AuthURL())
	fmt.Printf("GLOBUS_SDK_SERVICE_URL_GROUPS=%s\n", s.GroupsURL())
	fmt.Printf("fakeglobus: tutorial client %s (native) redirects to %s; test user %s; Ctrl-C to stop\n",
		globustest.TutorialClientID, s.AuthCodePageURL(), globustest.TestUser.Username)
	for _, c := range clients {
		kind := "native"
		if c.Secret != "" {
			kind = "confidential"
		}
		fmt.Printf("fakeglobus: client %s (%s) redirects to %s\n", c.ID, kind, strings.Join(c.RedirectURIs, ", "))
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
}
