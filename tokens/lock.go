package tokens

import (
	"context"
	"errors"
)

// Locker is implemented by storages that can hold off other processes (or tabs, or worker
// instances) while one of them refreshes, so a login is refreshed once instead of once each.
type Locker interface {
	// Lock blocks until the caller holds the lock; unlock releases it. It may instead return
	// an error wrapping ErrStoredMeanwhile, holding nothing.
	Lock(ctx context.Context) (unlock func(), err error)
}

// ErrStoredMeanwhile is returned (wrapped) by a Lock that stopped waiting because the holder
// stored new tokens meanwhile: the caller does not hold the lock and should re-read storage,
// where the result it was waiting for now is, rather than refresh again.
var ErrStoredMeanwhile = errors.New("tokens: new tokens were stored while waiting for the refresh lock")

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

// SuccessorBlob is a Blob whose Load may return a value already replaced elsewhere (a KV read
// served from an edge location's cache), where a reader of the replaced value would then use a
// refresh token that no longer works. DocumentStorage saves a value that rotates a stored
// refresh token with SaveSuccessor instead of Save.
type SuccessorBlob interface {
	// SaveSuccessor is Save that also leaves the new value where a reader of the value it
	// replaces finds it (LoadSuccessor), for as long as such stale reads may last.
	SaveSuccessor(ctx context.Context, b []byte) error
	// LoadSuccessor returns the value that replaced the one last loaded, when the Blob knows
	// of one (ok=false otherwise); it may be slow.
	LoadSuccessor(ctx context.Context) (b []byte, ok bool, err error)
}

// Successors is implemented by storages whose reads may be stale. GetSuccessor returns the data
// of a resource server in the stored login that replaced the one last read, or nil when none is
// known. Callers use it before acting on a refusal that a stale read could explain, such as
// removing a login whose refresh token Globus refused.
type Successors interface {
	GetSuccessor(ctx context.Context, resourceServer string) (*Data, error)
}

// GetSuccessor implements Successors when the Blob is a SuccessorBlob (nil otherwise).
func (s *DocumentStorage) GetSuccessor(ctx context.Context, resourceServer string) (*Data, error) {
	sb, ok := s.Blob.(SuccessorBlob)
	if !ok {
		return nil, nil
	}
	b, ok, err := sb.LoadSuccessor(ctx)
	if err != nil || !ok {
		return nil, err
	}
	d, err := DecodeDocument(b)
	if err != nil {
		return nil, err
	}
	t, ok := d.Data[s.ns()][resourceServer]
	if !ok {
		return nil, nil
	}
	return &t, nil
}

// SaveSuccessor implements SuccessorBlob: it seals b and saves it with the SaveSuccessor of the
// Blob it encrypts, or its Save.
func (s SealedBlob) SaveSuccessor(ctx context.Context, b []byte) error {
	sb, ok := s.Blob.(SuccessorBlob)
	if !ok {
		return s.Save(ctx, b)
	}
	if s.Keys == nil {
		return ErrNoKeyring
	}
	return sb.SaveSuccessor(ctx, s.Keys.Seal(b, s.AdditionalData))
}

// LoadSuccessor implements SuccessorBlob when the Blob it encrypts does; a successor that does
// not open is an error wrapping ErrCorrupt.
func (s SealedBlob) LoadSuccessor(ctx context.Context) ([]byte, bool, error) {
	sb, ok := s.Blob.(SuccessorBlob)
	if !ok || s.Keys == nil {
		return nil, false, nil
	}
	b, ok, err := sb.LoadSuccessor(ctx)
	if err != nil || !ok {
		return nil, false, err
	}
	pt, err := s.Keys.Open(b, s.AdditionalData)
	if err != nil {
		return nil, false, err
	}
	return pt, true, nil
}

var (
	_ Successors    = (*DocumentStorage)(nil)
	_ SuccessorBlob = SealedBlob{}
)
