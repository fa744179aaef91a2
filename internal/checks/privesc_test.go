package checks

import (
	"strings"
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/iam"
)

const selfPutPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"SelfService","Effect":"Allow","Action":"iam:PutUserPolicy","Resource":"arn:aws:iam::` + acct + `:user/${aws:username}"}]}`

func privescFixtures() map[string]fixture {
	return map[string]fixture{
		// alice may write inline policies on herself: one hop to admin.
		"iam-privesc-path-to-admin": failWhen(func(s *model.Snapshot) {
			userAt(s, 0).InlinePolicies = []iam.InlinePolicy{{Name: "self-service", Document: selfPutPolicy}}
		}),
	}
}

func TestPrivescFinding(t *testing.T) {
	s := compliantSnapshot()
	userAt(s, 0).InlinePolicies = []iam.InlinePolicy{{Name: "self-service", Document: selfPutPolicy}}
	res := run(t, "iam-privesc-path-to-admin", s)
	var alice Result
	for _, r := range res {
		if r.ResourceARN == aliceARN {
			alice = r
		} else if r.Status != Pass {
			t.Errorf("%s: %s %s", r.ResourceARN, r.Status, r.Message)
		}
	}
	if alice.Status != Fail || !strings.Contains(alice.Message, "1 hop: iam:PutUserPolicy (user/alice → user/alice)") {
		t.Fatalf("alice: %+v", alice)
	}

	// An assume-role chain into an admin role is reported with its hops.
	s = compliantSnapshot()
	s.IAM.Roles.V = append(s.IAM.Roles.V,
		iam.Role{Meta: core.Meta{ARN: "arn:aws:iam::" + acct + ":role/ops"}, Name: "ops", Path: "/",
			AssumeRolePolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + aliceARN + `"},"Action":"sts:AssumeRole"}]}`,
			InlinePolicies:   []iam.InlinePolicy{{Name: "hop", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::` + acct + `:role/admin"}]}`}}},
		iam.Role{Meta: core.Meta{ARN: "arn:aws:iam::" + acct + ":role/admin"}, Name: "admin", Path: "/",
			AssumeRolePolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`,
			InlinePolicies:   []iam.InlinePolicy{{Name: "all", Document: adminPolicy}}})
	byARN := map[string]Result{}
	for _, r := range run(t, "iam-privesc-path-to-admin", s) {
		byARN[r.ResourceARN] = r
	}
	if r := byARN[aliceARN]; r.Status != Fail || !strings.Contains(r.Message, "2 hops: sts:AssumeRole (user/alice → role/ops), sts:AssumeRole (role/ops → role/admin)") {
		t.Errorf("alice: %+v", r)
	}
	if r := byARN["arn:aws:iam::"+acct+":role/ops"]; r.Status != Fail {
		t.Errorf("ops: %+v", r)
	}
	if r := byARN["arn:aws:iam::"+acct+":role/admin"]; r.Status != Pass || !strings.Contains(r.Message, "admin-equivalent") {
		t.Errorf("admin: %+v", r)
	}
}

func TestPrivescUnknown(t *testing.T) {
	// A group that is not in the snapshot: alice's permissions are unknown.
	s := compliantSnapshot()
	userAt(s, 0).Groups = append(userAt(s, 0).Groups, "ghosts")
	for _, r := range run(t, "iam-privesc-path-to-admin", s) {
		if r.ResourceARN == aliceARN && (r.Status != Unknown || !strings.Contains(r.Message, "ghosts")) {
			t.Errorf("alice: %+v", r)
		}
	}
	// Managed policies not collected: nothing can be PASS.
	s = compliantSnapshot()
	s.IAM.Policies = core.Unknown[[]iam.ManagedPolicy]("access denied")
	only(t, run(t, "iam-privesc-path-to-admin", s), Unknown)
	// Nothing collected.
	only(t, run(t, "iam-privesc-path-to-admin", baseSnapshot()), Unknown)
}
