package checks

import (
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/rds"
)

// The compliant world's databases live in dbRegion: standalone PostgreSQL
// ("app") and MySQL ("orders") instances with TLS-only parameter groups, an
// Aurora PostgreSQL cluster "analytics" with one member instance, and event
// subscriptions for the four critical source types.
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
		MasterUsername: "app_owner", ParameterGroups: []string{"app-pg"},
	}
}

// compliantMySQLInstance is "app" on MySQL 8.0, whose default leaves
// require_secure_transport off: its group turns it on.
func compliantMySQLInstance() rds.Instance {
	i := compliantDBInstance()
	i.Meta.ARN, i.ID, i.Engine, i.EngineVersion, i.Port = rdsARN("db:orders"), "orders", "mysql", "8.0.39", 3307
	i.LogExports = []string{"audit", "error", "general", "slowquery"}
	i.MasterUsername, i.ParameterGroups = "orders_owner", []string{"orders-mysql"}
	return i
}

func compliantParameterGroups() []rds.ParameterGroup {
	group := func(name string, params map[string]string) rds.ParameterGroup {
		return rds.ParameterGroup{Meta: core.Meta{ARN: rdsARN("pg:" + name), Account: acct, Region: dbRegion}, Name: name,
			Parameters: core.Known(params)}
	}
	return []rds.ParameterGroup{
		group("app-pg", map[string]string{"rds.force_ssl": "1"}),
		group("default.aurora-postgresql16", map[string]string{}),
		group("orders-mysql", map[string]string{"require_secure_transport": "1"}),
	}
}

// compliantEventSubscriptions deliver the critical categories of the four
// source types FSBP RDS.19-22 name, each in its own way: chosen
// categories, all categories.
func compliantEventSubscriptions() []rds.EventSubscription {
	sub := func(name, sourceType string, categories ...string) rds.EventSubscription {
		return rds.EventSubscription{Meta: core.Meta{ARN: rdsARN("es:" + name), Account: acct, Region: dbRegion}, Name: name,
			SNSTopicARN: "arn:aws:sns:" + dbRegion + ":" + acct + ":rds-events", SourceType: sourceType, EventCategories: categories,
			Enabled: true, Status: "active"}
	}
	return []rds.EventSubscription{
		sub("cluster-critical", "db-cluster", "failure", "maintenance"),
		sub("db-critical", "db-instance", "availability", "configuration change", "failure", "maintenance"),
		sub("pg-changes", "db-parameter-group", "configuration change"),
		sub("sg-all", "db-security-group"),
	}
}

func compliantAuroraMember() rds.Instance {
	return rds.Instance{
		Meta: core.Meta{ARN: rdsARN("db:analytics-1"), Account: acct, Region: dbRegion},
		ID:   "analytics-1", Engine: "aurora-postgresql", EngineVersion: "16.4", Class: "db.r6g.large", Status: "available",
		ClusterID: "analytics", StorageEncrypted: true, AutoMinorVersionUpgrade: true, IAMAuth: true, Port: 5432, VPCID: "vpc-1",
		MonitoringInterval: 30, BackupRetentionDays: 1, ParameterGroups: []string{"default.aurora-postgresql16"},
	}
}

func compliantAuroraCluster() rds.Cluster {
	return rds.Cluster{
		Meta: core.Meta{ARN: rdsARN("cluster:analytics"), Account: acct, Region: dbRegion},
		ID:   "analytics", Engine: "aurora-postgresql", EngineVersion: "16.4", Status: "available",
		StorageEncrypted: true, MultiAZ: true, AvailabilityZones: []string{dbRegion + "a", dbRegion + "b"},
		BackupRetentionDays: 7, DeletionProtection: true, IAMAuth: true, CopyTagsToSnapshot: true, Port: 5433,
		LogExports: []string{"postgresql"}, Members: []rds.ClusterMember{{InstanceID: "analytics-1", Writer: true}},
		MasterUsername: "analytics_owner",
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
	ledger.BacktrackWindowSeconds, ledger.MasterUsername = 86400, "ledger_owner"
	maz.Meta.ARN, maz.ID, maz.Engine, maz.Port = rdsARN("cluster:maz"), "maz", "postgres", 5434
	maz.AutoMinorVersionUpgrade, maz.MasterUsername = true, "maz_owner"
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
	// Regions created by other helpers lack the lists only this file fills.
	for i := range s.RDS {
		if !s.RDS[i].EventSubscriptions.Ok {
			s.RDS[i].EventSubscriptions = core.Known([]rds.EventSubscription{})
		}
		if !s.RDS[i].ParameterGroups.Ok {
			s.RDS[i].ParameterGroups = core.Known([]rds.ParameterGroup{})
		}
	}
	r := rdsRegion(s, dbRegion)
	r.Instances = core.Known(append(r.Instances.V, compliantDBInstance(), compliantAuroraMember(), compliantMySQLInstance()))
	r.ParameterGroups = core.Known(append(r.ParameterGroups.V, compliantParameterGroups()...))
	r.EventSubscriptions = core.Known(append(r.EventSubscriptions.V, compliantEventSubscriptions()...))
	r.Clusters = core.Known(append(append(r.Clusters.V, compliantAuroraCluster()), compliantOtherClusters()...))
	r.ClusterSnapshots = core.Known(append(r.ClusterSnapshots.V, rds.Snapshot{
		Meta: core.Meta{ARN: rdsARN("cluster-snapshot:analytics-weekly"), Account: acct, Region: dbRegion}, ID: "analytics-weekly",
		SourceID: "analytics", Engine: "aurora-postgresql", Type: "manual", Status: "available", Encrypted: true,
		RestoreAccounts: core.Known([]string{}),
	}))
}

// inDBRegion returns the element of one of dbRegion's lists named id.
func inDBRegion[T any](s *model.Snapshot, list func(*rds.Region) []T, name func(T) string, id string) *T {
	items := list(rdsRegion(s, dbRegion))
	for i := range items {
		if name(items[i]) == id {
			return &items[i]
		}
	}
	panic("no RDS resource " + id + " in " + dbRegion)
}

func dbInstance(s *model.Snapshot, id string) *rds.Instance {
	return inDBRegion(s, func(r *rds.Region) []rds.Instance { return r.Instances.V }, func(i rds.Instance) string { return i.ID }, id)
}

func dbCluster(s *model.Snapshot) *rds.Cluster { return dbClusterNamed(s, "analytics") }

func dbClusterNamed(s *model.Snapshot, id string) *rds.Cluster {
	return inDBRegion(s, func(r *rds.Region) []rds.Cluster { return r.Clusters.V }, func(c rds.Cluster) string { return c.ID }, id)
}

func dbSubscription(s *model.Snapshot, name string) *rds.EventSubscription {
	return inDBRegion(s, func(r *rds.Region) []rds.EventSubscription { return r.EventSubscriptions.V },
		func(e rds.EventSubscription) string { return e.Name }, name)
}

func dbParameterGroup(s *model.Snapshot, name string) *rds.ParameterGroup {
	return inDBRegion(s, func(r *rds.Region) []rds.ParameterGroup { return r.ParameterGroups.V },
		func(g rds.ParameterGroup) string { return g.Name }, name)
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
		"rds-aurora-mysql-backtracking":  failWhen(func(s *model.Snapshot) { dbClusterNamed(s, "ledger").BacktrackWindowSeconds = 0 }),
		"rds-event-subscription-cluster": failWhen(func(s *model.Snapshot) {
			dbSubscription(s, "cluster-critical").EventCategories = []string{"maintenance"}
		}),
		"rds-event-subscription-instance":        failWhen(func(s *model.Snapshot) { dbSubscription(s, "db-critical").Enabled = false }),
		"rds-event-subscription-parameter-group": failWhen(func(s *model.Snapshot) { dbSubscription(s, "pg-changes").Status = "topic-not-exist" }),
		"rds-event-subscription-security-group": failWhen(func(s *model.Snapshot) {
			dbSubscription(s, "sg-all").EventCategories = []string{"configuration change"}
		}),
		"rds-cluster-custom-admin-username":  cluster(func(c *rds.Cluster) { c.MasterUsername = "postgres" }),
		"rds-instance-custom-admin-username": app(func(i *rds.Instance) { i.MasterUsername = "admin" }),
		"rds-postgres-ssl-required": failWhen(func(s *model.Snapshot) {
			dbParameterGroup(s, "app-pg").Parameters = core.Known(map[string]string{"rds.force_ssl": "0"})
		}),
		"rds-mysql-ssl-required": failWhen(func(s *model.Snapshot) {
			dbParameterGroup(s, "orders-mysql").Parameters = core.Known(map[string]string{})
		}),
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
