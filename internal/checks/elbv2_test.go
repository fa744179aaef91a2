package checks

import (
	"strings"
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/elbv2"
	"github.com/demarc-sec/demarc/internal/model/wafv2"
)

func albARNIn(region string) string {
	return "arn:aws:elasticloadbalancing:" + region + ":" + acct + ":loadbalancer/app/web/0123456789abcdef"
}

// compliantELBv2Region is, in eu-west-1, an internal Application Load
// Balancer and a Classic Load Balancer that hold every ELB control; other
// regions have none (the region rules' tests empty us-east-1 of customer
// resources).
func compliantELBv2Region(name string) elbv2.Region {
	if name != "eu-west-1" {
		return elbv2.Region{Name: name, LoadBalancers: core.Known([]elbv2.LoadBalancer{}), Classic: core.Known([]elbv2.ClassicLoadBalancer{})}
	}
	tg := "arn:aws:elasticloadbalancing:" + name + ":" + acct + ":targetgroup/web/1"
	r := elbv2.Region{
		Name: name,
		LoadBalancers: core.Known([]elbv2.LoadBalancer{{
			Meta: core.Meta{ARN: albARNIn(name), Account: acct, Region: name}, Name: "web",
			Scheme: elbv2.SchemeInternal, Type: elbv2.TypeApplication, VPCID: "vpc-1",
			SubnetIDs: []string{"subnet-1", "subnet-2"}, AvailabilityZones: []string{name + "a", name + "b"},
			SecurityGroupIDs: []string{"sg-web"},
			Listeners: core.Known([]elbv2.Listener{
				{Port: 80, Protocol: "HTTP", ForwardsRecorded: true, Rules: core.Known([]elbv2.ListenerRule{}),
					DefaultActions: []elbv2.Action{{Type: elbv2.ActionRedirect, RedirectProtocol: "HTTPS", RedirectPort: "443", RedirectStatus: "HTTP_301"}}},
				{Port: 443, Protocol: "HTTPS", SSLPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", TargetGroupARNs: []string{tg}, ForwardsRecorded: true,
					DefaultActions: []elbv2.Action{{Type: elbv2.ActionForward, TargetGroupARNs: []string{tg}}},
					Rules:          core.Known([]elbv2.ListenerRule{{ARN: "rule-1", Priority: "1", Actions: []elbv2.Action{{Type: elbv2.ActionFixedResponse, FixedStatus: "404"}}}})},
			}),
			TargetGroups: core.Known([]elbv2.TargetGroup{{ARN: tg, Name: "web", Protocol: "HTTP", Port: 8080, TargetType: elbv2.TargetInstance,
				VPCID: "vpc-1", Targets: core.Known([]elbv2.Target{{ID: "i-1"}})}}),
			Attributes: core.Known(map[string]string{
				elbv2.AttrDeletionProtection: "true", elbv2.AttrAccessLogs: "true", elbv2.AttrAccessLogsBucket: "access-logs",
				elbv2.AttrDropInvalidHeaders: "true", elbv2.AttrDesyncMitigation: "defensive",
			}),
		}}),
	}
	on := true
	r.Classic = core.Known([]elbv2.ClassicLoadBalancer{{
		Meta: core.Meta{ARN: "arn:aws:elasticloadbalancing:eu-west-1:" + acct + ":loadbalancer/legacy", Account: acct, Region: name},
		Name: "legacy", Scheme: "internal", VPCID: "vpc-1", AvailabilityZones: []string{"eu-west-1a", "eu-west-1b"},
		Listeners: []elbv2.ClassicListener{{Protocol: "HTTPS", Port: 443, InstanceProtocol: "HTTP", InstancePort: 8080,
			SSLCertificateID: "arn:aws:acm:eu-west-1:" + acct + ":certificate/c1"}},
		Instances:  []string{"i-1"},
		Attributes: core.Known(elbv2.ClassicAttributes{AccessLogs: &on, CrossZone: &on, ConnectionDraining: &on, DesyncMitigationMode: "defensive"}),
	}})
	return r
}

func compliantWAFv2() wafv2.State {
	st := wafv2.State{Regions: []wafv2.Region{{Name: "us-east-1", WebACLs: core.Known([]wafv2.WebACL{})}}}
	for _, name := range []string{"eu-west-1"} {
		st.Regions = append(st.Regions, wafv2.Region{Name: name, WebACLs: core.Known([]wafv2.WebACL{{
			Meta: core.Meta{ARN: "arn:aws:wafv2:" + name + ":" + acct + ":regional/webacl/main/1", Account: acct, Region: name},
			ID:   "1", Name: "main", Scope: wafv2.ScopeRegional,
			Associations: map[string]core.Val[[]string]{"APPLICATION_LOAD_BALANCER": core.Known([]string{albARNIn(name)})},
		}})})
	}
	st.CloudFront = core.Known([]wafv2.WebACL{})
	return st
}

// addCompliantELB puts the compliant load balancers and web ACLs into the
// compliant world.
func addCompliantELB(s *model.Snapshot) {
	for _, r := range testRegions {
		s.ELBv2 = append(s.ELBv2, compliantELBv2Region(r))
	}
	s.WAFv2 = compliantWAFv2()
}

func albAt(s *model.Snapshot, region string) *elbv2.LoadBalancer {
	return &elbv2Region(s, region).LoadBalancers.V[0]
}

func classicAt(s *model.Snapshot) *elbv2.ClassicLoadBalancer {
	return &elbv2Region(s, "eu-west-1").Classic.V[0]
}

func elbv2Fixtures() map[string]fixture {
	attr := func(k, v string) func(s *model.Snapshot) {
		return func(s *model.Snapshot) { albAt(s, "eu-west-1").Attributes.V[k] = v }
	}
	classicAttr := func(f func(a *elbv2.ClassicAttributes)) func(s *model.Snapshot) {
		return func(s *model.Snapshot) { f(&classicAt(s).Attributes.V) }
	}
	no := false
	return map[string]fixture{
		"elbv2-alb-http-redirects-to-https": failWhen(func(s *model.Snapshot) {
			albAt(s, "eu-west-1").Listeners.V[0].DefaultActions = []elbv2.Action{{Type: elbv2.ActionForward, TargetGroupARNs: []string{"tg"}}}
		}),
		"elbv2-alb-drop-invalid-headers": failWhen(attr(elbv2.AttrDropInvalidHeaders, "false")),
		"elbv2-alb-access-logs":          failWhen(attr(elbv2.AttrAccessLogs, "false")),
		"elbv2-deletion-protection":      failWhen(attr(elbv2.AttrDeletionProtection, "false")),
		"elbv2-alb-desync-mitigation":    failWhen(attr(elbv2.AttrDesyncMitigation, "monitor")),
		"elbv2-multi-az": failWhen(func(s *model.Snapshot) {
			l := albAt(s, "eu-west-1")
			l.Type, l.AvailabilityZones, l.SubnetIDs = elbv2.TypeNetwork, []string{"us-east-1a"}, []string{"subnet-1"}
		}),
		"elbv2-alb-waf-associated": failWhen(func(s *model.Snapshot) {
			s.WAFv2.Regions[1].WebACLs.V[0].Associations["APPLICATION_LOAD_BALANCER"] = core.Known([]string{})
		}),
		"elbv2-listener-tls-policy": failWhen(func(s *model.Snapshot) {
			albAt(s, "eu-west-1").Listeners.V[1].SSLPolicy = "ELBSecurityPolicy-2016-08"
		}),
		"elb-classic-acm-certificate": failWhen(func(s *model.Snapshot) {
			classicAt(s).Listeners[0].SSLCertificateID = "arn:aws:iam::" + acct + ":server-certificate/old"
		}),
		"elb-classic-listeners-encrypted": failWhen(func(s *model.Snapshot) {
			l := classicAt(s)
			l.Listeners = append(l.Listeners, elbv2.ClassicListener{Protocol: "HTTP", Port: 80, InstanceProtocol: "HTTP", InstancePort: 8080})
		}),
		"elb-classic-access-logs":         failWhen(classicAttr(func(a *elbv2.ClassicAttributes) { a.AccessLogs = &no })),
		"elb-classic-connection-draining": failWhen(classicAttr(func(a *elbv2.ClassicAttributes) { a.ConnectionDraining = &no })),
		"elb-classic-cross-zone":          failWhen(classicAttr(func(a *elbv2.ClassicAttributes) { a.CrossZone = &no })),
		"elb-classic-multi-az":            failWhen(func(s *model.Snapshot) { classicAt(s).AvailabilityZones = []string{"us-east-1a"} }),
		"elb-classic-desync-mitigation":   failWhen(classicAttr(func(a *elbv2.ClassicAttributes) { a.DesyncMitigationMode = "monitor" })),
	}
}

// statusOf runs a rule and returns the status of its result for arn.
func statusOf(t *testing.T, id string, s *model.Snapshot, arn string) (Status, string) {
	t.Helper()
	for _, r := range run(t, id, s) {
		if r.ResourceARN == arn {
			return r.Status, r.Message
		}
	}
	t.Fatalf("%s: no result for %s", id, arn)
	return "", ""
}

func TestALBHTTPRedirect(t *testing.T) {
	arn := albARNIn("eu-west-1")
	cases := []struct {
		name string
		edit func(l *elbv2.LoadBalancer)
		want Status
		has  string
	}{
		{"redirect to HTTPS", func(*elbv2.LoadBalancer) {}, Pass, "redirects every HTTP listener"},
		{"redirect keeping the protocol", func(l *elbv2.LoadBalancer) {
			l.Listeners.V[0].DefaultActions[0].RedirectProtocol = "#{protocol}"
		}, Fail, "redirect to #{protocol}"},
		{"fixed response", func(l *elbv2.LoadBalancer) {
			l.Listeners.V[0].DefaultActions = []elbv2.Action{{Type: elbv2.ActionFixedResponse, FixedStatus: "403"}}
		}, Fail, "fixed response 403"},
		{"authenticate then redirect: the last action answers", func(l *elbv2.LoadBalancer) {
			l.Listeners.V[0].DefaultActions = []elbv2.Action{{Type: "authenticate-oidc", Order: 1}, {Type: elbv2.ActionRedirect, RedirectProtocol: "HTTPS", Order: 2}}
		}, Pass, ""},
		{"a rule forwards plain HTTP", func(l *elbv2.LoadBalancer) {
			l.Listeners.V[0].Rules = core.Known([]elbv2.ListenerRule{{Priority: "5", Actions: []elbv2.Action{{Type: elbv2.ActionForward, TargetGroupARNs: []string{"tg"}}}}})
		}, Fail, "rule priority 5 forwards"},
		{"rules unknown", func(l *elbv2.LoadBalancer) {
			l.Listeners.V[0].Rules = core.Unknown[[]elbv2.ListenerRule]("access denied (elasticloadbalancing:DescribeRules)")
		}, Unknown, "access denied"},
		{"listeners unknown", func(l *elbv2.LoadBalancer) {
			l.Listeners = core.Unknown[[]elbv2.Listener]("throttled (elasticloadbalancing:DescribeListeners)")
		}, Unknown, "throttled"},
		{"no HTTP listener", func(l *elbv2.LoadBalancer) { l.Listeners.V = l.Listeners.V[1:] }, Pass, "no HTTP listener"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := compliantSnapshot()
			c.edit(albAt(s, "eu-west-1"))
			st, msg := statusOf(t, "elbv2-alb-http-redirects-to-https", s, arn)
			if st != c.want || !strings.Contains(msg, c.has) {
				t.Errorf("got %s %q, want %s containing %q", st, msg, c.want, c.has)
			}
		})
	}
}

func TestLBAttributesUnknownNotDefault(t *testing.T) {
	arn := albARNIn("eu-west-1")
	// Absent key: AWS did not report it; the default must not be assumed.
	s := compliantSnapshot()
	delete(albAt(s, "eu-west-1").Attributes.V, elbv2.AttrDesyncMitigation)
	if st, msg := statusOf(t, "elbv2-alb-desync-mitigation", s, arn); st != Unknown || !strings.Contains(msg, "not reported") {
		t.Errorf("absent attribute: %s %q", st, msg)
	}
	s = compliantSnapshot()
	albAt(s, "eu-west-1").Attributes = core.Unknown[map[string]string]("access denied (elasticloadbalancing:DescribeLoadBalancerAttributes)")
	for _, id := range []string{"elbv2-deletion-protection", "elbv2-alb-access-logs", "elbv2-alb-drop-invalid-headers"} {
		if st, msg := statusOf(t, id, s, arn); st != Unknown || !strings.Contains(msg, "access denied") {
			t.Errorf("%s: %s %q", id, st, msg)
		}
	}
	// Network Load Balancers are outside the ALB-only controls.
	s = compliantSnapshot()
	albAt(s, "eu-west-1").Type = elbv2.TypeNetwork
	for _, r := range run(t, "elbv2-alb-drop-invalid-headers", s) {
		if r.ResourceARN == arn {
			t.Errorf("NLB judged by an ALB control: %+v", r)
		}
	}
	if st, _ := statusOf(t, "elbv2-deletion-protection", s, arn); st != Pass {
		t.Errorf("NLB deletion protection: %s", st)
	}
}

func TestALBWAFAssociation(t *testing.T) {
	arn := albARNIn("eu-west-1")
	cases := []struct {
		name string
		edit func(s *model.Snapshot)
		want Status
	}{
		{"associated", func(*model.Snapshot) {}, Pass},
		{"WAF not collected", func(s *model.Snapshot) { s.WAFv2 = wafv2.State{} }, Unknown},
		{"web ACLs unknown", func(s *model.Snapshot) {
			s.WAFv2.Regions[1].WebACLs = core.Unknown[[]wafv2.WebACL]("access denied (wafv2:ListWebACLs)")
		}, Unknown},
		{"associations of the ACL unknown", func(s *model.Snapshot) {
			s.WAFv2.Regions[1].WebACLs.V[0].Associations["APPLICATION_LOAD_BALANCER"] = core.Unknown[[]string]("throttled")
		}, Unknown},
		{"no web ACL", func(s *model.Snapshot) { s.WAFv2.Regions[1].WebACLs = core.Known([]wafv2.WebACL{}) }, Fail},
		{"associated with another load balancer", func(s *model.Snapshot) {
			s.WAFv2.Regions[1].WebACLs.V[0].Associations["APPLICATION_LOAD_BALANCER"] = core.Known([]string{albARNIn("us-east-1")})
		}, Fail},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := compliantSnapshot()
			c.edit(s)
			if st, msg := statusOf(t, "elbv2-alb-waf-associated", s, arn); st != c.want {
				t.Errorf("got %s %q, want %s", st, msg, c.want)
			}
		})
	}
}

func TestTLSPolicies(t *testing.T) {
	for p, want := range map[string]Status{
		"ELBSecurityPolicy-TLS13-1-2-2021-06":      Pass,
		"ELBSecurityPolicy-TLS13-1-3-2021-06":      Pass,
		"ELBSecurityPolicy-TLS-1-2-Ext-2018-06":    Pass,
		"ELBSecurityPolicy-FS-1-2-Res-2020-10":     Pass,
		"ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04": Pass,
		"ELBSecurityPolicy-2016-08":                Fail,
		"ELBSecurityPolicy-TLS-1-1-2017-01":        Fail,
		"ELBSecurityPolicy-FS-2018-06":             Fail,
		"ELBSecurityPolicy-TLS13-1-0-2021-06":      Fail,
		"my-custom-policy":                         Unknown,
		"":                                         Unknown,
	} {
		s := compliantSnapshot()
		albAt(s, "eu-west-1").Listeners.V[1].SSLPolicy = p
		if st, msg := statusOf(t, "elbv2-listener-tls-policy", s, albARNIn("eu-west-1")); st != want {
			t.Errorf("%q: got %s %q, want %s", p, st, msg, want)
		}
	}
}

func TestELBUncollectedRegion(t *testing.T) {
	s := compliantSnapshot()
	s.ELBv2 = s.ELBv2[1:] // only us-east-1
	for _, r := range elbRules() {
		var sawUnknown bool
		for _, x := range r.Check(s) {
			if x.Region == "eu-west-1" {
				if x.Status != Unknown || !strings.Contains(x.Message, "not collected") {
					t.Errorf("%s: %s %q", r.ID, x.Status, x.Message)
				}
				sawUnknown = true
			}
		}
		if !sawUnknown {
			t.Errorf("%s: no UNKNOWN for the uncollected region", r.ID)
		}
	}
}
