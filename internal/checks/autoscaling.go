package checks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/autoscaling"
	"github.com/demarc-sec/demarc/internal/model/core"
)

// Auto Scaling launches the instances; how they are launched (metadata
// service, public addresses, launch templates), how their health is judged
// and how diverse the fleet is are the customer's configuration. Multi-AZ
// spread (AutoScaling.2) lives with the availability rules.

func autoscalingRules() []Rule {
	return []Rule{
		{
			ID:             "autoscaling-elb-health-check",
			Title:          "Auto Scaling groups behind a load balancer use its health checks",
			Service:        "autoscaling",
			Severity:       Low,
			Responsibility: LayerResilience,
			Frameworks:     map[string][]string{FSBP: {"AutoScaling.1"}},
			Description: "With only EC2 status checks, an instance whose application stopped answering stays in service; " +
				"the ELB health check lets the group replace it. Groups without load balancers or target groups are out of scope.",
			Remediation: "  aws autoscaling update-auto-scaling-group --auto-scaling-group-name ASG --health-check-type ELB --health-check-grace-period 300\n" +
				"Terraform: resource \"aws_autoscaling_group\" \"g\" { health_check_type = \"ELB\" }",
			Links: []string{"https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-health-checks.html",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/autoscaling-controls.html#autoscaling-1"},
			Check: eachASG(func(g autoscaling.Group) (Status, string) {
				if len(g.LoadBalancerNames) == 0 && len(g.TargetGroupARNs) == 0 {
					return "", ""
				}
				for _, t := range strings.Split(g.HealthCheckType, ",") {
					if strings.EqualFold(strings.TrimSpace(t), "ELB") {
						return Pass, fmt.Sprintf("group %s uses Elastic Load Balancing health checks", g.Name)
					}
				}
				return Fail, fmt.Sprintf("group %s is behind a load balancer but uses %s health checks only", g.Name, orStr(g.HealthCheckType, "EC2"))
			}),
		},
		{
			ID:             "autoscaling-launch-config-imdsv2",
			Title:          "Auto Scaling launch configurations require IMDSv2",
			Service:        "autoscaling",
			Severity:       High,
			Responsibility: LayerGuestOS,
			Frameworks:     map[string][]string{FSBP: {"AutoScaling.3"}},
			Description: "Instances launched from a launch configuration that does not set HttpTokens=required answer IMDSv1, " +
				"whose unauthenticated requests SSRF bugs turn into stolen role credentials. A launch configuration " +
				"without metadata options allows IMDSv1.",
			Remediation: "Launch configurations cannot be changed: create a launch template (preferred) or a new configuration:\n" +
				"  aws ec2 create-launch-template --launch-template-name NAME --launch-template-data \\\n" +
				"      '{\"ImageId\":\"AMI\",\"MetadataOptions\":{\"HttpTokens\":\"required\",\"HttpPutResponseHopLimit\":1}}'\n" +
				"Terraform: resource \"aws_launch_template\" \"t\" { metadata_options { http_tokens = \"required\" } }",
			Links: []string{"https://docs.aws.amazon.com/autoscaling/ec2/userguide/create-launch-config.html#launch-configurations-imds",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/autoscaling-controls.html#autoscaling-3"},
			Check: eachLaunchConfig(func(lc autoscaling.LaunchConfiguration, _ *autoscaling.Region) (Status, string) {
				if strings.EqualFold(lc.MetadataHTTPTokens, "required") {
					return Pass, fmt.Sprintf("launch configuration %s requires IMDSv2 tokens", lc.Name)
				}
				return Fail, fmt.Sprintf("launch configuration %s allows IMDSv1 (HttpTokens=%s)", lc.Name, orStr(lc.MetadataHTTPTokens, "not set"))
			}),
		},
		{
			ID:             "autoscaling-launch-config-hop-limit",
			Title:          "Auto Scaling launch configurations keep the metadata response hop limit at 1",
			Service:        "autoscaling",
			Severity:       High,
			Responsibility: LayerGuestOS,
			Frameworks:     map[string][]string{FSBP: {"AutoScaling.4"}},
			Description: "A hop limit above 1 lets metadata responses (and IMDSv2 tokens) travel beyond the instance, e.g. to " +
				"containers or forwarded traffic. Not set means the default of 1.",
			Remediation: "Create a new launch template or configuration with the hop limit at 1:\n" +
				"  aws ec2 create-launch-template --launch-template-name NAME --launch-template-data \\\n" +
				"      '{\"MetadataOptions\":{\"HttpTokens\":\"required\",\"HttpPutResponseHopLimit\":1}}'\n" +
				"Terraform: resource \"aws_launch_template\" \"t\" { metadata_options { http_put_response_hop_limit = 1 } }",
			Links: []string{"https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-options.html",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/autoscaling-controls.html#autoscaling-4"},
			Check: eachLaunchConfig(func(lc autoscaling.LaunchConfiguration, _ *autoscaling.Region) (Status, string) {
				if lc.MetadataHopLimit > 1 {
					return Fail, fmt.Sprintf("launch configuration %s sets the metadata response hop limit to %d", lc.Name, lc.MetadataHopLimit)
				}
				return Pass, fmt.Sprintf("launch configuration %s keeps the metadata response hop limit at 1", lc.Name)
			}),
		},
		{
			ID:             "autoscaling-launch-config-no-public-ip",
			Title:          "Auto Scaling launch configurations do not assign public IP addresses",
			Service:        "autoscaling",
			Severity:       High,
			Responsibility: LayerNetwork,
			Frameworks:     map[string][]string{FSBP: {"AutoScaling.5"}},
			Description: "Instances with a public IP address are reachable from the internet wherever security groups and " +
				"network ACLs allow it. A launch configuration that sets AssociatePublicIpAddress=true FAILs; one that " +
				"leaves it unset follows its subnets, and FAILs when a group using it launches into a subnet that " +
				"assigns public addresses (as far as the EC2 data shows).",
			Remediation: "Create a new launch template or configuration without a public address, and move the group to it:\n" +
				"  aws autoscaling create-launch-configuration --launch-configuration-name NAME --image-id AMI --instance-type T \\\n" +
				"      --no-associate-public-ip-address\n" +
				"Terraform: resource \"aws_launch_template\" \"t\" { network_interfaces { associate_public_ip_address = false } }",
			Links: []string{"https://docs.aws.amazon.com/autoscaling/ec2/userguide/asg-in-vpc.html#as-vpc-ipaddress",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/autoscaling-controls.html#autoscaling-5"},
			Check: func(s *model.Snapshot) []Result {
				return eachLaunchConfig(func(lc autoscaling.LaunchConfiguration, r *autoscaling.Region) (Status, string) {
					return judgeLaunchConfigPublicIP(s, lc, r)
				})(s)
			},
		},
		{
			ID:             "autoscaling-multiple-instance-types",
			Title:          "Auto Scaling groups use more than one instance type",
			Service:        "autoscaling",
			Severity:       Medium,
			Responsibility: LayerResilience,
			Frameworks:     map[string][]string{FSBP: {"AutoScaling.6"}},
			Description: "A mixed instances policy with several instance types lets the group launch capacity when one type " +
				"is scarce in a zone. A group with a single instance type FAILs; a mixed instances policy without " +
				"explicit types (attribute-based selection) is UNKNOWN, as the chosen types are not collected.",
			Remediation: "  aws autoscaling update-auto-scaling-group --auto-scaling-group-name ASG --mixed-instances-policy file://mip.json\n" +
				"    # LaunchTemplate.Overrides: [{\"InstanceType\":\"m6i.large\"},{\"InstanceType\":\"m5.large\"}]\n" +
				"Terraform: mixed_instances_policy { launch_template { override { instance_type = \"m6i.large\" } override { instance_type = \"m5.large\" } } }",
			Links: []string{"https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-mixed-instances-groups.html",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/autoscaling-controls.html#autoscaling-6"},
			Check: eachASG(func(g autoscaling.Group) (Status, string) {
				types := map[string]bool{}
				for _, t := range g.InstanceTypes {
					types[t] = true
				}
				switch {
				case len(types) >= 2:
					return Pass, fmt.Sprintf("group %s uses %d instance types (%s)", g.Name, len(types), strings.Join(sortedSet(types), ", "))
				case g.MixedInstances && len(types) == 0:
					return Unknown, fmt.Sprintf("group %s has a mixed instances policy without explicit instance types; the types it selects are not collected", g.Name)
				}
				return Fail, fmt.Sprintf("group %s uses a single instance type", g.Name)
			}),
		},
		{
			ID:             "autoscaling-launch-template",
			Title:          "Auto Scaling groups use EC2 launch templates",
			Service:        "autoscaling",
			Severity:       Medium,
			Responsibility: LayerGuestOS,
			Frameworks:     map[string][]string{FSBP: {"AutoScaling.9"}},
			Description: "Launch configurations are legacy: they get no new EC2 features (e.g. newer instance types and " +
				"metadata options) and cannot be versioned. Launch templates, directly or in a mixed instances policy, pass.",
			Remediation: "  aws autoscaling update-auto-scaling-group --auto-scaling-group-name ASG \\\n" +
				"      --launch-template LaunchTemplateName=NAME,Version='$Default'\n" +
				"Terraform: resource \"aws_autoscaling_group\" \"g\" { launch_template { id = aws_launch_template.t.id, version = \"$Default\" } }",
			Links: []string{"https://docs.aws.amazon.com/autoscaling/ec2/userguide/migrate-to-launch-templates.html",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/autoscaling-controls.html#autoscaling-9"},
			Check: eachASG(func(g autoscaling.Group) (Status, string) {
				switch {
				case g.LaunchTemplate != nil:
					return Pass, fmt.Sprintf("group %s uses launch template %s", g.Name, orStr(g.LaunchTemplate.Name, g.LaunchTemplate.ID))
				case g.LaunchConfiguration != "":
					return Fail, fmt.Sprintf("group %s uses launch configuration %s", g.Name, g.LaunchConfiguration)
				}
				return Unknown, fmt.Sprintf("group %s: neither a launch template nor a launch configuration is reported", g.Name)
			}),
		},
	}
}

// eachASG judges every Auto Scaling group; an empty status leaves the group
// out (outside the control's scope).
func eachASG(judge func(g autoscaling.Group) (Status, string)) func(*model.Snapshot) []Result {
	return func(s *model.Snapshot) []Result {
		sr := svcRegions[autoscaling.Region, autoscaling.Group]{
			service: "autoscaling", what: "Auto Scaling groups", wildcard: "autoScalingGroup:*", regions: s.AutoScaling,
			name: func(r *autoscaling.Region) string { return r.Name },
			list: func(r *autoscaling.Region) core.Val[[]autoscaling.Group] { return r.Groups },
		}
		return sr.eachItem(s, func(region string, g autoscaling.Group) *Result {
			st, msg := judge(g)
			if st == "" {
				return nil
			}
			arn := orARN(g.ARN, regionalARN(s, "autoscaling", region, "autoScalingGroup:*:autoScalingGroupName/"+g.Name))
			return &Result{Status: st, ResourceARN: arn, Region: regionOr(g.Meta, region), Message: msg}
		})
	}
}

// eachLaunchConfig judges every launch configuration, used by a group or not
// (an unused one is still a template for future instances).
func eachLaunchConfig(judge func(lc autoscaling.LaunchConfiguration, r *autoscaling.Region) (Status, string)) func(*model.Snapshot) []Result {
	return func(s *model.Snapshot) []Result {
		byName := map[string]*autoscaling.Region{}
		for i := range s.AutoScaling {
			byName[s.AutoScaling[i].Name] = &s.AutoScaling[i]
		}
		sr := svcRegions[autoscaling.Region, autoscaling.LaunchConfiguration]{
			service: "autoscaling", what: "Auto Scaling launch configurations", wildcard: "launchConfiguration:*", regions: s.AutoScaling,
			name: func(r *autoscaling.Region) string { return r.Name },
			list: func(r *autoscaling.Region) core.Val[[]autoscaling.LaunchConfiguration] { return r.LaunchConfigurations },
		}
		return sr.eachItem(s, func(region string, lc autoscaling.LaunchConfiguration) *Result {
			st, msg := judge(lc, byName[region])
			arn := orARN(lc.ARN, regionalARN(s, "autoscaling", region, "launchConfiguration:*:launchConfigurationName/"+lc.Name))
			return &Result{Status: st, ResourceARN: arn, Region: regionOr(lc.Meta, region), Message: msg}
		})
	}
}

// judgeLaunchConfigPublicIP is AutoScaling.5. An explicit setting decides;
// unset, the subnets of the groups that use the configuration decide.
func judgeLaunchConfigPublicIP(s *model.Snapshot, lc autoscaling.LaunchConfiguration, r *autoscaling.Region) (Status, string) {
	if lc.AssociatePublicIP != nil {
		if *lc.AssociatePublicIP {
			return Fail, fmt.Sprintf("launch configuration %s assigns public IP addresses", lc.Name)
		}
		return Pass, fmt.Sprintf("launch configuration %s does not assign public IP addresses", lc.Name)
	}
	var public []string
	if r != nil {
		groups, _ := r.Groups.Get()
		subnets, _ := subnetIndex(s, r.Name)
		for _, g := range groups {
			if g.LaunchConfiguration != lc.Name {
				continue
			}
			for _, id := range g.SubnetIDs {
				if sn, ok := subnets[id]; ok && sn.MapPublicIPOnLaunch {
					public = append(public, g.Name+" in "+id)
				}
			}
		}
	}
	if len(public) > 0 {
		sort.Strings(public)
		return Fail, fmt.Sprintf("launch configuration %s leaves public addresses to the subnet, and these assign them: %s",
			lc.Name, strings.Join(public, ", "))
	}
	return Pass, fmt.Sprintf("launch configuration %s does not set AssociatePublicIpAddress (instances follow their subnets' setting)", lc.Name)
}
