// Package identitycenter is the snapshot model of AWS IAM Identity Center
// (formerly AWS SSO): its instance and the permission sets through which
// the workforce signs in to the accounts of an organization.
//
// An Identity Center instance lives in one home region (and, with
// multi-Region replication, may be listed in more), so the collector asks
// ListInstances in every collected region and keeps what each answered. A
// region that answers with no instance is a known "none here"; an account
// with no instance in any collected region has not enabled Identity Center
// there (or it lives in a region that was not collected).
package identitycenter

import "github.com/demarc-sec/demarc/internal/model/core"

// Region is what ListInstances answered in one region.
type Region struct {
	Name      string               `json:"name"`
	Instances core.Val[[]Instance] `json:"instances"`
}

// Instance is an Identity Center instance. Meta.ARN is the instance ARN
// (arn:aws:sso:::instance/ssoins-…); Meta.Region is the region that listed
// it.
type Instance struct {
	core.Meta
	Name            string `json:"name,omitempty"`
	IdentityStoreID string `json:"identity_store_id,omitempty"`
	OwnerAccountID  string `json:"owner_account_id,omitempty"`
	// Status is ACTIVE | CREATE_IN_PROGRESS | DELETE_IN_PROGRESS | …
	Status string `json:"status,omitempty"`
	// PrimaryRegion is the home region when the API reports it.
	PrimaryRegion  string                    `json:"primary_region,omitempty"`
	PermissionSets core.Val[[]PermissionSet] `json:"permission_sets"`
}

// PermissionSet is one permission set with the policies it grants and the
// accounts it is provisioned to. Meta.ARN is the permission set ARN.
type PermissionSet struct {
	core.Meta
	Details core.Val[Details] `json:"details"`
	// ManagedPolicies are the AWS managed policies attached
	// (ListManagedPoliciesInPermissionSet).
	ManagedPolicies core.Val[[]ManagedPolicy] `json:"managed_policies"`
	// CustomerManagedPolicies name policies that must exist in each target
	// account; their documents live there, not in Identity Center.
	CustomerManagedPolicies core.Val[[]PolicyReference] `json:"customer_managed_policies"`
	// InlinePolicy is the inline policy document ("" when there is none).
	InlinePolicy core.Val[string] `json:"inline_policy"`
	// ProvisionedAccounts are the accounts the permission set is
	// provisioned to (ListAccountsForProvisionedPermissionSet).
	ProvisionedAccounts core.Val[[]string] `json:"provisioned_accounts"`
}

// Details are the DescribePermissionSet fields.
type Details struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// SessionDuration is the ISO-8601 duration of a sign-in session (PT1H
	// by default, at most PT12H).
	SessionDuration string `json:"session_duration,omitempty"`
}

// ManagedPolicy is an AWS managed policy attached to a permission set.
type ManagedPolicy struct {
	Name string `json:"name"`
	ARN  string `json:"arn"`
}

// PolicyReference names a customer managed policy by name and path.
type PolicyReference struct {
	Name string `json:"name"`
	Path string `json:"path,omitempty"`
}
