package checks

import (
	"reflect"
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/autoscaling"
	"github.com/demarc-sec/demarc/internal/model/backup"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/dynamodb"
	"github.com/demarc-sec/demarc/internal/model/ec2"
)

// compliantSelections assign every EBS volume, standalone RDS instance and
// DynamoDB table by resource type, so opt-in settings do not matter.
func compliantSelections() []backup.Selection {
	return []backup.Selection{{
		ID: "sel-1", Name: "stateful", IAMRole: "arn:aws:iam::" + acct + ":role/service-role/AWSBackupDefaultServiceRole",
		Resources: []string{"arn:aws:ec2:*:*:volume/*", "arn:aws:rds:*:*:db:*", "arn:aws:dynamodb:*:*:table/*"},
	}}
}

// addCompliantAvailability adds an AWS Backup plan per region covering the
// stateful resources, a second-zone Auto Scaling sample when no helper put
// one in the world, and known empty DynamoDB and Auto Scaling regions.
func addCompliantAvailability(s *model.Snapshot) {
	for _, r := range testRegions {
		vault := "arn:aws:backup:" + r + ":" + acct + ":backup-vault:main"
		if backupRegionOf(s, r) == nil {
			s.Backup = append(s.Backup, backup.Region{Name: r, Vaults: core.Known([]backup.Vault{}), Plans: core.Known([]backup.Plan{}),
				ProtectedResources: core.Known([]backup.ProtectedResource{})})
		}
		b := backupRegionOf(s, r)
		b.Vaults = core.Known(append(b.Vaults.V, backup.Vault{
			Meta: core.Meta{ARN: vault, Account: acct, Region: r}, Name: "main", Type: "BACKUP_VAULT",
			EncryptionKeyARN: "arn:aws:kms:" + r + ":" + acct + ":key/backup", Locked: true, MinRetentionDays: 7, MaxRetentionDays: 365,
			RecoveryPoints: 10, Policy: core.Known(""),
		}))
		b.Plans = core.Known(append(b.Plans.V, backup.Plan{
			Meta: core.Meta{ARN: "arn:aws:backup:" + r + ":" + acct + ":backup-plan:daily", Account: acct, Region: r}, ID: "daily", Name: "daily",
			Rules: core.Known([]backup.Rule{{Name: "daily", TargetVault: "main", Schedule: "cron(0 5 ? * * *)",
				Lifecycle: &backup.Lifecycle{DeleteAfterDays: 35}}}),
			Selections: core.Known(compliantSelections()),
		}))
		found := false
		for i := range s.DynamoDB {
			found = found || s.DynamoDB[i].Name == r
		}
		if !found {
			s.DynamoDB = append(s.DynamoDB, dynamodb.Region{Name: r, Tables: core.Known([]dynamodb.Table{})})
		}
		found = false
		for i := range s.AutoScaling {
			found = found || s.AutoScaling[i].Name == r
		}
		if !found {
			s.AutoScaling = append(s.AutoScaling, autoscaling.Region{Name: r, Groups: core.Known([]autoscaling.Group{}),
				LaunchConfigurations: core.Known([]autoscaling.LaunchConfiguration{})})
		}
	}
	// Samples for the rules that need a resource to judge: a two-zone group
	// and a table, only where the world has none.
	groups, tables := 0, 0
	for _, r := range s.AutoScaling {
		groups += len(r.Groups.V)
	}
	for _, r := range s.DynamoDB {
		tables += len(r.Tables.V)
	}
	for i := range s.AutoScaling {
		if groups == 0 && s.AutoScaling[i].Name == dbRegion {
			s.AutoScaling[i].Groups = core.Known([]autoscaling.Group{{
				Meta: core.Meta{ARN: regionalARNOf("autoscaling", dbRegion, "autoScalingGroup:1:autoScalingGroupName/web"), Account: acct, Region: dbRegion},
				Name: "web", AvailabilityZones: []string{dbRegion + "a", dbRegion + "b"}, SubnetIDs: []string{"subnet-1", "subnet-2"},
				HealthCheckType: "ELB", MinSize: 2, MaxSize: 4, DesiredCapacity: 2,
			}})
		}
	}
	for i := range s.DynamoDB {
		if tables == 0 && s.DynamoDB[i].Name == dbRegion {
			s.DynamoDB[i].Tables = core.Known([]dynamodb.Table{{
				Meta: core.Meta{ARN: regionalARNOf("dynamodb", dbRegion, "table/orders"), Account: acct, Region: dbRegion}, Name: "orders",
				Details: core.Known(dynamodb.TableDetails{Status: "ACTIVE", Encryption: dynamodb.EncryptionKMS, DeletionProtection: true,
					BillingMode: "PAY_PER_REQUEST", CreationTime: agoP(200)}),
				PITR: core.Known(true),
			}})
		}
	}
	// Every live instance runs with an instance profile (CIS 1.17).
	for ri := range s.EC2 {
		for i := range s.EC2[ri].Instances.V {
			in := &s.EC2[ri].Instances.V[i]
			if liveInstance(*in) && in.IAMInstanceProfile == "" {
				in.IAMInstanceProfile = "arn:aws:iam::" + acct + ":instance-profile/app"
			}
		}
	}
}

func firstGroup(s *model.Snapshot) *autoscaling.Group {
	for ri := range s.AutoScaling {
		if len(s.AutoScaling[ri].Groups.V) > 0 {
			return &s.AutoScaling[ri].Groups.V[0]
		}
	}
	panic("no Auto Scaling group in the world")
}

// withNAT gives region r's VPC two private subnets in two zones, both routed
// to NAT gateways in the zones listed by natAZ ("a" or "b" per subnet).
func withNAT(s *model.Snapshot, r string, natAZ ...string) {
	e := s.EC2Region(r)
	meta := func(res string) core.Meta {
		return core.Meta{ARN: "arn:aws:ec2:" + r + ":" + acct + ":" + res, Account: acct, Region: r}
	}
	subnets := []ec2.Subnet{
		{Meta: meta("subnet/pub-a"), ID: "pub-a", VPCID: "vpc-1", CIDR: "10.0.10.0/24", AvailabilityZone: r + "a"},
		{Meta: meta("subnet/pub-b"), ID: "pub-b", VPCID: "vpc-1", CIDR: "10.0.11.0/24", AvailabilityZone: r + "b"},
		{Meta: meta("subnet/priv-a"), ID: "priv-a", VPCID: "vpc-1", CIDR: "10.0.20.0/24", AvailabilityZone: r + "a"},
		{Meta: meta("subnet/priv-b"), ID: "priv-b", VPCID: "vpc-1", CIDR: "10.0.21.0/24", AvailabilityZone: r + "b"},
	}
	e.Subnets = core.Known(append(e.Subnets.V, subnets...))
	e.NATGateways = core.Known([]ec2.NATGateway{
		{Meta: meta("natgateway/nat-a"), ID: "nat-a", VPCID: "vpc-1", SubnetID: "pub-a", State: "available", ConnectivityType: "public"},
		{Meta: meta("natgateway/nat-b"), ID: "nat-b", VPCID: "vpc-1", SubnetID: "pub-b", State: "available", ConnectivityType: "public"},
	})
	var tables []ec2.RouteTable
	for i, sub := range []string{"priv-a", "priv-b"} {
		tables = append(tables, ec2.RouteTable{
			Meta: meta("route-table/rt-" + sub), ID: "rt-" + sub, VPCID: "vpc-1",
			Associations: []ec2.RouteAssociation{{SubnetID: sub}},
			Routes: []ec2.Route{{DestinationCIDR: "10.0.0.0/16", GatewayID: "local", State: "active"},
				{DestinationCIDR: "0.0.0.0/0", NATGatewayID: "nat-" + natAZ[i], State: "active"}},
		})
	}
	e.RouteTables = core.Known(append(e.RouteTables.V, tables...))
}

func availabilityFixtures() map[string]fixture {
	noSelections := func(s *model.Snapshot) {
		for i := range s.Backup {
			for j := range s.Backup[i].Plans.V {
				s.Backup[i].Plans.V[j].Selections = core.Known([]backup.Selection{})
			}
		}
	}
	return map[string]fixture{
		"autoscaling-group-multi-az": failWhen(func(s *model.Snapshot) {
			g := firstGroup(s)
			g.AvailabilityZones = g.AvailabilityZones[:1]
		}),
		"vpc-nat-gateway-per-az": {
			pass: func() *model.Snapshot {
				s := compliantSnapshot()
				withNAT(s, dbRegion, "a", "b")
				return s
			},
			fail: func() *model.Snapshot {
				s := compliantSnapshot()
				withNAT(s, dbRegion, "a", "a")
				return s
			},
		},
		"backup-ebs-volume-covered":     failWhen(noSelections),
		"backup-rds-instance-covered":   failWhen(noSelections),
		"backup-dynamodb-table-covered": failWhen(noSelections),
	}
}

func TestSelectionCovers(t *testing.T) {
	vol := backupTarget{arn: "arn:aws:ec2:eu-west-1:" + acct + ":volume/vol-1", region: "eu-west-1", label: "vol-1",
		tags: map[string]string{"backup": "daily", "env": "prod"}, tagsKnown: true}
	untagged := vol
	untagged.tags, untagged.tagsKnown = nil, false
	cond := func(op, k, v string) backup.Condition { return backup.Condition{Operator: op, Key: k, Value: v} }
	cases := []struct {
		name       string
		sel        backup.Selection
		target     backupTarget
		want       tri
		wantCaveat bool
	}{
		{"by type", backup.Selection{Resources: []string{"arn:aws:ec2:*:*:volume/*"}}, vol, triKnown(true), false},
		{"by ARN", backup.Selection{Resources: []string{vol.arn}}, vol, triKnown(true), false},
		{"other type", backup.Selection{Resources: []string{"arn:aws:rds:*:*:db:*"}}, vol, triKnown(false), false},
		{"everything", backup.Selection{Resources: []string{"*"}}, vol, triKnown(true), true},
		{"bare service", backup.Selection{Resources: []string{"arn:aws:ec2:*"}}, vol, triKnown(true), true},
		{"empty selection selects all opted-in", backup.Selection{}, vol, triKnown(true), true},
		{"excluded", backup.Selection{Resources: []string{"*"}, NotResources: []string{"arn:aws:ec2:*:*:volume/*"}}, vol, triKnown(false), false},
		{"ListOfTags any", backup.Selection{Tags: []backup.Condition{cond("STRINGEQUALS", "backup", "weekly"), cond("STRINGEQUALS", "env", "prod")}}, vol, triKnown(true), true},
		{"ListOfTags none", backup.Selection{Tags: []backup.Condition{cond("STRINGEQUALS", "backup", "weekly")}}, vol, triKnown(false), false},
		{"type AND conditions", backup.Selection{Resources: []string{"arn:aws:ec2:*:*:volume/*"},
			Conditions: []backup.Condition{cond("StringEquals", "aws:ResourceTag/backup", "daily"), cond("StringLike", "aws:ResourceTag/env", "pr*")}}, vol, triKnown(true), false},
		{"one condition fails", backup.Selection{Resources: []string{"arn:aws:ec2:*:*:volume/*"},
			Conditions: []backup.Condition{cond("StringEquals", "aws:ResourceTag/backup", "daily"), cond("StringNotEquals", "aws:ResourceTag/env", "prod")}}, vol, triKnown(false), false},
		{"StringNotLike needs the tag", backup.Selection{Conditions: []backup.Condition{cond("StringNotLike", "aws:ResourceTag/owner", "x*")}}, vol, triKnown(false), false},
		{"tags unknown", backup.Selection{Conditions: []backup.Condition{cond("StringEquals", "aws:ResourceTag/backup", "daily")}}, untagged, triUnknown("x"), false},
		{"tags unknown, type does not match", backup.Selection{Resources: []string{"arn:aws:rds:*:*:db:*"},
			Conditions: []backup.Condition{cond("StringEquals", "aws:ResourceTag/backup", "daily")}}, untagged, triKnown(false), false},
	}
	for _, c := range cases {
		got, caveat := selectionCovers(c.sel, c.target)
		if got.known != c.want.known || (got.known && got.v != c.want.v) || caveat != c.wantCaveat {
			t.Errorf("%s: got %+v caveat %v, want %+v caveat %v", c.name, got, caveat, c.want, c.wantCaveat)
		}
	}
}

func TestBackupCoverageStatuses(t *testing.T) {
	rule := checkBackupCoverage(rdsBackupTargets)
	status := func(s *model.Snapshot) Status {
		for _, r := range rule(s) {
			if r.ResourceARN == rdsARN("db:app") {
				return r.Status
			}
		}
		return ""
	}
	cases := []struct {
		name   string
		mutate func(s *model.Snapshot)
		want   Status
	}{
		{"covered", func(*model.Snapshot) {}, Pass},
		{"plan without rules", func(s *model.Snapshot) {
			backupRegionOf(s, dbRegion).Plans.V[0].Rules = core.Known([]backup.Rule{})
		}, Fail},
		{"plan rules unreadable", func(s *model.Snapshot) {
			backupRegionOf(s, dbRegion).Plans.V[0].Rules = core.Unknown[[]backup.Rule]("denied")
		}, Unknown},
		{"selections unreadable", func(s *model.Snapshot) {
			backupRegionOf(s, dbRegion).Plans.V[0].Selections = core.Unknown[[]backup.Selection]("denied")
		}, Unknown},
		{"plans unreadable", func(s *model.Snapshot) {
			backupRegionOf(s, dbRegion).Plans = core.Unknown[[]backup.Plan]("denied")
		}, Unknown},
		{"no plans", func(s *model.Snapshot) { backupRegionOf(s, dbRegion).Plans = core.Known([]backup.Plan{}) }, Fail},
		{"tag selection matches", func(s *model.Snapshot) {
			backupRegionOf(s, dbRegion).Plans.V[0].Selections = core.Known([]backup.Selection{{Name: "tagged",
				Conditions: []backup.Condition{{Operator: "StringEquals", Key: "aws:ResourceTag/backup", Value: "daily"}}}})
		}, Pass},
		{"backup region not collected", func(s *model.Snapshot) { s.Backup = nil }, Unknown},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := compliantSnapshot()
			c.mutate(s)
			if got := status(s); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestNATPerAZ(t *testing.T) {
	status := func(s *model.Snapshot) Status {
		for _, r := range checkNATPerAZ(s) {
			if r.Region == dbRegion {
				return r.Status
			}
		}
		return ""
	}
	s := compliantSnapshot()
	withNAT(s, dbRegion, "b", "a") // crosses zones, but two zones of NAT
	if got := status(s); got != Pass {
		t.Errorf("crossed NAT zones: got %s, want PASS", got)
	}
	s = compliantSnapshot()
	withNAT(s, dbRegion, "b", "b")
	if got := status(s); got != Fail {
		t.Errorf("single NAT zone: got %s, want FAIL", got)
	}
	s = compliantSnapshot()
	withNAT(s, dbRegion, "a", "a")
	s.EC2Region(dbRegion).RouteTables = core.Unknown[[]ec2.RouteTable]("denied")
	if got := status(s); got != Unknown {
		t.Errorf("route tables unknown: got %s, want UNKNOWN", got)
	}
}

// dropServiceRegion removes a region's element from every per-region
// service list of the snapshot except EC2 and the security services, which
// tests set up by hand. It finds the lists by reflection (a slice of structs
// with a string Name field, at the top level or one struct deeper, such as
// WAFv2.Regions), so a service added later is covered without editing it.
func dropServiceRegion(s *model.Snapshot, region string) {
	v := reflect.ValueOf(s).Elem()
	var filter func(f reflect.Value, depth int)
	filter = func(f reflect.Value, depth int) {
		switch {
		case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.Struct:
			name, ok := f.Type().Elem().FieldByName("Name")
			if !ok || name.Type.Kind() != reflect.String {
				return
			}
			kept := reflect.MakeSlice(f.Type(), 0, f.Len())
			for i := 0; i < f.Len(); i++ {
				if f.Index(i).FieldByIndex(name.Index).String() != region {
					kept = reflect.Append(kept, f.Index(i))
				}
			}
			f.Set(kept)
		case f.Kind() == reflect.Struct && depth == 0:
			for i := 0; i < f.NumField(); i++ {
				if f.Type().Field(i).IsExported() {
					filter(f.Field(i), depth+1)
				}
			}
		}
	}
	for i := 0; i < v.NumField(); i++ {
		switch v.Type().Field(i).Name {
		case "EC2", "Security", "IAM", "S3", "CloudTrail", "Organizations":
			continue
		}
		filter(v.Field(i), 0)
	}
}
