package checks

import (
	"strings"
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/identitycenter"
)

const (
	icInstance = "arn:aws:sso:::instance/ssoins-1111222233334444"
	icReadOnly = "arn:aws:sso:::permissionSet/ssoins-1111222233334444/ps-1111222233334444"
	icAdminARN = "arn:aws:iam::aws:policy/AdministratorAccess"
)

// addCompliantIdentityCenter gives the compliant world an Identity Center
// instance in us-east-1 (its home region) with one view-only permission
// set; eu-west-1 answers with no instance.
func addCompliantIdentityCenter(s *model.Snapshot) {
	for _, r := range testRegions {
		ensureRegion(&s.IdentityCenter, r, func(n string) identitycenter.Region {
			if n != "us-east-1" {
				return identitycenter.Region{Name: n, Instances: core.Known([]identitycenter.Instance{})}
			}
			return identitycenter.Region{Name: n, Instances: core.Known([]identitycenter.Instance{{
				Meta: core.Meta{ARN: icInstance, Account: acct, Region: n}, IdentityStoreID: "d-1234567890", Status: "ACTIVE",
				PermissionSets: core.Known([]identitycenter.PermissionSet{{
					Meta:    core.Meta{ARN: icReadOnly, Account: acct, Region: n},
					Details: core.Known(identitycenter.Details{Name: "ViewOnly", SessionDuration: "PT1H"}),
					ManagedPolicies: core.Known([]identitycenter.ManagedPolicy{
						{Name: "ViewOnlyAccess", ARN: "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"}}),
					CustomerManagedPolicies: core.Known([]identitycenter.PolicyReference{}),
					InlinePolicy:            core.Known(""),
					ProvisionedAccounts:     core.Known([]string{acct}),
				}}),
			}})}
		}, func(x *identitycenter.Region) string { return x.Name })
	}
}

func permissionSet(s *model.Snapshot) *identitycenter.PermissionSet {
	for i := range s.IdentityCenter {
		for j := range s.IdentityCenter[i].Instances.V {
			if sets := s.IdentityCenter[i].Instances.V[j].PermissionSets.V; len(sets) > 0 {
				return &s.IdentityCenter[i].Instances.V[j].PermissionSets.V[0]
			}
		}
	}
	panic("no permission set in the compliant world")
}

func identityCenterFixtures() map[string]fixture {
	return map[string]fixture{
		"identitycenter-permission-set-admin": failWhen(func(s *model.Snapshot) {
			ps := permissionSet(s)
			ps.ManagedPolicies.V = append(ps.ManagedPolicies.V, identitycenter.ManagedPolicy{Name: "AdministratorAccess", ARN: icAdminARN})
		}),
	}
}

func TestIdentityCenterAdminPermissionSets(t *testing.T) {
	const id = "identitycenter-permission-set-admin"
	tests := []struct {
		name     string
		mutate   func(ps *identitycenter.PermissionSet)
		want     Status
		contains string
	}{
		{"view only", func(*identitycenter.PermissionSet) {}, Pass, "does not grant"},
		{"AdministratorAccess", func(ps *identitycenter.PermissionSet) {
			ps.ManagedPolicies = core.Known([]identitycenter.ManagedPolicy{{Name: "AdministratorAccess", ARN: icAdminARN}})
		}, Fail, "AdministratorAccess"},
		{"AdministratorAccess in another partition", func(ps *identitycenter.PermissionSet) {
			ps.ManagedPolicies = core.Known([]identitycenter.ManagedPolicy{{Name: "AdministratorAccess", ARN: "arn:aws-us-gov:iam::aws:policy/AdministratorAccess"}})
		}, Fail, acct},
		{"inline *:*", func(ps *identitycenter.PermissionSet) {
			ps.InlinePolicy = core.Known(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
		}, Fail, "inline policy"},
		{"inline with a narrower grant", func(ps *identitycenter.PermissionSet) {
			ps.InlinePolicy = core.Known(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
		}, Pass, ""},
		{"a similarly named customer path is not AWS's policy", func(ps *identitycenter.PermissionSet) {
			ps.ManagedPolicies = core.Known([]identitycenter.ManagedPolicy{{Name: "AdministratorAccess", ARN: "arn:aws:iam::aws:policy/job-function/NotAdministratorAccess"}})
		}, Pass, ""},
		{"inline unreadable", func(ps *identitycenter.PermissionSet) {
			ps.InlinePolicy = core.Unknown[string]("access denied (sso:GetInlinePolicyForPermissionSet)")
		}, Unknown, "access denied"},
		{"admin found even when the inline policy is unreadable", func(ps *identitycenter.PermissionSet) {
			ps.ManagedPolicies = core.Known([]identitycenter.ManagedPolicy{{Name: "AdministratorAccess", ARN: icAdminARN}})
			ps.InlinePolicy = core.Unknown[string]("access denied (sso:GetInlinePolicyForPermissionSet)")
		}, Fail, ""},
		{"customer managed policies cannot be judged here", func(ps *identitycenter.PermissionSet) {
			ps.CustomerManagedPolicies = core.Known([]identitycenter.PolicyReference{{Name: "team-admin", Path: "/teams/"}})
		}, Unknown, "/teams/team-admin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := compliantSnapshot()
			tt.mutate(permissionSet(s))
			res := ruleByID(t, id).Check(s)
			if len(res) != 1 || res[0].Status != tt.want || res[0].ResourceARN != icReadOnly || res[0].Region != "us-east-1" ||
				!strings.Contains(res[0].Message, tt.contains) {
				t.Errorf("%+v, want %s containing %q", res, tt.want, tt.contains)
			}
		})
	}
}

func TestIdentityCenterRegions(t *testing.T) {
	const id = "identitycenter-permission-set-admin"
	// An instance listed by two regions (multi-Region replication) is
	// judged once.
	s := compliantSnapshot()
	home := s.IdentityCenter[1]
	s.IdentityCenter[0].Instances = home.Instances
	if res := ruleByID(t, id).Check(s); len(res) != 1 {
		t.Errorf("replicated instance judged %d times: %+v", len(res), res)
	}

	// ListInstances failed in one region: that region is UNKNOWN.
	s = compliantSnapshot()
	s.IdentityCenter[0].Instances = core.Unknown[[]identitycenter.Instance]("access denied (sso:ListInstances)")
	got := map[Status]int{}
	for _, r := range ruleByID(t, id).Check(s) {
		got[r.Status]++
	}
	if got[Unknown] != 1 || got[Pass] != 1 {
		t.Errorf("%v", got)
	}

	// No instance in any region: Identity Center is not enabled, nothing
	// to judge.
	s = compliantSnapshot()
	for i := range s.IdentityCenter {
		s.IdentityCenter[i].Instances = core.Known([]identitycenter.Instance{})
	}
	if res := ruleByID(t, id).Check(s); len(res) != 0 {
		t.Errorf("no instance: %+v", res)
	}

	// Permission sets unreadable: UNKNOWN on the instance.
	s = compliantSnapshot()
	s.IdentityCenter[1].Instances.V[0].PermissionSets = core.Unknown[[]identitycenter.PermissionSet]("access denied (sso:ListPermissionSets)")
	res := ruleByID(t, id).Check(s)
	if len(res) != 1 || res[0].Status != Unknown || res[0].ResourceARN != icInstance {
		t.Errorf("%+v", res)
	}
}
