package kit

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/demarc-sec/demarc/internal/collect/aws"
)

func TestPerRegionOrderErrorsAndPanics(t *testing.T) {
	env := &aws.Env{AccountID: "111122223333"}
	regions := []string{"a", "b", "c"}
	var inFlight, peak atomic.Int32
	out, err := PerRegion(context.Background(), env, "svc", regions, 2, func(_ context.Context, r string) (string, error) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		switch r {
		case "b":
			panic("boom")
		case "c":
			return "c!", errors.New("denied")
		}
		return r + "!", nil
	})
	if err != nil {
		t.Fatalf("one region succeeded, err = %v", err)
	}
	if out[0] != "a!" || out[1] != "" || out[2] != "c!" {
		t.Errorf("out = %q", out)
	}
	if peak.Load() > 2 {
		t.Errorf("peak concurrency %d > 2", peak.Load())
	}
	errs := env.Errors()
	if len(errs) != 1 || errs[0].Region != "b" || !strings.Contains(errs[0].Detail, "boom") {
		t.Errorf("recorded = %+v", errs)
	}

	_, err = PerRegion(context.Background(), env, "svc", regions, 0, func(context.Context, string) (int, error) {
		return 0, errors.New("denied")
	})
	if err == nil || !strings.Contains(err.Error(), "every region failed") {
		t.Errorf("all failed: err = %v", err)
	}
}

func TestEachRepanics(t *testing.T) {
	defer func() {
		if p := recover(); p == nil || !strings.Contains(p.(error).Error(), "item 3") {
			t.Errorf("recovered %v", p)
		}
	}()
	var done atomic.Int32
	Each(context.Background(), 5, 2, func(_ context.Context, i int) {
		done.Add(1)
		if i == 3 {
			panic("item 3")
		}
	})
	t.Error("Each did not re-panic")
}

type page struct {
	items []int
	next  *string
}

func TestTokens(t *testing.T) {
	s := func(v string) *string { return &v }
	pages := map[string]page{"": {[]int{1}, s("x")}, "x": {[]int{2}, s("y")}, "y": {[]int{3}, nil}}
	got, err := Tokens(context.Background(), func(_ context.Context, tok *string) ([]int, *string, error) {
		k := ""
		if tok != nil {
			k = *tok
		}
		p := pages[k]
		return p.items, p.next, nil
	})
	if err != nil || len(got) != 3 || got[2] != 3 {
		t.Fatalf("got %v, %v", got, err)
	}
	// A token that comes back is a loop, not more data.
	_, err = Tokens(context.Background(), func(context.Context, *string) ([]int, *string, error) { return []int{1}, s("same"), nil })
	if err == nil {
		t.Fatal("repeated token accepted")
	}
}

type fakePager struct{ pages [][]int }

func (f *fakePager) more() bool { return len(f.pages) > 0 }
func (f *fakePager) next(context.Context, ...func(*struct{})) ([]int, error) {
	p := f.pages[0]
	f.pages = f.pages[1:]
	if p == nil {
		return nil, errors.New("page failed")
	}
	return p, nil
}

func TestAllNeverPartial(t *testing.T) {
	p := &fakePager{pages: [][]int{{1, 2}, {3}}}
	got, err := All(context.Background(), p.more, p.next, func(v []int) []int { return v })
	if err != nil || len(got) != 3 {
		t.Fatalf("got %v, %v", got, err)
	}
	p = &fakePager{pages: [][]int{{1, 2}, nil, {3}}}
	got, err = All(context.Background(), p.more, p.next, func(v []int) []int { return v })
	if err == nil || got != nil {
		t.Fatalf("a failed page must fail the list: got %v, %v", got, err)
	}
}
