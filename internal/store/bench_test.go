package store

import (
	"context"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"syscall"
	"testing"
	"time"

	"github.com/demarc-sec/demarc/internal/checks"
)

// Recording a 200k-finding scan in SQLite (a fresh file per iteration):
//
//	go test ./internal/store -run '^$' -bench SaveScan200k -benchmem
func BenchmarkSaveScan200k(b *testing.B) {
	fs := findingsOf("111111111111", 200_000, func(i int) checks.Status {
		return []checks.Status{checks.Fail, checks.Pass, checks.Unknown, checks.Manual}[i%4]
	})
	ctx := context.Background()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	runtime.GC()
	base, peak := read(), read()
	stop := make(chan struct{})
	go func() {
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if v := read(); v > peak {
					peak = v
				}
			}
		}
	}()
	cpu0 := cpuTime()
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		s, err := Open(ctx, filepath.Join(dir, "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := s.SaveScan(ctx, scanOf("111111111111", t0, "us-east-1"), fs); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
	close(stop)
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(peak-base)/1e6, "peak-heap-MB")
}

// cpuTime is the process's user+system CPU time: on a shared machine it
// says more than wall-clock ns/op.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
