package kvstore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/globus-edge/globus-edge/tokens"
)

// failingKV fails every call, as an unbound or overloaded namespace does.
type failingKV struct{}

var errDown = errors.New("kv down")

func (failingKV) Get(context.Context, string) (string, bool, error)        { return "", false, errDown }
func (failingKV) Put(context.Context, string, string, time.Duration) error { return errDown }
func (failingKV) Delete(context.Context, string) error                     { return errDown }

// TestFailuresAreStorageErrors: every failure of the store is a *tokens.StorageError, the mark
// the core classifies as a storage failure (not corrupt data, not a bug).
func TestFailuresAreStorageErrors(t *testing.T) {
	ctx := context.Background()
	s := Session(failingKV{}, "sid", time.Hour)
	_, _, lerr := s.Load(ctx)
	_, kerr := s.Lock(ctx)
	for _, err := range []error{lerr, s.Save(ctx, []byte("x")), s.Delete(ctx), kerr} {
		var se *tokens.StorageError
		if !errors.As(err, &se) || !errors.Is(err, errDown) {
			t.Errorf("%v is not a StorageError wrapping the store's error", err)
		}
	}
	if SessionKey("sid") == LeaseKey("sid") || s.Key() != SessionKey("sid") {
		t.Error("session and lease keys must differ")
	}
}
