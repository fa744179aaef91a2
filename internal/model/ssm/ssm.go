// Package ssm is the snapshot model of AWS Systems Manager, one Region at a
// time: the managed nodes (which instances SSM can patch and inspect) and
// their compliance summaries (patch, association, custom).
package ssm

import (
	"time"

	"github.com/demarc-sec/demarc/internal/model/core"
)

// Region is the Systems Manager state of one region.
type Region struct {
	Name             string                      `json:"name"`
	ManagedInstances core.Val[[]ManagedInstance] `json:"managed_instances"`
	// Compliance are the per-resource compliance summaries
	// (ListResourceComplianceSummaries), all compliance types.
	Compliance core.Val[[]ComplianceSummary] `json:"compliance"`
}

// ManagedInstance is a node registered with SSM (DescribeInstanceInformation).
type ManagedInstance struct {
	core.Meta
	// ID is an EC2 instance ID (i-…) or a hybrid managed node ID (mi-…).
	ID string `json:"id"`
	// PingStatus is Online | ConnectionLost | Inactive.
	PingStatus        string     `json:"ping_status"`
	LastPing          *time.Time `json:"last_ping,omitempty"`
	ResourceType      string     `json:"resource_type,omitempty"` // EC2Instance | ManagedInstance
	PlatformType      string     `json:"platform_type,omitempty"` // Linux | Windows | MacOS
	PlatformName      string     `json:"platform_name,omitempty"`
	PlatformVersion   string     `json:"platform_version,omitempty"`
	AgentVersion      string     `json:"agent_version,omitempty"`
	AgentLatest       bool       `json:"agent_latest"`
	AssociationStatus string     `json:"association_status,omitempty"`
}

// ComplianceSummary is the compliance of one resource for one compliance type.
type ComplianceSummary struct {
	ResourceID   string `json:"resource_id"`
	ResourceType string `json:"resource_type"` // ManagedInstance, …
	// ComplianceType is Patch | Association | Custom:….
	ComplianceType string `json:"compliance_type"`
	// Status is COMPLIANT | NON_COMPLIANT.
	Status            string     `json:"status"`
	OverallSeverity   string     `json:"overall_severity,omitempty"`
	CompliantCount    int        `json:"compliant_count"`
	NonCompliantCount int        `json:"non_compliant_count"`
	ExecutionTime     *time.Time `json:"execution_time,omitempty"`
}
