package workerload

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/globus-edge/globus-edge/internal/siteclient"
)

// Instance asks the worker's test build (worker/testworker, GET /__test/instance: "ID N
// BYTES") which Go instance answered: its id, how many requests it served and the size of its
// linear memory.
func Instance(c *siteclient.Client) (id string, served, memory int, err error) {
	r, err := c.Get("/__test/instance")
	if err != nil {
		return "", 0, 0, err
	}
	f := strings.Fields(r.Body)
	if r.StatusCode != 200 || len(f) != 3 {
		return "", 0, 0, fmt.Errorf("/__test/instance answered %d %q", r.StatusCode, r.Body)
	}
	if served, err = strconv.Atoi(f[1]); err == nil {
		memory, err = strconv.Atoi(f[2])
	}
	if err != nil {
		return "", 0, 0, fmt.Errorf("/__test/instance answered %q: %w", r.Body, err)
	}
	return f[0], served, memory, nil
}
