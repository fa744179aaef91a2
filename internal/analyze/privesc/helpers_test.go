package privesc

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/ec2"
	modeliam "github.com/demarc-sec/demarc/internal/model/iam"
	"github.com/demarc-sec/demarc/internal/model/lambda"
	"github.com/demarc-sec/demarc/internal/model/organizations"
	"github.com/demarc-sec/demarc/internal/model/ssm"
)

const (
	acct   = "111122223333"
	region = "us-east-1"
)

var testNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func iamARN(kind, name string) string { return "arn:aws:iam::" + acct + ":" + kind + "/" + name }

var (
	alice     = iamARN("user", "alice")
	bob       = iamARN("user", "bob")
	adminRole = iamARN("role", "admin")
)

// Policy document builders.

func doc(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

func list(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = fmt.Sprintf("%q", v)
	}
	return "[" + strings.Join(q, ",") + "]"
}

func allow(resource string, actions ...string) string {
	return fmt.Sprintf(`{"Effect":"Allow","Action":%s,"Resource":%q}`, list(actions), resource)
}

func allowIf(resource, cond string, actions ...string) string {
	return fmt.Sprintf(`{"Effect":"Allow","Action":%s,"Resource":%q,"Condition":%s}`, list(actions), resource, cond)
}

func deny(resource string, actions ...string) string {
	return fmt.Sprintf(`{"Effect":"Deny","Action":%s,"Resource":%q}`, list(actions), resource)
}

func denyIf(resource, cond string, actions ...string) string {
	return fmt.Sprintf(`{"Effect":"Deny","Action":%s,"Resource":%q,"Condition":%s}`, list(actions), resource, cond)
}

var adminDoc = doc(allow("*", "*"))

func trustAWS(principals ...string) string {
	return doc(fmt.Sprintf(`{"Effect":"Allow","Principal":{"AWS":%s},"Action":"sts:AssumeRole"}`, list(principals)))
}

func trustService(svc string) string {
	return doc(fmt.Sprintf(`{"Effect":"Allow","Principal":{"Service":%q},"Action":"sts:AssumeRole"}`, svc))
}

var trustAccount = trustAWS("arn:aws:iam::" + acct + ":root")

// world builds a snapshot in which every list is collected.
type world struct{ s *model.Snapshot }

func newWorld() *world {
	s := model.New(acct, "aws", []string{region})
	s.CollectedAt = testNow
	s.IAM.Users = core.Known([]modeliam.User{})
	s.IAM.Roles = core.Known([]modeliam.Role{})
	s.IAM.Groups = core.Known([]modeliam.Group{})
	s.IAM.Policies = core.Known([]modeliam.ManagedPolicy{})
	s.IAM.InstanceProfiles = core.Known([]modeliam.InstanceProfile{})
	s.EC2 = []ec2.Region{{Name: region, Instances: core.Known([]ec2.Instance{})}}
	s.Lambda = []lambda.Region{{Name: region, Functions: core.Known([]lambda.Function{})}}
	s.SSM = []ssm.Region{{Name: region, ManagedInstances: core.Known([]ssm.ManagedInstance{})}}
	s.Organizations.Organization = core.Known[*organizations.Organization](nil)
	return &world{s: s}
}

func meta(arn string) core.Meta { return core.Meta{ARN: arn, Account: acct, Region: core.GlobalRegion} }

func inline(docs []string) []modeliam.InlinePolicy {
	var out []modeliam.InlinePolicy
	for i, d := range docs {
		out = append(out, modeliam.InlinePolicy{Name: fmt.Sprintf("p%d", i), Document: d})
	}
	return out
}

// user adds a user without MFA, with a console password and one key.
func (w *world) user(name string, docs ...string) *modeliam.User {
	u := modeliam.User{Meta: meta(iamARN("user", name)), Name: name, UserID: "AIDA" + strings.ToUpper(name), Path: "/",
		InlinePolicies: inline(docs), LoginProfile: core.Known(true), MFADevices: core.Known([]modeliam.MFADevice{}),
		AccessKeys: core.Known([]modeliam.AccessKey{{ID: "AKIA" + name, Status: "Active"}})}
	w.s.IAM.Users.V = append(w.s.IAM.Users.V, u)
	return &w.s.IAM.Users.V[len(w.s.IAM.Users.V)-1]
}

func (w *world) userAt(name string) *modeliam.User {
	for i := range w.s.IAM.Users.V {
		if w.s.IAM.Users.V[i].Name == name {
			return &w.s.IAM.Users.V[i]
		}
	}
	panic("no user " + name)
}

func (w *world) role(name, trust string, docs ...string) *modeliam.Role {
	r := modeliam.Role{Meta: meta(iamARN("role", name)), Name: name, RoleID: "AROA" + strings.ToUpper(name), Path: "/",
		AssumeRolePolicy: trust, InlinePolicies: inline(docs)}
	w.s.IAM.Roles.V = append(w.s.IAM.Roles.V, r)
	return &w.s.IAM.Roles.V[len(w.s.IAM.Roles.V)-1]
}

func (w *world) roleAt(name string) *modeliam.Role {
	for i := range w.s.IAM.Roles.V {
		if w.s.IAM.Roles.V[i].Name == name {
			return &w.s.IAM.Roles.V[i]
		}
	}
	panic("no role " + name)
}

// admin adds the admin role, trusted by nobody.
func (w *world) admin() { w.role("admin", doc(), adminDoc) }

func (w *world) group(name string, members []string, docs ...string) {
	w.s.IAM.Groups.V = append(w.s.IAM.Groups.V, modeliam.Group{Meta: meta(iamARN("group", name)), Name: name, Path: "/", InlinePolicies: inline(docs)})
	for _, m := range members {
		u := w.userAt(m)
		u.Groups = append(u.Groups, name)
	}
}

// managed adds a customer-managed policy (versions: the last is default).
func (w *world) managed(name string, versions ...string) string {
	arn := "arn:aws:iam::" + acct + ":policy/" + name
	mp := modeliam.ManagedPolicy{Meta: meta(arn), Name: name, Path: "/", IsAttachable: true}
	for i, d := range versions {
		id := fmt.Sprintf("v%d", i+1)
		mp.Versions = append(mp.Versions, modeliam.PolicyVersion{VersionID: id, IsDefault: i == len(versions)-1, Document: d})
		mp.DefaultVersionID = id
	}
	w.s.IAM.Policies.V = append(w.s.IAM.Policies.V, mp)
	return arn
}

func attach(arn string) modeliam.AttachedPolicy {
	return modeliam.AttachedPolicy{Name: arn[strings.LastIndexByte(arn, '/')+1:], ARN: arn}
}

// profile puts a role in an instance profile and returns its ARN.
func (w *world) profile(role string) string {
	arn := iamARN("instance-profile", role+"-profile")
	w.s.IAM.InstanceProfiles.V = append(w.s.IAM.InstanceProfiles.V, modeliam.InstanceProfile{Meta: meta(arn), Name: role + "-profile", Roles: []string{iamARN("role", role)}})
	r := w.roleAt(role)
	r.InstanceProfiles = append(r.InstanceProfiles, arn)
	return arn
}

func instanceARN(id string) string { return "arn:aws:ec2:" + region + ":" + acct + ":instance/" + id }

func (w *world) instance(id, profile string, managed bool) {
	w.s.EC2[0].Instances.V = append(w.s.EC2[0].Instances.V, ec2.Instance{
		Meta: core.Meta{ARN: instanceARN(id), Account: acct, Region: region}, ID: id, State: "running", IAMInstanceProfile: profile})
	if managed {
		w.s.SSM[0].ManagedInstances.V = append(w.s.SSM[0].ManagedInstances.V, ssm.ManagedInstance{ID: id, PingStatus: "Online"})
	}
}

func functionARN(name string) string {
	return "arn:aws:lambda:" + region + ":" + acct + ":function:" + name
}

func (w *world) function(name, role string) {
	w.s.Lambda[0].Functions.V = append(w.s.Lambda[0].Functions.V, lambda.Function{
		Meta: core.Meta{ARN: functionARN(name), Account: acct, Region: region}, Name: name, Role: iamARN("role", role), Policy: core.Known("")})
}

// org puts the account in an organization with SCPs at the root (and
// FullAWSAccess everywhere).
func (w *world) org(scps ...string) {
	full := doc(allow("*", "*"))
	pols := []organizations.Policy{{ID: "p-full", Name: "FullAWSAccess", Content: core.Known(full),
		Targets: core.Known([]organizations.Target{{ID: "r-root"}, {ID: acct}})}}
	for i, d := range scps {
		pols = append(pols, organizations.Policy{ID: fmt.Sprintf("p-%d", i), Name: fmt.Sprintf("scp%d", i), Content: core.Known(d),
			Targets: core.Known([]organizations.Target{{ID: "r-root"}})})
	}
	w.s.Organizations = organizations.State{
		Organization: core.Known(&organizations.Organization{ID: "o-test", FeatureSet: "ALL", ManagementAccountID: "999999999999"}),
		Roots: core.Known([]organizations.Root{{ID: "r-root", PolicyTypes: []organizations.PolicyTypeStatus{
			{Type: organizations.TypeSCP, Status: "ENABLED"}}}}),
		OrganizationalUnits: core.Known([]organizations.OrganizationalUnit{}),
		Accounts:            core.Known([]organizations.Account{{ID: acct, ParentID: "r-root"}}),
		SCPs:                core.Known(pols),
		RCPs:                core.Known([]organizations.Policy{}),
	}
}

type modelAttached = modeliam.AttachedPolicy

func knownBool(v bool) core.Val[bool] { return core.Known(v) }

func (w *world) analysis() *Analysis { return New(w.s, Options{Now: testNow}) }

// pathFrom runs the analysis from one principal to admin.
func pathFrom(t *testing.T, w *world, from string) (*Path, *Result) {
	t.Helper()
	r, err := w.analysis().Run(Query{From: from})
	if err != nil {
		t.Fatal(err)
	}
	switch len(r.Paths) {
	case 0:
		return nil, r
	case 1:
		return &r.Paths[0], r
	}
	t.Fatalf("%d paths from one principal", len(r.Paths))
	return nil, r
}

func techniques(p *Path) []string {
	var out []string
	for _, h := range p.Hops {
		out = append(out, h.Technique)
	}
	return out
}
