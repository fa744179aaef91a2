package checks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/elbv2"
)

// AWS Shield Standard protects every account at no cost. Shield Advanced is
// an optional subscription; once an account pays for it, protection applies
// only to the resources the customer adds, so an unprotected internet-facing
// resource is a gap the customer owns. Security Hub has no Shield control in
// its Foundational Security Best Practices, so these rules cite none.

const shieldDoc = "https://docs.aws.amazon.com/waf/latest/developerguide/ddos-advanced-summary.html"

func shieldRules() []Rule {
	return []Rule{
		{
			ID:             "shield-advanced-resources-protected",
			Title:          "With Shield Advanced, internet-facing resources are protected",
			Service:        "shield",
			Severity:       Medium,
			Responsibility: LayerDetection,
			Frameworks:     map[string][]string{},
			Description: "When the account subscribes to Shield Advanced, every internet-facing resource it can protect should " +
				"have a protection: enabled CloudFront distributions, internet-facing Application and Classic Load " +
				"Balancers, and Elastic IP addresses in use (the way to protect EC2 instances and Network Load " +
				"Balancers). Each unprotected one FAILs. Accounts without a subscription get no result.",
			Remediation: "Add a protection per resource (or a Firewall Manager Shield Advanced policy for the organization):\n" +
				"  aws shield create-protection --name NAME --resource-arn RESOURCE_ARN\n" +
				"Terraform: resource \"aws_shield_protection\" \"p\" { name = \"web\" resource_arn = aws_lb.web.arn }",
			Links: []string{"https://docs.aws.amazon.com/waf/latest/developerguide/ddos-manage-protected-resources.html",
				"https://docs.aws.amazon.com/waf/latest/developerguide/ddos-protections-add.html"},
			Check: checkShieldProtected,
		},
		{
			ID:             "shield-advanced-subscription",
			Title:          "Shield Advanced is considered for an account with internet-facing resources",
			Service:        "shield",
			Severity:       Info,
			Responsibility: LayerDetection,
			Frameworks:     map[string][]string{},
			Description: "Records whether the account subscribes to Shield Advanced when it runs internet-facing resources " +
				"(CloudFront distributions, internet-facing load balancers, Elastic IPs in use). Shield Advanced is an " +
				"optional paid service; Shield Standard already protects every account against common network and " +
				"transport layer attacks. A FAIL here is informational: decide whether the resources warrant DDoS " +
				"response support, cost protection and layer-7 mitigation.",
			Remediation: "If the exposure warrants it, subscribe (a one-year commitment) and add protections:\n" +
				"  aws shield create-subscription\n" +
				"Terraform: resource \"aws_shield_subscription\" \"s\" { auto_renew = \"ENABLED\" }",
			Links: []string{shieldDoc, "https://docs.aws.amazon.com/waf/latest/developerguide/enable-ddos-prem.html"},
			Check: checkShieldSubscription,
		},
	}
}

// edgeResource is an internet-facing resource Shield Advanced can protect,
// named by the ARN a Shield protection uses.
type edgeResource struct {
	arn, region, what string
}

// internetFacing lists the internet-facing resources of the snapshot that
// Shield Advanced protects, and an UNKNOWN result for every list that could
// not be read.
// https://docs.aws.amazon.com/waf/latest/developerguide/ddos-protections-add.html
func internetFacing(s *model.Snapshot) ([]edgeResource, []Result) {
	var res []edgeResource
	dists, unk := knownList(s.CloudFront.Distributions, cfWildcard(s), globalRegion, "CloudFront distributions")
	for _, d := range dists {
		// A disabled distribution serves nothing.
		if d.Enabled {
			res = append(res, edgeResource{cfARN(s, d), globalRegion, "CloudFront distribution " + d.ID})
		}
	}
	for _, name := range snapshotRegions(s) {
		lbWild := regionalARN(s, "elasticloadbalancing", name, "loadbalancer/*")
		if r := elbv2Region(s, name); r == nil {
			unk = append(unk, UnknownR(lbWild, name, "Elastic Load Balancing data for region %s was not collected", name))
		} else {
			lbs, u := knownList(r.LoadBalancers, lbWild, name, "load balancers in "+name)
			unk = append(unk, u...)
			for _, l := range lbs {
				// Network Load Balancers are protected through their Elastic IPs.
				if l.Type == elbv2.TypeApplication && l.Scheme == elbv2.SchemeInternetFacing {
					res = append(res, edgeResource{l.ARN, regionOr(l.Meta, name), "Application Load Balancer " + l.Name})
				}
			}
			clbs, u := knownList(r.Classic, lbWild, name, "Classic Load Balancers in "+name)
			unk = append(unk, u...)
			for _, l := range clbs {
				if l.Scheme == elbv2.SchemeInternetFacing {
					res = append(res, edgeResource{classicARN(s, name, l), regionOr(l.Meta, name), "Classic Load Balancer " + l.Name})
				}
			}
		}
		eipWild := regionalARN(s, "ec2", name, "eip-allocation/*")
		ec := s.EC2Region(name)
		if ec == nil {
			unk = append(unk, UnknownR(eipWild, name, "EC2 data for region %s was not collected", name))
			continue
		}
		addrs, u := knownList(ec.Addresses, eipWild, name, "Elastic IP addresses in "+name)
		unk = append(unk, u...)
		for _, a := range addrs {
			// An unassociated address fronts nothing; EC2-Classic addresses
			// (no allocation ID) cannot be protected.
			if a.AllocationID == "" || a.AssociationID == "" && a.InstanceID == "" && a.NetworkInterfaceID == "" {
				continue
			}
			res = append(res, edgeResource{regionalARN(s, "ec2", name, "eip-allocation/"+a.AllocationID), name,
				"Elastic IP " + orStr(a.PublicIP, a.AllocationID)})
		}
	}
	sort.Slice(res, func(i, j int) bool { return res[i].arn < res[j].arn })
	return res, unk
}

// shieldSubjectARN names the account's Shield Advanced subscription in
// account-level results.
func shieldSubjectARN(s *model.Snapshot) string { return accountARN(s) }

func checkShieldProtected(s *model.Snapshot) []Result {
	sub, ok := s.Shield.Subscription.Get()
	switch {
	case !ok:
		return []Result{UnknownR(shieldSubjectARN(s), globalRegion, "Shield Advanced subscription unreadable: %s", s.Shield.Subscription.Why())}
	case !sub.Active():
		return nil // no subscription: nothing is expected to be protected
	}
	res, out := internetFacing(s)
	protected, ok := s.Shield.Protected()
	if !ok {
		return append(out, UnknownR(shieldSubjectARN(s), globalRegion, "Shield Advanced protections unreadable: %s", s.Shield.Protections.Why()))
	}
	for _, r := range res {
		if protected[r.arn] {
			out = append(out, PassR(r.arn, r.region, "%s is protected by Shield Advanced", r.what))
		} else {
			out = append(out, FailR(r.arn, r.region, "%s is internet-facing and has no Shield Advanced protection", r.what))
		}
	}
	return out
}

func checkShieldSubscription(s *model.Snapshot) []Result {
	arn := shieldSubjectARN(s)
	sub, ok := s.Shield.Subscription.Get()
	if !ok {
		return []Result{UnknownR(arn, globalRegion, "Shield Advanced subscription unreadable: %s", s.Shield.Subscription.Why())}
	}
	if sub.Active() {
		return []Result{PassR(arn, globalRegion, "Shield Advanced is active")}
	}
	res, unk := internetFacing(s)
	if len(res) > 0 {
		names := make([]string, 0, 3)
		for i := 0; i < len(res) && i < 3; i++ {
			names = append(names, res[i].what)
		}
		more := ""
		if len(res) > 3 {
			more = fmt.Sprintf(" and %d more", len(res)-3)
		}
		return []Result{FailR(arn, globalRegion, "Shield Advanced is not subscribed while the account runs %s (%s%s); "+
			"Shield Standard applies (informational: Shield Advanced is optional)",
			plural(len(res), "internet-facing resource", "internet-facing resources"), strings.Join(names, ", "), more)}
	}
	if len(unk) > 0 {
		why := make([]string, 0, len(unk))
		for _, u := range unk {
			why = append(why, u.Message)
		}
		return []Result{UnknownR(arn, globalRegion, "Shield Advanced is not subscribed; whether the account has internet-facing "+
			"resources is unknown: %s", strings.Join(why, "; "))}
	}
	return nil // no internet-facing resources: nothing to consider
}
