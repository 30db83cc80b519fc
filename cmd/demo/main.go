// Command demo is the offline demo (./build.sh demo): it starts the fake Globus on loopback and
// runs the native CLI against it exactly as the tutorial is used — first run with the login
// prompt (the demo plays the user: it opens the printed URL and pastes the code from the
// auth-code page), second run from the token file — then, with -serve, keeps the fake running
// and serves the web page and the worker against it until interrupted.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/tutorialuser"
)

func main() {
	cliPath := flag.String("cli", "dist/globus-groups", "the built CLI")
	serve := flag.Bool("serve", false, "after the CLI demo, serve the page and the worker until interrupted")
	flag.Parse()
	if err := run(*cliPath, *serve); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(cliPath string, serve bool) error {
	fake, err := globustest.New(globustest.Options{})
	if err != nil {
		return err
	}
	defer fake.Close()
	home, err := os.MkdirTemp("", "globus-edge-demo")
	if err != nil {
		return err
	}
	defer os.RemoveAll(home)
	env := append(os.Environ(), "HOME="+home,
		"GLOBUS_SDK_SERVICE_URL_AUTH="+fake.AuthURL(), "GLOBUS_SDK_SERVICE_URL_GROUPS="+fake.GroupsURL())
	say("fake Globus Auth at %s, Groups at %s (the tutorial client is registered)", fake.AuthURL(), fake.GroupsURL())

	say("first run: no token file, so the CLI asks for a login")
	if err := firstRun(cliPath, env); err != nil {
		return err
	}
	tokenFile := filepath.Join(home, ".list-my-globus-groups-tokens.json")
	if st, err := os.Stat(tokenFile); err == nil {
		say("token file written: %s (%d bytes, mode %v)", tokenFile, st.Size(), st.Mode().Perm())
	}
	say("second run: tokens come from the file, no prompt, no call to Auth")
	if err := plainRun(cliPath, env); err != nil {
		return err
	}
	say("third run after the fake expired the access token: one refresh, written back")
	fake.ExpireAccessTokens()
	fake.ResetCounts()
	if err := plainRun(cliPath, env); err != nil {
		return err
	}
	say("refreshes seen by the fake: %d", fake.Count("grant:refresh_token"))
	if !serve {
		return nil
	}
	_, _, stop, err := serveHosts(fake)
	if err != nil {
		return err
	}
	defer stop()
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	say("serving until Ctrl-C")
	<-ctx.Done()
	return nil
}

var codeRE = regexp.MustCompile(`<code id="auth-code">([^<]+)</code>`)

// firstRun drives the interactive run, echoing what a user would see and type.
func firstRun(cliPath string, env []string) error {
	cmd := exec.Command(cliPath)
	cmd.Env, cmd.Stderr = env, os.Stderr
	return tutorialuser.Login(cmd, userApproves, os.Stdout)
}

// userApproves opens the authorize URL as the browser would: the fake approves and redirects
// to its auth-code page, which shows the code.
func userApproves(url string) (string, error) {
	resp, err := http.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	m := codeRE.FindSubmatch(page)
	if m == nil {
		return "", fmt.Errorf("no code on the auth-code page (HTTP %d)", resp.StatusCode)
	}
	return string(m[1]), nil
}

func plainRun(cliPath string, env []string) error {
	cmd := exec.Command(cliPath)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, os.Stdout, os.Stderr
	return cmd.Run()
}

func say(format string, args ...any) { fmt.Printf("\n== "+format+"\n", args...) }
