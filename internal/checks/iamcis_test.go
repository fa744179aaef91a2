package checks

import (
	"strings"
	"testing"
	"time"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/iam"
)

const cloudShellFull = "arn:aws:iam::aws:policy/AWSCloudShellFullAccess"

// addCompliantIAMCIS stores one valid server certificate in IAM.
func addCompliantIAMCIS(s *model.Snapshot) {
	s.IAM.ServerCertificates = core.Known([]iam.ServerCertificate{{
		Meta: core.Meta{ARN: "arn:aws:iam::" + acct + ":server-certificate/legacy-lb", Account: acct, Region: core.GlobalRegion},
		Name: "legacy-lb", ID: "ASCAEXAMPLE", Path: "/", UploadDate: agoP(200), Expiration: agoP(-165),
	}})
}

func iamCISFixtures() map[string]fixture {
	return map[string]fixture{
		"iam-expired-server-certificates": failWhen(func(s *model.Snapshot) {
			s.IAM.ServerCertificates.V[0].Expiration = agoP(1)
		}),
		"iam-root-not-used-recently": failWhen(func(s *model.Snapshot) {
			reportRow(s, iam.RootUserName).PasswordLastUsed = agoP(3)
		}),
		"iam-no-unused-keys-for-console-users": failWhen(func(s *model.Snapshot) {
			u := userAt(s, 0)
			u.AccessKeys = core.Known([]iam.AccessKey{{ID: "AKIAALICE2", Status: "Active", CreateDate: u.CreateDate.Add(time.Minute),
				LastUsed: core.Known[*time.Time](nil)}})
		}),
		"ec2-instance-iam-role": failWhen(func(s *model.Snapshot) {
			ec2At(s, "eu-west-1").Instances.V[0].IAMInstanceProfile = ""
		}),
		"iam-cloudshell-full-access-restricted": failWhen(func(s *model.Snapshot) {
			s.IAM.Groups.V[0].AttachedPolicies = append(s.IAM.Groups.V[0].AttachedPolicies, iam.AttachedPolicy{Name: "AWSCloudShellFullAccess", ARN: cloudShellFull})
		}),
	}
}

func TestRootRecentUse(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(s *model.Snapshot)
		want   Status
	}{
		{"never used", func(*model.Snapshot) {}, Pass},
		{"password 200 days ago", func(s *model.Snapshot) { reportRow(s, iam.RootUserName).PasswordLastUsed = agoP(200) }, Pass},
		{"key used yesterday", func(s *model.Snapshot) { reportRow(s, iam.RootUserName).AccessKey2LastUsed = agoP(1) }, Fail},
		{"password 89 days ago", func(s *model.Snapshot) { reportRow(s, iam.RootUserName).PasswordLastUsed = agoP(89) }, Fail},
		{"report unreadable", func(s *model.Snapshot) {
			s.IAM.CredentialReport = core.Unknown[[]iam.CredentialReportRow]("access denied")
		}, Unknown},
		{"no collection time", func(s *model.Snapshot) { s.CollectedAt = time.Time{} }, Unknown},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := compliantSnapshot()
			c.mutate(s)
			if r := checkRootRecentUse(s); r[0].Status != c.want {
				t.Errorf("got %s (%s), want %s", r[0].Status, r[0].Message, c.want)
			}
		})
	}
}

func TestUnusedSetupKeys(t *testing.T) {
	s := compliantSnapshot()
	u := userAt(s, 0)
	u.AccessKeys = core.Known([]iam.AccessKey{{ID: "AKIA2", Status: "Active", CreateDate: u.CreateDate.Add(2 * time.Minute), LastUsed: core.Known[*time.Time](nil)}})
	r := checkUnusedSetupKeys(s)
	if r[0].Status != Fail || !strings.Contains(r[0].Message, "created together with the user") {
		t.Errorf("got %s %q", r[0].Status, r[0].Message)
	}
	// An inactive never-used key is not an exposure.
	u.AccessKeys.V[0].Status = "Inactive"
	if r := checkUnusedSetupKeys(s); r[0].Status != Pass {
		t.Errorf("inactive key: got %s %q", r[0].Status, r[0].Message)
	}
	// No console password: out of scope.
	u.AccessKeys.V[0].Status = "Active"
	u.LoginProfile = core.Known(false)
	if r := checkUnusedSetupKeys(s); r[0].Status != Pass {
		t.Errorf("no password: got %s %q", r[0].Status, r[0].Message)
	}
}

func TestCloudShellFullAccess(t *testing.T) {
	s := compliantSnapshot()
	s.IAM.Roles = core.Unknown[[]iam.Role]("denied")
	if r := checkCloudShellFullAccess(s); r[0].Status != Unknown {
		t.Errorf("roles unknown: got %s", r[0].Status)
	}
	s.IAM.Policies.V = append(s.IAM.Policies.V, iam.ManagedPolicy{Meta: core.Meta{ARN: cloudShellFull}, Name: "AWSCloudShellFullAccess", AWSManaged: true, AttachmentCount: 1})
	if r := checkCloudShellFullAccess(s); r[0].Status != Fail {
		t.Errorf("attachment count 1 with roles unknown: got %s", r[0].Status)
	}
}

func TestInstanceRoleStates(t *testing.T) {
	s := compliantSnapshot()
	e := ec2At(s, "eu-west-1")
	e.Instances.V[0].State, e.Instances.V[0].IAMInstanceProfile = "stopped", ""
	fails := 0
	for _, r := range checkInstanceRoles(s) {
		if r.Status == Fail {
			fails++
		}
		if r.ResourceARN == e.Instances.V[1].ARN {
			t.Errorf("terminated instance judged: %+v", r)
		}
	}
	if fails != 1 {
		t.Errorf("stopped instance without a profile: %d FAILs, want 1", fails)
	}
}
