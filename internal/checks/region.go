package checks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/demarc-sec/demarc/internal/analyze/iam"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/ec2"
	"github.com/demarc-sec/demarc/internal/model/kms"
)

// Region choice is the customer's duty for data sovereignty: AWS keeps data
// in the region the customer puts it in, and nowhere else.

func regionRules(o Options) []Rule {
	return []Rule{
		{
			ID:             "region-resources-in-allowed-regions",
			Title:          "Resources exist only in the allowed regions (demarc.yaml allowed_regions)",
			Service:        "account",
			Severity:       High,
			Responsibility: LayerRegion,
			Frameworks:     map[string][]string{},
			Description: "Data sovereignty: where data lives is the customer's choice. Every resource outside the " +
				"regions listed in demarc.yaml (allowed_regions) FAILs. Resources AWS creates by itself in every " +
				"region (default VPCs and their default subnets, security groups, network ACLs, route tables and " +
				"internet gateways; AWS-managed KMS keys) are not counted. Without allowed_regions this rule does not apply.",
			Remediation: "Move or delete the resource, or add its region to allowed_regions in demarc.yaml.\n" +
				"  aws resourcegroupstaggingapi get-resources --region REGION   # inventory a region\n" +
				"Terraform: pin providers to allowed regions, e.g.\n" +
				"  provider \"aws\" { region = \"eu-central-1\" }",
			Links: []string{"https://docs.aws.amazon.com/whitepapers/latest/aws-overview/global-infrastructure.html",
				"https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html#example-scp-deny-region"},
			Check: func(s *model.Snapshot) []Result { return checkResourceRegions(s, o) },
		},
		{
			ID:             "region-scp-denies-other-regions",
			Title:          "An organization SCP denies actions outside the allowed regions",
			Service:        "organizations",
			Severity:       Medium,
			Responsibility: LayerRegion,
			Frameworks:     map[string][]string{},
			Description: "A service control policy that denies requests whose aws:RequestedRegion is not an allowed " +
				"region stops anyone, including administrators, from creating resources elsewhere. demarc " +
				"evaluates the SCPs that apply to the account with its IAM engine for representative actions " +
				"in every region outside allowed_regions: any Allow FAILs. Without allowed_regions this rule does not apply.",
			Remediation: "Attach an SCP such as AWS's 'Deny access to AWS based on the requested AWS Region' example:\n" +
				"  aws organizations create-policy --type SERVICE_CONTROL_POLICY --name deny-other-regions --content file://deny-regions.json\n" +
				"  aws organizations attach-policy --policy-id p-xxxx --target-id r-xxxx\n" +
				"Terraform: resource \"aws_organizations_policy\" \"regions\" { type = \"SERVICE_CONTROL_POLICY\" content = data.aws_iam_policy_document.deny_regions.json }",
			Links: []string{"https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html#example-scp-deny-region"},
			Check: func(s *model.Snapshot) []Result { return checkRegionSCP(s, o) },
		},
	}
}

// awsCreatedEverywhere reports resources AWS itself creates in every region;
// they hold no customer data and must not turn region rules into noise.
func awsCreatedEverywhere(r model.Resource, defaultVPCs map[string]bool) bool {
	switch v := r.Value.(type) {
	case ec2.VPC:
		return v.IsDefault
	case ec2.Subnet:
		return v.DefaultForAZ || defaultVPCs[v.VPCID]
	case ec2.SecurityGroup:
		return v.Name == "default"
	case ec2.NetworkACL:
		return v.IsDefault
	case ec2.RouteTable:
		return defaultVPCs[v.VPCID]
	case ec2.InternetGateway:
		for _, id := range v.AttachedVPC {
			if defaultVPCs[id] {
				return true
			}
		}
		return false
	case ec2.NetworkInterface, ec2.FlowLog:
		return false
	case kms.Key:
		d, ok := v.Details.Get()
		return ok && strings.EqualFold(d.Manager, "AWS")
	}
	return false
}

func checkResourceRegions(s *model.Snapshot, o Options) []Result {
	if len(o.AllowedRegions) == 0 {
		return nil
	}
	defaultVPCs := map[string]bool{}
	model.Walk(s, func(r model.Resource) {
		if v, ok := r.Value.(ec2.VPC); ok && v.IsDefault {
			defaultVPCs[v.ID] = true
		}
	})
	var out []Result
	counted := map[string]int{}
	model.Walk(s, func(r model.Resource) {
		reg := r.Meta.Region
		if reg == "" || reg == globalRegion || awsCreatedEverywhere(r, defaultVPCs) {
			return
		}
		if o.regionAllowed(reg) {
			counted[reg]++
			return
		}
		out = append(out, FailR(r.Meta.ARN, reg, "%s %s is in %s, outside the allowed regions (%s)",
			r.Kind, r.Meta.ARN, reg, strings.Join(o.AllowedRegions, ", ")))
		counted[reg]++
	})
	failed := map[string]bool{}
	for _, x := range out {
		failed[x.Region] = true
	}
	// A list that could not be read may hide resources: such a region can
	// only be UNKNOWN, never PASS.
	unknown := model.UnknownLists(s)
	gaps := func(reg string) []string {
		g := append(append([]string(nil), unknown["*"]...), unknown[reg]...)
		if s.EC2Region(reg) == nil {
			g = append(g, "EC2: region not collected")
		}
		return g
	}
	allKnown := true
	for _, reg := range s.Regions {
		if o.regionAllowed(reg) || failed[reg] {
			continue
		}
		g := gaps(reg)
		if len(g) > 0 {
			allKnown = false
		}
		arn := s.ARNPrefix() + "::" + reg + ":" + s.AccountID
		if len(g) > 0 {
			out = append(out, UnknownR(arn, reg, "no resources found in %s, but %d lists could not be read there (%s): cannot rule resources out",
				reg, len(g), g[0]))
			continue
		}
		out = append(out, PassR(arn, reg, "no customer resources in %s (not an allowed region)", reg))
	}
	var allowed []string
	for _, reg := range o.AllowedRegions {
		allowed = append(allowed, fmt.Sprintf("%s: %d", reg, counted[reg]))
	}
	if len(out) == 0 {
		switch {
		case len(s.Regions) == 0:
			out = append(out, UnknownR(accountARN(s), globalRegion, "no regions were collected"))
		case !allKnown || len(unknown["*"]) > 0:
			out = append(out, UnknownR(accountARN(s), globalRegion, "no resource outside the allowed regions was found, but some lists could not be read"))
		default:
			out = append(out, PassR(accountARN(s), globalRegion, "every resource is in an allowed region (%s)", strings.Join(allowed, ", ")))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ResourceARN < out[j].ResourceARN })
	return out
}

// probeRegions are commercial regions probed when the snapshot covers few.
var probeRegions = []string{
	"af-south-1", "ap-east-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2",
	"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ca-central-1", "ca-west-1",
	"eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2",
	"eu-west-3", "il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1",
	"us-east-2", "us-west-1", "us-west-2",
}

// probeActions are representative region-scoped actions an SCP must stop.
var probeActions = []string{"ec2:RunInstances", "s3:CreateBucket", "rds:CreateDBInstance", "lambda:CreateFunction", "dynamodb:CreateTable"}

func checkRegionSCP(s *model.Snapshot, o Options) []Result {
	if len(o.AllowedRegions) == 0 {
		return nil
	}
	arn := accountARN(s)
	org, ok := s.Organizations.Organization.Get()
	switch {
	case !ok:
		return []Result{UnknownR(arn, globalRegion, "organization membership unknown: %s", s.Organizations.Organization.Why())}
	case org == nil:
		return []Result{FailR(arn, globalRegion, "the account is not in an AWS Organization: no SCP restricts the regions it can use")}
	case org.FeatureSet != "" && org.FeatureSet != "ALL":
		return []Result{FailR(arn, globalRegion, "the organization has only consolidated billing: SCPs are not available")}
	}
	acct := iam.NewAccount(s)
	if acct.ManagementAccount {
		return []Result{FailR(arn, globalRegion, "this is the organization's management account: SCPs never apply to it, so no SCP can restrict its regions")}
	}
	if len(acct.SCPs) == 0 {
		if len(acct.Unknown) > 0 {
			return []Result{UnknownR(arn, globalRegion, "SCPs could not be evaluated: %s", strings.Join(acct.Unknown, "; "))}
		}
		return []Result{FailR(arn, globalRegion, "no SCPs apply to this account (policy type not enabled)")}
	}
	everything := iam.MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	ps := &iam.PolicySet{Identity: []*iam.Policy{everything}, SCPs: acct.SCPs}
	principal := s.ARNPrefix() + ":iam::" + s.AccountID + ":role/demarc-region-probe"
	var open []string
	for _, reg := range probeRegions {
		if o.regionAllowed(reg) {
			continue
		}
		for _, action := range probeActions {
			p, err := iam.ParsePrincipal(principal)
			if err != nil {
				return []Result{UnknownR(arn, globalRegion, "internal: %v", err)}
			}
			req := &iam.Request{Principal: p, Action: action, Resource: "*", Context: map[string][]string{"aws:RequestedRegion": {reg}}}
			out, err := iam.Decide(req, ps)
			if err != nil {
				return []Result{UnknownR(arn, globalRegion, "SCP evaluation failed: %v", err)}
			}
			if out == iam.Allowed {
				open = append(open, reg+" ("+action+")")
				break
			}
		}
	}
	if len(open) > 0 {
		more := ""
		if len(open) > 5 {
			more = fmt.Sprintf(" and %d more", len(open)-5)
			open = open[:5]
		}
		return []Result{FailR(arn, globalRegion, "the SCPs applying to this account allow requests outside the allowed regions: %s%s", strings.Join(open, ", "), more)}
	}
	return []Result{PassR(arn, globalRegion, "the SCPs applying to this account deny every probed action in every region outside %s", strings.Join(o.AllowedRegions, ", "))}
}
