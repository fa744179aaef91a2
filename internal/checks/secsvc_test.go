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
		"guardduty-rds-protection": failWhen(func(s *model.Snapshot) {
			setGuardDutyFeature(&secAt(s, "eu-west-1").GuardDuty.V, secsvc.FeatureRDSLoginEvents, "DISABLED")
		}),
		"guardduty-s3-protection": failWhen(func(s *model.Snapshot) {
			setGuardDutyFeature(&secAt(s, "eu-west-1").GuardDuty.V, secsvc.FeatureS3DataEvents, "DISABLED")
		}),
	}
}

// setGuardDutyFeature sets (or adds) one protection plan of a detector.
func setGuardDutyFeature(g *secsvc.GuardDuty, name, status string) {
	for i := range g.Features {
		if g.Features[i].Name == name {
			g.Features[i].Status = status
			return
		}
	}
	g.Features = append(g.Features, secsvc.GuardDutyFeature{Name: name, Status: status})
}

// patchCompliantGuardDutyFeatures turns RDS and S3 Protection on for every
// enabled detector of the compliant world.
func patchCompliantGuardDutyFeatures(s *model.Snapshot) {
	for i := range s.Security {
		if g := &s.Security[i].GuardDuty; g.Ok && g.V.Enabled() {
			setGuardDutyFeature(&g.V, secsvc.FeatureRDSLoginEvents, "ENABLED")
			setGuardDutyFeature(&g.V, secsvc.FeatureS3DataEvents, "ENABLED")
		}
	}
}

// TestGuardDutyProtectionPlans: GuardDuty.9/.10 as AWS documents them for a
// standalone account, with the cases the API leaves open.
func TestGuardDutyProtectionPlans(t *testing.T) {
	enabled := func(features ...secsvc.GuardDutyFeature) core.Val[secsvc.GuardDuty] {
		return core.Known(secsvc.GuardDuty{DetectorID: "d1", Status: "ENABLED", Features: features})
	}
	f := func(name, st string) secsvc.GuardDutyFeature { return secsvc.GuardDutyFeature{Name: name, Status: st} }
	tests := []struct {
		name     string
		gd       core.Val[secsvc.GuardDuty]
		rds, s3  Status
		contains string
	}{
		{"both plans on", enabled(f("RDS_LOGIN_EVENTS", "ENABLED"), f("S3_DATA_EVENTS", "ENABLED")), Pass, Pass, "enabled"},
		{"both plans off", enabled(f("RDS_LOGIN_EVENTS", "DISABLED"), f("S3_DATA_EVENTS", "DISABLED")), Fail, Fail, "DISABLED"},
		{"no detector: no plan runs", core.Known(secsvc.GuardDuty{}), Fail, Fail, "no GuardDuty detector"},
		{"suspended detector: no plan runs", core.Known(secsvc.GuardDuty{DetectorID: "d1", Status: "DISABLED",
			Features: []secsvc.GuardDutyFeature{f("RDS_LOGIN_EVENTS", "ENABLED"), f("S3_DATA_EVENTS", "ENABLED")}}), Fail, Fail, "does not run"},
		{"plan not offered in the region", enabled(f("S3_DATA_EVENTS", "ENABLED")), Unknown, Pass, "may not be available"},
		{"legacy S3 data source only", core.Known(secsvc.GuardDuty{DetectorID: "d1", Status: "ENABLED", S3Logs: "DISABLED"}), Unknown, Fail, ""},
		{"feature wins over the legacy data source", core.Known(secsvc.GuardDuty{DetectorID: "d1", Status: "ENABLED", S3Logs: "DISABLED",
			Features: []secsvc.GuardDutyFeature{f("S3_DATA_EVENTS", "ENABLED"), f("RDS_LOGIN_EVENTS", "ENABLED")}}), Pass, Pass, ""},
		{"unreadable", core.Unknown[secsvc.GuardDuty](core.ReasonAccessDenied + " (guardduty:ListDetectors)"), Unknown, Unknown, "access denied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := compliantSnapshot()
			secAt(s, "us-east-1").GuardDuty = tt.gd
			for id, want := range map[string]Status{"guardduty-rds-protection": tt.rds, "guardduty-s3-protection": tt.s3} {
				for _, x := range run(t, id, s) {
					if x.Region != "us-east-1" {
						if x.Status != Pass {
							t.Errorf("%s %s: %s %s", id, x.Region, x.Status, x.Message)
						}
						continue
					}
					if x.Status != want {
						t.Errorf("%s: got %s (%s), want %s", id, x.Status, x.Message, want)
					}
					if want == tt.rds && want == tt.s3 && !strings.Contains(x.Message, tt.contains) {
						t.Errorf("%s: message %q lacks %q", id, x.Message, tt.contains)
					}
				}
			}
		})
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
