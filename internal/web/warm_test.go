package web_test

import (
	"context"
	"path/filepath"
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
