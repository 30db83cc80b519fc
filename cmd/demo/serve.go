package main

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/internal/devserve"
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
	pageURL, stopPage, err := devserve.Page(".", fake, pageClient)
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

// serveWorker builds the worker and runs it through worker/testdata/serve.mjs.
func serveWorker(fake *globustest.Server) (string, func(), error) {
	port, err := freePort()
	if err != nil {
		return "", nil, err
	}
	workerURL := fmt.Sprintf("http://127.0.0.1:%d", port)
	fake.RegisterClient(globustest.Client{ID: workerClient, RedirectURIs: []string{workerURL + "/callback"}})
	if err := devserve.Run(".", nil, "worker"); err != nil {
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
