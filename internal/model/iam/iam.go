// Package iam is the snapshot model of an account's IAM: principals, policies
// with every version's document, credentials and account-wide settings.
//
// Policy documents are stored as the JSON text AWS returns (URL-decoded);
// the IAM analysis engine parses them.
package iam

import (
	"time"

	"github.com/demarc-sec/demarc/internal/model/core"
)

// Account is the IAM state of one AWS account.
type Account struct {
	// From GetAccountAuthorizationDetails.
	Users            core.Val[[]User]            `json:"users"`
	Groups           core.Val[[]Group]           `json:"groups"`
	Roles            core.Val[[]Role]            `json:"roles"`
	Policies         core.Val[[]ManagedPolicy]   `json:"policies"` // customer-managed and attached AWS-managed
	InstanceProfiles core.Val[[]InstanceProfile] `json:"instance_profiles"`

	// PasswordPolicy is Known(nil) when the account has no custom policy.
	PasswordPolicy   core.Val[*PasswordPolicy]       `json:"password_policy"`
	Summary          core.Val[map[string]int32]      `json:"summary"` // GetAccountSummary SummaryMap
	CredentialReport core.Val[[]CredentialReportRow] `json:"credential_report"`
	VirtualMFA       core.Val[[]VirtualMFADevice]    `json:"virtual_mfa_devices"`
	// ServerCertificates are the SSL/TLS certificates stored in IAM
	// (ListServerCertificates), for CIS 1.18 / FSBP IAM.26.
	ServerCertificates core.Val[[]ServerCertificate] `json:"server_certificates"`
}

// ServerCertificate is an SSL/TLS certificate stored in IAM. Meta.ARN is the
// certificate ARN (arn:aws:iam::ACCOUNT:server-certificate/PATH/NAME).
type ServerCertificate struct {
	core.Meta
	Name       string     `json:"name"`
	ID         string     `json:"id"`
	Path       string     `json:"path"`
	UploadDate *time.Time `json:"upload_date,omitempty"`
	// Expiration is nil when IAM did not report it.
	Expiration *time.Time `json:"expiration,omitempty"`
}

// InlinePolicy is a policy embedded in a user, group or role.
type InlinePolicy struct {
	Name     string `json:"name"`
	Document string `json:"document"`
}

// AttachedPolicy references a managed policy.
type AttachedPolicy struct {
	Name string `json:"name"`
	ARN  string `json:"arn"`
}

// User is an IAM user.
type User struct {
	core.Meta
	Name                string           `json:"name"`
	UserID              string           `json:"user_id"`
	Path                string           `json:"path"`
	CreateDate          time.Time        `json:"create_date"`
	PasswordLastUsed    *time.Time       `json:"password_last_used,omitempty"`
	InlinePolicies      []InlinePolicy   `json:"inline_policies,omitempty"`
	AttachedPolicies    []AttachedPolicy `json:"attached_policies,omitempty"`
	Groups              []string         `json:"groups,omitempty"` // group names
	PermissionsBoundary string           `json:"permissions_boundary,omitempty"`
	// LoginProfile is Known(true) when the user has a console password.
	LoginProfile core.Val[bool]        `json:"login_profile"`
	MFADevices   core.Val[[]MFADevice] `json:"mfa_devices"`
	AccessKeys   core.Val[[]AccessKey] `json:"access_keys"`
}

// MFADevice is an MFA device assigned to a user.
type MFADevice struct {
	SerialNumber string    `json:"serial_number"`
	EnableDate   time.Time `json:"enable_date"`
}

// AccessKey is a user's long-term access key.
type AccessKey struct {
	ID         string    `json:"id"`
	Status     string    `json:"status"` // Active | Inactive
	CreateDate time.Time `json:"create_date"`
	// LastUsed is Known(nil) when the key was never used.
	LastUsed        core.Val[*time.Time] `json:"last_used"`
	LastUsedService string               `json:"last_used_service,omitempty"`
	LastUsedRegion  string               `json:"last_used_region,omitempty"`
}

// Group is an IAM group.
type Group struct {
	core.Meta
	Name             string           `json:"name"`
	GroupID          string           `json:"group_id"`
	Path             string           `json:"path"`
	CreateDate       time.Time        `json:"create_date"`
	InlinePolicies   []InlinePolicy   `json:"inline_policies,omitempty"`
	AttachedPolicies []AttachedPolicy `json:"attached_policies,omitempty"`
}

// Role is an IAM role.
type Role struct {
	core.Meta
	Name                string           `json:"name"`
	RoleID              string           `json:"role_id"`
	Path                string           `json:"path"`
	CreateDate          time.Time        `json:"create_date"`
	AssumeRolePolicy    string           `json:"assume_role_policy"`
	InlinePolicies      []InlinePolicy   `json:"inline_policies,omitempty"`
	AttachedPolicies    []AttachedPolicy `json:"attached_policies,omitempty"`
	PermissionsBoundary string           `json:"permissions_boundary,omitempty"`
	InstanceProfiles    []string         `json:"instance_profiles,omitempty"` // ARNs
	MaxSessionDuration  int32            `json:"max_session_duration,omitempty"`
	// LastUsed is Known(nil) when the role was never used (within the tracking period).
	LastUsed core.Val[*time.Time] `json:"last_used"`
}

// ServiceLinked reports whether the role is service-linked (path /aws-service-role/).
func (r Role) ServiceLinked() bool { return len(r.Path) >= 18 && r.Path[:18] == "/aws-service-role/" }

// ManagedPolicy is a managed policy with all its versions.
type ManagedPolicy struct {
	core.Meta
	Name             string          `json:"name"`
	PolicyID         string          `json:"policy_id,omitempty"`
	Path             string          `json:"path"`
	DefaultVersionID string          `json:"default_version_id"`
	AttachmentCount  int32           `json:"attachment_count"`
	IsAttachable     bool            `json:"is_attachable"`
	AWSManaged       bool            `json:"aws_managed"`
	Versions         []PolicyVersion `json:"versions"`
}

// DefaultDocument returns the document of the default version ("" if absent).
func (p ManagedPolicy) DefaultDocument() string {
	for _, v := range p.Versions {
		if v.IsDefault || v.VersionID == p.DefaultVersionID {
			return v.Document
		}
	}
	return ""
}

// PolicyVersion is one version of a managed policy.
type PolicyVersion struct {
	VersionID  string    `json:"version_id"`
	IsDefault  bool      `json:"is_default"`
	Document   string    `json:"document"`
	CreateDate time.Time `json:"create_date"`
}

// InstanceProfile links roles to EC2 instances.
type InstanceProfile struct {
	core.Meta
	Name  string   `json:"name"`
	Roles []string `json:"roles"` // role ARNs
}

// PasswordPolicy is the account password policy.
type PasswordPolicy struct {
	MinimumPasswordLength      int32 `json:"minimum_password_length"`
	RequireSymbols             bool  `json:"require_symbols"`
	RequireNumbers             bool  `json:"require_numbers"`
	RequireUppercaseCharacters bool  `json:"require_uppercase_characters"`
	RequireLowercaseCharacters bool  `json:"require_lowercase_characters"`
	AllowUsersToChangePassword bool  `json:"allow_users_to_change_password"`
	ExpirePasswords            bool  `json:"expire_passwords"`
	MaxPasswordAge             int32 `json:"max_password_age,omitempty"`
	PasswordReusePrevention    int32 `json:"password_reuse_prevention,omitempty"`
	HardExpiry                 bool  `json:"hard_expiry"`
}

// RootUserName is the credential report's name for the root user.
const RootUserName = "<root_account>"

// CredentialReportRow is one parsed line of the IAM credential report.
// Times are nil when the report says N/A, no_information or not_supported.
type CredentialReportRow struct {
	User                  string     `json:"user"`
	ARN                   string     `json:"arn"`
	UserCreationTime      *time.Time `json:"user_creation_time,omitempty"`
	PasswordEnabled       bool       `json:"password_enabled"`
	PasswordLastUsed      *time.Time `json:"password_last_used,omitempty"`
	PasswordLastChanged   *time.Time `json:"password_last_changed,omitempty"`
	MFAActive             bool       `json:"mfa_active"`
	AccessKey1Active      bool       `json:"access_key_1_active"`
	AccessKey1LastRotated *time.Time `json:"access_key_1_last_rotated,omitempty"`
	AccessKey1LastUsed    *time.Time `json:"access_key_1_last_used,omitempty"`
	AccessKey2Active      bool       `json:"access_key_2_active"`
	AccessKey2LastRotated *time.Time `json:"access_key_2_last_rotated,omitempty"`
	AccessKey2LastUsed    *time.Time `json:"access_key_2_last_used,omitempty"`
	Cert1Active           bool       `json:"cert_1_active"`
	Cert2Active           bool       `json:"cert_2_active"`
}

// VirtualMFADevice is a virtual MFA device; User is the ARN of the user it is
// assigned to ("" when unassigned). A root virtual device has a serial
// ending in ":mfa/root-account-mfa-device" and a root user ARN.
type VirtualMFADevice struct {
	SerialNumber string `json:"serial_number"`
	User         string `json:"user,omitempty"`
}
