// Package rds is the snapshot model of Amazon RDS (including Aurora), one
// Region at a time: DB instances, DB clusters and the account's DB and
// cluster snapshots with who may restore them.
package rds

import (
	"slices"
	"time"

	"github.com/demarc-sec/demarc/internal/model/core"
)

// Region is the RDS state of one region.
type Region struct {
	Name      string               `json:"name"`
	Instances core.Val[[]Instance] `json:"instances"`
	Clusters  core.Val[[]Cluster]  `json:"clusters"`
	// Snapshots are the account's DB instance snapshots (manual, automated,
	// AWS Backup); snapshots shared with the account are not included.
	Snapshots core.Val[[]Snapshot] `json:"snapshots"`
	// ClusterSnapshots are the account's DB cluster snapshots.
	ClusterSnapshots core.Val[[]Snapshot] `json:"cluster_snapshots"`
}

// Instance is a DB instance. Meta.ARN is the DB instance ARN.
type Instance struct {
	core.Meta
	ID            string `json:"id"`
	Engine        string `json:"engine"`
	EngineVersion string `json:"engine_version"`
	Class         string `json:"class"`
	Status        string `json:"status"`
	// ClusterID is set for Aurora (and Multi-AZ DB cluster) members, whose
	// storage, backup and several other settings live on the cluster.
	ClusterID               string   `json:"cluster_id,omitempty"`
	StorageEncrypted        bool     `json:"storage_encrypted"`
	KMSKeyID                string   `json:"kms_key_id,omitempty"`
	PubliclyAccessible      bool     `json:"publicly_accessible"`
	MultiAZ                 bool     `json:"multi_az"`
	AvailabilityZone        string   `json:"availability_zone,omitempty"`
	SecondaryAZ             string   `json:"secondary_availability_zone,omitempty"`
	BackupRetentionDays     int      `json:"backup_retention_days"`
	AutoMinorVersionUpgrade bool     `json:"auto_minor_version_upgrade"`
	IAMAuth                 bool     `json:"iam_database_authentication"`
	DeletionProtection      bool     `json:"deletion_protection"`
	CopyTagsToSnapshot      bool     `json:"copy_tags_to_snapshot"`
	Port                    int      `json:"port,omitempty"`
	Endpoint                string   `json:"endpoint,omitempty"`
	VPCID                   string   `json:"vpc_id,omitempty"`
	SubnetGroup             string   `json:"subnet_group,omitempty"`
	SubnetIDs               []string `json:"subnet_ids,omitempty"`
	SecurityGroupIDs        []string `json:"security_group_ids,omitempty"`
	ParameterGroups         []string `json:"parameter_groups,omitempty"`
	// LogExports are the log types published to CloudWatch Logs.
	LogExports []string `json:"cloudwatch_logs_exports,omitempty"`
	// MonitoringInterval is the Enhanced Monitoring interval in seconds (0: off).
	MonitoringInterval  int        `json:"monitoring_interval"`
	PerformanceInsights bool       `json:"performance_insights"`
	CACertificate       string     `json:"ca_certificate,omitempty"`
	CreateTime          *time.Time `json:"create_time,omitempty"`
}

// Cluster is a DB cluster (Aurora or Multi-AZ DB cluster).
type Cluster struct {
	core.Meta
	ID                  string   `json:"id"`
	Engine              string   `json:"engine"`
	EngineVersion       string   `json:"engine_version"`
	EngineMode          string   `json:"engine_mode,omitempty"`
	Status              string   `json:"status"`
	StorageEncrypted    bool     `json:"storage_encrypted"`
	KMSKeyID            string   `json:"kms_key_id,omitempty"`
	MultiAZ             bool     `json:"multi_az"`
	AvailabilityZones   []string `json:"availability_zones,omitempty"`
	BackupRetentionDays int      `json:"backup_retention_days"`
	DeletionProtection  bool     `json:"deletion_protection"`
	IAMAuth             bool     `json:"iam_database_authentication"`
	CopyTagsToSnapshot  bool     `json:"copy_tags_to_snapshot"`
	// PubliclyAccessible and AutoMinorVersionUpgrade are reported only for
	// Multi-AZ DB clusters; for Aurora they live on the member instances.
	PubliclyAccessible      bool            `json:"publicly_accessible"`
	AutoMinorVersionUpgrade bool            `json:"auto_minor_version_upgrade"`
	Port                    int             `json:"port,omitempty"`
	SubnetGroup             string          `json:"subnet_group,omitempty"`
	SecurityGroupIDs        []string        `json:"security_group_ids,omitempty"`
	LogExports              []string        `json:"cloudwatch_logs_exports,omitempty"`
	Members                 []ClusterMember `json:"members,omitempty"`
	ParameterGroup          string          `json:"parameter_group,omitempty"`
	ActivityStreamStatus    string          `json:"activity_stream_status,omitempty"`
	CreateTime              *time.Time      `json:"create_time,omitempty"`
}

// ClusterMember is a DB instance in a cluster.
type ClusterMember struct {
	InstanceID string `json:"instance_id"`
	Writer     bool   `json:"writer"`
}

// Snapshot is a DB snapshot or DB cluster snapshot.
type Snapshot struct {
	core.Meta
	ID string `json:"id"`
	// SourceID is the DB instance (or, for cluster snapshots, cluster) ID.
	SourceID string `json:"source_id"`
	Engine   string `json:"engine"`
	// Type is manual | automated | awsbackup (as RDS reports it).
	Type       string     `json:"type"`
	Status     string     `json:"status"`
	Encrypted  bool       `json:"encrypted"`
	KMSKeyID   string     `json:"kms_key_id,omitempty"`
	CreateTime *time.Time `json:"create_time,omitempty"`
	// RestoreAccounts is the "restore" attribute: account IDs allowed to copy
	// or restore the snapshot; "all" makes it public.
	RestoreAccounts core.Val[[]string] `json:"restore_accounts"`
}

// Public reports whether anyone may restore the snapshot, and whether that
// is known.
func (s Snapshot) Public() (public, known bool) {
	accts, ok := s.RestoreAccounts.Get()
	if !ok {
		return false, false
	}
	return slices.Contains(accts, "all"), true
}
