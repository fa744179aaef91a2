// Package rds is the snapshot model of Amazon RDS (including Aurora), one
// Region at a time: DB instances, DB clusters, the account's DB and cluster
// snapshots with who may restore them, event notification subscriptions,
// and the security-relevant settings of the DB parameter groups in use.
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
	// EventSubscriptions are the region's RDS event notification
	// subscriptions (DescribeEventSubscriptions).
	EventSubscriptions core.Val[[]EventSubscription] `json:"event_subscriptions"`
	// ParameterGroups are the DB parameter groups attached to the region's
	// DB instances (not every group in the account); unknown when the
	// instances could not be listed.
	ParameterGroups core.Val[[]ParameterGroup] `json:"parameter_groups"`
}

// EventSubscription is an RDS event notification subscription. Meta.ARN is
// the subscription ARN.
type EventSubscription struct {
	core.Meta
	Name        string `json:"name"`
	SNSTopicARN string `json:"sns_topic_arn,omitempty"`
	// SourceType is db-instance, db-cluster, db-parameter-group,
	// db-security-group, db-snapshot, …; empty subscribes to every source.
	SourceType string `json:"source_type,omitempty"`
	// SourceIDs limit the subscription to these sources; empty means all
	// sources of SourceType.
	SourceIDs []string `json:"source_ids,omitempty"`
	// EventCategories are the subscribed categories ("failure",
	// "configuration change", …); empty means every category.
	EventCategories []string `json:"event_categories,omitempty"`
	Enabled         bool     `json:"enabled"`
	// Status is creating | modifying | deleting | active | no-permission |
	// topic-not-exist.
	Status string `json:"status,omitempty"`
}

// ParameterGroup is a DB parameter group with the values demarc's rules
// read.
type ParameterGroup struct {
	core.Meta
	Name string `json:"name"`
	// Parameters maps a parameter name to the value the group sets. Only the
	// parameters the collector watches are kept, and only those with a value:
	// a watched parameter that is absent takes the engine's default.
	Parameters core.Val[map[string]string] `json:"parameters"`
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
	// MasterUsername is the administrator login; empty when RDS did not
	// report it.
	MasterUsername string `json:"master_username,omitempty"`
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
	// MasterUsername is the administrator login; empty when not reported.
	MasterUsername string `json:"master_username,omitempty"`
	// BacktrackWindowSeconds is the Aurora MySQL backtrack target window
	// (0: backtracking off).
	BacktrackWindowSeconds int64 `json:"backtrack_window_seconds,omitempty"`
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
