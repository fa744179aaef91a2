package checks

import (
	"strings"
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/ec2"
	"github.com/demarc-sec/demarc/internal/model/organizations"
	"github.com/demarc-sec/demarc/internal/model/s3"
)

// worldOptions allow exactly the regions of the compliant world.
var worldOptions = Options{AllowedRegions: testRegions, TrustedAccounts: exposureOptions.TrustedAccounts}

const denyOtherRegionsSCP = `{"Version":"2012-10-17","Statement":[{"Sid":"DenyAllOutsideEU","Effect":"Deny",
 "NotAction":["iam:*","organizations:*","sts:*","support:*","cloudfront:*","route53:*"],"Resource":"*",
 "Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1","us-east-1"]}}}]}`

const fullAccessSCP = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// memberOfOrg puts the snapshot's account in an organization, under root,
// with FullAWSAccess and optionally the region-deny SCP attached at the root.
func memberOfOrg(s *model.Snapshot, withRegionDeny bool) {
	root := organizations.Root{ID: "r-abcd", Name: "Root", PolicyTypes: []organizations.PolicyTypeStatus{
		{Type: organizations.TypeSCP, Status: "ENABLED"}}}
	target := core.Known([]organizations.Target{{ID: "r-abcd", Type: "ROOT"}})
	// AWS attaches FullAWSAccess to the root and to every OU and account.
	everywhere := core.Known([]organizations.Target{{ID: "r-abcd", Type: "ROOT"}, {ID: acct, Type: "ACCOUNT"}})
	scps := []organizations.Policy{{ID: "p-FullAWSAccess", Name: "FullAWSAccess", Type: organizations.TypeSCP,
		AWSManaged: true, Content: core.Known(fullAccessSCP), Targets: everywhere}}
	if withRegionDeny {
		scps = append(scps, organizations.Policy{ID: "p-regions", Name: "deny-other-regions", Type: organizations.TypeSCP,
			Content: core.Known(denyOtherRegionsSCP), Targets: target})
	}
	s.Organizations = organizations.State{
		Organization:        core.Known(&organizations.Organization{ID: "o-1", FeatureSet: "ALL", ManagementAccountID: "999999999999"}),
		Roots:               core.Known([]organizations.Root{root}),
		OrganizationalUnits: core.Known([]organizations.OrganizationalUnit{}),
		Accounts:            core.Known([]organizations.Account{{ID: acct, ParentID: "r-abcd", Status: "ACTIVE"}}),
		SCPs:                core.Known(scps),
		RCPs:                core.Known([]organizations.Policy{}),
	}
}

func regionFixtures() map[string]fixture {
	return map[string]fixture{
		"region-resources-in-allowed-regions": {
			opts: Options{AllowedRegions: []string{"eu-west-1", "us-east-1"}},
			pass: compliantSnapshot,
			fail: func() *model.Snapshot {
				s := compliantSnapshot()
				b := compliantBucket("tokyo-data", "ap-northeast-1")
				s.S3.Buckets.V = append(s.S3.Buckets.V, b)
				return s
			},
		},
		"region-scp-denies-other-regions": {
			opts: worldOptions,
			pass: func() *model.Snapshot { s := compliantSnapshot(); memberOfOrg(s, true); return s },
			fail: func() *model.Snapshot { s := compliantSnapshot(); memberOfOrg(s, false); return s },
		},
	}
}

func TestRegionRules(t *testing.T) {
	rules := map[string]Rule{}
	for _, r := range AllWith(Options{AllowedRegions: []string{"eu-west-1"}}) {
		rules[r.ID] = r
	}
	res := rules["region-resources-in-allowed-regions"].Check(compliantSnapshot())
	var fails, passes int
	for _, x := range res {
		switch x.Status {
		case Fail:
			fails++
			if x.Region != "us-east-1" {
				t.Errorf("FAIL outside us-east-1: %+v", x)
			}
		case Pass:
			passes++
		}
	}
	if fails == 0 {
		t.Error("resources in us-east-1 not reported")
	}

	// The default VPC and its defaults are AWS's, not the customer's.
	s := compliantSnapshot()
	r := s.EC2Region("us-east-1")
	r.Instances = core.Known([]ec2.Instance{})
	r.Volumes = core.Known([]ec2.Volume{})
	r.Snapshots = core.Known([]ec2.Snapshot{})
	r.NetworkInterfaces = core.Known([]ec2.NetworkInterface{})
	r.FlowLogs = core.Known([]ec2.FlowLog{})
	r.VPCs = core.Known([]ec2.VPC{{Meta: core.Meta{ARN: "arn:vpc", Region: "us-east-1"}, ID: "vpc-d", IsDefault: true}})
	r.Subnets = core.Known([]ec2.Subnet{{Meta: core.Meta{ARN: "arn:sub", Region: "us-east-1"}, VPCID: "vpc-d", DefaultForAZ: true}})
	r.SecurityGroups = core.Known([]ec2.SecurityGroup{{Meta: core.Meta{ARN: "arn:sg", Region: "us-east-1"}, Name: "default", VPCID: "vpc-d"}})
	r.NetworkACLs = core.Known([]ec2.NetworkACL{{Meta: core.Meta{ARN: "arn:acl", Region: "us-east-1"}, IsDefault: true}})
	r.RouteTables = core.Known([]ec2.RouteTable{{Meta: core.Meta{ARN: "arn:rtb", Region: "us-east-1"}, VPCID: "vpc-d"}})
	r.InternetGateways = core.Known([]ec2.InternetGateway{{Meta: core.Meta{ARN: "arn:igw", Region: "us-east-1"}, AttachedVPC: []string{"vpc-d"}}})
	r.NATGateways = core.Known([]ec2.NATGateway{})
	r.PeeringConnections = core.Known([]ec2.PeeringConnection{})
	r.EgressOnlyGateways = core.Known([]ec2.InternetGateway{})
	r.Addresses, r.VPCEndpoints, r.VPNConnections = core.Known([]ec2.Address{}), core.Known([]ec2.VPCEndpoint{}), core.Known([]ec2.VPNConnection{})
	r.TransitGateways, r.ClientVPNEndpoints = core.Known([]ec2.TransitGateway{}), core.Known([]ec2.ClientVPNEndpoint{})
	r.LaunchTemplates = core.Known([]ec2.LaunchTemplate{})
	var kept []s3.Bucket
	for _, b := range s.S3.Buckets.V {
		if b.Region == "eu-west-1" {
			kept = append(kept, b)
		}
	}
	s.S3.Buckets.V = kept
	s.CloudTrail.Trails = core.Known(s.CloudTrail.Trails.V[:0])
	dropServiceRegion(s, "us-east-1") // every other service's us-east-1 resources are the customer's
	for _, x := range rules["region-resources-in-allowed-regions"].Check(s) {
		if x.Status != Pass {
			t.Errorf("AWS-created defaults reported: %s %s", x.Status, x.Message)
		}
	}

	// An unreadable list in a non-allowed region is UNKNOWN, not PASS.
	r.Instances = core.Unknown[[]ec2.Instance]("access denied (ec2:DescribeInstances)")
	got := rules["region-resources-in-allowed-regions"].Check(s)
	if len(got) == 0 || got[0].Status != Unknown || !strings.Contains(got[0].Message, "access denied") {
		t.Errorf("unreadable region: %+v", got)
	}
}

func TestRegionSCPCases(t *testing.T) {
	rule := func(o Options) Rule {
		for _, r := range AllWith(o) {
			if r.ID == "region-scp-denies-other-regions" {
				return r
			}
		}
		t.Fatal("rule missing")
		return Rule{}
	}(worldOptions)
	for name, tc := range map[string]struct {
		mutate func(s *model.Snapshot)
		want   Status
	}{
		"not in an org": {func(s *model.Snapshot) {
			s.Organizations.Organization = core.Known[*organizations.Organization](nil)
		}, Fail},
		"org unknown": {func(s *model.Snapshot) {
			s.Organizations = organizations.State{}
		}, Unknown},
		"management account": {func(s *model.Snapshot) {
			memberOfOrg(s, true)
			s.Organizations.Organization.V.ManagementAccountID = acct
		}, Fail},
		"member cannot read SCPs": {func(s *model.Snapshot) {
			memberOfOrg(s, true)
			s.Organizations.SCPs = core.Unknown[[]organizations.Policy]("access denied (organizations:ListPolicies)")
		}, Unknown},
		"deny attached":    {func(s *model.Snapshot) { memberOfOrg(s, true) }, Pass},
		"only full access": {func(s *model.Snapshot) { memberOfOrg(s, false) }, Fail},
	} {
		t.Run(name, func(t *testing.T) {
			s := compliantSnapshot()
			tc.mutate(s)
			res := rule.Check(s)
			if len(res) != 1 || res[0].Status != tc.want {
				t.Fatalf("got %+v, want %s", res, tc.want)
			}
		})
	}
}
