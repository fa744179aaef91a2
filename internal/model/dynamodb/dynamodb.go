// Package dynamodb is the snapshot model of Amazon DynamoDB tables, one
// Region at a time: encryption at rest, point-in-time recovery and deletion
// protection.
package dynamodb

import (
	"time"

	"github.com/demarc-sec/demarc/internal/model/core"
)

// Region is the DynamoDB state of one region.
type Region struct {
	Name   string            `json:"name"`
	Tables core.Val[[]Table] `json:"tables"`
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
	EncryptionStatus   string     `json:"encryption_status,omitempty"`
	DeletionProtection bool       `json:"deletion_protection"`
	BillingMode        string     `json:"billing_mode,omitempty"` // PROVISIONED | PAY_PER_REQUEST
	TableClass         string     `json:"table_class,omitempty"`
	ReplicaRegions     []string   `json:"replica_regions,omitempty"`
	CreationTime       *time.Time `json:"creation_time,omitempty"`
}
