package checks

import (
	"sort"
	"strconv"
	"strings"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/rds"
)

// RDS rules: CIS 2.2 and the FSBP RDS controls the snapshot has data for.
// Security Hub's scoping is followed control by control (which engines,
// whether Aurora cluster members are judged on their own), as documented at
// https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html

func rdsRules() []Rule {
	const guide = "https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html"
	return append([]Rule{
		{
			ID:             "rds-instance-encrypted",
			Title:          "RDS DB instances are encrypted at rest",
			Service:        "rds",
			Severity:       Medium,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{CIS50: {"2.2.1"}, FSBP: {"RDS.3"}},
			Description:    "Storage encryption covers the instance's storage, automated backups, read replicas and snapshots. It can only be chosen at creation.",
			Remediation: "Encryption cannot be turned on in place: snapshot the instance, copy the snapshot with a KMS key, restore from the copy:\n" +
				"  aws rds create-db-snapshot --db-instance-identifier DB --db-snapshot-identifier DB-plain\n" +
				"  aws rds copy-db-snapshot --source-db-snapshot-identifier DB-plain --target-db-snapshot-identifier DB-enc --kms-key-id KEY\n" +
				"  aws rds restore-db-instance-from-db-snapshot --db-instance-identifier DB-new --db-snapshot-identifier DB-enc\n" +
				"Terraform: resource \"aws_db_instance\" \"db\" { storage_encrypted = true, kms_key_id = aws_kms_key.db.arn }",
			Links: []string{"https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html", guide + "#rds-3"},
			Check: eachRDSInstance(anyRDSInstance, func(i rds.Instance) (bool, string, string) {
				return i.StorageEncrypted, "is encrypted at rest", "is not encrypted at rest"
			}),
		},
		{
			ID:             "rds-instance-auto-minor-upgrade",
			Title:          "RDS DB instances have automatic minor version upgrades enabled",
			Service:        "rds",
			Severity:       High,
			Responsibility: LayerGuestOS,
			Frameworks:     map[string][]string{CIS50: {"2.2.2"}, FSBP: {"RDS.13"}},
			Description:    "Minor engine versions carry security fixes; with automatic upgrades RDS applies them in the maintenance window. For Aurora the cluster setting must be on as well.",
			Remediation: "  aws rds modify-db-instance --db-instance-identifier DB --auto-minor-version-upgrade --apply-immediately\n" +
				"Terraform: resource \"aws_db_instance\" \"db\" { auto_minor_version_upgrade = true }",
			Links: []string{"https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_UpgradeDBInstance.Maintenance.html", guide + "#rds-13"},
			Check: eachRDSInstance(anyRDSInstance, func(i rds.Instance) (bool, string, string) {
				return i.AutoMinorVersionUpgrade, "upgrades minor versions automatically", "has automatic minor version upgrades disabled"
			}),
		},
		{
			ID:             "rds-instance-not-public",
			Title:          "RDS DB instances are not publicly accessible",
			Service:        "rds",
			Severity:       Critical,
			Responsibility: LayerNetwork,
			Frameworks:     map[string][]string{CIS50: {"2.2.3"}, FSBP: {"RDS.2"}},
			Description:    "A publicly accessible instance gets a DNS name that resolves to a public IP address; only its security groups then stand between the database and the internet.",
			Remediation: "  aws rds modify-db-instance --db-instance-identifier DB --no-publicly-accessible --apply-immediately\n" +
				"Terraform: resource \"aws_db_instance\" \"db\" { publicly_accessible = false }",
			Links: []string{"https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html#USER_VPC.Hiding", guide + "#rds-2"},
			Check: eachRDSInstance(anyRDSInstance, func(i rds.Instance) (bool, string, string) {
				return !i.PubliclyAccessible, "is not publicly accessible", "is publicly accessible (PubliclyAccessible=true)"
			}),
		},
		{
			ID:             "rds-instance-multi-az",
			Title:          "RDS DB instances are deployed in multiple Availability Zones",
			Service:        "rds",
			Severity:       Medium,
			Responsibility: LayerResilience,
			Frameworks:     map[string][]string{CIS50: {"2.2.4"}, FSBP: {"RDS.5"}},
			Description:    "A Multi-AZ instance keeps a standby in another zone and fails over to it automatically. Instances in a DB cluster are judged through their cluster (rds-cluster-multi-az).",
			Remediation: "  aws rds modify-db-instance --db-instance-identifier DB --multi-az --apply-immediately\n" +
				"Terraform: resource \"aws_db_instance\" \"db\" { multi_az = true }",
			Links: []string{"https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.html", guide + "#rds-5"},
			Check: eachRDSInstance(standaloneRDSInstance, func(i rds.Instance) (bool, string, string) {
				return i.MultiAZ, "is Multi-AZ", "is single-AZ"
			}),
		},
		{
			ID:             "rds-cluster-multi-az",
			Title:          "RDS DB clusters span multiple Availability Zones",
			Service:        "rds",
			Severity:       Medium,
			Responsibility: LayerResilience,
			Frameworks:     map[string][]string{CIS50: {"2.2.4"}, FSBP: {"RDS.15"}},
			Description:    "A cluster with instances in one zone only has no failover target when that zone fails. For Aurora, add a reader in another zone.",
			Remediation: "  aws rds create-db-instance --db-cluster-identifier CLUSTER --db-instance-identifier CLUSTER-reader --engine ENGINE \\\n" +
				"      --db-instance-class CLASS --availability-zone OTHER_AZ\n" +
				"Terraform: resource \"aws_rds_cluster_instance\" \"reader\" { cluster_identifier = aws_rds_cluster.c.id, availability_zone = \"OTHER_AZ\" }",
			Links: []string{"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.AuroraHighAvailability.html", guide + "#rds-15"},
			Check: eachRDSCluster(anyRDSCluster, func(c rds.Cluster) (bool, string, string) {
				return c.MultiAZ, "is Multi-AZ", "is not deployed across multiple Availability Zones (MultiAZ=false)"
			}),
		},
		{
			ID:             "rds-cluster-encrypted",
			Title:          "RDS DB clusters are encrypted at rest",
			Service:        "rds",
			Severity:       Medium,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"RDS.27"}},
			Description:    "Cluster storage encryption covers the cluster volume, its backups and snapshots; it can only be chosen at creation.",
			Remediation: "Restore an encrypted copy: snapshot the cluster, copy the snapshot with a KMS key, restore a new cluster from it:\n" +
				"  aws rds copy-db-cluster-snapshot --source-db-cluster-snapshot-identifier SNAP --target-db-cluster-snapshot-identifier SNAP-enc --kms-key-id KEY\n" +
				"Terraform: resource \"aws_rds_cluster\" \"c\" { storage_encrypted = true, kms_key_id = aws_kms_key.db.arn }",
			Links: []string{"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Overview.Encryption.html", guide + "#rds-27"},
			Check: eachRDSCluster(anyRDSCluster, func(c rds.Cluster) (bool, string, string) {
				return c.StorageEncrypted, "is encrypted at rest", "is not encrypted at rest"
			}),
		},
		{
			ID:             "rds-snapshot-encrypted",
			Title:          "RDS DB and cluster snapshots are encrypted at rest",
			Service:        "rds",
			Severity:       Medium,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"RDS.4"}},
			Description:    "An unencrypted snapshot holds the database's data in the clear and can be copied or shared.",
			Remediation: "Copy the snapshot with a KMS key and delete the unencrypted one:\n" +
				"  aws rds copy-db-snapshot --source-db-snapshot-identifier SNAP --target-db-snapshot-identifier SNAP-enc --kms-key-id KEY\n" +
				"  aws rds delete-db-snapshot --db-snapshot-identifier SNAP\n" +
				"Terraform: encrypt the source (storage_encrypted = true); snapshots of encrypted databases are encrypted.",
			Links: []string{"https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_CopySnapshot.html", guide + "#rds-4"},
			Check: checkRDSSnapshotsEncrypted,
		},
		{
			ID:             "rds-instance-enhanced-monitoring",
			Title:          "RDS DB instances have Enhanced Monitoring",
			Service:        "rds",
			Severity:       Low,
			Responsibility: LayerLogging,
			Frameworks:     map[string][]string{FSBP: {"RDS.6"}},
			Description:    "Enhanced Monitoring reports operating-system metrics of the database host at up to one-second granularity.",
			Remediation: "  aws rds modify-db-instance --db-instance-identifier DB --monitoring-interval 60 --monitoring-role-arn ROLE_ARN\n" +
				"Terraform: resource \"aws_db_instance\" \"db\" { monitoring_interval = 60, monitoring_role_arn = aws_iam_role.rds_monitoring.arn }",
			Links: []string{"https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Monitoring.OS.html", guide + "#rds-6"},
			Check: eachRDSInstance(anyRDSInstance, func(i rds.Instance) (bool, string, string) {
				return i.MonitoringInterval > 0, "has Enhanced Monitoring every " + strconv.Itoa(i.MonitoringInterval) + "s", "has Enhanced Monitoring off (interval 0)"
			}),
		},
		{
			ID:             "rds-cluster-deletion-protection",
			Title:          "RDS DB clusters have deletion protection",
			Service:        "rds",
			Severity:       Medium,
			Responsibility: LayerResilience,
			Frameworks:     map[string][]string{FSBP: {"RDS.7"}},
			Description:    "Deletion protection makes a DeleteDBCluster call fail until it is turned off, guarding against accidental or malicious deletion.",
			Remediation: "  aws rds modify-db-cluster --db-cluster-identifier CLUSTER --deletion-protection --apply-immediately\n" +
				"Terraform: resource \"aws_rds_cluster\" \"c\" { deletion_protection = true }",
			Links: []string{"https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html#USER_DeletionProtection", guide + "#rds-7"},
			Check: eachRDSCluster(anyRDSCluster, func(c rds.Cluster) (bool, string, string) {
				return c.DeletionProtection, "has deletion protection", "has deletion protection disabled"
			}),
		},
		{
			ID:             "rds-instance-deletion-protection",
			Title:          "RDS DB instances have deletion protection",
			Service:        "rds",
			Severity:       Low,
			Responsibility: LayerResilience,
			Frameworks:     map[string][]string{FSBP: {"RDS.8"}},
			Description:    "Deletion protection makes a DeleteDBInstance call fail until it is turned off. As in Security Hub, only the MariaDB, MySQL, Oracle, PostgreSQL and SQL Server engines are judged (Aurora protects at the cluster).",
			Remediation: "  aws rds modify-db-instance --db-instance-identifier DB --deletion-protection --apply-immediately\n" +
				"Terraform: resource \"aws_db_instance\" \"db\" { deletion_protection = true }",
			Links: []string{"https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html#USER_DeletionProtection", guide + "#rds-8"},
			Check: eachRDSInstance(rdsDeletionProtectionEngine, func(i rds.Instance) (bool, string, string) {
				return i.DeletionProtection, "has deletion protection", "has deletion protection disabled"
			}),
		},
		{
			ID:             "rds-instance-logs-exported",
			Title:          "RDS DB instances publish their logs to CloudWatch Logs",
			Service:        "rds",
			Severity:       Medium,
			Responsibility: LayerLogging,
			Frameworks:     map[string][]string{FSBP: {"RDS.9"}},
			Description:    "Database logs record connections, errors and (with audit plugins) queries. FSBP RDS.9 expects per engine: Oracle alert, audit, trace, listener; PostgreSQL postgresql, upgrade; MySQL and MariaDB audit, error, general, slowquery; SQL Server error, agent; Aurora MySQL audit, error, general, slowquery; Aurora PostgreSQL postgresql. Aurora members are judged with their cluster's exports.",
			Remediation: "  aws rds modify-db-instance --db-instance-identifier DB --cloudwatch-logs-export-configuration '{\"EnableLogTypes\":[\"error\",\"general\",\"slowquery\",\"audit\"]}'\n" +
				"Terraform: resource \"aws_db_instance\" \"db\" { enabled_cloudwatch_logs_exports = [\"audit\", \"error\", \"general\", \"slowquery\"] }",
			Links: []string{"https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Procedural.UploadtoCloudWatch.html", guide + "#rds-9"},
			Check: checkRDSInstanceLogs,
		},
		{
			ID:             "rds-instance-iam-auth",
			Title:          "RDS DB instances use IAM database authentication",
			Service:        "rds",
			Severity:       Medium,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{FSBP: {"RDS.10"}},
			Description:    "IAM authentication replaces long-lived database passwords with short-lived tokens tied to IAM principals. Judged for MySQL, PostgreSQL, MariaDB and Aurora instances that are available, as Security Hub does.",
			Remediation: "  aws rds modify-db-instance --db-instance-identifier DB --enable-iam-database-authentication --apply-immediately\n" +
				"Terraform: resource \"aws_db_instance\" \"db\" { iam_database_authentication_enabled = true }",
			Links: []string{"https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.html", guide + "#rds-10"},
			Check: eachRDSInstance(rdsIAMAuthScope, func(i rds.Instance) (bool, string, string) {
				return i.IAMAuth, "has IAM database authentication", "does not use IAM database authentication"
			}),
		},
		{
			ID:             "rds-cluster-iam-auth",
			Title:          "RDS DB clusters use IAM database authentication",
			Service:        "rds",
			Severity:       Medium,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{FSBP: {"RDS.12"}},
			Description:    "IAM authentication replaces long-lived database passwords with short-lived tokens tied to IAM principals.",
			Remediation: "  aws rds modify-db-cluster --db-cluster-identifier CLUSTER --enable-iam-database-authentication --apply-immediately\n" +
				"Terraform: resource \"aws_rds_cluster\" \"c\" { iam_database_authentication_enabled = true }",
			Links: []string{"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.IAMDBAuth.html", guide + "#rds-12"},
			Check: eachRDSCluster(anyRDSCluster, func(c rds.Cluster) (bool, string, string) {
				return c.IAMAuth, "has IAM database authentication", "does not use IAM database authentication"
			}),
		},
		{
			ID:             "rds-instance-backups-enabled",
			Title:          "RDS DB instances keep automated backups for at least 7 days",
			Service:        "rds",
			Severity:       Medium,
			Responsibility: LayerResilience,
			Frameworks:     map[string][]string{FSBP: {"RDS.11"}},
			Description:    "Automated backups allow point-in-time restore; FSBP RDS.11 requires a retention of at least 7 days (its default backupRetentionMinimum). Aurora members are judged by their cluster's retention. Security Hub exempts read replicas; the snapshot does not record which instances are replicas yet, so a replica without backups is reported too.",
			Remediation: "  aws rds modify-db-instance --db-instance-identifier DB --backup-retention-period 7 --apply-immediately\n" +
				"Terraform: resource \"aws_db_instance\" \"db\" { backup_retention_period = 7 }",
			Links: []string{"https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.html", guide + "#rds-11"},
			Check: checkRDSBackupRetention,
		},
		{
			ID:             "rds-cluster-copy-tags-to-snapshots",
			Title:          "Aurora DB clusters copy tags to snapshots",
			Service:        "rds",
			Severity:       Low,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"RDS.16"}},
			Description:    "Snapshots that inherit their cluster's tags keep its ownership and data-classification labels, which access policies and inventories rely on.",
			Remediation: "  aws rds modify-db-cluster --db-cluster-identifier CLUSTER --copy-tags-to-snapshot --apply-immediately\n" +
				"Terraform: resource \"aws_rds_cluster\" \"c\" { copy_tags_to_snapshot = true }",
			Links: []string{"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_Tagging.html", guide + "#rds-16"},
			Check: eachRDSCluster(auroraCluster, func(c rds.Cluster) (bool, string, string) {
				return c.CopyTagsToSnapshot, "copies tags to snapshots", "does not copy tags to snapshots"
			}),
		},
		{
			ID:             "rds-instance-copy-tags-to-snapshots",
			Title:          "RDS DB instances copy tags to snapshots",
			Service:        "rds",
			Severity:       Low,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"RDS.17"}},
			Description:    "Snapshots that inherit their instance's tags keep its ownership and data-classification labels. Cluster members are judged through their cluster.",
			Remediation: "  aws rds modify-db-instance --db-instance-identifier DB --copy-tags-to-snapshot --apply-immediately\n" +
				"Terraform: resource \"aws_db_instance\" \"db\" { copy_tags_to_snapshot = true }",
			Links: []string{"https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Tagging.html", guide + "#rds-17"},
			Check: eachRDSInstance(standaloneRDSInstance, func(i rds.Instance) (bool, string, string) {
				return i.CopyTagsToSnapshot, "copies tags to snapshots", "does not copy tags to snapshots"
			}),
		},
		{
			ID:             "rds-instance-in-vpc",
			Title:          "RDS DB instances are deployed in a VPC",
			Service:        "rds",
			Severity:       High,
			Responsibility: LayerNetwork,
			Frameworks:     map[string][]string{FSBP: {"RDS.18"}},
			Description:    "An instance in a VPC gets security groups, network ACLs and private addressing; outside a VPC (EC2-Classic) it has none of them.",
			Remediation: "Move the instance into a DB subnet group of a VPC:\n" +
				"  aws rds modify-db-instance --db-instance-identifier DB --db-subnet-group-name SUBNET_GROUP --apply-immediately\n" +
				"Terraform: resource \"aws_db_instance\" \"db\" { db_subnet_group_name = aws_db_subnet_group.private.name }",
			Links: []string{"https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.html", guide + "#rds-18"},
			Check: eachRDSInstance(anyRDSInstance, func(i rds.Instance) (bool, string, string) {
				return i.VPCID != "", "is in VPC " + i.VPCID, "is not in a VPC"
			}),
		},
		{
			ID:             "rds-no-default-port",
			Title:          "RDS DB instances and clusters do not use the engine's default port",
			Service:        "rds",
			Severity:       Low,
			Responsibility: LayerNetwork,
			Frameworks:     map[string][]string{FSBP: {"RDS.23"}},
			Description:    "Scanners look for databases on their default ports (3306, 5432, 1521, 1433, 50000); a non-default port takes the database out of the cheapest sweeps. Cluster members are judged through their cluster.",
			Remediation: "  aws rds modify-db-instance --db-instance-identifier DB --db-port-number 5532 --apply-immediately   # modify-db-cluster --port for clusters\n" +
				"Terraform: resource \"aws_db_instance\" \"db\" { port = 5532 }",
			Links: []string{"https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.DBInstance.Modifying.html", guide + "#rds-23"},
			Check: checkRDSDefaultPorts,
		},
		{
			ID:             "rds-aurora-mysql-audit-logs",
			Title:          "Aurora MySQL DB clusters publish audit logs to CloudWatch Logs",
			Service:        "rds",
			Severity:       Medium,
			Responsibility: LayerLogging,
			Frameworks:     map[string][]string{FSBP: {"RDS.34"}},
			Description:    "Aurora MySQL audit logs record connections and queries; exporting them to CloudWatch Logs keeps them beyond the instance and makes them searchable.",
			Remediation: "  aws rds modify-db-cluster --db-cluster-identifier CLUSTER --cloudwatch-logs-export-configuration '{\"EnableLogTypes\":[\"audit\"]}'\n" +
				"Terraform: resource \"aws_rds_cluster\" \"c\" { enabled_cloudwatch_logs_exports = [\"audit\"] }",
			Links: []string{"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Integrating.CloudWatch.html", guide + "#rds-34"},
			Check: eachRDSCluster(engineIs("aurora-mysql", "aurora"), func(c rds.Cluster) (bool, string, string) {
				return hasAll(c.LogExports, "audit"), "exports audit logs", "does not export audit logs to CloudWatch Logs"
			}),
		},
		{
			ID:             "rds-cluster-auto-minor-upgrade",
			Title:          "Multi-AZ DB clusters have automatic minor version upgrades enabled",
			Service:        "rds",
			Severity:       Medium,
			Responsibility: LayerGuestOS,
			Frameworks:     map[string][]string{FSBP: {"RDS.35"}},
			Description:    "Minor engine versions carry security fixes. FSBP RDS.35 judges Multi-AZ DB clusters (MySQL and PostgreSQL engines), not Aurora.",
			Remediation: "  aws rds modify-db-cluster --db-cluster-identifier CLUSTER --auto-minor-version-upgrade --apply-immediately\n" +
				"Terraform: resource \"aws_rds_cluster\" \"c\" { auto_minor_version_upgrade = true }",
			Links: []string{"https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/multi-az-db-clusters-concepts.html", guide + "#rds-35"},
			Check: eachRDSCluster(func(c rds.Cluster) bool { return !auroraCluster(c) }, func(c rds.Cluster) (bool, string, string) {
				return c.AutoMinorVersionUpgrade, "upgrades minor versions automatically", "has automatic minor version upgrades disabled"
			}),
		},
		{
			ID:             "rds-postgres-logs-exported",
			Title:          "RDS for PostgreSQL DB instances publish logs to CloudWatch Logs",
			Service:        "rds",
			Severity:       Medium,
			Responsibility: LayerLogging,
			Frameworks:     map[string][]string{FSBP: {"RDS.36"}},
			Description:    "The postgresql log records connections, errors and (as configured) statements; FSBP RDS.36 requires it to be exported.",
			Remediation: "  aws rds modify-db-instance --db-instance-identifier DB --cloudwatch-logs-export-configuration '{\"EnableLogTypes\":[\"postgresql\"]}'\n" +
				"Terraform: resource \"aws_db_instance\" \"db\" { enabled_cloudwatch_logs_exports = [\"postgresql\"] }",
			Links: []string{"https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Concepts.PostgreSQL.html", guide + "#rds-36"},
			Check: eachRDSInstance(func(i rds.Instance) bool { return i.Engine == "postgres" }, func(i rds.Instance) (bool, string, string) {
				return hasAll(i.LogExports, "postgresql"), "exports the postgresql log", "does not export the postgresql log"
			}),
		},
		{
			ID:             "rds-aurora-postgres-logs-exported",
			Title:          "Aurora PostgreSQL DB clusters publish logs to CloudWatch Logs",
			Service:        "rds",
			Severity:       Medium,
			Responsibility: LayerLogging,
			Frameworks:     map[string][]string{FSBP: {"RDS.37"}},
			Description:    "The postgresql log records connections, errors and (as configured) statements; FSBP RDS.37 requires Aurora PostgreSQL clusters to export it.",
			Remediation: "  aws rds modify-db-cluster --db-cluster-identifier CLUSTER --cloudwatch-logs-export-configuration '{\"EnableLogTypes\":[\"postgresql\"]}'\n" +
				"Terraform: resource \"aws_rds_cluster\" \"c\" { enabled_cloudwatch_logs_exports = [\"postgresql\"] }",
			Links: []string{"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.CloudWatch.html", guide + "#rds-37"},
			Check: eachRDSCluster(engineIs("aurora-postgresql"), func(c rds.Cluster) (bool, string, string) {
				return hasAll(c.LogExports, "postgresql"), "exports the postgresql log", "does not export the postgresql log"
			}),
		},
	}, rdsFSBPRules()...)
}

// rdsRegion returns the RDS state of a region, or nil.
func rdsRegion(s *model.Snapshot, name string) *rds.Region {
	for i := range s.RDS {
		if s.RDS[i].Name == name {
			return &s.RDS[i]
		}
	}
	return nil
}

// regionsWith lists snapshotRegions plus the regions a service's data names,
// so data for a region outside s.Regions is never skipped.
func regionsWith(s *model.Snapshot, extra []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range append(snapshotRegions(s), extra...) {
		if r != "" && !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	sort.Strings(out)
	return out
}

func rdsRegionNames(s *model.Snapshot) []string {
	names := make([]string, len(s.RDS))
	for i := range s.RDS {
		names[i] = s.RDS[i].Name
	}
	return regionsWith(s, names)
}

// rdsGone reports whether an instance or cluster is on its way out; rules
// do not judge the configuration of a database being deleted.
func rdsGone(status string) bool { return status == "deleting" || status == "deleted" }

func anyRDSInstance(rds.Instance) bool { return true }
func anyRDSCluster(rds.Cluster) bool   { return true }

// standaloneRDSInstance excludes members of a DB cluster, whose Multi-AZ,
// backup, port and tagging settings live on the cluster.
func standaloneRDSInstance(i rds.Instance) bool { return i.ClusterID == "" }

func auroraCluster(c rds.Cluster) bool { return strings.HasPrefix(c.Engine, "aurora") }

func engineIs(engines ...string) func(rds.Cluster) bool {
	return func(c rds.Cluster) bool {
		for _, e := range engines {
			if c.Engine == e {
				return true
			}
		}
		return false
	}
}

// rdsDeletionProtectionEngine is FSBP RDS.8's fixed databaseEngines list.
func rdsDeletionProtectionEngine(i rds.Instance) bool {
	switch i.Engine {
	case "mariadb", "mysql", "custom-oracle-ee", "oracle-ee-cdb", "oracle-se2-cdb", "oracle-ee", "oracle-se2", "oracle-se1", "oracle-se",
		"postgres", "sqlserver-ee", "sqlserver-se", "sqlserver-ex", "sqlserver-web":
		return true
	}
	return false
}

// rdsIAMAuthScope is FSBP RDS.10's scope: these engines, in these states.
func rdsIAMAuthScope(i rds.Instance) bool {
	switch i.Engine {
	case "mysql", "postgres", "aurora", "aurora-mysql", "aurora-postgresql", "mariadb":
	default:
		return false
	}
	switch i.Status {
	case "available", "backing-up", "storage-optimization", "storage-full":
		return true
	}
	return false
}

func hasAll(have []string, want ...string) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			if strings.EqualFold(h, w) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func missingOf(have []string, want []string) []string {
	var out []string
	for _, w := range want {
		if !hasAll(have, w) {
			out = append(out, w)
		}
	}
	return out
}

func rdsInstanceARN(s *model.Snapshot, region string, i rds.Instance) string {
	return orARN(i.ARN, regionalARN(s, "rds", region, "db:"+i.ID))
}

// eachRDSRegion calls fn for every region with RDS data; a region not
// collected yields one UNKNOWN result over resource ("db:*").
func eachRDSRegion(s *model.Snapshot, resource string, fn func(region string, r *rds.Region) []Result) []Result {
	var out []Result
	for _, name := range rdsRegionNames(s) {
		r := rdsRegion(s, name)
		if r == nil {
			out = append(out, UnknownR(regionalARN(s, "rds", name, resource), name, "RDS data for region %s was not collected", name))
			continue
		}
		out = append(out, fn(name, r)...)
	}
	return out
}

// rdsKind says how to walk one list of a region's RDS resources: instances,
// clusters, or either kind of snapshot.
type rdsKind[T any] struct {
	label    string // names one resource in messages: "DB instance"
	what     string // names the list when it is unknown: "RDS DB instances"
	resource string // ARN resource prefix: "db:"
	list     func(*rds.Region) core.Val[[]T]
	key      func(T) (id, status string, meta core.Meta)
}

var (
	rdsInstances = rdsKind[rds.Instance]{label: "DB instance", what: "RDS DB instances", resource: "db:",
		list: func(r *rds.Region) core.Val[[]rds.Instance] { return r.Instances },
		key:  func(i rds.Instance) (string, string, core.Meta) { return i.ID, i.Status, i.Meta }}
	rdsClusters = rdsKind[rds.Cluster]{label: "DB cluster", what: "RDS DB clusters", resource: "cluster:",
		list: func(r *rds.Region) core.Val[[]rds.Cluster] { return r.Clusters },
		key:  func(c rds.Cluster) (string, string, core.Meta) { return c.ID, c.Status, c.Meta }}
	rdsDBSnapshots = rdsKind[rds.Snapshot]{label: "DB snapshot", what: "DB snapshots", resource: "snapshot:",
		list: func(r *rds.Region) core.Val[[]rds.Snapshot] { return r.Snapshots },
		key:  func(x rds.Snapshot) (string, string, core.Meta) { return x.ID, "", x.Meta }}
	rdsClusterSnapshots = rdsKind[rds.Snapshot]{label: "DB cluster snapshot", what: "DB cluster snapshots", resource: "cluster-snapshot:",
		list: func(r *rds.Region) core.Val[[]rds.Snapshot] { return r.ClusterSnapshots },
		key:  func(x rds.Snapshot) (string, string, core.Meta) { return x.ID, "", x.Meta }}
)

// rdsItem is the resource being judged: where it is, how results name it,
// and its region's data for judges that look at a neighbour (a member's
// cluster, an instance's parameter group).
type rdsItem struct {
	label, id string
	arn, reg  string
	view      *rdsView
}

// verdict is the PASS or FAIL of a static property, worded "<label> <id>
// <message>".
func (it rdsItem) verdict(ok bool, passMsg, failMsg string) *Result {
	if ok {
		return rp(PassR(it.arn, it.reg, "%s %s %s", it.label, it.id, passMsg))
	}
	return rp(FailR(it.arn, it.reg, "%s %s %s", it.label, it.id, failMsg))
}

// rdsView is one region's RDS data with lookups built on first use.
type rdsView struct {
	s        *model.Snapshot
	region   string
	r        *rds.Region
	clusters map[string]rds.Cluster
	groups   map[string]rds.ParameterGroup
}

// lookupRDS finds id in a region's list through an index built on first
// use; ok is false when the list is unknown or id is not in it.
func lookupRDS[T any](idx *map[string]T, list core.Val[[]T], key func(T) string, id string) (T, bool) {
	if *idx == nil {
		*idx = make(map[string]T, len(list.V))
		for _, x := range list.V { // empty when unknown
			(*idx)[key(x)] = x
		}
	}
	x, ok := (*idx)[id]
	return x, ok && list.Ok
}

// cluster returns a member's cluster.
func (v *rdsView) cluster(id string) (rds.Cluster, bool) {
	return lookupRDS(&v.clusters, v.r.Clusters, func(c rds.Cluster) string { return c.ID }, id)
}

// walkRDS judges every live resource of a kind in one region; judge
// returns nil for a resource outside the control's scope. An unknown list
// is one UNKNOWN result.
func walkRDS[T any](v *rdsView, k rdsKind[T], judge func(it rdsItem, x T) *Result) []Result {
	items, unk := knownList(k.list(v.r), regionalARN(v.s, "rds", v.region, k.resource+"*"), v.region, k.what)
	if unk != nil {
		return unk
	}
	var out []Result
	for _, x := range items {
		id, status, meta := k.key(x)
		if rdsGone(status) {
			continue
		}
		it := rdsItem{label: k.label, id: id, view: v,
			arn: orARN(meta.ARN, regionalARN(v.s, "rds", v.region, k.resource+id)), reg: regionOr(meta, v.region)}
		if res := judge(it, x); res != nil {
			out = append(out, *res)
		}
	}
	return out
}

// eachRDS judges every live resource of a kind in every region.
func eachRDS[T any](k rdsKind[T], judge func(it rdsItem, x T) *Result) func(*model.Snapshot) []Result {
	return func(s *model.Snapshot) []Result {
		return eachRDSRegion(s, k.resource+"*", func(region string, r *rds.Region) []Result {
			return walkRDS(&rdsView{s: s, region: region, r: r}, k, judge)
		})
	}
}

// eachRDSStatic judges a static property of every resource in scope.
func eachRDSStatic[T any](k rdsKind[T], applies func(T) bool, judge func(T) (ok bool, passMsg, failMsg string)) func(*model.Snapshot) []Result {
	return eachRDS(k, func(it rdsItem, x T) *Result {
		if !applies(x) {
			return nil
		}
		return it.verdict(judge(x))
	})
}

func eachRDSInstance(applies func(rds.Instance) bool, judge func(rds.Instance) (bool, string, string)) func(*model.Snapshot) []Result {
	return eachRDSStatic(rdsInstances, applies, judge)
}

func eachRDSCluster(applies func(rds.Cluster) bool, judge func(rds.Cluster) (bool, string, string)) func(*model.Snapshot) []Result {
	return eachRDSStatic(rdsClusters, applies, judge)
}

// bothRDS walks two lists of a region under one region-level UNKNOWN, for
// rules that judge instances and clusters (or both kinds of snapshot)
// alike.
func bothRDS[A, B any](resource string, ka rdsKind[A], ja func(rdsItem, A) *Result, kb rdsKind[B], jb func(rdsItem, B) *Result) func(*model.Snapshot) []Result {
	return func(s *model.Snapshot) []Result {
		return eachRDSRegion(s, resource, func(region string, r *rds.Region) []Result {
			v := &rdsView{s: s, region: region, r: r}
			return append(walkRDS(v, ka, ja), walkRDS(v, kb, jb)...)
		})
	}
}

func checkRDSSnapshotsEncrypted(s *model.Snapshot) []Result {
	judge := func(it rdsItem, sn rds.Snapshot) *Result {
		if sn.Encrypted {
			return rp(PassR(it.arn, it.reg, "%s %s is encrypted", it.label, it.id))
		}
		return rp(FailR(it.arn, it.reg, "%s %s is not encrypted", it.label, it.id))
	}
	return bothRDS("snapshot:*", rdsDBSnapshots, judge, rdsClusterSnapshots, judge)(s)
}

// rdsLogTypes are the log types FSBP RDS.9 expects per engine.
func rdsLogTypes(engine string) []string {
	switch {
	case strings.HasPrefix(engine, "oracle") || strings.HasPrefix(engine, "custom-oracle"):
		return []string{"alert", "audit", "trace", "listener"}
	case engine == "postgres":
		return []string{"postgresql", "upgrade"}
	case engine == "mysql", engine == "mariadb", engine == "aurora-mysql", engine == "aurora":
		return []string{"audit", "error", "general", "slowquery"}
	case strings.HasPrefix(engine, "sqlserver"):
		return []string{"error", "agent"}
	case engine == "aurora-postgresql":
		return []string{"postgresql"}
	}
	return nil
}

func checkRDSInstanceLogs(s *model.Snapshot) []Result {
	return eachRDS(rdsInstances, func(it rdsItem, i rds.Instance) *Result {
		want := rdsLogTypes(i.Engine)
		if want == nil {
			return nil
		}
		have := i.LogExports
		if i.ClusterID != "" {
			// Aurora exports logs at the cluster; an instance reports none.
			c, ok := it.view.cluster(i.ClusterID)
			if !ok && len(missingOf(have, want)) > 0 {
				return rp(UnknownR(it.arn, it.reg, "DB instance %s: its cluster %s (which holds the log exports) is unknown", i.ID, i.ClusterID))
			}
			have = append(append([]string(nil), have...), c.LogExports...)
		}
		if missing := missingOf(have, want); len(missing) > 0 {
			return rp(FailR(it.arn, it.reg, "DB instance %s (%s) does not export %s logs to CloudWatch Logs", i.ID, i.Engine, strings.Join(missing, ", ")))
		}
		return rp(PassR(it.arn, it.reg, "DB instance %s (%s) exports %s logs", i.ID, i.Engine, strings.Join(want, ", ")))
	})(s)
}

// rdsMinRetentionDays is FSBP RDS.11's default backupRetentionMinimum.
const rdsMinRetentionDays = 7

func checkRDSBackupRetention(s *model.Snapshot) []Result {
	return eachRDS(rdsInstances, func(it rdsItem, i rds.Instance) *Result {
		days, whose := i.BackupRetentionDays, "its"
		if i.ClusterID != "" {
			c, ok := it.view.cluster(i.ClusterID)
			if !ok {
				return rp(UnknownR(it.arn, it.reg, "DB instance %s: backups are kept by its cluster %s, which is unknown", i.ID, i.ClusterID))
			}
			days, whose = c.BackupRetentionDays, "its cluster's"
		}
		switch {
		case days == 0:
			return rp(FailR(it.arn, it.reg, "DB instance %s has automated backups disabled (%s retention is 0)", i.ID, whose))
		case days < rdsMinRetentionDays:
			return rp(FailR(it.arn, it.reg, "DB instance %s keeps backups %d days (%s retention; need %d)", i.ID, days, whose, rdsMinRetentionDays))
		}
		return rp(PassR(it.arn, it.reg, "DB instance %s keeps automated backups %d days", i.ID, days))
	})(s)
}

// rdsDefaultPort is the engine's default port.
func rdsDefaultPort(engine string) int {
	switch {
	case engine == "mysql", engine == "mariadb", engine == "aurora", engine == "aurora-mysql":
		return 3306
	case engine == "postgres", engine == "aurora-postgresql":
		return 5432
	case strings.HasPrefix(engine, "oracle"), strings.HasPrefix(engine, "custom-oracle"):
		return 1521
	case strings.HasPrefix(engine, "sqlserver"), strings.HasPrefix(engine, "custom-sqlserver"):
		return 1433
	case strings.HasPrefix(engine, "db2"):
		return 50000
	}
	return 0
}

func checkRDSDefaultPorts(s *model.Snapshot) []Result {
	judge := func(it rdsItem, engine string, port int) *Result {
		def := rdsDefaultPort(engine)
		switch {
		case def == 0:
			return nil
		case port == 0:
			return rp(UnknownR(it.arn, it.reg, "%s %s: port not reported", it.label, it.id))
		case port == def:
			return rp(FailR(it.arn, it.reg, "%s %s (%s) listens on the default port %d", it.label, it.id, engine, port))
		}
		return rp(PassR(it.arn, it.reg, "%s %s (%s) listens on port %d, not the default %d", it.label, it.id, engine, port, def))
	}
	return bothRDS("db:*",
		rdsInstances, func(it rdsItem, i rds.Instance) *Result {
			if i.ClusterID != "" {
				return nil
			}
			return judge(it, i.Engine, i.Port)
		},
		rdsClusters, func(it rdsItem, c rds.Cluster) *Result { return judge(it, c.Engine, c.Port) })(s)
}
