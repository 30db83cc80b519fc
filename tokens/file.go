package tokens

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// FileBlob is a Blob in a file, written atomically: a temporary file in the same directory
// (mode 0600) is written, synced and renamed over the target, so a crash never leaves a
// half-written token file. The Python SDK truncates and writes in place.
//
// Every write leaves the file 0600, whatever mode it had: it holds refresh tokens, and a mode
// widened by another tool (or a umask) would otherwise be kept forever.
type FileBlob struct {
	Path string
}

// NewFileStore returns a DocumentStorage over the JSON token file at path, the Python SDK's
// JSONTokenStorage format.
func NewFileStore(path string) *DocumentStorage { return NewDocumentStorage(FileBlob{Path: path}) }

// Load implements Blob. A zero-length file counts as no file: it holds no tokens (it is what a
// crash during the Python SDK's truncate-and-write leaves), so there is nothing to protect by
// calling it corrupt, and the user is asked to log in instead of to move it away.
func (f FileBlob) Load(context.Context) ([]byte, bool, error) {
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading %s: %w", f.Path, err)
	}
	return b, len(b) > 0, nil
}

// Exists reports whether the file exists, the tutorial's "already logged in?" test.
func (f FileBlob) Exists() bool {
	_, err := os.Stat(f.Path)
	return err == nil
}

// Save implements Blob. The file is always left 0600 (the temporary file is chmod-ed before
// any byte is written, so no token is ever readable by others, not even briefly).
func (f FileBlob) Save(_ context.Context, b []byte) (err error) {
	dir := filepath.Dir(f.Path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating the token file's directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(f.Path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("creating a temporary token file: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("restricting the temporary token file to its owner: %w", err)
	}
	if _, err = tmp.Write(b); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), f.Path); err != nil {
		return fmt.Errorf("replacing %s: %w", f.Path, err)
	}
	return nil
}

// Delete implements Blob.
func (f FileBlob) Delete(context.Context) error {
	err := os.Remove(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}
