//go:build !(js && wasm)

package e2e

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/globustest"
)

var (
	cliOnce sync.Once
	cliCSV  string
	cliErr  error
)

// expectedCSV is what the native CLI (cmd/globus-groups) prints for the fake's test user:
// the page's "Download CSV" must be byte-identical to it. The CLI is built and run once per
// test binary, against a fake of its own, logging in as the tutorial does.
func expectedCSV(t *testing.T) string {
	t.Helper()
	cliOnce.Do(func() { cliCSV, cliErr = runCLI() })
	if cliErr != nil {
		t.Fatalf("running the CLI for the expected CSV: %v", cliErr)
	}
	return cliCSV
}

func runCLI() (string, error) {
	bin := filepath.Join(dist, "globus-groups")
	build := exec.Command("go", "build", "-o", bin, "./cmd/globus-groups")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the CLI: %v\n%s", err, out)
	}
	fake, err := globustest.New(globustest.Options{})
	if err != nil {
		return "", err
	}
	defer fake.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-token-file", filepath.Join(dist, "cli-tokens.json"))
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dist,
		"GLOBUS_SDK_SERVICE_URL_AUTH=" + fake.AuthURL(), "GLOBUS_SDK_SERVICE_URL_GROUPS=" + fake.GroupsURL()}
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return "", err
	}
	r := bufio.NewReader(stdout)
	var authorizeURL string
	for authorizeURL == "" {
		line, err := r.ReadString('\n')
		if err != nil {
			return "", fmt.Errorf("reading the CLI's login URL: %v (stderr %s)", err, stderr.String())
		}
		if strings.HasPrefix(line, "http") {
			authorizeURL = strings.TrimSpace(line)
		}
	}
	loc, err := fake.Authorize(ctx, authorizeURL)
	if err != nil {
		return "", err
	}
	fmt.Fprintln(stdin, loc.Query().Get("code"))
	stdin.Close()
	rest, _ := io.ReadAll(r)
	if err := cmd.Wait(); err != nil {
		return "", fmt.Errorf("the CLI failed: %v (stderr %s)", err, stderr.String())
	}
	out := string(rest)
	i := strings.Index(out, "ID,Name,Roles\n")
	if i < 0 {
		return "", fmt.Errorf("no CSV in the CLI's output %q", out)
	}
	return out[i:], nil
}

// expectedRows is the CLI's CSV as the page's table shows it: ID, Name, Roles joined by ", ".
func expectedRows(t *testing.T) [][]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(expectedCSV(t))).ReadAll()
	if err != nil {
		t.Fatalf("the CLI's CSV does not parse: %v", err)
	}
	var rows [][]string
	for _, r := range recs[1:] {
		rows = append(rows, []string{r[0], r[1], strings.ReplaceAll(r[2], "|", ", ")})
	}
	return rows
}
