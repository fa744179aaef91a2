// Package identitycenter collects AWS IAM Identity Center: in every region,
// the instance ListInstances reports there, and for each instance its
// permission sets with their session duration, AWS managed and customer
// managed policies, inline policy and the accounts they are provisioned to.
//
// An Identity Center instance lives in one home region, and ListInstances
// answers for the region it is called in (RegionScope CURRENT_REGION, the
// default), so the collector asks in every collected region and keeps each
// answer: a region that lists no instance is a known "none here", a region
// that fails stays unknown.
package identitycenter

import (
	"context"
	"fmt"
	"sort"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awssso "github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	icm "github.com/demarc-sec/demarc/internal/model/identitycenter"
)

// service names the API in collection errors (its IAM prefix is sso).
const service = "sso"

// API is the part of the SSO Admin client the collector uses.
type API interface {
	awssso.ListInstancesAPIClient
	awssso.ListPermissionSetsAPIClient
	DescribePermissionSet(context.Context, *awssso.DescribePermissionSetInput, ...func(*awssso.Options)) (*awssso.DescribePermissionSetOutput, error)
	awssso.ListManagedPoliciesInPermissionSetAPIClient
	awssso.ListCustomerManagedPolicyReferencesInPermissionSetAPIClient
	GetInlinePolicyForPermissionSet(context.Context, *awssso.GetInlinePolicyForPermissionSetInput, ...func(*awssso.Options)) (*awssso.GetInlinePolicyForPermissionSetOutput, error)
	awssso.ListAccountsForProvisionedPermissionSetAPIClient
}

type collector struct{}

// New returns the IAM Identity Center collector. It is global to the runner
// and reads every region of the snapshot itself, writing only
// snap.IdentityCenter.
func New() aws.Collector { return collector{} }

func (collector) Name() string   { return "identitycenter" }
func (collector) Regional() bool { return false }

func (collector) Collect(ctx context.Context, env *aws.Env, _ string, snap *model.Snapshot) error {
	regions, err := kit.PerRegion(ctx, env, service, snap.Regions, kit.RegionConcurrency,
		func(ctx context.Context, region string) (icm.Region, error) {
			return CollectRegion(ctx, env, awssso.NewFromConfig(env.Config(region)), region)
		})
	snap.IdentityCenter = regions
	return err
}

// CollectRegion reads the instances one region lists. The error is non-nil
// only when ListInstances failed.
func CollectRegion(ctx context.Context, env *aws.Env, c API, region string) (icm.Region, error) {
	r := icm.Region{Name: region}
	p := awssso.NewListInstancesPaginator(c, &awssso.ListInstancesInput{})
	list, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awssso.ListInstancesOutput) []types.InstanceMetadata { return o.Instances })
	if err != nil {
		r.Instances = core.Unknown[[]icm.Instance](env.Unknown(service, region, "ListInstances", "", err))
		return r, fmt.Errorf("list identity center instances: %w", err)
	}
	out := make([]icm.Instance, 0, len(list))
	for _, in := range list {
		arn := sdk.ToString(in.InstanceArn)
		if arn == "" {
			continue
		}
		inst := icm.Instance{
			Meta:            core.Meta{ARN: arn, Account: env.AccountID, Region: region},
			Name:            sdk.ToString(in.Name),
			IdentityStoreID: sdk.ToString(in.IdentityStoreId),
			OwnerAccountID:  sdk.ToString(in.OwnerAccountId),
			Status:          string(in.Status),
			PrimaryRegion:   sdk.ToString(in.PrimaryRegion),
		}
		inst.PermissionSets = permissionSets(ctx, env, c, region, arn)
		out = append(out, inst)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ARN < out[j].ARN })
	r.Instances = core.Known(out)
	return r, nil
}

func permissionSets(ctx context.Context, env *aws.Env, c API, region, instance string) core.Val[[]icm.PermissionSet] {
	p := awssso.NewListPermissionSetsPaginator(c, &awssso.ListPermissionSetsInput{InstanceArn: sdk.String(instance)})
	arns, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awssso.ListPermissionSetsOutput) []string { return o.PermissionSets })
	if err != nil {
		return core.Unknown[[]icm.PermissionSet](env.Unknown(service, region, "ListPermissionSets", instance, err))
	}
	sort.Strings(arns)
	sets := make([]icm.PermissionSet, len(arns))
	kit.Each(ctx, len(arns), kit.ItemConcurrency, func(ctx context.Context, i int) {
		sets[i] = readPermissionSet(ctx, env, c, region, instance, arns[i])
	})
	return core.Known(sets)
}

func readPermissionSet(ctx context.Context, env *aws.Env, c API, region, instance, arn string) icm.PermissionSet {
	ps := icm.PermissionSet{Meta: core.Meta{ARN: arn, Account: env.AccountID, Region: region}}
	unknown := func(op string, err error) string { return env.Unknown(service, region, op, arn, err) }
	inst, set := sdk.String(instance), sdk.String(arn)

	d, err := c.DescribePermissionSet(ctx, &awssso.DescribePermissionSetInput{InstanceArn: inst, PermissionSetArn: set})
	switch {
	case err != nil:
		ps.Details = core.Unknown[icm.Details](unknown("DescribePermissionSet", err))
	case d == nil || d.PermissionSet == nil:
		ps.Details = core.Unknown[icm.Details]("not reported (sso:DescribePermissionSet)")
	default:
		ps.Details = core.Known(icm.Details{
			Name:            sdk.ToString(d.PermissionSet.Name),
			Description:     sdk.ToString(d.PermissionSet.Description),
			SessionDuration: sdk.ToString(d.PermissionSet.SessionDuration),
		})
	}

	mp := awssso.NewListManagedPoliciesInPermissionSetPaginator(c, &awssso.ListManagedPoliciesInPermissionSetInput{InstanceArn: inst, PermissionSetArn: set})
	managed, err := kit.All(ctx, mp.HasMorePages, mp.NextPage, func(o *awssso.ListManagedPoliciesInPermissionSetOutput) []types.AttachedManagedPolicy {
		return o.AttachedManagedPolicies
	})
	if err != nil {
		ps.ManagedPolicies = core.Unknown[[]icm.ManagedPolicy](unknown("ListManagedPoliciesInPermissionSet", err))
	} else {
		out := make([]icm.ManagedPolicy, 0, len(managed))
		for _, m := range managed {
			out = append(out, icm.ManagedPolicy{Name: sdk.ToString(m.Name), ARN: sdk.ToString(m.Arn)})
		}
		sort.Slice(out, func(i, j int) bool { return out[i].ARN < out[j].ARN })
		ps.ManagedPolicies = core.Known(out)
	}

	cp := awssso.NewListCustomerManagedPolicyReferencesInPermissionSetPaginator(c,
		&awssso.ListCustomerManagedPolicyReferencesInPermissionSetInput{InstanceArn: inst, PermissionSetArn: set})
	refs, err := kit.All(ctx, cp.HasMorePages, cp.NextPage, func(o *awssso.ListCustomerManagedPolicyReferencesInPermissionSetOutput) []types.CustomerManagedPolicyReference {
		return o.CustomerManagedPolicyReferences
	})
	if err != nil {
		ps.CustomerManagedPolicies = core.Unknown[[]icm.PolicyReference](unknown("ListCustomerManagedPolicyReferencesInPermissionSet", err))
	} else {
		out := make([]icm.PolicyReference, 0, len(refs))
		for _, r := range refs {
			out = append(out, icm.PolicyReference{Name: sdk.ToString(r.Name), Path: sdk.ToString(r.Path)})
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Path+out[i].Name < out[j].Path+out[j].Name })
		ps.CustomerManagedPolicies = core.Known(out)
	}

	inline, err := c.GetInlinePolicyForPermissionSet(ctx, &awssso.GetInlinePolicyForPermissionSetInput{InstanceArn: inst, PermissionSetArn: set})
	switch {
	case err != nil:
		ps.InlinePolicy = core.Unknown[string](unknown("GetInlinePolicyForPermissionSet", err))
	case inline == nil:
		ps.InlinePolicy = core.Unknown[string]("not reported (sso:GetInlinePolicyForPermissionSet)")
	default:
		// An empty InlinePolicy is the documented answer for "no inline policy".
		ps.InlinePolicy = core.Known(sdk.ToString(inline.InlinePolicy))
	}

	ap := awssso.NewListAccountsForProvisionedPermissionSetPaginator(c,
		&awssso.ListAccountsForProvisionedPermissionSetInput{InstanceArn: inst, PermissionSetArn: set})
	accounts, err := kit.All(ctx, ap.HasMorePages, ap.NextPage, func(o *awssso.ListAccountsForProvisionedPermissionSetOutput) []string {
		return o.AccountIds
	})
	if err != nil {
		ps.ProvisionedAccounts = core.Unknown[[]string](unknown("ListAccountsForProvisionedPermissionSet", err))
	} else {
		out := append([]string{}, accounts...)
		sort.Strings(out)
		ps.ProvisionedAccounts = core.Known(out)
	}
	return ps
}
