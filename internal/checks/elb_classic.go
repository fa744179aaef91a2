package checks

import (
	"fmt"
	"strings"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/elbv2"
)

// Classic Load Balancer rules (FSBP ELB.2, 3, 5, 7, 9, 10, 14).

func classicELBRules() []Rule {
	const svc = "elb"
	return []Rule{
		{
			ID:             "elb-classic-acm-certificate",
			Title:          "Classic Load Balancers with HTTPS/SSL listeners use certificates from AWS Certificate Manager",
			Service:        svc,
			Severity:       Medium,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"ELB.2"}},
			Description: "ACM certificates renew automatically; an IAM server certificate must be rotated by hand and " +
				"expires silently. Every HTTPS or SSL listener's certificate must be an ACM certificate ARN.",
			Remediation: "  aws elb set-load-balancer-listener-ssl-certificate --load-balancer-name LB --load-balancer-port 443 \\\n" +
				"      --ssl-certificate-id arn:aws:acm:REGION:ACCOUNT:certificate/ID\n" +
				"Terraform: resource \"aws_elb\" \"legacy\" { listener { ssl_certificate_id = aws_acm_certificate.c.arn … } }",
			Links: []string{elbControls + "#elb-2", "https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/elb-update-ssl-cert.html"},
			Check: checkClassicACM,
		},
		{
			ID:             "elb-classic-listeners-encrypted",
			Title:          "Classic Load Balancer listeners use HTTPS or SSL/TLS termination",
			Service:        svc,
			Severity:       Medium,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"ELB.3"}},
			Description: "Front-end (client to load balancer) connections on HTTP or TCP listeners travel in clear " +
				"text. Every listener must use HTTPS or SSL. A load balancer without listeners is not judged.",
			Remediation: "  aws elb create-load-balancer-listeners --load-balancer-name LB \\\n" +
				"      --listeners Protocol=HTTPS,LoadBalancerPort=443,InstanceProtocol=HTTP,InstancePort=80,SSLCertificateId=ACM_ARN\n" +
				"  aws elb delete-load-balancer-listeners --load-balancer-name LB --load-balancer-ports 80\n" +
				"Terraform: resource \"aws_elb\" \"legacy\" { listener { lb_protocol = \"https\" lb_port = 443 … } }",
			Links: []string{elbControls + "#elb-3", "https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/elb-listener-config.html"},
			Check: checkClassicListeners,
		},
		{
			ID:             "elb-classic-access-logs",
			Title:          "Classic Load Balancers have access logging enabled",
			Service:        svc,
			Severity:       Medium,
			Responsibility: LayerLogging,
			Frameworks:     map[string][]string{FSBP: {"ELB.5"}},
			Description:    "Access logs record every request the load balancer receives and are the evidence for investigating abuse.",
			Remediation: "  aws elb modify-load-balancer-attributes --load-balancer-name LB \\\n" +
				"      --load-balancer-attributes '{\"AccessLog\":{\"Enabled\":true,\"S3BucketName\":\"BUCKET\",\"EmitInterval\":5}}'\n" +
				"Terraform: resource \"aws_elb\" \"legacy\" { access_logs { bucket = aws_s3_bucket.logs.id enabled = true } }",
			Links: []string{elbControls + "#elb-5", "https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/enable-access-logs.html"},
			Check: checkClassicBool("access logging", func(a elbv2.ClassicAttributes) *bool { return a.AccessLogs }),
		},
		{
			ID:             "elb-classic-connection-draining",
			Title:          "Classic Load Balancers have connection draining enabled",
			Service:        svc,
			Severity:       Medium,
			Responsibility: LayerResilience,
			Frameworks:     map[string][]string{FSBP: {"ELB.7"}},
			Description:    "With connection draining the load balancer lets in-flight requests finish before an instance is deregistered or fails its health check.",
			Remediation: "  aws elb modify-load-balancer-attributes --load-balancer-name LB \\\n" +
				"      --load-balancer-attributes '{\"ConnectionDraining\":{\"Enabled\":true,\"Timeout\":300}}'\n" +
				"Terraform: resource \"aws_elb\" \"legacy\" { connection_draining = true … }",
			Links: []string{elbControls + "#elb-7", "https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/config-conn-drain.html"},
			Check: checkClassicBool("connection draining", func(a elbv2.ClassicAttributes) *bool { return a.ConnectionDraining }),
		},
		{
			ID:             "elb-classic-cross-zone",
			Title:          "Classic Load Balancers have cross-zone load balancing enabled",
			Service:        svc,
			Severity:       Medium,
			Responsibility: LayerResilience,
			Frameworks:     map[string][]string{FSBP: {"ELB.9"}},
			Description:    "Cross-zone load balancing spreads requests evenly over the registered instances of every enabled Availability Zone.",
			Remediation: "  aws elb modify-load-balancer-attributes --load-balancer-name LB \\\n" +
				"      --load-balancer-attributes '{\"CrossZoneLoadBalancing\":{\"Enabled\":true}}'\n" +
				"Terraform: resource \"aws_elb\" \"legacy\" { cross_zone_load_balancing = true … }",
			Links: []string{elbControls + "#elb-9", "https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/enable-disable-crosszone-lb.html"},
			Check: checkClassicBool("cross-zone load balancing", func(a elbv2.ClassicAttributes) *bool { return a.CrossZone }),
		},
		{
			ID:             "elb-classic-multi-az",
			Title:          "Classic Load Balancers span at least two Availability Zones",
			Service:        svc,
			Severity:       Medium,
			Responsibility: LayerResilience,
			Frameworks:     map[string][]string{FSBP: {"ELB.10"}},
			Description:    "A Classic Load Balancer enabled in one Availability Zone stops serving when that zone fails.",
			Remediation: "  aws elb attach-load-balancer-to-subnets --load-balancer-name LB --subnets SUBNET_AZ2\n" +
				"Terraform: resource \"aws_elb\" \"legacy\" { subnets = [aws_subnet.a.id, aws_subnet.b.id] … }",
			Links: []string{elbControls + "#elb-10", "https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/enable-disable-az.html"},
			Check: checkClassicMultiAZ,
		},
		{
			ID:             "elb-classic-desync-mitigation",
			Title:          "Classic Load Balancers use defensive or strictest desync mitigation mode",
			Service:        svc,
			Severity:       Medium,
			Responsibility: LayerNetwork,
			Frameworks:     map[string][]string{FSBP: {"ELB.14"}},
			Description:    "The elb.http.desyncmitigationmode attribute must be defensive (the default) or strictest; monitor lets HTTP desync (request smuggling) through.",
			Remediation: "  aws elb modify-load-balancer-attributes --load-balancer-name LB \\\n" +
				"      --load-balancer-attributes '{\"AdditionalAttributes\":[{\"Key\":\"elb.http.desyncmitigationmode\",\"Value\":\"defensive\"}]}'\n" +
				"Terraform: resource \"aws_elb\" \"legacy\" { desync_mitigation_mode = \"defensive\" … }",
			Links: []string{elbControls + "#elb-14", "https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/config-desync-mitigation-mode.html"},
			Check: checkClassicDesync,
		},
	}
}

// eachClassic runs judge over every Classic Load Balancer; judge may return
// no result for a load balancer the rule does not apply to.
func eachClassic(s *model.Snapshot, judge func(l elbv2.ClassicLoadBalancer, region string) []Result) []Result {
	var out []Result
	for _, name := range snapshotRegions(s) {
		wild := regionalARN(s, "elasticloadbalancing", name, "loadbalancer/*")
		r := elbv2Region(s, name)
		if r == nil {
			out = append(out, UnknownR(wild, name, "Elastic Load Balancing data for region %s was not collected", name))
			continue
		}
		lbs, unk := knownList(r.Classic, wild, name, "Classic Load Balancers")
		if unk != nil {
			out = append(out, unk...)
			continue
		}
		for _, l := range lbs {
			out = append(out, judge(l, regionOr(l.Meta, name))...)
		}
	}
	return out
}

func classicARN(s *model.Snapshot, region string, l elbv2.ClassicLoadBalancer) string {
	return orARN(l.ARN, regionalARN(s, "elasticloadbalancing", region, "loadbalancer/"+l.Name))
}

func checkClassicACM(s *model.Snapshot) []Result {
	return eachClassic(s, func(l elbv2.ClassicLoadBalancer, region string) []Result {
		arn := classicARN(s, region, l)
		var v verdict
		n := 0
		for _, x := range l.Listeners {
			switch strings.ToUpper(x.Protocol) {
			case "HTTPS", "SSL":
			default:
				continue
			}
			n++
			switch {
			case x.SSLCertificateID == "":
				v.unknown("%s listener on port %d: certificate not recorded", x.Protocol, x.Port)
			case !strings.Contains(x.SSLCertificateID, ":acm:"):
				v.fail("%s listener on port %d uses %s, not an ACM certificate", x.Protocol, x.Port, x.SSLCertificateID)
			}
		}
		if n == 0 {
			return nil // no HTTPS/SSL listener: the control does not apply
		}
		r := v.result(arn, region, fmt.Sprintf("Classic Load Balancer %s: every HTTPS/SSL listener (%d) uses an ACM certificate", l.Name, n))
		if r.Status != Pass {
			r.Message = "Classic Load Balancer " + l.Name + ": " + r.Message
		}
		return []Result{r}
	})
}

func checkClassicListeners(s *model.Snapshot) []Result {
	return eachClassic(s, func(l elbv2.ClassicLoadBalancer, region string) []Result {
		if len(l.Listeners) == 0 {
			return nil
		}
		arn := classicARN(s, region, l)
		var plain []string
		for _, x := range l.Listeners {
			switch strings.ToUpper(x.Protocol) {
			case "HTTPS", "SSL":
			default:
				plain = append(plain, fmt.Sprintf("%s %d", x.Protocol, x.Port))
			}
		}
		if len(plain) > 0 {
			return []Result{FailR(arn, region, "Classic Load Balancer %s has unencrypted front-end listeners: %s", l.Name, strings.Join(plain, ", "))}
		}
		return []Result{PassR(arn, region, "Classic Load Balancer %s terminates HTTPS/SSL on every listener", l.Name)}
	})
}

func checkClassicBool(what string, get func(elbv2.ClassicAttributes) *bool) func(*model.Snapshot) []Result {
	return func(s *model.Snapshot) []Result {
		return eachClassic(s, func(l elbv2.ClassicLoadBalancer, region string) []Result {
			arn := classicARN(s, region, l)
			a, ok := l.Attributes.Get()
			if !ok {
				return []Result{UnknownR(arn, region, "Classic Load Balancer %s: attributes %s", l.Name, l.Attributes.Why())}
			}
			switch b := get(a); {
			case b == nil:
				return []Result{UnknownR(arn, region, "Classic Load Balancer %s: %s not reported", l.Name, what)}
			case !*b:
				return []Result{FailR(arn, region, "Classic Load Balancer %s has %s disabled", l.Name, what)}
			}
			return []Result{PassR(arn, region, "Classic Load Balancer %s has %s enabled", l.Name, what)}
		})
	}
}

func checkClassicMultiAZ(s *model.Snapshot) []Result {
	return eachClassic(s, func(l elbv2.ClassicLoadBalancer, region string) []Result {
		arn := classicARN(s, region, l)
		switch n := len(l.AvailabilityZones); {
		case n == 0:
			return []Result{UnknownR(arn, region, "Classic Load Balancer %s: Availability Zones not recorded", l.Name)}
		case n < 2:
			return []Result{FailR(arn, region, "Classic Load Balancer %s is enabled in one Availability Zone only (%s)", l.Name, l.AvailabilityZones[0])}
		}
		return []Result{PassR(arn, region, "Classic Load Balancer %s spans %d Availability Zones", l.Name, len(l.AvailabilityZones))}
	})
}

func checkClassicDesync(s *model.Snapshot) []Result {
	return eachClassic(s, func(l elbv2.ClassicLoadBalancer, region string) []Result {
		arn := classicARN(s, region, l)
		a, ok := l.Attributes.Get()
		switch {
		case !ok:
			return []Result{UnknownR(arn, region, "Classic Load Balancer %s: attributes %s", l.Name, l.Attributes.Why())}
		case a.DesyncMitigationMode == "":
			return []Result{UnknownR(arn, region, "Classic Load Balancer %s: elb.http.desyncmitigationmode not reported", l.Name)}
		case strings.EqualFold(a.DesyncMitigationMode, "defensive"), strings.EqualFold(a.DesyncMitigationMode, "strictest"):
			return []Result{PassR(arn, region, "Classic Load Balancer %s uses desync mitigation mode %s", l.Name, a.DesyncMitigationMode)}
		}
		return []Result{FailR(arn, region, "Classic Load Balancer %s uses desync mitigation mode %s", l.Name, a.DesyncMitigationMode)}
	})
}
