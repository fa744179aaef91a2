// Package dynamodb collects Amazon DynamoDB in every region: tables
// (encryption at rest, point-in-time recovery, deletion protection, capacity
// mode and global secondary indexes), the Application Auto Scaling targets
// of the dynamodb namespace, and DynamoDB Accelerator (DAX) clusters.
package dynamodb

import (
	"context"
	"sort"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsaas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	awsdax "github.com/aws/aws-sdk-go-v2/service/dax"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	ddbm "github.com/demarc-sec/demarc/internal/model/dynamodb"
)

const service = "dynamodb"

// API is the part of the DynamoDB client the collector uses.
type API interface {
	awsddb.ListTablesAPIClient
	DescribeTable(context.Context, *awsddb.DescribeTableInput, ...func(*awsddb.Options)) (*awsddb.DescribeTableOutput, error)
	DescribeContinuousBackups(context.Context, *awsddb.DescribeContinuousBackupsInput, ...func(*awsddb.Options)) (*awsddb.DescribeContinuousBackupsOutput, error)
}

type collector struct{}

// New returns the DynamoDB collector. It is global to the runner and reads
// every region of the snapshot itself, writing only snap.DynamoDB.
func New() aws.Collector { return collector{} }

func (collector) Name() string   { return service }
func (collector) Regional() bool { return false }

func (collector) Collect(ctx context.Context, env *aws.Env, _ string, snap *model.Snapshot) error {
	prefix := snap.ARNPrefix()
	regions, err := kit.PerRegion(ctx, env, service, snap.Regions, kit.RegionConcurrency,
		func(ctx context.Context, region string) (ddbm.Region, error) {
			r, err := CollectRegion(ctx, env, awsddb.NewFromConfig(env.Config(region)), prefix, region)
			r.ScalableTargets = ScalableTargets(ctx, env, awsaas.NewFromConfig(env.Config(region)), region)
			r.DAXClusters = DAXClusters(ctx, env, awsdax.NewFromConfig(env.Config(region)), prefix, region)
			return r, err
		})
	snap.DynamoDB = regions
	return err
}

// CollectRegion reads the tables of one region. The error is non-nil only
// when the tables could not be listed.
func CollectRegion(ctx context.Context, env *aws.Env, c API, arnPrefix, region string) (ddbm.Region, error) {
	r := ddbm.Region{Name: region}
	p := awsddb.NewListTablesPaginator(c, &awsddb.ListTablesInput{})
	names, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awsddb.ListTablesOutput) []string { return o.TableNames })
	if err != nil {
		r.Tables = core.Unknown[[]ddbm.Table](env.Unknown(service, region, "ListTables", "", err))
		return r, err
	}
	tables := make([]ddbm.Table, len(names))
	kit.Each(ctx, len(names), kit.ItemConcurrency, func(ctx context.Context, i int) {
		tables[i] = readTable(ctx, env, c, arnPrefix, region, names[i])
	})
	sort.Slice(tables, func(i, j int) bool { return tables[i].Name < tables[j].Name })
	r.Tables = core.Known(tables)
	return r, nil
}

func readTable(ctx context.Context, env *aws.Env, c API, arnPrefix, region, name string) ddbm.Table {
	t := ddbm.Table{
		Meta: core.Meta{ARN: arnPrefix + ":dynamodb:" + region + ":" + env.AccountID + ":table/" + name,
			Account: env.AccountID, Region: region},
		Name: name,
	}
	out, err := c.DescribeTable(ctx, &awsddb.DescribeTableInput{TableName: sdk.String(name)})
	switch {
	case err != nil:
		t.Details = core.Unknown[ddbm.TableDetails](env.Unknown(service, region, "DescribeTable", t.ARN, err))
	case out == nil || out.Table == nil:
		t.Details = core.Unknown[ddbm.TableDetails]("not reported (dynamodb:DescribeTable)")
	default:
		if a := sdk.ToString(out.Table.TableArn); a != "" {
			t.ARN = a
		}
		t.Details = core.Known(convDetails(out.Table))
	}

	cb, err := c.DescribeContinuousBackups(ctx, &awsddb.DescribeContinuousBackupsInput{TableName: sdk.String(name)})
	switch {
	case err != nil:
		t.PITR = core.Unknown[bool](env.Unknown(service, region, "DescribeContinuousBackups", t.ARN, err))
	case cb == nil || cb.ContinuousBackupsDescription == nil:
		t.PITR = core.Unknown[bool]("not reported (dynamodb:DescribeContinuousBackups)")
	default:
		d := cb.ContinuousBackupsDescription.PointInTimeRecoveryDescription
		t.PITR = core.Known(d != nil && d.PointInTimeRecoveryStatus == types.PointInTimeRecoveryStatusEnabled)
	}
	return t
}

// convDetails converts DescribeTable's answer. DynamoDB encrypts every table;
// without an SSEDescription (or with SSE disabled) the key is AWS owned
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_SSEDescription.html).
func convDetails(in *types.TableDescription) ddbm.TableDetails {
	out := ddbm.TableDetails{
		Status:             string(in.TableStatus),
		Encryption:         ddbm.EncryptionAWSOwned,
		DeletionProtection: sdk.ToBool(in.DeletionProtectionEnabled),
		CreationTime:       in.CreationDateTime,
	}
	if s := in.SSEDescription; s != nil {
		out.EncryptionStatus = string(s.Status)
		if s.SSEType == types.SSETypeKms && s.Status != types.SSEStatusDisabled && s.Status != types.SSEStatusDisabling {
			out.Encryption = ddbm.EncryptionKMS
			out.KMSKeyARN = sdk.ToString(s.KMSMasterKeyArn)
		}
	}
	if in.BillingModeSummary != nil {
		out.BillingMode = string(in.BillingModeSummary.BillingMode)
	}
	if in.TableClassSummary != nil {
		out.TableClass = string(in.TableClassSummary.TableClass)
	}
	for _, g := range in.GlobalSecondaryIndexes {
		if n := sdk.ToString(g.IndexName); n != "" {
			out.GlobalSecondaryIndexes = append(out.GlobalSecondaryIndexes, n)
		}
	}
	sort.Strings(out.GlobalSecondaryIndexes)
	for _, r := range in.Replicas {
		if n := sdk.ToString(r.RegionName); n != "" {
			out.ReplicaRegions = append(out.ReplicaRegions, n)
		}
	}
	sort.Strings(out.ReplicaRegions)
	return out
}
