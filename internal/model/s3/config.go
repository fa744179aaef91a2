package s3

import (
	"strings"
	"time"

	"github.com/demarc-sec/demarc/internal/model/core"
)

// Lifecycle is a bucket's S3 Lifecycle configuration
// (GetBucketLifecycleConfiguration).
type Lifecycle struct {
	Rules []LifecycleRule `json:"rules"`
}

// LifecycleRule is one lifecycle rule. Day counts are 0 when the action is
// not configured.
type LifecycleRule struct {
	ID     string `json:"id,omitempty"`
	Status string `json:"status"` // Enabled | Disabled
	// Prefix is the key prefix the rule applies to ("" = every key, or a
	// filter on tags or size only).
	Prefix                             string                `json:"prefix,omitempty"`
	ExpirationDays                     int                   `json:"expiration_days,omitempty"`
	ExpirationDate                     *time.Time            `json:"expiration_date,omitempty"`
	ExpiredObjectDeleteMarker          bool                  `json:"expired_object_delete_marker,omitempty"`
	Transitions                        []LifecycleTransition `json:"transitions,omitempty"`
	NoncurrentExpirationDays           int                   `json:"noncurrent_expiration_days,omitempty"`
	NoncurrentTransitions              []LifecycleTransition `json:"noncurrent_transitions,omitempty"`
	AbortIncompleteMultipartUploadDays int                   `json:"abort_incomplete_multipart_upload_days,omitempty"`
}

// Enabled reports whether S3 applies the rule.
func (r LifecycleRule) Enabled() bool { return r.Status == "Enabled" }

// LifecycleTransition moves objects (or noncurrent versions) to another
// storage class after Days, or on Date.
type LifecycleTransition struct {
	Days         int        `json:"days,omitempty"`
	Date         *time.Time `json:"date,omitempty"`
	StorageClass string     `json:"storage_class"`
}

// Replication is a bucket's replication configuration (GetBucketReplication).
type Replication struct {
	Role  string            `json:"role,omitempty"`
	Rules []ReplicationRule `json:"rules"`
}

// ReplicationRule is one replication rule.
type ReplicationRule struct {
	ID       string `json:"id,omitempty"`
	Status   string `json:"status"` // Enabled | Disabled
	Priority int    `json:"priority,omitempty"`
	// DestinationBucket is the destination bucket's ARN.
	DestinationBucket string `json:"destination_bucket"`
	// DestinationAccount is set when the destination belongs to another
	// account and the rule names it.
	DestinationAccount string `json:"destination_account,omitempty"`
	// DestinationRegion is the destination bucket's region, or "" when the
	// collector could not tell.
	DestinationRegion string `json:"destination_region,omitempty"`
}

// Enabled reports whether S3 applies the rule.
func (r ReplicationRule) Enabled() bool { return r.Status == "Enabled" }

// DestinationName is the destination bucket's name (its ARN without the
// "arn:PARTITION:s3:::" prefix).
func (r ReplicationRule) DestinationName() string {
	if i := strings.Index(r.DestinationBucket, ":s3:::"); i >= 0 {
		return r.DestinationBucket[i+len(":s3:::"):]
	}
	return r.DestinationBucket
}

// Notifications is a bucket's event notification configuration
// (GetBucketNotificationConfiguration).
type Notifications struct {
	// EventBridge is true when S3 sends every event of the bucket to
	// Amazon EventBridge.
	EventBridge bool                 `json:"eventbridge"`
	Targets     []NotificationTarget `json:"targets,omitempty"`
}

// Notification target kinds.
const (
	NotifyTopic  = "topic"
	NotifyQueue  = "queue"
	NotifyLambda = "lambda"
)

// NotificationTarget is one SNS topic, SQS queue or Lambda function
// configuration.
type NotificationTarget struct {
	Kind   string   `json:"kind"` // NotifyTopic | NotifyQueue | NotifyLambda
	ID     string   `json:"id,omitempty"`
	ARN    string   `json:"arn"`
	Events []string `json:"events"`
}

// Enabled reports whether any event notification is configured.
func (n Notifications) Enabled() bool { return n.EventBridge || len(n.Targets) > 0 }

// ObjectLock is a bucket's Object Lock configuration
// (GetObjectLockConfiguration).
type ObjectLock struct {
	// Enabled is ObjectLockEnabled = "Enabled".
	Enabled bool `json:"enabled"`
	// DefaultMode is the default retention mode (GOVERNANCE | COMPLIANCE),
	// "" without a default retention rule.
	DefaultMode  string `json:"default_mode,omitempty"`
	DefaultDays  int    `json:"default_days,omitempty"`
	DefaultYears int    `json:"default_years,omitempty"`
}

// AccessPointRegion is the access points of one region.
type AccessPointRegion struct {
	Name         string                  `json:"name"`
	AccessPoints core.Val[[]AccessPoint] `json:"access_points"`
}

// AccessPoint is one S3 access point of a general purpose bucket.
// Meta.ARN is the access point ARN.
type AccessPoint struct {
	core.Meta
	Name            string `json:"name"`
	Bucket          string `json:"bucket"`
	BucketAccountID string `json:"bucket_account_id,omitempty"`
	NetworkOrigin   string `json:"network_origin,omitempty"` // Internet | VPC
	VPCID           string `json:"vpc_id,omitempty"`
	// PublicAccessBlock is the access point's own Block Public Access
	// configuration (GetAccessPoint); fixed when the access point is made.
	PublicAccessBlock core.Val[*PublicAccessBlock] `json:"public_access_block"`
}
