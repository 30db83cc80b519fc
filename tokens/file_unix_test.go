//go:build unix

package tokens

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A token file some other tool left group- or world-readable is narrowed to 0600 by the next
// write: the file holds refresh tokens, and the write is the moment we own it.
func TestFileSaveForces0600(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tokens.json")
	f := FileBlob{Path: path}
	for _, wide := range []os.FileMode{0o644, 0o666, 0o640, 0o700} {
		if err := os.WriteFile(path, []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, wide); err != nil {
			t.Fatal(err)
		}
		if err := f.Save(ctx, []byte(`{"x": 1}`)); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(path)
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("after a write over a %v file: mode %v (%v), want 0600", wide, st.Mode().Perm(), err)
		}
	}
}

// A lock file replaced by a symbolic link is refused: following it would create or lock a file
// of the attacker's choosing (with O_CREAT, even create one where the link points).
func TestFileLockRefusesSymlink(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tokens.json")
	target := filepath.Join(dir, "elsewhere")
	if err := os.Symlink(target, path+".lock"); err != nil {
		t.Fatal(err)
	}
	unlock, err := FileBlob{Path: path}.Lock(context.Background())
	if err == nil {
		unlock()
		t.Fatal("a symlinked lock file was followed")
	}
	if !strings.Contains(err.Error(), "symbolic link") || !strings.Contains(err.Error(), path+".lock") {
		t.Fatalf("unclear error: %v", err)
	}
	var se *StorageError
	if !errors.As(err, &se) {
		t.Fatalf("not a StorageError: %T %v", err, err)
	}
	if _, err := os.Lstat(target); !os.IsNotExist(err) {
		t.Fatalf("the link's target was created: %v", err)
	}
}

// An ordinary lock file still works, and is created 0600.
func TestFileLockPlainFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokens.json")
	unlock, err := FileBlob{Path: path}.Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	st, err := os.Lstat(path + ".lock")
	if err != nil || !st.Mode().IsRegular() || st.Mode().Perm() != 0o600 {
		t.Fatalf("lock file %v %v", st, err)
	}
}

// A zero-length token file (what a crash during the Python SDK's truncate-and-write leaves)
// holds no tokens: it reads as no document, so the CLI prompts instead of calling it corrupt.
func TestFileEmptyIsNoDocument(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokens.json")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	b, ok, err := FileBlob{Path: path}.Load(context.Background())
	if err != nil || ok || len(b) != 0 {
		t.Fatalf("empty file: %q %v %v", b, ok, err)
	}
}
