package checks

import (
	"strings"
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/secsvc"
)

func secsvcFixtures() map[string]fixture {
	return map[string]fixture{
		"guardduty-enabled": failWhen(func(s *model.Snapshot) {
			secAt(s, "eu-west-1").GuardDuty = core.Known(secsvc.GuardDuty{})
		}),
		"securityhub-enabled": failWhen(func(s *model.Snapshot) {
			secAt(s, "eu-west-1").SecurityHub = core.Known(secsvc.SecurityHub{})
		}),
		"inspector-ec2-scanning":    failWhen(func(s *model.Snapshot) { secAt(s, "eu-west-1").Inspector.V.EC2 = "DISABLED" }),
		"inspector-ecr-scanning":    failWhen(func(s *model.Snapshot) { secAt(s, "eu-west-1").Inspector.V.ECR = "DISABLED" }),
		"inspector-lambda-scanning": failWhen(func(s *model.Snapshot) { secAt(s, "eu-west-1").Inspector.V.Lambda = "SUSPENDED" }),
		"macie-enabled":             failWhen(func(s *model.Snapshot) { secAt(s, "eu-west-1").Macie = core.Known(secsvc.Macie{Status: "PAUSED"}) }),
		"config-recorder-enabled": failWhen(func(s *model.Snapshot) {
			secAt(s, "eu-west-1").Config.V.Recorders[0].Recording = false
		}),
		"access-analyzer-enabled": failWhen(func(s *model.Snapshot) {
			secAt(s, "eu-west-1").AccessAnalyzer = core.Known([]secsvc.Analyzer{{Name: "unused", Type: "ACCOUNT_UNUSED_ACCESS", Status: "ACTIVE"}})
		}),
	}
}

func TestEnablementPerRegion(t *testing.T) {
	// One region's data failed: that region is UNKNOWN, the other still PASS.
	s := compliantSnapshot()
	r := secAt(s, "eu-west-1")
	r.GuardDuty = core.Unknown[secsvc.GuardDuty](core.ReasonAccessDenied)
	r.SecurityHub = core.Unknown[secsvc.SecurityHub](core.ReasonAccessDenied)
	r.Inspector = core.Unknown[secsvc.Inspector](core.ReasonAccessDenied)
	r.Macie = core.Unknown[secsvc.Macie](core.ReasonAccessDenied)
	r.Config = core.Unknown[secsvc.Config](core.ReasonAccessDenied)
	r.AccessAnalyzer = core.Unknown[[]secsvc.Analyzer](core.ReasonAccessDenied)
	for _, rule := range securityServiceRules() {
		for _, x := range rule.Check(s) {
			want := Pass
			if x.Region == "eu-west-1" {
				want = Unknown
			}
			if x.Status != want {
				t.Errorf("%s %s: got %s (%s), want %s", rule.ID, x.Region, x.Status, x.Message, want)
			}
			if want == Unknown && !strings.Contains(x.Message, "access denied") {
				t.Errorf("%s: reason missing: %s", rule.ID, x.Message)
			}
		}
	}

	// A region not collected at all is UNKNOWN too.
	s = compliantSnapshot()
	s.Security = s.Security[1:]
	for _, rule := range securityServiceRules() {
		if st := statuses(rule.Check(s)); st[Unknown] != 1 || st[Pass] != 1 {
			t.Errorf("%s: %v", rule.ID, st)
		}
	}
}

func TestEnablementEdgeCases(t *testing.T) {
	s := compliantSnapshot()
	secAt(s, "us-east-1").GuardDuty = core.Known(secsvc.GuardDuty{DetectorID: "d", Status: "DISABLED"})
	secAt(s, "us-east-1").Inspector.V.EC2 = ""
	secAt(s, "us-east-1").Config.V.Recorders = append([]secsvc.Recorder{{Name: "partial", Recording: true}}, secAt(s, "us-east-1").Config.V.Recorders...)
	secAt(s, "us-east-1").AccessAnalyzer.V = append(secAt(s, "us-east-1").AccessAnalyzer.V, secsvc.Analyzer{Name: "org", Type: "ORGANIZATION", Status: "CREATING"})
	want := map[string]Status{
		"guardduty-enabled":       Fail,
		"inspector-ec2-scanning":  Unknown, // status not reported is not "disabled"
		"config-recorder-enabled": Pass,    // one good recorder is enough
		"access-analyzer-enabled": Pass,
	}
	for id, w := range want {
		for _, x := range run(t, id, s) {
			if x.Region == "us-east-1" && x.Status != w {
				t.Errorf("%s: got %s (%s), want %s", id, x.Status, x.Message, w)
			}
		}
	}
	// Config recorder that does not record all resources fails.
	s = compliantSnapshot()
	secAt(s, "us-east-1").Config.V.Recorders[0].AllSupported = false
	if st := statuses(run(t, "config-recorder-enabled", s)); st[Fail] != 1 {
		t.Errorf("partial recorder: %v", st)
	}
}
