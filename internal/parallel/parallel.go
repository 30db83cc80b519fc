// Package parallel runs n calls at once, for tests and benchmarks of concurrent refreshes.
package parallel

import (
	"errors"
	"sync"
)

// Run calls f(0) … f(n-1) concurrently, waits for all, and returns their errors joined (nil
// when every call succeeded).
func Run(n int, f func(i int) error) error {
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { errs[i] = f(i) })
	}
	wg.Wait()
	return errors.Join(errs...)
}
