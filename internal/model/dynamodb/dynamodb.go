// Package dynamodb is the snapshot model of Amazon DynamoDB, one Region at a
// time: tables (encryption at rest, point-in-time recovery, deletion
// protection, capacity mode), their Application Auto Scaling targets, and
// DynamoDB Accelerator (DAX) clusters.
package dynamodb

import (
	"time"

	"github.com/demarc-sec/demarc/internal/model/core"
)

// Region is the DynamoDB state of one region.
type Region struct {
	Name   string            `json:"name"`
	Tables core.Val[[]Table] `json:"tables"`
	// ScalableTargets are the Application Auto Scaling targets of the
	// dynamodb namespace (tables and global secondary indexes).
	ScalableTargets core.Val[[]ScalableTarget] `json:"scalable_targets"`
	// DAXClusters are the DynamoDB Accelerator clusters.
	DAXClusters core.Val[[]DAXCluster] `json:"dax_clusters"`
}

// Scalable dimensions of DynamoDB capacity in Application Auto Scaling.
const (
	DimTableRead  = "dynamodb:table:ReadCapacityUnits"
	DimTableWrite = "dynamodb:table:WriteCapacityUnits"
	DimIndexRead  = "dynamodb:index:ReadCapacityUnits"
	DimIndexWrite = "dynamodb:index:WriteCapacityUnits"
)

// ScalableTarget is one Application Auto Scaling scalable target
// (DescribeScalableTargets, namespace dynamodb).
type ScalableTarget struct {
	// ResourceID is "table/NAME" or "table/NAME/index/INDEX".
	ResourceID string `json:"resource_id"`
	Dimension  string `json:"dimension"`
	Min        int    `json:"min"`
	Max        int    `json:"max"`
	// ScaleOutSuspended is SuspendedState.DynamicScalingOutSuspended.
	ScaleOutSuspended bool `json:"scale_out_suspended,omitempty"`
	// ScaleInSuspended is SuspendedState.DynamicScalingInSuspended.
	ScaleInSuspended bool `json:"scale_in_suspended,omitempty"`
}

// DAXCluster is one DynamoDB Accelerator cluster. Meta.ARN is the cluster
// ARN.
type DAXCluster struct {
	core.Meta
	Name   string `json:"name"`
	Status string `json:"status,omitempty"`
	// SSEStatus is SSEDescription.Status (ENABLED, DISABLED, …); "" when
	// DAX reported no SSEDescription (not encrypted at rest).
	SSEStatus string `json:"sse_status,omitempty"`
	// EndpointEncryption is ClusterEndpointEncryptionType: TLS or NONE.
	EndpointEncryption string `json:"endpoint_encryption,omitempty"`
}

// Table is one table. Meta.ARN is the table ARN.
type Table struct {
	core.Meta
	Name string `json:"name"`
	// Details is DescribeTable's answer.
	Details core.Val[TableDetails] `json:"details"`
	// PITR is whether point-in-time recovery is enabled
	// (DescribeContinuousBackups).
	PITR core.Val[bool] `json:"point_in_time_recovery"`
}

// Encryption types. DynamoDB always encrypts at rest; without an
// SSEDescription the key is an AWS owned key
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/EncryptionAtRest.html).
const (
	EncryptionAWSOwned = "AWS_OWNED"
	EncryptionKMS      = "KMS" // AWS managed (aws/dynamodb) or customer managed key
)

// TableDetails are the DescribeTable fields rules need.
type TableDetails struct {
	Status string `json:"status"`
	// Encryption is EncryptionAWSOwned or EncryptionKMS.
	Encryption string `json:"encryption"`
	// KMSKeyARN is the key of KMS encryption.
	KMSKeyARN string `json:"kms_key_arn,omitempty"`
	// EncryptionStatus is the SSE status (ENABLED, UPDATING, …) when KMS.
	EncryptionStatus   string   `json:"encryption_status,omitempty"`
	DeletionProtection bool     `json:"deletion_protection"`
	BillingMode        string   `json:"billing_mode,omitempty"` // PROVISIONED | PAY_PER_REQUEST
	TableClass         string   `json:"table_class,omitempty"`
	ReplicaRegions     []string `json:"replica_regions,omitempty"`
	// GlobalSecondaryIndexes are the names of the table's global
	// secondary indexes (they have their own capacity).
	GlobalSecondaryIndexes []string   `json:"global_secondary_indexes,omitempty"`
	CreationTime           *time.Time `json:"creation_time,omitempty"`
}
