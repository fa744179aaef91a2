package frameworks

import (
	"testing"

	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/engine"
)

// Every control ID a rule cites must exist in the catalogue: a typo would
// silently drop a control from framework reports.
func TestRuleControlIDsExist(t *testing.T) {
	for _, key := range Keys() {
		fw, err := Load(key)
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]bool{}
		for _, c := range fw.Controls {
			ids[c.ID] = true
		}
		for _, r := range checks.All() {
			for k := range r.Frameworks {
				if _, ok := files[k]; !ok {
					t.Errorf("rule %s cites unknown framework %q", r.ID, k)
				}
			}
			for _, id := range r.Frameworks[key] {
				if !ids[id] {
					t.Errorf("rule %s cites %s control %q, not in the catalogue", r.ID, key, id)
				}
			}
		}
	}
}

func TestCatalogueSizes(t *testing.T) {
	for key, want := range map[string]int{checks.CIS50: 63, checks.FSBP: 291} {
		fw, err := Load(key)
		if err != nil {
			t.Fatal(err)
		}
		if len(fw.Controls) != want {
			t.Errorf("%s: %d controls, want %d", key, len(fw.Controls), want)
		}
	}
	if _, err := Load("nope"); err == nil {
		t.Error("unknown framework accepted")
	}
}

func TestLessID(t *testing.T) {
	for _, c := range [][2]string{{"1.9", "1.10"}, {"EC2.9", "EC2.10"}, {"1.2", "2.1"}, {"ACM.1", "EC2.1"}} {
		if !lessID(c[0], c[1]) || lessID(c[1], c[0]) {
			t.Errorf("order of %s, %s", c[0], c[1])
		}
	}
}

func TestEvaluate(t *testing.T) {
	fw := &Framework{Key: "x", Controls: []Control{
		{ID: "1.1", Assessment: "Automated"}, {ID: "1.2", Assessment: "Automated"},
		{ID: "1.3", Assessment: "Automated"}, {ID: "1.4", Assessment: "Manual"}, {ID: "1.5"},
	}}
	rules := []checks.Rule{
		{ID: "a", Frameworks: map[string][]string{"x": {"1.1"}}},
		{ID: "b", Frameworks: map[string][]string{"x": {"1.2"}}},
		{ID: "c", Frameworks: map[string][]string{"x": {"1.3"}}},
	}
	f := []engine.Finding{
		{RuleID: "a", Status: checks.Pass}, {RuleID: "a", Status: checks.Fail},
		{RuleID: "b", Status: checks.Pass}, {RuleID: "c", Status: checks.Unknown}, {RuleID: "c", Status: checks.Pass},
		{RuleID: "a", Status: checks.Fail, Suppressed: true},
	}
	rep := Evaluate(fw, rules, f)
	want := []string{StatusFail, StatusPass, StatusUnknown, StatusManual, StatusNotImplemented}
	for i, c := range rep.Controls {
		if c.Status != want[i] {
			t.Errorf("control %s: %s, want %s", c.ID, c.Status, want[i])
		}
	}
	if rep.Score != 50 {
		t.Errorf("score %v, want 50 (1 pass of 2 decided; unknown not counted as pass)", rep.Score)
	}
}
