package checks

import (
	"strings"
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/rds"
)

// rdsCase runs one rule on the compliant world after mutate and wants the
// status of the result whose ARN ends in resource ("" = no result), and,
// when has is set, a message containing it.
type rdsCase struct {
	name, rule, resource string
	mutate               func(s *model.Snapshot)
	want                 Status
	has                  string
}

func runRDSCases(t *testing.T, cases []rdsCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := compliantSnapshot()
			c.mutate(s)
			var got Status
			var msg string
			for _, r := range ruleByID(t, c.rule).Check(s) {
				if strings.HasSuffix(r.ResourceARN, c.resource) {
					got, msg = r.Status, r.Message
				}
			}
			if got != c.want || !strings.Contains(msg, c.has) {
				t.Errorf("%s on %s: got %q (%s), want %q with %q", c.rule, c.resource, got, msg, c.want, c.has)
			}
		})
	}
}

// dbRegionES is the suffix of dbRegion's region-wide subscription result.
const dbRegionES = dbRegion + ":" + acct + ":es:*"

func subscriptions(s *model.Snapshot, subs ...rds.EventSubscription) {
	rdsRegion(s, dbRegion).EventSubscriptions = core.Known(subs)
}

// TestRDSEventSubscriptions follows RDS.19-22 as documented: an enabled
// subscription for the source type (or for every source) with the
// categories (or all categories) passes; a region without any subscription
// passes; subscriptions that exist but deliver nothing of the kind fail.
func TestRDSEventSubscriptions(t *testing.T) {
	sub := func(name, sourceType string, categories ...string) rds.EventSubscription {
		return rds.EventSubscription{Meta: core.Meta{ARN: rdsARN("es:" + name)}, Name: name, SourceType: sourceType,
			EventCategories: categories, Enabled: true, Status: "active"}
	}
	runRDSCases(t, []rdsCase{
		{"no subscriptions passes", "rds-event-subscription-cluster", dbRegionES,
			func(s *model.Snapshot) { subscriptions(s) }, Pass, "passes RDS.19 when none exist"},
		{"unreadable is unknown", "rds-event-subscription-instance", dbRegionES,
			func(s *model.Snapshot) {
				rdsRegion(s, dbRegion).EventSubscriptions = core.Unknown[[]rds.EventSubscription]("access denied (rds:DescribeEventSubscriptions)")
			}, Unknown, "access denied"},
		{"only another source type fails", "rds-event-subscription-cluster", dbRegionES,
			func(s *model.Snapshot) { subscriptions(s, sub("db", "db-instance", "maintenance", "failure")) }, Fail, "db: source type db-instance"},
		{"every source, every category passes", "rds-event-subscription-security-group", "es:all",
			func(s *model.Snapshot) { subscriptions(s, sub("all", "")) }, Pass, "all categories"},
		{"all categories of the type passes", "rds-event-subscription-instance", "es:db",
			func(s *model.Snapshot) { subscriptions(s, sub("db", "db-instance")) }, Pass, ""},
		{"one category short fails", "rds-event-subscription-instance", dbRegionES,
			func(s *model.Snapshot) { subscriptions(s, sub("db", "db-instance", "maintenance", "failure")) }, Fail, "missing configuration change"},
		{"disabled fails", "rds-event-subscription-parameter-group", dbRegionES,
			func(s *model.Snapshot) {
				x := sub("pg", "db-parameter-group", "configuration change")
				x.Enabled = false
				subscriptions(s, x)
			}, Fail, "pg: disabled"},
		{"missing SNS permission fails", "rds-event-subscription-cluster", dbRegionES,
			func(s *model.Snapshot) {
				x := sub("c", "db-cluster", "maintenance", "failure")
				x.Status = "no-permission"
				subscriptions(s, x)
			}, Fail, "status no-permission"},
		{"one good subscription among others passes", "rds-event-subscription-cluster", "es:c2",
			func(s *model.Snapshot) {
				subscriptions(s, sub("c1", "db-cluster", "maintenance"), sub("c2", "db-cluster", "Failure", "Maintenance", "deletion"))
			}, Pass, ""},
		{"scoped to some sources still counts", "rds-event-subscription-cluster", "es:c",
			func(s *model.Snapshot) {
				x := sub("c", "db-cluster", "maintenance", "failure")
				x.SourceIDs = []string{"analytics"}
				subscriptions(s, x)
			}, Pass, "sources analytics"},
		{"other region without subscriptions passes", "rds-event-subscription-security-group", "us-east-1:" + acct + ":es:*",
			func(*model.Snapshot) {}, Pass, ""},
	})
}

func TestRDSAdminUsernames(t *testing.T) {
	runRDSCases(t, []rdsCase{
		{"default name in another case fails", "rds-instance-custom-admin-username", "db:app",
			func(s *model.Snapshot) { dbInstance(s, "app").MasterUsername = "Postgres" }, Fail, `"Postgres"`},
		{"unreported name is unknown", "rds-instance-custom-admin-username", "db:app",
			func(s *model.Snapshot) { dbInstance(s, "app").MasterUsername = "" }, Unknown, "not reported"},
		{"member judged by its cluster", "rds-instance-custom-admin-username", "db:analytics-1",
			func(s *model.Snapshot) { dbCluster(s).MasterUsername = "admin" }, Fail, "its cluster analytics's"},
		{"member with unknown cluster is unknown", "rds-instance-custom-admin-username", "db:analytics-1",
			func(s *model.Snapshot) { rdsRegion(s, dbRegion).Clusters = core.Unknown[[]rds.Cluster]("denied") }, Unknown, "is unknown"},
		{"member reporting its own name", "rds-instance-custom-admin-username", "db:analytics-1",
			func(s *model.Snapshot) { dbInstance(s, "analytics-1").MasterUsername = "admin" }, Fail, ""},
		{"neptune instance not judged", "rds-instance-custom-admin-username", "db:app",
			func(s *model.Snapshot) {
				i := dbInstance(s, "app")
				i.Engine, i.MasterUsername = "neptune", "admin"
			}, "", ""},
		{"docdb cluster not judged", "rds-cluster-custom-admin-username", "cluster:analytics",
			func(s *model.Snapshot) {
				c := dbCluster(s)
				c.Engine, c.MasterUsername = "docdb", "admin"
			}, "", ""},
		{"multi-az cluster judged", "rds-cluster-custom-admin-username", "cluster:maz",
			func(s *model.Snapshot) { dbClusterNamed(s, "maz").MasterUsername = "admin" }, Fail, ""},
	})
}

func TestRDSBacktracking(t *testing.T) {
	runRDSCases(t, []rdsCase{
		{"aurora postgresql not judged", "rds-aurora-mysql-backtracking", "cluster:analytics", func(*model.Snapshot) {}, "", ""},
		{"legacy aurora (MySQL 5.6) judged", "rds-aurora-mysql-backtracking", "cluster:ledger",
			func(s *model.Snapshot) {
				c := dbClusterNamed(s, "ledger")
				c.Engine, c.BacktrackWindowSeconds = "aurora", 0
			}, Fail, "backtracking disabled"},
		{"deleting cluster not judged", "rds-aurora-mysql-backtracking", "cluster:ledger",
			func(s *model.Snapshot) {
				c := dbClusterNamed(s, "ledger")
				c.Status, c.BacktrackWindowSeconds = "deleting", 0
			}, "", ""},
	})
}

// TestRDSTLSParameters: the value the parameter group sets wins; a group
// that sets nothing gets the engine version's default; anything not read
// is UNKNOWN, never PASS.
func TestRDSTLSParameters(t *testing.T) {
	pg := func(s *model.Snapshot, params map[string]string) {
		dbParameterGroup(s, "app-pg").Parameters = core.Known(params)
	}
	app := func(s *model.Snapshot, version string, params map[string]string) {
		dbInstance(s, "app").EngineVersion = version
		pg(s, params)
	}
	mysql := func(s *model.Snapshot, version string, params map[string]string) {
		dbInstance(s, "orders").EngineVersion = version
		dbParameterGroup(s, "orders-mysql").Parameters = core.Known(params)
	}
	runRDSCases(t, []rdsCase{
		{"postgres 16 default is on", "rds-postgres-ssl-required", "db:app",
			func(s *model.Snapshot) { app(s, "16.4", map[string]string{}) }, Pass, "on from PostgreSQL 15"},
		{"postgres 15.2 default is on", "rds-postgres-ssl-required", "db:app",
			func(s *model.Snapshot) { app(s, "15.2", map[string]string{}) }, Pass, ""},
		{"postgres 14 default is off", "rds-postgres-ssl-required", "db:app",
			func(s *model.Snapshot) { app(s, "14.9", map[string]string{}) }, Fail, "off for PostgreSQL 14.9"},
		{"postgres 16 turned off", "rds-postgres-ssl-required", "db:app",
			func(s *model.Snapshot) { app(s, "16.4", map[string]string{"rds.force_ssl": "0"}) }, Fail, "rds.force_ssl=0"},
		{"postgres 13 turned on", "rds-postgres-ssl-required", "db:app",
			func(s *model.Snapshot) { app(s, "13.12", map[string]string{"rds.force_ssl": "1"}) }, Pass, "rds.force_ssl=1"},
		{"unparseable version with default is unknown", "rds-postgres-ssl-required", "db:app",
			func(s *model.Snapshot) { app(s, "", map[string]string{}) }, Unknown, "not understood"},
		{"odd value is unknown", "rds-postgres-ssl-required", "db:app",
			func(s *model.Snapshot) { pg(s, map[string]string{"rds.force_ssl": "maybe"}) }, Unknown, "neither on nor off"},
		{"group parameters unreadable", "rds-postgres-ssl-required", "db:app",
			func(s *model.Snapshot) {
				dbParameterGroup(s, "app-pg").Parameters = core.Unknown[map[string]string]("access denied (rds:DescribeDBParameters)")
			}, Unknown, "access denied"},
		{"groups not collected", "rds-postgres-ssl-required", "db:app",
			func(s *model.Snapshot) {
				rdsRegion(s, dbRegion).ParameterGroups = core.Unknown[[]rds.ParameterGroup]("not collected")
			}, Unknown, "was not read"},
		{"group missing from the list", "rds-postgres-ssl-required", "db:app",
			func(s *model.Snapshot) { dbInstance(s, "app").ParameterGroups = []string{"other"} }, Unknown, "other was not read"},
		{"no group reported", "rds-postgres-ssl-required", "db:app",
			func(s *model.Snapshot) { dbInstance(s, "app").ParameterGroups = nil }, Unknown, "no DB parameter group"},
		{"a second group that turns it off fails", "rds-postgres-ssl-required", "db:app",
			func(s *model.Snapshot) {
				r := rdsRegion(s, dbRegion)
				r.ParameterGroups.V = append(r.ParameterGroups.V, rds.ParameterGroup{Name: "legacy", Parameters: core.Known(map[string]string{"rds.force_ssl": "0"})})
				dbInstance(s, "app").ParameterGroups = []string{"app-pg", "legacy"}
			}, Fail, "legacy"},
		{"multi-az cluster member not judged", "rds-postgres-ssl-required", "db:app",
			func(s *model.Snapshot) {
				i := dbInstance(s, "app")
				i.ClusterID = "maz"
				pg(s, map[string]string{"rds.force_ssl": "0"})
			}, "", ""},
		{"aurora postgres not judged", "rds-postgres-ssl-required", "db:analytics-1", func(*model.Snapshot) {}, "", ""},
		{"mysql 8.0 default is off", "rds-mysql-ssl-required", "db:orders",
			func(s *model.Snapshot) { mysql(s, "8.0.39", map[string]string{}) }, Fail, "off for MySQL 8.0.39"},
		{"mysql 8.4 default is off", "rds-mysql-ssl-required", "db:orders",
			func(s *model.Snapshot) { mysql(s, "8.4.3", map[string]string{}) }, Fail, ""},
		{"mysql 9.7 default is on", "rds-mysql-ssl-required", "db:orders",
			func(s *model.Snapshot) { mysql(s, "9.7.0", map[string]string{}) }, Pass, "on from MySQL 9.7"},
		{"mysql ON spelled out", "rds-mysql-ssl-required", "db:orders",
			func(s *model.Snapshot) { mysql(s, "8.0.39", map[string]string{"require_secure_transport": "ON"}) }, Pass, ""},
		{"mysql OFF spelled out", "rds-mysql-ssl-required", "db:orders",
			func(s *model.Snapshot) { mysql(s, "9.7.1", map[string]string{"require_secure_transport": "OFF"}) }, Fail, ""},
		{"mariadb not judged by RDS.39", "rds-mysql-ssl-required", "db:orders",
			func(s *model.Snapshot) { dbInstance(s, "orders").Engine = "mariadb" }, "", ""},
	})
}

func TestRDSEngineVersion(t *testing.T) {
	for _, c := range []struct {
		in           string
		major, minor int
		ok           bool
	}{{"15.4", 15, 4, true}, {"8.0.35", 8, 0, true}, {"16.4-R2", 16, 4, true}, {"9", 9, 0, true}, {"", 0, 0, false}, {"v15", 0, 0, false}} {
		if major, minor, ok := rdsEngineVersion(c.in); major != c.major || minor != c.minor || ok != c.ok {
			t.Errorf("rdsEngineVersion(%q) = %d, %d, %v", c.in, major, minor, ok)
		}
	}
}
