// Package autoscaling is the snapshot model of EC2 Auto Scaling, one Region
// at a time: groups (AZ spread, subnets, launch template or configuration,
// health checks, load balancers) and launch configurations.
package autoscaling

import (
	"time"

	"github.com/demarc-sec/demarc/internal/model/core"
)

// Region is the Auto Scaling state of one region.
type Region struct {
	Name                 string                          `json:"name"`
	Groups               core.Val[[]Group]               `json:"groups"`
	LaunchConfigurations core.Val[[]LaunchConfiguration] `json:"launch_configurations"`
}

// Group is one Auto Scaling group. Meta.ARN is the group ARN.
type Group struct {
	core.Meta
	Name              string   `json:"name"`
	AvailabilityZones []string `json:"availability_zones"`
	SubnetIDs         []string `json:"subnet_ids,omitempty"`
	// LaunchConfiguration is set when the group uses a launch configuration.
	LaunchConfiguration string `json:"launch_configuration,omitempty"`
	// LaunchTemplate is set when the group uses a launch template, directly
	// or through a mixed instances policy (MixedInstances true).
	LaunchTemplate *TemplateRef `json:"launch_template,omitempty"`
	MixedInstances bool         `json:"mixed_instances"`
	// InstanceTypes are the mixed instances policy's override types.
	InstanceTypes          []string   `json:"instance_types,omitempty"`
	HealthCheckType        string     `json:"health_check_type"` // EC2 | ELB | VPC_LATTICE | EBS (comma-joined by AWS)
	HealthCheckGracePeriod int        `json:"health_check_grace_period,omitempty"`
	LoadBalancerNames      []string   `json:"load_balancer_names,omitempty"`
	TargetGroupARNs        []string   `json:"target_group_arns,omitempty"`
	MinSize                int        `json:"min_size"`
	MaxSize                int        `json:"max_size"`
	DesiredCapacity        int        `json:"desired_capacity"`
	Instances              []Instance `json:"instances,omitempty"`
	CapacityRebalance      bool       `json:"capacity_rebalance"`
	CreatedTime            *time.Time `json:"created_time,omitempty"`
}

// TemplateRef names a launch template and version.
type TemplateRef struct {
	ID      string `json:"id,omitempty"`
	Name    string `json:"name,omitempty"`
	Version string `json:"version,omitempty"` // a number, $Latest or $Default
}

// Instance is a member of a group.
type Instance struct {
	ID               string `json:"id"`
	AvailabilityZone string `json:"availability_zone"`
	LifecycleState   string `json:"lifecycle_state"`
	HealthStatus     string `json:"health_status"`
	InstanceType     string `json:"instance_type,omitempty"`
}

// LaunchConfiguration is a (legacy) launch configuration. User data is never
// collected.
type LaunchConfiguration struct {
	core.Meta
	Name         string `json:"name"`
	ImageID      string `json:"image_id"`
	InstanceType string `json:"instance_type"`
	// AssociatePublicIP is nil when not set: instances then follow the
	// subnet's MapPublicIpOnLaunch.
	AssociatePublicIP  *bool    `json:"associate_public_ip,omitempty"`
	IAMInstanceProfile string   `json:"iam_instance_profile,omitempty"`
	SecurityGroups     []string `json:"security_groups,omitempty"`
	// MetadataHTTPTokens is "required" when IMDSv2 is enforced; "" means not
	// set, which for launch configurations means "optional".
	MetadataHTTPTokens   string        `json:"metadata_http_tokens,omitempty"`
	MetadataHTTPEndpoint string        `json:"metadata_http_endpoint,omitempty"`
	MetadataHopLimit     int           `json:"metadata_hop_limit,omitempty"`
	BlockDevices         []BlockDevice `json:"block_devices,omitempty"`
	CreatedTime          *time.Time    `json:"created_time,omitempty"`
}

// BlockDevice is an EBS mapping of a launch configuration.
type BlockDevice struct {
	DeviceName string `json:"device_name"`
	// Encrypted is nil when not set (the account's EBS default applies).
	Encrypted *bool `json:"encrypted,omitempty"`
}
