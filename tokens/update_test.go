package tokens

import (
	"context"
	"errors"
	"testing"
)

// plainStorage hides DocumentStorage's Updater, as a user-supplied Storage would.
type plainStorage struct{ Storage }

func TestUpdateNeverCreatesARecord(t *testing.T) {
	ctx := context.Background()
	for name, mk := range map[string]func(*DocumentStorage) Storage{
		"DocumentStorage": func(s *DocumentStorage) Storage { return s },
		"any Storage":     func(s *DocumentStorage) Storage { return plainStorage{s} },
	} {
		blob := &MemoryBlob{}
		s := NewDocumentStorage(blob)
		st := mk(s)
		renewal := response(t, `{"access_token": "a2", "refresh_token": "r2", "resource_server": "rs", "expires_in": 20}`)
		if err := Update(ctx, st, renewal); !errors.Is(err, ErrNoRecord) {
			t.Fatalf("%s: renewal without a login: %v", name, err)
		}
		if _, ok, _ := blob.Load(ctx); ok {
			t.Fatalf("%s: a renewal created a record", name)
		}
		if err := s.StoreResponse(ctx, response(t, `{"access_token": "a1", "refresh_token": "r1", "resource_server": "rs", "expires_in": 10}`)); err != nil {
			t.Fatal(err)
		}
		if err := Update(ctx, st, renewal); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d, _ := s.Get(ctx, "rs"); d == nil || d.AccessToken != "a2" || d.RefreshToken != "r2" {
			t.Fatalf("%s: after the renewal %+v", name, d)
		}
	}
}
