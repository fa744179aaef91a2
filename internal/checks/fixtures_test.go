package checks

import (
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
)

// fixture is a rule's pair of snapshots: one where the customer's side holds
// (every result PASS) and one where it does not (at least one FAIL).
type fixture struct {
	pass func() *model.Snapshot
	fail func() *model.Snapshot
	// opts configures the rule (demarc.yaml) for both snapshots.
	opts Options
}

// configured returns the rule as configured by the fixture's options.
func (f fixture) configured(r Rule) Rule {
	for _, c := range AllWith(f.opts) {
		if c.ID == r.ID {
			return c
		}
	}
	return r
}

// fixtures maps every registered rule ID to its fixtures. A rule without an
// entry fails TestEveryRuleHasFixtures. Per-service files contribute their
// entries through functions merged here (duplicates panic at start-up).
var fixtures = mergeFixtures(map[string]fixture{
	"iam-root-access-keys": {
		pass: func() *model.Snapshot {
			s := baseSnapshot()
			s.IAM.Summary = core.Known(map[string]int32{"AccountAccessKeysPresent": 0})
			return s
		},
		fail: func() *model.Snapshot {
			s := baseSnapshot()
			s.IAM.Summary = core.Known(map[string]int32{"AccountAccessKeysPresent": 1})
			return s
		},
	},
}, iamFixtures(), s3Fixtures(), ec2Fixtures(), cloudtrailFixtures(), secsvcFixtures(), regionFixtures(), exposureFixtures(),
	networkFixtures(), elbv2Fixtures(), privescFixtures(), servicesFixtures(),
	monitoringFixtures(), rdsFixtures(), kmsFixtures(), availabilityFixtures(), iamCISFixtures())

func mergeFixtures(sets ...map[string]fixture) map[string]fixture {
	out := map[string]fixture{}
	for _, set := range sets {
		for id, f := range set {
			if _, dup := out[id]; dup {
				panic("duplicate fixture for rule " + id)
			}
			out[id] = f
		}
	}
	return out
}

// failWhen builds a fixture from the compliant world: it passes as is and
// fails once mutate has broken the one thing the rule checks.
func failWhen(mutate func(s *model.Snapshot)) fixture {
	return fixture{
		pass: compliantSnapshot,
		fail: func() *model.Snapshot {
			s := compliantSnapshot()
			mutate(s)
			return s
		},
	}
}

func baseSnapshot() *model.Snapshot {
	return model.New("123456789012", "aws", []string{"us-east-1"})
}

func TestEveryRuleHasFixtures(t *testing.T) {
	for _, r := range All() {
		if _, ok := fixtures[r.ID]; !ok {
			t.Errorf("rule %s has no pass/fail fixtures", r.ID)
		}
	}
}

func TestFixtures(t *testing.T) {
	for _, r := range All() {
		f, ok := fixtures[r.ID]
		if !ok {
			continue
		}
		r := f.configured(r)
		t.Run(r.ID+"/pass", func(t *testing.T) {
			res := r.Check(f.pass())
			if len(res) == 0 {
				t.Fatal("no results on the passing fixture")
			}
			for _, x := range res {
				if x.Status != Pass {
					t.Errorf("%s %s: %s", x.Status, x.ResourceARN, x.Message)
				}
			}
		})
		t.Run(r.ID+"/fail", func(t *testing.T) {
			fails := 0
			for _, x := range r.Check(f.fail()) {
				if x.Status == Fail {
					fails++
				}
			}
			if fails == 0 {
				t.Error("no FAIL on the failing fixture")
			}
		})
		// The zero snapshot has nothing collected: a rule must never PASS on it.
		t.Run(r.ID+"/uncollected", func(t *testing.T) {
			for _, x := range r.Check(baseSnapshot()) {
				if x.Status == Pass {
					t.Errorf("PASS on an uncollected snapshot: %s %s", x.ResourceARN, x.Message)
				}
			}
		})
	}
}

func TestRegistry(t *testing.T) {
	r := Default()
	if len(r.Rules()) != len(All()) {
		t.Fatalf("registry has %d rules, All has %d", len(r.Rules()), len(All()))
	}
	if _, err := NewRegistry(All(), All()); err == nil {
		t.Fatal("duplicate IDs were accepted")
	}
}
