// Package parallel runs n calls at once, for tests and benchmarks of concurrent refreshes.
package parallel

import "sync"

// Run calls f(0) … f(n-1) concurrently, waits for all, and returns the first error.
func Run(n int, f func(i int) error) error {
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- f(i) }()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
