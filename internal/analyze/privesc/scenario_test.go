package privesc

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
)

// scenario is an account where a principal escalates with one technique
// of the catalogue (and, where it needs one, an assume-role hop).
type scenario struct {
	name  string
	build func(w *world) (from string)
	hops  []string // technique IDs, in order
	// lastTo is the To of the last hop (default: the admin role for
	// become-techniques, the starting principal for self-changes).
	lastTo string
}

// lambdaAdmin/ec2Admin/… are admin roles a service may assume.
func serviceAdmin(w *world, name, svc string) string {
	w.role(name, trustService(svc), adminDoc)
	return iamARN("role", name)
}

var scenarios = []scenario{
	{name: "create policy version of an attached customer policy", hops: []string{"iam:CreatePolicyVersion"}, lastTo: alice,
		build: func(w *world) string {
			arn := w.managed("dev", doc(allow("arn:aws:iam::"+acct+":policy/dev", "iam:CreatePolicyVersion")))
			w.user("alice").AttachedPolicies = []modelAttached{attach(arn)}
			return alice
		}},
	{name: "create policy version with five versions needs delete", hops: []string{"iam:CreatePolicyVersion"}, lastTo: alice,
		build: func(w *world) string {
			d := doc(allow("arn:aws:iam::"+acct+":policy/dev", "iam:CreatePolicyVersion", "iam:DeletePolicyVersion"))
			arn := w.managed("dev", d, d, d, d, d)
			w.user("alice").AttachedPolicies = []modelAttached{attach(arn)}
			return alice
		}},
	{name: "set default policy version to an older admin version", hops: []string{"iam:SetDefaultPolicyVersion"}, lastTo: alice,
		build: func(w *world) string {
			arn := w.managed("dev", adminDoc, doc(allow("arn:aws:iam::"+acct+":policy/dev", "iam:SetDefaultPolicyVersion")))
			w.user("alice").AttachedPolicies = []modelAttached{attach(arn)}
			return alice
		}},
	{name: "attach user policy to self", hops: []string{"iam:AttachUserPolicy"}, lastTo: alice,
		build: func(w *world) string { w.user("alice", doc(allow(alice, "iam:AttachUserPolicy"))); return alice }},
	{name: "attach group policy to own group", hops: []string{"iam:AttachGroupPolicy"}, lastTo: alice,
		build: func(w *world) string {
			w.user("alice")
			w.group("devs", []string{"alice"}, doc(allow(iamARN("group", "devs"), "iam:AttachGroupPolicy")))
			return alice
		}},
	{name: "attach role policy to an assumable role", hops: []string{"sts:AssumeRole", "iam:AttachRolePolicy"}, lastTo: iamARN("role", "app"),
		build: func(w *world) string {
			w.role("app", trustAccount, doc(allow("*", "s3:ListAllMyBuckets")))
			w.user("alice", doc(allow(iamARN("role", "app"), "iam:AttachRolePolicy", "sts:AssumeRole")))
			return alice
		}},
	{name: "put user policy on self", hops: []string{"iam:PutUserPolicy"}, lastTo: alice,
		build: func(w *world) string { w.user("alice", doc(allow(alice, "iam:PutUserPolicy"))); return alice }},
	{name: "put group policy on own group", hops: []string{"iam:PutGroupPolicy"}, lastTo: alice,
		build: func(w *world) string {
			w.user("alice", doc(allow(iamARN("group", "devs"), "iam:PutGroupPolicy")))
			w.group("devs", []string{"alice"}, doc(allow("*", "s3:GetObject")))
			return alice
		}},
	{name: "put role policy on own role", hops: []string{"iam:PutRolePolicy"}, lastTo: iamARN("role", "app"),
		build: func(w *world) string {
			w.role("app", trustService(svcLambda), doc(allow(iamARN("role", "app"), "iam:PutRolePolicy")))
			return iamARN("role", "app")
		}},
	{name: "add self to the admins group", hops: []string{"iam:AddUserToGroup"}, lastTo: alice,
		build: func(w *world) string {
			w.user("alice", doc(allow(iamARN("group", "admins"), "iam:AddUserToGroup")))
			w.group("admins", nil, adminDoc)
			return alice
		}},
	{name: "rewrite trust policy of the admin role", hops: []string{"iam:UpdateAssumeRolePolicy"}, lastTo: adminRole,
		build: func(w *world) string {
			w.admin()
			w.user("alice", doc(allow(adminRole, "iam:UpdateAssumeRolePolicy", "sts:AssumeRole")))
			return alice
		}},
	{name: "delete own user permissions boundary", hops: []string{"iam:DeleteUserPermissionsBoundary"}, lastTo: alice,
		build: func(w *world) string {
			b := w.managed("boundary", doc(allow("*", "iam:DeleteUserPermissionsBoundary", "s3:*")))
			w.user("alice", adminDoc).PermissionsBoundary = b
			return alice
		}},
	{name: "delete own role permissions boundary", hops: []string{"iam:DeleteRolePermissionsBoundary"}, lastTo: iamARN("role", "app"),
		build: func(w *world) string {
			b := w.managed("boundary", doc(allow("*", "iam:DeleteRolePermissionsBoundary", "s3:*")))
			w.role("app", trustService(svcLambda), adminDoc).PermissionsBoundary = b
			return iamARN("role", "app")
		}},
	{name: "replace own user permissions boundary", hops: []string{"iam:PutUserPermissionsBoundary"}, lastTo: alice,
		build: func(w *world) string {
			b := w.managed("boundary", doc(allow("*", "iam:PutUserPermissionsBoundary", "s3:*")))
			w.user("alice", adminDoc).PermissionsBoundary = b
			return alice
		}},
	{name: "replace own role permissions boundary", hops: []string{"iam:PutRolePermissionsBoundary"}, lastTo: iamARN("role", "app"),
		build: func(w *world) string {
			b := w.managed("boundary", doc(allow("*", "iam:PutRolePermissionsBoundary", "s3:*")))
			w.role("app", trustService(svcLambda), adminDoc).PermissionsBoundary = b
			return iamARN("role", "app")
		}},
	{name: "create a new user with an inline admin policy", hops: []string{"iam:CreateUser+iam:PutUserPolicy+iam:CreateAccessKey"},
		lastTo: iamARN("user", "tmp-x"),
		build: func(w *world) string {
			w.user("alice", doc(allow(iamARN("user", "tmp-*"), "iam:CreateUser", "iam:PutUserPolicy", "iam:CreateAccessKey")))
			return alice
		}},
	{name: "create a new user with AdministratorAccess", hops: []string{"iam:CreateUser+iam:AttachUserPolicy+iam:CreateAccessKey"},
		build: func(w *world) string {
			// AdministratorAccess minus a deny: not admin, but it can mint
			// a user without the deny.
			w.user("alice", adminDoc, doc(deny("*", "ec2:TerminateInstances", "iam:PutUserPolicy"), deny(alice, "iam:*")))
			return alice
		}},
	{name: "create a new role trusting self with an inline admin policy", hops: []string{"iam:CreateRole+iam:PutRolePolicy+sts:AssumeRole"},
		build: func(w *world) string {
			w.user("alice", doc(allow("*", "iam:CreateRole", "iam:PutRolePolicy")))
			return alice
		}},
	{name: "create a new role trusting self with AdministratorAccess", hops: []string{"iam:CreateRole+iam:AttachRolePolicy+sts:AssumeRole"},
		build: func(w *world) string {
			w.user("alice", doc(allowIf("*", `{"ArnLike":{"iam:PolicyARN":"arn:aws:iam::aws:policy/*"}}`, "iam:AttachRolePolicy"), allow("*", "iam:CreateRole")))
			return alice
		}},
	{name: "create access key for an admin user", hops: []string{"iam:CreateAccessKey"}, lastTo: bob,
		build: func(w *world) string {
			w.user("alice", doc(allow(bob, "iam:CreateAccessKey")))
			w.user("bob", adminDoc)
			return alice
		}},
	{name: "create login profile for an admin user without one", hops: []string{"iam:CreateLoginProfile"}, lastTo: bob,
		build: func(w *world) string {
			w.user("alice", doc(allow(bob, "iam:CreateLoginProfile")))
			w.user("bob", adminDoc).LoginProfile = knownBool(false)
			return alice
		}},
	{name: "update login profile of an admin user", hops: []string{"iam:UpdateLoginProfile"}, lastTo: bob,
		build: func(w *world) string {
			w.user("alice", doc(allow(bob, "iam:UpdateLoginProfile")))
			w.user("bob", adminDoc)
			return alice
		}},
	{name: "assume a role trusting the account", hops: []string{"sts:AssumeRole"}, lastTo: adminRole,
		build: func(w *world) string {
			w.role("admin", trustAccount, adminDoc)
			w.user("alice", doc(allow(adminRole, "sts:AssumeRole")))
			return alice
		}},
	{name: "pass role to a new instance", hops: []string{"iam:PassRole+ec2:RunInstances"}, lastTo: iamARN("role", "ec2admin"),
		build: func(w *world) string {
			serviceAdmin(w, "ec2admin", svcEC2)
			w.profile("ec2admin")
			w.user("alice", doc(allow(iamARN("role", "ec2admin"), "iam:PassRole"), allow("*", "ec2:RunInstances")))
			return alice
		}},
	{name: "new instance profile for a role in none", hops: []string{"iam:AddRoleToInstanceProfile+iam:PassRole+ec2:RunInstances"}, lastTo: iamARN("role", "ec2admin"),
		build: func(w *world) string {
			serviceAdmin(w, "ec2admin", svcEC2)
			w.user("alice", doc(allow("*", "iam:CreateInstanceProfile", "iam:AddRoleToInstanceProfile", "ec2:RunInstances"),
				allow(iamARN("role", "ec2admin"), "iam:PassRole")))
			return alice
		}},
	{name: "associate a profile with a running instance", hops: []string{"iam:PassRole+ec2:AssociateIamInstanceProfile"}, lastTo: iamARN("role", "ec2admin"),
		build: func(w *world) string {
			serviceAdmin(w, "ec2admin", svcEC2)
			w.profile("ec2admin")
			w.instance("i-0bare", "", false)
			w.user("alice", doc(allow(iamARN("role", "ec2admin"), "iam:PassRole"), allow(instanceARN("i-0bare"), "ec2:AssociateIamInstanceProfile")))
			return alice
		}},
	{name: "replace the profile of a running instance", hops: []string{"iam:PassRole+ec2:ReplaceIamInstanceProfileAssociation"}, lastTo: iamARN("role", "ec2admin"),
		build: func(w *world) string {
			serviceAdmin(w, "ec2admin", svcEC2)
			w.profile("ec2admin")
			w.role("web", trustService(svcEC2), doc(allow("*", "s3:GetObject")))
			w.instance("i-0web", w.profile("web"), false)
			w.user("alice", doc(allow(iamARN("role", "ec2admin"), "iam:PassRole"), allow("*", "ec2:ReplaceIamInstanceProfileAssociation")))
			return alice
		}},
	{name: "run a command on a managed instance", hops: []string{"ssm:SendCommand"}, lastTo: iamARN("role", "ec2admin"),
		build: func(w *world) string {
			serviceAdmin(w, "ec2admin", svcEC2)
			w.instance("i-0adm", w.profile("ec2admin"), true)
			w.user("alice", doc(allow("*", "ssm:SendCommand")))
			return alice
		}},
	{name: "session manager shell on a managed instance", hops: []string{"ssm:StartSession"}, lastTo: iamARN("role", "ec2admin"),
		build: func(w *world) string {
			serviceAdmin(w, "ec2admin", svcEC2)
			w.instance("i-0adm", w.profile("ec2admin"), true)
			w.user("alice", doc(allow(instanceARN("i-0adm"), "ssm:StartSession")))
			return alice
		}},
	{name: "instance connect key on an instance", hops: []string{"ec2-instance-connect:SendSSHPublicKey"}, lastTo: iamARN("role", "ec2admin"),
		build: func(w *world) string {
			serviceAdmin(w, "ec2admin", svcEC2)
			w.instance("i-0adm", w.profile("ec2admin"), false)
			w.user("alice", doc(allow(instanceARN("i-0adm"), "ec2-instance-connect:SendSSHPublicKey")))
			return alice
		}},
	{name: "create and invoke a function", hops: []string{"iam:PassRole+lambda:CreateFunction+lambda:InvokeFunction"}, lastTo: iamARN("role", "fnadmin"),
		build: func(w *world) string {
			serviceAdmin(w, "fnadmin", svcLambda)
			w.user("alice", doc(allow(iamARN("role", "fnadmin"), "iam:PassRole"),
				allow("arn:aws:lambda:*:"+acct+":function:alice-*", "lambda:CreateFunction", "lambda:InvokeFunction")))
			return alice
		}},
	{name: "create a function triggered by an event source", hops: []string{"iam:PassRole+lambda:CreateFunction+lambda:CreateEventSourceMapping"}, lastTo: iamARN("role", "fnadmin"),
		build: func(w *world) string {
			serviceAdmin(w, "fnadmin", svcLambda)
			w.user("alice", doc(allow(iamARN("role", "fnadmin"), "iam:PassRole"), allow("*", "lambda:CreateFunction", "lambda:CreateEventSourceMapping")))
			return alice
		}},
	{name: "create a function and grant yourself invoke", hops: []string{"iam:PassRole+lambda:CreateFunction+lambda:AddPermission"}, lastTo: iamARN("role", "fnadmin"),
		build: func(w *world) string {
			serviceAdmin(w, "fnadmin", svcLambda)
			w.user("alice", doc(allow(iamARN("role", "fnadmin"), "iam:PassRole"), allow("*", "lambda:CreateFunction", "lambda:AddPermission")))
			return alice
		}},
	{name: "update the code of a function running as admin", hops: []string{"lambda:UpdateFunctionCode"}, lastTo: iamARN("role", "fnadmin"),
		build: func(w *world) string {
			serviceAdmin(w, "fnadmin", svcLambda)
			w.function("nightly", "fnadmin")
			w.user("alice", doc(allow(functionARN("nightly"), "lambda:UpdateFunctionCode")))
			return alice
		}},
	{name: "add a layer to a function running as admin", hops: []string{"lambda:UpdateFunctionConfiguration"}, lastTo: iamARN("role", "fnadmin"),
		build: func(w *world) string {
			serviceAdmin(w, "fnadmin", svcLambda)
			w.function("nightly", "fnadmin")
			w.user("alice", doc(allow(functionARN("nightly"), "lambda:UpdateFunctionConfiguration")))
			return alice
		}},
	{name: "give an existing function the admin role", hops: []string{"iam:PassRole+lambda:UpdateFunctionConfiguration"}, lastTo: iamARN("role", "fnadmin"),
		build: func(w *world) string {
			serviceAdmin(w, "fnadmin", svcLambda)
			w.role("fnlow", trustService(svcLambda), doc(allow("*", "logs:PutLogEvents")))
			w.function("hello", "fnlow")
			w.user("alice", doc(allow(iamARN("role", "fnadmin"), "iam:PassRole"), allow(functionARN("hello"), "lambda:UpdateFunctionConfiguration")))
			return alice
		}},
	{name: "glue dev endpoint with the role", hops: []string{"iam:PassRole+glue:CreateDevEndpoint"}, lastTo: iamARN("role", "glueadmin"),
		build: func(w *world) string {
			serviceAdmin(w, "glueadmin", svcGlue)
			w.user("alice", doc(allow(iamARN("role", "glueadmin"), "iam:PassRole"), allow("*", "glue:CreateDevEndpoint")))
			return alice
		}},
	{name: "ssh key on an existing glue dev endpoint", hops: []string{"glue:UpdateDevEndpoint"}, lastTo: iamARN("role", "glueadmin"),
		build: func(w *world) string {
			serviceAdmin(w, "glueadmin", svcGlue)
			w.user("alice", doc(allow("*", "glue:UpdateDevEndpoint")))
			return alice
		}},
	{name: "glue job with the role", hops: []string{"iam:PassRole+glue:CreateJob+glue:StartJobRun"}, lastTo: iamARN("role", "glueadmin"),
		build: func(w *world) string {
			serviceAdmin(w, "glueadmin", svcGlue)
			w.user("alice", doc(allow(iamARN("role", "glueadmin"), "iam:PassRole"), allow("*", "glue:CreateJob", "glue:StartJobRun")))
			return alice
		}},
	{name: "existing glue job pointed at the role", hops: []string{"iam:PassRole+glue:UpdateJob+glue:StartJobRun"}, lastTo: iamARN("role", "glueadmin"),
		build: func(w *world) string {
			serviceAdmin(w, "glueadmin", svcGlue)
			w.user("alice", doc(allow(iamARN("role", "glueadmin"), "iam:PassRole"), allow("*", "glue:UpdateJob", "glue:StartJobRun")))
			return alice
		}},
	{name: "stack with the role", hops: []string{"iam:PassRole+cloudformation:CreateStack"}, lastTo: iamARN("role", "cfnadmin"),
		build: func(w *world) string {
			serviceAdmin(w, "cfnadmin", svcCloudFormation)
			w.user("alice", doc(allow(iamARN("role", "cfnadmin"), "iam:PassRole"), allow("arn:aws:cloudformation:us-east-1:"+acct+":stack/alice-*", "cloudformation:CreateStack")))
			return alice
		}},
	{name: "update an existing stack", hops: []string{"cloudformation:UpdateStack"}, lastTo: iamARN("role", "cfnadmin"),
		build: func(w *world) string {
			serviceAdmin(w, "cfnadmin", svcCloudFormation)
			w.user("alice", doc(allow("*", "cloudformation:UpdateStack")))
			return alice
		}},
	{name: "change set on an existing stack", hops: []string{"cloudformation:CreateChangeSet+cloudformation:ExecuteChangeSet"}, lastTo: iamARN("role", "cfnadmin"),
		build: func(w *world) string {
			serviceAdmin(w, "cfnadmin", svcCloudFormation)
			w.user("alice", doc(allow("*", "cloudformation:CreateChangeSet", "cloudformation:ExecuteChangeSet")))
			return alice
		}},
	{name: "data pipeline with the role", hops: []string{"iam:PassRole+datapipeline:CreatePipeline+datapipeline:PutPipelineDefinition+datapipeline:ActivatePipeline"}, lastTo: iamARN("role", "dpadmin"),
		build: func(w *world) string {
			serviceAdmin(w, "dpadmin", svcDataPipeline)
			w.user("alice", doc(allow(iamARN("role", "dpadmin"), "iam:PassRole"),
				allow("*", "datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition", "datapipeline:ActivatePipeline")))
			return alice
		}},
	{name: "codebuild project with the role", hops: []string{"iam:PassRole+codebuild:CreateProject+codebuild:StartBuild"}, lastTo: iamARN("role", "cbadmin"),
		build: func(w *world) string {
			serviceAdmin(w, "cbadmin", svcCodeBuild)
			w.user("alice", doc(allow(iamARN("role", "cbadmin"), "iam:PassRole"), allow("*", "codebuild:CreateProject", "codebuild:StartBuild")))
			return alice
		}},
	{name: "update an existing codebuild project", hops: []string{"codebuild:UpdateProject"}, lastTo: iamARN("role", "cbadmin"),
		build: func(w *world) string {
			serviceAdmin(w, "cbadmin", svcCodeBuild)
			w.user("alice", doc(allow("arn:aws:codebuild:us-east-1:"+acct+":project/ci-*", "codebuild:UpdateProject")))
			return alice
		}},
	{name: "build with a buildspec override", hops: []string{"codebuild:StartBuild"}, lastTo: iamARN("role", "cbadmin"),
		build: func(w *world) string {
			serviceAdmin(w, "cbadmin", svcCodeBuild)
			w.user("alice", doc(allow("*", "codebuild:StartBuild")))
			return alice
		}},
	{name: "sagemaker notebook with the role", hops: []string{"iam:PassRole+sagemaker:CreateNotebookInstance+sagemaker:CreatePresignedNotebookInstanceUrl"}, lastTo: iamARN("role", "smadmin"),
		build: func(w *world) string {
			serviceAdmin(w, "smadmin", svcSageMaker)
			w.user("alice", doc(allow(iamARN("role", "smadmin"), "iam:PassRole"),
				allow("*", "sagemaker:CreateNotebookInstance"), allow("arn:aws:sagemaker:*:*:notebook-instance/*", "sagemaker:CreatePresignedNotebookInstanceUrl")))
			return alice
		}},
	{name: "open an existing sagemaker notebook", hops: []string{"sagemaker:CreatePresignedNotebookInstanceUrl"}, lastTo: iamARN("role", "smadmin"),
		build: func(w *world) string {
			serviceAdmin(w, "smadmin", svcSageMaker)
			w.user("alice", doc(allow("*", "sagemaker:CreatePresignedNotebookInstanceUrl")))
			return alice
		}},
	{name: "sagemaker training job with the role", hops: []string{"iam:PassRole+sagemaker:CreateTrainingJob"}, lastTo: iamARN("role", "smadmin"),
		build: func(w *world) string {
			serviceAdmin(w, "smadmin", svcSageMaker)
			w.user("alice", doc(allow(iamARN("role", "smadmin"), "iam:PassRole"), allow("*", "sagemaker:CreateTrainingJob")))
			return alice
		}},
	{name: "sagemaker processing job with the role", hops: []string{"iam:PassRole+sagemaker:CreateProcessingJob"}, lastTo: iamARN("role", "smadmin"),
		build: func(w *world) string {
			serviceAdmin(w, "smadmin", svcSageMaker)
			w.user("alice", doc(allow(iamARN("role", "smadmin"), "iam:PassRole"), allow("*", "sagemaker:CreateProcessingJob")))
			return alice
		}},
	{name: "ecs task with the role", hops: []string{"iam:PassRole+ecs:RegisterTaskDefinition+ecs:RunTask"}, lastTo: iamARN("role", "taskadmin"),
		build: func(w *world) string {
			serviceAdmin(w, "taskadmin", svcECSTasks)
			w.user("alice", doc(allowIf(iamARN("role", "taskadmin"), `{"StringEquals":{"iam:PassedToService":"ecs-tasks.amazonaws.com"}}`, "iam:PassRole"),
				allow("*", "ecs:RegisterTaskDefinition", "ecs:RunTask")))
			return alice
		}},
}

func TestScenarios(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			w := newWorld()
			from := sc.build(w)
			p, r := pathFrom(t, w, from)
			if p == nil {
				t.Fatalf("no path from %s (admins %v, unknown %v)", from, r.Admins, r.Unknown)
			}
			if got := techniques(p); !reflect.DeepEqual(got, sc.hops) {
				t.Fatalf("hops %v, want %v\n%s", got, sc.hops, dump(p))
			}
			if p.From != from || p.To != ToAdmin {
				t.Errorf("path %s → %s", p.From, p.To)
			}
			last := p.Hops[len(p.Hops)-1]
			if sc.lastTo != "" && last.To != sc.lastTo {
				t.Errorf("last hop to %s, want %s", last.To, sc.lastTo)
			}
			for _, h := range p.Hops {
				if len(h.Permissions) == 0 {
					t.Errorf("hop %s has no permissions", h.Technique)
				}
				for _, pm := range h.Permissions {
					if pm.Policy == "" || strings.HasPrefix(pm.Policy, "(") {
						t.Errorf("hop %s: bad permission %+v", h.Technique, pm)
					}
				}
			}
			for _, a := range r.Admins {
				if a == from {
					t.Errorf("%s listed as admin", from)
				}
			}
		})
	}
}

// Every technique of the catalogue has a scenario that finds it.
func TestEveryTechniqueHasAScenario(t *testing.T) {
	covered := map[string]bool{}
	for _, sc := range scenarios {
		for _, h := range sc.hops {
			covered[h] = true
		}
	}
	for _, tech := range Catalogue() {
		if !covered[tech.ID] {
			t.Errorf("technique %s has no scenario", tech.ID)
		}
	}
	if n := len(Catalogue()); n < 35 {
		t.Errorf("catalogue has %d techniques, want at least 35", n)
	}
}

func dump(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

// docs/privesc.md documents every technique of the catalogue.
func TestDocsListEveryTechnique(t *testing.T) {
	b, err := os.ReadFile("../../../docs/privesc.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, tech := range Catalogue() {
		if !strings.Contains(string(b), "| `"+tech.ID+"` |") {
			t.Errorf("docs/privesc.md lacks a row for %s", tech.ID)
		}
	}
	for _, p := range AdminProbes {
		if !strings.Contains(string(b), "`"+p+"`") {
			t.Errorf("docs/privesc.md lacks admin probe %s", p)
		}
	}
}
