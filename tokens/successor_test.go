package tokens

import (
	"context"
	"testing"
)

// successorBlob is a MemoryBlob that records which saves were successor saves and hands the
// last one out as the successor of what it held before.
type successorBlob struct {
	MemoryBlob
	saves, successors int
	next              []byte
}

func (b *successorBlob) Save(ctx context.Context, v []byte) error {
	b.saves++
	return b.MemoryBlob.Save(ctx, v)
}

func (b *successorBlob) SaveSuccessor(ctx context.Context, v []byte) error {
	b.successors++
	b.next = v
	return b.MemoryBlob.Save(ctx, v)
}

func (b *successorBlob) LoadSuccessor(context.Context) ([]byte, bool, error) {
	return b.next, b.next != nil, nil
}

// Only a write that rotates a stored refresh token leaves a successor (in KV it costs a write),
// and GetSuccessor reads the successor's data through the sealing.
func TestSuccessorOnlyWhenTheRefreshTokenRotates(t *testing.T) {
	ctx := context.Background()
	keys, _ := NewKeyring("k", map[string][]byte{"k": make([]byte, KeySize)})
	blob := &successorBlob{}
	s := NewDocumentStorage(SealedBlob{Blob: blob, Keys: keys, AdditionalData: []byte("key")})
	for _, step := range []struct {
		body              string
		saves, successors int
	}{
		{`{"access_token": "a1", "refresh_token": "r1", "resource_server": "rs", "expires_in": 10}`, 1, 0},    // a login
		{`{"access_token": "a2", "resource_server": "rs", "expires_in": 10}`, 2, 0},                           // a refresh keeping r1
		{`{"access_token": "a3", "refresh_token": "r1", "resource_server": "rs", "expires_in": 10}`, 3, 0},    // r1 again
		{`{"access_token": "a4", "refresh_token": "r2", "resource_server": "rs", "expires_in": 10}`, 3, 1},    // rotated
		{`{"access_token": "x1", "refresh_token": "x1", "resource_server": "other", "expires_in": 10}`, 4, 1}, // a new server
	} {
		if err := s.StoreResponse(ctx, response(t, step.body)); err != nil {
			t.Fatal(err)
		}
		if blob.saves != step.saves || blob.successors != step.successors {
			t.Fatalf("after %s: %d saves, %d successor saves; want %d, %d", step.body, blob.saves, blob.successors, step.saves, step.successors)
		}
	}
	d, err := s.GetSuccessor(ctx, "rs")
	if err != nil || d == nil || d.RefreshToken != "r2" {
		t.Fatalf("GetSuccessor = %+v, %v", d, err)
	}
	if d, err := NewDocumentStorage(&MemoryBlob{}).GetSuccessor(ctx, "rs"); d != nil || err != nil {
		t.Errorf("a blob without successors: %+v, %v", d, err)
	}
}
