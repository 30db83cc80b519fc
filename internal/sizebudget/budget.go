// Package sizebudget holds the wasm modules to a committed size budget (bench/size-budget.json):
// the page's and the worker's module, gzip -9, as ./build.sh builds them. Its test fails when
// either grows by more than the budget's tolerance, so growth is a decision (an update of the
// file, with the reason in the commit) and never an accident.
//
// Update the budget deliberately, when a size legitimately changes:
//
//	go test ./internal/sizebudget -run TestWasmWithinBudget -update
package sizebudget

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
)

// Budget is the committed file.
type Budget struct {
	// Note says what the figures are and how to update them (for a reader of the file).
	Note string `json:"note"`
	// Go is the toolchain line the figures were measured with ("go1.26"): sizes move
	// between Go releases, so they are only compared on the same line.
	Go string `json:"go"`
	// TolerancePercent is how far above its figure a module may grow before the test fails.
	TolerancePercent int `json:"tolerance_percent"`
	// Modules maps a module's name ("page", "worker") to its measured sizes.
	Modules map[string]Size `json:"modules"`
}

// Size is one module's size in bytes: the budget is on Gzip; Raw is recorded for the reader.
type Size struct {
	Gzip int `json:"gzip"`
	Raw  int `json:"raw"`
}

// Load reads a budget file.
func Load(path string) (Budget, error) {
	var b Budget
	data, err := os.ReadFile(path)
	if err != nil {
		return b, fmt.Errorf("size budget: %w", err)
	}
	if err := json.Unmarshal(data, &b); err != nil {
		return b, fmt.Errorf("size budget %s: %w", path, err)
	}
	if b.TolerancePercent <= 0 || len(b.Modules) == 0 {
		return b, fmt.Errorf("size budget %s: no tolerance or no modules", path)
	}
	return b, nil
}

// Write stores the budget at path, indented, with a final newline.
func (b Budget) Write(path string) error {
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return fmt.Errorf("size budget: %w", err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("size budget: %w", err)
	}
	return nil
}

// Measure returns a module's size: raw, and gzip -9 with Go's compress/gzip (the figure the
// benchmarks report; the gzip command differs by a few bytes).
func Measure(module []byte) Size {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // the level is valid: no error
	w.Write(module)
	w.Close()
	return Size{Gzip: buf.Len(), Raw: len(module)}
}

// Limit is the largest gzip size the named module may have: its figure plus the tolerance.
func (b Budget) Limit(name string) (int, error) {
	m, ok := b.Modules[name]
	if !ok {
		return 0, fmt.Errorf("size budget has no module %q (it has %s)", name, strings.Join(slices.Sorted(maps.Keys(b.Modules)), ", "))
	}
	return m.Gzip + m.Gzip*b.TolerancePercent/100, nil
}

// Check returns an error when the named module's measured gzip size is over its limit,
// naming the growth in bytes and percent and how to accept it deliberately.
func (b Budget) Check(name string, got Size) error {
	limit, err := b.Limit(name)
	if err != nil {
		return err
	}
	if got.Gzip <= limit {
		return nil
	}
	want := b.Modules[name].Gzip
	return fmt.Errorf("%s wasm is %d bytes gzip -9, %+d bytes (%+.1f%%) over its budget of %d (limit %d at +%d%%): "+
		"cut the growth, or accept it deliberately with `go test ./internal/sizebudget -run TestWasmWithinBudget -update` and say why in the commit",
		name, got.Gzip, got.Gzip-want, Percent(got.Gzip, want), want, limit, b.TolerancePercent)
}

// Percent is how much larger got is than want, in percent (negative when smaller).
func Percent(got, want int) float64 {
	return 100 * float64(got-want) / float64(want)
}
