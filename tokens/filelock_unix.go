//go:build unix

package tokens

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// Lock implements Locker with flock(2) on "<path>.lock" beside the token file, so CLI
// processes started together refresh once. Blocking is bounded by the holder's refresh, which
// is bounded by the HTTP timeout.
//
// The lock file is opened with O_NOFOLLOW: in a shared or attacker-writable directory a
// symbolic link planted there would otherwise make us create (O_CREAT) or lock a file of
// someone else's choosing. A link is refused with an error naming it.
func (f FileBlob) Lock(ctx context.Context) (func(), error) {
	name := f.Path + ".lock"
	if err := os.MkdirAll(filepath.Dir(f.Path), 0o700); err != nil {
		return nil, &StorageError{Op: "tokens: creating the lock file's directory", Err: err}
	}
	lf, err := os.OpenFile(name, os.O_CREATE|os.O_RDWR|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0o600)
	if errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.EMLINK) { // EMLINK: FreeBSD's answer
		return nil, &StorageError{Op: "tokens: opening the lock file", Err: fmt.Errorf("%s is a symbolic link; refusing to follow it (remove it)", name)}
	}
	if err != nil {
		return nil, &StorageError{Op: "tokens: opening the lock file", Err: err}
	}
	if st, err := lf.Stat(); err != nil || !st.Mode().IsRegular() {
		lf.Close()
		return nil, &StorageError{Op: "tokens: opening the lock file", Err: fmt.Errorf("%s is not a regular file", name)}
	}
	done := make(chan error, 1)
	go func() { done <- syscall.Flock(int(lf.Fd()), syscall.LOCK_EX) }()
	select {
	case err := <-done:
		if err != nil {
			lf.Close()
			return nil, &StorageError{Op: "tokens: locking " + name, Err: err}
		}
		return func() { syscall.Flock(int(lf.Fd()), syscall.LOCK_UN); lf.Close() }, nil
	case <-ctx.Done():
		go func() { <-done; lf.Close() }() // closing the file drops a lock taken late
		return nil, ctx.Err()
	}
}
