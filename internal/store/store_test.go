package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/engine"
	"github.com/demarc-sec/demarc/internal/model/core"
)

var t0 = time.Date(2026, 11, 30, 10, 0, 0, 123456000, time.UTC)

func scanOf(account string, at time.Time, regions ...string) Scan {
	return Scan{
		AccountID: account, Partition: "aws", Regions: regions, CollectedAt: at,
		ToolVersion: "v1.2.3", RuleSetVersion: "r3-abc", Summary: engine.Summary{RulesRun: 3},
	}
}

// findingsOf builds n findings over three rules; i selects the variation.
func findingsOf(account string, n int, status func(i int) checks.Status) []engine.Finding {
	rules := []struct {
		id, svc string
		sev     checks.Severity
		fw      map[string][]string
	}{
		{"iam-root-access-keys", "iam", checks.Critical, map[string][]string{checks.CIS50: {"1.3"}, checks.FSBP: {"IAM.4"}}},
		{"s3-bucket-public-read", "s3", checks.High, map[string][]string{checks.FSBP: {"S3.2"}}},
		{"ec2-imdsv2", "ec2", checks.Medium, nil},
	}
	out := make([]engine.Finding, n)
	for i := range out {
		r := rules[i%3]
		arn := fmt.Sprintf("arn:aws:s3:::bucket-%05d", i)
		region := "us-east-1"
		if r.svc == "iam" {
			region = "global"
		}
		out[i] = engine.Finding{
			RuleID: r.id, Title: "Title of " + r.id, Service: r.svc, Status: status(i), Severity: r.sev,
			Responsibility: checks.LayerData, ResourceARN: arn, Region: region, AccountID: account,
			Frameworks: r.fw, Message: fmt.Sprintf("message %d with 'quotes', \"dq\", <b>, \x1b[31m, é, 😀", i),
			Fingerprint: engine.Fingerprint(r.id, account, arn, region),
		}
	}
	return out
}

func allFail(int) checks.Status { return checks.Fail }

func open(t *testing.T, dsn string) Store {
	t.Helper()
	s, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestStore is the shared suite: every backend must pass it unchanged.
func TestStore(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn)

		// A scan round-trips every field.
		scanA := scanOf("111111111111", t0, "eu-west-1", "us-east-1")
		scanA.Partial = true
		scanA.Coverage = []core.CollectError{{Service: "s3", Region: "us-east-1", Operation: "GetBucketPolicy",
			Resource: "arn:aws:s3:::x", Reason: "access denied", Detail: "AccessDenied: <detail>"}}
		fa := findingsOf("111111111111", 1234, func(i int) checks.Status {
			return []checks.Status{checks.Fail, checks.Pass, checks.Unknown, checks.Manual}[i%4]
		})
		fa[4].Suppressed, fa[4].SuppressReason = true, "accepted: SEC-1"
		fa[7].Frameworks = map[string][]string{} // empty, not nil: kept as such
		savedA, err := s.SaveScan(ctx, scanA, fa)
		if err != nil {
			t.Fatal(err)
		}
		if savedA.ID == 0 || savedA.RecordedAt.IsZero() {
			t.Fatalf("saved scan %+v", savedA)
		}
		want := engine.Summarize(fa, 3)
		if !reflect.DeepEqual(savedA.Summary, want) {
			t.Errorf("summary %+v, want %+v", savedA.Summary, want)
		}
		gotA, err := s.Scan(ctx, savedA.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(gotA, savedA) {
			t.Errorf("Scan round trip:\n got %+v\nwant %+v", gotA, savedA)
		}
		if !gotA.CollectedAt.Equal(t0) {
			t.Errorf("collected_at %v, want %v", gotA.CollectedAt, t0)
		}
		back, err := LoadFindings(ctx, s, savedA.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(back) != len(fa) {
			t.Fatalf("%d findings back, want %d", len(back), len(fa))
		}
		for i := range fa {
			if !reflect.DeepEqual(back[i], fa[i]) {
				t.Fatalf("finding %d:\n got %#v\nwant %#v", i, back[i], fa[i])
			}
		}

		// More scans: a later one of the same account, one of another.
		scanB := scanOf("111111111111", t0.Add(24*time.Hour), "us-east-1")
		fb := findingsOf("111111111111", 30, func(i int) checks.Status {
			if i < 3 {
				return checks.Pass
			}
			return checks.Fail
		})
		savedB, err := s.SaveScan(ctx, scanB, fb)
		if err != nil {
			t.Fatal(err)
		}
		savedC, err := s.SaveScan(ctx, scanOf("222222222222", t0.Add(time.Hour)), nil)
		if err != nil {
			t.Fatal(err)
		}
		if savedC.Regions == nil || savedC.Coverage == nil || savedC.Summary.Total != 0 {
			t.Errorf("empty scan %+v", savedC)
		}

		ids := func(scans []Scan, err error) []int64 {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, sc := range scans {
				out = append(out, sc.ID)
			}
			return out
		}
		if got := ids(s.Scans(ctx, Filter{})); !reflect.DeepEqual(got, []int64{savedB.ID, savedC.ID, savedA.ID}) {
			t.Errorf("Scans newest first = %v", got)
		}
		if got := ids(s.Scans(ctx, Filter{AccountID: "111111111111"})); !reflect.DeepEqual(got, []int64{savedB.ID, savedA.ID}) {
			t.Errorf("Scans by account = %v", got)
		}
		if got := ids(s.Scans(ctx, Filter{Limit: 1})); !reflect.DeepEqual(got, []int64{savedB.ID}) {
			t.Errorf("Scans limit 1 = %v", got)
		}
		prev, err := Previous(ctx, s, savedB)
		if err != nil || prev.ID != savedA.ID {
			t.Errorf("Previous(B) = %d, %v", prev.ID, err)
		}
		if _, err := Previous(ctx, s, savedA); !errors.Is(err, ErrNotFound) {
			t.Errorf("Previous(A) err = %v", err)
		}
		if l, err := Latest(ctx, s, "222222222222"); err != nil || l.ID != savedC.ID {
			t.Errorf("Latest = %d, %v", l.ID, err)
		}
		if _, err := Latest(ctx, s, "999999999999"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Latest of unknown account err = %v", err)
		}
		if _, err := s.Scan(ctx, 987654); !errors.Is(err, ErrNotFound) {
			t.Errorf("Scan(missing) err = %v", err)
		}

		// Diff A → B.
		d, err := DiffScans(ctx, s, savedA.ID, savedB.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.From.ID != savedA.ID || d.To.ID != savedB.ID {
			t.Errorf("diff scans %d→%d", d.From.ID, d.To.ID)
		}
		if n := len(d.New) + len(d.Resolved) + len(d.StillFailing) + len(d.Unknown); n == 0 {
			t.Error("empty diff")
		}

		// A rolled-back scan leaves nothing.
		w, err := s.Begin(ctx, scanOf("111111111111", t0.Add(48*time.Hour)))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range findingsOf("111111111111", 700, allFail) {
			if err := w.Add(ctx, f); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		if got := ids(s.Scans(ctx, Filter{})); len(got) != 3 {
			t.Errorf("after rollback: scans %v", got)
		}
		if _, err := w.Commit(ctx); err == nil {
			t.Error("Commit after Rollback succeeded")
		}

		// Rule metadata is stored once per distinct value: three rules,
		// plus the variant of one with empty (not nil) frameworks.
		if n := countRows(t, s, "rules"); n != 4 {
			t.Errorf("%d rules rows, want 4", n)
		}

		// Reopening runs no migration twice and finds everything.
		s.Close()
		s2 := open(t, dsn)
		if got := ids(s2.Scans(ctx, Filter{})); len(got) != 3 {
			t.Errorf("after reopen: %v", got)
		}
		if v := countRows(t, s2, "schema_migrations"); v != len(migrations) {
			t.Errorf("%d migration rows, want %d", v, len(migrations))
		}
	})
}

func countRows(t *testing.T, s Store, table string) int {
	t.Helper()
	n, err := queryInt(context.Background(), s.(*sqlStore).b, "SELECT COUNT(*) FROM "+table)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A cancelled context mid-scan rolls the scan back; the store reopens with
// the earlier scans intact.
func TestCancelMidScan(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := open(t, dsn)
		first, err := s.SaveScan(context.Background(), scanOf("1", t0), findingsOf("1", 50, allFail))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		w, err := s.Begin(ctx, scanOf("1", t0.Add(time.Hour)))
		if err != nil {
			t.Fatal(err)
		}
		var addErr error
		for i, f := range findingsOf("1", 2000, allFail) {
			if i == 1200 {
				cancel()
			}
			if addErr = w.Add(ctx, f); addErr != nil {
				break
			}
		}
		if addErr == nil {
			_, addErr = w.Commit(ctx)
		}
		if addErr == nil {
			t.Fatal("a cancelled scan was committed")
		}
		w.Rollback(ctx)
		s.Close()
		s2 := open(t, dsn)
		scans, err := s2.Scans(context.Background(), Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(scans) != 1 || scans[0].ID != first.ID || scans[0].Summary.Total != 50 {
			t.Fatalf("after cancel: %+v", scans)
		}
		if n := countRows(t, s2, "findings"); n != 50 {
			t.Errorf("%d findings rows, want 50", n)
		}
	})
}

func TestOpenRefuses(t *testing.T) {
	ctx := context.Background()
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := open(t, dsn)
		// A store migrated by a newer demarc.
		if err := s.(*sqlStore).b.exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 'x')`); err != nil {
			t.Fatal(err)
		}
		s.Close()
		if _, err := Open(ctx, dsn); !errors.Is(err, ErrNewerSchema) {
			t.Errorf("newer schema: err = %v", err)
		}
	})
	t.Run("sqlite foreign database", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "other.db")
		s := open(t, p)
		b := s.(*sqlStore).b
		// Make it look like someone else's database: drop our tables.
		for _, tbl := range []string{"findings", "rules", "scans", "schema_migrations"} {
			if err := b.exec(ctx, "DROP TABLE "+tbl); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.exec(ctx, "CREATE TABLE customers (id INTEGER)"); err != nil {
			t.Fatal(err)
		}
		s.Close()
		if _, err := Open(ctx, p); !errors.Is(err, ErrNotAStore) {
			t.Errorf("foreign database: err = %v", err)
		}
		// And it was not touched.
		s3, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "fresh.db"))
		if err != nil {
			t.Fatal(err)
		}
		s3.Close()
	})
	t.Run("sqlite file permissions", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "sub", "dir", "d.db")
		open(t, p)
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm()&0o077 != 0 {
			t.Errorf("store file mode %v: findings must not be world-readable", st.Mode().Perm())
		}
	})
	t.Run("bad path", func(t *testing.T) {
		if _, err := Open(ctx, filepath.Join(t.TempDir(), "a?b.db")); err == nil {
			t.Error("path with ? accepted")
		}
	})
	t.Run("postgres unreachable", func(t *testing.T) {
		port, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		_, err = Open(ctx, fmt.Sprintf("postgres://u:s3cretpw@127.0.0.1:%d/db?sslmode=disable&connect_timeout=2", port))
		if err == nil {
			t.Fatal("no error")
		}
		if strings.Contains(err.Error(), "s3cretpw") {
			t.Errorf("password in error: %v", err)
		}
	})
}

func TestDefaultPathAndDSN(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/xdg/data")
	t.Setenv(EnvDB, "")
	p, err := DefaultPath()
	if err != nil || p != "/xdg/data/demarc/demarc.db" {
		t.Errorf("DefaultPath = %q, %v", p, err)
	}
	t.Setenv("XDG_DATA_HOME", "relative/ignored")
	t.Setenv("HOME", "/home/u")
	if p, _ := DefaultPath(); p != "/home/u/.local/share/demarc/demarc.db" {
		t.Errorf("DefaultPath without XDG = %q", p)
	}
	if d, _ := ResolveDSN("x.db"); d != "x.db" {
		t.Errorf("flag: %q", d)
	}
	t.Setenv(EnvDB, "postgres://h/db")
	if d, _ := ResolveDSN(""); d != "postgres://h/db" {
		t.Errorf("env: %q", d)
	}
	if !IsPostgres("postgresql://x") || IsPostgres("/tmp/postgres://x") {
		t.Error("IsPostgres")
	}
}

func TestRuleSetVersion(t *testing.T) {
	reg := checks.Default()
	a, b := RuleSetVersion(reg), RuleSetVersion(reg)
	if a != b || len(a) < 10 {
		t.Errorf("RuleSetVersion unstable or short: %q %q", a, b)
	}
}
