// Package backup is the snapshot model of AWS Backup, one Region at a time:
// vaults (encryption, Vault Lock, access policy, recovery points), backup
// plans with their rules and resource selections, and the resources backed
// up.
package backup

import (
	"time"

	"github.com/demarc-sec/demarc/internal/model/core"
)

// Region is the AWS Backup state of one region.
type Region struct {
	Name   string            `json:"name"`
	Vaults core.Val[[]Vault] `json:"vaults"`
	Plans  core.Val[[]Plan]  `json:"plans"`
	// ProtectedResources are the resources with at least one recovery point.
	ProtectedResources core.Val[[]ProtectedResource] `json:"protected_resources"`
}

// Vault is a backup vault. Meta.ARN is the vault ARN.
type Vault struct {
	core.Meta
	Name             string `json:"name"`
	Type             string `json:"type,omitempty"` // BACKUP_VAULT | LOGICALLY_AIR_GAPPED_BACKUP_VAULT | …
	EncryptionKeyARN string `json:"encryption_key_arn,omitempty"`
	// Locked is true when Vault Lock applies (governance or compliance mode).
	Locked           bool       `json:"locked"`
	MinRetentionDays int        `json:"min_retention_days,omitempty"`
	MaxRetentionDays int        `json:"max_retention_days,omitempty"`
	LockDate         *time.Time `json:"lock_date,omitempty"`
	RecoveryPoints   int64      `json:"recovery_points"`
	CreationDate     *time.Time `json:"creation_date,omitempty"`
	// Policy is the vault access policy; Known("") when there is none.
	Policy core.Val[string] `json:"policy"`
	// RecoveryPointList are the recovery points stored in the vault
	// (ListRecoveryPointsByBackupVault); RecoveryPoints is only their count.
	RecoveryPointList core.Val[[]RecoveryPoint] `json:"recovery_point_list"`
}

// RecoveryPoint is a backup stored in a vault. Meta.ARN is the recovery
// point ARN.
type RecoveryPoint struct {
	core.Meta
	ResourceARN  string `json:"resource_arn,omitempty"`
	ResourceType string `json:"resource_type,omitempty"`
	// Status is COMPLETED | PARTIAL | DELETING | EXPIRED | AVAILABLE |
	// STOPPED | CREATING.
	Status           string     `json:"status,omitempty"`
	Encrypted        bool       `json:"encrypted"`
	EncryptionKeyARN string     `json:"encryption_key_arn,omitempty"`
	CreationDate     *time.Time `json:"creation_date,omitempty"`
}

// Plan is a backup plan. Meta.ARN is the plan ARN.
type Plan struct {
	core.Meta
	ID        string `json:"id"`
	Name      string `json:"name"`
	VersionID string `json:"version_id,omitempty"`
	// Rules come from GetBackupPlan.
	Rules core.Val[[]Rule] `json:"rules"`
	// Selections say which resources the plan backs up.
	Selections core.Val[[]Selection] `json:"selections"`
}

// Rule is one backup rule of a plan.
type Rule struct {
	Name                    string       `json:"name"`
	TargetVault             string       `json:"target_vault"`
	Schedule                string       `json:"schedule,omitempty"`
	StartWindowMinutes      int          `json:"start_window_minutes,omitempty"`
	CompletionWindowMinutes int          `json:"completion_window_minutes,omitempty"`
	ContinuousBackup        bool         `json:"continuous_backup"`
	Lifecycle               *Lifecycle   `json:"lifecycle,omitempty"`
	CopyActions             []CopyAction `json:"copy_actions,omitempty"`
}

// Lifecycle says when recovery points move to cold storage and expire
// (0: never).
type Lifecycle struct {
	DeleteAfterDays            int `json:"delete_after_days,omitempty"`
	MoveToColdStorageAfterDays int `json:"move_to_cold_storage_after_days,omitempty"`
}

// CopyAction copies recovery points to another vault (often another region
// or account).
type CopyAction struct {
	DestinationVaultARN string     `json:"destination_vault_arn"`
	Lifecycle           *Lifecycle `json:"lifecycle,omitempty"`
}

// Selection assigns resources to a plan.
type Selection struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	IAMRole string `json:"iam_role,omitempty"`
	// Resources are ARNs or ARN patterns ("*" = all supported resources).
	Resources    []string `json:"resources,omitempty"`
	NotResources []string `json:"not_resources,omitempty"`
	// Tags select resources by tag (ListOfTags, STRINGEQUALS).
	Tags []Condition `json:"tags,omitempty"`
	// Conditions are the newer StringEquals/StringLike/… tag conditions.
	Conditions []Condition `json:"conditions,omitempty"`
}

// Condition is one tag condition of a selection.
type Condition struct {
	Operator string `json:"operator"` // STRINGEQUALS | StringEquals | StringNotEquals | StringLike | StringNotLike
	Key      string `json:"key"`
	Value    string `json:"value"`
}

// ProtectedResource is a resource AWS Backup has backed up.
type ProtectedResource struct {
	ARN            string     `json:"arn"`
	Type           string     `json:"type"`
	LastBackupTime *time.Time `json:"last_backup_time,omitempty"`
}
