// Package childproc runs the long-lived helper processes of tests and benchmarks (Miniflare
// servers, wrangler): a child that prints its URLs on its first stdout lines and exits when its
// stdin closes. Stop ends it and everything it started: stdin closed, then SIGTERM and SIGKILL
// to its process group, so no workerd is left behind.
//go:build !(js && wasm)

package childproc

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Log collects a child's output for failure messages and scans. Safe for concurrent use.
type Log struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Child is a started process.
type Child struct {
	// Lines are the first stdout lines it printed (its URLs).
	Lines []string
	// Out has its stderr and the rest of its stdout.
	Out    *Log
	cmd    *exec.Cmd
	stdin  io.Closer
	exited chan struct{}
}

// Start runs cmd in its own process group and waits up to wait for its first n stdout lines.
// On failure the child is stopped and the error carries its output.
func Start(cmd *exec.Cmd, n int, wait time.Duration) (*Child, error) {
	c := &Child{Out: &Log{}, cmd: cmd, exited: make(chan struct{})}
	cmd.Stderr = c.Out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	c.stdin = stdin
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", cmd.Path, err)
	}
	go func() { cmd.Wait(); close(c.exited) }()
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
		io.Copy(c.Out, r)
	}()
	timeout := time.After(wait)
	for len(c.Lines) < n {
		select {
		case line, ok := <-lines:
			if !ok {
				<-c.exited
				return nil, fmt.Errorf("%s exited before printing %d lines:\n%s", cmd.Path, n, c.Out)
			}
			c.Lines = append(c.Lines, line)
		case <-timeout:
			c.Stop()
			return nil, fmt.Errorf("%s printed %d of %d lines in %v:\n%s", cmd.Path, len(c.Lines), n, wait, c.Out)
		}
	}
	return c, nil
}

// Stop closes stdin, then signals the process group (SIGTERM, then SIGKILL), waiting up to
// 20 s at each step. It returns once the child has exited.
func (c *Child) Stop() {
	c.stdin.Close()
	for _, sig := range []syscall.Signal{0, syscall.SIGTERM, syscall.SIGKILL} {
		if sig != 0 {
			syscall.Kill(-c.cmd.Process.Pid, sig)
		}
		select {
		case <-c.exited:
			return
		case <-time.After(20 * time.Second):
		}
	}
}

// Pid is the child's process id (its process group's too).
func (c *Child) Pid() int { return c.cmd.Process.Pid }
