// Package organizations collects AWS Organizations as the scanned account
// sees it: the organization (or the Known fact that there is none), and from
// a management or delegated administrator account the roots, the OU tree,
// the member accounts, and the service and resource control policies with
// their documents and targets.
//
// From a member account the organization lists answer AccessDeniedException:
// they are then unknown with that reason, never empty, so a rule cannot
// conclude "no SCP restricts regions" from a view it was not given.
package organizations

import (
	"context"
	"sort"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsorg "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	orgm "github.com/demarc-sec/demarc/internal/model/organizations"
)

const service = "organizations"

// notInUse is the error code of an account that belongs to no organization
// (https://docs.aws.amazon.com/organizations/latest/APIReference/API_DescribeOrganization.html).
const notInUse = "AWSOrganizationsNotInUseException"

// API is the part of the Organizations client the collector uses.
type API interface {
	awsorg.ListRootsAPIClient
	awsorg.ListOrganizationalUnitsForParentAPIClient
	awsorg.ListAccountsAPIClient
	awsorg.ListAccountsForParentAPIClient
	awsorg.ListPoliciesAPIClient
	awsorg.ListTargetsForPolicyAPIClient
	DescribeOrganization(context.Context, *awsorg.DescribeOrganizationInput, ...func(*awsorg.Options)) (*awsorg.DescribeOrganizationOutput, error)
	DescribePolicy(context.Context, *awsorg.DescribePolicyInput, ...func(*awsorg.Options)) (*awsorg.DescribePolicyOutput, error)
}

type collector struct{}

// New returns the Organizations collector (global; writes only
// snap.Organizations).
func New() aws.Collector { return collector{} }

func (collector) Name() string   { return service }
func (collector) Regional() bool { return false }

func (collector) Collect(ctx context.Context, env *aws.Env, region string, snap *model.Snapshot) error {
	st, err := CollectState(ctx, env, awsorg.NewFromConfig(env.Config(region)), region)
	snap.Organizations = st
	return err
}

// CollectState reads the organization. region is only used to label errors
// (Organizations is a global service). The error is non-nil only when
// DescribeOrganization failed for a reason other than "not in use".
func CollectState(ctx context.Context, env *aws.Env, c API, region string) (orgm.State, error) {
	var st orgm.State
	unknown := func(op string, err error) string { return env.Unknown(service, region, op, "", err) }

	out, err := c.DescribeOrganization(ctx, &awsorg.DescribeOrganizationInput{})
	var orgErr error
	switch {
	case kit.IsCode(err, notInUse):
		st.Organization = core.Known[*orgm.Organization](nil)
		st.Roots = core.Known([]orgm.Root{})
		st.OrganizationalUnits = core.Known([]orgm.OrganizationalUnit{})
		st.Accounts = core.Known([]orgm.Account{})
		st.SCPs = core.Known([]orgm.Policy{})
		st.RCPs = core.Known([]orgm.Policy{})
		return st, nil
	case err != nil:
		st.Organization = core.Unknown[*orgm.Organization](unknown("DescribeOrganization", err))
		orgErr = err
	case out == nil || out.Organization == nil:
		st.Organization = core.Unknown[*orgm.Organization]("not reported (organizations:DescribeOrganization)")
	default:
		o := out.Organization
		st.Organization = core.Known(&orgm.Organization{
			ID:                   sdk.ToString(o.Id),
			ARN:                  sdk.ToString(o.Arn),
			FeatureSet:           string(o.FeatureSet),
			ManagementAccountID:  sdk.ToString(o.MasterAccountId),
			ManagementAccountARN: sdk.ToString(o.MasterAccountArn),
		})
	}

	rp := awsorg.NewListRootsPaginator(c, &awsorg.ListRootsInput{})
	roots, err := kit.All(ctx, rp.HasMorePages, rp.NextPage, func(o *awsorg.ListRootsOutput) []types.Root { return o.Roots })
	var parents map[string]string // account → parent; nil when the tree is unknown
	if err != nil {
		reason := unknown("ListRoots", err)
		st.Roots = core.Unknown[[]orgm.Root](reason)
		st.OrganizationalUnits = core.Unknown[[]orgm.OrganizationalUnit](reason)
	} else {
		st.Roots = core.Known(convRoots(roots))
		ous, ps, err := walkTree(ctx, c, st.Roots.V)
		if err != nil {
			st.OrganizationalUnits = core.Unknown[[]orgm.OrganizationalUnit](unknown("ListOrganizationalUnitsForParent", err))
		} else {
			st.OrganizationalUnits = core.Known(ous)
			parents = ps
		}
	}
	st.Accounts = readAccounts(ctx, c, parents, unknown)
	st.SCPs = readPolicies(ctx, env, c, region, types.PolicyTypeServiceControlPolicy)
	st.RCPs = readPolicies(ctx, env, c, region, types.PolicyTypeResourceControlPolicy)
	return st, orgErr
}

func convRoots(in []types.Root) []orgm.Root {
	out := make([]orgm.Root, 0, len(in))
	for _, r := range in {
		root := orgm.Root{ID: sdk.ToString(r.Id), ARN: sdk.ToString(r.Arn), Name: sdk.ToString(r.Name), PolicyTypes: []orgm.PolicyTypeStatus{}}
		for _, p := range r.PolicyTypes {
			root.PolicyTypes = append(root.PolicyTypes, orgm.PolicyTypeStatus{Type: string(p.Type), Status: string(p.Status)})
		}
		sort.Slice(root.PolicyTypes, func(i, j int) bool { return root.PolicyTypes[i].Type < root.PolicyTypes[j].Type })
		out = append(out, root)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// walkTree lists the OUs below the roots, level by level, and records which
// parent every account sits in. Any failure fails the whole tree: half a tree
// would hide the OUs (and their SCPs) below the failure.
func walkTree(ctx context.Context, c API, roots []orgm.Root) ([]orgm.OrganizationalUnit, map[string]string, error) {
	ous := []orgm.OrganizationalUnit{}
	accountParent := map[string]string{}
	var level []string
	for _, r := range roots {
		level = append(level, r.ID)
	}
	for depth := 0; len(level) > 0; depth++ {
		// AWS allows five OU levels below the root; a deeper answer is a
		// loop in a broken emulator or API.
		if depth > 10 {
			break
		}
		children := make([][]orgm.OrganizationalUnit, len(level))
		accts := make([][]string, len(level))
		errs := make([]error, len(level))
		kit.Each(ctx, len(level), kit.ItemConcurrency, func(ctx context.Context, i int) {
			parent := level[i]
			op := awsorg.NewListOrganizationalUnitsForParentPaginator(c, &awsorg.ListOrganizationalUnitsForParentInput{ParentId: sdk.String(parent)})
			list, err := kit.All(ctx, op.HasMorePages, op.NextPage, func(o *awsorg.ListOrganizationalUnitsForParentOutput) []types.OrganizationalUnit {
				return o.OrganizationalUnits
			})
			if err != nil {
				errs[i] = err
				return
			}
			for _, ou := range list {
				children[i] = append(children[i], orgm.OrganizationalUnit{
					ID: sdk.ToString(ou.Id), ARN: sdk.ToString(ou.Arn), Name: sdk.ToString(ou.Name), ParentID: parent})
			}
			ap := awsorg.NewListAccountsForParentPaginator(c, &awsorg.ListAccountsForParentInput{ParentId: sdk.String(parent)})
			al, err := kit.All(ctx, ap.HasMorePages, ap.NextPage, func(o *awsorg.ListAccountsForParentOutput) []types.Account { return o.Accounts })
			if err != nil {
				errs[i] = err
				return
			}
			for _, a := range al {
				accts[i] = append(accts[i], sdk.ToString(a.Id))
			}
		})
		var next []string
		for i := range level {
			if errs[i] != nil {
				return nil, nil, errs[i]
			}
			for _, ou := range children[i] {
				ous = append(ous, ou)
				next = append(next, ou.ID)
			}
			for _, a := range accts[i] {
				accountParent[a] = level[i]
			}
		}
		level = next
	}
	sort.Slice(ous, func(i, j int) bool { return ous[i].ID < ous[j].ID })
	return ous, accountParent, nil
}

func readAccounts(ctx context.Context, c API, parents map[string]string, unknown func(string, error) string) core.Val[[]orgm.Account] {
	p := awsorg.NewListAccountsPaginator(c, &awsorg.ListAccountsInput{})
	list, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awsorg.ListAccountsOutput) []types.Account { return o.Accounts })
	if err != nil {
		return core.Unknown[[]orgm.Account](unknown("ListAccounts", err))
	}
	out := make([]orgm.Account, 0, len(list))
	for _, a := range list {
		id := sdk.ToString(a.Id)
		status := string(a.State)
		if status == "" {
			status = string(a.Status)
		}
		out = append(out, orgm.Account{
			ID: id, ARN: sdk.ToString(a.Arn), Name: sdk.ToString(a.Name), Status: status,
			JoinedMethod: string(a.JoinedMethod), JoinedAt: a.JoinedTimestamp, ParentID: parents[id],
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return core.Known(out)
}

// readPolicies lists the policies of one type with their documents and
// targets.
func readPolicies(ctx context.Context, env *aws.Env, c API, region string, typ types.PolicyType) core.Val[[]orgm.Policy] {
	p := awsorg.NewListPoliciesPaginator(c, &awsorg.ListPoliciesInput{Filter: typ})
	list, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awsorg.ListPoliciesOutput) []types.PolicySummary { return o.Policies })
	if err != nil {
		return core.Unknown[[]orgm.Policy](env.Unknown(service, region, "ListPolicies", string(typ), err))
	}
	out := make([]orgm.Policy, len(list))
	kit.Each(ctx, len(list), kit.ItemConcurrency, func(ctx context.Context, i int) {
		s := list[i]
		pol := orgm.Policy{
			ID: sdk.ToString(s.Id), ARN: sdk.ToString(s.Arn), Name: sdk.ToString(s.Name), Type: string(s.Type),
			Description: sdk.ToString(s.Description), AWSManaged: s.AwsManaged,
		}
		if pol.Type == "" {
			pol.Type = string(typ)
		}
		d, err := c.DescribePolicy(ctx, &awsorg.DescribePolicyInput{PolicyId: s.Id})
		switch {
		case err != nil:
			pol.Content = core.Unknown[string](env.Unknown(service, region, "DescribePolicy", pol.ARN, err))
		case d == nil || d.Policy == nil || d.Policy.Content == nil:
			pol.Content = core.Unknown[string]("not reported (organizations:DescribePolicy)")
		default:
			pol.Content = core.Known(*d.Policy.Content)
		}
		tp := awsorg.NewListTargetsForPolicyPaginator(c, &awsorg.ListTargetsForPolicyInput{PolicyId: s.Id})
		targets, err := kit.All(ctx, tp.HasMorePages, tp.NextPage, func(o *awsorg.ListTargetsForPolicyOutput) []types.PolicyTargetSummary { return o.Targets })
		if err != nil {
			pol.Targets = core.Unknown[[]orgm.Target](env.Unknown(service, region, "ListTargetsForPolicy", pol.ARN, err))
		} else {
			ts := make([]orgm.Target, 0, len(targets))
			for _, t := range targets {
				ts = append(ts, orgm.Target{ID: sdk.ToString(t.TargetId), ARN: sdk.ToString(t.Arn), Name: sdk.ToString(t.Name), Type: string(t.Type)})
			}
			sort.Slice(ts, func(i, j int) bool { return ts[i].ID < ts[j].ID })
			pol.Targets = core.Known(ts)
		}
		out[i] = pol
	})
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return core.Known(out)
}
