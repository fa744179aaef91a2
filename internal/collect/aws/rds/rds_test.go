package rds

import (
	"context"
	"strings"
	"sync"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsrds "github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit/kittest"
	"github.com/demarc-sec/demarc/internal/model"
	rdsm "github.com/demarc-sec/demarc/internal/model/rds"
)

func TestCollectMoto(t *testing.T) {
	m := kittest.Start(t)
	ctx := context.Background()
	c := awsrds.NewFromConfig(m.Config("eu-west-1"))
	s := sdk.String

	kittest.Must(c.CreateDBParameterGroup(ctx, &awsrds.CreateDBParameterGroupInput{DBParameterGroupName: s("pg-tls"),
		DBParameterGroupFamily: s("postgres16"), Description: s("TLS only")}))
	kittest.Must(c.ModifyDBParameterGroup(ctx, &awsrds.ModifyDBParameterGroupInput{DBParameterGroupName: s("pg-tls"),
		Parameters: []types.Parameter{
			{ParameterName: s("rds.force_ssl"), ParameterValue: s("1"), ApplyMethod: types.ApplyMethodPendingReboot},
			{ParameterName: s("log_connections"), ParameterValue: s("1"), ApplyMethod: types.ApplyMethodImmediate},
		}}))
	kittest.Must(c.CreateDBInstance(ctx, &awsrds.CreateDBInstanceInput{
		DBInstanceIdentifier: s("prod-db"), DBInstanceClass: s("db.t3.micro"), Engine: s("postgres"),
		DBParameterGroupName: s("pg-tls"),
		MasterUsername:       s("dbowner"), MasterUserPassword: s("Sup3rSecret!pw"), AllocatedStorage: sdk.Int32(20),
		StorageEncrypted: sdk.Bool(true), MultiAZ: sdk.Bool(true), BackupRetentionPeriod: sdk.Int32(14),
		DeletionProtection: sdk.Bool(true), EnableIAMDatabaseAuthentication: sdk.Bool(true), CopyTagsToSnapshot: sdk.Bool(true),
		PubliclyAccessible: sdk.Bool(false), AutoMinorVersionUpgrade: sdk.Bool(true),
		EnableCloudwatchLogsExports: []string{"upgrade", "postgresql"},
		Tags:                        []types.Tag{{Key: s("env"), Value: s("prod")}},
	}))
	kittest.Must(c.CreateDBInstance(ctx, &awsrds.CreateDBInstanceInput{
		DBInstanceIdentifier: s("open-db"), DBInstanceClass: s("db.t3.micro"), Engine: s("mysql"),
		MasterUsername: s("admin"), MasterUserPassword: s("Sup3rSecret!pw"), AllocatedStorage: sdk.Int32(20),
		PubliclyAccessible: sdk.Bool(true), BackupRetentionPeriod: sdk.Int32(0), AutoMinorVersionUpgrade: sdk.Bool(false),
	}))
	kittest.Must(c.CreateDBCluster(ctx, &awsrds.CreateDBClusterInput{
		DBClusterIdentifier: s("aurora"), Engine: s("aurora-postgresql"), MasterUsername: s("admin"),
		MasterUserPassword: s("Sup3rSecret!pw"), StorageEncrypted: sdk.Bool(true), DeletionProtection: sdk.Bool(false),
		BackupRetentionPeriod: sdk.Int32(7),
	}))
	kittest.Must(c.CreateDBCluster(ctx, &awsrds.CreateDBClusterInput{
		DBClusterIdentifier: s("ledger"), Engine: s("aurora-mysql"), MasterUsername: s("admin"),
		MasterUserPassword: s("Sup3rSecret!pw"), BacktrackWindow: sdk.Int64(86400),
	}))
	kittest.Must(c.CreateEventSubscription(ctx, &awsrds.CreateEventSubscriptionInput{SubscriptionName: s("db-critical"),
		SnsTopicArn: s("arn:aws:sns:eu-west-1:" + m.Env.AccountID + ":rds-events"), SourceType: s("db-instance"),
		EventCategories: []string{"maintenance", "failure", "configuration change"}, Enabled: sdk.Bool(true)}))
	kittest.Must(c.CreateDBSnapshot(ctx, &awsrds.CreateDBSnapshotInput{DBInstanceIdentifier: s("open-db"), DBSnapshotIdentifier: s("public-snap")}))
	kittest.Must(c.ModifyDBSnapshotAttribute(ctx, &awsrds.ModifyDBSnapshotAttributeInput{DBSnapshotIdentifier: s("public-snap"),
		AttributeName: s("restore"), ValuesToAdd: []string{"all"}}))
	kittest.Must(c.CreateDBSnapshot(ctx, &awsrds.CreateDBSnapshotInput{DBInstanceIdentifier: s("prod-db"), DBSnapshotIdentifier: s("private-snap")}))
	kittest.Must(c.CreateDBClusterSnapshot(ctx, &awsrds.CreateDBClusterSnapshotInput{DBClusterIdentifier: s("aurora"), DBClusterSnapshotIdentifier: s("shared-csnap")}))
	kittest.Must(c.ModifyDBClusterSnapshotAttribute(ctx, &awsrds.ModifyDBClusterSnapshotAttributeInput{DBClusterSnapshotIdentifier: s("shared-csnap"),
		AttributeName: s("restore"), ValuesToAdd: []string{"444455556666"}}))

	snap := model.New(m.Env.AccountID, m.Env.Partition, []string{"eu-west-1"})
	if err := New().Collect(ctx, m.Env, "us-east-1", snap); err != nil {
		t.Fatalf("Collect: %v", err)
	}
	kittest.NoErrors(t, m.Env)
	if len(snap.RDS) != 1 || snap.RDS[0].Name != "eu-west-1" {
		t.Fatalf("regions = %+v", snap.RDS)
	}
	r := snap.RDS[0]
	acct := m.Env.AccountID

	insts := kittest.Known(t, "instances", r.Instances)
	if len(insts) != 2 || insts[0].ID != "open-db" || insts[1].ID != "prod-db" {
		t.Fatalf("instances = %+v", insts)
	}
	open, prod := insts[0], insts[1]
	if prod.ARN != "arn:aws:rds:eu-west-1:"+acct+":db:prod-db" || prod.Account != acct || prod.Region != "eu-west-1" || prod.Tags["env"] != "prod" {
		t.Errorf("prod meta = %+v", prod.Meta)
	}
	if prod.Engine != "postgres" || !prod.StorageEncrypted || !prod.MultiAZ || prod.BackupRetentionDays != 14 || !prod.DeletionProtection ||
		!prod.IAMAuth || !prod.CopyTagsToSnapshot || prod.PubliclyAccessible || !prod.AutoMinorVersionUpgrade ||
		strings.Join(prod.LogExports, ",") != "postgresql,upgrade" || prod.Port == 0 {
		t.Errorf("prod = %+v", prod)
	}
	if open.StorageEncrypted || !open.PubliclyAccessible || open.BackupRetentionDays != 0 || open.AutoMinorVersionUpgrade || open.DeletionProtection {
		t.Errorf("open = %+v", open)
	}

	if prod.MasterUsername != "dbowner" || open.MasterUsername != "admin" || strings.Join(prod.ParameterGroups, ",") != "pg-tls" {
		t.Errorf("master users / parameter groups: prod %q %v, open %q", prod.MasterUsername, prod.ParameterGroups, open.MasterUsername)
	}

	clusters := kittest.Known(t, "clusters", r.Clusters)
	if len(clusters) != 2 || clusters[0].ID != "aurora" || !clusters[0].StorageEncrypted || clusters[0].BackupRetentionDays != 7 ||
		clusters[0].Engine != "aurora-postgresql" || clusters[0].ARN != "arn:aws:rds:eu-west-1:"+acct+":cluster:aurora" ||
		clusters[0].MasterUsername != "admin" || clusters[0].BacktrackWindowSeconds != 0 {
		t.Errorf("clusters = %+v", clusters)
	}
	if l := clusters[1]; l.ID != "ledger" || l.BacktrackWindowSeconds != 86400 {
		t.Errorf("ledger = %+v", l)
	}

	subs := kittest.Known(t, "event subscriptions", r.EventSubscriptions)
	if len(subs) != 1 || subs[0].Name != "db-critical" || subs[0].SourceType != "db-instance" || !subs[0].Enabled ||
		strings.Join(subs[0].EventCategories, ",") != "configuration change,failure,maintenance" || subs[0].ARN == "" {
		t.Errorf("event subscriptions = %+v", subs)
	}

	groups := map[string]rdsm.ParameterGroup{}
	for _, g := range kittest.Known(t, "parameter groups", r.ParameterGroups) {
		groups[g.Name] = g
	}
	tls, ok := groups["pg-tls"]
	if !ok || tls.ARN != "arn:aws:rds:eu-west-1:"+acct+":pg:pg-tls" {
		t.Fatalf("parameter groups = %+v", groups)
	}
	// Only the watched parameters are kept: log_connections is not one.
	if p := kittest.Known(t, "pg-tls parameters", tls.Parameters); len(p) != 1 || p["rds.force_ssl"] != "1" {
		t.Errorf("pg-tls parameters = %v", p)
	}

	snaps := map[string]rdsm.Snapshot{}
	for _, x := range kittest.Known(t, "snapshots", r.Snapshots) {
		snaps[x.ID] = x
	}
	if pub, known := snaps["public-snap"].Public(); !known || !pub || snaps["public-snap"].SourceID != "open-db" || snaps["public-snap"].Type != "manual" {
		t.Errorf("public-snap = %+v", snaps["public-snap"])
	}
	if pub, known := snaps["private-snap"].Public(); !known || pub {
		t.Errorf("private-snap = %+v", snaps["private-snap"])
	}
	cs := kittest.Known(t, "cluster snapshots", r.ClusterSnapshots)
	var shared *rdsm.Snapshot
	for i := range cs {
		if cs[i].ID == "shared-csnap" {
			shared = &cs[i]
		}
	}
	if shared == nil {
		t.Fatalf("cluster snapshots = %+v", cs)
	}
	if accts := kittest.Known(t, "shared-csnap restore", shared.RestoreAccounts); strings.Join(accts, ",") != "444455556666" || !shared.Encrypted {
		t.Errorf("shared-csnap = %+v", shared)
	}
}

// denyAttrs fails the attribute reads, as a scanner role without
// rds:DescribeDBSnapshotAttributes would see.
type denyAttrs struct{ API }

func (denyAttrs) DescribeDBSnapshotAttributes(context.Context, *awsrds.DescribeDBSnapshotAttributesInput, ...func(*awsrds.Options)) (*awsrds.DescribeDBSnapshotAttributesOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "AccessDenied", Message: "no"}
}

type listOnly struct{}

func (listOnly) DescribeDBInstances(context.Context, *awsrds.DescribeDBInstancesInput, ...func(*awsrds.Options)) (*awsrds.DescribeDBInstancesOutput, error) {
	return &awsrds.DescribeDBInstancesOutput{}, nil
}
func (listOnly) DescribeDBClusters(context.Context, *awsrds.DescribeDBClustersInput, ...func(*awsrds.Options)) (*awsrds.DescribeDBClustersOutput, error) {
	return &awsrds.DescribeDBClustersOutput{}, nil
}
func (listOnly) DescribeDBSnapshots(context.Context, *awsrds.DescribeDBSnapshotsInput, ...func(*awsrds.Options)) (*awsrds.DescribeDBSnapshotsOutput, error) {
	return &awsrds.DescribeDBSnapshotsOutput{DBSnapshots: []types.DBSnapshot{
		{DBSnapshotIdentifier: sdk.String("m"), SnapshotType: sdk.String("manual")},
		{DBSnapshotIdentifier: sdk.String("rds:a"), SnapshotType: sdk.String("automated")},
	}}, nil
}
func (listOnly) DescribeDBClusterSnapshots(context.Context, *awsrds.DescribeDBClusterSnapshotsInput, ...func(*awsrds.Options)) (*awsrds.DescribeDBClusterSnapshotsOutput, error) {
	return &awsrds.DescribeDBClusterSnapshotsOutput{}, nil
}
func (listOnly) DescribeEventSubscriptions(context.Context, *awsrds.DescribeEventSubscriptionsInput, ...func(*awsrds.Options)) (*awsrds.DescribeEventSubscriptionsOutput, error) {
	return &awsrds.DescribeEventSubscriptionsOutput{}, nil
}
func (listOnly) DescribeDBParameters(context.Context, *awsrds.DescribeDBParametersInput, ...func(*awsrds.Options)) (*awsrds.DescribeDBParametersOutput, error) {
	panic("not called: listOnly has no instances")
}
func (listOnly) DescribeDBSnapshotAttributes(context.Context, *awsrds.DescribeDBSnapshotAttributesInput, ...func(*awsrds.Options)) (*awsrds.DescribeDBSnapshotAttributesOutput, error) {
	panic("replaced")
}
func (listOnly) DescribeDBClusterSnapshotAttributes(context.Context, *awsrds.DescribeDBClusterSnapshotAttributesInput, ...func(*awsrds.Options)) (*awsrds.DescribeDBClusterSnapshotAttributesOutput, error) {
	panic("not called")
}

// TestRestoreAttributeDenied: a manual snapshot whose sharing cannot be read
// is unknown, never "private"; automated snapshots cannot be shared.
func TestRestoreAttributeDenied(t *testing.T) {
	env := &aws.Env{AccountID: "111122223333", Partition: "aws"}
	r, err := CollectRegion(context.Background(), env, denyAttrs{listOnly{}}, "arn:aws-cn", "cn-north-1")
	if err != nil {
		t.Fatal(err)
	}
	snaps := kittest.Known(t, "snapshots", r.Snapshots)
	if len(snaps) != 2 || snaps[0].ID != "m" || snaps[0].ARN != "arn:aws-cn:rds:cn-north-1:111122223333:snapshot:m" {
		t.Fatalf("snapshots = %+v", snaps)
	}
	if _, known := snaps[0].Public(); known || !strings.HasPrefix(snaps[0].RestoreAccounts.Why(), "access denied (rds:DescribeDBSnapshotAttributes)") {
		t.Errorf("manual snapshot restore = %+v", snaps[0].RestoreAccounts)
	}
	if pub, known := snaps[1].Public(); !known || pub {
		t.Errorf("automated snapshot restore = %+v", snaps[1].RestoreAccounts)
	}
}

// settingsFake serves two instances sharing one parameter group and a
// third group that cannot be read, with the parameters over two pages as
// RDS pages them (about 100 a page); event subscriptions are denied.
type settingsFake struct {
	denyAttrs
	// The collector reads parameter groups concurrently: calls is guarded.
	mu    *sync.Mutex
	calls map[string]int
}

func (f settingsFake) DescribeDBInstances(context.Context, *awsrds.DescribeDBInstancesInput, ...func(*awsrds.Options)) (*awsrds.DescribeDBInstancesOutput, error) {
	inst := func(id string, groups ...string) types.DBInstance {
		var pgs []types.DBParameterGroupStatus
		for _, g := range groups {
			pgs = append(pgs, types.DBParameterGroupStatus{DBParameterGroupName: sdk.String(g), ParameterApplyStatus: sdk.String("in-sync")})
		}
		return types.DBInstance{DBInstanceIdentifier: sdk.String(id), Engine: sdk.String("mysql"), DBParameterGroups: pgs}
	}
	return &awsrds.DescribeDBInstancesOutput{DBInstances: []types.DBInstance{inst("a", "tls"), inst("b", "tls"), inst("c", "secret")}}, nil
}

func (f settingsFake) DescribeEventSubscriptions(context.Context, *awsrds.DescribeEventSubscriptionsInput, ...func(*awsrds.Options)) (*awsrds.DescribeEventSubscriptionsOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "AccessDenied", Message: "no"}
}

func (f settingsFake) DescribeDBParameters(_ context.Context, in *awsrds.DescribeDBParametersInput, _ ...func(*awsrds.Options)) (*awsrds.DescribeDBParametersOutput, error) {
	name := sdk.ToString(in.DBParameterGroupName)
	f.mu.Lock()
	f.calls[name+"/"+sdk.ToString(in.Marker)]++
	f.mu.Unlock()
	switch {
	case name == "secret":
		return nil, &smithy.GenericAPIError{Code: "AccessDenied", Message: "no"}
	case in.Marker == nil:
		return &awsrds.DescribeDBParametersOutput{Marker: sdk.String("p2"), Parameters: []types.Parameter{
			{ParameterName: sdk.String("autocommit"), ParameterValue: sdk.String("1")},
			// A watched parameter without a value keeps the engine default: absent.
			{ParameterName: sdk.String("rds.force_ssl")},
		}}, nil
	}
	return &awsrds.DescribeDBParametersOutput{Parameters: []types.Parameter{
		{ParameterName: sdk.String("require_secure_transport"), ParameterValue: sdk.String("ON")},
	}}, nil
}

// TestParameterGroupsAndSubscriptions: each attached group is read once and
// through every page; a group that cannot be read is unknown on its own; a
// denied subscription listing is unknown, never "no subscriptions".
func TestParameterGroupsAndSubscriptions(t *testing.T) {
	env := &aws.Env{AccountID: "111122223333", Partition: "aws"}
	f := settingsFake{denyAttrs: denyAttrs{listOnly{}}, mu: &sync.Mutex{}, calls: map[string]int{}}
	r, err := CollectRegion(context.Background(), env, f, "arn:aws", "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	if r.EventSubscriptions.Ok || !strings.HasPrefix(r.EventSubscriptions.Why(), "access denied (rds:DescribeEventSubscriptions)") {
		t.Errorf("event subscriptions = %+v", r.EventSubscriptions)
	}
	groups := kittest.Known(t, "parameter groups", r.ParameterGroups)
	if len(groups) != 2 || groups[0].Name != "secret" || groups[1].Name != "tls" ||
		groups[1].ARN != "arn:aws:rds:eu-west-1:111122223333:pg:tls" {
		t.Fatalf("groups = %+v", groups)
	}
	if groups[0].Parameters.Ok || !strings.HasPrefix(groups[0].Parameters.Why(), "access denied (rds:DescribeDBParameters)") {
		t.Errorf("secret = %+v", groups[0].Parameters)
	}
	if p := kittest.Known(t, "tls parameters", groups[1].Parameters); len(p) != 1 || p["require_secure_transport"] != "ON" {
		t.Errorf("tls parameters = %v", p)
	}
	if f.calls["tls/"] != 1 || f.calls["tls/p2"] != 1 {
		t.Errorf("calls = %v (each group once, every page)", f.calls)
	}
}

// denyInstances: without the instance list there is no knowing which
// parameter groups are in use.
type denyInstances struct{ denyAttrs }

func (denyInstances) DescribeDBInstances(context.Context, *awsrds.DescribeDBInstancesInput, ...func(*awsrds.Options)) (*awsrds.DescribeDBInstancesOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "AccessDenied", Message: "no"}
}

func TestParameterGroupsNeedInstances(t *testing.T) {
	env := &aws.Env{AccountID: "111122223333", Partition: "aws"}
	r, err := CollectRegion(context.Background(), env, denyInstances{denyAttrs{listOnly{}}}, "arn:aws", "eu-west-1")
	if err != nil {
		t.Fatal(err) // the other lists were read
	}
	if r.ParameterGroups.Ok || !strings.Contains(r.ParameterGroups.Why(), "DescribeDBInstances") {
		t.Errorf("parameter groups = %+v", r.ParameterGroups)
	}
	if subs := kittest.Known(t, "subscriptions", r.EventSubscriptions); len(subs) != 0 {
		t.Errorf("subscriptions = %+v", subs)
	}
}
