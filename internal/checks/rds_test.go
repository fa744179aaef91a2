package checks

import (
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/rds"
)

// The compliant world's databases live in dbRegion: a standalone
// PostgreSQL instance "app", and an Aurora PostgreSQL cluster "analytics"
// with one member instance.
const dbRegion = "eu-west-1"

func rdsARN(res string) string { return "arn:aws:rds:" + dbRegion + ":" + acct + ":" + res }

func compliantDBInstance() rds.Instance {
	return rds.Instance{
		Meta: core.Meta{ARN: rdsARN("db:app"), Account: acct, Region: dbRegion, Tags: map[string]string{"backup": "daily"}},
		ID:   "app", Engine: "postgres", EngineVersion: "16.4", Class: "db.m6g.large", Status: "available",
		StorageEncrypted: true, KMSKeyID: "arn:aws:kms:" + dbRegion + ":" + acct + ":key/db", MultiAZ: true,
		AvailabilityZone: dbRegion + "a", SecondaryAZ: dbRegion + "b", BackupRetentionDays: 14, AutoMinorVersionUpgrade: true,
		IAMAuth: true, DeletionProtection: true, CopyTagsToSnapshot: true, Port: 5532, VPCID: "vpc-1",
		SubnetIDs: []string{"subnet-1", "subnet-2"}, SecurityGroupIDs: []string{"sg-web"},
		LogExports: []string{"postgresql", "upgrade"}, MonitoringInterval: 60, CreateTime: agoP(300),
	}
}

func compliantAuroraMember() rds.Instance {
	return rds.Instance{
		Meta: core.Meta{ARN: rdsARN("db:analytics-1"), Account: acct, Region: dbRegion},
		ID:   "analytics-1", Engine: "aurora-postgresql", EngineVersion: "16.4", Class: "db.r6g.large", Status: "available",
		ClusterID: "analytics", StorageEncrypted: true, AutoMinorVersionUpgrade: true, IAMAuth: true, Port: 5432, VPCID: "vpc-1",
		MonitoringInterval: 30, BackupRetentionDays: 1,
	}
}

func compliantAuroraCluster() rds.Cluster {
	return rds.Cluster{
		Meta: core.Meta{ARN: rdsARN("cluster:analytics"), Account: acct, Region: dbRegion},
		ID:   "analytics", Engine: "aurora-postgresql", EngineVersion: "16.4", Status: "available",
		StorageEncrypted: true, MultiAZ: true, AvailabilityZones: []string{dbRegion + "a", dbRegion + "b"},
		BackupRetentionDays: 7, DeletionProtection: true, IAMAuth: true, CopyTagsToSnapshot: true, Port: 5433,
		LogExports: []string{"postgresql"}, Members: []rds.ClusterMember{{InstanceID: "analytics-1", Writer: true}},
	}
}

// compliantOtherClusters are an Aurora MySQL cluster and a Multi-AZ DB
// cluster (PostgreSQL engine), for the engine-specific cluster rules.
func compliantOtherClusters() []rds.Cluster {
	base := compliantAuroraCluster()
	base.Members = nil
	ledger, maz := base, base
	ledger.Meta.ARN, ledger.ID, ledger.Engine, ledger.Port = rdsARN("cluster:ledger"), "ledger", "aurora-mysql", 3307
	ledger.LogExports = []string{"audit", "error", "general", "slowquery"}
	maz.Meta.ARN, maz.ID, maz.Engine, maz.Port = rdsARN("cluster:maz"), "maz", "postgres", 5434
	maz.AutoMinorVersionUpgrade = true
	return []rds.Cluster{ledger, maz}
}

// addCompliantDatabases puts the sample databases into the world, creating
// the region's RDS element when no other helper did.
func addCompliantDatabases(s *model.Snapshot) {
	for _, r := range testRegions {
		if rdsRegion(s, r) == nil {
			s.RDS = append(s.RDS, rds.Region{Name: r, Instances: core.Known([]rds.Instance{}), Clusters: core.Known([]rds.Cluster{}),
				Snapshots: core.Known([]rds.Snapshot{}), ClusterSnapshots: core.Known([]rds.Snapshot{})})
		}
	}
	r := rdsRegion(s, dbRegion)
	r.Instances = core.Known(append(r.Instances.V, compliantDBInstance(), compliantAuroraMember()))
	r.Clusters = core.Known(append(append(r.Clusters.V, compliantAuroraCluster()), compliantOtherClusters()...))
	r.ClusterSnapshots = core.Known(append(r.ClusterSnapshots.V, rds.Snapshot{
		Meta: core.Meta{ARN: rdsARN("cluster-snapshot:analytics-weekly"), Account: acct, Region: dbRegion}, ID: "analytics-weekly",
		SourceID: "analytics", Engine: "aurora-postgresql", Type: "manual", Status: "available", Encrypted: true,
		RestoreAccounts: core.Known([]string{}),
	}))
}

func dbInstance(s *model.Snapshot, id string) *rds.Instance {
	r := rdsRegion(s, dbRegion)
	for i := range r.Instances.V {
		if r.Instances.V[i].ID == id {
			return &r.Instances.V[i]
		}
	}
	panic("no DB instance " + id)
}

func dbCluster(s *model.Snapshot) *rds.Cluster { return dbClusterNamed(s, "analytics") }

func dbClusterNamed(s *model.Snapshot, id string) *rds.Cluster {
	r := rdsRegion(s, dbRegion)
	for i := range r.Clusters.V {
		if r.Clusters.V[i].ID == id {
			return &r.Clusters.V[i]
		}
	}
	panic("no DB cluster " + id)
}

func rdsFixtures() map[string]fixture {
	app := func(f func(i *rds.Instance)) fixture {
		return failWhen(func(s *model.Snapshot) { f(dbInstance(s, "app")) })
	}
	cluster := func(f func(c *rds.Cluster)) fixture {
		return failWhen(func(s *model.Snapshot) { f(dbCluster(s)) })
	}
	return map[string]fixture{
		"rds-instance-encrypted":              app(func(i *rds.Instance) { i.StorageEncrypted = false }),
		"rds-instance-auto-minor-upgrade":     app(func(i *rds.Instance) { i.AutoMinorVersionUpgrade = false }),
		"rds-instance-not-public":             app(func(i *rds.Instance) { i.PubliclyAccessible = true }),
		"rds-instance-multi-az":               app(func(i *rds.Instance) { i.MultiAZ = false }),
		"rds-cluster-multi-az":                cluster(func(c *rds.Cluster) { c.MultiAZ = false }),
		"rds-cluster-encrypted":               cluster(func(c *rds.Cluster) { c.StorageEncrypted = false }),
		"rds-instance-enhanced-monitoring":    app(func(i *rds.Instance) { i.MonitoringInterval = 0 }),
		"rds-cluster-deletion-protection":     cluster(func(c *rds.Cluster) { c.DeletionProtection = false }),
		"rds-instance-deletion-protection":    app(func(i *rds.Instance) { i.DeletionProtection = false }),
		"rds-instance-logs-exported":          app(func(i *rds.Instance) { i.LogExports = []string{"postgresql"} }),
		"rds-instance-iam-auth":               app(func(i *rds.Instance) { i.IAMAuth = false }),
		"rds-cluster-iam-auth":                cluster(func(c *rds.Cluster) { c.IAMAuth = false }),
		"rds-instance-backups-enabled":        cluster(func(c *rds.Cluster) { c.BackupRetentionDays = 1 }),
		"rds-cluster-copy-tags-to-snapshots":  cluster(func(c *rds.Cluster) { c.CopyTagsToSnapshot = false }),
		"rds-instance-copy-tags-to-snapshots": app(func(i *rds.Instance) { i.CopyTagsToSnapshot = false }),
		"rds-instance-in-vpc":                 app(func(i *rds.Instance) { i.VPCID = "" }),
		"rds-no-default-port":                 app(func(i *rds.Instance) { i.Port = 5432 }),
		"rds-postgres-logs-exported":          app(func(i *rds.Instance) { i.LogExports = []string{"upgrade"} }),
		"rds-aurora-postgres-logs-exported":   cluster(func(c *rds.Cluster) { c.LogExports = nil }),
		"rds-snapshot-encrypted": failWhen(func(s *model.Snapshot) {
			rdsRegion(s, dbRegion).ClusterSnapshots.V[0].Encrypted = false
		}),
		"rds-aurora-mysql-audit-logs": failWhen(func(s *model.Snapshot) {
			dbClusterNamed(s, "ledger").LogExports = []string{"error", "slowquery"}
		}),
		"rds-cluster-auto-minor-upgrade": failWhen(func(s *model.Snapshot) { dbClusterNamed(s, "maz").AutoMinorVersionUpgrade = false }),
	}
}

func TestRDSScoping(t *testing.T) {
	rule := func(id string) Rule {
		for _, r := range All() {
			if r.ID == id {
				return r
			}
		}
		t.Fatalf("no rule %s", id)
		return Rule{}
	}
	statusOf := func(res []Result, arnSuffix string) Status {
		for _, r := range res {
			if len(r.ResourceARN) >= len(arnSuffix) && r.ResourceARN[len(r.ResourceARN)-len(arnSuffix):] == arnSuffix {
				return r.Status
			}
		}
		return ""
	}
	cases := []struct {
		name, rule, resource string
		mutate               func(s *model.Snapshot)
		want                 Status
	}{
		// Aurora members are judged through the cluster, not on their own.
		{"aurora member not multi-az itself", "rds-instance-multi-az", "db:analytics-1", func(*model.Snapshot) {}, ""},
		{"aurora member backups via cluster", "rds-instance-backups-enabled", "db:analytics-1", func(*model.Snapshot) {}, Pass},
		{"aurora member logs via cluster", "rds-instance-logs-exported", "db:analytics-1", func(*model.Snapshot) {}, Pass},
		{"aurora member logs, cluster unknown", "rds-instance-logs-exported", "db:analytics-1", func(s *model.Snapshot) {
			rdsRegion(s, dbRegion).Clusters = core.Unknown[[]rds.Cluster]("denied")
		}, Unknown},
		{"aurora member default port not judged", "rds-no-default-port", "db:analytics-1", func(*model.Snapshot) {}, ""},
		{"aurora engine not in RDS.8 list", "rds-instance-deletion-protection", "db:analytics-1", func(*model.Snapshot) {}, ""},
		{"stopped instance not in RDS.10 scope", "rds-instance-iam-auth", "db:app", func(s *model.Snapshot) {
			i := dbInstance(s, "app")
			i.Status, i.IAMAuth = "stopped", false
		}, ""},
		{"backups disabled", "rds-instance-backups-enabled", "db:app", func(s *model.Snapshot) { dbInstance(s, "app").BackupRetentionDays = 0 }, Fail},
		{"backups 6 days", "rds-instance-backups-enabled", "db:app", func(s *model.Snapshot) { dbInstance(s, "app").BackupRetentionDays = 6 }, Fail},
		{"oracle logs", "rds-instance-logs-exported", "db:app", func(s *model.Snapshot) {
			i := dbInstance(s, "app")
			i.Engine, i.LogExports = "oracle-ee", []string{"alert", "audit", "trace", "listener"}
		}, Pass},
		{"sqlserver without agent log", "rds-instance-logs-exported", "db:app", func(s *model.Snapshot) {
			i := dbInstance(s, "app")
			i.Engine, i.LogExports = "sqlserver-se", []string{"error"}
		}, Fail},
		{"mysql default port", "rds-no-default-port", "db:app", func(s *model.Snapshot) {
			i := dbInstance(s, "app")
			i.Engine, i.Port = "mysql", 3306
		}, Fail},
		{"cluster default port", "rds-no-default-port", "cluster:analytics", func(s *model.Snapshot) { dbCluster(s).Port = 5432 }, Fail},
		{"deleting instance not judged", "rds-instance-encrypted", "db:app", func(s *model.Snapshot) {
			i := dbInstance(s, "app")
			i.Status, i.StorageEncrypted = "deleting", false
		}, ""},
		{"instances unreadable", "rds-instance-not-public", "db:*", func(s *model.Snapshot) {
			rdsRegion(s, dbRegion).Instances = core.Unknown[[]rds.Instance]("access denied")
		}, Unknown},
		{"snapshots unreadable", "rds-snapshot-encrypted", "snapshot:*", func(s *model.Snapshot) {
			rdsRegion(s, dbRegion).Snapshots = core.Unknown[[]rds.Snapshot]("access denied")
		}, Unknown},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := compliantSnapshot()
			c.mutate(s)
			if got := statusOf(rule(c.rule).Check(s), c.resource); got != c.want {
				t.Errorf("%s on %s: got %q, want %q", c.rule, c.resource, got, c.want)
			}
		})
	}
}
