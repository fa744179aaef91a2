package checks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/ec2"
)

// The FSBP EC2 controls about hygiene and connectivity: stopped and
// paravirtual instances, unused Elastic IPs / NACLs / security groups,
// multiple ENIs, the EC2 VPC endpoint, Site-to-Site VPN tunnels, transit
// gateway auto-accept, launch templates with public IPs and Client VPN
// connection logging. Each follows the AWS Config rule behind the control
// (linked from the rule), including its parameter defaults.

// stoppedInstanceAllowedDays is EC2.4's allowedDays parameter default.
// https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-4
const stoppedInstanceAllowedDays = 30

const secHubEC2 = "https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html"

func ec2FSBPRules() []Rule {
	return []Rule{
		{
			ID:             "ec2-stopped-instance-age",
			Title:          fmt.Sprintf("Stopped EC2 instances are removed after %d days", stoppedInstanceAllowedDays),
			Service:        "ec2",
			Severity:       Medium,
			Responsibility: LayerGuestOS,
			Frameworks:     map[string][]string{FSBP: {"EC2.4"}},
			Description: "An instance stopped for long is not patched or monitored; started again, it returns stale software and credentials to the network. " +
				"As in AWS Config's ec2-stopped-instance, an instance fails when it has been stopped longer than the allowed days or when the stop time cannot be determined.",
			Remediation: "Snapshot what you need, then terminate the instance (or start and patch it regularly):\n" +
				"  aws ec2 create-snapshots --instance-specification InstanceId=ID\n" +
				"  aws ec2 terminate-instances --instance-ids ID\n" +
				"Terraform: remove the aws_instance (or set instance_state = \"running\" on aws_ec2_instance_state and keep it maintained).",
			Links: []string{secHubEC2 + "#ec2-4", "https://docs.aws.amazon.com/config/latest/developerguide/ec2-stopped-instance.html"},
			Check: checkStoppedInstanceAge,
		},
		{
			ID:             "ec2-vpc-ec2-endpoint",
			Title:          "Every VPC has a VPC endpoint for the Amazon EC2 API",
			Service:        "vpc",
			Severity:       Medium,
			Responsibility: LayerNetwork,
			Frameworks:     map[string][]string{FSBP: {"EC2.10"}},
			Description: "An interface endpoint for com.amazonaws.REGION.ec2 keeps EC2 API calls from the VPC on the AWS network and lets an endpoint policy restrict them. " +
				"As in AWS Config's service-vpc-endpoint-enabled (serviceName ec2), a VPC without one fails, including VPCs shared from another account.",
			Remediation: "  aws ec2 create-vpc-endpoint --vpc-id VPC --vpc-endpoint-type Interface --service-name com.amazonaws.REGION.ec2 \\\n" +
				"      --subnet-ids SUBNET --security-group-ids SG --private-dns-enabled\n" +
				"Terraform: resource \"aws_vpc_endpoint\" \"ec2\" { vpc_id = aws_vpc.v.id, service_name = \"com.amazonaws.${var.region}.ec2\",\n" +
				"  vpc_endpoint_type = \"Interface\", subnet_ids = [aws_subnet.s.id], security_group_ids = [aws_security_group.e.id], private_dns_enabled = true }",
			Links: []string{secHubEC2 + "#ec2-10", "https://docs.aws.amazon.com/config/latest/developerguide/service-vpc-endpoint-enabled.html",
				"https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/interface-vpc-endpoints.html"},
			Check: checkEC2Endpoint,
		},
		{
			ID:             "ec2-eip-unused",
			Title:          "Elastic IP addresses are attached to an instance or a network interface",
			Service:        "ec2",
			Severity:       Low,
			Responsibility: LayerNetwork,
			Frameworks:     map[string][]string{FSBP: {"EC2.12"}},
			Description: "An unattached Elastic IP is inventory nobody tracks (and is billed); attached later by mistake it exposes a host. " +
				"As in AWS Config's eip-attached, an address without an association fails.",
			Remediation: "  aws ec2 release-address --allocation-id eipalloc-…\n" +
				"Terraform: remove the unused aws_eip, or attach it with aws_eip_association.",
			Links: []string{secHubEC2 + "#ec2-12", "https://docs.aws.amazon.com/config/latest/developerguide/eip-attached.html"},
			Check: checkEIPUnused,
		},
		{
			ID:             "ec2-nacl-unused",
			Title:          "Network ACLs are associated with a subnet",
			Service:        "ec2",
			Severity:       Low,
			Responsibility: LayerNetwork,
			Frameworks:     map[string][]string{FSBP: {"EC2.16"}},
			Description: "An unused network ACL is configuration that nobody reviews; associated later, its rules take effect unexamined. " +
				"As in AWS Config's vpc-network-acl-unused-check, a network ACL with no subnet association fails.",
			Remediation: "  aws ec2 delete-network-acl --network-acl-id acl-…   # a default network ACL cannot be deleted: associate it or accept the finding\n" +
				"Terraform: remove the aws_network_acl, or give it subnet_ids.",
			Links: []string{secHubEC2 + "#ec2-16", "https://docs.aws.amazon.com/config/latest/developerguide/vpc-network-acl-unused-check.html"},
			Check: checkNACLUnused,
		},
		{
			ID:             "ec2-instance-single-eni",
			Title:          "EC2 instances use a single network interface",
			Service:        "ec2",
			Severity:       Low,
			Responsibility: LayerNetwork,
			Frameworks:     map[string][]string{FSBP: {"EC2.17"}},
			Description: "Several ENIs (or EFAs) can make an instance dual-homed across subnets, a path around the network design. " +
				"As in AWS Config's ec2-instance-multiple-eni-check, an instance with more than one network interface fails (EKS nodes included).",
			Remediation: "  aws ec2 detach-network-interface --attachment-id eni-attach-…\n" +
				"Terraform: keep one network_interface block on aws_instance / aws_launch_template; remove extra aws_network_interface_attachment.",
			Links: []string{secHubEC2 + "#ec2-17", "https://docs.aws.amazon.com/config/latest/developerguide/ec2-instance-multiple-eni-check.html"},
			Check: checkInstanceSingleENI,
		},
		{
			ID:             "ec2-vpn-tunnels-up",
			Title:          "Both tunnels of every Site-to-Site VPN connection are up",
			Service:        "ec2",
			Severity:       Medium,
			Responsibility: LayerResilience,
			Frameworks:     map[string][]string{FSBP: {"EC2.20"}},
			Description: "Each Site-to-Site VPN connection has two tunnels for redundancy; with one down, the next maintenance or failure cuts the link. " +
				"As in AWS Config's vpc-vpn-2-tunnels-up, a connection fails when a tunnel's telemetry is DOWN.",
			Remediation: "Configure both tunnels on the customer gateway device (see the downloaded configuration), then check:\n" +
				"  aws ec2 describe-vpn-connections --vpn-connection-ids vpn-… --query 'VpnConnections[].VgwTelemetry'\n" +
				"Terraform: configure tunnel1_* and tunnel2_* on aws_vpn_connection and both tunnels on the device.",
			Links: []string{secHubEC2 + "#ec2-20", "https://docs.aws.amazon.com/config/latest/developerguide/vpc-vpn-2-tunnels-up.html"},
			Check: checkVPNTunnelsUp,
		},
		{
			ID:             "ec2-sg-unused",
			Title:          "Non-default security groups are attached to a network interface",
			Service:        "ec2",
			Severity:       Medium,
			Responsibility: LayerNetwork,
			Frameworks:     map[string][]string{FSBP: {"EC2.22"}},
			Description: "Unused security groups pile up unreviewed rules that the next launch may pick up. As in AWS Config's ec2-security-group-attached-to-eni-periodic, " +
				"a non-default group owned by the account that no network interface (instance, load balancer, Lambda, database, …) uses fails; " +
				"default groups and other accounts' groups are not judged. (Security Hub has retired EC2.22; the check remains useful hygiene.)",
			Remediation: "  aws ec2 delete-security-group --group-id sg-…\n" +
				"Terraform: remove the unused aws_security_group.",
			Links: []string{secHubEC2 + "#ec2-22", "https://docs.aws.amazon.com/config/latest/developerguide/ec2-security-group-attached-to-eni-periodic.html"},
			Check: checkSGUnused,
		},
		{
			ID:             "ec2-tgw-no-auto-accept",
			Title:          "Transit gateways do not automatically accept shared VPC attachments",
			Service:        "ec2",
			Severity:       High,
			Responsibility: LayerNetwork,
			Frameworks:     map[string][]string{FSBP: {"EC2.23"}},
			Description: "With AutoAcceptSharedAttachments any account the gateway is shared with can attach its VPC, unreviewed, to your network. " +
				"As in AWS Config's ec2-transit-gateway-auto-vpc-attach-disabled, a gateway with the option enabled fails.",
			Remediation: "  aws ec2 modify-transit-gateway --transit-gateway-id tgw-… --options AutoAcceptSharedAttachments=disable\n" +
				"Terraform: resource \"aws_ec2_transit_gateway\" \"t\" { auto_accept_shared_attachments = \"disable\", … }",
			Links: []string{secHubEC2 + "#ec2-23", "https://docs.aws.amazon.com/config/latest/developerguide/ec2-transit-gateway-auto-vpc-attach-disabled.html"},
			Check: checkTGWAutoAccept,
		},
		{
			ID:             "ec2-instance-not-paravirtual",
			Title:          "EC2 instances do not use paravirtual virtualization",
			Service:        "ec2",
			Severity:       Medium,
			Responsibility: LayerGuestOS,
			Frameworks:     map[string][]string{FSBP: {"EC2.24"}},
			Description: "Paravirtual (PV) AMIs only run on previous-generation instance types and miss the hardware security and performance features of HVM. " +
				"As in AWS Config's ec2-paravirtual-instance-check, an instance whose virtualizationType is paravirtual fails.",
			Remediation: "Rebuild the workload on an HVM AMI and a current instance type, then terminate the PV instance:\n" +
				"  aws ec2 describe-images --image-ids ami-… --query 'Images[].VirtualizationType'\n" +
				"Terraform: point aws_instance.ami at an HVM image (data \"aws_ami\" with filter virtualization-type = hvm).",
			Links: []string{secHubEC2 + "#ec2-24", "https://docs.aws.amazon.com/config/latest/developerguide/ec2-paravirtual-instance-check.html"},
			Check: checkInstanceParavirtual,
		},
		{
			ID:             "ec2-launch-template-no-public-ip",
			Title:          "Launch templates do not assign public IPs to network interfaces",
			Service:        "ec2",
			Severity:       High,
			Responsibility: LayerNetwork,
			Frameworks:     map[string][]string{FSBP: {"EC2.25"}},
			Description: "Every instance launched from a template whose network interface sets AssociatePublicIpAddress is reachable from the internet. " +
				"As in AWS Config's ec2-launch-template-public-ip-disabled, the template's default version is judged.",
			Remediation: "Create a version without the public IP and make it the default:\n" +
				"  aws ec2 create-launch-template-version --launch-template-id lt-… --source-version '$Default' \\\n" +
				"      --launch-template-data '{\"NetworkInterfaces\":[{\"DeviceIndex\":0,\"AssociatePublicIpAddress\":false}]}'\n" +
				"  aws ec2 modify-launch-template --launch-template-id lt-… --default-version N\n" +
				"Terraform: network_interfaces { associate_public_ip_address = false } on aws_launch_template.",
			Links: []string{secHubEC2 + "#ec2-25", "https://docs.aws.amazon.com/config/latest/developerguide/ec2-launch-template-public-ip-disabled.html"},
			Check: checkLaunchTemplatePublicIP,
		},
		{
			ID:             "ec2-client-vpn-connection-logging",
			Title:          "Client VPN endpoints log client connections",
			Service:        "vpc",
			Severity:       Low,
			Responsibility: LayerLogging,
			Frameworks:     map[string][]string{FSBP: {"EC2.51"}},
			Description: "Connection logs record who connected to the network, from where and when: the evidence for investigating remote access. " +
				"As in AWS Config's ec2-client-vpn-connection-log-enabled, an endpoint with ConnectionLogOptions.Enabled false fails.",
			Remediation: "  aws ec2 modify-client-vpn-endpoint --client-vpn-endpoint-id cvpn-endpoint-… \\\n" +
				"      --connection-log-options Enabled=true,CloudwatchLogGroup=client-vpn,CloudwatchLogStream=connections\n" +
				"Terraform: connection_log_options { enabled = true, cloudwatch_log_group = aws_cloudwatch_log_group.vpn.name } on aws_ec2_client_vpn_endpoint.",
			Links: []string{secHubEC2 + "#ec2-51", "https://docs.aws.amazon.com/config/latest/developerguide/ec2-client-vpn-connection-log-enabled.html"},
			Check: checkClientVPNLogging,
		},
	}
}

// ec2ARN is a resource's collected ARN or one built from its type and ID.
func ec2ARN(s *model.Snapshot, region, arn, resource string) string {
	return orARN(arn, regionalARN(s, "ec2", region, resource))
}

func checkStoppedInstanceAge(s *model.Snapshot) []Result {
	now, nowOK := collectedAt(s)
	limit := stoppedInstanceAllowedDays * day
	return eachEC2Region(s, "instance/*", func(r *ec2.Region) []Result {
		insts, unk := knownList(r.Instances, regionalARN(s, "ec2", r.Name, "instance/*"), r.Name, "EC2 instances")
		if unk != nil {
			return unk
		}
		var out []Result
		for _, i := range insts {
			if !liveInstance(i) {
				continue
			}
			arn, region := instanceARN(s, r.Name, i), regionOr(i.Meta, r.Name)
			if i.State != "stopped" {
				out = append(out, PassR(arn, region, "instance %s is %s, not stopped", i.ID, orText(i.State, "in an unreported state")))
				continue
			}
			at, ok := i.StateTransitionTime.Get()
			switch {
			case !ok:
				out = append(out, UnknownR(arn, region, "stopped instance %s: stop time not collected: %s", i.ID, i.StateTransitionTime.Why()))
			case at == nil:
				// ec2-stopped-instance is NON_COMPLIANT when the time cannot be determined.
				out = append(out, FailR(arn, region, "instance %s is stopped and its stop time cannot be determined (state transition reason %q)",
					i.ID, i.StateTransitionReason))
			case !nowOK:
				out = append(out, UnknownR(arn, region, "stopped instance %s: the snapshot has no collection time to measure against", i.ID))
			case now.Sub(*at) > limit:
				out = append(out, FailR(arn, region, "instance %s has been stopped since %s (%d days, more than %d)",
					i.ID, dateText(*at), ageDays(now, *at), stoppedInstanceAllowedDays))
			default:
				out = append(out, PassR(arn, region, "instance %s has been stopped since %s (%d days, within %d)",
					i.ID, dateText(*at), ageDays(now, *at), stoppedInstanceAllowedDays))
			}
		}
		return out
	})
}

// orText returns s, or alt when s is empty.
func orText(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// isEC2APIEndpointService reports whether a VPC endpoint service name is the
// EC2 API in region: com.amazonaws.REGION.ec2 (or its FIPS variant; other
// partitions prefix the name, e.g. cn.com.amazonaws.cn-north-1.ec2).
// ec2messages and other look-alikes do not count.
func isEC2APIEndpointService(name, region string) bool {
	parts := strings.Split(strings.ToLower(name), ".")
	if len(parts) < 2 {
		return false
	}
	last := parts[len(parts)-1]
	return (last == "ec2" || last == "ec2-fips") && parts[len(parts)-2] == region
}

// endpointGone reports whether an endpoint state means it no longer exists
// or never came into service.
func endpointGone(state string) bool {
	switch strings.ToLower(state) {
	case "deleting", "deleted", "rejected", "failed", "expired":
		return true
	}
	return false
}

func checkEC2Endpoint(s *model.Snapshot) []Result {
	return eachEC2Region(s, "vpc/*", func(r *ec2.Region) []Result {
		vpcs, unk := knownList(r.VPCs, regionalARN(s, "ec2", r.Name, "vpc/*"), r.Name, "VPCs")
		if unk != nil {
			return unk
		}
		eps, epsOK := r.VPCEndpoints.Get()
		byVPC := map[string][]string{}
		for _, e := range eps {
			if !endpointGone(e.State) && isEC2APIEndpointService(e.ServiceName, r.Name) {
				byVPC[e.VPCID] = append(byVPC[e.VPCID], e.ID)
			}
		}
		out := make([]Result, 0, len(vpcs))
		for _, v := range vpcs {
			arn, region := ec2ARN(s, r.Name, v.ARN, "vpc/"+v.ID), regionOr(v.Meta, r.Name)
			switch ids := byVPC[v.ID]; {
			case !epsOK:
				out = append(out, UnknownR(arn, region, "VPC %s: VPC endpoints unreadable: %s", v.ID, r.VPCEndpoints.Why()))
			case len(ids) > 0:
				out = append(out, PassR(arn, region, "VPC %s has an EC2 API endpoint (%s)", v.ID, strings.Join(ids, ", ")))
			default:
				out = append(out, FailR(arn, region, "VPC %s has no VPC endpoint for com.amazonaws.%s.ec2", v.ID, r.Name))
			}
		}
		return out
	})
}

func checkEIPUnused(s *model.Snapshot) []Result {
	return eachEC2Region(s, "elastic-ip/*", func(r *ec2.Region) []Result {
		addrs, unk := knownList(r.Addresses, regionalARN(s, "ec2", r.Name, "elastic-ip/*"), r.Name, "Elastic IP addresses")
		if unk != nil {
			return unk
		}
		out := make([]Result, 0, len(addrs))
		for _, a := range addrs {
			arn, region := ec2ARN(s, r.Name, a.ARN, "elastic-ip/"+orText(a.AllocationID, a.PublicIP)), regionOr(a.Meta, r.Name)
			name := a.PublicIP
			if a.AllocationID != "" {
				name = a.AllocationID + " (" + a.PublicIP + ")"
			}
			switch {
			case a.AssociationID != "" || a.NetworkInterfaceID != "" || a.InstanceID != "":
				out = append(out, PassR(arn, region, "Elastic IP %s is associated with %s", name,
					orText(a.InstanceID, orText(a.NetworkInterfaceID, a.AssociationID))))
			default:
				out = append(out, FailR(arn, region, "Elastic IP %s is not associated with any instance or network interface", name))
			}
		}
		return out
	})
}

func checkNACLUnused(s *model.Snapshot) []Result {
	return eachEC2Region(s, "network-acl/*", func(r *ec2.Region) []Result {
		acls, unk := knownList(r.NetworkACLs, regionalARN(s, "ec2", r.Name, "network-acl/*"), r.Name, "network ACLs")
		if unk != nil {
			return unk
		}
		out := make([]Result, 0, len(acls))
		for _, a := range acls {
			arn, region := ec2ARN(s, r.Name, a.ARN, "network-acl/"+a.ID), regionOr(a.Meta, r.Name)
			switch {
			case len(a.SubnetIDs) > 0:
				out = append(out, PassR(arn, region, "network ACL %s is associated with %s", a.ID, plural(len(a.SubnetIDs), "subnet", "subnets")))
			case a.IsDefault:
				out = append(out, FailR(arn, region, "default network ACL %s of %s is associated with no subnet (it cannot be deleted; AWS's control still fails it)", a.ID, a.VPCID))
			default:
				out = append(out, FailR(arn, region, "network ACL %s of %s is associated with no subnet", a.ID, a.VPCID))
			}
		}
		return out
	})
}

func checkInstanceSingleENI(s *model.Snapshot) []Result {
	return eachEC2Region(s, "instance/*", func(r *ec2.Region) []Result {
		insts, unk := knownList(r.Instances, regionalARN(s, "ec2", r.Name, "instance/*"), r.Name, "EC2 instances")
		if unk != nil {
			return unk
		}
		// The ENI list is a second source: an attachment it shows counts even
		// if the instance's own list left it out.
		enis, enisOK := r.NetworkInterfaces.Get()
		attached := map[string][]string{}
		for _, n := range enis {
			if n.InstanceID != "" {
				attached[n.InstanceID] = append(attached[n.InstanceID], n.ID)
			}
		}
		var out []Result
		for _, i := range insts {
			if !liveInstance(i) {
				continue
			}
			arn, region := instanceARN(s, r.Name, i), regionOr(i.Meta, r.Name)
			ids := uniq(append(append([]string(nil), i.NetworkInterfaceIDs...), attached[i.ID]...))
			sort.Strings(ids)
			switch {
			case len(ids) > 1:
				out = append(out, FailR(arn, region, "instance %s uses %d network interfaces (%s)", i.ID, len(ids), strings.Join(ids, ", ")))
			case len(ids) == 1:
				out = append(out, PassR(arn, region, "instance %s uses one network interface (%s)", i.ID, ids[0]))
			case !enisOK:
				out = append(out, UnknownR(arn, region, "instance %s: no network interface reported and the ENI list is unreadable: %s", i.ID, r.NetworkInterfaces.Why()))
			default:
				out = append(out, PassR(arn, region, "instance %s has no network interface attached", i.ID))
			}
		}
		return out
	})
}

func checkVPNTunnelsUp(s *model.Snapshot) []Result {
	return eachEC2Region(s, "vpn-connection/*", func(r *ec2.Region) []Result {
		vpns, unk := knownList(r.VPNConnections, regionalARN(s, "ec2", r.Name, "vpn-connection/*"), r.Name, "Site-to-Site VPN connections")
		if unk != nil {
			return unk
		}
		var out []Result
		for _, v := range vpns {
			if st := strings.ToLower(v.State); st == "deleted" || st == "deleting" {
				continue
			}
			arn, region := ec2ARN(s, r.Name, v.ARN, "vpn-connection/"+v.ID), regionOr(v.Meta, r.Name)
			var up int
			var down, other []string
			for _, t := range v.Tunnels {
				name := orText(t.OutsideIP, "tunnel")
				switch strings.ToUpper(t.Status) {
				case "UP":
					up++
				case "DOWN":
					msg := name + " DOWN"
					if t.StatusMessage != "" {
						msg += " (" + t.StatusMessage + ")"
					}
					down = append(down, msg)
				default:
					other = append(other, name+" status "+orText(t.Status, "not reported"))
				}
			}
			switch {
			case len(down) > 0:
				out = append(out, FailR(arn, region, "VPN connection %s: %s", v.ID, strings.Join(down, "; ")))
			case up >= 2 && len(other) == 0:
				out = append(out, PassR(arn, region, "VPN connection %s: both tunnels are UP", v.ID))
			default:
				why := append([]string{fmt.Sprintf("telemetry reports %s UP", plural(up, "tunnel", "tunnels"))}, other...)
				out = append(out, UnknownR(arn, region, "VPN connection %s: tunnel status incomplete (%s)", v.ID, strings.Join(why, "; ")))
			}
		}
		return out
	})
}

func checkSGUnused(s *model.Snapshot) []Result {
	return eachEC2Region(s, "security-group/*", func(r *ec2.Region) []Result {
		groups, unk := knownList(r.SecurityGroups, regionalARN(s, "ec2", r.Name, "security-group/*"), r.Name, "security groups")
		if unk != nil {
			return unk
		}
		used := map[string]bool{}
		enis, enisOK := r.NetworkInterfaces.Get()
		for _, n := range enis {
			for _, g := range n.SecurityGroupIDs {
				used[g] = true
			}
		}
		// An instance's groups sit on its ENIs; counting them too lets an
		// attached group pass even when the ENI list could not be read.
		if insts, ok := r.Instances.Get(); ok {
			for _, i := range insts {
				if liveInstance(i) {
					for _, g := range i.SecurityGroupIDs {
						used[g] = true
					}
				}
			}
		}
		var out []Result
		for _, g := range groups {
			// Not judged by ec2-security-group-attached-to-eni-periodic:
			// default groups, and groups another account owns.
			if g.Name == "default" || (g.OwnerID != "" && s.AccountID != "" && g.OwnerID != s.AccountID) {
				continue
			}
			arn, region := sgARN(s, r.Name, g), regionOr(g.Meta, r.Name)
			switch {
			case used[g.ID]:
				out = append(out, PassR(arn, region, "security group %s (%s) is attached to a network interface", g.ID, g.Name))
			case !enisOK:
				out = append(out, UnknownR(arn, region, "security group %s (%s): network interfaces unreadable: %s", g.ID, g.Name, r.NetworkInterfaces.Why()))
			default:
				out = append(out, FailR(arn, region, "security group %s (%s) is not attached to any network interface", g.ID, g.Name))
			}
		}
		return out
	})
}

func checkTGWAutoAccept(s *model.Snapshot) []Result {
	return eachEC2Region(s, "transit-gateway/*", func(r *ec2.Region) []Result {
		tgws, unk := knownList(r.TransitGateways, regionalARN(s, "ec2", r.Name, "transit-gateway/*"), r.Name, "transit gateways")
		if unk != nil {
			return unk
		}
		var out []Result
		for _, t := range tgws {
			if st := strings.ToLower(t.State); st == "deleted" || st == "deleting" {
				continue
			}
			// A gateway shared with this account is configured by its owner.
			if t.OwnerID != "" && s.AccountID != "" && t.OwnerID != s.AccountID {
				continue
			}
			arn, region := ec2ARN(s, r.Name, t.ARN, "transit-gateway/"+t.ID), regionOr(t.Meta, r.Name)
			switch strings.ToLower(t.AutoAcceptSharedAttachments) {
			case "enable":
				out = append(out, FailR(arn, region, "transit gateway %s automatically accepts shared VPC attachments", t.ID))
			case "disable":
				out = append(out, PassR(arn, region, "transit gateway %s does not automatically accept shared VPC attachments", t.ID))
			default:
				out = append(out, UnknownR(arn, region, "transit gateway %s: AutoAcceptSharedAttachments not reported", t.ID))
			}
		}
		return out
	})
}

func checkInstanceParavirtual(s *model.Snapshot) []Result {
	return eachEC2Region(s, "instance/*", func(r *ec2.Region) []Result {
		insts, unk := knownList(r.Instances, regionalARN(s, "ec2", r.Name, "instance/*"), r.Name, "EC2 instances")
		if unk != nil {
			return unk
		}
		var out []Result
		for _, i := range insts {
			if !liveInstance(i) {
				continue
			}
			arn, region := instanceARN(s, r.Name, i), regionOr(i.Meta, r.Name)
			switch vt := strings.ToLower(i.VirtualizationType); vt {
			case "paravirtual":
				out = append(out, FailR(arn, region, "instance %s uses paravirtual virtualization", i.ID))
			case "":
				out = append(out, UnknownR(arn, region, "instance %s: virtualization type not reported", i.ID))
			default:
				out = append(out, PassR(arn, region, "instance %s uses %s virtualization", i.ID, vt))
			}
		}
		return out
	})
}

func checkLaunchTemplatePublicIP(s *model.Snapshot) []Result {
	return eachEC2Region(s, "launch-template/*", func(r *ec2.Region) []Result {
		lts, unk := knownList(r.LaunchTemplates, regionalARN(s, "ec2", r.Name, "launch-template/*"), r.Name, "launch templates")
		if unk != nil {
			return unk
		}
		out := make([]Result, 0, len(lts))
		for _, lt := range lts {
			arn, region := ec2ARN(s, r.Name, lt.ARN, "launch-template/"+lt.ID), regionOr(lt.Meta, r.Name)
			def, ok := lt.Default.Get()
			if !ok {
				out = append(out, UnknownR(arn, region, "launch template %s (%s): default version unreadable: %s", lt.ID, lt.Name, lt.Default.Why()))
				continue
			}
			var public []string
			for _, n := range def.NetworkInterfaces {
				if n.AssociatePublicIP != nil && *n.AssociatePublicIP {
					public = append(public, fmt.Sprintf("device index %d", n.DeviceIndex))
				}
			}
			if len(public) > 0 {
				out = append(out, FailR(arn, region, "launch template %s (%s) default version %d assigns a public IP to %s",
					lt.ID, lt.Name, def.Number, strings.Join(public, ", ")))
			} else {
				out = append(out, PassR(arn, region, "launch template %s (%s) default version %d assigns no public IP to its network interfaces",
					lt.ID, lt.Name, def.Number))
			}
		}
		return out
	})
}

func checkClientVPNLogging(s *model.Snapshot) []Result {
	return eachEC2Region(s, "client-vpn-endpoint/*", func(r *ec2.Region) []Result {
		eps, unk := knownList(r.ClientVPNEndpoints, regionalARN(s, "ec2", r.Name, "client-vpn-endpoint/*"), r.Name, "Client VPN endpoints")
		if unk != nil {
			return unk
		}
		var out []Result
		for _, e := range eps {
			if st := strings.ToLower(e.Status); st == "deleted" || st == "deleting" {
				continue
			}
			arn, region := ec2ARN(s, r.Name, e.ARN, "client-vpn-endpoint/"+e.ID), regionOr(e.Meta, r.Name)
			on, ok := e.ConnectionLogEnabled.Get()
			switch {
			case !ok:
				out = append(out, UnknownR(arn, region, "Client VPN endpoint %s: connection logging unreadable: %s", e.ID, e.ConnectionLogEnabled.Why()))
			case on:
				out = append(out, PassR(arn, region, "Client VPN endpoint %s logs client connections (%s)", e.ID, orText(e.LogGroup, "log group not reported")))
			default:
				out = append(out, FailR(arn, region, "Client VPN endpoint %s does not log client connections", e.ID))
			}
		}
		return out
	})
}
