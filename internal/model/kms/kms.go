// Package kms is the snapshot model of AWS KMS keys, one Region at a time:
// key metadata, automatic rotation, the key policy and aliases.
package kms

import (
	"time"

	"github.com/demarc-sec/demarc/internal/model/core"
)

// Region is the KMS state of one region.
type Region struct {
	Name string `json:"name"`
	// Keys are every key ListKeys returns: customer managed and AWS managed.
	Keys core.Val[[]Key] `json:"keys"`
}

// Key is one KMS key. Meta.ARN is the key ARN.
type Key struct {
	core.Meta
	ID string `json:"id"`
	// Details is the DescribeKey metadata; unknown when the key policy does
	// not let the scanner describe the key.
	Details core.Val[KeyDetails] `json:"details"`
	// Aliases are the alias names ("alias/…") pointing at the key.
	Aliases core.Val[[]string] `json:"aliases"`
	// Rotation is the automatic rotation status.
	Rotation core.Val[Rotation] `json:"rotation"`
	// Policy is the key policy (the "default" policy, the only one KMS has).
	Policy core.Val[string] `json:"policy"`
}

// KeyDetails are the DescribeKey fields rules need.
type KeyDetails struct {
	Description string `json:"description,omitempty"`
	// Manager is CUSTOMER or AWS (AWS managed keys rotate yearly and cannot
	// be configured).
	Manager string `json:"manager"`
	// State is Enabled | Disabled | PendingDeletion | PendingImport |
	// PendingReplicaDeletion | Unavailable | Creating | Updating.
	State   string `json:"state"`
	Enabled bool   `json:"enabled"`
	// Spec is the key spec, e.g. SYMMETRIC_DEFAULT, RSA_2048, HMAC_256.
	Spec string `json:"spec"`
	// Usage is ENCRYPT_DECRYPT | SIGN_VERIFY | GENERATE_VERIFY_MAC | KEY_AGREEMENT.
	Usage string `json:"usage"`
	// Origin is AWS_KMS | EXTERNAL | AWS_CLOUDHSM | EXTERNAL_KEY_STORE.
	Origin       string     `json:"origin"`
	MultiRegion  bool       `json:"multi_region"`
	CreationDate *time.Time `json:"creation_date,omitempty"`
	// DeletionDate is set while the key is pending deletion.
	DeletionDate *time.Time `json:"deletion_date,omitempty"`
	// PendingWindowDays is the waiting period of a pending deletion.
	PendingWindowDays int `json:"pending_window_days,omitempty"`
}

// CustomerManaged reports whether the customer manages the key.
func (d KeyDetails) CustomerManaged() bool { return d.Manager == "CUSTOMER" }

// RotationSupported reports whether KMS can rotate the key automatically:
// only symmetric encryption keys whose material KMS generated, outside custom
// key stores
// (https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html).
func (d KeyDetails) RotationSupported() bool {
	return d.Spec == "SYMMETRIC_DEFAULT" && d.Origin == "AWS_KMS"
}

// Rotation is the automatic key rotation status (GetKeyRotationStatus).
type Rotation struct {
	// Supported is false for keys KMS cannot rotate (asymmetric, HMAC,
	// imported material, custom key stores); Enabled is then false.
	Supported bool `json:"supported"`
	Enabled   bool `json:"enabled"`
	// PeriodDays is the rotation period (365 unless customised).
	PeriodDays   int        `json:"period_days,omitempty"`
	NextRotation *time.Time `json:"next_rotation,omitempty"`
}
