package store

import (
	"sort"
	"testing"

	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/engine"
)

func f(rule, arn, region string, st checks.Status) engine.Finding {
	return engine.Finding{RuleID: rule, ResourceARN: arn, Region: region, Status: st, Severity: checks.High,
		AccountID: "1", Fingerprint: engine.Fingerprint(rule, "1", arn, region), Message: string(st)}
}

func TestCompare(t *testing.T) {
	from := Scan{ID: 1, AccountID: "1", Regions: []string{"us-east-1", "eu-west-1"}}
	to := Scan{ID: 2, AccountID: "1", Regions: []string{"us-east-1"}}
	old := []engine.Finding{
		f("r1", "a", "us-east-1", checks.Fail),    // still failing
		f("r1", "b", "us-east-1", checks.Fail),    // resolved: passes now
		f("r1", "c", "us-east-1", checks.Fail),    // resolved: resource gone, rule ran, region scanned
		f("r1", "d", "eu-west-1", checks.Fail),    // unknown: region not scanned again
		f("r2", "e", "us-east-1", checks.Fail),    // unknown: rule r2 has no results now
		f("r1", "g", "us-east-1", checks.Fail),    // unknown: now UNKNOWN
		f("r1", "h", "us-east-1", checks.Pass),    // new: was PASS
		f("r1", "i", "us-east-1", checks.Unknown), // new: was UNKNOWN
		f("r1", "k", "global", checks.Pass),       // unchanged PASS: not reported
		f("r1", "dup", "us-east-1", checks.Pass),  // duplicate fingerprint: worst (FAIL) wins
		f("r1", "dup", "us-east-1", checks.Fail),  //
	}
	cur := []engine.Finding{
		f("r1", "a", "us-east-1", checks.Fail),
		f("r1", "b", "us-east-1", checks.Pass),
		f("r1", "g", "us-east-1", checks.Unknown),
		f("r1", "h", "us-east-1", checks.Fail),
		f("r1", "i", "us-east-1", checks.Fail),
		f("r1", "j", "us-east-1", checks.Fail), // new: not seen before
		f("r1", "k", "global", checks.Pass),
		f("r1", "dup", "us-east-1", checks.Fail),
	}
	d := Compare(from, to, old, cur)
	names := func(es []DiffEntry) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.ResourceARN+":"+string(e.Previous)+">"+string(e.Current))
		}
		sort.Strings(out)
		return out
	}
	check := func(group string, got []DiffEntry, want ...string) {
		t.Helper()
		g := names(got)
		sort.Strings(want)
		if len(g) != len(want) {
			t.Errorf("%s = %v, want %v", group, g, want)
			return
		}
		for i := range g {
			if g[i] != want[i] {
				t.Errorf("%s = %v, want %v", group, g, want)
				return
			}
		}
	}
	check("still failing", d.StillFailing, "a:FAIL>FAIL", "dup:FAIL>FAIL")
	check("resolved", d.Resolved, "b:FAIL>PASS", "c:FAIL>")
	check("unknown", d.Unknown, "d:FAIL>", "e:FAIL>", "g:FAIL>UNKNOWN")
	check("new", d.New, "h:PASS>FAIL", "i:UNKNOWN>FAIL", "j:>FAIL")
	for _, e := range append(d.Unknown, d.Resolved[1]) {
		if e.Reason == "" && e.Current == "" {
			t.Errorf("%s has no reason", e.ResourceARN)
		}
	}

	// An interrupted newer scan resolves nothing by absence.
	to.Partial = true
	d = Compare(from, to, old, cur)
	check("resolved (partial)", d.Resolved, "b:FAIL>PASS")

	// Identical scans: only still-failing.
	d = Compare(from, from, old, old)
	if len(d.New)+len(d.Resolved)+len(d.Unknown) != 0 {
		t.Errorf("identical scans differ: %+v", d)
	}
}
