//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/globus-edge/globus-edge/auth"
	"github.com/globus-edge/globus-edge/tokens"
)

// errNoLogin means a login was to be finished but this tab has none in progress: it was
// started in another tab, already finished (a reload or a replayed redirect), or never begun.
var errNoLogin = errors.New("no login in progress in this tab (it may have been finished already): start the login again")

// flowStore keeps the login in progress (auth.Flow as JSON) in sessionStorage, so it
// survives the redirect to Globus Auth and back but never leaves the tab.
type flowStore struct {
	blob tokens.Blob
}

// save keeps f, replacing any earlier login in progress.
func (s flowStore) save(ctx context.Context, f *auth.Flow) error {
	b, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("saving the login in progress: %w", err)
	}
	if err := s.blob.Save(ctx, b); err != nil {
		return fmt.Errorf("saving the login in progress: %w", err)
	}
	return nil
}

// take returns the login in progress and removes it first, so it is used at most once
// whatever the outcome (a failed exchange, a state mismatch, a replayed redirect).
func (s flowStore) take(ctx context.Context) (*auth.Flow, error) {
	b, ok, err := s.blob.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the login in progress: %w", err)
	}
	if err := s.blob.Delete(ctx); err != nil {
		return nil, fmt.Errorf("removing the login in progress: %w", err)
	}
	if !ok {
		return nil, errNoLogin
	}
	var f auth.Flow
	if err := json.Unmarshal(b, &f); err != nil || f.State == "" || f.Verifier == "" {
		return nil, fmt.Errorf("%w (the stored one is unreadable)", errNoLogin)
	}
	return &f, nil
}
