package checks

import (
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/ssm"
)

func compliance(s *model.Snapshot, region, kind string) *ssm.ComplianceSummary {
	r := ssmRegion(s, region)
	for i := range r.Compliance.V {
		if r.Compliance.V[i].ComplianceType == kind {
			return &r.Compliance.V[i]
		}
	}
	panic("no " + kind + " compliance in " + region)
}

func ssmFixtures() map[string]fixture {
	return map[string]fixture{
		"ssm-instance-managed": failWhen(func(s *model.Snapshot) {
			ssmRegion(s, "us-east-1").ManagedInstances = core.Known([]ssm.ManagedInstance{})
		}),
		"ssm-patch-compliance": failWhen(func(s *model.Snapshot) {
			c := compliance(s, "us-east-1", "Patch")
			c.Status, c.NonCompliantCount, c.OverallSeverity = "NON_COMPLIANT", 4, "CRITICAL"
		}),
		"ssm-association-compliance": failWhen(func(s *model.Snapshot) {
			compliance(s, "eu-west-1", "Association").Status = "NON_COMPLIANT"
		}),
	}
}

func TestSSMManaged(t *testing.T) {
	rule := ruleByID(t, "ssm-instance-managed")
	s := compliantSnapshot()
	ssmRegion(s, "us-east-1").ManagedInstances.V[0].PingStatus = "ConnectionLost"
	ssmRegion(s, "eu-west-1").ManagedInstances = core.Unknown[[]ssm.ManagedInstance]("not supported")
	got := map[string]Status{}
	for _, r := range rule.Check(s) {
		got[r.Region] = r.Status
	}
	if got["us-east-1"] != Fail || got["eu-west-1"] != Unknown {
		t.Errorf("%v", got)
	}
	// Stopped instances are not judged.
	s = compliantSnapshot()
	ec2At(s, "us-east-1").Instances.V[0].State = "stopped"
	for _, r := range rule.Check(s) {
		if r.Region == "us-east-1" {
			t.Errorf("stopped instance judged: %+v", r)
		}
	}
}

func TestSSMPatchNeverScannedIsUnknown(t *testing.T) {
	s := compliantSnapshot()
	r := ssmRegion(s, "us-east-1")
	var keep []ssm.ComplianceSummary
	for _, c := range r.Compliance.V {
		if c.ComplianceType != "Patch" {
			keep = append(keep, c)
		}
	}
	r.Compliance.V = keep
	statusByRegion := map[string]Status{}
	for _, x := range ruleByID(t, "ssm-patch-compliance").Check(s) {
		statusByRegion[x.Region] = x.Status
	}
	if statusByRegion["us-east-1"] != Unknown || statusByRegion["eu-west-1"] != Pass {
		t.Errorf("%v", statusByRegion)
	}
	// Associations are optional: a node without one is out of scope.
	r.Compliance.V = nil
	for _, x := range ruleByID(t, "ssm-association-compliance").Check(s) {
		if x.Region == "us-east-1" {
			t.Errorf("node without association judged: %+v", x)
		}
	}
}
