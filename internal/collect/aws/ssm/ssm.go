// Package ssm collects AWS Systems Manager in every region: the managed
// nodes with their agent ping status, every resource compliance summary
// (patch, association and custom compliance), and the SSM documents the
// account owns with the accounts each is shared with.
package ssm

import (
	"context"
	"sort"
	"strings"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsssm "github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	ssmm "github.com/demarc-sec/demarc/internal/model/ssm"
)

const service = "ssm"

// API is the part of the SSM client the collector uses.
type API interface {
	awsssm.DescribeInstanceInformationAPIClient
	awsssm.ListResourceComplianceSummariesAPIClient
	awsssm.ListDocumentsAPIClient
	DescribeDocumentPermission(context.Context, *awsssm.DescribeDocumentPermissionInput, ...func(*awsssm.Options)) (*awsssm.DescribeDocumentPermissionOutput, error)
}

type collector struct{}

// New returns the Systems Manager collector. It is global to the runner and
// reads every region of the snapshot itself, writing only snap.SSM.
func New() aws.Collector { return collector{} }

func (collector) Name() string   { return service }
func (collector) Regional() bool { return false }

func (collector) Collect(ctx context.Context, env *aws.Env, _ string, snap *model.Snapshot) error {
	prefix := snap.ARNPrefix()
	regions, err := kit.PerRegion(ctx, env, service, snap.Regions, kit.RegionConcurrency,
		func(ctx context.Context, region string) (ssmm.Region, error) {
			return CollectRegion(ctx, env, awsssm.NewFromConfig(env.Config(region)), prefix, region)
		})
	snap.SSM = regions
	return err
}

// CollectRegion reads one region. The error is non-nil only when every list
// failed.
func CollectRegion(ctx context.Context, env *aws.Env, c API, arnPrefix, region string) (ssmm.Region, error) {
	r := ssmm.Region{Name: region}
	ip := awsssm.NewDescribeInstanceInformationPaginator(c, &awsssm.DescribeInstanceInformationInput{})
	infos, ierr := kit.All(ctx, ip.HasMorePages, ip.NextPage, func(o *awsssm.DescribeInstanceInformationOutput) []types.InstanceInformation {
		return o.InstanceInformationList
	})
	if ierr != nil {
		r.ManagedInstances = core.Unknown[[]ssmm.ManagedInstance](env.Unknown(service, region, "DescribeInstanceInformation", "", ierr))
	} else {
		out := make([]ssmm.ManagedInstance, 0, len(infos))
		for _, in := range infos {
			out = append(out, convInstance(arnPrefix, env.AccountID, region, in))
		}
		sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
		r.ManagedInstances = core.Known(out)
	}

	cp := awsssm.NewListResourceComplianceSummariesPaginator(c, &awsssm.ListResourceComplianceSummariesInput{})
	items, cerr := kit.All(ctx, cp.HasMorePages, cp.NextPage, func(o *awsssm.ListResourceComplianceSummariesOutput) []types.ResourceComplianceSummaryItem {
		return o.ResourceComplianceSummaryItems
	})
	if cerr != nil {
		r.Compliance = core.Unknown[[]ssmm.ComplianceSummary](env.Unknown(service, region, "ListResourceComplianceSummaries", "", cerr))
	} else {
		out := make([]ssmm.ComplianceSummary, 0, len(items))
		for _, it := range items {
			out = append(out, convCompliance(it))
		}
		sort.Slice(out, func(i, j int) bool {
			if out[i].ResourceID != out[j].ResourceID {
				return out[i].ResourceID < out[j].ResourceID
			}
			return out[i].ComplianceType < out[j].ComplianceType
		})
		r.Compliance = core.Known(out)
	}
	var derr error
	r.Documents, derr = collectDocuments(ctx, env, c, arnPrefix, region)
	if ierr != nil && cerr != nil && derr != nil {
		return r, ierr
	}
	return r, nil
}

// collectDocuments lists the documents the account owns and, for each, the
// accounts it is shared with. A document whose permissions cannot be read
// keeps an unknown SharedWith: it may be public.
func collectDocuments(ctx context.Context, env *aws.Env, c API, arnPrefix, region string) (core.Val[[]ssmm.Document], error) {
	// Owner=Self: the documents this account created. AWS's own documents
	// and documents shared with the account are other owners' to share
	// (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_ListDocuments.html).
	dp := awsssm.NewListDocumentsPaginator(c, &awsssm.ListDocumentsInput{
		Filters: []types.DocumentKeyValuesFilter{{Key: sdk.String("Owner"), Values: []string{"Self"}}},
	})
	ids, err := kit.All(ctx, dp.HasMorePages, dp.NextPage, func(o *awsssm.ListDocumentsOutput) []types.DocumentIdentifier {
		return o.DocumentIdentifiers
	})
	if err != nil {
		return core.Unknown[[]ssmm.Document](env.Unknown(service, region, "ListDocuments", "", err)), err
	}
	docs := make([]ssmm.Document, len(ids))
	kit.Each(ctx, len(ids), kit.ItemConcurrency, func(ctx context.Context, i int) {
		name := sdk.ToString(ids[i].Name)
		d := ssmm.Document{
			Meta:         core.Meta{ARN: arnPrefix + ":ssm:" + region + ":" + env.AccountID + ":document/" + name, Account: env.AccountID, Region: region},
			Name:         name,
			DocumentType: string(ids[i].DocumentType),
		}
		shared, err := kit.Tokens(ctx, func(ctx context.Context, token *string) ([]string, *string, error) {
			out, err := c.DescribeDocumentPermission(ctx, &awsssm.DescribeDocumentPermissionInput{
				Name: sdk.String(name), PermissionType: types.DocumentPermissionTypeShare, NextToken: token})
			if err != nil {
				return nil, nil, err
			}
			return out.AccountIds, out.NextToken, nil
		})
		if err != nil {
			d.SharedWith = core.Unknown[[]string](env.Unknown(service, region, "DescribeDocumentPermission", d.ARN, err))
		} else {
			if shared == nil {
				shared = []string{}
			}
			sort.Strings(shared)
			d.SharedWith = core.Known(shared)
		}
		docs[i] = d
	})
	sort.Slice(docs, func(i, j int) bool { return docs[i].Name < docs[j].Name })
	return core.Known(docs), nil
}

// convInstance converts a managed node. EC2 instances keep their EC2 ARN so
// rules can join them with the EC2 model; hybrid nodes (mi-…) get the SSM
// managed-instance ARN.
func convInstance(arnPrefix, account, region string, in types.InstanceInformation) ssmm.ManagedInstance {
	id := sdk.ToString(in.InstanceId)
	arn := arnPrefix + ":ec2:" + region + ":" + account + ":instance/" + id
	if strings.HasPrefix(id, "mi-") {
		arn = arnPrefix + ":ssm:" + region + ":" + account + ":managed-instance/" + id
	}
	return ssmm.ManagedInstance{
		Meta:              core.Meta{ARN: arn, Account: account, Region: region},
		ID:                id,
		PingStatus:        string(in.PingStatus),
		LastPing:          in.LastPingDateTime,
		ResourceType:      string(in.ResourceType),
		PlatformType:      string(in.PlatformType),
		PlatformName:      sdk.ToString(in.PlatformName),
		PlatformVersion:   sdk.ToString(in.PlatformVersion),
		AgentVersion:      sdk.ToString(in.AgentVersion),
		AgentLatest:       sdk.ToBool(in.IsLatestVersion),
		AssociationStatus: sdk.ToString(in.AssociationStatus),
	}
}

func convCompliance(it types.ResourceComplianceSummaryItem) ssmm.ComplianceSummary {
	out := ssmm.ComplianceSummary{
		ResourceID:      sdk.ToString(it.ResourceId),
		ResourceType:    sdk.ToString(it.ResourceType),
		ComplianceType:  sdk.ToString(it.ComplianceType),
		Status:          string(it.Status),
		OverallSeverity: string(it.OverallSeverity),
	}
	if it.CompliantSummary != nil {
		out.CompliantCount = int(it.CompliantSummary.CompliantCount)
	}
	if it.NonCompliantSummary != nil {
		out.NonCompliantCount = int(it.NonCompliantSummary.NonCompliantCount)
	}
	if it.ExecutionSummary != nil {
		out.ExecutionTime = it.ExecutionSummary.ExecutionTime
	}
	return out
}
