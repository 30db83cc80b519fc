package tokens

import "context"

// Locker is implemented by storages that can hold off other processes (or tabs, or worker
// instances) while one of them refreshes, so a login is refreshed once instead of once each.
type Locker interface {
	// Lock blocks until the caller holds the lock; unlock releases it.
	Lock(ctx context.Context) (unlock func(), err error)
}

// Lock implements Locker: it serializes this process, then takes the Blob's own lock when the
// Blob is a Locker (a file lock, Web Locks, a KV lease).
func (s *DocumentStorage) Lock(ctx context.Context) (func(), error) {
	s.refreshMu.Lock()
	l, ok := s.Blob.(Locker)
	if !ok {
		return s.refreshMu.Unlock, nil
	}
	unlock, err := l.Lock(ctx)
	if err != nil {
		s.refreshMu.Unlock()
		return nil, err
	}
	return func() { unlock(); s.refreshMu.Unlock() }, nil
}

// Lock implements Locker with the lock of the Blob it encrypts; a Blob that cannot lock gives a
// lock that holds nothing off (the DocumentStorage above still serializes its process).
func (s SealedBlob) Lock(ctx context.Context) (func(), error) {
	if l, ok := s.Blob.(Locker); ok {
		return l.Lock(ctx)
	}
	return func() {}, nil
}
