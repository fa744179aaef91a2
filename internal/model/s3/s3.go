// Package s3 is the snapshot model of S3: buckets (with their lifecycle,
// replication, notification and Object Lock configurations), access points
// and the account-level Block Public Access configuration.
package s3

import (
	"time"

	"github.com/demarc-sec/demarc/internal/model/core"
)

// Account is the S3 state of one account.
type Account struct {
	// AccountPublicAccessBlock is Known(nil) when none is configured.
	AccountPublicAccessBlock core.Val[*PublicAccessBlock] `json:"account_public_access_block"`
	Buckets                  core.Val[[]Bucket]           `json:"buckets"`
	// AccessPoints holds the access points of each region (S3 Control
	// lists them per region), sorted by region name.
	AccessPoints []AccessPointRegion `json:"access_points,omitempty"`
}

// PublicAccessBlock is a Block Public Access configuration (bucket or account).
type PublicAccessBlock struct {
	BlockPublicAcls       bool `json:"block_public_acls"`
	IgnorePublicAcls      bool `json:"ignore_public_acls"`
	BlockPublicPolicy     bool `json:"block_public_policy"`
	RestrictPublicBuckets bool `json:"restrict_public_buckets"`
}

// All reports whether all four settings are on.
func (p *PublicAccessBlock) All() bool {
	return p != nil && p.BlockPublicAcls && p.IgnorePublicAcls && p.BlockPublicPolicy && p.RestrictPublicBuckets
}

// Bucket is one S3 bucket. Meta.Region is the bucket's region.
type Bucket struct {
	core.Meta
	Name         string    `json:"name"`
	CreationDate time.Time `json:"creation_date"`
	// Policy is Known("") when the bucket has no policy.
	Policy core.Val[string] `json:"policy"`
	// PolicyStatusPublic is AWS's own verdict (GetBucketPolicyStatus); Known(false) when no policy.
	PolicyStatusPublic core.Val[bool] `json:"policy_status_public"`
	// PublicAccessBlock is Known(nil) when the bucket has none.
	PublicAccessBlock core.Val[*PublicAccessBlock] `json:"public_access_block"`
	// Encryption is Known(nil) when no default encryption configuration exists.
	Encryption core.Val[*Encryption] `json:"encryption"`
	Versioning core.Val[Versioning]  `json:"versioning"`
	// Logging is Known(nil) when server access logging is off.
	Logging core.Val[*Logging] `json:"logging"`
	ACL     core.Val[ACL]      `json:"acl"`
	// ObjectOwnership is Known("") when no ownership controls are set.
	ObjectOwnership core.Val[string] `json:"object_ownership"`
	// Lifecycle is Known(nil) when the bucket has no lifecycle
	// configuration (NoSuchLifecycleConfiguration).
	Lifecycle core.Val[*Lifecycle] `json:"lifecycle"`
	// Replication is Known(nil) when the bucket has no replication
	// configuration (ReplicationConfigurationNotFoundError).
	Replication core.Val[*Replication] `json:"replication"`
	// Notifications is the event notification configuration; a bucket
	// without one is Known with nothing enabled.
	Notifications core.Val[Notifications] `json:"notifications"`
	// ObjectLock is Known(nil) when Object Lock was never enabled
	// (ObjectLockConfigurationNotFoundError).
	ObjectLock core.Val[*ObjectLock] `json:"object_lock"`
}

// Encryption is the default encryption configuration.
type Encryption struct {
	Rules []EncryptionRule `json:"rules"`
}

// EncryptionRule is one server-side encryption rule.
type EncryptionRule struct {
	SSEAlgorithm     string `json:"sse_algorithm"` // AES256 | aws:kms | aws:kms:dsse
	KMSMasterKeyID   string `json:"kms_master_key_id,omitempty"`
	BucketKeyEnabled bool   `json:"bucket_key_enabled"`
}

// Versioning is the bucket versioning state.
type Versioning struct {
	Status    string `json:"status"`     // "" (never enabled) | Enabled | Suspended
	MFADelete string `json:"mfa_delete"` // "" | Enabled | Disabled
}

// Logging is the server access logging target.
type Logging struct {
	TargetBucket string `json:"target_bucket"`
	TargetPrefix string `json:"target_prefix"`
}

// ACL is a bucket access control list.
type ACL struct {
	OwnerID string  `json:"owner_id"`
	Grants  []Grant `json:"grants"`
}

// Grant is one ACL grant.
type Grant struct {
	GranteeType string `json:"grantee_type"` // CanonicalUser | Group | AmazonCustomerByEmail
	GranteeID   string `json:"grantee_id,omitempty"`
	GranteeURI  string `json:"grantee_uri,omitempty"`
	Permission  string `json:"permission"` // FULL_CONTROL | READ | WRITE | READ_ACP | WRITE_ACP
}

// Grantee group URIs that make a grant public.
const (
	AllUsersURI           = "http://acs.amazonaws.com/groups/global/AllUsers"
	AuthenticatedUsersURI = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
)
