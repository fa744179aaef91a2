// Package cloudtrail is the snapshot model of CloudTrail trails.
package cloudtrail

import (
	"time"

	"github.com/demarc-sec/demarc/internal/model/core"
)

// Account holds every trail visible in the collected regions, de-duplicated
// by ARN (a multi-region trail appears once, with its home region).
type Account struct {
	Trails core.Val[[]Trail] `json:"trails"`
	// RegionsRead lists the regions where DescribeTrails succeeded.
	RegionsRead []string `json:"regions_read"`
}

// Trail is one trail.
type Trail struct {
	core.Meta
	Name                       string              `json:"name"`
	HomeRegion                 string              `json:"home_region"`
	IsMultiRegion              bool                `json:"is_multi_region"`
	IsOrganizationTrail        bool                `json:"is_organization_trail"`
	IncludeGlobalServiceEvents bool                `json:"include_global_service_events"`
	LogFileValidation          bool                `json:"log_file_validation"`
	KMSKeyID                   string              `json:"kms_key_id,omitempty"`
	S3BucketName               string              `json:"s3_bucket_name,omitempty"`
	CloudWatchLogsLogGroupARN  string              `json:"cloudwatch_logs_log_group_arn,omitempty"`
	CloudWatchLogsRoleARN      string              `json:"cloudwatch_logs_role_arn,omitempty"`
	Status                     core.Val[Status]    `json:"status"`
	Selectors                  core.Val[Selectors] `json:"selectors"`
}

// Status is GetTrailStatus.
type Status struct {
	IsLogging                bool       `json:"is_logging"`
	LatestDeliveryTime       *time.Time `json:"latest_delivery_time,omitempty"`
	LatestCloudWatchDelivery *time.Time `json:"latest_cloudwatch_logs_delivery_time,omitempty"`
	LatestDeliveryError      string     `json:"latest_delivery_error,omitempty"`
}

// Selectors is GetEventSelectors: basic or advanced selectors.
type Selectors struct {
	Basic    []EventSelector    `json:"basic,omitempty"`
	Advanced []AdvancedSelector `json:"advanced,omitempty"`
}

// EventSelector is a basic event selector.
type EventSelector struct {
	ReadWriteType           string         `json:"read_write_type"` // All | ReadOnly | WriteOnly
	IncludeManagementEvents bool           `json:"include_management_events"`
	ExcludeSources          []string       `json:"exclude_management_event_sources,omitempty"`
	DataResources           []DataResource `json:"data_resources,omitempty"`
}

// DataResource is a data event selector entry.
type DataResource struct {
	Type   string   `json:"type"` // e.g. AWS::S3::Object
	Values []string `json:"values"`
}

// AdvancedSelector is an advanced event selector.
type AdvancedSelector struct {
	Name   string          `json:"name,omitempty"`
	Fields []FieldSelector `json:"fields"`
}

// FieldSelector is one condition of an advanced selector.
type FieldSelector struct {
	Field         string   `json:"field"`
	Equals        []string `json:"equals,omitempty"`
	NotEquals     []string `json:"not_equals,omitempty"`
	StartsWith    []string `json:"starts_with,omitempty"`
	NotStartsWith []string `json:"not_starts_with,omitempty"`
	EndsWith      []string `json:"ends_with,omitempty"`
	NotEndsWith   []string `json:"not_ends_with,omitempty"`
}
