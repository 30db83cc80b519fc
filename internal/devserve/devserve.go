// Package devserve serves builds of this repository on loopback against the fake Globus, for
// the demo and the benchmarks: the web page built for a fake, and any static directory.
package devserve

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/globus-edge/globus-edge/globustest"
)

// Static serves dir on a fresh loopback port until stop is called, with SetHeaders' headers.
func Static(dir string) (url string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	return serve(ln, dir)
}

func serve(ln net.Listener, dir string) (string, func(), error) {
	srv := &http.Server{Handler: Handler(dir), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String() + "/", func() { srv.Close() }, nil
}

// Page builds the web page for fake with `./build.sh web` (run in root) into a temporary
// directory — clientID registered at the fake with the page's URL and the auth-code page as
// redirect URIs, config.json and the CSP naming the fake — and serves it on loopback.
func Page(root string, fake *globustest.Server, clientID string) (url string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	url = "http://" + ln.Addr().String() + "/"
	fake.RegisterClient(globustest.Client{ID: clientID, RedirectURIs: []string{url, fake.AuthCodePageURL()}})
	dist, err := os.MkdirTemp("", "globus-edge-web")
	if err != nil {
		ln.Close()
		return "", nil, err
	}
	err = Run(root, []string{"DIST=" + dist, "GLOBUS_CLIENT_ID=" + clientID, "GLOBUS_REDIRECT_URI=" + url,
		"GLOBUS_SDK_SERVICE_URL_AUTH=" + fake.AuthURL(), "GLOBUS_SDK_SERVICE_URL_GROUPS=" + fake.GroupsURL()}, "web")
	if err != nil {
		ln.Close()
		os.RemoveAll(dist)
		return "", nil, err
	}
	_, stopServer, _ := serve(ln, filepath.Join(dist, "web"))
	return url, func() { stopServer(); os.RemoveAll(dist) }, nil
}

// Run runs `./build.sh args...` in root with extra environment; its chatter goes to stderr.
func Run(root string, env []string, args ...string) error {
	cmd := exec.Command("bash", "build.sh")
	cmd.Args = append(cmd.Args, args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("./build.sh %s: %w", strings.Join(args, " "), err)
	}
	return nil
}
