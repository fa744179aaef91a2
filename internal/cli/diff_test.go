package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/engine"
	"github.com/demarc-sec/demarc/internal/store"
)

func TestDiff(t *testing.T) {
	dsn := historyStore(t)

	// Default: the two newest scans of the newest scan's account (A: 1 → 3).
	code, out, errs := runSub(t, newDiffCommand, "--db", dsn)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"scan 1 (2026-11-28 09:00 UTC) -> scan 3 (2026-11-30 09:00 UTC), account 111111111111",
		"3 new, 1 resolved, 1 unknown, 1 still failing",
		"NEW (FAIL now): 3", "RESOLVED: 1", "UNKNOWN (cannot tell; not resolved): 1", "STILL FAILING: 1",
		"[suppressed: log bucket itself]",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("diff output lacks %q:\n%s", want, out)
		}
	}
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Errorf("raw escape sequence in diff output:\n%q", out)
	}

	// JSON, explicit IDs.
	code, out, _ = runSub(t, newDiffCommand, "--db", dsn, "1", "3", "--output", "json")
	var doc struct {
		Counts map[string]int `json:"counts"`
		New    []struct {
			ResourceARN string `json:"resource_arn"`
			Previous    string `json:"previous_status"`
			Current     string `json:"current_status"`
		} `json:"new"`
		Resolved []struct {
			ResourceARN string `json:"resource_arn"`
		} `json:"resolved"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != ExitOK {
		t.Fatalf("json diff (exit %d): %v\n%s", code, err, out)
	}
	if doc.Counts["new"] != 3 || doc.Resolved[0].ResourceARN != "arn:aws:s3:::fixed" {
		t.Errorf("json diff: %+v", doc)
	}
	prevOf := map[string]string{}
	for _, n := range doc.New {
		prevOf[n.ResourceARN] = n.Previous
	}
	if prevOf["arn:aws:s3:::later"] != "PASS" || prevOf["arn:aws:s3:::accepted"] != "" {
		t.Errorf("previous statuses: %v", prevOf)
	}

	// One ID: against the newest of its account.
	if code, out, _ := runSub(t, newDiffCommand, "--db", dsn, "1"); code != ExitOK || !strings.Contains(out, "-> scan 3") {
		t.Errorf("one ID: exit %d\n%s", code, out)
	}

	// --fail-on gates on NEW unsuppressed FAILs only.
	if code, _, _ := runSub(t, newDiffCommand, "--db", dsn, "--fail-on", "high"); code != ExitFindings {
		t.Errorf("--fail-on high: exit %d, want 1 (a new high FAIL)", code)
	}
	if code, _, _ := runSub(t, newDiffCommand, "--db", dsn, "--fail-on", "critical"); code != ExitOK {
		t.Errorf("--fail-on critical: exit %d, want 0", code)
	}

	for _, tc := range []struct {
		args []string
		exit int
		want string
	}{
		{[]string{"--db", dsn, "--account", "222222222222"}, ExitUsage, "only one scan"},
		{[]string{"--db", dsn, "--account", "333333333333"}, ExitUsage, "no scan of account"},
		{[]string{"--db", dsn, "1", "2"}, ExitUsage, "different accounts"},
		{[]string{"--db", dsn, "3"}, ExitUsage, "is the newest"},
		{[]string{"--db", dsn, "99"}, ExitUsage, "no such scan"},
		{[]string{"--db", dsn, "x"}, ExitUsage, "want a number"},
		{[]string{"--db", dsn, "1", "2", "3"}, ExitUsage, "accepts at most 2"},
		{[]string{"--db", dsn, "--account", "1", "1"}, ExitUsage, "do not also give scan IDs"},
		{[]string{"--db", dsn, "--fail-on", "urgent"}, ExitUsage, "unknown severity"},
		{[]string{"--db", dsn, "--output", "yaml"}, ExitUsage, "want table or json"},
		{[]string{"--db", t.TempDir() + "/none.db"}, ExitUsage, "no scans recorded"},
	} {
		code, out, errs := runSub(t, newDiffCommand, tc.args...)
		if code != tc.exit || !strings.Contains(out+errs, tc.want) {
			t.Errorf("%v: exit %d, want %d with %q\n%s%s", tc.args, code, tc.exit, tc.want, out, errs)
		}
	}
}

// scan --since-last: the current findings against the last recorded scan.
func TestSinceLast(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, historyStore(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const a = "111111111111"
	cur := []engine.Finding{hf(a, "s3-public", "arn:aws:s3:::brand-new", "us-east-1", checks.Fail, checks.High, "new")}
	scan := store.Scan{AccountID: a, Regions: []string{"us-east-1"}, CollectedAt: day0.Add(72 * 3600e9)}

	// Not recorded (--no-store): compared with the newest recorded scan (3).
	d, found, err := sinceLast(ctx, st, scan, cur)
	if err != nil || !found || d.From.ID != 3 || len(d.New) != 1 {
		t.Fatalf("unrecorded: found=%v err=%v diff=%+v", found, err, d)
	}
	// Recorded first: compared with the scan before it.
	saved, err := st.SaveScan(ctx, scan, cur)
	if err != nil {
		t.Fatal(err)
	}
	d, found, err = sinceLast(ctx, st, saved, cur)
	if err != nil || !found || d.From.ID != 3 || d.To.ID != saved.ID {
		t.Fatalf("recorded: found=%v err=%v from=%d", found, err, d.From.ID)
	}
	var b strings.Builder
	if err := writeDiff(&b, d, "table"); err != nil || !strings.Contains(b.String(), "brand-new") {
		t.Errorf("writeDiff: %v\n%s", err, b.String())
	}
	// A first scan of an account has nothing to compare with.
	if _, found, err := sinceLast(ctx, st, store.Scan{AccountID: "999"}, nil); found || err != nil {
		t.Errorf("first scan: found=%v err=%v", found, err)
	}
}
