//go:build !(js && wasm)

package e2e

import (
	"bufio"
	"bytes"
	"io"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// logBuffer collects a child's output for failure messages and scans.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// child is a long-running Node process (a Miniflare server) that prints its URLs first.
type child struct {
	lines []string
	out   *logBuffer
}

// startChild runs cmd, reads its first n stdout lines, copies the rest of its output to out,
// and stops it when the test ends: stdin closed (the servers exit on it), then SIGTERM and
// SIGKILL to its process group, so no workerd is left behind.
func startChild(t *testing.T, cmd *exec.Cmd, n int) *child {
	t.Helper()
	c := &child{out: &logBuffer{}}
	cmd.Stderr = c.out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", cmd.Path, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		stdin.Close()
		for _, sig := range []syscall.Signal{0, syscall.SIGTERM, syscall.SIGKILL} {
			if sig != 0 {
				syscall.Kill(-cmd.Process.Pid, sig)
			}
			select {
			case <-exited:
				return
			case <-time.After(15 * time.Second):
			}
		}
	})
	lines := make(chan string)
	go func() {
		r := bufio.NewReader(stdout)
		for i := 0; i < n; i++ {
			line, err := r.ReadString('\n')
			if err != nil {
				close(lines)
				return
			}
			lines <- strings.TrimSpace(line)
		}
		io.Copy(c.out, r)
	}()
	for i := 0; i < n; i++ {
		select {
		case line, ok := <-lines:
			if !ok {
				<-exited
				t.Fatalf("%s exited before printing its URLs:\n%s", cmd.Path, c.out)
			}
			c.lines = append(c.lines, line)
		case <-time.After(90 * time.Second):
			t.Fatalf("%s printed nothing in 90 s:\n%s", cmd.Path, c.out)
		}
	}
	return c
}
