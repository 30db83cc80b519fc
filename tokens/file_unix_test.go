//go:build unix

package tokens

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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

// The lock file exists while the lock is held, a regular file of mode 0600 holding its value,
// and is removed by unlock; no temporary file is left beside it.
func TestFileLockPlainFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "tokens.json")
	unlock, err := FileBlob{Path: path}.Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Lstat(path + ".lock")
	if err != nil || !st.Mode().IsRegular() || st.Mode().Perm() != 0o600 {
		t.Fatalf("lock file %v %v", st, err)
	}
	b, _ := os.ReadFile(path + ".lock")
	var lv lockRecordValue
	if err := json.Unmarshal(b, &lv); err != nil || lv.Holder == "" || lv.Until == 0 {
		t.Fatalf("lock file holds %q (%v)", b, err)
	}
	unlock()
	if left, _ := os.ReadDir(filepath.Dir(path)); len(left) != 0 {
		t.Fatalf("left behind: %v", left)
	}
}

// Processes (here: goroutines, each with its own lock) that lock one token file hold it one at
// a time.
func TestFileLockExclusive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokens.json")
	ctx := context.Background()
	if most := holders(t, 6, 10, func() (func(), error) { return FileBlob{Path: path}.Lock(ctx) }); most != 1 {
		t.Fatalf("%d holders at once, want 1", most)
	}
	if left, _ := os.ReadDir(filepath.Dir(path)); len(left) != 0 {
		t.Fatalf("left behind: %v", left)
	}
}

// The lock file's own operations: a creation never replaces a file, a removal keeps a value
// that is not the one to remove (putting it back), a replacement needs the old value.
func TestLockFileSwap(t *testing.T) {
	ctx := context.Background()
	lf := lockFile{name: filepath.Join(t.TempDir(), "t.json.lock")}
	a, b := "a", "b"
	if ok, err := lf.Swap(ctx, nil, &a); !ok || err != nil {
		t.Fatalf("create: %v %v", ok, err)
	}
	if ok, err := lf.Swap(ctx, nil, &b); ok || err != nil {
		t.Fatalf("a second create: %v %v", ok, err)
	}
	if ok, err := lf.Swap(ctx, &b, nil); ok || err != nil {
		t.Fatalf("removing another value: %v %v", ok, err)
	}
	if ok, err := lf.Swap(ctx, &b, &a); ok || err != nil {
		t.Fatalf("replacing another value: %v %v", ok, err)
	}
	if v, ok, err := lf.Get(ctx); v != a || !ok || err != nil {
		t.Fatalf("after refused swaps: %q %v %v", v, ok, err)
	}
	if ok, err := lf.Swap(ctx, &a, &b); !ok || err != nil {
		t.Fatalf("replace: %v %v", ok, err)
	}
	if ok, err := lf.Swap(ctx, &b, nil); !ok || err != nil {
		t.Fatalf("remove: %v %v", ok, err)
	}
	if _, ok, err := lf.Get(ctx); ok || err != nil {
		t.Fatalf("after remove: %v %v", ok, err)
	}
	if left, _ := os.ReadDir(filepath.Dir(lf.name)); len(left) != 0 {
		t.Fatalf("left behind: %v", left)
	}
}

// The empty lock file an older CLI left (flock's) and an expired one are taken at once (the
// clock stands still: a lock waiting for them would never be taken).
func TestFileLockTakesStaleFiles(t *testing.T) {
	past, _ := json.Marshal(lockRecordValue{Holder: "crashed", Until: frozen().Add(-time.Second).UnixMilli()})
	for name, v := range map[string]string{"legacy empty": "", "expired": string(past)} {
		t.Run(name, func(t *testing.T) {
			name := filepath.Join(t.TempDir(), "tokens.json.lock")
			if err := os.WriteFile(name, []byte(v), 0o600); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // a safety net
			defer cancel()
			unlock, err := RecordLock{Record: lockFile{name: name}, Now: frozen}.Lock(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if b, _ := os.ReadFile(name); string(b) == v {
				t.Fatal("the stale value is still there")
			}
			unlock()
			if _, err := os.Lstat(name); !os.IsNotExist(err) {
				t.Fatalf("lock file after unlock: %v", err)
			}
		})
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
