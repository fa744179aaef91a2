package suppress

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/engine"
	"github.com/demarc-sec/demarc/internal/model"
)

var now = time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)

func finding(rule, arn string, st checks.Status) engine.Finding {
	return engine.Finding{RuleID: rule, ResourceARN: arn, Status: st, Severity: checks.High}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"unknown top-level", "suppresions: []\n", "suppresions"},
		{"unknown entry field", "suppressions:\n  - rule_id: a\n    reason: r\n    expiry: 2026-01-01\n", `line 4: unknown field "expiry"`},
		{"missing reason", "suppressions:\n  - rule_id: a\n", "line 2: reason is required"},
		{"blank reason", "suppressions:\n  - rule_id: a\n    reason: '   '\n", "reason is required"},
		{"no selector", "suppressions:\n  - reason: r\n", "needs rule_id, resource or both"},
		{"match everything", "suppressions:\n  - resource: '**'\n    reason: r\n", "would suppress every finding"},
		{"bad date", "suppressions:\n  - rule_id: a\n    reason: r\n    expires: 31/12/2026\n", "want a date as YYYY-MM-DD"},
		{"timestamp not date", "suppressions:\n  - rule_id: a\n    reason: r\n    expires: 2026-12-31T00:00:00Z\n", "YYYY-MM-DD"},
		{"wrong version", "version: 2\nsuppressions: []\n", "version 2 is not supported"},
		{"list at top", "- rule_id: a\n  reason: r\n", "cannot unmarshal"},
		{"two documents", "suppressions: []\n---\nsuppressions: []\n", "more than one YAML document"},
		{"entry not a map", "suppressions:\n  - just-a-string\n", "cannot unmarshal"},
		{"control char", "suppressions:\n  - rule_id: \"a\\x1b[31m\"\n    reason: r\n", "control characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml), "test.yaml")
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q lacks %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), "test.yaml") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestParseOK(t *testing.T) {
	set, err := Parse([]byte(`version: 1
suppressions:
  - rule_id: s3-bucket-public-read
    resource: "arn:aws:s3:::public-site-*"
    reason: "static website, SEC-123"
    expires: 2026-12-31
  - resource: arn:aws:iam::111122223333:user/breakglass
    reason: break-glass user, reviewed quarterly
`), "f.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Entries) != 2 {
		t.Fatalf("%d entries", len(set.Entries))
	}
	e := set.Entries[0]
	if e.RuleID != "s3-bucket-public-read" || e.Line != 3 || !e.Expires.Equal(time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("entry 0 = %+v", e)
	}
	if set.Entries[1].RuleID != "" || !set.Entries[1].Expires.IsZero() {
		t.Errorf("entry 1 = %+v", set.Entries[1])
	}
	for _, empty := range []string{"", "# only a comment\n", "suppressions: []\n"} {
		s, err := Parse([]byte(empty), "e")
		if err != nil || len(s.Entries) != 0 {
			t.Errorf("Parse(%q) = %v, %v", empty, s, err)
		}
	}
}

func TestApply(t *testing.T) {
	set, err := Parse([]byte(`suppressions:
  - rule_id: r1
    resource: "arn:aws:s3:::site-*"
    reason: website
  - rule_id: r2
    reason: old acceptance
    expires: 2026-06-15
  - rule_id: r3
    reason: still valid
    expires: 2026-06-16
  - rule_id: never-matches
    reason: stale
  - resource: "arn:aws:iam::*:user/ci-?"
    reason: ci users
`), "f")
	if err != nil {
		t.Fatal(err)
	}
	fs := []engine.Finding{
		finding("r1", "arn:aws:s3:::site-a", checks.Fail),       // 0 suppressed
		finding("r1", "arn:aws:s3:::other", checks.Fail),        // 1 glob does not match
		finding("r1", "arn:aws:s3:::site-b", checks.Pass),       // 2 PASS never suppressed
		finding("r2", "arn:aws:s3:::x", checks.Fail),            // 3 expired at 00:00 today
		finding("r3", "arn:aws:s3:::x", checks.Unknown),         // 4 active until tomorrow
		finding("r9", "arn:aws:iam::1:user/ci-1", checks.Fail),  // 5 resource-only entry
		finding("r9", "arn:aws:iam::1:user/ci-12", checks.Fail), // 6 ? is one character
	}
	rep := set.Apply(fs, now)
	want := []bool{true, false, false, false, true, true, false}
	for i, w := range want {
		if fs[i].Suppressed != w {
			t.Errorf("finding %d (%s %s %s): suppressed=%v, want %v", i, fs[i].RuleID, fs[i].ResourceARN, fs[i].Status, fs[i].Suppressed, w)
		}
		if fs[i].Suppressed && fs[i].SuppressReason == "" {
			t.Errorf("finding %d suppressed without a reason", i)
		}
	}
	if fs[0].SuppressReason != "website" || fs[4].SuppressReason != "still valid" {
		t.Errorf("reasons: %q %q", fs[0].SuppressReason, fs[4].SuppressReason)
	}
	if rep.Suppressed != 3 {
		t.Errorf("Suppressed = %d, want 3", rep.Suppressed)
	}
	if len(rep.Expired) != 1 || rep.Expired[0].RuleID != "r2" || rep.Expired[0].Findings != 1 {
		t.Errorf("Expired = %+v", rep.Expired)
	}
	if len(rep.Unused) != 1 || rep.Unused[0].RuleID != "never-matches" {
		t.Errorf("Unused = %+v", rep.Unused)
	}
	// The gate ignores suppressed FAILs but still sees the expired one.
	if !engine.FailsAtOrAbove(fs, checks.High) {
		t.Error("expired suppression still gates")
	}
	onlySuppressed := []engine.Finding{fs[0], fs[5]}
	if engine.FailsAtOrAbove(onlySuppressed, checks.Low) {
		t.Error("suppressed FAILs must not trip --fail-on")
	}
}

func TestActiveBoundary(t *testing.T) {
	e := Entry{Expires: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)}
	if !e.Active(time.Date(2026, 12, 30, 23, 59, 59, 0, time.UTC)) {
		t.Error("inactive the day before expiry")
	}
	if e.Active(time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)) {
		t.Error("active on the expiry date")
	}
	if !(Entry{}).Active(now) {
		t.Error("entry without expiry inactive")
	}
}

func TestGlob(t *testing.T) {
	for _, tc := range []struct {
		p, s string
		want bool
	}{
		{"*", "", true},
		{"*", "arn:aws:s3:::b", true},
		{"arn:aws:s3:::b", "arn:aws:s3:::b", true},
		{"arn:aws:s3:::b", "arn:aws:s3:::bb", false},
		{"arn:aws:s3:::b*", "arn:aws:s3:::bucket/key/with/slashes", true},
		{"arn:aws:iam::*:role/admin", "arn:aws:iam::123:role/admin", true},
		{"arn:aws:iam::*:role/admin", "arn:aws:iam::123:role/admin2", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"a*", "a*b", true},
		{"*b*b*", "abab", true},
		{"*x", "abab", false},
		{"ARN:*", "arn:aws", false},
		{"é?", "éé", true},
		{strings.Repeat("*a", 30) + "b", strings.Repeat("a", 60), false}, // no exponential blow-up
	} {
		if got := Glob(tc.p, tc.s); got != tc.want {
			t.Errorf("Glob(%q, %q) = %v, want %v", tc.p, tc.s, got, tc.want)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	set, err := Load("")
	if err != nil || len(set.Entries) != 0 || set.Path != "" {
		t.Fatalf("missing default file: %v, %v", set, err)
	}
	if _, err := Load(filepath.Join(dir, "nope.yaml")); err == nil {
		t.Error("missing explicit file is not an error")
	}
	os.WriteFile(DefaultFile, []byte("suppressions:\n  - rule_id: a\n    reason: r\n"), 0o644)
	set, err = Load("")
	if err != nil || len(set.Entries) != 1 || set.Path != DefaultFile {
		t.Fatalf("default file: %+v, %v", set, err)
	}
	big := filepath.Join(dir, "big.yaml")
	os.WriteFile(big, make([]byte, maxFileSize+1), 0o644)
	if _, err := Load(big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("oversized file: %v", err)
	}
}

func TestUnknownRules(t *testing.T) {
	reg, err := checks.NewRegistry([]checks.Rule{{ID: "known", Service: "s3", Severity: checks.Low,
		Check: func(*model.Snapshot) []checks.Result { return nil }}})
	if err != nil {
		t.Fatal(err)
	}
	set := &Set{Entries: []Entry{{RuleID: "known"}, {RuleID: "typo"}, {Resource: "arn:*"}}}
	got := set.UnknownRules(reg)
	if len(got) != 1 || got[0].RuleID != "typo" {
		t.Errorf("UnknownRules = %+v", got)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("suppressions:\n  - rule_id: a\n    reason: r\n    expires: 2026-01-01\n"))
	f.Add([]byte("version: 1\nsuppressions:\n  - resource: 'arn:*'\n    rule_id: x\n    reason: y\n"))
	f.Add([]byte("- a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := Parse(data, "fuzz")
		if err != nil {
			return
		}
		for _, e := range set.Entries {
			if e.Reason == "" || (e.RuleID == "" && e.Resource == "") {
				t.Fatalf("accepted invalid entry %+v", e)
			}
		}
		fs := []engine.Finding{finding("a", "arn:aws:s3:::x", checks.Fail)}
		set.Apply(fs, now)
	})
}
