package checks

import (
	"fmt"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/elbv2"
	"github.com/demarc-sec/demarc/internal/model/wafv2"
)

// addSyntheticELB gives a synthetic snapshot Application and Network Load
// Balancers, Classic Load Balancers and regional web ACLs in every region
// (about one load balancer per 500 resources), half of them compliant.
func addSyntheticELB(s *model.Snapshot, acct string, n int) {
	perRegion := max(2, n/500/len(syntheticRegions))
	for ri, region := range syntheticRegions {
		arn := func(res string) string { return "arn:aws:elasticloadbalancing:" + region + ":" + acct + ":" + res }
		var lbs []elbv2.LoadBalancer
		var protected []string
		for i := 0; i < perRegion; i++ {
			good := (i+ri)%2 == 0
			typ, key := elbv2.TypeApplication, "app"
			if i%3 == 2 {
				typ, key = elbv2.TypeNetwork, "net"
			}
			name := fmt.Sprintf("lb-%d-%d", ri, i)
			tg := arn(fmt.Sprintf("targetgroup/%s/%d", name, i))
			l := elbv2.LoadBalancer{
				Meta: core.Meta{ARN: arn(fmt.Sprintf("loadbalancer/%s/%s/%06d", key, name, i)), Account: acct, Region: region},
				Name: name, Type: typ, Scheme: elbv2.SchemeInternal, VPCID: fmt.Sprintf("vpc-%d%06d", ri, 0),
				SubnetIDs: []string{fmt.Sprintf("subnet-%d%06d", ri, 0), fmt.Sprintf("subnet-%d%06d", ri, 1)}, AvailabilityZones: []string{region + "a", region + "b"},
				TargetGroups: core.Known([]elbv2.TargetGroup{{ARN: tg, Name: name, Protocol: "HTTP", Port: 8080, TargetType: elbv2.TargetInstance,
					Targets: core.Known([]elbv2.Target{})}}),
				Attributes: core.Known(map[string]string{elbv2.AttrDeletionProtection: fmt.Sprint(good), elbv2.AttrAccessLogs: fmt.Sprint(good),
					elbv2.AttrDropInvalidHeaders: fmt.Sprint(good), elbv2.AttrDesyncMitigation: map[bool]string{true: "defensive", false: "monitor"}[good]}),
			}
			policy := "ELBSecurityPolicy-TLS13-1-2-2021-06"
			if !good {
				policy = "ELBSecurityPolicy-2016-08"
				l.AvailabilityZones, l.SubnetIDs = l.AvailabilityZones[:1], l.SubnetIDs[:1]
			}
			forward := []elbv2.Action{{Type: elbv2.ActionForward, TargetGroupARNs: []string{tg}}}
			httpAction := []elbv2.Action{{Type: elbv2.ActionRedirect, RedirectProtocol: "HTTPS", RedirectPort: "443", RedirectStatus: "HTTP_301"}}
			if !good {
				httpAction = forward
			}
			none := core.Known([]elbv2.ListenerRule{})
			if typ == elbv2.TypeApplication {
				l.Listeners = core.Known([]elbv2.Listener{
					{Port: 80, Protocol: "HTTP", DefaultActions: httpAction, Rules: none, ForwardsRecorded: true, TargetGroupARNs: httpAction[0].TargetGroupARNs},
					{Port: 443, Protocol: "HTTPS", SSLPolicy: policy, DefaultActions: forward, Rules: none, ForwardsRecorded: true, TargetGroupARNs: []string{tg}},
				})
				if good {
					protected = append(protected, l.ARN)
				}
			} else {
				l.Listeners = core.Known([]elbv2.Listener{{Port: 443, Protocol: "TLS", SSLPolicy: policy, DefaultActions: forward, Rules: none, ForwardsRecorded: true, TargetGroupARNs: []string{tg}}})
			}
			lbs = append(lbs, l)
		}
		good := ri%2 == 0
		zones := []string{region + "a", region + "b"}
		if !good {
			zones = zones[:1]
		}
		cert := "arn:aws:acm:" + region + ":" + acct + ":certificate/c"
		if !good {
			cert = "arn:aws:iam::" + acct + ":server-certificate/old"
		}
		on := good
		classic := []elbv2.ClassicLoadBalancer{{
			Meta: core.Meta{ARN: arn(fmt.Sprintf("loadbalancer/classic-%d", ri)), Account: acct, Region: region},
			Name: fmt.Sprintf("classic-%d", ri), Scheme: elbv2.SchemeInternal, AvailabilityZones: zones,
			Listeners:  []elbv2.ClassicListener{{Protocol: "HTTPS", Port: 443, InstanceProtocol: "HTTP", InstancePort: 80, SSLCertificateID: cert}},
			Attributes: core.Known(elbv2.ClassicAttributes{AccessLogs: &on, CrossZone: &on, ConnectionDraining: &on, DesyncMitigationMode: "defensive"}),
		}}
		s.ELBv2 = append(s.ELBv2, elbv2.Region{Name: region, LoadBalancers: core.Known(lbs), Classic: core.Known(classic)})
		s.WAFv2.Regions = append(s.WAFv2.Regions, wafv2.Region{Name: region, WebACLs: core.Known([]wafv2.WebACL{{
			Meta: core.Meta{ARN: "arn:aws:wafv2:" + region + ":" + acct + ":regional/webacl/main/1", Account: acct, Region: region},
			ID:   "1", Name: "main", Scope: wafv2.ScopeRegional,
			Associations: map[string]core.Val[[]string]{"APPLICATION_LOAD_BALANCER": core.Known(protected)},
		}})})
	}
	s.WAFv2.CloudFront = core.Known([]wafv2.WebACL{})
}
