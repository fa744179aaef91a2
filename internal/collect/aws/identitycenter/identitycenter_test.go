package identitycenter

import (
	"context"
	"fmt"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awssso "github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/aws/smithy-go"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit/kittest"
	"github.com/demarc-sec/demarc/internal/model"
)

const adminARN = "arn:aws:iam::aws:policy/AdministratorAccess"

// TestCollectMoto: moto gives every region of every account an Identity
// Center instance (AWS has one, in the home region). Permission sets are
// read with their session duration, policies and provisioned accounts.
func TestCollectMoto(t *testing.T) {
	m := kittest.Start(t)
	ctx := context.Background()
	c := awssso.NewFromConfig(m.Config("eu-west-1"))
	inst := kittest.Must(c.ListInstances(ctx, &awssso.ListInstancesInput{})).Instances[0].InstanceArn
	admin := kittest.Must(c.CreatePermissionSet(ctx, &awssso.CreatePermissionSetInput{InstanceArn: inst, Name: sdk.String("Admin"),
		SessionDuration: sdk.String("PT8H"), Description: sdk.String("break glass")})).PermissionSet.PermissionSetArn
	kittest.Must(c.AttachManagedPolicyToPermissionSet(ctx, &awssso.AttachManagedPolicyToPermissionSetInput{InstanceArn: inst,
		PermissionSetArn: admin, ManagedPolicyArn: sdk.String(adminARN)}))
	kittest.Must(c.ProvisionPermissionSet(ctx, &awssso.ProvisionPermissionSetInput{InstanceArn: inst, PermissionSetArn: admin,
		TargetType: types.ProvisionTargetTypeAllProvisionedAccounts}))
	// moto answers a permission set created without SessionDuration with
	// the number 3600 instead of AWS's ISO-8601 default "PT1H", which the
	// SDK cannot read: give every set its duration.
	readOnly := kittest.Must(c.CreatePermissionSet(ctx, &awssso.CreatePermissionSetInput{InstanceArn: inst, Name: sdk.String("Logs"),
		SessionDuration: sdk.String("PT1H")})).PermissionSet.PermissionSetArn
	const doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:Get*","Resource":"*"}]}`
	kittest.Must(c.PutInlinePolicyToPermissionSet(ctx, &awssso.PutInlinePolicyToPermissionSetInput{InstanceArn: inst,
		PermissionSetArn: readOnly, InlinePolicy: sdk.String(doc)}))
	kittest.Must(c.AttachCustomerManagedPolicyReferenceToPermissionSet(ctx, &awssso.AttachCustomerManagedPolicyReferenceToPermissionSetInput{
		InstanceArn: inst, PermissionSetArn: readOnly,
		CustomerManagedPolicyReference: &types.CustomerManagedPolicyReference{Name: sdk.String("team-logs"), Path: sdk.String("/teams/")}}))

	snap := model.New(m.Env.AccountID, m.Env.Partition, []string{"eu-west-1", "us-east-1"})
	if err := New().Collect(ctx, m.Env, "us-east-1", snap); err != nil {
		t.Fatalf("Collect: %v", err)
	}
	kittest.NoErrors(t, m.Env)
	if len(snap.IdentityCenter) != 2 || snap.IdentityCenter[0].Name != "eu-west-1" {
		t.Fatalf("regions = %+v", snap.IdentityCenter)
	}
	insts := kittest.Known(t, "eu-west-1 instances", snap.IdentityCenter[0].Instances)
	if len(insts) != 1 || insts[0].ARN != *inst || insts[0].Region != "eu-west-1" || insts[0].IdentityStoreID == "" {
		t.Fatalf("instances = %+v", insts)
	}
	sets := kittest.Known(t, "permission sets", insts[0].PermissionSets)
	if len(sets) != 2 {
		t.Fatalf("permission sets = %+v", sets)
	}
	byName := map[string]int{}
	for i, s := range sets {
		byName[kittest.Known(t, "details", s.Details).Name] = i
	}
	a := sets[byName["Admin"]]
	if d := a.Details.V; d.SessionDuration != "PT8H" || d.Description != "break glass" || a.ARN != *admin {
		t.Errorf("Admin = %+v", a)
	}
	if mp := kittest.Known(t, "managed", a.ManagedPolicies); len(mp) != 1 || mp[0].ARN != adminARN || mp[0].Name != "AdministratorAccess" {
		t.Errorf("Admin managed policies = %+v", mp)
	}
	if acc := kittest.Known(t, "accounts", a.ProvisionedAccounts); len(acc) != 1 || acc[0] != m.Env.AccountID {
		t.Errorf("Admin provisioned to %v", acc)
	}
	if in := kittest.Known(t, "admin inline", a.InlinePolicy); in != "" {
		t.Errorf("Admin inline = %q", in)
	}
	l := sets[byName["Logs"]]
	if in := kittest.Known(t, "inline", l.InlinePolicy); in != doc {
		t.Errorf("Logs inline = %q", in)
	}
	if refs := kittest.Known(t, "refs", l.CustomerManagedPolicies); len(refs) != 1 || refs[0].Name != "team-logs" || refs[0].Path != "/teams/" {
		t.Errorf("Logs customer managed = %+v", refs)
	}
	if acc := kittest.Known(t, "logs accounts", l.ProvisionedAccounts); len(acc) != 0 {
		t.Errorf("Logs provisioned to %v", acc)
	}
	// moto has an instance in us-east-1 too, without permission sets.
	if use1 := kittest.Known(t, "us-east-1 instances", snap.IdentityCenter[1].Instances); len(use1) != 1 ||
		len(kittest.Known(t, "us-east-1 sets", use1[0].PermissionSets)) != 0 {
		t.Errorf("us-east-1 = %+v", use1)
	}
}

// fake is an Identity Center with one instance and two permission sets;
// reading the second one's inline policy is denied, ListInstances can fail.
type fake struct {
	listErr error
	pages   int
}

var denied = &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized"}

const (
	instARN = "arn:aws:sso:::instance/ssoins-1"
	ps1     = "arn:aws:sso:::permissionSet/ssoins-1/ps-1"
	ps2     = "arn:aws:sso:::permissionSet/ssoins-1/ps-2"
)

func (f *fake) ListInstances(context.Context, *awssso.ListInstancesInput, ...func(*awssso.Options)) (*awssso.ListInstancesOutput, error) {
	if f.listErr != nil {
		return nil, f.listErr
	}
	return &awssso.ListInstancesOutput{Instances: []types.InstanceMetadata{{InstanceArn: sdk.String(instARN),
		IdentityStoreId: sdk.String("d-1"), Status: types.InstanceStatusActive, OwnerAccountId: sdk.String("111122223333")}}}, nil
}

func (f *fake) ListPermissionSets(_ context.Context, in *awssso.ListPermissionSetsInput, _ ...func(*awssso.Options)) (*awssso.ListPermissionSetsOutput, error) {
	f.pages++
	if in.NextToken == nil {
		return &awssso.ListPermissionSetsOutput{PermissionSets: []string{ps2}, NextToken: sdk.String("t")}, nil
	}
	return &awssso.ListPermissionSetsOutput{PermissionSets: []string{ps1}}, nil
}

func (f *fake) DescribePermissionSet(_ context.Context, in *awssso.DescribePermissionSetInput, _ ...func(*awssso.Options)) (*awssso.DescribePermissionSetOutput, error) {
	return &awssso.DescribePermissionSetOutput{PermissionSet: &types.PermissionSet{Name: sdk.String(strings.TrimPrefix(*in.PermissionSetArn, "arn:aws:sso:::permissionSet/ssoins-1/")),
		SessionDuration: sdk.String("PT1H")}}, nil
}

func (f *fake) ListManagedPoliciesInPermissionSet(_ context.Context, in *awssso.ListManagedPoliciesInPermissionSetInput, _ ...func(*awssso.Options)) (*awssso.ListManagedPoliciesInPermissionSetOutput, error) {
	if *in.PermissionSetArn == ps1 {
		return &awssso.ListManagedPoliciesInPermissionSetOutput{AttachedManagedPolicies: []types.AttachedManagedPolicy{
			{Name: sdk.String("ViewOnlyAccess"), Arn: sdk.String("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess")},
			{Name: sdk.String("AdministratorAccess"), Arn: sdk.String(adminARN)}}}, nil
	}
	return &awssso.ListManagedPoliciesInPermissionSetOutput{}, nil
}

func (f *fake) ListCustomerManagedPolicyReferencesInPermissionSet(context.Context, *awssso.ListCustomerManagedPolicyReferencesInPermissionSetInput, ...func(*awssso.Options)) (*awssso.ListCustomerManagedPolicyReferencesInPermissionSetOutput, error) {
	return nil, denied
}

func (f *fake) GetInlinePolicyForPermissionSet(_ context.Context, in *awssso.GetInlinePolicyForPermissionSetInput, _ ...func(*awssso.Options)) (*awssso.GetInlinePolicyForPermissionSetOutput, error) {
	if *in.PermissionSetArn == ps2 {
		return nil, denied
	}
	return &awssso.GetInlinePolicyForPermissionSetOutput{}, nil
}

func (f *fake) ListAccountsForProvisionedPermissionSet(_ context.Context, in *awssso.ListAccountsForProvisionedPermissionSetInput, _ ...func(*awssso.Options)) (*awssso.ListAccountsForProvisionedPermissionSetOutput, error) {
	if in.NextToken == nil {
		return &awssso.ListAccountsForProvisionedPermissionSetOutput{AccountIds: []string{"999988887777"}, NextToken: sdk.String("n")}, nil
	}
	return &awssso.ListAccountsForProvisionedPermissionSetOutput{AccountIds: []string{"111122223333"}}, nil
}

func TestCollectRegion(t *testing.T) {
	env := &aws.Env{AccountID: "111122223333", Partition: "aws"}
	f := &fake{}
	r, err := CollectRegion(context.Background(), env, f, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	insts := kittest.Known(t, "instances", r.Instances)
	if len(insts) != 1 || insts[0].Status != "ACTIVE" || insts[0].IdentityStoreID != "d-1" {
		t.Fatalf("instances = %+v", insts)
	}
	sets := kittest.Known(t, "sets", insts[0].PermissionSets)
	if len(sets) != 2 || sets[0].ARN != ps1 || sets[1].ARN != ps2 || f.pages != 2 {
		t.Fatalf("sets = %+v (pages %d)", sets, f.pages)
	}
	if mp := kittest.Known(t, "managed", sets[0].ManagedPolicies); len(mp) != 2 || mp[0].ARN != adminARN {
		t.Errorf("managed = %+v", mp)
	}
	if acc := kittest.Known(t, "accounts", sets[0].ProvisionedAccounts); fmt.Sprint(acc) != "[111122223333 999988887777]" {
		t.Errorf("accounts = %v", acc)
	}
	if in := kittest.Known(t, "no inline", sets[0].InlinePolicy); in != "" {
		t.Errorf("inline = %q", in)
	}
	if sets[1].InlinePolicy.Ok || sets[1].InlinePolicy.Why() != "access denied (sso:GetInlinePolicyForPermissionSet)" {
		t.Errorf("denied inline = %+v", sets[1].InlinePolicy)
	}
	if sets[0].CustomerManagedPolicies.Ok {
		t.Errorf("denied customer managed = %+v", sets[0].CustomerManagedPolicies)
	}

	r, err = CollectRegion(context.Background(), env, &fake{listErr: denied}, "eu-west-1")
	if err == nil || r.Instances.Ok || r.Instances.Why() != "access denied (sso:ListInstances)" {
		t.Errorf("denied ListInstances: %v %+v", err, r.Instances)
	}
}
