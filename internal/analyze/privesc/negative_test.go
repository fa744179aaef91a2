package privesc

import (
	"reflect"
	"strings"
	"testing"

	"github.com/demarc-sec/demarc/internal/analyze/iam"
	"github.com/demarc-sec/demarc/internal/model/core"
	modeliam "github.com/demarc-sec/demarc/internal/model/iam"
)

const mfaTrue = `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`

// Negative scenarios: each would be a path but for one control, which the
// engine must honour.
var negatives = []struct {
	name  string
	build func(w *world) string
}{
	{"deny in the same policy cancels the allow", func(w *world) string {
		w.user("alice", doc(allow(alice, "iam:PutUserPolicy"), deny("*", "iam:PutUserPolicy")))
		return alice
	}},
	{"deny in a group policy cancels the allow", func(w *world) string {
		w.user("alice", doc(allow(alice, "iam:PutUserPolicy", "iam:AttachUserPolicy")))
		w.group("guard", []string{"alice"}, doc(deny("*", "iam:Put*", "iam:Attach*")))
		return alice
	}},
	{"deny in a managed policy cancels an assume-role chain", func(w *world) string {
		w.role("admin", trustAccount, adminDoc)
		arn := w.managed("guard", doc(deny(adminRole, "sts:AssumeRole")))
		w.user("alice", doc(allow("*", "sts:AssumeRole"))).AttachedPolicies = []modelAttached{attach(arn)}
		return alice
	}},
	{"create policy version scoped to AWS-managed policies", func(w *world) string {
		aws := "arn:aws:iam::aws:policy/PowerUserAccess"
		w.s.IAM.Policies.V = append(w.s.IAM.Policies.V, modeliam.ManagedPolicy{Meta: meta(aws), Name: "PowerUserAccess", AWSManaged: true,
			IsAttachable: true, DefaultVersionID: "v5", Versions: []modeliam.PolicyVersion{
				{VersionID: "v5", IsDefault: true, Document: doc(allow("*", "s3:*"))}}})
		w.user("alice", doc(allow("arn:aws:iam::aws:policy/*", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"))).
			AttachedPolicies = []modelAttached{attach(aws)}
		return alice
	}},
	{"create policy version of a policy attached to nobody the attacker controls", func(w *world) string {
		arn := w.managed("other", doc(allow("*", "s3:GetObject")))
		w.user("bob").AttachedPolicies = []modelAttached{attach(arn)}
		w.user("alice", doc(allow(arn, "iam:CreatePolicyVersion")))
		return alice
	}},
	{"set default version when no stored version grants more", func(w *world) string {
		arn := w.managed("dev", doc(allow("*", "s3:GetObject")), doc(allow("arn:aws:iam::"+acct+":policy/dev", "iam:SetDefaultPolicyVersion")))
		w.user("alice").AttachedPolicies = []modelAttached{attach(arn)}
		return alice
	}},
	{"MFA required, long-term keys only (no MFA device)", func(w *world) string {
		w.user("alice", doc(allowIf(alice, mfaTrue, "iam:PutUserPolicy")))
		return alice
	}},
	{"MFA required to assume the admin role, caller has no MFA device", func(w *world) string {
		w.role("admin", doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+acct+`:root"},"Action":"sts:AssumeRole","Condition":`+mfaTrue+`}`), adminDoc)
		w.user("alice", doc(allow(adminRole, "sts:AssumeRole")))
		return alice
	}},
	{"permissions boundary blocks the hop", func(w *world) string {
		b := w.managed("boundary", doc(allow("*", "s3:*")))
		w.user("alice", doc(allow(alice, "iam:PutUserPolicy"))).PermissionsBoundary = b
		return alice
	}},
	{"permissions boundary keeps an arbitrary policy from making admin", func(w *world) string {
		b := w.managed("boundary", doc(allow("*", "iam:PutUserPolicy", "s3:*")))
		w.user("alice", doc(allow(alice, "iam:PutUserPolicy"))).PermissionsBoundary = b
		return alice
	}},
	{"SCP denies the hop", func(w *world) string {
		w.org(doc(deny("*", "iam:PutUserPolicy")))
		w.user("alice", doc(allow(alice, "iam:PutUserPolicy")))
		return alice
	}},
	{"SCP denies passing roles to Lambda", func(w *world) string {
		w.org(doc(denyIf("*", `{"StringEquals":{"iam:PassedToService":"lambda.amazonaws.com"}}`, "iam:PassRole")))
		serviceAdmin(w, "fnadmin", svcLambda)
		w.user("alice", doc(allow("*", "iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction")))
		return alice
	}},
	{"role does not trust the service it would be passed to", func(w *world) string {
		serviceAdmin(w, "ec2admin", svcEC2)
		w.user("alice", doc(allow("*", "iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction")))
		return alice
	}},
	{"iam:PassedToService limits passing to another service", func(w *world) string {
		serviceAdmin(w, "fnadmin", svcLambda)
		w.user("alice", doc(allowIf("*", `{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}`, "iam:PassRole"),
			allow("*", "lambda:CreateFunction", "lambda:InvokeFunction")))
		return alice
	}},
	{"EC2 role in no instance profile and no way to make one", func(w *world) string {
		serviceAdmin(w, "ec2admin", svcEC2)
		w.user("alice", doc(allow("*", "iam:PassRole", "ec2:RunInstances")))
		return alice
	}},
	{"iam:PolicyARN allows attaching only a read-only policy", func(w *world) string {
		w.user("alice", doc(allowIf(alice, `{"ArnEquals":{"iam:PolicyARN":"arn:aws:iam::aws:policy/ReadOnlyAccess"}}`, "iam:AttachUserPolicy")))
		return alice
	}},
	{"trust names the account but the caller has no sts:AssumeRole", func(w *world) string {
		w.role("admin", trustAccount, adminDoc)
		w.user("alice", doc(allow("*", "s3:GetObject")))
		return alice
	}},
	{"trust names another principal", func(w *world) string {
		w.role("admin", trustAWS(bob), adminDoc)
		w.user("bob")
		w.user("alice", doc(allow("*", "sts:AssumeRole")))
		return alice
	}},
	{"principal tag condition the principal does not meet", func(w *world) string {
		w.user("alice", doc(allowIf(alice, `{"StringEquals":{"aws:PrincipalTag/team":"platform"}}`, "iam:PutUserPolicy")))
		return alice
	}},
	{"resource tag condition the target does not meet", func(w *world) string {
		w.user("alice", doc(allowIf(bob, `{"StringEquals":{"iam:ResourceTag/delegated":"yes"}}`, "iam:CreateAccessKey")))
		w.user("bob", adminDoc)
		return alice
	}},
	{"create login profile for a user that already has one", func(w *world) string {
		w.user("alice", doc(allow(bob, "iam:CreateLoginProfile")))
		w.user("bob", adminDoc)
		return alice
	}},
	{"create access key for a user with two keys, no delete", func(w *world) string {
		w.user("alice", doc(allow(bob, "iam:CreateAccessKey")))
		w.user("bob", adminDoc).AccessKeys = core.Known([]modeliam.AccessKey{{ID: "K1"}, {ID: "K2"}})
		return alice
	}},
	{"policy change on a role nobody can use", func(w *world) string {
		w.role("app", trustService(svcLambda), doc(allow("*", "s3:GetObject")))
		w.user("alice", doc(allow(iamARN("role", "app"), "iam:PutRolePolicy")))
		return alice
	}},
	{"service-linked role cannot be changed", func(w *world) string {
		r := w.role("AWSServiceRoleForSupport", trustAccount, doc(allow("*", "support:*")))
		r.Path = "/aws-service-role/support.amazonaws.com/"
		w.user("alice", doc(allow("*", "iam:PutRolePolicy", "iam:AttachRolePolicy", "sts:AssumeRole")))
		return alice
	}},
	{"SSM on an instance not registered with Systems Manager", func(w *world) string {
		serviceAdmin(w, "ec2admin", svcEC2)
		w.instance("i-0adm", w.profile("ec2admin"), false)
		w.user("alice", doc(allow("*", "ssm:SendCommand", "ssm:StartSession")))
		return alice
	}},
	{"function policy grants invoke to another principal only", func(w *world) string {
		serviceAdmin(w, "fnadmin", svcLambda)
		w.user("alice", doc(allow("*", "iam:PassRole", "lambda:CreateFunction")))
		return alice
	}},
	{"allowed lambda names do not overlap with the denied ones", func(w *world) string {
		serviceAdmin(w, "fnadmin", svcLambda)
		w.user("alice", doc(allow("*", "iam:PassRole"), allow("arn:aws:lambda:*:*:function:prod-*", "lambda:CreateFunction", "lambda:InvokeFunction"),
			deny("arn:aws:lambda:*:*:function:*", "lambda:CreateFunction")))
		return alice
	}},
}

func TestNegativeScenarios(t *testing.T) {
	for _, tc := range negatives {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld()
			from := tc.build(w)
			p, r := pathFrom(t, w, from)
			if p != nil {
				t.Fatalf("unexpected path %s\n%s", p.Summary(), dump(p))
			}
			for _, a := range r.Admins {
				if a == from {
					t.Fatalf("%s is admin", from)
				}
			}
			if len(r.Unknown) > 0 {
				t.Errorf("unknown: %+v", r.Unknown)
			}
		})
	}
}

// The attacker chooses how a request looks: conditions on keys the
// snapshot cannot know (source IP, requested region, request tags) are
// assumed satisfiable, so they hide no path.
func TestFreeConditionKeysDoNotHidePaths(t *testing.T) {
	w := newWorld()
	w.user("alice", doc(
		allowIf(alice, `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, "iam:PutUserPolicy"),
		denyIf("*", `{"StringNotEquals":{"aws:RequestedRegion":"eu-west-1"}}`, "*")))
	p, _ := pathFrom(t, w, alice)
	if p == nil || techniques(p)[0] != "iam:PutUserPolicy" {
		t.Fatalf("path %v", p)
	}
}

func TestMFAByCredentialType(t *testing.T) {
	build := func(mfa bool) *world {
		w := newWorld()
		u := w.user("alice", doc(allowIf(alice, mfaTrue, "iam:PutUserPolicy")))
		if mfa {
			u.MFADevices = core.Known([]modeliam.MFADevice{{SerialNumber: "arn:aws:iam::" + acct + ":mfa/alice"}})
		}
		return w
	}
	if p, _ := pathFrom(t, build(false), alice); p != nil {
		t.Fatalf("long-term keys satisfied an MFA condition: %s", p.Summary())
	}
	p, _ := pathFrom(t, build(true), alice)
	if p == nil {
		t.Fatal("a user with an MFA device can act with MFA")
	}
	if got := p.Hops[0].Credentials; got != CredSessionMFA.String() {
		t.Errorf("credentials %q", got)
	}

	// A deny of everything without MFA written with Bool (not
	// BoolIfExists) does not stop long-term keys: the key is absent.
	w := newWorld()
	w.user("alice", doc(allow(alice, "iam:PutUserPolicy"),
		denyIf("*", `{"Bool":{"aws:MultiFactorAuthPresent":"false"}}`, "*")))
	p, _ = pathFrom(t, w, alice)
	if p == nil || p.Hops[0].Credentials != CredLongTerm.String() {
		t.Fatalf("long-term keys escape a Bool MFA deny: %v", p)
	}
	// With BoolIfExists they do not.
	w = newWorld()
	w.user("alice", doc(allow(alice, "iam:PutUserPolicy"),
		denyIf("*", `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}`, "*")))
	if p, _ = pathFrom(t, w, alice); p != nil {
		t.Fatalf("BoolIfExists MFA deny ignored: %s", p.Summary())
	}
	// A role session started with MFA keeps it: a user with a device
	// assumes a role that needs MFA for its escalation.
	w = newWorld()
	w.user("alice", doc(allowIf(iamARN("role", "ops"), mfaTrue, "sts:AssumeRole"))).MFADevices =
		core.Known([]modeliam.MFADevice{{SerialNumber: "arn:aws:iam::" + acct + ":mfa/alice"}})
	w.role("ops", trustAccount, doc(allowIf(iamARN("role", "ops"), mfaTrue, "iam:PutRolePolicy")))
	p, _ = pathFrom(t, w, alice)
	if p == nil || !reflect.DeepEqual(techniques(p), []string{"sts:AssumeRole", "iam:PutRolePolicy"}) {
		t.Fatalf("MFA role chain: %v", p)
	}
}

func TestSCPOption(t *testing.T) {
	w := newWorld()
	w.user("alice", doc(allow(alice, "iam:PutUserPolicy")))
	if p, _ := pathFrom(t, w, alice); p == nil {
		t.Fatal("no path without SCPs")
	}
	full := iam.MustParse(adminDoc)
	guard := iam.MustParse(doc(deny("*", "iam:PutUserPolicy")))
	a := New(w.s, Options{Now: testNow, SCPs: []iam.Level{{Name: "root", Policies: []*iam.Policy{full, guard}}, {Name: "account", Policies: []*iam.Policy{full}}}})
	r, err := a.Run(Query{From: alice})
	if err != nil || len(r.Paths) != 0 {
		t.Fatalf("SCP option ignored: %v %+v", err, r.Paths)
	}
	// An SCP tree without an allow at some level allows nothing.
	a = New(w.s, Options{Now: testNow, SCPs: []iam.Level{{Name: "root", Policies: []*iam.Policy{full}}, {Name: "account"}}})
	if r, _ := a.Run(Query{From: alice}); len(r.Paths) != 0 {
		t.Fatalf("paths without SCP allow: %+v", r.Paths)
	}
}

func TestAdminDefinition(t *testing.T) {
	w := newWorld()
	w.role("admin", doc(), adminDoc)
	w.role("power", doc(), doc(`{"Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"*"}`))
	w.role("bounded", doc(), adminDoc).PermissionsBoundary = w.managed("b", doc(allow("*", "s3:*", "ec2:*")))
	w.role("denied", doc(), adminDoc, doc(deny("*", "kms:Decrypt")))
	w.role("mfaonly", trustAccount, adminDoc, doc(denyIf("*", `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}`, "*")))
	// Guardrail SCP: denies stopping CloudTrail to everyone; admin stays admin.
	w.org(doc(deny("*", "cloudtrail:StopLogging", "organizations:LeaveOrganization")))
	got := w.analysis().Admins()
	want := []string{adminRole, iamARN("role", "mfaonly")}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("admins %v, want %v", got, want)
	}
}

func TestRoleChains(t *testing.T) {
	w := newWorld()
	w.role("r1", trustAWS(alice), doc(allow(iamARN("role", "r2"), "sts:AssumeRole")))
	w.role("r2", trustAWS(iamARN("role", "r1")), doc(allow(iamARN("role", "r3"), "sts:AssumeRole")))
	w.role("r3", trustAccount, doc(allow(adminRole, "sts:AssumeRole")))
	w.role("admin", trustAWS(iamARN("role", "r3")), adminDoc)
	w.user("alice")
	p, _ := pathFrom(t, w, alice)
	if p == nil {
		t.Fatal("no path through the chain")
	}
	want := []string{"sts:AssumeRole", "sts:AssumeRole", "sts:AssumeRole", "sts:AssumeRole"}
	if !reflect.DeepEqual(techniques(p), want) {
		t.Fatalf("hops %v", techniques(p))
	}
	chain := []string{alice, iamARN("role", "r1"), iamARN("role", "r2"), iamARN("role", "r3"), adminRole}
	for i, h := range p.Hops {
		if h.From != chain[i] || h.To != chain[i+1] {
			t.Errorf("hop %d: %s → %s", i, h.From, h.To)
		}
	}

	// Mixed chain: assume, pass a role to Lambda, assume again, and a
	// policy change on a role reached on the way.
	w = newWorld()
	w.user("alice", doc(allow(iamARN("role", "dev"), "sts:AssumeRole")))
	w.role("dev", trustAccount, doc(allow(iamARN("role", "fn"), "iam:PassRole"), allow("*", "lambda:CreateFunction", "lambda:InvokeFunction")))
	w.role("fn", trustService(svcLambda), doc(allow(iamARN("role", "ops"), "sts:AssumeRole")))
	w.role("ops", trustAccount, doc(allow(iamARN("role", "ops"), "iam:AttachRolePolicy")))
	p, _ = pathFrom(t, w, alice)
	want = []string{"sts:AssumeRole", "iam:PassRole+lambda:CreateFunction+lambda:InvokeFunction", "sts:AssumeRole", "iam:AttachRolePolicy"}
	if p == nil || !reflect.DeepEqual(techniques(p), want) {
		t.Fatalf("mixed chain: %v", p)
	}
}

// Shortest first: a one-hop path wins over a longer one.
func TestShortestPath(t *testing.T) {
	w := newWorld()
	w.role("r1", trustAccount, doc(allow(adminRole, "sts:AssumeRole")))
	w.role("admin", trustAccount, adminDoc)
	w.user("alice", doc(allow("*", "sts:AssumeRole")))
	p, _ := pathFrom(t, w, alice)
	if p == nil || len(p.Hops) != 1 || p.Hops[0].To != adminRole {
		t.Fatalf("path %v", p)
	}
}

// A change to another principal's policies counts once the attacker
// controls that principal: create an access key for bob, then attach a
// policy to bob.
func TestModifyThenControl(t *testing.T) {
	w := newWorld()
	w.user("bob", doc(allow("*", "s3:GetObject")))
	w.user("alice", doc(allow(bob, "iam:CreateAccessKey", "iam:AttachUserPolicy")))
	p, _ := pathFrom(t, w, alice)
	want := []string{"iam:CreateAccessKey", "iam:AttachUserPolicy"}
	if p == nil || !reflect.DeepEqual(techniques(p), want) || p.Hops[1].To != bob {
		t.Fatalf("path %v", p)
	}

	// A role reached through Lambda adds the attacker's own user to the
	// admins group.
	w = newWorld()
	w.user("alice", doc(allow(iamARN("role", "fn"), "iam:PassRole"), allow("*", "lambda:CreateFunction", "lambda:InvokeFunction")))
	w.role("fn", trustService(svcLambda), doc(allow(iamARN("group", "admins"), "iam:AddUserToGroup")))
	w.group("admins", nil, adminDoc)
	p, _ = pathFrom(t, w, alice)
	want = []string{"iam:PassRole+lambda:CreateFunction+lambda:InvokeFunction", "iam:AddUserToGroup"}
	if p == nil || !reflect.DeepEqual(techniques(p), want) || p.Hops[1].To != alice || p.Hops[1].From != iamARN("role", "fn") {
		t.Fatalf("path %v", dump(p))
	}
}

func TestTargetQuery(t *testing.T) {
	w := newWorld()
	w.role("r1", trustAWS(alice), doc(allow("*", "s3:GetObject")))
	w.role("r2", trustAWS(iamARN("role", "r1")), doc(allow("*", "s3:GetObject")))
	w.user("alice")
	r, err := w.analysis().Run(Query{From: alice, To: iamARN("role", "r2")})
	if err != nil || len(r.Paths) != 1 || len(r.Paths[0].Hops) != 2 || r.Paths[0].To != iamARN("role", "r2") {
		t.Fatalf("%v %s", err, dump(r))
	}
	if _, err := w.analysis().Run(Query{To: iamARN("role", "nope")}); err == nil {
		t.Fatal("unknown target accepted")
	}
	if _, err := w.analysis().Run(Query{From: iamARN("user", "nope")}); err == nil {
		t.Fatal("unknown source accepted")
	}
}

// Missing data is UNKNOWN, never "no path".
func TestUnknownData(t *testing.T) {
	w := newWorld()
	w.user("alice", doc(allow("*", "s3:GetObject"))).Groups = []string{"ghosts"}
	r, _ := w.analysis().Run(Query{From: alice})
	if len(r.Unknown) != 1 || !strings.Contains(strings.Join(r.Unknown[0].Reasons, " "), "ghosts") {
		t.Fatalf("unknown %+v", r.Unknown)
	}
	// Reaching a role whose policy is unreadable is unknown too.
	w = newWorld()
	w.user("alice", doc(allow("*", "sts:AssumeRole")))
	w.role("app", trustAccount).AttachedPolicies = []modelAttached{attach("arn:aws:iam::" + acct + ":policy/missing")}
	r, _ = w.analysis().Run(Query{From: alice})
	if len(r.Paths) != 0 || len(r.Unknown) != 1 || !strings.Contains(dump(r.Unknown), "missing") {
		t.Fatalf("%s", dump(r))
	}
	// IAM not collected: every principal is unknown.
	w = newWorld()
	w.user("alice")
	w.s.IAM.Roles = core.Unknown[[]modeliam.Role]("access denied")
	v := w.analysis().Verdicts()
	if len(v) != 1 || len(v[0].Unknown) == 0 || !strings.Contains(v[0].Unknown[0], "roles") {
		t.Fatalf("verdicts %+v", v)
	}
}

// Inventories the snapshot lacks do not rule techniques out: the edge
// exists and says what it assumes.
func TestUncollectedInventoriesAreAssumed(t *testing.T) {
	w := newWorld()
	serviceAdmin(w, "fnadmin", svcLambda)
	w.s.Lambda = nil // Lambda not collected
	w.user("alice", doc(allow("*", "lambda:UpdateFunctionCode")))
	p, _ := pathFrom(t, w, alice)
	if p == nil || len(p.Hops[0].Assumes) == 0 || !strings.Contains(p.Hops[0].Assumes[0], "not collected") {
		t.Fatalf("path %v", dump(p))
	}
}

func TestDeterministic(t *testing.T) {
	w := newWorld()
	w.role("admin", trustAccount, adminDoc)
	for _, n := range []string{"u1", "u2", "u3"} {
		w.user(n, doc(allow("*", "sts:AssumeRole", "iam:PutUserPolicy")))
	}
	first := dump(must(w.analysis().Run(Query{})))
	for i := 0; i < 5; i++ {
		if got := dump(must(w.analysis().Run(Query{}))); got != first {
			t.Fatal("output differs between runs")
		}
	}
}

func must(r *Result, err error) *Result {
	if err != nil {
		panic(err)
	}
	return r
}

// AdministratorAccess has a documented, fixed content: a snapshot that
// attaches it without holding its document still has an admin.
func TestAdministratorAccessWithoutDocument(t *testing.T) {
	w := newWorld()
	w.role("admin", trustAccount).AttachedPolicies = []modelAttached{attach("arn:aws:iam::aws:policy/AdministratorAccess")}
	w.user("alice", doc(allow(adminRole, "sts:AssumeRole")))
	w.user("bob")
	w.group("admins", []string{"bob"})
	w.s.IAM.Groups.V[0].AttachedPolicies = []modelAttached{attach("arn:aws:iam::aws:policy/AdministratorAccess")}
	r, err := w.analysis().Run(Query{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.Admins, []string{adminRole, bob}) || len(r.Paths) != 1 || r.Paths[0].From != alice || len(r.Unknown) != 0 {
		t.Fatalf("%s", dump(r))
	}
}

// An instance profile the snapshot does not describe resolves to the role
// of the same name (the console's convention), and the hop says so.
func TestUnresolvedInstanceProfile(t *testing.T) {
	w := newWorld()
	serviceAdmin(w, "ec2admin", svcEC2)
	w.instance("i-0adm", iamARN("instance-profile", "ec2admin"), true)
	w.user("alice", doc(allow("*", "ssm:SendCommand")))
	p, _ := pathFrom(t, w, alice)
	if p == nil || p.Hops[0].To != iamARN("role", "ec2admin") || len(p.Hops[0].Assumes) == 0 {
		t.Fatalf("%s", dump(p))
	}
}
