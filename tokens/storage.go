package tokens

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Storage keeps token data by resource server for one login. Implementations: DocumentStorage (a
// Document in a Blob: JSON file, localStorage key, KV value) and anything a user supplies.
type Storage interface {
	// Get returns the data for a resource server, or nil without error when there is none.
	Get(ctx context.Context, resourceServer string) (*Data, error)
	// StoreResponse stores every token of a response, replacing each resource server's entry
	// wholesale and keeping the others.
	StoreResponse(ctx context.Context, r *Response) error
	// Clear removes every token of this storage's namespace and reports what it held.
	Clear(ctx context.Context) (map[string]Data, error)
}

// StorageError is a failure of the storage under a Blob itself (a disk, Web Storage, KV), as
// opposed to data in it that cannot be read (ErrCorrupt).
type StorageError struct {
	Op  string // what was being done, e.g. "tokens: reading storage"
	Err error
}

func (e *StorageError) Error() string { return e.Op + ": " + e.Err.Error() }

// Unwrap returns the storage's error.
func (e *StorageError) Unwrap() error { return e.Err }

// Blob is one stored byte string: a file, a localStorage key, a KV value.
type Blob interface {
	// Load returns the bytes, or ok=false when nothing is stored.
	Load(ctx context.Context) (b []byte, ok bool, err error)
	// Save replaces the bytes; it must not leave a half-written value behind.
	Save(ctx context.Context, b []byte) error
	// Delete removes the value; deleting nothing is not an error.
	Delete(ctx context.Context) error
}

// DocumentStorage is a Storage keeping a Document in a Blob, one namespace of it. Every change is a
// read-modify-write of the whole document (other namespaces are kept). A corrupt document is
// reported with ErrCorrupt and never overwritten. Safe for concurrent use within a process.
type DocumentStorage struct {
	Blob      Blob
	Namespace string // empty means DefaultNamespace
	mu        sync.Mutex
	refreshMu sync.Mutex // held by Lock: one refresh at a time in this process
}

// NewDocumentStorage returns a DocumentStorage over b in the default namespace.
func NewDocumentStorage(b Blob) *DocumentStorage { return &DocumentStorage{Blob: b} }

func (s *DocumentStorage) ns() string {
	if s.Namespace == "" {
		return DefaultNamespace
	}
	return s.Namespace
}

// Load reads the whole document; a missing blob is an empty document.
func (s *DocumentStorage) Load(ctx context.Context) (*Document, error) {
	b, ok, err := s.Blob.Load(ctx)
	if err != nil {
		if errors.Is(err, ErrCorrupt) { // e.g. a sealed value that does not open
			return nil, fmt.Errorf("tokens: reading storage: %w", err)
		}
		return nil, &StorageError{Op: "tokens: reading storage", Err: err}
	}
	if !ok {
		return NewDocument(), nil
	}
	return DecodeDocument(b)
}

// Get implements Storage.
func (s *DocumentStorage) Get(ctx context.Context, resourceServer string) (*Data, error) {
	d, err := s.Load(ctx)
	if err != nil {
		return nil, err
	}
	t, ok := d.Data[s.ns()][resourceServer]
	if !ok {
		return nil, nil
	}
	return &t, nil
}

// StoreResponse implements Storage. A refresh response that carries no refresh token keeps
// the stored one, so a server that does not rotate never logs the user out.
func (s *DocumentStorage) StoreResponse(ctx context.Context, r *Response) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.Load(ctx)
	if err != nil {
		return err
	}
	return s.storeLocked(ctx, d, r)
}

// storeLocked puts r into d and saves it; s.mu is held.
func (s *DocumentStorage) storeLocked(ctx context.Context, d *Document, r *Response) error {
	byNS := d.Data[s.ns()]
	if byNS == nil {
		byNS = map[string]Data{}
		d.Data[s.ns()] = byNS
	}
	save := s.Blob.Save
	for rs, t := range r.ByResourceServer() {
		old, ok := byNS[rs]
		if ok && t.RefreshToken == "" {
			t.RefreshToken = old.RefreshToken
		}
		if sb, can := s.Blob.(SuccessorBlob); can && ok && old.RefreshToken != "" && t.RefreshToken != old.RefreshToken {
			save = sb.SaveSuccessor // the stored refresh token was rotated away
		}
		byNS[rs] = t
	}
	if err := save(ctx, d.Encode()); err != nil {
		return &StorageError{Op: "tokens: writing storage", Err: err}
	}
	return nil
}

// Clear implements Storage. The blob is deleted when no namespace is left. A corrupt
// document is reported (ErrCorrupt) and left in place.
func (s *DocumentStorage) Clear(ctx context.Context) (map[string]Data, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.Load(ctx) // a corrupt document is reported, not deleted: the user decides
	if err != nil {
		return nil, err
	}
	old := d.Data[s.ns()]
	delete(d.Data, s.ns())
	if len(d.Data) == 0 {
		err = s.Blob.Delete(ctx)
	} else {
		err = s.Blob.Save(ctx, d.Encode())
	}
	if err != nil {
		return nil, &StorageError{Op: "tokens: clearing storage", Err: err}
	}
	return old, nil
}

// MemoryBlob is a Blob in memory, for tests and for pages that keep nothing.
type MemoryBlob struct {
	mu sync.Mutex
	b  []byte
	ok bool
}

// Load implements Blob.
func (m *MemoryBlob) Load(context.Context) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]byte(nil), m.b...), m.ok, nil
}

// Save implements Blob.
func (m *MemoryBlob) Save(_ context.Context, b []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.b, m.ok = append([]byte(nil), b...), true
	return nil
}

// Delete implements Blob.
func (m *MemoryBlob) Delete(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.b, m.ok = nil, false
	return nil
}
