//go:build !(js && wasm)

package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/globustest"
)

// nodeDriver runs testdata/node-faults.mjs: one Node process (one Go instance, as in an app)
// serving requests from any number of goroutines, so the fault cases can run at once and the
// retries' real backoff sleeps overlap instead of adding up.
type nodeDriver struct {
	stdin  io.WriteCloser
	out    logBuffer // every answer line, scanned for tokens
	errOut logBuffer

	mu      sync.Mutex
	next    int
	clients int // clients opened, for their names
	waiting map[int]chan hostAnswer
	exited  chan struct{}
}

func startNodeDriver(t *testing.T) *nodeDriver {
	t.Helper()
	app := newApp(t, "js/e2e/testdata/node-faults.mjs", "js/e2e/testdata/fault-ops.mjs")
	cmd := exec.Command("node", "node-faults.mjs")
	cmd.Dir = app
	cmd.Env = nodeEnv(t, "CLIENT_ID="+globustest.TutorialClientID)
	d := &nodeDriver{waiting: map[int]chan hostAnswer{}, exited: make(chan struct{})}
	cmd.Stderr = &d.errOut
	var err error
	if d.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go d.read(stdout)
	go func() { cmd.Wait(); close(d.exited) }()
	t.Cleanup(func() {
		d.stdin.Close() // the script finishes its calls and exits
		select {
		case <-d.exited:
		case <-time.After(time.Minute):
			cmd.Process.Kill()
			<-d.exited
			t.Errorf("node-faults.mjs did not exit when its input closed\n%s", d.errOut.String())
		}
	})
	return d
}

// read dispatches answers; when the process ends, every waiting call gets a failed answer.
func (d *nodeDriver) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		d.out.Write(append(line, '\n'))
		var a hostAnswer
		if json.Unmarshal(line, &a) != nil {
			continue // not an answer: kept in out for the scan
		}
		d.mu.Lock()
		ch := d.waiting[a.ID]
		delete(d.waiting, a.ID)
		d.mu.Unlock()
		if ch != nil {
			ch <- a
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for id, ch := range d.waiting {
		ch <- hostAnswer{ID: id, Error: &jsError{Name: "driver", Message: "node-faults.mjs ended: " + d.errOut.String()}}
		delete(d.waiting, id)
	}
	d.next = -1 // later calls fail at once
}

// call sends op with args and waits for its answer.
func (d *nodeDriver) call(op string, args map[string]any) hostAnswer {
	d.mu.Lock()
	if d.next < 0 {
		d.mu.Unlock()
		return hostAnswer{Error: &jsError{Name: "driver", Message: "node-faults.mjs is not running"}}
	}
	d.next++
	id := d.next
	ch := make(chan hostAnswer, 1)
	d.waiting[id] = ch
	req := map[string]any{"id": id, "op": op}
	for k, v := range args {
		req[k] = v
	}
	b, _ := json.Marshal(req)
	_, err := d.stdin.Write(append(b, '\n'))
	d.mu.Unlock()
	if err != nil {
		return hostAnswer{ID: id, Error: &jsError{Name: "driver", Message: err.Error()}}
	}
	return <-ch
}

// nodeHost runs the fault cases in Node, each namespace over its own token file in dir.
type nodeHost struct {
	d   *nodeDriver
	dir string
}

func (h *nodeHost) file(ns string) string { return filepath.Join(h.dir, ns+".json") }

func (h *nodeHost) open(fake *globustest.Server, ns string, o clientOpts) (string, error) {
	h.d.mu.Lock()
	h.d.clients++
	id := fmt.Sprintf("%s/%d", ns, h.d.clients)
	h.d.mu.Unlock()
	args := map[string]any{"client": id, "file": h.file(ns), "namespace": ns, "authUrl": fake.AuthURL(),
		"groupsUrl": fake.GroupsURL(), "failPut": o.failPut, "promises": o.promises}
	if o.timeout > 0 {
		args["httpTimeout"] = o.timeout
	}
	if a := h.d.call("open", args); !a.OK {
		return "", fmt.Errorf("%v", a.Error)
	}
	return id, nil
}

func (h *nodeHost) call(op, client string) hostAnswer {
	return h.d.call(op, map[string]any{"client": client})
}

func (h *nodeHost) doc(ns string) ([]byte, error) {
	b, err := os.ReadFile(h.file(ns))
	if os.IsNotExist(err) {
		return nil, nil
	}
	return b, err
}

func (h *nodeHost) setDoc(ns string, b []byte) error { return os.WriteFile(h.file(ns), b, 0o600) }
