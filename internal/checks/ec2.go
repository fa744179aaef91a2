package checks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/ec2"
)

// Ports CIS calls "remote server administration ports" (SSH, RDP).
var adminPorts = []int32{22, 3389}

// highRiskPorts are the ports FSBP EC2.19 forbids opening to the internet.
// Source: https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-19
var highRiskPorts = []int32{20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432, 5500, 5601, 8080, 8088, 8888, 9200, 9300}

// authorizedPorts are FSBP EC2.18's default authorizedTcpPorts.
var authorizedPorts = map[int32]bool{80: true, 443: true}

const sgTerraformFix = "Terraform: replace cidr_blocks = [\"0.0.0.0/0\"] / ipv6_cidr_blocks = [\"::/0\"] on the aws_security_group(_rule) / " +
	"aws_vpc_security_group_ingress_rule with your trusted ranges, or reach instances through SSM Session Manager."

func ec2Rules() []Rule {
	return append([]Rule{
		{
			ID:             "ec2-sg-ssh-open-to-internet",
			Title:          "Security groups do not allow ingress from 0.0.0.0/0 or ::/0 to port 22",
			Service:        "ec2",
			Severity:       High,
			Responsibility: LayerNetwork,
			Frameworks:     map[string][]string{FSBP: {"EC2.13"}},
			Description:    "SSH open to the internet invites brute force and exploitation of the SSH daemon.",
			Remediation: "  aws ec2 revoke-security-group-ingress --group-id SG --ip-permissions 'IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=0.0.0.0/0}]'\n" +
				"  aws ec2 revoke-security-group-ingress --group-id SG --ip-permissions 'IpProtocol=tcp,FromPort=22,ToPort=22,Ipv6Ranges=[{CidrIpv6=::/0}]'\n" + sgTerraformFix,
			Links: []string{"https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html"},
			Check: checkSGPorts([]int32{22}, true, true),
		},
		{
			ID:             "ec2-sg-rdp-open-to-internet",
			Title:          "Security groups do not allow ingress from 0.0.0.0/0 or ::/0 to port 3389",
			Service:        "ec2",
			Severity:       High,
			Responsibility: LayerNetwork,
			Frameworks:     map[string][]string{FSBP: {"EC2.14"}},
			Description:    "RDP open to the internet is one of the most attacked services on the internet.",
			Remediation: "  aws ec2 revoke-security-group-ingress --group-id SG --ip-permissions 'IpProtocol=tcp,FromPort=3389,ToPort=3389,IpRanges=[{CidrIp=0.0.0.0/0}]'\n" +
				"  aws ec2 revoke-security-group-ingress --group-id SG --ip-permissions 'IpProtocol=tcp,FromPort=3389,ToPort=3389,Ipv6Ranges=[{CidrIpv6=::/0}]'\n" + sgTerraformFix,
			Links: []string{"https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html"},
			Check: checkSGPorts([]int32{3389}, true, true),
		},
		{
			ID:             "ec2-sg-admin-ports-ipv4",
			Title:          "No security group allows ingress from 0.0.0.0/0 to remote administration ports",
			Service:        "ec2",
			Severity:       High,
			Responsibility: LayerNetwork,
			Frameworks:     map[string][]string{CIS50: {"5.3"}},
			Description:    "CIS 5.3: SSH (22) and RDP (3389) must not be reachable from 0.0.0.0/0 (rules with protocol all or port ranges covering them count).",
			Remediation: "  aws ec2 revoke-security-group-ingress --group-id SG --ip-permissions 'IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=0.0.0.0/0}]'\n" +
				"  (repeat for 3389 and for any all-traffic or range rule)\n" + sgTerraformFix,
			Links: []string{"https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html"},
			Check: checkSGPorts(adminPorts, true, false),
		},
		{
			ID:             "ec2-sg-admin-ports-ipv6",
			Title:          "No security group allows ingress from ::/0 to remote administration ports",
			Service:        "ec2",
			Severity:       High,
			Responsibility: LayerNetwork,
			Frameworks:     map[string][]string{CIS50: {"5.4"}},
			Description:    "CIS 5.4: SSH (22) and RDP (3389) must not be reachable from ::/0.",
			Remediation: "  aws ec2 revoke-security-group-ingress --group-id SG --ip-permissions 'IpProtocol=tcp,FromPort=22,ToPort=22,Ipv6Ranges=[{CidrIpv6=::/0}]'\n" +
				"  (repeat for 3389 and for any all-traffic or range rule)\n" + sgTerraformFix,
			Links: []string{"https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html"},
			Check: checkSGPorts(adminPorts, false, true),
		},
		{
			ID:             "ec2-sg-cifs-restricted",
			Title:          "Security groups do not allow CIFS (445) from the internet",
			Service:        "ec2",
			Severity:       High,
			Responsibility: LayerNetwork,
			Frameworks:     map[string][]string{CIS50: {"5.1.2"}},
			Description:    "SMB/CIFS on port 445 has a long history of wormable vulnerabilities; it must be limited to trusted networks.",
			Remediation:    "  aws ec2 revoke-security-group-ingress --group-id SG --ip-permissions 'IpProtocol=tcp,FromPort=445,ToPort=445,IpRanges=[{CidrIp=0.0.0.0/0}]'\n" + sgTerraformFix,
			Links:          []string{"https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html"},
			Check:          checkSGPorts([]int32{445}, true, true),
		},
		{
			ID:             "ec2-sg-high-risk-ports",
			Title:          "Security groups do not allow unrestricted access to high-risk ports",
			Service:        "ec2",
			Severity:       Critical,
			Responsibility: LayerNetwork,
			Frameworks:     map[string][]string{FSBP: {"EC2.19"}},
			Description:    "FTP, SSH, Telnet, SMTP, POP3, RPC, IMAP, CIFS, database, development-server, RDP and OpenSearch ports must not be open to 0.0.0.0/0 or ::/0.",
			Remediation: "  aws ec2 describe-security-groups --group-ids SG   # find the 0.0.0.0/0 or ::/0 rule\n" +
				"  aws ec2 revoke-security-group-ingress --group-id SG --security-group-rule-ids sgr-…\n" + sgTerraformFix,
			Links: []string{"https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-19"},
			Check: checkSGHighRisk,
		},
		{
			ID:             "ec2-sg-unrestricted-unauthorized-ports",
			Title:          "Security groups allow unrestricted ingress only on authorized ports (80, 443)",
			Service:        "ec2",
			Severity:       High,
			Responsibility: LayerNetwork,
			Frameworks:     map[string][]string{FSBP: {"EC2.18"}},
			Description:    "Anything other than TCP 80/443 open to 0.0.0.0/0 or ::/0 (including all-traffic rules and UDP) widens the attack surface.",
			Remediation:    "  aws ec2 revoke-security-group-ingress --group-id SG --security-group-rule-ids sgr-…\n" + sgTerraformFix,
			Links:          []string{"https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-18"},
			Check:          checkSGUnauthorizedPorts,
		},
		{
			ID:             "ec2-default-sg-restricts-all",
			Title:          "The default security group of every VPC restricts all traffic",
			Service:        "ec2",
			Severity:       High,
			Responsibility: LayerNetwork,
			Frameworks:     map[string][]string{CIS50: {"5.5"}, FSBP: {"EC2.2"}},
			Description:    "Resources launched without an explicit group land in the default group; with no rules it isolates them instead of opening them.",
			Remediation: "  aws ec2 revoke-security-group-ingress --group-id SG --ip-permissions \"$(aws ec2 describe-security-groups --group-ids SG --query 'SecurityGroups[0].IpPermissions')\"\n" +
				"  aws ec2 revoke-security-group-egress  --group-id SG --ip-permissions \"$(aws ec2 describe-security-groups --group-ids SG --query 'SecurityGroups[0].IpPermissionsEgress')\"\n" +
				"Terraform: resource \"aws_default_security_group\" \"d\" { vpc_id = aws_vpc.v.id }  # no ingress/egress blocks removes all rules",
			Links: []string{"https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html"},
			Check: checkDefaultSG,
		},
		{
			ID:             "ec2-nacl-admin-ports",
			Title:          "No network ACL allows ingress from 0.0.0.0/0 or ::/0 to ports 22 or 3389",
			Service:        "ec2",
			Severity:       Medium,
			Responsibility: LayerNetwork,
			Frameworks:     map[string][]string{CIS50: {"5.2"}, FSBP: {"EC2.21"}},
			Description:    "NACL rules are evaluated in rule-number order and the first match wins, so an earlier deny for the port from everywhere closes it.",
			Remediation: "Replace the allow with your trusted ranges, or add a lower-numbered deny:\n" +
				"  aws ec2 create-network-acl-entry --network-acl-id ACL --ingress --rule-number 50 --protocol tcp --port-range From=22,To=22 \\\n" +
				"      --cidr-block 0.0.0.0/0 --rule-action deny\n" +
				"Terraform: resource \"aws_network_acl_rule\" \"deny_ssh\" { network_acl_id = aws_network_acl.a.id, rule_number = 50, egress = false,\n" +
				"  protocol = \"tcp\", rule_action = \"deny\", cidr_block = \"0.0.0.0/0\", from_port = 22, to_port = 22 }",
			Links: []string{"https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html"},
			Check: checkNACLAdminPorts,
		},
		{
			ID:             "ec2-ebs-default-encryption",
			Title:          "EBS encryption by default is enabled in every region",
			Service:        "ec2",
			Severity:       Medium,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{CIS50: {"5.1.1"}, FSBP: {"EC2.7"}},
			Description:    "With encryption by default, every new EBS volume and snapshot copy in the region is encrypted without relying on each launch.",
			Remediation: "  aws ec2 enable-ebs-encryption-by-default --region REGION\n" +
				"Terraform: resource \"aws_ebs_encryption_by_default\" \"e\" { enabled = true }  # one per region provider",
			Links: []string{"https://docs.aws.amazon.com/ebs/latest/userguide/encryption-by-default.html"},
			Check: checkEBSDefaultEncryption,
		},
		{
			ID:             "ec2-ebs-volume-encrypted",
			Title:          "Attached EBS volumes are encrypted at rest",
			Service:        "ec2",
			Severity:       Medium,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"EC2.3"}},
			Description:    "As in FSBP EC2.3, only volumes attached to an instance (in-use) are judged.",
			Remediation: "An existing volume cannot be encrypted in place: snapshot it, copy the snapshot with encryption, create a volume from it and swap:\n" +
				"  aws ec2 create-snapshot --volume-id VOL\n" +
				"  aws ec2 copy-snapshot --source-snapshot-id SNAP --source-region REGION --encrypted --kms-key-id KEY\n" +
				"Terraform: resource \"aws_ebs_volume\" \"v\" { encrypted = true, kms_key_id = aws_kms_key.k.arn, … }",
			Links: []string{"https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html"},
			Check: checkEBSVolumeEncrypted,
		},
		{
			ID:             "ec2-imdsv2-required",
			Title:          "EC2 instances require IMDSv2",
			Service:        "ec2",
			Severity:       High,
			Responsibility: LayerGuestOS,
			Frameworks:     map[string][]string{CIS50: {"5.7"}, FSBP: {"EC2.8"}},
			Description:    "IMDSv1 answers any GET, so an SSRF bug can steal the instance role's credentials; IMDSv2 requires a session token (HttpTokens=required).",
			Remediation: "  aws ec2 modify-instance-metadata-options --instance-id ID --http-tokens required --http-endpoint enabled\n" +
				"Terraform: metadata_options { http_tokens = \"required\" } on aws_instance / aws_launch_template",
			Links: []string{"https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-IMDS-existing-instances.html"},
			Check: checkIMDSv2,
		},
		{
			ID:             "ec2-ebs-snapshot-not-public",
			Title:          "EBS snapshots are not publicly restorable",
			Service:        "ec2",
			Severity:       Critical,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"EC2.1"}},
			Description:    "A snapshot whose createVolumePermission includes the group \"all\" can be restored by any AWS account.",
			Remediation: "  aws ec2 modify-snapshot-attribute --snapshot-id SNAP --attribute createVolumePermission --operation-type remove --group-names all\n" +
				"  aws ec2 enable-snapshot-block-public-access --state block-all-sharing\n" +
				"Terraform: resource \"aws_ebs_snapshot_block_public_access\" \"b\" { state = \"block-all-sharing\" }",
			Links: []string{"https://docs.aws.amazon.com/ebs/latest/userguide/ebs-modifying-snapshot-permissions.html"},
			Check: checkSnapshotPublic,
		},
		{
			ID:             "ec2-instance-no-public-ip",
			Title:          "EC2 instances do not have a public IPv4 address",
			Service:        "ec2",
			Severity:       High,
			Responsibility: LayerNetwork,
			Frameworks:     map[string][]string{FSBP: {"EC2.9"}},
			Description:    "A public IPv4 address (auto-assigned or Elastic IP) makes the instance directly reachable from the internet, subject only to its security groups and NACLs.",
			Remediation: "Launch into private subnets behind a load balancer or NAT gateway; release or disassociate Elastic IPs:\n" +
				"  aws ec2 disassociate-address --association-id ASSOC\n" +
				"  aws ec2 modify-subnet-attribute --subnet-id SUBNET --no-map-public-ip-on-launch\n" +
				"Terraform: associate_public_ip_address = false on aws_instance; map_public_ip_on_launch = false on aws_subnet",
			Links: []string{"https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-instance-addressing.html"},
			Check: checkInstancePublicIP,
		},
		{
			ID:             "ec2-subnet-no-auto-public-ip",
			Title:          "Subnets do not assign public IPv4 addresses automatically",
			Service:        "ec2",
			Severity:       Medium,
			Responsibility: LayerNetwork,
			Frameworks:     map[string][]string{FSBP: {"EC2.15"}},
			Description:    "With MapPublicIpOnLaunch, every instance launched in the subnet gets a public address unless the launch opts out.",
			Remediation: "  aws ec2 modify-subnet-attribute --subnet-id SUBNET --no-map-public-ip-on-launch\n" +
				"Terraform: resource \"aws_subnet\" \"s\" { map_public_ip_on_launch = false, … }",
			Links: []string{"https://docs.aws.amazon.com/vpc/latest/userguide/subnet-public-ip.html"},
			Check: checkSubnetAutoPublicIP,
		},
		{
			ID:             "ec2-vpc-flow-logs",
			Title:          "VPC flow logging is enabled in every VPC",
			Service:        "vpc",
			Severity:       Medium,
			Responsibility: LayerLogging,
			Frameworks:     map[string][]string{CIS50: {"3.7"}, FSBP: {"EC2.6"}},
			Description:    "Flow logs (capturing at least rejected traffic) are the network evidence for detecting and investigating attacks.",
			Remediation: "  aws ec2 create-flow-logs --resource-type VPC --resource-ids VPC --traffic-type ALL \\\n" +
				"      --log-destination-type cloud-watch-logs --log-group-name vpc-flow-logs --deliver-logs-permission-arn ROLE\n" +
				"Terraform: resource \"aws_flow_log\" \"f\" { vpc_id = aws_vpc.v.id, traffic_type = \"ALL\", log_destination = aws_cloudwatch_log_group.g.arn,\n" +
				"  iam_role_arn = aws_iam_role.flow.arn }",
			Links: []string{"https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html"},
			Check: checkVPCFlowLogs,
		},
	}, ec2FSBPRules()...)
}

func sgARN(s *model.Snapshot, region string, g ec2.SecurityGroup) string {
	return orARN(g.ARN, regionalARN(s, "ec2", region, "security-group/"+g.ID))
}

// protoTCP/protoUDP/protoAll normalize the ways EC2 names protocols
// (names in security groups, numbers in NACLs).
func protoKind(p string) string {
	switch strings.ToLower(strings.TrimSpace(p)) {
	case "-1", "all":
		return "all"
	case "tcp", "6":
		return "tcp"
	case "udp", "17":
		return "udp"
	}
	return "other"
}

// permCovers reports whether a security group permission admits traffic to
// port over proto ("tcp"/"udp"). Protocol -1 means every port.
func permCovers(p ec2.Permission, proto string, port int32) bool {
	switch protoKind(p.Protocol) {
	case "all":
		return true
	case proto:
		return p.FromPort <= port && port <= p.ToPort
	}
	return false
}

// internetSources lists the /0 sources of a permission for the chosen
// families. Security-group references and prefix lists are not "the
// internet" and are ignored.
func internetSources(p ec2.Permission, v4, v6 bool) []string {
	var out []string
	if v4 {
		for _, c := range p.IPv4Ranges {
			if isInternetCIDR(c) {
				out = append(out, c)
			}
		}
	}
	if v6 {
		for _, c := range p.IPv6Ranges {
			if isInternetCIDR(c) {
				out = append(out, c)
			}
		}
	}
	return out
}

func describePerm(p ec2.Permission) string {
	switch protoKind(p.Protocol) {
	case "all":
		return "all traffic"
	case "tcp", "udp":
		if p.FromPort == p.ToPort {
			return fmt.Sprintf("%s/%d", protoKind(p.Protocol), p.FromPort)
		}
		return fmt.Sprintf("%s/%d-%d", protoKind(p.Protocol), p.FromPort, p.ToPort)
	}
	return "protocol " + p.Protocol
}

// eachSG runs judge over every security group of every region.
func eachSG(s *model.Snapshot, judge func(g ec2.SecurityGroup, arn, region string) Result) []Result {
	return eachEC2Region(s, "security-group/*", func(r *ec2.Region) []Result {
		groups, unk := knownList(r.SecurityGroups, regionalARN(s, "ec2", r.Name, "security-group/*"), r.Name, "security groups")
		if unk != nil {
			return unk
		}
		out := make([]Result, 0, len(groups))
		for _, g := range groups {
			out = append(out, judge(g, sgARN(s, r.Name, g), regionOr(g.Meta, r.Name)))
		}
		return out
	})
}

// openPorts lists "tcp/22 from 0.0.0.0/0" findings of a group for ports.
func openPorts(g ec2.SecurityGroup, ports []int32, protos []string, v4, v6 bool) []string {
	var found []string
	for _, p := range g.Ingress {
		src := internetSources(p, v4, v6)
		if len(src) == 0 {
			continue
		}
		for _, port := range ports {
			for _, proto := range protos {
				if permCovers(p, proto, port) {
					found = append(found, fmt.Sprintf("port %d/%s via %s from %s", port, proto, describePerm(p), strings.Join(src, ", ")))
				}
			}
		}
	}
	return uniq(found)
}

func familyText(v4, v6 bool) string {
	switch {
	case v4 && v6:
		return "0.0.0.0/0 or ::/0"
	case v4:
		return "0.0.0.0/0"
	}
	return "::/0"
}

func portsText(ports []int32) string {
	parts := make([]string, len(ports))
	for i, p := range ports {
		parts[i] = fmt.Sprint(p)
	}
	return strings.Join(parts, ", ")
}

func checkSGPorts(ports []int32, v4, v6 bool) func(*model.Snapshot) []Result {
	return func(s *model.Snapshot) []Result {
		return eachSG(s, func(g ec2.SecurityGroup, arn, region string) Result {
			found := openPorts(g, ports, []string{"tcp"}, v4, v6)
			if len(found) > 0 {
				return FailR(arn, region, "security group %s (%s) allows ingress %s", g.ID, g.Name, strings.Join(found, "; "))
			}
			return PassR(arn, region, "security group %s (%s) does not allow port %s from %s", g.ID, g.Name, portsText(ports), familyText(v4, v6))
		})
	}
}

func checkSGHighRisk(s *model.Snapshot) []Result {
	return eachSG(s, func(g ec2.SecurityGroup, arn, region string) Result {
		found := openPorts(g, highRiskPorts, []string{"tcp", "udp"}, true, true)
		if len(found) > 0 {
			return FailR(arn, region, "security group %s (%s) opens high-risk ports to the internet: %s", g.ID, g.Name, strings.Join(found, "; "))
		}
		return PassR(arn, region, "security group %s (%s) opens no high-risk port to the internet", g.ID, g.Name)
	})
}

func checkSGUnauthorizedPorts(s *model.Snapshot) []Result {
	return eachSG(s, func(g ec2.SecurityGroup, arn, region string) Result {
		var found []string
		for _, p := range g.Ingress {
			src := internetSources(p, true, true)
			if len(src) == 0 {
				continue
			}
			bad := false
			switch protoKind(p.Protocol) {
			case "all", "udp":
				bad = true
			case "tcp":
				for port := p.FromPort; port <= p.ToPort; port++ {
					if !authorizedPorts[port] {
						bad = true
						break
					}
				}
			}
			if bad {
				found = append(found, describePerm(p)+" from "+strings.Join(src, ", "))
			}
		}
		if len(found) > 0 {
			return FailR(arn, region, "security group %s (%s) allows unrestricted ingress beyond tcp/80,443: %s", g.ID, g.Name, strings.Join(uniq(found), "; "))
		}
		return PassR(arn, region, "security group %s (%s) allows unrestricted ingress only on authorized ports, if any", g.ID, g.Name)
	})
}

func checkDefaultSG(s *model.Snapshot) []Result {
	return eachEC2Region(s, "security-group/*", func(r *ec2.Region) []Result {
		groups, unk := knownList(r.SecurityGroups, regionalARN(s, "ec2", r.Name, "security-group/*"), r.Name, "security groups")
		if unk != nil {
			return unk
		}
		var out []Result
		for _, g := range groups {
			// Only the VPC's default group is named "default"; EC2 rejects
			// that name for any other group.
			if g.Name != "default" {
				continue
			}
			arn, region := sgARN(s, r.Name, g), regionOr(g.Meta, r.Name)
			if len(g.Ingress) == 0 && len(g.Egress) == 0 {
				out = append(out, PassR(arn, region, "default security group %s of %s has no inbound or outbound rules", g.ID, g.VPCID))
			} else {
				out = append(out, FailR(arn, region, "default security group %s of %s has %s and %s",
					g.ID, g.VPCID, plural(len(g.Ingress), "inbound rule", "inbound rules"), plural(len(g.Egress), "outbound rule", "outbound rules")))
			}
		}
		return out
	})
}

// naclEntryCovers reports whether an entry's protocol and port range match
// TCP traffic to port.
func naclEntryCovers(e ec2.NACLEntry, port int32) bool {
	switch protoKind(e.Protocol) {
	case "all":
		return true
	case "tcp":
		return !e.HasPorts || (e.PortFrom <= port && port <= e.PortTo)
	}
	return false
}

// naclInternetDecision walks a NACL's ingress entries in rule-number order
// and returns the first entry that matches TCP traffic to port from
// anywhere in the family (a /0 source). Narrower entries match only some
// sources, so they cannot close the port for the whole internet; the first
// /0 entry decides for "from 0.0.0.0/0". ok is false when no entry
// matches, which means the implicit deny.
func naclInternetDecision(entries []ec2.NACLEntry, port int32, v6 bool) (ec2.NACLEntry, bool) {
	for _, e := range entries {
		if e.Egress {
			continue
		}
		cidr := e.CIDR
		if v6 {
			cidr = e.IPv6CIDR
		}
		if cidr == "" || !isInternetCIDR(cidr) || !naclEntryCovers(e, port) {
			continue
		}
		return e, true
	}
	return ec2.NACLEntry{}, false
}

func checkNACLAdminPorts(s *model.Snapshot) []Result {
	return eachEC2Region(s, "network-acl/*", func(r *ec2.Region) []Result {
		acls, unk := knownList(r.NetworkACLs, regionalARN(s, "ec2", r.Name, "network-acl/*"), r.Name, "network ACLs")
		if unk != nil {
			return unk
		}
		out := make([]Result, 0, len(acls))
		for _, a := range acls {
			arn := orARN(a.ARN, regionalARN(s, "ec2", r.Name, "network-acl/"+a.ID))
			entries := append([]ec2.NACLEntry(nil), a.Entries...)
			sort.SliceStable(entries, func(i, j int) bool { return entries[i].RuleNumber < entries[j].RuleNumber })
			var found []string
			for _, port := range adminPorts {
				for _, v6 := range []bool{false, true} {
					if e, ok := naclInternetDecision(entries, port, v6); ok && strings.EqualFold(e.Action, "allow") {
						src := e.CIDR
						if v6 {
							src = e.IPv6CIDR
						}
						found = append(found, fmt.Sprintf("rule %d allows port %d from %s", e.RuleNumber, port, src))
					}
				}
			}
			region := regionOr(a.Meta, r.Name)
			if len(found) > 0 {
				out = append(out, FailR(arn, region, "network ACL %s: %s", a.ID, strings.Join(found, "; ")))
			} else {
				out = append(out, PassR(arn, region, "network ACL %s denies ports 22 and 3389 from 0.0.0.0/0 and ::/0 (first matching rule denies, or none matches)", a.ID))
			}
		}
		return out
	})
}

func checkEBSDefaultEncryption(s *model.Snapshot) []Result {
	return eachEC2Region(s, "ebs-encryption-by-default", func(r *ec2.Region) []Result {
		arn := regionalARN(s, "ec2", r.Name, "ebs-encryption-by-default")
		on, ok := r.EBSEncryptionByDefault.Get()
		switch {
		case !ok:
			return []Result{UnknownR(arn, r.Name, "EBS encryption by default unreadable in %s: %s", r.Name, r.EBSEncryptionByDefault.Why())}
		case on:
			return []Result{PassR(arn, r.Name, "EBS encryption by default is enabled in %s", r.Name)}
		}
		return []Result{FailR(arn, r.Name, "EBS encryption by default is disabled in %s", r.Name)}
	})
}

func checkEBSVolumeEncrypted(s *model.Snapshot) []Result {
	return eachEC2Region(s, "volume/*", func(r *ec2.Region) []Result {
		vols, unk := knownList(r.Volumes, regionalARN(s, "ec2", r.Name, "volume/*"), r.Name, "EBS volumes")
		if unk != nil {
			return unk
		}
		var out []Result
		for _, v := range vols {
			if v.State != "in-use" && len(v.AttachedTo) == 0 {
				continue // FSBP EC2.3 judges attached volumes only
			}
			arn, region := orARN(v.ARN, regionalARN(s, "ec2", r.Name, "volume/"+v.ID)), regionOr(v.Meta, r.Name)
			if v.Encrypted {
				out = append(out, PassR(arn, region, "volume %s is encrypted", v.ID))
			} else {
				out = append(out, FailR(arn, region, "attached volume %s is not encrypted", v.ID))
			}
		}
		return out
	})
}

// liveInstance reports whether an instance still exists for the purpose of
// configuration rules (terminated ones linger in DescribeInstances for a while).
func liveInstance(i ec2.Instance) bool {
	return i.State != "terminated" && i.State != "shutting-down"
}

func instanceARN(s *model.Snapshot, region string, i ec2.Instance) string {
	return orARN(i.ARN, regionalARN(s, "ec2", region, "instance/"+i.ID))
}

func checkIMDSv2(s *model.Snapshot) []Result {
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
			switch strings.ToLower(i.Metadata.HTTPTokens) {
			case "required":
				out = append(out, PassR(arn, region, "instance %s requires IMDSv2 tokens", i.ID))
			case "optional":
				msg := "instance %s allows IMDSv1 (HttpTokens=optional)"
				if strings.EqualFold(i.Metadata.HTTPEndpoint, "disabled") {
					msg += "; the metadata endpoint is disabled now, but re-enabling it would expose IMDSv1"
				}
				out = append(out, FailR(arn, region, msg, i.ID))
			default:
				out = append(out, UnknownR(arn, region, "instance %s: metadata HttpTokens not reported", i.ID))
			}
		}
		return out
	})
}

func checkSnapshotPublic(s *model.Snapshot) []Result {
	return eachEC2Region(s, "snapshot/*", func(r *ec2.Region) []Result {
		snaps, unk := knownList(r.Snapshots, regionalARN(s, "ec2", r.Name, "snapshot/*"), r.Name, "EBS snapshots")
		if unk != nil {
			return unk
		}
		out := make([]Result, 0, len(snaps))
		for _, sn := range snaps {
			arn, region := orARN(sn.ARN, regionalARN(s, "ec2", r.Name, "snapshot/"+sn.ID)), regionOr(sn.Meta, r.Name)
			perms, ok := sn.CreateVolumePermissions.Get()
			if !ok {
				out = append(out, UnknownR(arn, region, "snapshot %s: createVolumePermission unreadable: %s", sn.ID, sn.CreateVolumePermissions.Why()))
				continue
			}
			public, accounts := false, 0
			for _, p := range perms {
				if p.Group == "all" {
					public = true
				}
				if p.UserID != "" {
					accounts++
				}
			}
			switch {
			case public:
				out = append(out, FailR(arn, region, "snapshot %s is public: anyone can create a volume from it", sn.ID))
			case accounts > 0:
				out = append(out, PassR(arn, region, "snapshot %s is not public (shared with %s)", sn.ID, plural(accounts, "account", "accounts")))
			default:
				out = append(out, PassR(arn, region, "snapshot %s is private", sn.ID))
			}
		}
		return out
	})
}

func checkInstancePublicIP(s *model.Snapshot) []Result {
	return eachEC2Region(s, "instance/*", func(r *ec2.Region) []Result {
		insts, unk := knownList(r.Instances, regionalARN(s, "ec2", r.Name, "instance/*"), r.Name, "EC2 instances")
		if unk != nil {
			return unk
		}
		// Secondary ENIs can carry Elastic IPs the instance's PublicIp field
		// does not show.
		eniIPs := map[string][]string{}
		if enis, ok := r.NetworkInterfaces.Get(); ok {
			for _, n := range enis {
				if n.InstanceID != "" && len(n.PublicIPs) > 0 {
					eniIPs[n.InstanceID] = append(eniIPs[n.InstanceID], n.PublicIPs...)
				}
			}
		}
		var out []Result
		for _, i := range insts {
			if !liveInstance(i) {
				continue
			}
			arn, region := instanceARN(s, r.Name, i), regionOr(i.Meta, r.Name)
			ips := eniIPs[i.ID]
			if i.PublicIP != "" {
				ips = append([]string{i.PublicIP}, ips...)
			}
			ips = uniq(ips)
			if len(ips) > 0 {
				out = append(out, FailR(arn, region, "instance %s has public IPv4 address(es) %s", i.ID, strings.Join(ips, ", ")))
			} else {
				out = append(out, PassR(arn, region, "instance %s has no public IPv4 address", i.ID))
			}
		}
		return out
	})
}

func checkSubnetAutoPublicIP(s *model.Snapshot) []Result {
	return eachEC2Region(s, "subnet/*", func(r *ec2.Region) []Result {
		subnets, unk := knownList(r.Subnets, regionalARN(s, "ec2", r.Name, "subnet/*"), r.Name, "subnets")
		if unk != nil {
			return unk
		}
		out := make([]Result, 0, len(subnets))
		for _, sn := range subnets {
			arn, region := orARN(sn.ARN, regionalARN(s, "ec2", r.Name, "subnet/"+sn.ID)), regionOr(sn.Meta, r.Name)
			if sn.MapPublicIPOnLaunch {
				out = append(out, FailR(arn, region, "subnet %s assigns public IPv4 addresses on launch", sn.ID))
			} else {
				out = append(out, PassR(arn, region, "subnet %s does not assign public IPv4 addresses on launch", sn.ID))
			}
		}
		return out
	})
}

func checkVPCFlowLogs(s *model.Snapshot) []Result {
	return eachEC2Region(s, "vpc/*", func(r *ec2.Region) []Result {
		vpcs, unk := knownList(r.VPCs, regionalARN(s, "ec2", r.Name, "vpc/*"), r.Name, "VPCs")
		if unk != nil {
			return unk
		}
		logs, logsOK := r.FlowLogs.Get()
		byVPC := map[string][]ec2.FlowLog{}
		for _, l := range logs {
			byVPC[l.ResourceID] = append(byVPC[l.ResourceID], l)
		}
		out := make([]Result, 0, len(vpcs))
		for _, v := range vpcs {
			arn, region := orARN(v.ARN, regionalARN(s, "ec2", r.Name, "vpc/"+v.ID)), regionOr(v.Meta, r.Name)
			if !logsOK {
				out = append(out, UnknownR(arn, region, "VPC %s: flow logs unreadable: %s", v.ID, r.FlowLogs.Why()))
				continue
			}
			var acceptOnly, inactive []string
			pass := ""
			for _, l := range byVPC[v.ID] {
				active := l.Status == "" || strings.EqualFold(l.Status, "ACTIVE")
				tt := strings.ToUpper(l.TrafficType)
				switch {
				case !active:
					inactive = append(inactive, l.ID)
				case tt == "ALL" || tt == "REJECT":
					pass = l.ID + " (" + tt + ")"
				default:
					acceptOnly = append(acceptOnly, l.ID)
				}
			}
			switch {
			case pass != "":
				out = append(out, PassR(arn, region, "VPC %s has flow log %s", v.ID, pass))
			case len(acceptOnly) > 0:
				out = append(out, FailR(arn, region, "VPC %s flow logs capture only accepted traffic (%s); rejected traffic is not logged", v.ID, strings.Join(acceptOnly, ", ")))
			case len(inactive) > 0:
				out = append(out, FailR(arn, region, "VPC %s flow logs are not active (%s)", v.ID, strings.Join(inactive, ", ")))
			default:
				out = append(out, FailR(arn, region, "VPC %s has no flow log", v.ID))
			}
		}
		return out
	})
}
