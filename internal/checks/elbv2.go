package checks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/elbv2"
	"github.com/demarc-sec/demarc/internal/model/wafv2"
)

// Elastic Load Balancing rules: the FSBP ELB controls that the collected
// listeners, rules and attributes decide. Attributes are judged only when
// reported: a key AWS did not return is UNKNOWN, never its default.
// https://docs.aws.amazon.com/securityhub/latest/userguide/elb-controls.html

const elbControls = "https://docs.aws.amazon.com/securityhub/latest/userguide/elb-controls.html"

// elbRules are the ELBv2 and Classic Load Balancer rules.
func elbRules() []Rule { return append(elbv2Rules(), classicELBRules()...) }

func elbv2Rules() []Rule {
	return []Rule{
		{
			ID:             "elbv2-alb-http-redirects-to-https",
			Title:          "Application Load Balancers redirect all HTTP requests to HTTPS",
			Service:        "elbv2",
			Severity:       Medium,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"ELB.1"}},
			Description: "Every HTTP listener of an Application Load Balancer must answer with a redirect to HTTPS " +
				"(its default action redirects with protocol HTTPS, and no listener rule forwards plain-HTTP requests " +
				"to targets), so that no request or response travels in clear text. A redirect that keeps the " +
				"request's protocol (#{protocol}) does not count.",
			Remediation: "  aws elbv2 modify-listener --listener-arn LISTENER --default-actions \\\n" +
				"      'Type=redirect,RedirectConfig={Protocol=HTTPS,Port=443,StatusCode=HTTP_301}'\n" +
				"Terraform: resource \"aws_lb_listener\" \"http\" { port = 80 protocol = \"HTTP\"\n" +
				"  default_action { type = \"redirect\" redirect { protocol = \"HTTPS\" port = \"443\" status_code = \"HTTP_301\" } } }",
			Links: []string{elbControls + "#elb-1",
				"https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html#redirect-actions"},
			Check: checkALBHTTPRedirect,
		},
		{
			ID:             "elbv2-alb-drop-invalid-headers",
			Title:          "Application Load Balancers drop invalid HTTP header fields",
			Service:        "elbv2",
			Severity:       Medium,
			Responsibility: LayerNetwork,
			Frameworks:     map[string][]string{FSBP: {"ELB.4"}},
			Description: "routing.http.drop_invalid_header_fields.enabled must be true: headers that do not match " +
				"[-A-Za-z0-9]+ are then removed before the request reaches targets, which closes a path for HTTP " +
				"desync and header smuggling attacks. The default is false.",
			Remediation: "  aws elbv2 modify-load-balancer-attributes --load-balancer-arn LB \\\n" +
				"      --attributes Key=routing.http.drop_invalid_header_fields.enabled,Value=true\n" +
				"Terraform: resource \"aws_lb\" \"web\" { drop_invalid_header_fields = true … }",
			Links: []string{elbControls + "#elb-4",
				"https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#load-balancer-attributes"},
			Check: checkLBAttr(isALB, elbv2.AttrDropInvalidHeaders, []string{"true"}, "drops invalid HTTP header fields", "does not drop invalid HTTP header fields"),
		},
		{
			ID:             "elbv2-alb-access-logs",
			Title:          "Application Load Balancers have access logging enabled",
			Service:        "elbv2",
			Severity:       Medium,
			Responsibility: LayerLogging,
			Frameworks:     map[string][]string{FSBP: {"ELB.5"}},
			Description: "access_logs.s3.enabled must be true: access logs record every request (client address, " +
				"path, status, TLS cipher) and are the evidence for investigating abuse of an internet-facing application.",
			Remediation: "  aws elbv2 modify-load-balancer-attributes --load-balancer-arn LB --attributes \\\n" +
				"      Key=access_logs.s3.enabled,Value=true Key=access_logs.s3.bucket,Value=BUCKET\n" +
				"Terraform: resource \"aws_lb\" \"web\" { access_logs { bucket = aws_s3_bucket.logs.id enabled = true } }",
			Links: []string{elbControls + "#elb-5",
				"https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html"},
			Check: checkLBAttr(isALB, elbv2.AttrAccessLogs, []string{"true"}, "writes access logs", "has access logging disabled"),
		},
		{
			ID:             "elbv2-deletion-protection",
			Title:          "Application, Network and Gateway Load Balancers have deletion protection enabled",
			Service:        "elbv2",
			Severity:       Medium,
			Responsibility: LayerResilience,
			Frameworks:     map[string][]string{FSBP: {"ELB.6"}},
			Description: "deletion_protection.enabled must be true, so that the load balancer (and the availability " +
				"of everything behind it) cannot be removed by a mistaken or malicious DeleteLoadBalancer call. " +
				"AWS Config's elb-deletion-protection-enabled evaluates every ELBv2 load balancer type.",
			Remediation: "  aws elbv2 modify-load-balancer-attributes --load-balancer-arn LB \\\n" +
				"      --attributes Key=deletion_protection.enabled,Value=true\n" +
				"Terraform: resource \"aws_lb\" \"web\" { enable_deletion_protection = true … }",
			Links: []string{elbControls + "#elb-6",
				"https://docs.aws.amazon.com/config/latest/developerguide/elb-deletion-protection-enabled.html"},
			Check: checkLBAttr(anyLB, elbv2.AttrDeletionProtection, []string{"true"}, "has deletion protection enabled", "has deletion protection disabled"),
		},
		{
			ID:             "elbv2-alb-desync-mitigation",
			Title:          "Application Load Balancers use defensive or strictest desync mitigation mode",
			Service:        "elbv2",
			Severity:       Medium,
			Responsibility: LayerNetwork,
			Frameworks:     map[string][]string{FSBP: {"ELB.12"}},
			Description: "routing.http.desync_mitigation_mode must be defensive (the default) or strictest; monitor " +
				"lets requests that could cause HTTP desync (request smuggling) through to the targets.",
			Remediation: "  aws elbv2 modify-load-balancer-attributes --load-balancer-arn LB \\\n" +
				"      --attributes Key=routing.http.desync_mitigation_mode,Value=defensive\n" +
				"Terraform: resource \"aws_lb\" \"web\" { desync_mitigation_mode = \"defensive\" … }",
			Links: []string{elbControls + "#elb-12",
				"https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#desync-mitigation-mode"},
			Check: checkLBAttr(isALB, elbv2.AttrDesyncMitigation, []string{"defensive", "strictest"}, "uses a safe desync mitigation mode", "uses desync mitigation mode"),
		},
		{
			ID:             "elbv2-multi-az",
			Title:          "Application, Network and Gateway Load Balancers span at least two Availability Zones",
			Service:        "elbv2",
			Severity:       Medium,
			Responsibility: LayerResilience,
			Frameworks:     map[string][]string{FSBP: {"ELB.13"}},
			Description: "A load balancer enabled in a single Availability Zone stops serving when that zone fails. " +
				"It must be enabled in two or more zones (Application Load Balancers always are; Network and Gateway " +
				"Load Balancers may be created in one).",
			Remediation: "  aws elbv2 set-subnets --load-balancer-arn LB --subnets SUBNET_AZ1 SUBNET_AZ2\n" +
				"Terraform: resource \"aws_lb\" \"nlb\" { subnets = [aws_subnet.a.id, aws_subnet.b.id] … }",
			Links: []string{elbControls + "#elb-13",
				"https://docs.aws.amazon.com/elasticloadbalancing/latest/network/availability-zones.html"},
			Check: checkLBMultiAZ,
		},
		{
			ID:             "elbv2-alb-waf-associated",
			Title:          "Application Load Balancers are associated with an AWS WAF web ACL",
			Service:        "elbv2",
			Severity:       Medium,
			Responsibility: LayerNetwork,
			Frameworks:     map[string][]string{FSBP: {"ELB.16"}},
			Description: "An AWS WAF web ACL in front of an Application Load Balancer filters common web exploits and " +
				"abusive clients before they reach the application. demarc looks the load balancer up in the " +
				"APPLICATION_LOAD_BALANCER associations of the region's regional web ACLs (WAF Classic, retired, is not read).",
			Remediation: "  aws wafv2 associate-web-acl --web-acl-arn WEB_ACL --resource-arn LB\n" +
				"Terraform: resource \"aws_wafv2_web_acl_association\" \"web\" { resource_arn = aws_lb.web.arn web_acl_arn = aws_wafv2_web_acl.main.arn }",
			Links: []string{elbControls + "#elb-16",
				"https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-associating-aws-resource.html"},
			Check: checkALBWAF,
		},
		{
			ID:             "elbv2-listener-tls-policy",
			Title:          "HTTPS and TLS listeners use a security policy that requires TLS 1.2 or later",
			Service:        "elbv2",
			Severity:       Medium,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{},
			Description: "The listener's security policy decides the protocols and ciphers clients may negotiate. " +
				"Policies that still accept TLS 1.0 or 1.1 (ELBSecurityPolicy-2016-08, -TLS-1-0-*, -TLS-1-1-*, " +
				"-FS-2018-06, -TLS13-1-0/1-1-*, …) allow deprecated protocols; the TLS 1.2+ policies " +
				"(ELBSecurityPolicy-TLS13-1-2-2021-06, the default, and the -1-2-/-1-3- families) do not. " +
				"A policy name demarc does not recognise is UNKNOWN.",
			Remediation: "  aws elbv2 modify-listener --listener-arn LISTENER --ssl-policy ELBSecurityPolicy-TLS13-1-2-2021-06\n" +
				"Terraform: resource \"aws_lb_listener\" \"https\" { ssl_policy = \"ELBSecurityPolicy-TLS13-1-2-2021-06\" … }",
			Links: []string{"https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html",
				"https://docs.aws.amazon.com/elasticloadbalancing/latest/network/describe-ssl-policies.html"},
			Check: checkListenerTLSPolicy,
		},
	}
}

func isALB(l elbv2.LoadBalancer) bool { return l.Type == elbv2.TypeApplication }
func anyLB(elbv2.LoadBalancer) bool   { return true }

// lbKindText names a load balancer type for messages.
func lbKindText(t string) string {
	switch t {
	case elbv2.TypeApplication:
		return "Application Load Balancer"
	case elbv2.TypeNetwork:
		return "Network Load Balancer"
	case elbv2.TypeGateway:
		return "Gateway Load Balancer"
	}
	return "load balancer"
}

// eachELBv2Region calls fn for every region's known load balancers. A region
// whose Elastic Load Balancing data was not collected, or whose list could
// not be read, yields one UNKNOWN result over loadbalancer/*.
func eachELBv2Region(s *model.Snapshot, fn func(region string, r *elbv2.Region, lbs []elbv2.LoadBalancer) []Result) []Result {
	var out []Result
	for _, name := range snapshotRegions(s) {
		wild := regionalARN(s, "elasticloadbalancing", name, "loadbalancer/*")
		r := elbv2Region(s, name)
		if r == nil {
			out = append(out, UnknownR(wild, name, "Elastic Load Balancing data for region %s was not collected", name))
			continue
		}
		lbs, unk := knownList(r.LoadBalancers, wild, name, "load balancers")
		if unk != nil {
			out = append(out, unk...)
			continue
		}
		out = append(out, fn(name, r, lbs)...)
	}
	return out
}

// eachLB runs judge over every load balancer that applies.
func eachLB(s *model.Snapshot, applies func(elbv2.LoadBalancer) bool, judge func(l elbv2.LoadBalancer, region string) Result) []Result {
	return eachELBv2Region(s, func(region string, _ *elbv2.Region, lbs []elbv2.LoadBalancer) []Result {
		var out []Result
		for _, l := range lbs {
			if applies(l) {
				out = append(out, judge(l, regionOr(l.Meta, region)))
			}
		}
		return out
	})
}

// hasTLSListener reports whether a load balancer has an HTTPS or TLS
// listener, or may have one (listeners unknown).
func hasTLSListener(l elbv2.LoadBalancer) bool {
	ls, ok := l.Listeners.Get()
	if !ok {
		return true
	}
	for _, x := range ls {
		switch strings.ToUpper(x.Protocol) {
		case "HTTPS", "TLS":
			return true
		}
	}
	return false
}

// checkLBAttr judges one attribute against the accepted values.
func checkLBAttr(applies func(elbv2.LoadBalancer) bool, key string, good []string, passText, failText string) func(*model.Snapshot) []Result {
	return func(s *model.Snapshot) []Result {
		return eachLB(s, applies, func(l elbv2.LoadBalancer, region string) Result {
			who := fmt.Sprintf("%s %s", lbKindText(l.Type), l.Name)
			v, ok, why := l.Attribute(key)
			if !ok {
				return UnknownR(l.ARN, region, "%s: %s", who, why)
			}
			for _, g := range good {
				if strings.EqualFold(v, g) {
					return PassR(l.ARN, region, "%s %s (%s=%s)", who, passText, key, v)
				}
			}
			return FailR(l.ARN, region, "%s %s (%s=%s)", who, failText, key, v)
		})
	}
}

// terminalAction is the action that answers the request: the last in order
// (authenticate actions come first).
func terminalAction(as []elbv2.Action) (elbv2.Action, bool) {
	if len(as) == 0 {
		return elbv2.Action{}, false
	}
	sorted := append([]elbv2.Action(nil), as...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Order < sorted[j].Order })
	return sorted[len(sorted)-1], true
}

func describeAction(a elbv2.Action) string {
	switch a.Type {
	case elbv2.ActionRedirect:
		p := a.RedirectProtocol
		if p == "" {
			p = "#{protocol}"
		}
		return "redirect to " + p
	case elbv2.ActionForward:
		return "forward to " + plural(len(a.TargetGroupARNs), "target group", "target groups")
	case elbv2.ActionFixedResponse:
		if a.FixedStatus != "" {
			return "fixed response " + a.FixedStatus
		}
		return "fixed response"
	}
	return a.Type
}

func checkALBHTTPRedirect(s *model.Snapshot) []Result {
	return eachLB(s, isALB, func(l elbv2.LoadBalancer, region string) Result {
		who := "Application Load Balancer " + l.Name
		ls, ok := l.Listeners.Get()
		if !ok {
			return UnknownR(l.ARN, region, "%s: listeners %s", who, l.Listeners.Why())
		}
		var v verdict
		n := 0
		for _, x := range ls {
			if !strings.EqualFold(x.Protocol, "HTTP") {
				continue
			}
			n++
			a, ok := terminalAction(x.DefaultActions)
			switch {
			case !ok:
				v.unknown("HTTP listener on port %d: default actions not recorded", x.Port)
			case a.Type != elbv2.ActionRedirect || !strings.EqualFold(a.RedirectProtocol, "HTTPS"):
				v.fail("HTTP listener on port %d: default action is %s, not a redirect to HTTPS", x.Port, describeAction(a))
			}
			rules, ok := x.Rules.Get()
			if !ok {
				v.unknown("HTTP listener on port %d: rules %s", x.Port, x.Rules.Why())
				continue
			}
			for _, r := range rules {
				if a, ok := terminalAction(r.Actions); ok && a.Type == elbv2.ActionForward {
					v.fail("HTTP listener on port %d: rule priority %s forwards plain-HTTP requests to targets", x.Port, r.Priority)
				}
			}
		}
		if n == 0 {
			return PassR(l.ARN, region, "%s has no HTTP listener", who)
		}
		r := v.result(l.ARN, region, fmt.Sprintf("%s redirects every HTTP listener (%d) to HTTPS", who, n))
		if r.Status != Pass {
			r.Message = who + ": " + r.Message
		}
		return r
	})
}

func checkLBMultiAZ(s *model.Snapshot) []Result {
	return eachLB(s, anyLB, func(l elbv2.LoadBalancer, region string) Result {
		who := fmt.Sprintf("%s %s", lbKindText(l.Type), l.Name)
		zones := l.AvailabilityZones
		if len(zones) == 0 {
			// A load balancer has one subnet per zone.
			zones = l.SubnetIDs
		}
		switch {
		case len(zones) == 0:
			return UnknownR(l.ARN, region, "%s: Availability Zones not recorded", who)
		case len(zones) < 2:
			return FailR(l.ARN, region, "%s is enabled in one Availability Zone only (%s)", who, strings.Join(zones, ", "))
		}
		return PassR(l.ARN, region, "%s spans %d Availability Zones (%s)", who, len(zones), strings.Join(zones, ", "))
	})
}

func checkALBWAF(s *model.Snapshot) []Result {
	return eachLB(s, isALB, func(l elbv2.LoadBalancer, region string) Result {
		who := "Application Load Balancer " + l.Name
		var wr *wafv2.Region
		for i := range s.WAFv2.Regions {
			if s.WAFv2.Regions[i].Name == region {
				wr = &s.WAFv2.Regions[i]
			}
		}
		if wr == nil {
			return UnknownR(l.ARN, region, "%s: AWS WAF data for region %s was not collected", who, region)
		}
		acls, ok := wr.WebACLs.Get()
		if !ok {
			return UnknownR(l.ARN, region, "%s: regional web ACLs %s", who, wr.WebACLs.Why())
		}
		var unread []string
		for _, a := range acls {
			v, has := a.Associations["APPLICATION_LOAD_BALANCER"]
			if !has || !v.Ok {
				why := "not collected"
				if has {
					why = v.Why()
				}
				unread = append(unread, fmt.Sprintf("%s (%s)", a.Name, why))
				continue
			}
			for _, arn := range v.V {
				if arn == l.ARN {
					return PassR(l.ARN, region, "%s is protected by web ACL %s", who, a.Name)
				}
			}
		}
		if len(unread) > 0 {
			return UnknownR(l.ARN, region, "%s: not associated with any web ACL whose associations were read; unread: %s", who, strings.Join(unread, ", "))
		}
		return FailR(l.ARN, region, "%s is not associated with any AWS WAF web ACL (%s in %s)", who, plural(len(acls), "regional web ACL", "regional web ACLs"), region)
	})
}

// weakTLSPolicies are the predefined ELB security policies that accept TLS
// 1.0 or 1.1.
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
var weakTLSPolicies = map[string]bool{
	"ELBSecurityPolicy-2016-08":                true,
	"ELBSecurityPolicy-2015-05":                true,
	"ELBSecurityPolicy-TLS-1-0-2015-04":        true,
	"ELBSecurityPolicy-TLS-1-1-2017-01":        true,
	"ELBSecurityPolicy-FS-2018-06":             true,
	"ELBSecurityPolicy-FS-1-1-2019-08":         true,
	"ELBSecurityPolicy-TLS13-1-0-2021-06":      true,
	"ELBSecurityPolicy-TLS13-1-1-2021-06":      true,
	"ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04": true,
	"ELBSecurityPolicy-TLS13-1-1-FIPS-2023-04": true,
	"ELBSecurityPolicy-TLS13-1-0-PQ-2025-09":   true,
	"ELBSecurityPolicy-TLS13-1-1-PQ-2025-09":   true,
}

// tlsPolicyStrong reports whether a security policy requires TLS 1.2 or
// later; ok is false for a name that is neither a known weak policy nor one
// of the families whose name carries the minimum version (-1-2-, -1-3-).
func tlsPolicyStrong(p string) (strong, ok bool) {
	if weakTLSPolicies[p] {
		return false, true
	}
	if strings.HasPrefix(p, "ELBSecurityPolicy-") && (strings.Contains(p, "-1-2-") || strings.Contains(p, "-1-3-")) {
		return true, true
	}
	return false, false
}

func checkListenerTLSPolicy(s *model.Snapshot) []Result {
	// Load balancers without HTTPS/TLS listeners have no policy to judge.
	return eachLB(s, hasTLSListener, func(l elbv2.LoadBalancer, region string) Result {
		who := fmt.Sprintf("%s %s", lbKindText(l.Type), l.Name)
		ls, ok := l.Listeners.Get()
		if !ok {
			return UnknownR(l.ARN, region, "%s: listeners %s", who, l.Listeners.Why())
		}
		var v verdict
		n := 0
		for _, x := range ls {
			switch strings.ToUpper(x.Protocol) {
			case "HTTPS", "TLS":
			default:
				continue
			}
			n++
			switch strong, known := tlsPolicyStrong(x.SSLPolicy); {
			case x.SSLPolicy == "":
				v.unknown("%s listener on port %d: security policy not recorded", x.Protocol, x.Port)
			case !known:
				v.unknown("%s listener on port %d: security policy %s not recognised", x.Protocol, x.Port, x.SSLPolicy)
			case !strong:
				v.fail("%s listener on port %d uses %s, which accepts TLS 1.0/1.1", x.Protocol, x.Port, x.SSLPolicy)
			}
		}
		r := v.result(l.ARN, region, fmt.Sprintf("%s: every HTTPS/TLS listener (%d) requires TLS 1.2 or later", who, n))
		if r.Status != Pass {
			r.Message = who + ": " + r.Message
		}
		return r
	})
}
