package store

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/demarc-sec/demarc/internal/checks"
)

// The dashboard's queries and artifacts run on both backends, like the rest
// of the store.

func querier(t testing.TB, s Store) Querier {
	t.Helper()
	q, ok := AsQuerier(s)
	if !ok {
		t.Fatalf("%T does not implement Querier", s)
	}
	return q
}

// refsOf returns the rule refs whose rule ID is one of ids.
func refsOf(st ScanStats, ids ...string) []int64 {
	var out []int64
	for ref, m := range st.Rules {
		if slices.Contains(ids, m.RuleID) {
			out = append(out, ref)
		}
	}
	slices.Sort(out)
	return out
}

func TestQuery(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn)
		q := querier(t, s)

		// Older scan: every finding FAILs except those at i%5 == 0.
		older := findingsOf("111111111111", 300, func(i int) checks.Status {
			if i%5 == 0 {
				return checks.Pass
			}
			return checks.Fail
		})
		scOld, err := s.SaveScan(ctx, scanOf("111111111111", t0, "us-east-1"), older)
		if err != nil {
			t.Fatal(err)
		}
		// Newer scan: statuses rotate; one hostile message; one suppressed.
		newer := findingsOf("111111111111", 300, func(i int) checks.Status {
			return []checks.Status{checks.Fail, checks.Pass, checks.Unknown, checks.Manual}[i%4]
		})
		newer[8].Message = `100% of <img src=x onerror=alert(1)> under_score`
		newer[12].Suppressed, newer[12].SuppressReason = true, "accepted"
		sc, err := s.SaveScan(ctx, scanOf("111111111111", t0.Add(time.Hour), "us-east-1"), newer)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveScan(ctx, scanOf("222222222222", t0, "eu-west-1"), newer[:3]); err != nil {
			t.Fatal(err)
		}

		accts, err := q.Accounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(accts) != 2 || accts[0].AccountID != "111111111111" || accts[0].Scans != 2 ||
			!accts[0].LatestScan.Equal(t0.Add(time.Hour).Truncate(time.Microsecond)) || accts[1].Scans != 1 {
			t.Errorf("accounts %+v", accts)
		}

		st, err := q.ScanStats(ctx, sc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Rules) != 3 {
			t.Fatalf("rules %+v", st.Rules)
		}
		total, supp := 0, 0
		byStatus := map[checks.Status]int{}
		for _, c := range st.Counts {
			total += c.N
			byStatus[c.Status] += c.N
			if c.Suppressed {
				supp += c.N
			}
			if _, ok := st.Rules[c.RuleRef]; !ok {
				t.Errorf("count row with unknown rule ref %d", c.RuleRef)
			}
		}
		if total != 300 || supp != 1 || byStatus[checks.Fail] != 75 || byStatus[checks.Unknown] != 75 {
			t.Errorf("stats total %d suppressed %d by status %v", total, supp, byStatus)
		}
		for _, m := range st.Rules {
			if m.RuleID == "iam-root-access-keys" && (m.Severity != checks.Critical || !reflect.DeepEqual(m.Frameworks["cis-aws-5.0"], []string{"1.3"})) {
				t.Errorf("rule meta %+v", m)
			}
		}
		if _, err := q.ScanStats(ctx, 9999); !errors.Is(err, ErrNotFound) {
			t.Errorf("stats of a missing scan: %v", err)
		}

		page := func(fq FindingQuery) FindingPage {
			t.Helper()
			fq.ScanID = sc.ID
			p, err := q.QueryFindings(ctx, fq)
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		tru, fal := true, false
		cases := []struct {
			name  string
			q     FindingQuery
			total int
			check func(StoredFinding) bool
		}{
			{"all", FindingQuery{}, 300, nil},
			{"status", FindingQuery{Statuses: []checks.Status{checks.Unknown}}, 75, func(f StoredFinding) bool { return f.Status == checks.Unknown }},
			{"two statuses", FindingQuery{Statuses: []checks.Status{checks.Unknown, checks.Manual}}, 150, nil},
			{"rule", FindingQuery{RuleRefs: refsOf(st, "ec2-imdsv2")}, 100, func(f StoredFinding) bool { return f.RuleID == "ec2-imdsv2" }},
			{"no rule", FindingQuery{RuleRefs: []int64{}}, 0, nil},
			{"region", FindingQuery{Regions: []string{"global"}}, 100, func(f StoredFinding) bool { return f.Region == "global" }},
			{"resource any case", FindingQuery{Resource: "BUCKET-0001"}, 10, nil}, // bucket-00010 … bucket-00019
			{"text in message", FindingQuery{Text: "<IMG SRC"}, 1, func(f StoredFinding) bool { return f.Seq == 9 }},
			{"text percent is literal", FindingQuery{Text: "100%"}, 1, nil},
			{"text underscore is literal", FindingQuery{Text: "under_score"}, 1, nil},
			{"text in title", FindingQuery{Text: "title of s3-"}, 100, nil},
			{"text in rule ID", FindingQuery{Text: "IMDSV2"}, 100, nil},
			{"suppressed", FindingQuery{Suppressed: &tru}, 1, func(f StoredFinding) bool { return f.Suppressed && f.SuppressReason == "accepted" }},
			{"unsuppressed", FindingQuery{Suppressed: &fal}, 299, nil},
			{"new needs a previous scan", FindingQuery{NewOnly: true}, 0, nil},
			{"combined", FindingQuery{Statuses: []checks.Status{checks.Fail}, RuleRefs: refsOf(st, "iam-root-access-keys"), Regions: []string{"global"}}, 25, nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				p := page(c.q)
				if p.Total != c.total {
					t.Errorf("total %d, want %d", p.Total, c.total)
				}
				if len(p.Findings) != min(c.total, DefaultPageSize) {
					t.Errorf("%d findings on the page", len(p.Findings))
				}
				for _, f := range p.Findings {
					if c.check != nil && !c.check(f) {
						t.Errorf("finding %+v does not match", f)
					}
				}
			})
		}

		// The default order: FAIL first, most severe first, then recorded order.
		p := page(FindingQuery{Limit: 300})
		rank := func(f StoredFinding) [3]int {
			st := map[checks.Status]int{checks.Fail: 0, checks.Unknown: 1, checks.Manual: 2, checks.Pass: 3}[f.Status]
			return [3]int{st, 4 - f.Severity.Rank(), f.Seq}
		}
		for i := 1; i < len(p.Findings); i++ {
			a, b := rank(p.Findings[i-1]), rank(p.Findings[i])
			if slices.Compare(a[:], b[:]) >= 0 {
				t.Fatalf("order: %v before %v", a, b)
			}
		}
		// Recorded order, paged: pages tile the scan without overlap.
		var seqs []int
		for off := 0; off < 300; off += 70 {
			pg := page(FindingQuery{Order: OrderRecorded, Offset: off, Limit: 70})
			if pg.Total != 300 || pg.Offset != off {
				t.Fatalf("page at %d: %+v", off, pg)
			}
			for _, f := range pg.Findings {
				seqs = append(seqs, f.Seq)
			}
		}
		for i, s := range seqs {
			if s != i+1 {
				t.Fatalf("recorded order: seq %d at %d", s, i)
			}
		}
		if pg := page(FindingQuery{Offset: 5000}); pg.Total != 300 || len(pg.Findings) != 0 {
			t.Errorf("past the end: %+v", pg)
		}
		if pg := page(FindingQuery{Limit: 1 << 20}); pg.Limit != MaxPageSize {
			t.Errorf("limit not capped: %d", pg.Limit)
		}

		// A finding round-trips; new-since-last follows the fingerprints.
		for i, want := range newer {
			got, err := q.FindingBySeq(ctx, sc.ID, i+1, scOld.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Finding, want) {
				t.Fatalf("finding %d:\n got %#v\nwant %#v", i+1, got.Finding, want)
			}
			wantNew := want.Status == checks.Fail && older[i].Status != checks.Fail
			if got.New != wantNew || got.PreviousStatus != older[i].Status {
				t.Errorf("finding %d: new %v previous %q, want %v %q", i+1, got.New, got.PreviousStatus, wantNew, older[i].Status)
			}
		}
		// FAIL now (i%4 == 0) and PASS before (i%5 == 0): i%20 == 0.
		np := page(FindingQuery{PrevScanID: scOld.ID, NewOnly: true})
		if np.Total != 15 {
			t.Errorf("new findings: %d, want 15", np.Total)
		}
		for _, f := range np.Findings {
			if !f.New || (f.Seq-1)%20 != 0 {
				t.Errorf("new finding %d: %+v", f.Seq, f)
			}
		}
		marked := 0
		for _, f := range page(FindingQuery{PrevScanID: scOld.ID, Limit: 300}).Findings {
			if f.New {
				marked++
			}
		}
		if marked != 15 {
			t.Errorf("%d findings marked new, want 15", marked)
		}
		if _, err := q.FindingBySeq(ctx, sc.ID, 301, 0); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing finding: %v", err)
		}

		rc, err := q.ResourceCounts(ctx, sc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(rc) != 300 || rc[0].ResourceARN != "arn:aws:s3:::bucket-00000" || rc[0].Fail != 1 || rc[2].Unknown != 1 {
			t.Errorf("resource counts: %d, first %+v", len(rc), rc[:min(3, len(rc))])
		}
		if rc[12].Fail != 0 || rc[12].Total != 1 { // suppressed FAIL
			t.Errorf("suppressed FAIL counted: %+v", rc[12])
		}
	})
}

func TestArtifacts(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn)
		a, ok := Artifacts(s)
		if !ok {
			t.Fatalf("%T does not implement ArtifactStore", s)
		}

		// Inside the scan's transaction: committed with it.
		w, err := s.Begin(ctx, scanOf("111111111111", t0, "us-east-1"))
		if err != nil {
			t.Fatal(err)
		}
		aw, ok := w.(ArtifactWriter)
		if !ok {
			t.Fatalf("%T does not implement ArtifactWriter", w)
		}
		doc := []byte(`{"paths":[],"admins":["arn:aws:iam::111111111111:user/<b>"]}`)
		if err := aw.PutArtifact(ctx, ArtifactPrivesc, doc); err != nil {
			t.Fatal(err)
		}
		if err := aw.PutArtifact(ctx, "Bad Kind", doc); err == nil {
			t.Error("a malformed kind was accepted")
		}
		if err := w.Add(ctx, findingsOf("111111111111", 1, allFail)[0]); err != nil {
			t.Fatal(err)
		}
		sc, err := w.Commit(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := aw.PutArtifact(ctx, ArtifactExposure, doc); err == nil {
			t.Error("PutArtifact after Commit succeeded")
		}
		got, err := a.Artifact(ctx, sc.ID, ArtifactPrivesc)
		if err != nil || string(got) != string(doc) {
			t.Fatalf("artifact back: %q, %v", got, err)
		}

		// A rolled-back scan leaves no artifact behind.
		w2, err := s.Begin(ctx, scanOf("111111111111", t0.Add(time.Hour), "us-east-1"))
		if err != nil {
			t.Fatal(err)
		}
		if err := w2.(ArtifactWriter).PutArtifact(ctx, ArtifactExposure, doc); err != nil {
			t.Fatal(err)
		}
		if err := w2.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		scans, err := s.Scans(ctx, Filter{})
		if err != nil || len(scans) != 1 {
			t.Fatalf("scans after rollback: %v %v", scans, err)
		}

		// After the commit: added, replaced, listed; a big document too.
		big := make([]byte, 0, 3<<20)
		big = append(big, `{"x":"`...)
		for len(big) < 3<<20 {
			big = append(big, "abcdefghij"...)
		}
		big = append(big, `"}`...)
		bound := ScanArtifacts(a, sc.ID)
		for _, d := range [][]byte{[]byte(`{"v":1}`), big} {
			if err := bound.PutArtifact(ctx, ArtifactInventory, d); err != nil {
				t.Fatal(err)
			}
			got, err := a.Artifact(ctx, sc.ID, ArtifactInventory)
			if err != nil || string(got) != string(d) {
				t.Fatalf("replaced artifact: %d bytes, %v", len(got), err)
			}
		}
		kinds, err := a.ArtifactKinds(ctx, sc.ID)
		if err != nil || !reflect.DeepEqual(kinds, []string{ArtifactInventory, ArtifactPrivesc}) {
			t.Errorf("kinds %v, %v", kinds, err)
		}
		if _, err := a.Artifact(ctx, sc.ID, ArtifactExposure); !errors.Is(err, ErrNoArtifact) {
			t.Errorf("missing artifact: %v", err)
		}
		if err := a.PutArtifact(ctx, 9999, ArtifactExposure, doc); !errors.Is(err, ErrNotFound) {
			t.Errorf("artifact of a missing scan: %v", err)
		}
	})
}

// A store created before the artifacts migration gains the table on open,
// keeping its scans.
func TestArtifactsMigrationFromV1(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v1.db")
	db, err := openSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	b := &sqlBackend{db: db}
	saved := migrations
	migrations = migrations[:1]
	err = migrate(ctx, b)
	migrations = saved
	if err != nil {
		t.Fatal(err)
	}
	v1 := &sqlStore{b: b, d: b.dialect()}
	sc, err := v1.SaveScan(ctx, scanOf("111111111111", t0, "us-east-1"), findingsOf("111111111111", 5, allFail))
	if err != nil {
		t.Fatal(err)
	}
	v1.Close()

	s := open(t, path)
	if got, err := s.Scan(ctx, sc.ID); err != nil || got.Summary.Total != 5 {
		t.Fatalf("scan after migration: %+v %v", got, err)
	}
	a, _ := Artifacts(s)
	if err := a.PutArtifact(ctx, sc.ID, ArtifactExposure, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	n, err := queryInt(ctx, s.(*sqlStore).b, `SELECT MAX(version) FROM schema_migrations`)
	if err != nil || n != SchemaVersion() || n < 2 {
		t.Errorf("schema version %d (%v)", n, err)
	}
}

// The findings page of a 100k-finding scan, straight from the store:
//
//	go test ./internal/store -run '^$' -bench QueryFindings -benchmem
func BenchmarkQueryFindings100k(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "q.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	status := func(i int) checks.Status {
		return []checks.Status{checks.Fail, checks.Pass, checks.Unknown, checks.Manual}[i%4]
	}
	old, err := s.SaveScan(ctx, scanOf("111111111111", t0, "us-east-1"), findingsOf("111111111111", 100_000, status))
	if err != nil {
		b.Fatal(err)
	}
	sc, err := s.SaveScan(ctx, scanOf("111111111111", t0.Add(time.Hour), "us-east-1"), findingsOf("111111111111", 100_000, func(i int) checks.Status {
		return status(i + 1)
	}))
	if err != nil {
		b.Fatal(err)
	}
	q := querier(b, s)
	for _, bc := range []struct {
		name string
		q    FindingQuery
	}{
		{"first-page", FindingQuery{ScanID: sc.ID, PrevScanID: old.ID}},
		{"last-page", FindingQuery{ScanID: sc.ID, PrevScanID: old.ID, Offset: 99_900}},
		{"status-filter", FindingQuery{ScanID: sc.ID, PrevScanID: old.ID, Statuses: []checks.Status{checks.Fail}}},
		{"text-search", FindingQuery{ScanID: sc.ID, PrevScanID: old.ID, Text: "message 4242"}},
		{"new-only", FindingQuery{ScanID: sc.ID, PrevScanID: old.ID, NewOnly: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			cpu0 := cpuTime()
			for b.Loop() {
				if _, err := q.QueryFindings(ctx, bc.q); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
	b.Run("stats", func(b *testing.B) {
		cpu0 := cpuTime()
		for b.Loop() {
			if _, err := q.ScanStats(ctx, sc.ID); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	})
}

func TestQueryStreams(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn)
		q := querier(t, s)
		fs := findingsOf("111111111111", 50, func(i int) checks.Status {
			return []checks.Status{checks.Fail, checks.Pass}[i%2]
		})
		fs[3].Suppressed = true
		sc, err := s.SaveScan(ctx, scanOf("111111111111", t0, "us-east-1"), fs)
		if err != nil {
			t.Fatal(err)
		}
		metas, err := q.RuleMetas(ctx)
		if err != nil || len(metas) != 3 {
			t.Fatalf("rule metas %v %v", metas, err)
		}
		i := 0
		err = q.IndexRows(ctx, sc.ID, func(r IndexRow) error {
			f := fs[i]
			i++
			if r.Seq != i || r.Status != f.Status || r.Region != f.Region || r.Suppressed != f.Suppressed ||
				r.ResourceARN != f.ResourceARN || r.Message != f.Message || r.Fingerprint != f.Fingerprint ||
				metas[r.RuleRef].RuleID != f.RuleID {
				t.Errorf("index row %d: %+v, finding %+v", i, r, f)
			}
			return nil
		})
		if err != nil || i != 50 {
			t.Fatalf("index rows: %d, %v", i, err)
		}
		stop := errors.New("stop")
		if err := q.IndexRows(ctx, sc.ID, func(IndexRow) error { return stop }); !errors.Is(err, stop) {
			t.Errorf("callback error not returned: %v", err)
		}
		var fps []string
		if err := q.FailFingerprints(ctx, sc.ID, func(fp string) error { fps = append(fps, fp); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(fps) != 25 {
			t.Errorf("%d FAIL fingerprints, want 25", len(fps))
		}
		// Column groups: only the chosen fields are set.
		for _, cols := range []IndexColumns{0, IndexKeys, IndexText, IndexARN, IndexMessage, IndexFingerprint, IndexKeys | IndexText,
			IndexKeys | IndexARN | IndexFailFingerprint} {
			i := 0
			err := q.SelectIndexRows(ctx, IndexQuery{ScanID: sc.ID, Columns: cols}, func(r IndexRow) error {
				f := fs[i]
				i++
				want := IndexRow{Seq: i}
				if cols&IndexKeys != 0 {
					want.Status, want.Region, want.Suppressed, want.RuleRef = f.Status, f.Region, f.Suppressed, r.RuleRef
					if metas[r.RuleRef].RuleID != f.RuleID {
						t.Errorf("columns %b row %d: rule ref %d", cols, i, r.RuleRef)
					}
				}
				if cols&IndexARN != 0 {
					want.ResourceARN = f.ResourceARN
				}
				if cols&IndexMessage != 0 {
					want.Message = f.Message
				}
				if cols&IndexFingerprint != 0 || (cols&IndexFailFingerprint != 0 && f.Status == checks.Fail) {
					want.Fingerprint = f.Fingerprint
				}
				if r != want {
					t.Errorf("columns %b row %d: %+v, want %+v", cols, i, r, want)
				}
				return nil
			})
			if err != nil || i != 50 {
				t.Fatalf("columns %b: %d rows, %v", cols, i, err)
			}
		}
		var failSeqs []int
		err = q.SelectIndexRows(ctx, IndexQuery{ScanID: sc.ID, Columns: IndexFingerprint, Status: checks.Fail}, func(r IndexRow) error {
			if r.Status != checks.Fail || r.Fingerprint != fs[r.Seq-1].Fingerprint || fs[r.Seq-1].Status != checks.Fail {
				t.Errorf("FAIL row %+v", r)
			}
			failSeqs = append(failSeqs, r.Seq)
			return nil
		})
		if err != nil || len(failSeqs) != 25 || !slices.IsSorted(failSeqs) {
			t.Errorf("FAIL rows %v, %v", failSeqs, err)
		}
		if err := q.SelectIndexRows(ctx, IndexQuery{ScanID: sc.ID}, func(IndexRow) error { return stop }); !errors.Is(err, stop) {
			t.Errorf("callback error not returned: %v", err)
		}
		// Counts of some resources agree with the counts of all.
		all, err := q.ResourceCounts(ctx, sc.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]ResourceCount{}
		var arns []string
		for i, c := range all {
			if i%3 == 0 {
				want[c.ResourceARN+" "+c.Region] = c
				arns = append(arns, c.ResourceARN, c.ResourceARN) // twice: counted once
			}
		}
		arns = append(arns, "arn:aws:s3:::not-in-the-scan")
		some, err := q.ResourceCountsOf(ctx, sc.ID, arns)
		if err != nil {
			t.Fatal(err)
		}
		if len(some) != len(want) {
			t.Errorf("counts of %d resources: %d rows, want %d", len(arns), len(some), len(want))
		}
		for _, c := range some {
			if want[c.ResourceARN+" "+c.Region] != c {
				t.Errorf("count %+v, want %+v", c, want[c.ResourceARN+" "+c.Region])
			}
		}
		if none, err := q.ResourceCountsOf(ctx, sc.ID, nil); err != nil || len(none) != 0 {
			t.Errorf("counts of no resources: %v %v", none, err)
		}
		seqs := []int{40, 2, 999, 7}
		got, err := q.FindingsBySeq(ctx, sc.ID, seqs, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || got[0].Seq != 40 || got[1].Seq != 2 || got[2].Seq != 7 || !reflect.DeepEqual(got[1].Finding, fs[1]) {
			t.Errorf("findings by seq: %+v", got)
		}
		many := make([]int, 2500) // several batches
		for i := range many {
			many[i] = 50 - i%50
		}
		if got, err := q.FindingsBySeq(ctx, sc.ID, many, 0); err != nil || len(got) != 2500 || got[0].Seq != 50 {
			t.Errorf("findings by seq in batches: %d %v", len(got), err)
		}
	})
}
