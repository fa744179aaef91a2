// Package secretsmanager is the snapshot model of AWS Secrets Manager
// secrets, one Region at a time: rotation, use, encryption key and resource
// policy. Secret values are never collected.
package secretsmanager

import (
	"time"

	"github.com/demarc-sec/demarc/internal/model/core"
)

// Region is the Secrets Manager state of one region.
type Region struct {
	Name    string             `json:"name"`
	Secrets core.Val[[]Secret] `json:"secrets"`
}

// Secret is one secret (secrets scheduled for deletion are not listed).
// Meta.ARN is the secret ARN.
type Secret struct {
	core.Meta
	Name string `json:"name"`
	// KMSKeyID is "" when the secret uses the AWS managed key
	// aws/secretsmanager.
	KMSKeyID        string `json:"kms_key_id,omitempty"`
	RotationEnabled bool   `json:"rotation_enabled"`
	RotationLambda  string `json:"rotation_lambda_arn,omitempty"`
	// RotationDays is the rotation interval (AutomaticallyAfterDays), 0 if
	// a schedule expression is used instead.
	RotationDays     int        `json:"rotation_days,omitempty"`
	RotationSchedule string     `json:"rotation_schedule,omitempty"`
	LastRotated      *time.Time `json:"last_rotated,omitempty"`
	LastAccessed     *time.Time `json:"last_accessed,omitempty"` // day resolution
	LastChanged      *time.Time `json:"last_changed,omitempty"`
	NextRotation     *time.Time `json:"next_rotation,omitempty"`
	Created          *time.Time `json:"created,omitempty"`
	// OwningService is set for secrets managed by another service (e.g. RDS).
	OwningService string `json:"owning_service,omitempty"`
	PrimaryRegion string `json:"primary_region,omitempty"`
	// Policy is the resource-based policy; Known("") when it has none.
	Policy core.Val[string] `json:"policy"`
}
