// Package eks collects Amazon EKS clusters in every region: API endpoint
// exposure, control plane logging, secrets encryption and versions.
package eks

import (
	"context"
	"sort"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awseks "github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	eksm "github.com/demarc-sec/demarc/internal/model/eks"
)

const service = "eks"

// API is the part of the EKS client the collector uses.
type API interface {
	awseks.ListClustersAPIClient
	DescribeCluster(context.Context, *awseks.DescribeClusterInput, ...func(*awseks.Options)) (*awseks.DescribeClusterOutput, error)
}

type collector struct{}

// New returns the EKS collector. It is global to the runner and reads every
// region of the snapshot itself, writing only snap.EKS.
func New() aws.Collector { return collector{} }

func (collector) Name() string   { return service }
func (collector) Regional() bool { return false }

func (collector) Collect(ctx context.Context, env *aws.Env, _ string, snap *model.Snapshot) error {
	prefix := snap.ARNPrefix()
	regions, err := kit.PerRegion(ctx, env, service, snap.Regions, kit.RegionConcurrency,
		func(ctx context.Context, region string) (eksm.Region, error) {
			return CollectRegion(ctx, env, awseks.NewFromConfig(env.Config(region)), prefix, region)
		})
	snap.EKS = regions
	return err
}

// CollectRegion reads the clusters of one region. The error is non-nil only
// when the clusters could not be listed.
func CollectRegion(ctx context.Context, env *aws.Env, c API, arnPrefix, region string) (eksm.Region, error) {
	r := eksm.Region{Name: region}
	p := awseks.NewListClustersPaginator(c, &awseks.ListClustersInput{})
	names, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awseks.ListClustersOutput) []string { return o.Clusters })
	if err != nil {
		r.Clusters = core.Unknown[[]eksm.Cluster](env.Unknown(service, region, "ListClusters", "", err))
		return r, err
	}
	clusters := make([]eksm.Cluster, len(names))
	kit.Each(ctx, len(names), kit.ItemConcurrency, func(ctx context.Context, i int) {
		name := names[i]
		cl := eksm.Cluster{
			Meta: core.Meta{ARN: arnPrefix + ":eks:" + region + ":" + env.AccountID + ":cluster/" + name, Account: env.AccountID, Region: region},
			Name: name,
		}
		out, err := c.DescribeCluster(ctx, &awseks.DescribeClusterInput{Name: sdk.String(name)})
		switch {
		case err != nil:
			cl.Details = core.Unknown[eksm.ClusterDetails](env.Unknown(service, region, "DescribeCluster", cl.ARN, err))
		case out == nil || out.Cluster == nil:
			cl.Details = core.Unknown[eksm.ClusterDetails]("not reported (eks:DescribeCluster)")
		default:
			if a := sdk.ToString(out.Cluster.Arn); a != "" {
				cl.ARN = a
			}
			if len(out.Cluster.Tags) > 0 {
				cl.Tags = out.Cluster.Tags
			}
			cl.Details = core.Known(convDetails(out.Cluster))
		}
		clusters[i] = cl
	})
	sort.Slice(clusters, func(i, j int) bool { return clusters[i].Name < clusters[j].Name })
	r.Clusters = core.Known(clusters)
	return r, nil
}

func convDetails(in *types.Cluster) eksm.ClusterDetails {
	out := eksm.ClusterDetails{
		Version:         sdk.ToString(in.Version),
		PlatformVersion: sdk.ToString(in.PlatformVersion),
		Status:          string(in.Status),
		RoleARN:         sdk.ToString(in.RoleArn),
		CreatedAt:       in.CreatedAt,
	}
	if v := in.ResourcesVpcConfig; v != nil {
		out.EndpointPublic = v.EndpointPublicAccess
		out.EndpointPrivate = v.EndpointPrivateAccess
		out.PublicAccessCIDRs = sortedCopy(v.PublicAccessCidrs)
		out.VPCID = sdk.ToString(v.VpcId)
		out.SubnetIDs = sortedCopy(v.SubnetIds)
		out.SecurityGroupIDs = sortedCopy(v.SecurityGroupIds)
		out.ClusterSecurityGroupID = sdk.ToString(v.ClusterSecurityGroupId)
	}
	if in.Logging != nil {
		for _, s := range in.Logging.ClusterLogging {
			if !sdk.ToBool(s.Enabled) {
				continue
			}
			for _, t := range s.Types {
				out.EnabledLogTypes = append(out.EnabledLogTypes, string(t))
			}
		}
		sort.Strings(out.EnabledLogTypes)
	}
	for _, e := range in.EncryptionConfig {
		ec := eksm.EncryptionConfig{Resources: sortedCopy(e.Resources)}
		if e.Provider != nil {
			ec.KeyARN = sdk.ToString(e.Provider.KeyArn)
		}
		out.Encryption = append(out.Encryption, ec)
	}
	if in.AccessConfig != nil {
		out.AuthenticationMode = string(in.AccessConfig.AuthenticationMode)
	}
	return out
}

func sortedCopy(ss []string) []string {
	if len(ss) == 0 {
		return nil
	}
	out := append([]string(nil), ss...)
	sort.Strings(out)
	return out
}
