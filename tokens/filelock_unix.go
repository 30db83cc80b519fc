//go:build unix

package tokens

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
)

// Lock implements Locker with flock(2) on "<path>.lock" beside the token file, so CLI
// processes started together refresh once. Blocking is bounded by the holder's refresh, which
// is bounded by the HTTP timeout.
func (f FileBlob) Lock(ctx context.Context) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(f.Path), 0o700); err != nil {
		return nil, err
	}
	lf, err := os.OpenFile(f.Path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	done := make(chan error, 1)
	go func() { done <- syscall.Flock(int(lf.Fd()), syscall.LOCK_EX) }()
	select {
	case err := <-done:
		if err != nil {
			lf.Close()
			return nil, err
		}
		return func() { syscall.Flock(int(lf.Fd()), syscall.LOCK_UN); lf.Close() }, nil
	case <-ctx.Done():
		go func() { <-done; lf.Close() }() // closing the file drops a lock taken late
		return nil, ctx.Err()
	}
}
