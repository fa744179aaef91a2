// Package ssm collects AWS Systems Manager in every region: the managed
// nodes with their agent ping status, and every resource compliance summary
// (patch, association and custom compliance).
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

// CollectRegion reads one region. The error is non-nil only when both lists
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
	if ierr != nil && cerr != nil {
		return r, ierr
	}
	return r, nil
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
