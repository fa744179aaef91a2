// Package rds collects Amazon RDS (and Aurora) in every region: DB
// instances, DB clusters, the account's DB and cluster snapshots with
// their "restore" attribute (which accounts may restore them; "all" is
// public), event notification subscriptions, and the watched settings of
// the DB parameter groups attached to the instances.
//
// DescribeDBInstances also returns DocumentDB and Neptune instances (they
// share the RDS API); they are kept, with their Engine, for rules to filter.
package rds

import (
	"context"
	"sort"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsrds "github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	"golang.org/x/sync/errgroup"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	rdsm "github.com/demarc-sec/demarc/internal/model/rds"
)

const service = "rds"

// API is the part of the RDS client the collector uses.
type API interface {
	awsrds.DescribeDBInstancesAPIClient
	awsrds.DescribeDBClustersAPIClient
	awsrds.DescribeDBSnapshotsAPIClient
	awsrds.DescribeDBClusterSnapshotsAPIClient
	awsrds.DescribeEventSubscriptionsAPIClient
	awsrds.DescribeDBParametersAPIClient
	DescribeDBSnapshotAttributes(context.Context, *awsrds.DescribeDBSnapshotAttributesInput, ...func(*awsrds.Options)) (*awsrds.DescribeDBSnapshotAttributesOutput, error)
	DescribeDBClusterSnapshotAttributes(context.Context, *awsrds.DescribeDBClusterSnapshotAttributesInput, ...func(*awsrds.Options)) (*awsrds.DescribeDBClusterSnapshotAttributesOutput, error)
}

type collector struct{}

// New returns the RDS collector. It is global to the runner and reads every
// region of the snapshot itself, writing only snap.RDS.
func New() aws.Collector { return collector{} }

func (collector) Name() string   { return service }
func (collector) Regional() bool { return false }

func (collector) Collect(ctx context.Context, env *aws.Env, _ string, snap *model.Snapshot) error {
	prefix := snap.ARNPrefix()
	regions, err := kit.PerRegion(ctx, env, service, snap.Regions, kit.RegionConcurrency,
		func(ctx context.Context, region string) (rdsm.Region, error) {
			return CollectRegion(ctx, env, awsrds.NewFromConfig(env.Config(region)), prefix, region)
		})
	snap.RDS = regions
	return err
}

// CollectRegion reads one region. The lists are read concurrently and each
// fails on its own; the error is non-nil only when all of them failed. The
// parameter groups are read once the instances are known.
func CollectRegion(ctx context.Context, env *aws.Env, c API, arnPrefix, region string) (rdsm.Region, error) {
	r := rdsm.Region{Name: region}
	s := scope{arnPrefix: arnPrefix, account: env.AccountID, region: region}
	unknown := func(op string, err error) string { return env.Unknown(service, region, op, "", err) }
	var g errgroup.Group
	errs := make([]error, 5)
	g.Go(func() error {
		p := awsrds.NewDescribeDBInstancesPaginator(c, &awsrds.DescribeDBInstancesInput{})
		v, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awsrds.DescribeDBInstancesOutput) []types.DBInstance { return o.DBInstances })
		errs[0] = err
		r.Instances = convList(v, err, func(x types.DBInstance) rdsm.Instance { return convInstance(s, x) },
			func(x rdsm.Instance) string { return x.ID }, unknown, "DescribeDBInstances")
		r.ParameterGroups = parameterGroups(ctx, env, c, s, r.Instances)
		return nil
	})
	g.Go(func() error {
		p := awsrds.NewDescribeEventSubscriptionsPaginator(c, &awsrds.DescribeEventSubscriptionsInput{})
		v, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awsrds.DescribeEventSubscriptionsOutput) []types.EventSubscription {
			return o.EventSubscriptionsList
		})
		errs[4] = err
		r.EventSubscriptions = convList(v, err, func(x types.EventSubscription) rdsm.EventSubscription { return convEventSubscription(s, x) },
			func(x rdsm.EventSubscription) string { return x.Name }, unknown, "DescribeEventSubscriptions")
		return nil
	})
	g.Go(func() error {
		p := awsrds.NewDescribeDBClustersPaginator(c, &awsrds.DescribeDBClustersInput{})
		v, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awsrds.DescribeDBClustersOutput) []types.DBCluster { return o.DBClusters })
		errs[1] = err
		r.Clusters = convList(v, err, func(x types.DBCluster) rdsm.Cluster { return convCluster(s, x) },
			func(x rdsm.Cluster) string { return x.ID }, unknown, "DescribeDBClusters")
		return nil
	})
	g.Go(func() error {
		// No SnapshotType and no IncludeShared/IncludePublic: the account's
		// own manual, automated and AWS Backup snapshots.
		p := awsrds.NewDescribeDBSnapshotsPaginator(c, &awsrds.DescribeDBSnapshotsInput{})
		v, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awsrds.DescribeDBSnapshotsOutput) []types.DBSnapshot { return o.DBSnapshots })
		errs[2] = err
		r.Snapshots = convList(v, err, func(x types.DBSnapshot) rdsm.Snapshot { return convSnapshot(s, x) },
			func(x rdsm.Snapshot) string { return x.ID }, unknown, "DescribeDBSnapshots")
		if err == nil {
			restoreAttributes(ctx, env, region, r.Snapshots.V, "DescribeDBSnapshotAttributes",
				func(ctx context.Context, id string) ([]types.DBSnapshotAttribute, bool, error) {
					out, err := c.DescribeDBSnapshotAttributes(ctx, &awsrds.DescribeDBSnapshotAttributesInput{DBSnapshotIdentifier: sdk.String(id)})
					if err != nil || out == nil || out.DBSnapshotAttributesResult == nil {
						return nil, false, err
					}
					return out.DBSnapshotAttributesResult.DBSnapshotAttributes, true, nil
				})
		}
		return nil
	})
	g.Go(func() error {
		p := awsrds.NewDescribeDBClusterSnapshotsPaginator(c, &awsrds.DescribeDBClusterSnapshotsInput{})
		v, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awsrds.DescribeDBClusterSnapshotsOutput) []types.DBClusterSnapshot {
			return o.DBClusterSnapshots
		})
		errs[3] = err
		r.ClusterSnapshots = convList(v, err, func(x types.DBClusterSnapshot) rdsm.Snapshot { return convClusterSnapshot(s, x) },
			func(x rdsm.Snapshot) string { return x.ID }, unknown, "DescribeDBClusterSnapshots")
		if err == nil {
			restoreAttributes(ctx, env, region, r.ClusterSnapshots.V, "DescribeDBClusterSnapshotAttributes",
				func(ctx context.Context, id string) ([]types.DBSnapshotAttribute, bool, error) {
					out, err := c.DescribeDBClusterSnapshotAttributes(ctx, &awsrds.DescribeDBClusterSnapshotAttributesInput{DBClusterSnapshotIdentifier: sdk.String(id)})
					if err != nil || out == nil || out.DBClusterSnapshotAttributesResult == nil {
						return nil, false, err
					}
					// Same shape as the instance snapshot attributes.
					var attrs []types.DBSnapshotAttribute
					for _, a := range out.DBClusterSnapshotAttributesResult.DBClusterSnapshotAttributes {
						attrs = append(attrs, types.DBSnapshotAttribute{AttributeName: a.AttributeName, AttributeValues: a.AttributeValues})
					}
					return attrs, true, nil
				})
		}
		return nil
	})
	_ = g.Wait()
	for _, err := range errs {
		if err == nil {
			return r, nil
		}
	}
	return r, errs[0]
}

// restoreAttributes fills RestoreAccounts of every snapshot with bounded
// concurrency. Automated snapshots cannot be shared (only manual snapshots
// carry the restore attribute,
// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ShareSnapshot.html),
// so they are Known(empty) without a call.
func restoreAttributes(ctx context.Context, env *aws.Env, region string, snaps []rdsm.Snapshot, op string,
	get func(ctx context.Context, id string) ([]types.DBSnapshotAttribute, bool, error)) {
	kit.Each(ctx, len(snaps), kit.ItemConcurrency, func(ctx context.Context, i int) {
		s := &snaps[i]
		if s.Type == "automated" {
			s.RestoreAccounts = core.Known([]string{})
			return
		}
		attrs, ok, err := get(ctx, s.ID)
		switch {
		case err != nil:
			s.RestoreAccounts = core.Unknown[[]string](env.Unknown(service, region, op, s.ARN, err))
		case !ok:
			s.RestoreAccounts = core.Unknown[[]string]("not reported (rds:" + op + ")")
		default:
			s.RestoreAccounts = core.Known(restoreAccounts(attrs))
		}
	})
}

// restoreAccounts extracts the "restore" attribute's values, sorted.
func restoreAccounts(attrs []types.DBSnapshotAttribute) []string {
	out := []string{}
	for _, a := range attrs {
		if sdk.ToString(a.AttributeName) == "restore" {
			out = append(out, a.AttributeValues...)
		}
	}
	sort.Strings(out)
	return out
}

// convList converts a listing, or records why it could not be read. The
// result is sorted by ID.
func convList[S, M any](in []S, err error, conv func(S) M, id func(M) string,
	unknown func(op string, err error) string, op string) core.Val[[]M] {
	if err != nil {
		return core.Unknown[[]M](unknown(op, err))
	}
	out := make([]M, 0, len(in))
	for _, v := range in {
		out = append(out, conv(v))
	}
	sort.SliceStable(out, func(i, j int) bool { return id(out[i]) < id(out[j]) })
	return core.Known(out)
}
