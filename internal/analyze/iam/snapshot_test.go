package iam

import (
	"strings"
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	modeliam "github.com/demarc-sec/demarc/internal/model/iam"
	"github.com/demarc-sec/demarc/internal/model/kms"
	"github.com/demarc-sec/demarc/internal/model/organizations"
	"github.com/demarc-sec/demarc/internal/model/s3"
)

// testSnapshot is a member account with a user in a group, a role with a
// boundary, a bucket policy, a KMS key and an SCP tree root → OU → account.
func testSnapshot() *model.Snapshot {
	s := model.New(acct, "aws", []string{"us-east-1"})
	meta := func(arn string) core.Meta { return core.Meta{ARN: arn, Account: acct, Region: "global"} }
	s.IAM.Policies = core.Known([]modeliam.ManagedPolicy{
		{Meta: meta("arn:aws:iam::111122223333:policy/S3Read"), Name: "S3Read", DefaultVersionID: "v2", Versions: []modeliam.PolicyVersion{
			{VersionID: "v1", Document: pol(allowAll)},
			{VersionID: "v2", IsDefault: true, Document: pol(allow(`["s3:Get*","s3:List*"]`, "*"))},
		}},
		{Meta: meta("arn:aws:iam::111122223333:policy/Boundary"), Name: "Boundary", DefaultVersionID: "v1", Versions: []modeliam.PolicyVersion{
			{VersionID: "v1", IsDefault: true, Document: pol(allow("s3:*", "*"), allow("sqs:*", "*"))},
		}},
	})
	s.IAM.Groups = core.Known([]modeliam.Group{{Meta: meta("arn:aws:iam::111122223333:group/devs"), Name: "devs",
		InlinePolicies: []modeliam.InlinePolicy{{Name: "NoDelete", Document: pol(deny("s3:DeleteObject", "*"))}},
	}})
	s.IAM.Users = core.Known([]modeliam.User{{Meta: meta(alice), Name: "alice", UserID: "AIDAEXAMPLE", Groups: []string{"devs", "ghosts"},
		AttachedPolicies: []modeliam.AttachedPolicy{{Name: "S3Read", ARN: "arn:aws:iam::111122223333:policy/S3Read"}},
		InlinePolicies:   []modeliam.InlinePolicy{{Name: "Put", Document: pol(allow("s3:PutObject", "arn:aws:s3:::example-bucket/*"))}},
	}})
	s.IAM.Roles = core.Known([]modeliam.Role{{Meta: meta(appRole), Name: "app", RoleID: "AROAEXAMPLE",
		AssumeRolePolicy:    pol(rAllow(awsP(alice), "sts:AssumeRole", "")),
		InlinePolicies:      []modeliam.InlinePolicy{{Name: "all", Document: pol(allowAll)}},
		PermissionsBoundary: "arn:aws:iam::111122223333:policy/Boundary",
	}})
	s.S3.Buckets = core.Known([]s3.Bucket{{Meta: core.Meta{ARN: bucket, Account: acct, Region: "us-east-1"}, Name: "example-bucket",
		Policy: core.Known(pol(rAllow(awsP(appRole), "s3:GetObject", "arn:aws:s3:::example-bucket/*"))),
	}, {Meta: core.Meta{ARN: "arn:aws:s3:::hidden", Account: acct}, Name: "hidden", Policy: core.Unknown[string]("access denied")}})
	s.KMS = []kms.Region{{Name: "us-east-1", Keys: core.Known([]kms.Key{{Meta: core.Meta{ARN: keyARN, Account: acct, Region: "us-east-1"},
		Aliases: core.Known([]string{"alias/app"}),
		Policy:  core.Known(pol(rAllow(awsP(rootARN), "kms:*", "*"))),
	}})}}
	s.Organizations = organizations.State{
		Organization: core.Known(&organizations.Organization{ID: "o-abc", FeatureSet: "ALL", ManagementAccountID: "999999999999"}),
		Roots: core.Known([]organizations.Root{{ID: "r-root", PolicyTypes: []organizations.PolicyTypeStatus{
			{Type: organizations.TypeSCP, Status: "ENABLED"}}}}),
		OrganizationalUnits: core.Known([]organizations.OrganizationalUnit{{ID: "ou-dev", Name: "Dev", ParentID: "r-root"}}),
		Accounts:            core.Known([]organizations.Account{{ID: acct, ParentID: "ou-dev"}}),
		SCPs: core.Known([]organizations.Policy{
			{ID: "p-full", Name: "FullAWSAccess", Content: core.Known(fullAccess), Targets: core.Known([]organizations.Target{{ID: "r-root"}, {ID: "ou-dev"}, {ID: acct}})},
			{ID: "p-nosqs", Name: "NoSQS", Content: core.Known(pol(deny("sqs:DeleteQueue", "*"))), Targets: core.Known([]organizations.Target{{ID: "ou-dev"}})},
		}),
		RCPs: core.Known([]organizations.Policy{}),
	}
	return s
}

func TestSnapshotAccount(t *testing.T) {
	a := NewAccount(testSnapshot())
	if len(a.Principals) != 2 || a.OrgID != "o-abc" || a.ManagementAccount {
		t.Fatalf("account: %+v", a)
	}
	if len(a.SCPs) != 3 || a.SCPs[0].Name != "root r-root" || len(a.SCPs[1].Policies) != 2 || a.RCPs != nil {
		t.Fatalf("SCP levels: %+v, RCPs %+v", a.SCPs, a.RCPs)
	}
	u, err := a.Lookup(alice)
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Identity) != 3 || len(u.Unknown) != 1 || !strings.Contains(u.Unknown[0], `"ghosts"`) {
		t.Fatalf("alice: %d policies, unknown %v", len(u.Identity), u.Unknown)
	}
	cases := []struct {
		principal, action, resource string
		want                        Outcome
		unknown                     string
	}{
		{alice, "s3:GetObject", object, Allowed, "ghosts"},
		{alice, "s3:PutObject", object, Allowed, ""},
		{alice, "s3:DeleteObject", object, ExplicitDeny, ""}, // group inline deny
		{alice, "s3:DeleteBucket", bucket, ImplicitDeny, ""},
		{alice, "sts:AssumeRole", appRole, Allowed, ""}, // trust policy names alice
		{appSess, "s3:GetObject", object, Allowed, ""},
		{appSess, "ec2:RunInstances", "*", ImplicitDeny, ""}, // boundary
		{appSess, "sqs:DeleteQueue", "*", ExplicitDeny, ""},  // SCP at the OU
		{appSess, "kms:Decrypt", keyARN, ImplicitDeny, ""},   // boundary lacks kms
		{alice, "kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:alias/app", ImplicitDeny, ""},
		{alice, "s3:GetObject", "arn:aws:s3:::hidden/x", Allowed, "bucket policy of arn:aws:s3:::hidden not collected"},
		{alice, "s3:GetObject", "arn:aws:s3:::elsewhere/x", Allowed, "is not in the snapshot"},
		{bob, "s3:GetObject", object, ImplicitDeny, "identity policies are unknown"},
		{rootARN, "s3:DeleteBucket", bucket, Allowed, ""},
	}
	for _, tc := range cases {
		req, ps, unknown, err := a.Simulation(tc.principal, tc.action, tc.resource, nil)
		if err != nil {
			t.Fatalf("%s %s: %v", tc.principal, tc.action, err)
		}
		d, err := Evaluate(req, ps)
		if err != nil {
			t.Fatal(err)
		}
		if d.Outcome != tc.want {
			t.Errorf("%s %s %s: got %s, want %s: %s", tc.principal, tc.action, tc.resource, d.Outcome, tc.want, d.Explanation())
		}
		if tc.unknown != "" && !strings.Contains(strings.Join(unknown, "\n"), tc.unknown) {
			t.Errorf("%s %s %s: unknown %q lacks %q", tc.principal, tc.action, tc.resource, unknown, tc.unknown)
		}
	}
	if _, _, _, err := a.Simulation("arn:aws:iam::111122223333:user/nobody", "s3:GetObject", object, nil); err == nil {
		t.Error("unknown principal of the snapshot account: no error")
	}
}

func TestSnapshotUnknownOrganization(t *testing.T) {
	s := testSnapshot()
	s.Organizations.SCPs = core.Unknown[[]organizations.Policy]("access denied")
	a := NewAccount(s)
	if a.SCPs != nil || !strings.Contains(strings.Join(a.Unknown, "\n"), "SERVICE_CONTROL_POLICY policies not collected") {
		t.Fatalf("SCPs %v unknown %v", a.SCPs, a.Unknown)
	}
	s.Organizations.Organization = core.Unknown[*organizations.Organization]("not collected")
	a = NewAccount(s)
	if !strings.Contains(strings.Join(a.Unknown, "\n"), "organization membership unknown") {
		t.Fatalf("unknown %v", a.Unknown)
	}
	s.Organizations.Organization = core.Known(&organizations.Organization{ID: "o-abc", FeatureSet: "ALL", ManagementAccountID: acct})
	a = NewAccount(s)
	if !a.ManagementAccount || a.SCPs != nil {
		t.Fatalf("management account: %+v", a)
	}
}
