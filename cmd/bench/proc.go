//go:build !(js && wasm)

package main

import (
	"os"
	"os/exec"
	"time"

	"github.com/globus-edge/globus-edge/internal/childproc"
)

// service is a child process that prints its URLs on its first stdout lines and stops when its
// stdin closes.
type service struct {
	*childproc.Child
	lines []string
}

// startService runs name args with env added, and reads n lines of stdout.
func startService(n int, env []string, name string, args ...string) (*service, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	c, err := childproc.Start(cmd, n, 120*time.Second)
	if err != nil {
		return nil, err
	}
	return &service{Child: c, lines: c.Lines}, nil
}

func (s *service) stop() { s.Stop() }
