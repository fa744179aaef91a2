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
		"ssm-document-not-public": failWhen(func(s *model.Snapshot) {
			d := ssmDocument(s)
			d.SharedWith = core.Known(append(d.SharedWith.V, "all"))
		}),
	}
}

// addCompliantSSMDocuments gives every Systems Manager region of the
// compliant world a known document list, and one document, shared with a
// named account only, in svcRegion.
func addCompliantSSMDocuments(s *model.Snapshot) {
	for i := range s.SSM {
		r := &s.SSM[i]
		if !r.Documents.Ok {
			r.Documents = core.Known([]ssm.Document{})
		}
		if r.Name == svcRegion && len(r.Documents.V) == 0 {
			r.Documents.V = append(r.Documents.V, ssm.Document{
				Meta: core.Meta{ARN: regionalARNOf("ssm", svcRegion, "document/patch-web"), Account: acct, Region: svcRegion},
				Name: "patch-web", DocumentType: "Command", SharedWith: core.Known([]string{"444455556666"}),
			})
		}
	}
}

func ssmDocument(s *model.Snapshot) *ssm.Document {
	for i := range s.SSM {
		if len(s.SSM[i].Documents.V) > 0 {
			return &s.SSM[i].Documents.V[0]
		}
	}
	panic("no SSM document in the compliant world")
}

// TestSSMDocumentsNotPublic: "all" in any case is public; named accounts
// are not; unreadable permissions are UNKNOWN, never PASS.
func TestSSMDocumentsNotPublic(t *testing.T) {
	tests := []struct {
		name   string
		shared core.Val[[]string]
		want   Status
	}{
		{"not shared", core.Known([]string{}), Pass},
		{"shared with an account", core.Known([]string{"444455556666"}), Pass},
		{"public", core.Known([]string{"all"}), Fail},
		{"public, spelled All", core.Known([]string{"444455556666", "All"}), Fail},
		{"permissions unreadable", core.Unknown[[]string]("access denied (ssm:DescribeDocumentPermission)"), Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := compliantSnapshot()
			ssmDocument(s).SharedWith = tt.shared
			res := ruleByID(t, "ssm-document-not-public").Check(s)
			if len(res) != 1 || res[0].Status != tt.want || res[0].ResourceARN != "arn:aws:ssm:eu-west-1:"+acct+":document/patch-web" {
				t.Errorf("%+v, want %s", res, tt.want)
			}
		})
	}
	// A region whose documents could not be listed is UNKNOWN.
	s := compliantSnapshot()
	ssmRegion(s, "us-east-1").Documents = core.Unknown[[]ssm.Document]("access denied (ssm:ListDocuments)")
	got := map[string]Status{}
	for _, x := range ruleByID(t, "ssm-document-not-public").Check(s) {
		got[x.Region] = x.Status
	}
	if got["us-east-1"] != Unknown || got["eu-west-1"] != Pass {
		t.Errorf("%v", got)
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
