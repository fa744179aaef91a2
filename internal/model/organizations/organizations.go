// Package organizations is the snapshot model of AWS Organizations as seen
// from the scanned account: whether it belongs to an organization, and — when
// it can read them (management or delegated administrator account) — the
// roots, the OU tree, the member accounts, and the service control and
// resource control policies with their targets.
package organizations

import (
	"time"

	"github.com/demarc-sec/demarc/internal/model/core"
)

// Policy types as the Organizations API names them.
const (
	TypeSCP = "SERVICE_CONTROL_POLICY"
	TypeRCP = "RESOURCE_CONTROL_POLICY"
)

// State is the Organizations view of one account (a global, not regional,
// part of the snapshot).
type State struct {
	// Organization is Known(nil) when the account is not in an organization
	// (AWSOrganizationsNotInUseException); the lists below are then Known
	// and empty.
	Organization core.Val[*Organization] `json:"organization"`
	Roots        core.Val[[]Root]        `json:"roots"`
	// OrganizationalUnits is the whole OU tree, flattened (ParentID links).
	OrganizationalUnits core.Val[[]OrganizationalUnit] `json:"organizational_units"`
	Accounts            core.Val[[]Account]            `json:"accounts"`
	SCPs                core.Val[[]Policy]             `json:"service_control_policies"`
	RCPs                core.Val[[]Policy]             `json:"resource_control_policies"`
}

// Organization is DescribeOrganization's answer.
type Organization struct {
	ID  string `json:"id"`
	ARN string `json:"arn"`
	// FeatureSet is ALL or CONSOLIDATED_BILLING (without ALL, no SCPs).
	FeatureSet           string `json:"feature_set"`
	ManagementAccountID  string `json:"management_account_id"`
	ManagementAccountARN string `json:"management_account_arn,omitempty"`
}

// Root is the root of the organization tree.
type Root struct {
	ID   string `json:"id"`
	ARN  string `json:"arn"`
	Name string `json:"name"`
	// PolicyTypes are the policy types enabled in the root; an SCP or RCP
	// has effect only while its type is ENABLED here.
	PolicyTypes []PolicyTypeStatus `json:"policy_types"`
}

// PolicyTypeStatus is one policy type of a root.
type PolicyTypeStatus struct {
	Type   string `json:"type"`
	Status string `json:"status"` // ENABLED | PENDING_ENABLE | PENDING_DISABLE
}

// PolicyTypeEnabled reports whether the root has the policy type enabled.
func (r Root) PolicyTypeEnabled(t string) bool {
	for _, p := range r.PolicyTypes {
		if p.Type == t && p.Status == "ENABLED" {
			return true
		}
	}
	return false
}

// OrganizationalUnit is one OU.
type OrganizationalUnit struct {
	ID       string `json:"id"`
	ARN      string `json:"arn"`
	Name     string `json:"name"`
	ParentID string `json:"parent_id"` // a root ID or an OU ID
}

// Account is a member account of the organization.
type Account struct {
	ID   string `json:"id"`
	ARN  string `json:"arn"`
	Name string `json:"name"`
	// Status is ACTIVE | SUSPENDED | PENDING_CLOSURE (State in newer APIs).
	Status       string     `json:"status"`
	JoinedMethod string     `json:"joined_method,omitempty"` // INVITED | CREATED
	JoinedAt     *time.Time `json:"joined_at,omitempty"`
	// ParentID is the root or OU the account sits in ("" if not read).
	ParentID string `json:"parent_id,omitempty"`
}

// Policy is an SCP or RCP.
type Policy struct {
	ID          string `json:"id"`
	ARN         string `json:"arn"`
	Name        string `json:"name"`
	Type        string `json:"type"`
	Description string `json:"description,omitempty"`
	AWSManaged  bool   `json:"aws_managed"`
	// Content is the policy document.
	Content core.Val[string] `json:"content"`
	// Targets are the roots, OUs and accounts the policy is attached to.
	Targets core.Val[[]Target] `json:"targets"`
}

// Target is where a policy is attached.
type Target struct {
	ID   string `json:"id"`
	ARN  string `json:"arn,omitempty"`
	Name string `json:"name,omitempty"`
	Type string `json:"type"` // ROOT | ORGANIZATIONAL_UNIT | ACCOUNT
}
