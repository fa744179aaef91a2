// Package secsvc models, per region, whether the customer has turned on the
// AWS security services whose use is the customer's duty: GuardDuty,
// Security Hub, Inspector, Macie, AWS Config and IAM Access Analyzer.
package secsvc

import "github.com/demarc-sec/demarc/internal/model/core"

// Region is the enablement state of the security services in one region.
type Region struct {
	Name           string                `json:"name"`
	GuardDuty      core.Val[GuardDuty]   `json:"guardduty"`
	SecurityHub    core.Val[SecurityHub] `json:"securityhub"`
	Inspector      core.Val[Inspector]   `json:"inspector2"`
	Macie          core.Val[Macie]       `json:"macie2"`
	Config         core.Val[Config]      `json:"config"`
	AccessAnalyzer core.Val[[]Analyzer]  `json:"access_analyzers"`
}

// GuardDuty: DetectorID is "" when no detector exists.
type GuardDuty struct {
	DetectorID string `json:"detector_id,omitempty"`
	Status     string `json:"status,omitempty"` // ENABLED | DISABLED
	// Features are the detector's protection plans as GetDetector lists
	// them (S3_DATA_EVENTS, RDS_LOGIN_EVENTS, EKS_AUDIT_LOGS, …), sorted by
	// name. A feature GuardDuty does not list is not known to be on or off:
	// it may not be offered in the region, or the snapshot predates it.
	Features []GuardDutyFeature `json:"features,omitempty"`
	// S3Logs is the legacy DataSources.S3Logs.Status (ENABLED | DISABLED),
	// which GetDetector still reports next to the S3_DATA_EVENTS feature.
	S3Logs string `json:"s3_logs,omitempty"`
}

// GuardDutyFeature is one protection plan of a detector.
type GuardDutyFeature struct {
	Name   string `json:"name"`
	Status string `json:"status"` // ENABLED | DISABLED
}

// GuardDuty feature names (https://docs.aws.amazon.com/guardduty/latest/APIReference/API_DetectorFeatureConfigurationResult.html).
const (
	FeatureS3DataEvents   = "S3_DATA_EVENTS"
	FeatureRDSLoginEvents = "RDS_LOGIN_EVENTS"
)

// Enabled reports whether a detector exists and is enabled.
func (g GuardDuty) Enabled() bool { return g.DetectorID != "" && g.Status == "ENABLED" }

// Feature returns the status GetDetector reported for a feature, and
// whether it reported the feature at all.
func (g GuardDuty) Feature(name string) (string, bool) {
	for _, f := range g.Features {
		if f.Name == name {
			return f.Status, true
		}
	}
	return "", false
}

// SecurityHub: HubARN is "" when Security Hub is not enabled.
type SecurityHub struct {
	HubARN string `json:"hub_arn,omitempty"`
	// Standards are the enabled standards' ARNs (unknown where unsupported).
	Standards core.Val[[]string] `json:"standards"`
}

// Inspector is Inspector2's per-resource-type scan status.
type Inspector struct {
	EC2    string `json:"ec2"` // ENABLED | DISABLED | ENABLING | … ("" = not reported)
	ECR    string `json:"ecr"`
	Lambda string `json:"lambda"`
	// LambdaCode is Lambda code scanning (FSBP Inspector.3), separate from
	// Lambda standard scanning.
	LambdaCode string `json:"lambda_code,omitempty"`
}

// Macie is the Macie session state.
type Macie struct {
	Status string `json:"status"` // ENABLED | PAUSED | "" (no session)
}

// Config is the AWS Config recorder state.
type Config struct {
	Recorders        []Recorder `json:"recorders"`
	DeliveryChannels int        `json:"delivery_channels"`
}

// Recorder is one configuration recorder with its status.
type Recorder struct {
	Name                       string `json:"name"`
	AllSupported               bool   `json:"all_supported"`
	IncludeGlobalResourceTypes bool   `json:"include_global_resource_types"`
	Recording                  bool   `json:"recording"`
	LastStatus                 string `json:"last_status,omitempty"` // SUCCESS | FAILURE | PENDING
}

// Analyzer is an IAM Access Analyzer analyzer.
type Analyzer struct {
	ARN    string `json:"arn"`
	Name   string `json:"name"`
	Type   string `json:"type"`   // ACCOUNT | ORGANIZATION | *_UNUSED_ACCESS
	Status string `json:"status"` // ACTIVE | CREATING | DISABLED | FAILED
}
