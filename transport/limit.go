package transport

import (
	"errors"
	"io"
)

// MaxBodySize caps every response body read from Globus (4 MiB). Real answers are a few KB
// (a token response, a list of groups); the cap keeps a broken or hostile server, or a
// proxy's error page, from exhausting a worker's or a page's memory.
const MaxBodySize = 4 << 20

// ErrBodyTooLarge is a response body over MaxBodySize. It is not retried.
var ErrBodyTooLarge = errors.New("response body larger than 4 MiB (refused)")

// readBody reads r, refusing more than MaxBodySize bytes without reading further.
func readBody(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxBodySize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxBodySize {
		return nil, ErrBodyTooLarge
	}
	return b, nil
}
