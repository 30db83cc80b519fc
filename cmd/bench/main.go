//go:build !(js && wasm)

// Command bench measures globus-edge beside its baselines in one run and writes BENCHMARKS.md
// and bench.json (./build.sh bench). Every figure has a baseline measured in the same run and
// is reported as a ratio; nothing here passes or fails on time. It starts and stops everything
// it needs (fake Globus, static servers, workerd) and leaves nothing running.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

// Row is one figure: ours beside its baseline.
type Row struct {
	Section    string  `json:"section"`
	Figure     string  `json:"figure"`
	Unit       string  `json:"unit"`
	Ours       float64 `json:"ours"`
	Baseline   float64 `json:"baseline"`
	BaseName   string  `json:"baseline_name"`
	Conditions string  `json:"conditions"`
}

// Ratio is ours / baseline (0 when the baseline is 0).
func (r Row) Ratio() float64 {
	if r.Baseline == 0 {
		return 0
	}
	return r.Ours / r.Baseline
}

type bench struct {
	quick bool
	runs  int // repetitions for timed figures
	rows  []Row
	notes []string
}

func (b *bench) add(r Row) {
	b.rows = append(b.rows, r)
	fmt.Printf("%-10s %-58s ours %12.2f %-6s baseline %12.2f  ratio %.2f\n", r.Section, r.Figure, r.Ours, r.Unit, r.Baseline, r.Ratio())
}

func (b *bench) note(format string, args ...any) {
	b.notes = append(b.notes, fmt.Sprintf(format, args...))
}

func main() {
	quick := flag.Bool("quick", false, "one iteration of everything (CI smoke)")
	out := flag.String("out", "BENCHMARKS.md", "markdown report")
	jsonOut := flag.String("json", "bench.json", "JSON report")
	only := flag.String("only", "", "comma-separated sections to run (size,page,worker,jsworker,roundtrips,cli; soak: the worker's soak alone, part of worker)")
	runs := flag.Int("runs", 0, "repetitions of each timed figure (default 15; 1 with -quick)")
	renderOnly := flag.Bool("render", false, "run nothing: write the markdown report again from the JSON report's figures and bench/analysis.md")
	flag.Parse()
	if *renderOnly {
		if err := render(*out, *jsonOut); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	b := &bench{quick: *quick, runs: 15}
	if *quick {
		b.runs = 1
	}
	if *runs > 0 {
		b.runs = *runs
	}
	sections := []struct {
		name string
		run  func(*bench) error
		// part: the section is part of another, run alone only when named in -only.
		part bool
	}{
		{"size", (*bench).sizes, false},
		{"page", (*bench).page, false},
		{"worker", (*bench).worker, false},
		{"jsworker", (*bench).jsWorker, false},
		{"roundtrips", (*bench).roundTrips, false},
		{"cli", (*bench).cli, false},
		{"soak", (*bench).workerSoak, true},
	}
	failed := false
	for _, s := range sections {
		named := strings.Contains(","+*only+",", ","+s.name+",")
		if (*only != "" || s.part) && !named {
			continue
		}
		start := time.Now()
		if err := s.run(b); err != nil {
			fmt.Fprintf(os.Stderr, "bench: %s: %v\n", s.name, err)
			failed = true
			continue
		}
		fmt.Printf("-- %s done in %s\n", s.name, time.Since(start).Round(time.Millisecond))
	}
	if err := b.write(*out, *jsonOut); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		failed = true
	}
	if failed {
		os.Exit(1)
	}
}

func machine() string {
	return fmt.Sprintf("%s/%s, %d cores, %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
}
