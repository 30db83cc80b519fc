package tokens

import (
	"context"
	"errors"
	"fmt"
)

// ErrNoRecord is a renewal that found nothing to update: the login was removed (logged out)
// while the renewal was in flight.
var ErrNoRecord = errors.New("tokens: no stored login to update (logged out meanwhile)")

// Updater is implemented by storages that can store a renewal only while the login it renews
// is still stored, in one step.
type Updater interface {
	// UpdateResponse stores r like StoreResponse if every resource server of r already has an
	// entry; otherwise it changes nothing and returns ErrNoRecord.
	UpdateResponse(ctx context.Context, r *Response) error
}

// UpdateResponse implements Updater. A renewal never creates a record: one that finishes
// after a logout must not bring the login back (a missing record reads as an empty document,
// which StoreResponse would happily fill).
func (s *DocumentStorage) UpdateResponse(ctx context.Context, r *Response) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.Load(ctx)
	if err != nil {
		return err
	}
	byNS := d.Data[s.ns()]
	for rs := range r.ByResourceServer() {
		if _, ok := byNS[rs]; !ok {
			return ErrNoRecord
		}
	}
	return s.storeLocked(ctx, d, r)
}

// Update stores a renewal in st: through Updater when st has it, else (for storages supplied
// by users) by checking that a record exists first, which is exact only under the refresh lock.
func Update(ctx context.Context, st Storage, r *Response) error {
	if u, ok := st.(Updater); ok {
		return u.UpdateResponse(ctx, r)
	}
	for rs := range r.ByResourceServer() {
		d, err := st.Get(ctx, rs)
		if err != nil {
			return fmt.Errorf("tokens: reading storage before a renewal: %w", err)
		}
		if d == nil {
			return ErrNoRecord
		}
	}
	return st.StoreResponse(ctx, r)
}
