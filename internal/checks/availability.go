package checks

import (
	"sort"
	"strings"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/autoscaling"
	"github.com/demarc-sec/demarc/internal/model/backup"
	"github.com/demarc-sec/demarc/internal/model/dynamodb"
	"github.com/demarc-sec/demarc/internal/model/ec2"
)

// Availability duties of the customer: spreading over Availability Zones
// and backing up stateful resources. AWS runs each zone; surviving the loss
// of one, and restoring lost data, is the customer's design. Load balancer
// zone spread is judged by elbv2-multi-az and elb-classic-multi-az, RDS by
// rds-instance-multi-az and rds-cluster-multi-az.

func availabilityRules() []Rule {
	return []Rule{
		{
			ID:             "autoscaling-group-multi-az",
			Title:          "Auto Scaling groups span at least two Availability Zones",
			Service:        "autoscaling",
			Severity:       Medium,
			Responsibility: LayerResilience,
			Frameworks:     map[string][]string{FSBP: {"AutoScaling.2"}},
			Description:    "A group confined to one zone loses all its instances when that zone fails; with two or more zones Auto Scaling rebalances and replaces capacity elsewhere (FSBP AutoScaling.2, minAvailabilityZones 2).",
			Remediation: "  aws autoscaling update-auto-scaling-group --auto-scaling-group-name ASG --vpc-zone-identifier \"subnet-a,subnet-b\"\n" +
				"Terraform: resource \"aws_autoscaling_group\" \"g\" { vpc_zone_identifier = [aws_subnet.a.id, aws_subnet.b.id] }",
			Links: []string{"https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-availability-zone-balanced.html",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/autoscaling-controls.html#autoscaling-2"},
			Check: checkASGMultiAZ,
		},
		{
			ID:             "vpc-nat-gateway-per-az",
			Title:          "Private subnets in several Availability Zones do not all depend on NAT in one zone",
			Service:        "vpc",
			Severity:       Low,
			Responsibility: LayerResilience,
			Frameworks:     map[string][]string{},
			Description:    "A NAT gateway lives in one Availability Zone. When private subnets in two or more zones all send their internet traffic through NAT gateways in a single zone, an outage of that zone cuts outbound access for every zone. AWS recommends a NAT gateway in each zone, with each zone's subnets routed to their own.",
			Remediation: "Create a NAT gateway in a public subnet of each zone and route each zone's private subnets to it:\n" +
				"  aws ec2 create-nat-gateway --subnet-id PUBLIC_SUBNET_IN_AZ_B --allocation-id EIP_ALLOC\n" +
				"  aws ec2 replace-route --route-table-id RTB_AZ_B --destination-cidr-block 0.0.0.0/0 --nat-gateway-id NAT_AZ_B\n" +
				"Terraform: one aws_nat_gateway and one aws_route_table per zone (for_each over the zones), each private subnet associated with its zone's table.",
			Links: []string{"https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-basics.html"},
			Check: checkNATPerAZ,
		},
		{
			ID:             "backup-ebs-volume-covered",
			Title:          "EBS volumes are covered by an AWS Backup plan",
			Service:        "backup",
			Severity:       Low,
			Responsibility: LayerResilience,
			Frameworks:     map[string][]string{FSBP: {"EC2.28"}},
			Description:    backupCoverageDescription("EBS volume"),
			Remediation: backupCoverageRemediation("arn:aws:ec2:*:*:volume/*") +
				"\nTerraform: resource \"aws_backup_selection\" \"ebs\" { plan_id = aws_backup_plan.p.id, iam_role_arn = aws_iam_role.backup.arn,\n" +
				"  name = \"ebs\", resources = [\"arn:aws:ec2:*:*:volume/*\"] }",
			Links: []string{"https://docs.aws.amazon.com/aws-backup/latest/devguide/assigning-resources.html",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-28"},
			Check: checkBackupCoverage(ebsBackupTargets),
		},
		{
			ID:             "backup-rds-instance-covered",
			Title:          "RDS DB instances are covered by an AWS Backup plan",
			Service:        "backup",
			Severity:       Medium,
			Responsibility: LayerResilience,
			Frameworks:     map[string][]string{FSBP: {"RDS.26"}},
			Description: backupCoverageDescription("RDS DB instance") + " As in Security Hub, members of a DB cluster and Neptune and " +
				"DocumentDB instances are not judged.",
			Remediation: backupCoverageRemediation("arn:aws:rds:*:*:db:*") +
				"\nTerraform: resource \"aws_backup_selection\" \"rds\" { plan_id = aws_backup_plan.p.id, iam_role_arn = aws_iam_role.backup.arn,\n" +
				"  name = \"rds\", resources = [\"arn:aws:rds:*:*:db:*\"] }",
			Links: []string{"https://docs.aws.amazon.com/aws-backup/latest/devguide/assigning-resources.html",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html#rds-26"},
			Check: checkBackupCoverage(rdsBackupTargets),
		},
		{
			ID:             "backup-dynamodb-table-covered",
			Title:          "DynamoDB tables are covered by an AWS Backup plan",
			Service:        "backup",
			Severity:       Medium,
			Responsibility: LayerResilience,
			Frameworks:     map[string][]string{FSBP: {"DynamoDB.4"}},
			Description: backupCoverageDescription("DynamoDB table") + " Table tags are not in the snapshot, so a table selected only by " +
				"tags is UNKNOWN.",
			Remediation: backupCoverageRemediation("arn:aws:dynamodb:*:*:table/*") +
				"\nTerraform: resource \"aws_backup_selection\" \"ddb\" { plan_id = aws_backup_plan.p.id, iam_role_arn = aws_iam_role.backup.arn,\n" +
				"  name = \"dynamodb\", resources = [\"arn:aws:dynamodb:*:*:table/*\"] }",
			Links: []string{"https://docs.aws.amazon.com/aws-backup/latest/devguide/assigning-resources.html",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/dynamodb-controls.html#dynamodb-4"},
			Check: checkBackupCoverage(dynamoBackupTargets),
		},
	}
}

func backupCoverageDescription(noun string) string {
	return "Every " + noun + " should be assigned to an AWS Backup plan that has at least one backup rule, so that it is backed up on a " +
		"schedule and can be restored after deletion, corruption or ransomware. A selection assigns the resource when one of its " +
		"Resources patterns matches the resource's ARN (no Resources: every resource), none of its NotResources does, it has a tag " +
		"listed in ListOfTags (when set) and it meets every tag condition in Conditions. Selections by \"*\", by service or by tags " +
		"alone only back up resource types that are opted in to AWS Backup in the region; opt-in settings are not in the snapshot, " +
		"so such a PASS says so."
}

func backupCoverageRemediation(pattern string) string {
	return "Assign the resources to a backup plan (create one with aws backup create-backup-plan if needed):\n" +
		"  aws backup create-backup-selection --backup-plan-id PLAN_ID --backup-selection '{\"SelectionName\":\"all\",\n" +
		"      \"IamRoleArn\":\"arn:aws:iam::ACCOUNT:role/service-role/AWSBackupDefaultServiceRole\",\"Resources\":[\"" + pattern + "\"]}'"
}

// --- Auto Scaling ---------------------------------------------------------

func checkASGMultiAZ(s *model.Snapshot) []Result {
	names := make([]string, len(s.AutoScaling))
	for i := range s.AutoScaling {
		names[i] = s.AutoScaling[i].Name
	}
	var out []Result
	for _, name := range regionsWith(s, names) {
		wild := regionalARN(s, "autoscaling", name, "autoScalingGroup:*")
		var r *autoscaling.Region
		for i := range s.AutoScaling {
			if s.AutoScaling[i].Name == name {
				r = &s.AutoScaling[i]
			}
		}
		if r == nil {
			out = append(out, UnknownR(wild, name, "Auto Scaling data for region %s was not collected", name))
			continue
		}
		groups, unk := knownList(r.Groups, wild, name, "Auto Scaling groups")
		if unk != nil {
			out = append(out, unk...)
			continue
		}
		for _, g := range groups {
			arn := orARN(g.ARN, regionalARN(s, "autoscaling", name, "autoScalingGroup:*:autoScalingGroupName/"+g.Name))
			azs := append([]string(nil), g.AvailabilityZones...)
			sort.Strings(azs)
			if len(azs) >= 2 {
				out = append(out, PassR(arn, regionOr(g.Meta, name), "Auto Scaling group %s spans %d Availability Zones (%s)", g.Name, len(azs), strings.Join(azs, ", ")))
			} else {
				where := plural(len(azs), "Availability Zone", "Availability Zones")
				if len(azs) > 0 {
					where += " (" + strings.Join(azs, ", ") + ")"
				}
				out = append(out, FailR(arn, regionOr(g.Meta, name), "Auto Scaling group %s spans only %s", g.Name, where))
			}
		}
	}
	return out
}

// --- NAT gateways ---------------------------------------------------------

func checkNATPerAZ(s *model.Snapshot) []Result {
	return eachEC2Region(s, "vpc/*", func(r *ec2.Region) []Result {
		wild := regionalARN(s, "ec2", r.Name, "vpc/*")
		vpcs, unk := knownList(r.VPCs, wild, r.Name, "VPCs")
		if unk != nil {
			return unk
		}
		subnets, unk := knownList(r.Subnets, wild, r.Name, "subnets")
		if unk != nil {
			return unk
		}
		tables, unk := knownList(r.RouteTables, wild, r.Name, "route tables")
		if unk != nil {
			return unk
		}
		nats, unk := knownList(r.NATGateways, wild, r.Name, "NAT gateways")
		if unk != nil {
			return unk
		}
		subnetAZ := make(map[string]string, len(subnets))
		for _, sn := range subnets {
			subnetAZ[sn.ID] = sn.AvailabilityZone
		}
		natAZ := map[string]string{}
		for _, n := range nats {
			if n.State != "deleted" && n.State != "deleting" {
				natAZ[n.ID] = subnetAZ[n.SubnetID]
			}
		}
		// Each subnet's route table: its explicit association, else its
		// VPC's main table.
		explicit, main := map[string]*ec2.RouteTable{}, map[string]*ec2.RouteTable{}
		for i := range tables {
			for _, a := range tables[i].Associations {
				switch {
				case a.Main:
					main[tables[i].VPCID] = &tables[i]
				case a.SubnetID != "":
					explicit[a.SubnetID] = &tables[i]
				}
			}
		}
		var out []Result
		for _, v := range vpcs {
			arn := orARN(v.ARN, regionalARN(s, "ec2", r.Name, "vpc/"+v.ID))
			privateAZs, usedNATAZs := map[string]bool{}, map[string]bool{}
			var unknown, crossAZ []string
			for _, sn := range subnets {
				if sn.VPCID != v.ID {
					continue
				}
				rt := explicit[sn.ID]
				if rt == nil {
					rt = main[v.ID]
				}
				if rt == nil {
					continue
				}
				for _, route := range rt.Routes {
					if route.NATGatewayID == "" || route.State == "blackhole" || !isInternetCIDR(route.DestinationCIDR) {
						continue
					}
					az, known := natAZ[route.NATGatewayID]
					switch {
					case !known:
						continue // a NAT gateway that no longer exists forwards nothing
					case az == "":
						unknown = append(unknown, "NAT gateway "+route.NATGatewayID+" is in a subnet whose zone is unknown")
						continue
					}
					privateAZs[sn.AvailabilityZone] = true
					usedNATAZs[az] = true
					if sn.AvailabilityZone != az {
						crossAZ = append(crossAZ, sn.ID+" ("+sn.AvailabilityZone+") → "+route.NATGatewayID+" ("+az+")")
					}
				}
			}
			switch {
			case len(unknown) > 0:
				out = append(out, UnknownR(arn, r.Name, "VPC %s: %s", v.ID, strings.Join(unknown, "; ")))
			case len(privateAZs) == 0:
				out = append(out, PassR(arn, r.Name, "VPC %s has no subnet routing to the internet through a NAT gateway", v.ID))
			case len(privateAZs) >= 2 && len(usedNATAZs) == 1:
				out = append(out, FailR(arn, r.Name, "VPC %s: private subnets in %s all reach the internet through NAT in %s only; losing that zone cuts outbound access for all (%s)",
					v.ID, strings.Join(sortedKeys(privateAZs), ", "), strings.Join(sortedKeys(usedNATAZs), ", "), capList(crossAZ)))
			default:
				msg := "VPC " + v.ID + ": private subnets in " + strings.Join(sortedKeys(privateAZs), ", ") + " use NAT in " + strings.Join(sortedKeys(usedNATAZs), ", ")
				if len(crossAZ) > 0 {
					msg += "; some subnets still route across zones: " + capList(crossAZ)
				}
				out = append(out, PassR(arn, r.Name, "%s", msg))
			}
		}
		return out
	})
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// --- AWS Backup coverage --------------------------------------------------

// backupTarget is one resource the coverage rules judge.
type backupTarget struct {
	arn, region, label string
	tags               map[string]string
	tagsKnown          bool
}

// backupTargetSet lists a region's resources of one kind, or the UNKNOWN
// results to report when they cannot be listed.
type backupTargetSet func(s *model.Snapshot, region string) ([]backupTarget, []Result)

func ebsBackupTargets(s *model.Snapshot, region string) ([]backupTarget, []Result) {
	wild := regionalARN(s, "ec2", region, "volume/*")
	r := s.EC2Region(region)
	if r == nil {
		return nil, []Result{UnknownR(wild, region, "EC2 data for region %s was not collected", region)}
	}
	vols, unk := knownList(r.Volumes, wild, region, "EBS volumes")
	if unk != nil {
		return nil, unk
	}
	var out []backupTarget
	for _, v := range vols {
		if v.State == "deleting" || v.State == "deleted" {
			continue
		}
		out = append(out, backupTarget{arn: orARN(v.ARN, regionalARN(s, "ec2", region, "volume/"+v.ID)), region: regionOr(v.Meta, region),
			label: "EBS volume " + v.ID, tags: v.Tags, tagsKnown: true})
	}
	return out, nil
}

func rdsBackupTargets(s *model.Snapshot, region string) ([]backupTarget, []Result) {
	wild := regionalARN(s, "rds", region, "db:*")
	r := rdsRegion(s, region)
	if r == nil {
		return nil, []Result{UnknownR(wild, region, "RDS data for region %s was not collected", region)}
	}
	insts, unk := knownList(r.Instances, wild, region, "RDS DB instances")
	if unk != nil {
		return nil, unk
	}
	var out []backupTarget
	for _, i := range insts {
		if rdsGone(i.Status) || i.ClusterID != "" || i.Engine == "neptune" || i.Engine == "docdb" {
			continue
		}
		out = append(out, backupTarget{arn: rdsInstanceARN(s, region, i), region: regionOr(i.Meta, region),
			label: "DB instance " + i.ID, tags: i.Tags, tagsKnown: true})
	}
	return out, nil
}

func dynamoBackupTargets(s *model.Snapshot, region string) ([]backupTarget, []Result) {
	wild := regionalARN(s, "dynamodb", region, "table/*")
	var r *dynamodb.Region
	for i := range s.DynamoDB {
		if s.DynamoDB[i].Name == region {
			r = &s.DynamoDB[i]
		}
	}
	if r == nil {
		return nil, []Result{UnknownR(wild, region, "DynamoDB data for region %s was not collected", region)}
	}
	tables, unk := knownList(r.Tables, wild, region, "DynamoDB tables")
	if unk != nil {
		return nil, unk
	}
	var out []backupTarget
	for _, t := range tables {
		if d, ok := t.Details.Get(); ok && (d.Status == "DELETING" || d.Status == "ARCHIVED") {
			continue
		}
		// The DynamoDB collector does not read table tags; a nil map means
		// "not read", not "no tags".
		out = append(out, backupTarget{arn: orARN(t.ARN, regionalARN(s, "dynamodb", region, "table/"+t.Name)), region: regionOr(t.Meta, region),
			label: "DynamoDB table " + t.Name, tags: t.Tags, tagsKnown: t.Tags != nil})
	}
	return out, nil
}

// backupRegionOf returns the AWS Backup state of a region, or nil.
func backupRegionOf(s *model.Snapshot, name string) *backup.Region {
	for i := range s.Backup {
		if s.Backup[i].Name == name {
			return &s.Backup[i]
		}
	}
	return nil
}

func checkBackupCoverage(targets backupTargetSet) func(*model.Snapshot) []Result {
	return func(s *model.Snapshot) []Result {
		var out []Result
		for _, region := range snapshotRegions(s) {
			list, unk := targets(s, region)
			if unk != nil {
				out = append(out, unk...)
				continue
			}
			if len(list) == 0 {
				continue
			}
			plans, why := backupPlans(s, region)
			for _, t := range list {
				if why != "" {
					out = append(out, UnknownR(t.arn, t.region, "%s: %s", t.label, why))
					continue
				}
				out = append(out, judgeBackupCoverage(t, plans))
			}
		}
		return out
	}
}

// backupPlans returns a region's plans, or why they cannot be read.
func backupPlans(s *model.Snapshot, region string) ([]backup.Plan, string) {
	r := backupRegionOf(s, region)
	if r == nil {
		return nil, "AWS Backup data for region " + region + " was not collected"
	}
	plans, ok := r.Plans.Get()
	if !ok {
		return nil, "AWS Backup plans in " + region + " unreadable: " + r.Plans.Why()
	}
	return plans, ""
}

func judgeBackupCoverage(t backupTarget, plans []backup.Plan) Result {
	var unknowns, idle []string
	for _, p := range plans {
		sels, ok := p.Selections.Get()
		if !ok {
			unknowns = append(unknowns, "selections of plan "+p.Name+" unreadable: "+p.Selections.Why())
			continue
		}
		for _, sel := range sels {
			m, caveat := selectionCovers(sel, t)
			if !m.known {
				if m.why != "" {
					unknowns = append(unknowns, "plan "+p.Name+" selection "+sel.Name+": "+m.why)
				}
				continue
			}
			if !m.v {
				continue
			}
			rules, ok := p.Rules.Get()
			switch {
			case !ok:
				unknowns = append(unknowns, "plan "+p.Name+" selects it but its rules are unreadable: "+p.Rules.Why())
			case len(rules) == 0:
				idle = append(idle, p.Name)
			default:
				msg := t.label + " is assigned to backup plan " + p.Name + " (selection " + sel.Name + ")"
				if caveat {
					msg += ", provided its resource type is opted in to AWS Backup in " + t.region
				}
				return PassR(t.arn, t.region, "%s", msg)
			}
		}
	}
	switch {
	case len(unknowns) > 0:
		return UnknownR(t.arn, t.region, "%s: no plan confirmed to cover it; %s", t.label, strings.Join(unknowns, "; "))
	case len(idle) > 0:
		return FailR(t.arn, t.region, "%s is selected only by plan(s) without backup rules (%s)", t.label, strings.Join(idle, ", "))
	case len(plans) == 0:
		return FailR(t.arn, t.region, "%s is not covered: there is no AWS Backup plan in %s", t.label, t.region)
	}
	return FailR(t.arn, t.region, "%s is not assigned to any AWS Backup plan", t.label)
}

// selectionCovers decides whether a selection assigns the resource
// (https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupSelection.html):
// Resources are ORed (none: every resource), NotResources exclude, ListOfTags
// are ORed, Conditions are ANDed, and the parts combine with AND (AWS Backup
// filters by resource type first, then by tags). caveat is true when the
// assignment depends on the resource type's opt-in setting: "*", a bare
// service pattern, or tags alone.
func selectionCovers(sel backup.Selection, t backupTarget) (m tri, caveat bool) {
	for _, nr := range sel.NotResources {
		if globMatch(nr, t.arn) {
			return triKnown(false), false
		}
	}
	res := triKnown(len(sel.Resources) == 0)
	caveat = len(sel.Resources) == 0
	for _, r := range sel.Resources {
		if globMatch(r, t.arn) {
			res = triKnown(true)
			caveat = !typedPattern(r)
			if !caveat {
				break
			}
		}
	}
	if !res.v {
		return res, false
	}
	if len(sel.Tags) > 0 || len(sel.Conditions) > 0 {
		if !t.tagsKnown {
			return triUnknown("it selects by tags, and the resource's tags are not in the snapshot"), false
		}
	}
	if len(sel.Tags) > 0 {
		hit := false
		for _, c := range sel.Tags {
			if tagCondition(c, t.tags) {
				hit = true
			}
		}
		if !hit {
			return triKnown(false), false
		}
	}
	for _, c := range sel.Conditions {
		if !tagCondition(c, t.tags) {
			return triKnown(false), false
		}
	}
	return triKnown(true), caveat
}

// typedPattern reports whether a Resources pattern names a resource type
// (arn:aws:ec2:*:*:volume/*) or a resource, which AWS Backup honours
// whatever the opt-in settings; "*" and bare service patterns
// (arn:aws:ec2:*) follow opt-in.
func typedPattern(p string) bool {
	parts := strings.SplitN(p, ":", 6)
	if len(parts) < 6 {
		return false
	}
	res := parts[5]
	return res != "" && res != "*"
}

// tagCondition evaluates one tag condition. Negated operators need the tag
// to be present: a resource without the tag is not counted as selected,
// which errs towards reporting it uncovered.
func tagCondition(c backup.Condition, tags map[string]string) bool {
	key := strings.TrimPrefix(c.Key, "aws:ResourceTag/")
	v, present := tags[key]
	switch strings.ToLower(c.Operator) {
	case "stringequals", "":
		return present && v == c.Value
	case "stringlike":
		return present && globMatch(c.Value, v)
	case "stringnotequals":
		return present && v != c.Value
	case "stringnotlike":
		return present && !globMatch(c.Value, v)
	}
	return false
}
