package service

import (
	"context"
	"time"
)

// SetRetrySleep makes h's retries call sleep instead of waiting, so a fault suite can record
// the waits (a Retry-After honoured) without spending them.
func SetRetrySleep(h *Handler, sleep func(ctx context.Context, d time.Duration) error) {
	h.sleep = sleep
}
