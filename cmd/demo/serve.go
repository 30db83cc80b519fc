package main

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/globus-edge/globus-edge/globustest"
)

// Client ids the demo registers at the fake for the page and the worker.
const (
	pageClient   = "globus-edge-demo-page"
	workerClient = "globus-edge-demo-worker"
)

// serveHosts builds the page and the worker for fake, serves the page on loopback and runs the
// worker in workerd (Miniflare), and prints both URLs. stop ends both.
func serveHosts(fake *globustest.Server) (pageURL, workerURL string, stop func(), err error) {
	var stops []func()
	stop = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	pageURL, stopPage, err := servePage(fake)
	if err != nil {
		return "", "", nil, err
	}
	stops = append(stops, stopPage)
	workerURL, stopWorker, err := serveWorker(fake)
	if err != nil {
		stop()
		return "", "", nil, err
	}
	stops = append(stops, stopWorker)
	say("web page:  %s  (client %s: \"Log in\" redirects back; \"Log in with a code\" uses the auth-code page)", pageURL, pageClient)
	say("worker:    %s  (client %s; tokens stay in the worker's KV)", workerURL, workerClient)
	say("the fake approves every login as %s; open the URLs in a browser on this machine", globustest.TestUser.Username)
	return pageURL, workerURL, stop, nil
}

// servePage builds dist for the fake into a temporary directory and serves it.
func servePage(fake *globustest.Server) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	pageURL := "http://" + ln.Addr().String() + "/"
	fake.RegisterClient(globustest.Client{ID: pageClient, RedirectURIs: []string{pageURL, fake.AuthCodePageURL()}})
	dist, err := os.MkdirTemp("", "globus-edge-demo-web")
	if err != nil {
		ln.Close()
		return "", nil, err
	}
	cleanup := func() { ln.Close(); os.RemoveAll(dist) }
	if err := runTool("./build.sh", []string{"DIST=" + dist, "GLOBUS_CLIENT_ID=" + pageClient, "GLOBUS_REDIRECT_URI=" + pageURL,
		"GLOBUS_SDK_SERVICE_URL_AUTH=" + fake.AuthURL(), "GLOBUS_SDK_SERVICE_URL_GROUPS=" + fake.GroupsURL()}, "web"); err != nil {
		cleanup()
		return "", nil, err
	}
	srv := &http.Server{Handler: http.FileServer(http.Dir(filepath.Join(dist, "web"))), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return pageURL, func() { srv.Close(); cleanup() }, nil
}

// serveWorker builds the worker and runs it through worker/testdata/serve.mjs.
func serveWorker(fake *globustest.Server) (string, func(), error) {
	port, err := freePort()
	if err != nil {
		return "", nil, err
	}
	workerURL := fmt.Sprintf("http://127.0.0.1:%d", port)
	fake.RegisterClient(globustest.Client{ID: workerClient, RedirectURIs: []string{workerURL + "/callback"}})
	if err := runTool("./build.sh", nil, "worker"); err != nil {
		return "", nil, err
	}
	cmd := exec.Command("node", "worker/testdata/serve.mjs", "--port", fmt.Sprint(port))
	cmd.Env = append(os.Environ(), "GLOBUS_CLIENT_ID="+workerClient, "TOKEN_ENCRYPTION_KEY=demo:"+demoKey(),
		"GLOBUS_SDK_SERVICE_URL_AUTH="+fake.AuthURL(), "GLOBUS_SDK_SERVICE_URL_GROUPS="+fake.GroupsURL(),
		"TMPDIR="+os.TempDir())
	cmd.Stderr = os.Stderr
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() { stdin.Close(); cmd.Wait() }
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != workerURL {
		stop()
		return "", nil, fmt.Errorf("the worker did not start (%q, %v)", line, err)
	}
	go io.Copy(io.Discard, stdout)
	return workerURL + "/", stop, nil
}

// runTool runs ./build.sh with extra environment, its output going to stderr (build chatter).
func runTool(name string, env []string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	return nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// demoKey is a fresh TOKEN_ENCRYPTION_KEY for this demo run only.
func demoKey() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}
