//go:build unix

package tokens

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// Lock implements Locker with a RecordLock in "<path>.lock" beside the token file, so CLI
// processes, and Node scripts on the JS package's file storage, started together refresh once.
// A holder that died delays the others by at most the lock's expiry (RecordLock).
//
// The lock file is never opened through a symbolic link: it is created by link(2), which does
// not follow one, and read with O_NOFOLLOW. In a shared or attacker-writable directory a link
// planted there would otherwise make us create or read a file of someone else's choosing. A link
// is refused with an error naming it.
func (f FileBlob) Lock(ctx context.Context) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(f.Path), 0o700); err != nil {
		return nil, &StorageError{Op: "tokens: creating the lock file's directory", Err: err}
	}
	return RecordLock{Record: lockFile{name: f.Path + ".lock"}}.Lock(ctx)
}

// lockFile is a LockRecord in a file. The same operations on the same file are the Node file
// storage's compareAndSwap (js/node-file-storage.js): a value is written to a temporary file
// (0600) and linked to the name, so it exists whole or not at all; a removal first renames the
// file away, so of two removers one gets it, and puts back a value that was not the one to
// remove; a replacement (a holder's renewal) renames over the name, which never goes missing.
type lockFile struct{ name string }

// lockFileMax bounds a read: a lock value is about 60 bytes.
const lockFileMax = 4096

// Get implements LockRecord.
func (l lockFile) Get(context.Context) (string, bool, error) {
	v, err := readLockFile(l.name)
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return v, true, nil
}

// readLockFile reads a lock file without following a symbolic link.
func readLockFile(name string) (string, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.EMLINK) { // EMLINK: FreeBSD's answer
		return "", &StorageError{Op: "tokens: opening the lock file", Err: fmt.Errorf("%s is a symbolic link; refusing to follow it (remove it)", name)}
	}
	if errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	if err != nil {
		return "", &StorageError{Op: "tokens: opening the lock file", Err: err}
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return "", &StorageError{Op: "tokens: opening the lock file", Err: fmt.Errorf("%s is not a regular file", name)}
	}
	b, err := io.ReadAll(io.LimitReader(f, lockFileMax))
	if err != nil {
		return "", &StorageError{Op: "tokens: reading the lock file", Err: err}
	}
	return string(b), nil
}

// Swap implements LockRecord.
func (l lockFile) Swap(_ context.Context, old, value *string) (bool, error) {
	switch {
	case old == nil && value != nil:
		return l.create(*value)
	case old != nil && value == nil:
		return l.remove(*old)
	case old != nil:
		return l.replace(*old, *value)
	}
	_, err := os.Lstat(l.name)
	return errors.Is(err, fs.ErrNotExist), nil
}

// create links a temporary file holding v to the name: link(2) fails when the name exists,
// whatever it is (a symbolic link included), and never follows it.
func (l lockFile) create(v string) (bool, error) {
	tmp, err := l.temp(v)
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp)
	err = os.Link(tmp, l.name)
	if errors.Is(err, fs.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, &StorageError{Op: "tokens: creating the lock file", Err: err}
	}
	return true, nil
}

// remove takes the file away by renaming it, then keeps it removed only if it held old.
func (l lockFile) remove(old string) (bool, error) {
	b := make([]byte, 6)
	rand.Read(b)
	grab := filepath.Join(filepath.Dir(l.name), fmt.Sprintf(".%s.old-%x", filepath.Base(l.name), b))
	if err := os.Rename(l.name, grab); errors.Is(err, fs.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, &StorageError{Op: "tokens: removing the lock file", Err: err}
	}
	defer os.Remove(grab)
	v, err := readLockFile(grab)
	if err == nil && v == old {
		return true, nil
	}
	os.Link(grab, l.name) // not ours to remove: put it back (unless the name was taken meanwhile)
	return false, err
}

// replace renames a temporary file holding v over the name when the name holds old (a holder
// renewing its own value: no one else changes it until it expires).
func (l lockFile) replace(old, v string) (bool, error) {
	cur, err := readLockFile(l.name)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && cur != old) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	tmp, err := l.temp(v)
	if err != nil {
		return false, err
	}
	if err := os.Rename(tmp, l.name); err != nil {
		os.Remove(tmp)
		return false, &StorageError{Op: "tokens: renewing the lock file", Err: err}
	}
	return true, nil
}

// temp writes v to a new temporary file beside the lock file (mode 0600) and returns its name.
func (l lockFile) temp(v string) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(l.name), "."+filepath.Base(l.name)+".tmp-*")
	if err != nil {
		return "", &StorageError{Op: "tokens: writing the lock file", Err: err}
	}
	_, err = f.WriteString(v)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", &StorageError{Op: "tokens: writing the lock file", Err: err}
	}
	return f.Name(), nil
}
