package checks

import (
	"strings"
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/cloudfront"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/ec2"
	"github.com/demarc-sec/demarc/internal/model/elbv2"
	"github.com/demarc-sec/demarc/internal/model/shield"
)

// edgeWorld is a small account: one enabled and one disabled distribution,
// an internet-facing and an internal ALB, an internet-facing NLB and CLB,
// and an associated and an idle Elastic IP, all in eu-west-1.
func edgeWorld() *model.Snapshot {
	const r = "eu-west-1"
	s := model.New(acct, "aws", []string{r})
	on, off := compliantDistribution(), compliantDistribution()
	off.ID, off.ARN, off.Enabled = "OFF", "arn:aws:cloudfront::"+acct+":distribution/OFF", false
	s.CloudFront.Distributions = core.Known([]cloudfront.Distribution{on, off})
	lb := func(name, typ, scheme string) elbv2.LoadBalancer {
		return elbv2.LoadBalancer{Meta: core.Meta{ARN: regionalARNOf("elasticloadbalancing", r, "loadbalancer/"+typ[:3]+"/"+name+"/1"), Region: r},
			Name: name, Type: typ, Scheme: scheme}
	}
	s.ELBv2 = []elbv2.Region{{Name: r,
		LoadBalancers: core.Known([]elbv2.LoadBalancer{
			lb("web", elbv2.TypeApplication, elbv2.SchemeInternetFacing),
			lb("inside", elbv2.TypeApplication, elbv2.SchemeInternal),
			lb("tcp", elbv2.TypeNetwork, elbv2.SchemeInternetFacing),
		}),
		Classic: core.Known([]elbv2.ClassicLoadBalancer{{Meta: core.Meta{Region: r}, Name: "legacy", Scheme: elbv2.SchemeInternetFacing}}),
	}}
	s.EC2 = []ec2.Region{{Name: r, Addresses: core.Known([]ec2.Address{
		{AllocationID: "eipalloc-1", PublicIP: "203.0.113.1", AssociationID: "eipassoc-1", InstanceID: "i-1"},
		{AllocationID: "eipalloc-2", PublicIP: "203.0.113.2"},
	})}}
	return s
}

func TestInternetFacing(t *testing.T) {
	res, unk := internetFacing(edgeWorld())
	if len(unk) != 0 {
		t.Fatalf("unknowns: %+v", unk)
	}
	var got []string
	for _, r := range res {
		got = append(got, r.arn)
	}
	want := []string{
		"arn:aws:cloudfront::" + acct + ":distribution/EDGE1",
		"arn:aws:ec2:eu-west-1:" + acct + ":eip-allocation/eipalloc-1",
		"arn:aws:elasticloadbalancing:eu-west-1:" + acct + ":loadbalancer/app/web/1",
		"arn:aws:elasticloadbalancing:eu-west-1:" + acct + ":loadbalancer/legacy",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("internet-facing:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestShieldProtected(t *testing.T) {
	s := edgeWorld()
	s.Shield = shieldProtecting(s)
	if got := edgeStatuses(edgeRule(t, "shield-advanced-resources-protected", s)); got != "PASS PASS PASS PASS" {
		t.Errorf("all protected: %q", got)
	}
	// Drop the ALB's protection: exactly that one FAILs.
	var kept []shield.Protection
	for _, p := range s.Shield.Protections.V {
		if !strings.Contains(p.ResourceARN, "loadbalancer/app/web") {
			kept = append(kept, p)
		}
	}
	s.Shield.Protections.V = kept
	for _, r := range edgeRule(t, "shield-advanced-resources-protected", s) {
		if want := strings.Contains(r.ResourceARN, "loadbalancer/app/web"); (r.Status == Fail) != want {
			t.Errorf("%s %s: %s", r.Status, r.ResourceARN, r.Message)
		}
	}
	// An unreadable load balancer list is UNKNOWN for that region, the rest still judged.
	s.ELBv2[0].LoadBalancers = core.Unknown[[]elbv2.LoadBalancer]("access denied (elasticloadbalancing:DescribeLoadBalancers)")
	if got := edgeStatuses(edgeRule(t, "shield-advanced-resources-protected", s)); got != "UNKNOWN PASS PASS PASS" {
		t.Errorf("ELB list unknown: %q", got)
	}
	s.Shield.Protections = core.Unknown[[]shield.Protection]("access denied (shield:ListProtections)")
	if rs := edgeRule(t, "shield-advanced-resources-protected", s); !strings.Contains(edgeStatuses(rs), "UNKNOWN") || strings.Contains(edgeStatuses(rs), "PASS") {
		t.Errorf("protections unknown: %+v", rs)
	}
}

func TestShieldNotSubscribed(t *testing.T) {
	s := edgeWorld()
	s.Shield = shield.State{Subscription: core.Known(shield.Subscription{State: shield.StateInactive}), Protections: core.Known([]shield.Protection{})}
	if rs := edgeRule(t, "shield-advanced-resources-protected", s); len(rs) != 0 {
		t.Errorf("without a subscription nothing is expected to be protected: %+v", rs)
	}
	rs := edgeRule(t, "shield-advanced-subscription", s)
	if len(rs) != 1 || rs[0].Status != Fail || !strings.Contains(rs[0].Message, "4 internet-facing resources") || rs[0].ResourceARN != accountARN(s) {
		t.Errorf("subscription: %+v", rs)
	}
	if r, _ := Default().Get("shield-advanced-subscription"); r.Severity.Rank() > Low.Rank() {
		t.Errorf("Shield Advanced is optional: severity %s", r.Severity)
	}
	// Nothing internet-facing: nothing to consider.
	s.CloudFront.Distributions = core.Known([]cloudfront.Distribution{})
	s.ELBv2[0].LoadBalancers.V, s.ELBv2[0].Classic.V, s.EC2[0].Addresses.V = nil, nil, nil
	if rs := edgeRule(t, "shield-advanced-subscription", s); len(rs) != 0 {
		t.Errorf("no internet-facing resources: %+v", rs)
	}
	// Some lists unknown: cannot tell.
	s.EC2[0].Addresses = core.Unknown[[]ec2.Address]("access denied (ec2:DescribeAddresses)")
	if got := edgeStatuses(edgeRule(t, "shield-advanced-subscription", s)); got != "UNKNOWN" {
		t.Errorf("addresses unknown: %q", got)
	}
}

func TestShieldSubscriptionUnknown(t *testing.T) {
	s := edgeWorld()
	s.Shield.Subscription = core.Unknown[shield.Subscription]("access denied (shield:GetSubscriptionState)")
	for _, id := range []string{"shield-advanced-resources-protected", "shield-advanced-subscription"} {
		rs := edgeRule(t, id, s)
		if len(rs) != 1 || rs[0].Status != Unknown || !strings.Contains(rs[0].Message, "access denied") {
			t.Errorf("%s: %+v", id, rs)
		}
	}
}
