package organizations

import (
	"context"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsorg "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit/kittest"
	"github.com/demarc-sec/demarc/internal/model"
	orgm "github.com/demarc-sec/demarc/internal/model/organizations"
)

const denyRegions = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":["iam:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1"]}}}]}`

func TestCollectMoto(t *testing.T) {
	m := kittest.Start(t)
	ctx := context.Background()
	collect := func() *model.Snapshot {
		t.Helper()
		snap := model.New(m.Env.AccountID, m.Env.Partition, []string{"us-east-1"})
		if err := New().Collect(ctx, m.Env, "us-east-1", snap); err != nil {
			t.Fatalf("Collect: %v", err)
		}
		return snap
	}

	// No organization yet: Known "not in an organization", lists empty.
	st := collect().Organizations
	if o, ok := st.Organization.Get(); !ok || o != nil {
		t.Fatalf("organization = %+v (%s), want Known(nil)", o, st.Organization.Why())
	}
	if scps, ok := st.SCPs.Get(); !ok || len(scps) != 0 {
		t.Fatalf("SCPs = %+v", st.SCPs)
	}
	kittest.NoErrors(t, m.Env)

	c := awsorg.NewFromConfig(m.Config("us-east-1"))
	kittest.Must(c.CreateOrganization(ctx, &awsorg.CreateOrganizationInput{FeatureSet: types.OrganizationFeatureSetAll}))
	roots := kittest.Must(c.ListRoots(ctx, &awsorg.ListRootsInput{}))
	rootID := roots.Roots[0].Id
	kittest.Must(c.EnablePolicyType(ctx, &awsorg.EnablePolicyTypeInput{RootId: rootID, PolicyType: types.PolicyTypeServiceControlPolicy}))
	prod := kittest.Must(c.CreateOrganizationalUnit(ctx, &awsorg.CreateOrganizationalUnitInput{ParentId: rootID, Name: sdk.String("prod")}))
	web := kittest.Must(c.CreateOrganizationalUnit(ctx, &awsorg.CreateOrganizationalUnitInput{ParentId: prod.OrganizationalUnit.Id, Name: sdk.String("web")}))
	acct := kittest.Must(c.CreateAccount(ctx, &awsorg.CreateAccountInput{AccountName: sdk.String("web-1"), Email: sdk.String("web1@example.com")}))
	newID := acct.CreateAccountStatus.AccountId
	kittest.Must(c.MoveAccount(ctx, &awsorg.MoveAccountInput{AccountId: newID, SourceParentId: rootID, DestinationParentId: web.OrganizationalUnit.Id}))
	pol := kittest.Must(c.CreatePolicy(ctx, &awsorg.CreatePolicyInput{Name: sdk.String("region-lock"), Description: sdk.String("d"),
		Content: sdk.String(denyRegions), Type: types.PolicyTypeServiceControlPolicy}))
	kittest.Must(c.AttachPolicy(ctx, &awsorg.AttachPolicyInput{PolicyId: pol.Policy.PolicySummary.Id, TargetId: prod.OrganizationalUnit.Id}))

	st = collect().Organizations
	kittest.NoErrors(t, m.Env)
	o := kittest.Known(t, "organization", st.Organization)
	if o == nil || o.ManagementAccountID != m.Env.AccountID || o.FeatureSet != "ALL" || !strings.HasPrefix(o.ID, "o-") {
		t.Fatalf("organization = %+v", o)
	}
	rs := kittest.Known(t, "roots", st.Roots)
	if len(rs) != 1 || rs[0].ID != *rootID || !rs[0].PolicyTypeEnabled(orgm.TypeSCP) {
		t.Errorf("roots = %+v", rs)
	}
	ous := kittest.Known(t, "ous", st.OrganizationalUnits)
	parent := map[string]string{}
	for _, ou := range ous {
		parent[ou.Name] = ou.ParentID
	}
	if len(ous) != 2 || parent["prod"] != *rootID || parent["web"] != *prod.OrganizationalUnit.Id {
		t.Errorf("ous = %+v", ous)
	}
	accts := kittest.Known(t, "accounts", st.Accounts)
	found := false
	for _, a := range accts {
		switch a.ID {
		case *newID:
			found = true
			if a.ParentID != *web.OrganizationalUnit.Id || a.Name != "web-1" || a.Status != "ACTIVE" {
				t.Errorf("new account = %+v", a)
			}
		case m.Env.AccountID:
			if a.ParentID != *rootID {
				t.Errorf("management account = %+v", a)
			}
		}
	}
	if !found {
		t.Errorf("accounts = %+v", accts)
	}
	var lock *orgm.Policy
	scps := kittest.Known(t, "scps", st.SCPs)
	for i := range scps {
		if scps[i].Name == "region-lock" {
			lock = &scps[i]
		}
	}
	if lock == nil {
		t.Fatalf("scps = %+v", scps)
	}
	if c := kittest.Known(t, "content", lock.Content); c != denyRegions || lock.Type != orgm.TypeSCP || lock.AWSManaged {
		t.Errorf("region-lock = %+v", lock)
	}
	if ts := kittest.Known(t, "targets", lock.Targets); len(ts) != 1 || ts[0].ID != *prod.OrganizationalUnit.Id || ts[0].Type != "ORGANIZATIONAL_UNIT" {
		t.Errorf("targets = %+v", ts)
	}
	// RCPs: known when the API answers, otherwise unknown with a reason.
	if !st.RCPs.Ok && st.RCPs.Why() == "not collected" {
		t.Errorf("rcps = %+v", st.RCPs)
	}
}

// fake answers like a member account: it sees its organization but may not
// list anything.
type member struct{}

var denied = &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "You don't have permissions to access this resource."}

func (member) DescribeOrganization(context.Context, *awsorg.DescribeOrganizationInput, ...func(*awsorg.Options)) (*awsorg.DescribeOrganizationOutput, error) {
	return &awsorg.DescribeOrganizationOutput{Organization: &types.Organization{Id: sdk.String("o-1"), MasterAccountId: sdk.String("999999999999"), FeatureSet: types.OrganizationFeatureSetAll}}, nil
}
func (member) ListRoots(context.Context, *awsorg.ListRootsInput, ...func(*awsorg.Options)) (*awsorg.ListRootsOutput, error) {
	return nil, denied
}
func (member) ListOrganizationalUnitsForParent(context.Context, *awsorg.ListOrganizationalUnitsForParentInput, ...func(*awsorg.Options)) (*awsorg.ListOrganizationalUnitsForParentOutput, error) {
	return nil, denied
}
func (member) ListAccounts(context.Context, *awsorg.ListAccountsInput, ...func(*awsorg.Options)) (*awsorg.ListAccountsOutput, error) {
	return nil, denied
}
func (member) ListAccountsForParent(context.Context, *awsorg.ListAccountsForParentInput, ...func(*awsorg.Options)) (*awsorg.ListAccountsForParentOutput, error) {
	return nil, denied
}
func (member) ListPolicies(context.Context, *awsorg.ListPoliciesInput, ...func(*awsorg.Options)) (*awsorg.ListPoliciesOutput, error) {
	return nil, denied
}
func (member) ListTargetsForPolicy(context.Context, *awsorg.ListTargetsForPolicyInput, ...func(*awsorg.Options)) (*awsorg.ListTargetsForPolicyOutput, error) {
	return nil, denied
}
func (member) DescribePolicy(context.Context, *awsorg.DescribePolicyInput, ...func(*awsorg.Options)) (*awsorg.DescribePolicyOutput, error) {
	return nil, denied
}

// TestMemberAccount: a member account's view is unknown, never "no SCPs".
func TestMemberAccount(t *testing.T) {
	env := &aws.Env{AccountID: "111122223333", Partition: "aws"}
	st, err := CollectState(context.Background(), env, member{}, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	if o := kittest.Known(t, "organization", st.Organization); o == nil || o.ManagementAccountID != "999999999999" {
		t.Fatalf("organization = %+v", o)
	}
	for what, v := range map[string]interface{ Why() string }{"roots": st.Roots, "ous": st.OrganizationalUnits,
		"accounts": st.Accounts, "scps": st.SCPs, "rcps": st.RCPs} {
		if !strings.HasPrefix(v.Why(), "access denied (organizations:") {
			t.Errorf("%s: %q, want access denied", what, v.Why())
		}
	}
}
