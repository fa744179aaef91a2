package checks

import (
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/autoscaling"
)

func autoscalingFixtures() map[string]fixture {
	yes := true
	lc := func(f func(lc *autoscaling.LaunchConfiguration)) func(*model.Snapshot) {
		return func(s *model.Snapshot) { f(&asgRegion(s).LaunchConfigurations.V[0]) }
	}
	group := func(f func(g *autoscaling.Group)) func(*model.Snapshot) {
		return func(s *model.Snapshot) { f(&asgRegion(s).Groups.V[0]) }
	}
	return map[string]fixture{
		"autoscaling-elb-health-check":           failWhen(group(func(g *autoscaling.Group) { g.HealthCheckType = "EC2" })),
		"autoscaling-launch-config-imdsv2":       failWhen(lc(func(l *autoscaling.LaunchConfiguration) { l.MetadataHTTPTokens = "" })),
		"autoscaling-launch-config-hop-limit":    failWhen(lc(func(l *autoscaling.LaunchConfiguration) { l.MetadataHopLimit = 2 })),
		"autoscaling-launch-config-no-public-ip": failWhen(lc(func(l *autoscaling.LaunchConfiguration) { l.AssociatePublicIP = &yes })),
		"autoscaling-multiple-instance-types":    failWhen(group(func(g *autoscaling.Group) { g.InstanceTypes = []string{"m5.large"} })),
		"autoscaling-launch-template": failWhen(group(func(g *autoscaling.Group) {
			g.LaunchTemplate, g.MixedInstances, g.LaunchConfiguration = nil, false, "legacy"
		})),
	}
}

func ruleByID(t *testing.T, id string) Rule {
	t.Helper()
	for _, r := range All() {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no rule %s", id)
	return Rule{}
}

// A launch configuration that leaves AssociatePublicIpAddress unset follows
// the subnets of the groups that use it.
func TestLaunchConfigPublicIPFollowsSubnet(t *testing.T) {
	rule := ruleByID(t, "autoscaling-launch-config-no-public-ip")
	s := compliantSnapshot()
	r := asgRegion(s)
	r.LaunchConfigurations.V[0].AssociatePublicIP = nil
	if st := oneStatus(t, rule.Check(s)); st != Pass {
		t.Fatalf("unset, private subnets: %s", st)
	}
	g := &r.Groups.V[0]
	g.LaunchTemplate, g.LaunchConfiguration = nil, "legacy"
	ec2At(s, r.Name).Subnets.V[0].MapPublicIPOnLaunch = true
	if st := oneStatus(t, rule.Check(s)); st != Fail {
		t.Errorf("unset, group in a public-IP subnet: %s", st)
	}
}

func TestASGScopes(t *testing.T) {
	s := compliantSnapshot()
	g := &asgRegion(s).Groups.V[0]
	g.TargetGroupARNs, g.HealthCheckType = nil, "EC2"
	if res := ruleByID(t, "autoscaling-elb-health-check").Check(s); len(res) != 0 {
		t.Errorf("group without load balancer judged: %+v", res)
	}
	g.LoadBalancerNames, g.HealthCheckType = []string{"classic"}, "EC2,ELB"
	if st := oneStatus(t, ruleByID(t, "autoscaling-elb-health-check").Check(s)); st != Pass {
		t.Errorf("EC2,ELB: %s", st)
	}
	g.InstanceTypes = nil
	if st := oneStatus(t, ruleByID(t, "autoscaling-multiple-instance-types").Check(s)); st != Unknown {
		t.Errorf("attribute-based mixed instances: %s", st)
	}
}
