package tokens

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func response(t *testing.T, body string) *Response {
	t.Helper()
	r, err := ParseResponse([]byte(body), time.Unix(100, 0))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestStoreKeepsOtherNamespacesAndOldRefreshToken(t *testing.T) {
	ctx := context.Background()
	blob := &MemoryBlob{}
	other := &DocumentStorage{Blob: blob, Namespace: "other"}
	if err := other.StoreResponse(ctx, response(t, `{"access_token": "o", "resource_server": "rs", "expires_in": 1}`)); err != nil {
		t.Fatal(err)
	}
	s := NewDocumentStorage(blob)
	if err := s.StoreResponse(ctx, response(t, `{"access_token": "a1", "refresh_token": "r1", "resource_server": "rs", "expires_in": 10}`)); err != nil {
		t.Fatal(err)
	}
	// A refresh response without a refresh token keeps the stored one.
	if err := s.StoreResponse(ctx, response(t, `{"access_token": "a2", "resource_server": "rs", "expires_in": 20}`)); err != nil {
		t.Fatal(err)
	}
	d, err := s.Get(ctx, "rs")
	if err != nil || d == nil || d.AccessToken != "a2" || d.RefreshToken != "r1" || d.ExpiresAtSeconds != 120 {
		t.Fatalf("got %+v, %v", d, err)
	}
	if o, _ := other.Get(ctx, "rs"); o == nil || o.AccessToken != "o" {
		t.Fatalf("other namespace lost: %+v", o)
	}
	old, err := s.Clear(ctx)
	if err != nil || old["rs"].RefreshToken != "r1" {
		t.Fatalf("clear: %+v %v", old, err)
	}
	if d, _ := s.Get(ctx, "rs"); d != nil {
		t.Fatal("cleared namespace still has tokens")
	}
	if _, ok, _ := blob.Load(ctx); !ok {
		t.Fatal("blob deleted though another namespace remains")
	}
	other.Clear(ctx)
	if _, ok, _ := blob.Load(ctx); ok {
		t.Fatal("empty document not deleted")
	}
}

func TestFileStoreModeAtomicAndCorrupt(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", "tokens.json")
	s := NewFileStore(path)
	if d, err := s.Get(ctx, "rs"); d != nil || err != nil {
		t.Fatalf("missing file: %+v %v", d, err)
	}
	if err := s.StoreResponse(ctx, response(t, `{"access_token": "a", "refresh_token": "r", "resource_server": "rs", "expires_in": 1}`)); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v err %v", st.Mode(), err)
	}
	// A wider mode is narrowed back to 0600, and no temporary file is left behind.
	os.Chmod(path, 0o640)
	s.StoreResponse(ctx, response(t, `{"access_token": "b", "resource_server": "rs", "expires_in": 1}`))
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("mode left at %v", st.Mode())
	}
	if ents, _ := os.ReadDir(filepath.Dir(path)); len(ents) != 1 {
		t.Fatalf("leftover files: %v", ents)
	}
	// A corrupt file is reported and left exactly as it was, by every operation.
	garbage := []byte(`{"data": {"DEFAULT": {"rs": `)
	os.WriteFile(path, garbage, 0o600)
	if _, err := s.Get(ctx, "rs"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("get: %v", err)
	}
	if err := s.StoreResponse(ctx, response(t, `{"access_token": "c", "resource_server": "rs"}`)); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("store: %v", err)
	}
	if _, err := s.Clear(ctx); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("clear: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != string(garbage) {
		t.Fatalf("corrupt file was changed to %s", b)
	}
}

// failingBlob fails every Save, like a full disk or a KV outage.
type failingBlob struct{ MemoryBlob }

func (*failingBlob) Save(context.Context, []byte) error { return errors.New("disk full") }

func TestFailedSaveKeepsOldTokens(t *testing.T) {
	ctx := context.Background()
	fb := &failingBlob{}
	fb.MemoryBlob.Save(ctx, []byte(`{"data": {"DEFAULT": {"rs": {"resource_server": "rs", "scope": "", "access_token": "good", "expires_at_seconds": 1}}}, "format_version": "2.0", "globus-sdk.version": "x"}`))
	s := NewDocumentStorage(fb)
	if err := s.StoreResponse(ctx, response(t, `{"access_token": "new", "resource_server": "rs"}`)); err == nil {
		t.Fatal("save error not reported")
	}
	if d, _ := s.Get(ctx, "rs"); d.AccessToken != "good" {
		t.Fatalf("stored tokens changed: %+v", d)
	}
}
