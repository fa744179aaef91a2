// Package ssm is the snapshot model of AWS Systems Manager, one Region at a
// time: the managed nodes (which instances SSM can patch and inspect), their
// compliance summaries (patch, association, custom), and the SSM documents
// the account owns with whom each is shared.
package ssm

import (
	"strings"
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
	// Documents are the SSM documents the account owns (ListDocuments with
	// the filter Owner=Self); documents of Amazon and documents shared with
	// the account are not listed.
	Documents core.Val[[]Document] `json:"documents"`
}

// Document is an SSM document owned by the account. Meta.ARN is
// arn:PARTITION:ssm:REGION:ACCOUNT:document/NAME.
type Document struct {
	core.Meta
	Name string `json:"name"`
	// DocumentType is Command | Automation | Session | Package | Policy | …
	DocumentType string `json:"document_type,omitempty"`
	// SharedWith are the accounts the document is shared with
	// (DescribeDocumentPermission, PermissionType=Share); the value "all"
	// means the document is public.
	SharedWith core.Val[[]string] `json:"shared_with"`
}

// PublicShareID is the account ID with which a public document is shared
// (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_ModifyDocumentPermission.html).
const PublicShareID = "all"

// Public reports whether the document is shared publicly; known is false
// when its permissions could not be read.
func (d Document) Public() (public, known bool) {
	ids, ok := d.SharedWith.Get()
	if !ok {
		return false, false
	}
	for _, id := range ids {
		if strings.EqualFold(strings.TrimSpace(id), PublicShareID) {
			return true, true
		}
	}
	return false, true
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
