package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat (100 on Linux).
const clockTicks = 100

// treeCPU is the user+system CPU time used so far by process pid and all its descendants
// (node and the workerd it started), read from /proc. Linux only.
func treeCPU(pid int) (time.Duration, error) {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	parent := map[int]int{}
	ticks := map[int]int64{}
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // the process ended meanwhile
		}
		// Fields after the command name, which is in parentheses and may hold spaces.
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		fields := strings.Fields(s[i+1:])
		if len(fields) < 13 {
			continue
		}
		p, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(filepath.Dir(f), "/proc/"), "/"))
		pp, _ := strconv.Atoi(fields[1])
		ut, _ := strconv.ParseInt(fields[11], 10, 64)
		st, _ := strconv.ParseInt(fields[12], 10, 64)
		parent[p], ticks[p] = pp, ut+st
	}
	if _, ok := ticks[pid]; !ok {
		return 0, fmt.Errorf("process %d not found in /proc", pid)
	}
	var total int64
	for p := range ticks {
		for q := p; q > 1; q = parent[q] {
			if q == pid {
				total += ticks[p]
				break
			}
		}
	}
	return time.Duration(total) * time.Second / clockTicks, nil
}
