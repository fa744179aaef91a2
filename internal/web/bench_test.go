package web_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/demarc-sec/demarc/internal/store"
	"github.com/demarc-sec/demarc/internal/web"
	"github.com/demarc-sec/demarc/internal/web/webtest"
)

// Server time of the pages over a store with two scans of 100,000 findings
// each (the newer compared with the older for new-since-last) and an
// inventory of 25,000 resources:
//
//	go test ./internal/web -run '^$' -bench . -benchmem
//	go test ./internal/web -run '^$' -bench FirstVisit -benchtime 10x -count 3
//
// cpu-ms/op is the process's CPU time per page (garbage collection
// included): on a shared machine it says more than wall-clock ns/op.
// BenchmarkFirstVisit measures every page as the first request for a scan
// nothing was loaded for (a fresh server each time); the others measure
// the warm server.

var big struct {
	once     sync.Once
	dir      string
	st       store.Store
	old, cur store.Scan
	err      error
}

const bigN = 100_000

func bigStore(b *testing.B) (store.Store, store.Scan) {
	b.Helper()
	big.once.Do(func() {
		ctx := context.Background()
		if big.dir, big.err = os.MkdirTemp("", "demarc-web-bench-"); big.err != nil {
			return
		}
		if big.st, big.err = store.Open(ctx, filepath.Join(big.dir, "big.db")); big.err != nil {
			return
		}
		t0 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
		if big.old, big.err = webtest.Synthetic(ctx, big.st, "777788889999", t0, bigN); big.err != nil {
			return
		}
		big.cur, big.err = webtest.Synthetic(ctx, big.st, "777788889999", t0.Add(24*time.Hour), bigN+40)
	})
	if big.err != nil {
		b.Fatal(big.err)
	}
	return big.st, big.cur
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchPages(b *testing.B, h http.Handler, pages map[string]string) {
	for name, p := range pages {
		b.Run(name, func(b *testing.B) {
			if r := get(h, p); r.code != http.StatusOK { // warm the scan's cache
				b.Fatalf("%s: %d %.200s", p, r.code, r.body)
			}
			cpu0 := cpuTime()
			for b.Loop() {
				if r := get(h, p); r.code != http.StatusOK {
					b.Fatalf("%s: %d", p, r.code)
				}
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}

func BenchmarkFindingsPage(b *testing.B) {
	st, sc := bigStore(b)
	h := handler(b, web.Options{Store: st})
	f := fmt.Sprintf("/s/%d/findings", sc.ID)
	benchPages(b, h, map[string]string{
		"first":        f,
		"last":         f + "?page=2001",
		"status":       f + "?status=FAIL&severity=high",
		"search":       f + "?q=finding+4242",
		"resource":     f + "?resource=i-0000000012",
		"new":          f + "?new=1",
		"control":      f + "?control=cis-aws-5.0:1.4",
		"recorded-500": f + "?order=recorded&size=500&page=50",
	})
}

// The same pages when the scan is not indexed: filtered by the store.
func BenchmarkFindingsPageSQL(b *testing.B) {
	st, sc := bigStore(b)
	h := handler(b, web.Options{Store: st, MaxIndexedFindings: 1})
	f := fmt.Sprintf("/s/%d/findings", sc.ID)
	benchPages(b, h, map[string]string{
		"first":  f,
		"status": f + "?status=FAIL&severity=high",
		"search": f + "?q=finding+4242",
	})
}

func BenchmarkPages(b *testing.B) {
	st, sc := bigStore(b)
	h := handler(b, web.Options{Store: st})
	s := fmt.Sprintf("/s/%d", sc.ID)
	benchPages(b, h, map[string]string{
		"overview":         "/",
		"scans":            "/scans",
		"scan":             s + "/",
		"framework":        s + "/frameworks/cis-aws-5.0",
		"matrix":           s + "/matrix",
		"finding":          s + "/findings/4242",
		"inventory":        s + "/inventory",
		"inventory-search": s + "/inventory?q=i-00000000012",
		"graph":            s + "/graph/privesc",
		"graph-api":        s + "/api/graph/privesc",
	})
}

// A fresh server per request, so every page is its first visit of the
// scan: nothing is cached, as for any scan other than each account's
// latest (which serve warms at start). The scan has a previous one, so
// new-since-last is computed too.
func BenchmarkFirstVisit(b *testing.B) {
	st, sc := bigStore(b)
	s := fmt.Sprintf("/s/%d", sc.ID)
	f := s + "/findings"
	for name, p := range map[string]string{
		"overview":          "/",
		"scans":             "/scans",
		"scan":              s + "/",
		"framework":         s + "/frameworks/cis-aws-5.0",
		"matrix":            s + "/matrix",
		"findings":          f,
		"findings-last":     f + "?page=2001",
		"findings-status":   f + "?status=FAIL&severity=high",
		"findings-search":   f + "?q=finding+4242",
		"findings-resource": f + "?resource=i-0000000012",
		"findings-new":      f + "?new=1",
		"findings-control":  f + "?control=cis-aws-5.0:1.4",
		"finding":           s + "/findings/4242",
		"inventory":         s + "/inventory",
		"inventory-search":  s + "/inventory?q=i-00000000012",
		"graph":             s + "/graph/privesc",
		"graph-api":         s + "/api/graph/privesc",
	} {
		b.Run(name, func(b *testing.B) {
			cpu0 := cpuTime()
			for b.Loop() {
				h := handler(b, web.Options{Store: st})
				if r := get(h, p); r.code != http.StatusOK {
					b.Fatalf("%s: %d", p, r.code)
				}
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}
