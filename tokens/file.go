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
type FileBlob struct {
	Path string
}

// NewFileStore returns a DocumentStorage over the JSON token file at path, the Python SDK's
// JSONTokenStorage format.
func NewFileStore(path string) *DocumentStorage { return NewDocumentStorage(FileBlob{Path: path}) }

// Load implements Blob.
func (f FileBlob) Load(context.Context) ([]byte, bool, error) {
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return b, true, nil
}

// Exists reports whether the file exists, the tutorial's "already logged in?" test.
func (f FileBlob) Exists() bool {
	_, err := os.Stat(f.Path)
	return err == nil
}

// Save implements Blob. A new file is created 0600; an existing file keeps its mode.
func (f FileBlob) Save(_ context.Context, b []byte) (err error) {
	dir := filepath.Dir(f.Path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	mode := fs.FileMode(0o600)
	if st, err := os.Stat(f.Path); err == nil {
		mode = st.Mode().Perm()
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(f.Path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(mode); err != nil {
		return err
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
