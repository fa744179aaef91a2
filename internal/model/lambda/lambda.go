// Package lambda is the snapshot model of AWS Lambda functions, one Region
// at a time. Environment variable values are never collected: only their
// names, so a rule can flag likely secrets without the snapshot holding them.
package lambda

import (
	"github.com/demarc-sec/demarc/internal/model/core"
)

// Region is the Lambda state of one region.
type Region struct {
	Name      string               `json:"name"`
	Functions core.Val[[]Function] `json:"functions"`
}

// Function is a Lambda function ($LATEST). Meta.ARN is the unqualified
// function ARN.
type Function struct {
	core.Meta
	Name string `json:"name"`
	// Runtime is empty for container-image functions (PackageType Image).
	Runtime       string   `json:"runtime,omitempty"`
	PackageType   string   `json:"package_type,omitempty"` // Zip | Image
	Role          string   `json:"role"`
	Architectures []string `json:"architectures,omitempty"`
	// VPC is nil when the function is not attached to a VPC.
	VPC *VPCConfig `json:"vpc,omitempty"`
	// EnvVarNames are the names of the environment variables, sorted.
	EnvVarNames []string `json:"env_var_names,omitempty"`
	// KMSKeyARN encrypts the environment variables ("" = AWS managed key).
	KMSKeyARN    string   `json:"kms_key_arn,omitempty"`
	TracingMode  string   `json:"tracing_mode,omitempty"` // Active | PassThrough
	LastModified string   `json:"last_modified,omitempty"`
	Layers       []string `json:"layers,omitempty"`
	// DeadLetterTarget is the ARN of the dead-letter queue or topic.
	DeadLetterTarget string `json:"dead_letter_target,omitempty"`
	// Policy is the resource-based policy of the unqualified function;
	// Known("") when it has none.
	Policy core.Val[string] `json:"policy"`
	// URLs are the function URLs of the function and its aliases.
	URLs core.Val[[]FunctionURL] `json:"urls"`
}

// VPCConfig is the function's VPC attachment.
type VPCConfig struct {
	VPCID            string   `json:"vpc_id"`
	SubnetIDs        []string `json:"subnet_ids"`
	SecurityGroupIDs []string `json:"security_group_ids"`
}

// FunctionURL is one function URL configuration.
type FunctionURL struct {
	// FunctionARN is the (possibly alias-qualified) function the URL invokes.
	FunctionARN string `json:"function_arn"`
	URL         string `json:"url"`
	// AuthType NONE makes the URL callable by anyone the resource policy
	// allows, without SigV4; AWS_IAM requires signed requests.
	AuthType string `json:"auth_type"`
}
