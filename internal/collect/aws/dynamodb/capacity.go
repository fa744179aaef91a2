package dynamodb

import (
	"context"
	"sort"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsaas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	awsdax "github.com/aws/aws-sdk-go-v2/service/dax"
	daxtypes "github.com/aws/aws-sdk-go-v2/service/dax/types"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit"
	"github.com/demarc-sec/demarc/internal/model/core"
	ddbm "github.com/demarc-sec/demarc/internal/model/dynamodb"
)

// Service names for unknown reasons, as IAM spells the actions
// ("application-autoscaling:DescribeScalableTargets", "dax:DescribeClusters").
const (
	aasService = "application-autoscaling"
	daxService = "dax"
)

// AutoScalingAPI is the part of the Application Auto Scaling client the
// collector uses.
type AutoScalingAPI interface {
	awsaas.DescribeScalableTargetsAPIClient
}

// DAXAPI is the part of the DAX client the collector uses.
type DAXAPI interface {
	DescribeClusters(context.Context, *awsdax.DescribeClustersInput, ...func(*awsdax.Options)) (*awsdax.DescribeClustersOutput, error)
}

// ScalableTargets reads the region's scalable targets of the dynamodb
// namespace: a table (or index) in provisioned mode scales with demand only
// when its read and write capacity are registered here.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/AutoScaling.html
func ScalableTargets(ctx context.Context, env *aws.Env, c AutoScalingAPI, region string) core.Val[[]ddbm.ScalableTarget] {
	p := awsaas.NewDescribeScalableTargetsPaginator(c, &awsaas.DescribeScalableTargetsInput{ServiceNamespace: aastypes.ServiceNamespaceDynamodb})
	targets, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awsaas.DescribeScalableTargetsOutput) []aastypes.ScalableTarget {
		return o.ScalableTargets
	})
	if err != nil {
		return core.Unknown[[]ddbm.ScalableTarget](env.Unknown(aasService, region, "DescribeScalableTargets", "", err))
	}
	out := make([]ddbm.ScalableTarget, 0, len(targets))
	for _, t := range targets {
		st := ddbm.ScalableTarget{
			ResourceID: sdk.ToString(t.ResourceId),
			Dimension:  string(t.ScalableDimension),
			Min:        int(sdk.ToInt32(t.MinCapacity)),
			Max:        int(sdk.ToInt32(t.MaxCapacity)),
		}
		if s := t.SuspendedState; s != nil {
			st.ScaleInSuspended = sdk.ToBool(s.DynamicScalingInSuspended)
			st.ScaleOutSuspended = sdk.ToBool(s.DynamicScalingOutSuspended)
		}
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ResourceID != out[j].ResourceID {
			return out[i].ResourceID < out[j].ResourceID
		}
		return out[i].Dimension < out[j].Dimension
	})
	return core.Known(out)
}

// DAXClusters reads the region's DAX clusters with their encryption at rest
// and in transit.
func DAXClusters(ctx context.Context, env *aws.Env, c DAXAPI, arnPrefix, region string) core.Val[[]ddbm.DAXCluster] {
	clusters, err := kit.Tokens(ctx, func(ctx context.Context, token *string) ([]daxtypes.Cluster, *string, error) {
		out, err := c.DescribeClusters(ctx, &awsdax.DescribeClustersInput{NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		return out.Clusters, out.NextToken, nil
	})
	if err != nil {
		return core.Unknown[[]ddbm.DAXCluster](env.Unknown(daxService, region, "DescribeClusters", "", err))
	}
	out := make([]ddbm.DAXCluster, 0, len(clusters))
	for _, cl := range clusters {
		name := sdk.ToString(cl.ClusterName)
		d := ddbm.DAXCluster{
			Meta:               core.Meta{ARN: sdk.ToString(cl.ClusterArn), Account: env.AccountID, Region: region},
			Name:               name,
			Status:             sdk.ToString(cl.Status),
			EndpointEncryption: string(cl.ClusterEndpointEncryptionType),
		}
		if d.ARN == "" {
			d.ARN = arnPrefix + ":dax:" + region + ":" + env.AccountID + ":cache/" + name
		}
		if s := cl.SSEDescription; s != nil {
			d.SSEStatus = string(s.Status)
		}
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return core.Known(out)
}
