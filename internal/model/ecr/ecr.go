// Package ecr is the snapshot model of Amazon ECR private registries, one
// Region at a time: repositories (policy, scanning, tag immutability,
// encryption, lifecycle policy) and the registry's scanning configuration.
package ecr

import (
	"time"

	"github.com/demarc-sec/demarc/internal/model/core"
)

// Region is the ECR state of one region.
type Region struct {
	Name         string                 `json:"name"`
	Repositories core.Val[[]Repository] `json:"repositories"`
	// Scanning is the registry-level scanning configuration; enhanced
	// scanning there supersedes the repositories' scan-on-push flag.
	Scanning core.Val[RegistryScanning] `json:"registry_scanning"`
}

// Repository is one private repository. Meta.ARN is the repository ARN.
type Repository struct {
	core.Meta
	Name       string `json:"name"`
	URI        string `json:"uri"`
	RegistryID string `json:"registry_id"`
	// TagMutability is MUTABLE | IMMUTABLE (| *_WITH_EXCLUSION).
	TagMutability string `json:"tag_mutability"`
	ScanOnPush    bool   `json:"scan_on_push"`
	// EncryptionType is AES256 | KMS | KMS_DSSE.
	EncryptionType string     `json:"encryption_type"`
	KMSKey         string     `json:"kms_key,omitempty"`
	CreatedAt      *time.Time `json:"created_at,omitempty"`
	// Policy is the repository policy; Known("") when there is none.
	Policy core.Val[string] `json:"policy"`
	// LifecyclePolicy is the lifecycle policy text; Known("") when none.
	LifecyclePolicy core.Val[string] `json:"lifecycle_policy"`
}

// RegistryScanning is GetRegistryScanningConfiguration's answer.
type RegistryScanning struct {
	ScanType string         `json:"scan_type"` // BASIC | ENHANCED
	Rules    []ScanningRule `json:"rules,omitempty"`
}

// ScanningRule selects repositories for a scan frequency.
type ScanningRule struct {
	Frequency string `json:"frequency"` // SCAN_ON_PUSH | CONTINUOUS_SCAN | MANUAL
	// Filters are repository name filters (wildcards allowed).
	Filters []string `json:"filters"`
}
