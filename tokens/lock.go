package tokens

import "context"

// Locker is implemented by storages that can hold off other processes (or tabs) while one of
// them refreshes, so a login is refreshed once instead of once per process.
type Locker interface {
	// Lock blocks until the caller holds the lock; unlock releases it.
	Lock(ctx context.Context) (unlock func(), err error)
}

// Lock implements Locker when the Blob (or the Blob a SealedBlob encrypts) does; otherwise it
// only serializes this process.
func (s *Store) Lock(ctx context.Context) (func(), error) {
	b := s.Blob
	if sb, ok := b.(SealedBlob); ok {
		b = sb.Blob
	}
	if l, ok := b.(Locker); ok {
		return l.Lock(ctx)
	}
	s.refreshMu.Lock()
	return s.refreshMu.Unlock, nil
}
