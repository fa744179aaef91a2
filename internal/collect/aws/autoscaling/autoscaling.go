// Package autoscaling collects EC2 Auto Scaling in every region: groups
// (AZ spread, subnets, launch template or configuration, health checks,
// load balancers, instances) and launch configurations (IMDS, public IP,
// EBS encryption). User data is never collected: it often holds secrets.
package autoscaling

import (
	"context"
	"sort"
	"strings"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsas "github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling/types"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit"
	"github.com/demarc-sec/demarc/internal/model"
	asm "github.com/demarc-sec/demarc/internal/model/autoscaling"
	"github.com/demarc-sec/demarc/internal/model/core"
)

const service = "autoscaling"

// API is the part of the Auto Scaling client the collector uses.
type API interface {
	awsas.DescribeAutoScalingGroupsAPIClient
	awsas.DescribeLaunchConfigurationsAPIClient
}

type collector struct{}

// New returns the Auto Scaling collector. It is global to the runner and
// reads every region of the snapshot itself, writing only snap.AutoScaling.
func New() aws.Collector { return collector{} }

func (collector) Name() string   { return service }
func (collector) Regional() bool { return false }

func (collector) Collect(ctx context.Context, env *aws.Env, _ string, snap *model.Snapshot) error {
	prefix := snap.ARNPrefix()
	regions, err := kit.PerRegion(ctx, env, service, snap.Regions, kit.RegionConcurrency,
		func(ctx context.Context, region string) (asm.Region, error) {
			return CollectRegion(ctx, env, awsas.NewFromConfig(env.Config(region)), prefix, region)
		})
	snap.AutoScaling = regions
	return err
}

// CollectRegion reads one region. The error is non-nil only when both lists
// failed.
func CollectRegion(ctx context.Context, env *aws.Env, c API, arnPrefix, region string) (asm.Region, error) {
	r := asm.Region{Name: region}
	gp := awsas.NewDescribeAutoScalingGroupsPaginator(c, &awsas.DescribeAutoScalingGroupsInput{})
	groups, gerr := kit.All(ctx, gp.HasMorePages, gp.NextPage, func(o *awsas.DescribeAutoScalingGroupsOutput) []types.AutoScalingGroup { return o.AutoScalingGroups })
	if gerr != nil {
		r.Groups = core.Unknown[[]asm.Group](env.Unknown(service, region, "DescribeAutoScalingGroups", "", gerr))
	} else {
		out := make([]asm.Group, 0, len(groups))
		for _, g := range groups {
			out = append(out, convGroup(arnPrefix, env.AccountID, region, g))
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
		r.Groups = core.Known(out)
	}
	lp := awsas.NewDescribeLaunchConfigurationsPaginator(c, &awsas.DescribeLaunchConfigurationsInput{})
	lcs, lerr := kit.All(ctx, lp.HasMorePages, lp.NextPage, func(o *awsas.DescribeLaunchConfigurationsOutput) []types.LaunchConfiguration {
		return o.LaunchConfigurations
	})
	if lerr != nil {
		r.LaunchConfigurations = core.Unknown[[]asm.LaunchConfiguration](env.Unknown(service, region, "DescribeLaunchConfigurations", "", lerr))
	} else {
		out := make([]asm.LaunchConfiguration, 0, len(lcs))
		for _, l := range lcs {
			out = append(out, convLaunchConfiguration(arnPrefix, env.AccountID, region, l))
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
		r.LaunchConfigurations = core.Known(out)
	}
	if gerr != nil && lerr != nil {
		return r, gerr
	}
	return r, nil
}

func templateRef(s *types.LaunchTemplateSpecification) *asm.TemplateRef {
	if s == nil {
		return nil
	}
	return &asm.TemplateRef{ID: sdk.ToString(s.LaunchTemplateId), Name: sdk.ToString(s.LaunchTemplateName), Version: sdk.ToString(s.Version)}
}

func convGroup(arnPrefix, account, region string, g types.AutoScalingGroup) asm.Group {
	name := sdk.ToString(g.AutoScalingGroupName)
	arn := sdk.ToString(g.AutoScalingGroupARN)
	if arn == "" {
		// The real ARN carries a UUID we cannot know; this form still
		// identifies the group uniquely within the account and region.
		arn = arnPrefix + ":autoscaling:" + region + ":" + account + ":autoScalingGroup:*:autoScalingGroupName/" + name
	}
	out := asm.Group{
		Meta:                   core.Meta{ARN: arn, Account: account, Region: region},
		Name:                   name,
		AvailabilityZones:      sortedCopy(g.AvailabilityZones),
		LaunchConfiguration:    sdk.ToString(g.LaunchConfigurationName),
		LaunchTemplate:         templateRef(g.LaunchTemplate),
		HealthCheckType:        sdk.ToString(g.HealthCheckType),
		HealthCheckGracePeriod: int(sdk.ToInt32(g.HealthCheckGracePeriod)),
		LoadBalancerNames:      sortedCopy(g.LoadBalancerNames),
		TargetGroupARNs:        sortedCopy(g.TargetGroupARNs),
		MinSize:                int(sdk.ToInt32(g.MinSize)),
		MaxSize:                int(sdk.ToInt32(g.MaxSize)),
		DesiredCapacity:        int(sdk.ToInt32(g.DesiredCapacity)),
		CapacityRebalance:      sdk.ToBool(g.CapacityRebalance),
		CreatedTime:            g.CreatedTime,
	}
	if out.AvailabilityZones == nil {
		out.AvailabilityZones = []string{}
	}
	for _, s := range strings.Split(sdk.ToString(g.VPCZoneIdentifier), ",") {
		if s = strings.TrimSpace(s); s != "" {
			out.SubnetIDs = append(out.SubnetIDs, s)
		}
	}
	sort.Strings(out.SubnetIDs)
	if mp := g.MixedInstancesPolicy; mp != nil && mp.LaunchTemplate != nil {
		out.MixedInstances = true
		if out.LaunchTemplate == nil {
			out.LaunchTemplate = templateRef(mp.LaunchTemplate.LaunchTemplateSpecification)
		}
		for _, o := range mp.LaunchTemplate.Overrides {
			if t := sdk.ToString(o.InstanceType); t != "" {
				out.InstanceTypes = append(out.InstanceTypes, t)
			}
		}
		out.InstanceTypes = sortedCopy(out.InstanceTypes)
	}
	for _, i := range g.Instances {
		out.Instances = append(out.Instances, asm.Instance{
			ID: sdk.ToString(i.InstanceId), AvailabilityZone: sdk.ToString(i.AvailabilityZone),
			LifecycleState: string(i.LifecycleState), HealthStatus: sdk.ToString(i.HealthStatus), InstanceType: sdk.ToString(i.InstanceType),
		})
	}
	sort.Slice(out.Instances, func(i, j int) bool { return out.Instances[i].ID < out.Instances[j].ID })
	if len(g.Tags) > 0 {
		out.Tags = map[string]string{}
		for _, t := range g.Tags {
			if t.Key != nil {
				out.Tags[*t.Key] = sdk.ToString(t.Value)
			}
		}
	}
	return out
}

func convLaunchConfiguration(arnPrefix, account, region string, l types.LaunchConfiguration) asm.LaunchConfiguration {
	name := sdk.ToString(l.LaunchConfigurationName)
	arn := sdk.ToString(l.LaunchConfigurationARN)
	if arn == "" {
		arn = arnPrefix + ":autoscaling:" + region + ":" + account + ":launchConfiguration:*:launchConfigurationName/" + name
	}
	out := asm.LaunchConfiguration{
		Meta:               core.Meta{ARN: arn, Account: account, Region: region},
		Name:               name,
		ImageID:            sdk.ToString(l.ImageId),
		InstanceType:       sdk.ToString(l.InstanceType),
		AssociatePublicIP:  l.AssociatePublicIpAddress,
		IAMInstanceProfile: sdk.ToString(l.IamInstanceProfile),
		SecurityGroups:     sortedCopy(l.SecurityGroups),
		CreatedTime:        l.CreatedTime,
	}
	if m := l.MetadataOptions; m != nil {
		out.MetadataHTTPTokens = string(m.HttpTokens)
		out.MetadataHTTPEndpoint = string(m.HttpEndpoint)
		out.MetadataHopLimit = int(sdk.ToInt32(m.HttpPutResponseHopLimit))
	}
	for _, b := range l.BlockDeviceMappings {
		if b.Ebs == nil {
			continue // instance store or NoDevice
		}
		out.BlockDevices = append(out.BlockDevices, asm.BlockDevice{DeviceName: sdk.ToString(b.DeviceName), Encrypted: b.Ebs.Encrypted})
	}
	return out
}

func sortedCopy(ss []string) []string {
	if len(ss) == 0 {
		return nil
	}
	out := append([]string(nil), ss...)
	sort.Strings(out)
	return out
}
