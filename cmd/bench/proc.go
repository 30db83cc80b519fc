//go:build !(js && wasm)

package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// service is a child process that prints its URLs on its first stdout lines and stops when its
// stdin closes.
type service struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines []string
}

// startService runs name args with env added, and reads n lines of stdout.
func startService(n int, env []string, name string, args ...string) (*service, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	// workerd reports clients that hang up ("Broken pipe") on stderr; keep it for failures only.
	stderr := &tailBuffer{}
	cmd.Stderr = stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &service{cmd: cmd, stdin: stdin}
	r := bufio.NewReader(stdout)
	for i := 0; i < n; i++ {
		line, err := r.ReadString('\n')
		if err != nil {
			s.stop()
			return nil, fmt.Errorf("%s printed %q before failing: %w\n%s", name, strings.Join(s.lines, " "), err, stderr)
		}
		s.lines = append(s.lines, strings.TrimSpace(line))
	}
	go io.Copy(io.Discard, r)
	return s, nil
}

// stop closes stdin and waits; after 10 s it kills the process.
func (s *service) stop() {
	s.stdin.Close()
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
}

// tailBuffer keeps the last 16 KiB written to it.
type tailBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > 16<<10 {
		t.b = t.b[len(t.b)-16<<10:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
