package kvstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/globus-edge/globus-edge/tokens"
)

// WriteInterval is Cloudflare KV's same-key rule: at most one write (put or delete) to a key per
// second, on every plan. A faster write fails with HTTP 429.
const WriteInterval = time.Second

// ErrRateLimited marks a write KV refused because the key was written less than WriteInterval
// ago (Cloudflare's 429). Errors wrapping it, or carrying the binding's "429 Too Many Requests"
// text, are what RateLimited recognises.
var ErrRateLimited = errors.New("kv: 429 Too Many Requests (more than one write to the same key per second)")

// RateLimitError is a refused same-key write that knows when the key may be written again
// (Cloud does; Cloudflare's binding only says 429). It matches ErrRateLimited.
type RateLimitError struct {
	// RetryAfter is how long until the key accepts a write; 0 means unknown (WriteInterval).
	RetryAfter time.Duration
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("%v; the key accepts a write again in %v", ErrRateLimited, e.RetryAfter)
}

// Is makes a RateLimitError match ErrRateLimited.
func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

// RateLimited reports whether err is KV's refusal of a same-key write and how long to wait
// before writing the key again. Besides ErrRateLimited it recognises the text Cloudflare's
// binding throws ("KV PUT failed: 429 Too Many Requests"), so a host adapter that passes the
// binding's error on needs no mapping of its own.
func RateLimited(err error) (bool, time.Duration) {
	if err == nil {
		return false, 0
	}
	if rl, ok := errors.AsType[*RateLimitError](err); ok && rl.RetryAfter > 0 {
		return true, rl.RetryAfter
	}
	if errors.Is(err, ErrRateLimited) || strings.Contains(err.Error(), "429 Too Many Requests") {
		return true, WriteInterval
	}
	return false, 0
}

// writeAttempts bounds the tries of a write KV refuses as too soon: each retry waits for the
// key's next second, so a write loses to at most two others landing in the seconds before it.
const writeAttempts = 3

// writeRetrying runs write (a put or delete of one key) and, when KV refuses it as a second
// write to the key within WriteInterval, waits until the key accepts a write and tries again.
func writeRetrying(ctx context.Context, write func() error) error {
	for attempt := 1; ; attempt++ {
		err := write()
		limited, wait := RateLimited(err)
		if !limited || attempt == writeAttempts {
			return err
		}
		if err := sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error { return tokens.Sleep(ctx, d) }
