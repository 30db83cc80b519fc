// Command globus-groups is the Python Globus SDK tutorial script ("list my groups" with refresh
// tokens and a JSON token file) in Go: the first run prints a login URL and reads the code,
// later runs reuse and refresh the stored tokens; every run prints the groups as CSV.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/globus-edge/globus-edge/app"
	"github.com/globus-edge/globus-edge/auth"
	"github.com/globus-edge/globus-edge/config"
	"github.com/globus-edge/globus-edge/groups"
	"github.com/globus-edge/globus-edge/tokens"
)

// tokenFileName is the tutorial's token file, in the home directory.
const tokenFileName = ".list-my-globus-groups-tokens.json"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Getenv)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "globus-groups: "+oneLine(describe(err)))
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("globus-groups", flag.ContinueOnError)
	tokenFile := fs.String("token-file", "", "token file (default ~/"+tokenFileName+")")
	clientID := fs.String("client-id", "", "native app client id (default $GLOBUS_CLIENT_ID or the tutorial client)")
	logout := fs.Bool("logout", false, "revoke the stored tokens and remove them")
	statuses := fs.String("statuses", "", "comma-separated membership statuses (default: active)")
	fs.Usage = func() {} // printed below: on stdout for --help, on stderr after a mistake
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(fs, stdout)
			return nil
		}
		usage(fs, fs.Output())
		return err
	}
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return err
	}
	if *clientID != "" {
		cfg.ClientID = *clientID
	}
	if *tokenFile == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return fmt.Errorf("finding the home directory for the token file: %w", err)
		}
		*tokenFile = filepath.Join(home, tokenFileName)
	}
	blob := tokens.FileBlob{Path: *tokenFile}
	a := app.New(cfg, http.DefaultClient.Do, tokens.NewDocumentStorage(blob), "")

	if *logout {
		if !blob.Exists() {
			return errors.New("not logged in: no token file at " + *tokenFile)
		}
		return wrapStorage(a.Logout(ctx), *tokenFile)
	}
	// The tutorial asks "does the token file exist?"; we ask whether it holds a usable Groups
	// token, so a file with none (empty, other resource servers only, an expired access token
	// without a refresh token) prompts instead of failing "log in" on every run. A file that
	// cannot be read is reported below and left alone.
	loggedIn, err := a.LoggedIn(ctx)
	if err != nil {
		return wrapStorage(err, *tokenFile)
	}
	if !loggedIn {
		if err := login(ctx, a, stdin, stdout); err != nil {
			return err
		}
	}
	var st []string
	if *statuses != "" {
		st = strings.Split(*statuses, ",")
	}
	gs, err := a.MyGroups(ctx, st...)
	if errors.Is(err, app.ErrLoginRequired) {
		return fmt.Errorf("%w; run again to log in", err)
	}
	if err != nil {
		return wrapStorage(err, *tokenFile)
	}
	return groups.WriteCSV(stdout, gs)
}

func login(ctx context.Context, a *app.App, stdin io.Reader, stdout io.Writer) error {
	// The tutorial's fixed state: the code is pasted back here, never redirected to a page.
	flow, err := a.StartLogin(auth.FlowOptions{State: auth.DefaultState})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Please go to this URL and login:\n\n%s\n\n", flow.AuthorizeURL)
	fmt.Fprint(stdout, "Please enter the code here: ")
	line, err := bufio.NewReader(stdin).ReadString('\n')
	code := strings.TrimSpace(line)
	if code == "" {
		if err != nil && err != io.EOF {
			return fmt.Errorf("reading the code: %w", err)
		}
		return errors.New("no code entered")
	}
	return a.FinishLogin(ctx, flow, code)
}

// usage describes the command and its flags (the settings are the Python SDK's variables).
func usage(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprint(w, `Usage: globus-groups [flags]

Lists your Globus groups as CSV (ID,Name,Roles), as the Python Globus SDK's tutorial does:
the first run prints a login URL and asks for the code Globus shows after login; later runs
use and refresh the tokens in the token file.

Settings (environment): GLOBUS_CLIENT_ID, GLOBUS_SDK_ENVIRONMENT, GLOBUS_SDK_SERVICE_URL_AUTH,
GLOBUS_SDK_SERVICE_URL_GROUPS, GLOBUS_SDK_HTTP_TIMEOUT, GLOBUS_REDIRECT_URI.

Flags:
`)
	out := fs.Output()
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(out)
}

// wrapStorage names the token file in storage errors and says it was left untouched.
func wrapStorage(err error, path string) error {
	if errors.Is(err, tokens.ErrCorrupt) {
		return fmt.Errorf("token file %s cannot be read (left unchanged; move it away to log in again): %w", path, err)
	}
	return err
}

// describe puts the failure's kind first, as the core describes it (app.Describe: the word
// the page and the worker report, e.g. "timeout" or "login_required"), so scripts can tell
// failures apart without parsing prose. Errors the core does not classify (usage, no code
// entered) are shown as they are.
func describe(err error) string {
	if f := app.Describe(err); f.Kind != app.KindInternal {
		return string(f.Kind) + ": " + f.Message
	}
	return err.Error()
}

// oneLine keeps the error on one line of stderr.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
