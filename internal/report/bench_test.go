package report

import (
	"io"
	"runtime"
	"runtime/metrics"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/demarc-sec/demarc/internal/engine"
)

// Writing 200k findings: time, allocations, and peak heap growth over the
// findings already in memory (the engine holds them; a streaming writer
// should add only its buffers).
//
//	go test ./internal/report -run '^$' -bench Write200k -benchmem
func BenchmarkWrite200k(b *testing.B) {
	fs := syntheticFindings(200_000)
	sum := engine.Summarize(fs, 150)
	for _, format := range []string{FormatJSON, FormatOCSF, FormatCSV, FormatSARIF, FormatASFF, FormatHTML} {
		b.Run(format, func(b *testing.B) {
			var bytesOut int64
			cpu0 := cpuTime()
			peak := peakHeap(b, func() {
				for b.Loop() {
					cw := &countWriter{}
					w, err := NewWriter(format, cw, testMeta(), Options{})
					if err != nil {
						b.Fatal(err)
					}
					if err := WriteAll(w, fs, sum); err != nil {
						b.Fatal(err)
					}
					bytesOut = cw.n
				}
			})
			b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
			b.ReportMetric(float64(bytesOut)/1e6, "MB-out/op")
			b.ReportMetric(float64(peak)/1e6, "peak-heap-MB")
		})
	}
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)

// peakHeap runs fn while sampling live heap bytes, and returns the peak
// above the level before fn (after a GC).
func peakHeap(b *testing.B, fn func()) uint64 {
	b.Helper()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	runtime.GC()
	base := read()
	var (
		mu   sync.Mutex
		peak = base
		stop = make(chan struct{})
		done = make(chan struct{})
	)
	go func() {
		defer close(done)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if v := read(); v > peak {
					mu.Lock()
					peak = v
					mu.Unlock()
				}
			}
		}
	}()
	fn()
	close(stop)
	<-done
	mu.Lock()
	defer mu.Unlock()
	return peak - base
}

// cpuTime is the process's user+system CPU time: on a shared machine it
// says more than wall-clock ns/op.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
