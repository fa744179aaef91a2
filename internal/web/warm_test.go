package web_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/demarc-sec/demarc/internal/store"
	"github.com/demarc-sec/demarc/internal/web"
	"github.com/demarc-sec/demarc/internal/web/webtest"
)

func TestWarm(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "warm.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var latest []store.Scan
	for i, acct := range []string{"111111111111", "222222222222", "333333333333"} {
		if _, err := webtest.Synthetic(ctx, st, acct, t0, 100); err != nil {
			t.Fatal(err)
		}
		sc, err := webtest.Synthetic(ctx, st, acct, t0.Add(time.Hour), 200+i*1000)
		if err != nil {
			t.Fatal(err)
		}
		latest = append(latest, sc)
	}
	// Room for the first two latest scans only.
	s, err := web.New(web.Options{Store: st, MaxIndexedFindings: 1500})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	total := 0
	for i, sc := range latest {
		cached, scored, indexed, n := s.CacheState(sc.ID)
		total = n
		if !cached || !scored {
			t.Errorf("scan %d: cached %v, scores loaded %v", sc.ID, cached, scored)
		}
		if indexed != (i < 2) {
			t.Errorf("scan %d (%d findings): indexed %v", sc.ID, sc.Summary.Total, indexed)
		}
	}
	if total != 200+1200 {
		t.Errorf("%d findings indexed", total)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Warm(cctx); err == nil {
		t.Error("Warm ignored a cancelled context")
	}
}

// Many requests at once over scans that do not all fit the index budget:
// the cache evicts and rebuilds under load and every page stays right.
func TestConcurrentRequests(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "conc.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var scans []store.Scan
	for i := 0; i < 4; i++ {
		sc, err := webtest.Synthetic(ctx, st, "111111111111", t0.Add(time.Duration(i)*time.Hour), 400+100*i)
		if err != nil {
			t.Fatal(err)
		}
		scans = append(scans, sc)
	}
	s, err := web.New(web.Options{Store: st, MaxIndexedFindings: 1000})
	if err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 12; i++ {
				sc := scans[(w+i)%len(scans)]
				for _, p := range []string{"/", fmt.Sprintf("/s/%d/findings?status=FAIL", sc.ID), fmt.Sprintf("/s/%d/matrix", sc.ID),
					fmt.Sprintf("/s/%d/findings?q=finding+1", sc.ID), fmt.Sprintf("/s/%d/api/graph/exposure", sc.ID)} {
					r := get(h, p)
					if r.code != 200 {
						errs <- fmt.Sprintf("%s: %d", p, r.code)
						return
					}
					if strings.Contains(p, "status=FAIL") {
						want := fmt.Sprintf("%s matching", thousandsOf(sc.Summary.ByStatus["FAIL"]))
						if !strings.Contains(r.body, want) {
							errs <- fmt.Sprintf("%s: lacks %q", p, want)
							return
						}
					}
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	total := 0
	for _, sc := range scans {
		_, _, _, total = s.CacheState(sc.ID)
	}
	if total > 1000 {
		t.Errorf("%d findings indexed, budget 1000", total)
	}
}

func thousandsOf(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
