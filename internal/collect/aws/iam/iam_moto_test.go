package iam

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/model"
	iamm "github.com/demarc-sec/demarc/internal/model/iam"
	"github.com/demarc-sec/demarc/internal/testutil/moto"
)

const (
	trustDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	policyV1 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	// v2 has characters that URL encoding changes: a "+" and a space.
	policyV2 = `{"Version":"2012-10-17","Statement":[{"Sid":"a+b c","Effect":"Allow","Action":"*","Resource":"*"}]}`
	inline   = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}`
)

// setupClient is an unguarded IAM client for building the fixture account.
func setupClient(t *testing.T, endpoint string) *awsiam.Client {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithBaseEndpoint(endpoint))
	if err != nil {
		t.Fatal(err)
	}
	return awsiam.NewFromConfig(cfg)
}

// must panics on a fixture-building error: the test fails with the stack.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestCollectMoto(t *testing.T) {
	// A private server without the AWS-managed policies: the assertions
	// count policies, and these tests use moto's default account.
	endpoint := moto.Start(t, moto.WithEnv("MOTO_IAM_LOAD_MANAGED_POLICIES=false")).URL
	motoEnv(t)
	ctx := context.Background()
	c := setupClient(t, endpoint)
	s := sdkaws.String

	// Fixture: alice (console, two keys, MFA, group, boundary, tags), bob (nothing).
	// moto keeps no user permissions boundaries (PutUserPermissionsBoundary
	// fails, CreateUser drops it): boundaries are checked on the role only.
	bnd := must(c.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: s("boundary"), PolicyDocument: s(policyV1)}))
	must(c.CreateUser(ctx, &awsiam.CreateUserInput{UserName: s("alice"),
		Tags: []iamtypes.Tag{{Key: s("team"), Value: s("red")}}}))
	must(c.CreateUser(ctx, &awsiam.CreateUserInput{UserName: s("bob"), Path: s("/ops/")}))
	k1 := must(c.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: s("alice")}))
	must(c.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: s("alice")}))
	must(c.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: s("alice"), Password: s("Xy1!longpassword")}))
	mfa := must(c.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: s("alice-mfa")}))
	must(c.EnableMFADevice(ctx, &awsiam.EnableMFADeviceInput{UserName: s("alice"),
		SerialNumber: mfa.VirtualMFADevice.SerialNumber, AuthenticationCode1: s("123456"), AuthenticationCode2: s("654321")}))
	must(c.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: s("spare")}))

	pol := must(c.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: s("app-policy"), Path: s("/app/"), PolicyDocument: s(policyV1)}))
	must(c.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: pol.Policy.Arn, PolicyDocument: s(policyV2), SetAsDefault: true}))

	must(c.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: s("admins")}))
	must(c.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: s("admins"), UserName: s("alice")}))
	must(c.PutGroupPolicy(ctx, &awsiam.PutGroupPolicyInput{GroupName: s("admins"), PolicyName: s("deny-iam"), PolicyDocument: s(inline)}))
	must(c.AttachGroupPolicy(ctx, &awsiam.AttachGroupPolicyInput{GroupName: s("admins"), PolicyArn: pol.Policy.Arn}))
	must(c.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: s("bob"), PolicyArn: pol.Policy.Arn}))
	must(c.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: s("bob"), PolicyName: s("bob-inline"), PolicyDocument: s(inline)}))

	must(c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: s("web"), AssumeRolePolicyDocument: s(trustDoc),
		PermissionsBoundary: bnd.Policy.Arn, Tags: []iamtypes.Tag{{Key: s("env"), Value: s("prod")}}}))
	must(c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: s("web"), PolicyName: s("web-inline"), PolicyDocument: s(inline)}))
	must(c.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: s("web"), PolicyArn: pol.Policy.Arn}))
	must(c.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: s("web-profile")}))
	must(c.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: s("web-profile"), RoleName: s("web")}))

	env, err := aws.NewEnv(ctx, aws.Options{Endpoint: endpoint})
	if err != nil {
		t.Fatal(err)
	}
	col := &collector{reportPoll: 20 * time.Millisecond, reportAttempts: 100}
	collect := func() *model.Snapshot {
		t.Helper()
		snap := model.New(env.AccountID, env.Partition, []string{"us-east-1"})
		if err := col.Collect(ctx, env, "us-east-1", snap); err != nil {
			t.Fatalf("Collect: %v", err)
		}
		return snap
	}

	// First pass: no password policy yet.
	snap := collect()
	if pp, ok := snap.IAM.PasswordPolicy.Get(); !ok || pp != nil {
		t.Errorf("PasswordPolicy = %+v (%s), want Known(nil)", pp, snap.IAM.PasswordPolicy.Why())
	}

	must(c.UpdateAccountPasswordPolicy(ctx, &awsiam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: sdkaws.Int32(14), RequireSymbols: true, PasswordReusePrevention: sdkaws.Int32(24)}))
	snap = collect()
	acct := env.AccountID
	arn := func(kind, name string) string { return "arn:aws:iam::" + acct + ":" + kind + "/" + name }

	users := known(t, "Users", snap.IAM.Users)
	if len(users) != 2 || users[0].Name != "alice" || users[1].Name != "bob" {
		t.Fatalf("users = %+v", users)
	}
	alice, bob := users[0], users[1]
	if alice.ARN != arn("user", "alice") || alice.Account != acct || alice.Region != "global" || alice.Tags["team"] != "red" {
		t.Errorf("alice meta = %+v", alice.Meta)
	}
	if len(alice.Groups) != 1 || alice.Groups[0] != "admins" {
		t.Errorf("alice groups = %v", alice.Groups)
	}
	if lp, ok := alice.LoginProfile.Get(); !ok || !lp {
		t.Errorf("alice login profile = %+v", alice.LoginProfile)
	}
	if lp, ok := bob.LoginProfile.Get(); !ok || lp {
		t.Errorf("bob login profile = %+v, want Known(false)", bob.LoginProfile)
	}
	keys := known(t, "alice keys", alice.AccessKeys)
	if len(keys) != 2 {
		t.Fatalf("alice keys = %+v", keys)
	}
	for _, k := range keys {
		if k.Status != "Active" || k.CreateDate.IsZero() {
			t.Errorf("key = %+v", k)
		}
		if lu, ok := k.LastUsed.Get(); !ok || (lu != nil && k.ID != *k1.AccessKey.AccessKeyId) {
			t.Errorf("key %s last used = %+v", k.ID, k.LastUsed)
		}
	}
	if devs := known(t, "alice mfa", alice.MFADevices); len(devs) != 1 || devs[0].SerialNumber != *mfa.VirtualMFADevice.SerialNumber {
		t.Errorf("alice mfa = %+v", devs)
	}
	if devs := known(t, "bob mfa", bob.MFADevices); len(devs) != 0 {
		t.Errorf("bob mfa = %+v", devs)
	}
	if bob.Path != "/ops/" || len(bob.InlinePolicies) != 1 || bob.InlinePolicies[0].Document != inline ||
		len(bob.AttachedPolicies) != 1 || bob.AttachedPolicies[0].ARN != *pol.Policy.Arn || bob.AttachedPolicies[0].Name != "app-policy" {
		t.Errorf("bob = %+v", bob)
	}

	groups := known(t, "Groups", snap.IAM.Groups)
	if len(groups) != 1 || groups[0].Name != "admins" || groups[0].ARN != arn("group", "admins") ||
		len(groups[0].InlinePolicies) != 1 || groups[0].InlinePolicies[0].Document != inline ||
		len(groups[0].AttachedPolicies) != 1 || groups[0].AttachedPolicies[0].ARN != *pol.Policy.Arn {
		t.Errorf("groups = %+v", groups)
	}

	roles := known(t, "Roles", snap.IAM.Roles)
	if len(roles) != 1 {
		t.Fatalf("roles = %+v", roles)
	}
	web := roles[0]
	if web.Name != "web" || web.ARN != arn("role", "web") || web.AssumeRolePolicy != trustDoc || web.Tags["env"] != "prod" ||
		web.PermissionsBoundary != *bnd.Policy.Arn || len(web.InlinePolicies) != 1 || web.InlinePolicies[0].Name != "web-inline" ||
		len(web.AttachedPolicies) != 1 || len(web.InstanceProfiles) != 1 || web.InstanceProfiles[0] != arn("instance-profile", "web-profile") {
		t.Errorf("role = %+v", web)
	}
	if _, ok := web.LastUsed.Get(); !ok {
		t.Errorf("role last used unknown: %s", web.LastUsed.Why())
	}

	profiles := known(t, "InstanceProfiles", snap.IAM.InstanceProfiles)
	if len(profiles) != 1 || profiles[0].Name != "web-profile" || len(profiles[0].Roles) != 1 || profiles[0].Roles[0] != web.ARN {
		t.Errorf("profiles = %+v", profiles)
	}

	policies := known(t, "Policies", snap.IAM.Policies)
	var app *iamm.ManagedPolicy
	for i := range policies {
		if policies[i].ARN == *pol.Policy.Arn {
			app = &policies[i]
		}
	}
	if app == nil {
		t.Fatalf("app-policy missing from %+v", policies)
	}
	if app.Name != "app-policy" || app.Path != "/app/" || app.AWSManaged || app.DefaultVersionID != "v2" || len(app.Versions) != 2 {
		t.Fatalf("app-policy = %+v", app)
	}
	if app.Versions[0].Document != policyV1 || app.Versions[1].Document != policyV2 || !app.Versions[1].IsDefault || app.DefaultDocument() != policyV2 {
		t.Errorf("versions = %+v", app.Versions)
	}

	pp, ok := snap.IAM.PasswordPolicy.Get()
	if !ok || pp == nil || pp.MinimumPasswordLength != 14 || !pp.RequireSymbols || pp.PasswordReusePrevention != 24 || pp.RequireNumbers {
		t.Errorf("password policy = %+v (%s)", pp, snap.IAM.PasswordPolicy.Why())
	}
	if sum := known(t, "Summary", snap.IAM.Summary); sum["Users"] != 2 {
		t.Errorf("summary = %v", sum)
	}
	vmfa := known(t, "VirtualMFA", snap.IAM.VirtualMFA)
	if len(vmfa) != 2 {
		t.Fatalf("virtual mfa = %+v", vmfa)
	}
	for _, d := range vmfa {
		switch {
		case strings.HasSuffix(d.SerialNumber, "/alice-mfa") && d.User == alice.ARN:
		case strings.HasSuffix(d.SerialNumber, "/spare") && d.User == "":
		default:
			t.Errorf("virtual mfa device %+v", d)
		}
	}

	// moto's report has no <root_account> row (AWS's always does).
	rows := known(t, "CredentialReport", snap.IAM.CredentialReport)
	byUser := map[string]iamm.CredentialReportRow{}
	for _, r := range rows {
		byUser[r.User] = r
	}
	if r := byUser["alice"]; r.ARN != alice.ARN || !r.PasswordEnabled || !r.MFAActive || !r.AccessKey1Active || !r.AccessKey2Active || r.UserCreationTime == nil {
		t.Errorf("alice report row = %+v", r)
	}
	if r := byUser["bob"]; r.ARN != bob.ARN || r.PasswordEnabled || r.MFAActive || r.AccessKey1Active {
		t.Errorf("bob report row = %+v", r)
	}
	if errs := env.Errors(); len(errs) != 0 {
		t.Errorf("collect errors: %+v", errs)
	}
}

func known[T any](t *testing.T, what string, v interface {
	Get() (T, bool)
	Why() string
}) T {
	t.Helper()
	x, ok := v.Get()
	if !ok {
		t.Fatalf("%s unknown: %s", what, v.Why())
	}
	return x
}

// motoEnv sets the fake credentials and region the SDK needs for moto.
func motoEnv(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_ENDPOINT_URL", "")
	// aws.NewEnv's endpoint HTTP client is a plain *http.Client, which the
	// SDK refuses to combine with a custom CA bundle; moto is plain http.
	t.Setenv("AWS_CA_BUNDLE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
}
