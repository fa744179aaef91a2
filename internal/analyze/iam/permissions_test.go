package iam

import (
	"strings"
	"testing"
	"time"

	"github.com/demarc-sec/demarc/internal/iamdata"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	modeliam "github.com/demarc-sec/demarc/internal/model/iam"
)

func permSnapshot() *model.Snapshot {
	s := whoSnapshot()
	s.CollectedAt = whoTime
	users := s.IAM.Users.V
	add := func(name string, docs ...string) {
		u := modeliam.User{Meta: core.Meta{ARN: "arn:aws:iam::111122223333:user/" + name, Account: acct}, Name: name,
			CreateDate: whoTime.AddDate(-2, 0, 0), AccessKeys: core.Known([]modeliam.AccessKey{})}
		for i, d := range docs {
			u.InlinePolicies = append(u.InlinePolicies, modeliam.InlinePolicy{Name: string(rune('a' + i)), Document: d})
		}
		users = append(users, u)
	}
	add("boss", pol(allowAll))
	add("almost", pol(allowAll, deny("cloudtrail:StopLogging", "*")))
	add("noiam", pol(allowAll, deny("iam:Put*", "*")))
	add("iamadmin", pol(allow("iam:*", "*")))
	add("notaction", pol(`{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}`))
	add("home", pol(allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")))
	s.IAM.Users = core.Known(users)
	roles := s.IAM.Roles.V
	roles[0].LastUsed = core.Known[*time.Time](nil)
	roles[0].CreateDate = whoTime.AddDate(-1, 0, 0)
	s.IAM.Roles = core.Known(roles)
	return s
}

func findGrant(p *Permissions, action string) (ActionGrant, bool) {
	svc, _, _ := strings.Cut(action, ":")
	for _, sv := range p.Services {
		if sv.Service != svc {
			continue
		}
		for _, l := range sv.Levels {
			for _, g := range l.Actions {
				if strings.EqualFold(g.Action, action) {
					return g, true
				}
			}
		}
	}
	return ActionGrant{}, false
}

func permsOf(t *testing.T, a *Account, s *model.Snapshot, arn string) *Permissions {
	t.Helper()
	p, err := a.Permissions(s, arn, PermissionsOptions{})
	if err != nil {
		t.Fatalf("%s: %v", arn, err)
	}
	return p
}

// Identity grants on "*", resource-scoped grants, explicit denies
// (reference_policies_evaluation-logic.html).
func TestPermissionsAlice(t *testing.T) {
	s := permSnapshot()
	a := NewAccount(s)
	p := permsOf(t, a, s, alice)
	if g, ok := findGrant(p, "s3:GetObject"); !ok || g.Scope != ScopeAll || g.Conditional || g.Level != iamdata.Read {
		t.Errorf("s3:GetObject: %+v", g)
	}
	if g, ok := findGrant(p, "s3:PutObject"); !ok || g.Scope != ScopeResources || strings.Join(g.Resources, ",") != "arn:aws:s3:::example-bucket/*" {
		t.Errorf("s3:PutObject: %+v", g)
	}
	if _, ok := findGrant(p, "s3:DeleteObject"); ok {
		t.Error("s3:DeleteObject is denied by the group policy")
	}
	if _, ok := findGrant(p, "ec2:RunInstances"); ok {
		t.Error("alice has no ec2")
	}
	if p.AdminEquivalent || len(p.Services) != 1 || p.Services[0].Service != "s3" {
		t.Errorf("admin %v services %d", p.AdminEquivalent, len(p.Services))
	}
	if !strings.Contains(strings.Join(p.Unknowns, "\n"), "ghosts") {
		t.Errorf("unknowns %v", p.Unknowns)
	}
	var list LevelPermissions
	for _, l := range p.Services[0].Levels {
		if l.Level == iamdata.List {
			list = l
		}
	}
	if list.Allowed == 0 || list.Allowed != list.Total {
		t.Errorf("s3 List: %d of %d", list.Allowed, list.Total)
	}
}

// A permissions boundary limits and an SCP denies
// (access_policies_boundaries.html, orgs_manage_policies_scps_evaluation.html).
func TestPermissionsBoundaryAndSCP(t *testing.T) {
	s := permSnapshot()
	a := NewAccount(s)
	p := permsOf(t, a, s, appRole)
	svcs := map[string]ServicePermissions{}
	for _, sv := range p.Services {
		svcs[sv.Service] = sv
	}
	if len(svcs) != 2 || !svcs["s3"].Full || svcs["sqs"].Full {
		t.Fatalf("services %v", svcs)
	}
	if _, ok := findGrant(p, "sqs:DeleteQueue"); ok {
		t.Error("sqs:DeleteQueue is denied by an SCP")
	}
	if p.AdminEquivalent {
		t.Errorf("boundary-limited role is admin: %s", p.AdminReason)
	}
	want := map[string]bool{"s3:PutBucketPolicy": true, "sqs:AddPermission": true, "s3:DeleteBucket": true}
	got := map[string]bool{}
	for _, a := range p.Sensitive {
		got[a] = true
	}
	for a := range want {
		if !got[a] {
			t.Errorf("sensitive lacks %s: %v", a, p.Sensitive)
		}
	}
	// The role was created a year ago and never used: every sensitive grant
	// is unused.
	if !p.Usage.Known || !p.Usage.Unused || len(p.UnusedSensitive) != len(p.Sensitive) {
		t.Errorf("usage %+v unused %d of %d", p.Usage, len(p.UnusedSensitive), len(p.Sensitive))
	}
}

func TestPermissionsAdmin(t *testing.T) {
	s := permSnapshot()
	a := NewAccount(s)
	boss := permsOf(t, a, s, "arn:aws:iam::111122223333:user/boss")
	if !boss.AdminEquivalent || boss.AdminBasis != AdminAllActions {
		t.Errorf("boss: %v %s %s", boss.AdminEquivalent, boss.AdminBasis, boss.AdminReason)
	}
	// The SCP denies sqs:DeleteQueue to everyone: still admin.
	if !strings.Contains(boss.AdminReason, "SCPs leave") {
		t.Errorf("reason %s", boss.AdminReason)
	}
	almost := permsOf(t, a, s, "arn:aws:iam::111122223333:user/almost")
	// Everything but cloudtrail:StopLogging: not every action, but all of
	// IAM's permissions management, so it can grant itself the rest.
	if !almost.AdminEquivalent || almost.AdminBasis != AdminIAMPerms || !strings.Contains(almost.AdminReason, "cloudtrail:StopLogging") {
		t.Errorf("almost: %v %s", almost.AdminEquivalent, almost.AdminReason)
	}
	noiam := permsOf(t, a, s, "arn:aws:iam::111122223333:user/noiam")
	if noiam.AdminEquivalent || !strings.Contains(noiam.AdminReason, "not admin-equivalent") {
		t.Errorf("noiam: %v %s", noiam.AdminEquivalent, noiam.AdminReason)
	}
	iamadmin := permsOf(t, a, s, "arn:aws:iam::111122223333:user/iamadmin")
	if !iamadmin.AdminEquivalent || iamadmin.AdminBasis != AdminIAMPerms {
		t.Errorf("iamadmin: %v %s %s", iamadmin.AdminEquivalent, iamadmin.AdminBasis, iamadmin.AdminReason)
	}
	na := permsOf(t, a, s, "arn:aws:iam::111122223333:user/notaction")
	if na.AdminEquivalent {
		t.Error("NotAction iam:* is not admin")
	}
	if _, ok := findGrant(na, "ec2:RunInstances"); !ok {
		t.Error("NotAction iam:* allows ec2:RunInstances")
	}
	if _, ok := findGrant(na, "iam:CreateUser"); ok {
		t.Error("NotAction iam:* allows iam:CreateUser")
	}
	root := permsOf(t, a, s, rootARN)
	if !root.AdminEquivalent {
		t.Errorf("root: %s", root.AdminReason)
	}
}

func TestPermissionsConditionalAndVariables(t *testing.T) {
	s := permSnapshot()
	a := NewAccount(s)
	off := permsOf(t, a, s, "arn:aws:iam::111122223333:user/office")
	g, ok := findGrant(off, "s3:PutObject")
	if !ok || !g.Conditional || g.Scope != ScopeResources || strings.Join(g.Conditions, ",") != "aws:MultiFactorAuthPresent,aws:SourceIp" {
		t.Errorf("office s3:PutObject: %+v", g)
	}
	home := permsOf(t, a, s, "arn:aws:iam::111122223333:user/home")
	if g, ok := findGrant(home, "s3:GetObject"); !ok || g.Scope != ScopeResources || g.Conditional {
		t.Errorf("home s3:GetObject: %+v", g)
	}
	// The user was created two years ago and never used.
	if !home.Usage.Known || !home.Usage.Unused {
		t.Errorf("usage %+v", home.Usage)
	}
}

func TestPermissionsErrors(t *testing.T) {
	s := permSnapshot()
	a := NewAccount(s)
	for _, arn := range []string{"arn:aws:iam::444455556666:user/x", "arn:aws:iam::111122223333:user/nobody", "*"} {
		if _, err := a.Permissions(s, arn, PermissionsOptions{}); err == nil {
			t.Errorf("%s: no error", arn)
		}
	}
}

func TestSubstituteVars(t *testing.T) {
	p, _ := ParsePrincipal(alice)
	p.Tags = map[string]string{"team": "red"}
	for in, want := range map[string]string{
		"arn:aws:s3:::b/${aws:username}/*":               "arn:aws:s3:::b/alice/*",
		"arn:aws:s3:::b/${aws:PrincipalTag/team}/*":      "arn:aws:s3:::b/red/*",
		"arn:aws:s3:::b/${aws:PrincipalTag/x, 'none'}/*": "arn:aws:s3:::b/none/*",
		"arn:aws:s3:::b/${s3:prefix}":                    "arn:aws:s3:::b/${s3:prefix}",
		"arn:aws:s3:::b/${*}":                            "arn:aws:s3:::b/*",
	} {
		if got := substituteVars(in, p, nil); got != want {
			t.Errorf("%s → %s, want %s", in, got, want)
		}
	}
}

// BenchmarkPermissions computes the effective permissions of an
// administrator (every catalogued action) and of a typical scoped user.
func BenchmarkPermissions(b *testing.B) {
	s := permSnapshot()
	a := NewAccount(s)
	for _, who := range []string{"arn:aws:iam::111122223333:user/boss", alice} {
		b.Run(who[strings.LastIndexByte(who, '/')+1:], func(b *testing.B) {
			cpu0, ok := processCPU()
			for i := 0; i < b.N; i++ {
				if _, err := a.Permissions(s, who, PermissionsOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu0, ok)
		})
	}
}
