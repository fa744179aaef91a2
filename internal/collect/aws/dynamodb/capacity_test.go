package dynamodb

import (
	"context"
	"fmt"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsaas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	awsdax "github.com/aws/aws-sdk-go-v2/service/dax"
	daxtypes "github.com/aws/aws-sdk-go-v2/service/dax/types"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit/kittest"
	"github.com/demarc-sec/demarc/internal/model"
	ddbm "github.com/demarc-sec/demarc/internal/model/dynamodb"
)

// TestCollectCapacityAndDAXMoto reads a provisioned table with a global
// secondary index, its auto scaling targets, and two DAX clusters (one
// encrypted at rest and in transit, one neither) from moto.
func TestCollectCapacityAndDAXMoto(t *testing.T) {
	m := kittest.Start(t)
	ctx := context.Background()
	const region = "eu-central-1"
	c := awsddb.NewFromConfig(m.Config(region))
	pt := &types.ProvisionedThroughput{ReadCapacityUnits: sdk.Int64(5), WriteCapacityUnits: sdk.Int64(5)}
	kittest.Must(c.CreateTable(ctx, &awsddb.CreateTableInput{
		TableName: sdk.String("events"), BillingMode: types.BillingModeProvisioned, ProvisionedThroughput: pt,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: sdk.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: sdk.String("gk"), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{{AttributeName: sdk.String("pk"), KeyType: types.KeyTypeHash}},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName: sdk.String("by-gk"), KeySchema: []types.KeySchemaElement{{AttributeName: sdk.String("gk"), KeyType: types.KeyTypeHash}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}, ProvisionedThroughput: pt,
		}},
	}))
	aas := awsaas.NewFromConfig(m.Config(region))
	for _, tgt := range []struct{ id, dim string }{
		{"table/events", ddbm.DimTableRead}, {"table/events", ddbm.DimTableWrite}, {"table/events/index/by-gk", ddbm.DimIndexRead},
	} {
		kittest.Must(aas.RegisterScalableTarget(ctx, &awsaas.RegisterScalableTargetInput{
			ServiceNamespace: aastypes.ServiceNamespaceDynamodb, ResourceId: sdk.String(tgt.id),
			ScalableDimension: aastypes.ScalableDimension(tgt.dim), MinCapacity: sdk.Int32(5), MaxCapacity: sdk.Int32(50),
		}))
	}
	dax := awsdax.NewFromConfig(m.Config(region))
	role := "arn:aws:iam::" + m.Env.AccountID + ":role/dax"
	kittest.Must(dax.CreateCluster(ctx, &awsdax.CreateClusterInput{ClusterName: sdk.String("secure"), NodeType: sdk.String("dax.t3.small"),
		ReplicationFactor: 1, IamRoleArn: sdk.String(role), SSESpecification: &daxtypes.SSESpecification{Enabled: sdk.Bool(true)},
		ClusterEndpointEncryptionType: daxtypes.ClusterEndpointEncryptionTypeTls}))
	kittest.Must(dax.CreateCluster(ctx, &awsdax.CreateClusterInput{ClusterName: sdk.String("plain"), NodeType: sdk.String("dax.t3.small"),
		ReplicationFactor: 1, IamRoleArn: sdk.String(role)}))

	snap := model.New(m.Env.AccountID, m.Env.Partition, []string{region})
	if err := New().Collect(ctx, m.Env, "us-east-1", snap); err != nil {
		t.Fatalf("Collect: %v", err)
	}
	kittest.NoErrors(t, m.Env)
	r := snap.DynamoDB[0]
	tables := kittest.Known(t, "tables", r.Tables)
	if len(tables) != 1 {
		t.Fatalf("tables = %+v", tables)
	}
	d := kittest.Known(t, "events details", tables[0].Details)
	if d.BillingMode != "PROVISIONED" || strings.Join(d.GlobalSecondaryIndexes, ",") != "by-gk" {
		t.Errorf("events = %+v", d)
	}
	targets := kittest.Known(t, "scalable targets", r.ScalableTargets)
	var got []string
	for _, st := range targets {
		got = append(got, fmt.Sprintf("%s %s %d-%d", st.ResourceID, st.Dimension, st.Min, st.Max))
	}
	want := "table/events dynamodb:table:ReadCapacityUnits 5-50,table/events dynamodb:table:WriteCapacityUnits 5-50," +
		"table/events/index/by-gk dynamodb:index:ReadCapacityUnits 5-50"
	if strings.Join(got, ",") != want {
		t.Errorf("scalable targets = %v", got)
	}
	clusters := kittest.Known(t, "dax clusters", r.DAXClusters)
	if len(clusters) != 2 || clusters[0].Name != "plain" || clusters[1].Name != "secure" {
		t.Fatalf("dax clusters = %+v", clusters)
	}
	plain, secure := clusters[0], clusters[1]
	if secure.SSEStatus != "ENABLED" || secure.EndpointEncryption != "TLS" || secure.Region != region ||
		!strings.HasPrefix(secure.ARN, "arn:aws:dax:"+region+":"+m.Env.AccountID+":cache/secure") {
		t.Errorf("secure = %+v", secure)
	}
	if plain.SSEStatus == "ENABLED" || plain.EndpointEncryption != "NONE" {
		t.Errorf("plain = %+v", plain)
	}
}

// fakeDAX pages DescribeClusters or fails it.
type fakeDAX struct {
	err   error
	pages [][]daxtypes.Cluster
}

func (f fakeDAX) DescribeClusters(_ context.Context, in *awsdax.DescribeClustersInput, _ ...func(*awsdax.Options)) (*awsdax.DescribeClustersOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	i := 0
	if in.NextToken != nil {
		fmt.Sscan(*in.NextToken, &i)
	}
	out := &awsdax.DescribeClustersOutput{Clusters: f.pages[i]}
	if i+1 < len(f.pages) {
		out.NextToken = sdk.String(fmt.Sprint(i + 1))
	}
	return out, nil
}

// fakeAAS fails DescribeScalableTargets.
type fakeAAS struct{ err error }

func (f fakeAAS) DescribeScalableTargets(context.Context, *awsaas.DescribeScalableTargetsInput, ...func(*awsaas.Options)) (*awsaas.DescribeScalableTargetsOutput, error) {
	return nil, f.err
}

func TestCapacityAndDAXFakes(t *testing.T) {
	env := &aws.Env{AccountID: "111122223333"}
	ctx := context.Background()
	denied := &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"}

	if v := ScalableTargets(ctx, env, fakeAAS{err: denied}, "eu-west-1"); v.Ok || v.Why() != "access denied (application-autoscaling:DescribeScalableTargets)" {
		t.Errorf("denied targets = %+v", v)
	}
	if v := DAXClusters(ctx, env, fakeDAX{err: denied}, "arn:aws", "eu-west-1"); v.Ok || v.Why() != "access denied (dax:DescribeClusters)" {
		t.Errorf("denied clusters = %+v", v)
	}
	// Two pages; a cluster without SSEDescription is not encrypted at rest,
	// and the ARN is built when DAX omits it.
	v := DAXClusters(ctx, env, fakeDAX{pages: [][]daxtypes.Cluster{
		{{ClusterName: sdk.String("b"), ClusterEndpointEncryptionType: daxtypes.ClusterEndpointEncryptionTypeNone}},
		{{ClusterName: sdk.String("a"), SSEDescription: &daxtypes.SSEDescription{Status: daxtypes.SSEStatusEnabled}}},
	}}, "arn:aws", "eu-west-1")
	cl, ok := v.Get()
	if !ok || len(cl) != 2 || cl[0].Name != "a" || cl[0].SSEStatus != "ENABLED" || cl[1].SSEStatus != "" ||
		cl[1].ARN != "arn:aws:dax:eu-west-1:111122223333:cache/b" {
		t.Errorf("clusters = %+v", v)
	}
}
