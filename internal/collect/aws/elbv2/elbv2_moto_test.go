package elbv2

import (
	"context"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsacm "github.com/aws/aws-sdk-go-v2/service/acm"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	awsclb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	clbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"
	awselb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit/kittest"
	"github.com/demarc-sec/demarc/internal/model"
	elbm "github.com/demarc-sec/demarc/internal/model/elbv2"
)

// TestCollectMoto builds an internet-facing ALB (HTTP listener redirecting
// to HTTPS, HTTPS listener forwarding through a rule and a weighted forward
// config), an internal NLB whose target group preserves no client IPs, and a
// Classic Load Balancer in moto, and checks every field the rules and the
// reachability analyzer read.
func TestCollectMoto(t *testing.T) {
	m := kittest.Start(t)
	ctx := context.Background()
	const region = "eu-west-1"
	e := awsec2.NewFromConfig(m.Config(region))
	c := awselb.NewFromConfig(m.Config(region))

	vpc := kittest.Must(e.CreateVpc(ctx, &awsec2.CreateVpcInput{CidrBlock: sdk.String("10.0.0.0/16")})).Vpc.VpcId
	subA := kittest.Must(e.CreateSubnet(ctx, &awsec2.CreateSubnetInput{VpcId: vpc, CidrBlock: sdk.String("10.0.1.0/24"), AvailabilityZone: sdk.String(region + "a")})).Subnet.SubnetId
	subB := kittest.Must(e.CreateSubnet(ctx, &awsec2.CreateSubnetInput{VpcId: vpc, CidrBlock: sdk.String("10.0.2.0/24"), AvailabilityZone: sdk.String(region + "b")})).Subnet.SubnetId
	sg := kittest.Must(e.CreateSecurityGroup(ctx, &awsec2.CreateSecurityGroupInput{GroupName: sdk.String("alb"), Description: sdk.String("alb"), VpcId: vpc})).GroupId
	inst := kittest.Must(e.RunInstances(ctx, &awsec2.RunInstancesInput{ImageId: sdk.String("ami-12c6146b"), MinCount: sdk.Int32(2), MaxCount: sdk.Int32(2),
		InstanceType: ec2types.InstanceTypeT3Micro, SubnetId: subA})).Instances

	alb := kittest.Must(c.CreateLoadBalancer(ctx, &awselb.CreateLoadBalancerInput{Name: sdk.String("web"), Subnets: []string{*subA, *subB},
		SecurityGroups: []string{*sg}, Scheme: types.LoadBalancerSchemeEnumInternetFacing, Type: types.LoadBalancerTypeEnumApplication,
		Tags: []types.Tag{{Key: sdk.String("team"), Value: sdk.String("web")}}})).LoadBalancers[0]
	nlb := kittest.Must(c.CreateLoadBalancer(ctx, &awselb.CreateLoadBalancerInput{Name: sdk.String("db"), Subnets: []string{*subA},
		Scheme: types.LoadBalancerSchemeEnumInternal, Type: types.LoadBalancerTypeEnumNetwork})).LoadBalancers[0]

	tgWeb := kittest.Must(c.CreateTargetGroup(ctx, &awselb.CreateTargetGroupInput{Name: sdk.String("web"), Protocol: types.ProtocolEnumHttp,
		Port: sdk.Int32(8080), VpcId: vpc, TargetType: types.TargetTypeEnumInstance})).TargetGroups[0].TargetGroupArn
	tgAPI := kittest.Must(c.CreateTargetGroup(ctx, &awselb.CreateTargetGroupInput{Name: sdk.String("api"), Protocol: types.ProtocolEnumHttp,
		Port: sdk.Int32(9000), VpcId: vpc, TargetType: types.TargetTypeEnumInstance})).TargetGroups[0].TargetGroupArn
	tgDB := kittest.Must(c.CreateTargetGroup(ctx, &awselb.CreateTargetGroupInput{Name: sdk.String("db"), Protocol: types.ProtocolEnumTcp,
		Port: sdk.Int32(5432), VpcId: vpc, TargetType: types.TargetTypeEnumIp})).TargetGroups[0].TargetGroupArn
	kittest.Must(c.CreateTargetGroup(ctx, &awselb.CreateTargetGroupInput{Name: sdk.String("unused"), Protocol: types.ProtocolEnumHttp,
		Port: sdk.Int32(80), VpcId: vpc}))
	kittest.Must(c.RegisterTargets(ctx, &awselb.RegisterTargetsInput{TargetGroupArn: tgWeb, Targets: []types.TargetDescription{
		{Id: inst[0].InstanceId}, {Id: inst[1].InstanceId, Port: sdk.Int32(8081)}}}))
	kittest.Must(c.RegisterTargets(ctx, &awselb.RegisterTargetsInput{TargetGroupArn: tgAPI, Targets: []types.TargetDescription{{Id: inst[1].InstanceId}}}))
	kittest.Must(c.RegisterTargets(ctx, &awselb.RegisterTargetsInput{TargetGroupArn: tgDB, Targets: []types.TargetDescription{{Id: sdk.String("10.0.1.50")}}}))
	kittest.Must(c.ModifyTargetGroupAttributes(ctx, &awselb.ModifyTargetGroupAttributesInput{TargetGroupArn: tgDB,
		Attributes: []types.TargetGroupAttribute{{Key: sdk.String("preserve_client_ip.enabled"), Value: sdk.String("false")}}}))

	kittest.Must(c.CreateListener(ctx, &awselb.CreateListenerInput{LoadBalancerArn: alb.LoadBalancerArn, Protocol: types.ProtocolEnumHttp, Port: sdk.Int32(80),
		DefaultActions: []types.Action{{Type: types.ActionTypeEnumRedirect, RedirectConfig: &types.RedirectActionConfig{
			Protocol: sdk.String("HTTPS"), Port: sdk.String("443"), StatusCode: types.RedirectActionStatusCodeEnumHttp301}}}}))
	cert := kittest.Must(awsacm.NewFromConfig(m.Config(region)).RequestCertificate(ctx, &awsacm.RequestCertificateInput{DomainName: sdk.String("web.example.com")})).CertificateArn
	https := kittest.Must(c.CreateListener(ctx, &awselb.CreateListenerInput{LoadBalancerArn: alb.LoadBalancerArn, Protocol: types.ProtocolEnumHttps, Port: sdk.Int32(443),
		SslPolicy: sdk.String("ELBSecurityPolicy-TLS13-1-2-2021-06"), Certificates: []types.Certificate{{CertificateArn: cert}},
		DefaultActions: []types.Action{{Type: types.ActionTypeEnumForward, ForwardConfig: &types.ForwardActionConfig{
			TargetGroups: []types.TargetGroupTuple{{TargetGroupArn: tgWeb, Weight: sdk.Int32(1)}}}}}})).Listeners[0]
	kittest.Must(c.CreateRule(ctx, &awselb.CreateRuleInput{ListenerArn: https.ListenerArn, Priority: sdk.Int32(10),
		Conditions: []types.RuleCondition{{Field: sdk.String("path-pattern"), Values: []string{"/api/*"}}},
		Actions:    []types.Action{{Type: types.ActionTypeEnumForward, TargetGroupArn: tgAPI}}}))
	kittest.Must(c.CreateListener(ctx, &awselb.CreateListenerInput{LoadBalancerArn: nlb.LoadBalancerArn, Protocol: types.ProtocolEnumTcp, Port: sdk.Int32(5432),
		DefaultActions: []types.Action{{Type: types.ActionTypeEnumForward, TargetGroupArn: tgDB}}}))
	kittest.Must(c.ModifyLoadBalancerAttributes(ctx, &awselb.ModifyLoadBalancerAttributesInput{LoadBalancerArn: alb.LoadBalancerArn,
		Attributes: []types.LoadBalancerAttribute{
			{Key: sdk.String(elbm.AttrDeletionProtection), Value: sdk.String("true")},
			{Key: sdk.String(elbm.AttrDropInvalidHeaders), Value: sdk.String("true")},
			// moto (5.2.1) reports neither of these until they are set; AWS
			// always does.
			{Key: sdk.String(elbm.AttrAccessLogs), Value: sdk.String("false")},
			{Key: sdk.String(elbm.AttrDesyncMitigation), Value: sdk.String("strictest")},
		}}))

	clb := awsclb.NewFromConfig(m.Config(region))
	kittest.Must(clb.CreateLoadBalancer(ctx, &awsclb.CreateLoadBalancerInput{LoadBalancerName: sdk.String("legacy"), Subnets: []string{*subA},
		SecurityGroups: []string{*sg}, Listeners: []clbtypes.Listener{{Protocol: sdk.String("HTTP"), LoadBalancerPort: 80, InstanceProtocol: sdk.String("HTTP"), InstancePort: sdk.Int32(8080)}}}))
	kittest.Must(clb.RegisterInstancesWithLoadBalancer(ctx, &awsclb.RegisterInstancesWithLoadBalancerInput{LoadBalancerName: sdk.String("legacy"),
		Instances: []clbtypes.Instance{{InstanceId: inst[0].InstanceId}}}))

	snap := model.New(m.Env.AccountID, m.Env.Partition, []string{region, "us-east-1"})
	if err := New().Collect(ctx, m.Env, "us-east-1", snap); err != nil {
		t.Fatalf("Collect: %v", err)
	}
	kittest.NoErrors(t, m.Env)
	if len(snap.ELBv2) != 2 || snap.ELBv2[0].Name != region || snap.ELBv2[1].Name != "us-east-1" {
		t.Fatalf("regions = %+v", snap.ELBv2)
	}
	if lbs := kittest.Known(t, "us-east-1 load balancers", snap.ELBv2[1].LoadBalancers); len(lbs) != 0 {
		t.Errorf("us-east-1 load balancers = %+v", lbs)
	}
	lbs := kittest.Known(t, "load balancers", snap.ELBv2[0].LoadBalancers)
	byName := map[string]elbm.LoadBalancer{}
	for _, l := range lbs {
		byName[l.Name] = l
	}
	if len(byName) != 2 {
		t.Fatalf("load balancers = %+v", lbs)
	}

	web := byName["web"]
	if web.ARN != *alb.LoadBalancerArn || web.Account != m.Env.AccountID || web.Region != region || web.Type != elbm.TypeApplication ||
		web.Scheme != elbm.SchemeInternetFacing || web.VPCID != *vpc || strings.Join(web.SubnetIDs, ",") != strings.Join(sorted(*subA, *subB), ",") ||
		len(web.AvailabilityZones) != 2 || strings.Join(web.SecurityGroupIDs, ",") != *sg || web.Tags["team"] != "web" {
		t.Errorf("web = %+v", web)
	}
	if v, ok, why := web.Attribute(elbm.AttrDeletionProtection); !ok || v != "true" {
		t.Errorf("deletion protection = %q %v %s", v, ok, why)
	}
	if v, ok, why := web.Attribute(elbm.AttrDropInvalidHeaders); !ok || v != "true" {
		t.Errorf("drop invalid headers = %q %v %s", v, ok, why)
	}
	if v, ok, why := web.Attribute(elbm.AttrAccessLogs); !ok || v != "false" {
		t.Errorf("access logs = %q %v %s", v, ok, why)
	}
	if v, ok, why := web.Attribute(elbm.AttrDesyncMitigation); !ok || v != "strictest" {
		t.Errorf("desync mitigation = %q %v %s", v, ok, why)
	}
	ls := kittest.Known(t, "web listeners", web.Listeners)
	if len(ls) != 2 {
		t.Fatalf("web listeners = %+v", ls)
	}
	http, tls := ls[0], ls[1]
	if http.Port != 80 || http.Protocol != "HTTP" || len(http.DefaultActions) != 1 || http.DefaultActions[0].Type != elbm.ActionRedirect ||
		http.DefaultActions[0].RedirectProtocol != "HTTPS" || http.DefaultActions[0].RedirectStatus != "HTTP_301" ||
		!http.ForwardsRecorded || len(http.TargetGroupARNs) != 0 {
		t.Errorf("http listener = %+v", http)
	}
	if rules := kittest.Known(t, "http rules", http.Rules); len(rules) != 0 {
		t.Errorf("http rules = %+v", rules)
	}
	if tls.Port != 443 || tls.Protocol != "HTTPS" || tls.SSLPolicy != "ELBSecurityPolicy-TLS13-1-2-2021-06" || len(tls.CertificateARNs) != 1 ||
		!tls.ForwardsRecorded || strings.Join(tls.TargetGroupARNs, ",") != strings.Join(sorted(*tgWeb, *tgAPI), ",") {
		t.Errorf("https listener = %+v", tls)
	}
	rules := kittest.Known(t, "https rules", tls.Rules)
	if len(rules) != 1 || rules[0].Priority != "10" || len(rules[0].Actions) != 1 || rules[0].Actions[0].Type != elbm.ActionForward ||
		strings.Join(rules[0].Actions[0].TargetGroupARNs, ",") != *tgAPI {
		t.Errorf("https rules = %+v", rules)
	}
	tgs := kittest.Known(t, "web target groups", web.TargetGroups)
	if len(tgs) != 2 {
		t.Fatalf("web target groups = %+v", tgs)
	}
	for _, g := range tgs {
		targets := kittest.Known(t, g.Name+" targets", g.Targets)
		switch g.Name {
		case "web":
			if g.ARN != *tgWeb || g.Port != 8080 || g.Protocol != "HTTP" || g.TargetType != elbm.TargetInstance || g.VPCID != *vpc ||
				len(targets) != 2 || strings.Join(g.LoadBalancerARNs, ",") != web.ARN {
				t.Errorf("web target group = %+v", g)
			}
			for _, tt := range targets {
				if tt.ID == *inst[1].InstanceId && tt.Port != 8081 {
					t.Errorf("target %+v: want port 8081", tt)
				}
			}
		case "api":
			if len(targets) != 1 || targets[0].ID != *inst[1].InstanceId {
				t.Errorf("api targets = %+v", targets)
			}
		default:
			t.Errorf("unexpected target group %+v", g)
		}
	}

	db := byName["db"]
	if db.Type != elbm.TypeNetwork || db.Scheme != elbm.SchemeInternal {
		t.Errorf("db = %+v", db)
	}
	dls := kittest.Known(t, "db listeners", db.Listeners)
	if len(dls) != 1 || dls[0].Protocol != "TCP" || dls[0].Port != 5432 || strings.Join(dls[0].TargetGroupARNs, ",") != *tgDB {
		t.Errorf("db listeners = %+v", dls)
	}
	dtgs := kittest.Known(t, "db target groups", db.TargetGroups)
	if len(dtgs) != 1 {
		t.Fatalf("db target groups = %+v", dtgs)
	}
	if p, ok := dtgs[0].PreserveClientIP.Get(); !ok || p {
		t.Errorf("preserve client IP = %v %v (%s), want known false", p, ok, dtgs[0].PreserveClientIP.Why())
	}
	if ts := kittest.Known(t, "db targets", dtgs[0].Targets); len(ts) != 1 || ts[0].ID != "10.0.1.50" {
		t.Errorf("db targets = %+v", ts)
	}

	classic := kittest.Known(t, "classic", snap.ELBv2[0].Classic)
	if len(classic) != 1 {
		t.Fatalf("classic = %+v", classic)
	}
	cl := classic[0]
	if cl.Name != "legacy" || cl.ARN != "arn:aws:elasticloadbalancing:"+region+":"+m.Env.AccountID+":loadbalancer/legacy" ||
		len(cl.Listeners) != 1 || cl.Listeners[0].Protocol != "HTTP" || cl.Listeners[0].Port != 80 ||
		strings.Join(cl.Instances, ",") != *inst[0].InstanceId {
		t.Errorf("classic = %+v", cl)
	}
	a := kittest.Known(t, "classic attributes", cl.Attributes)
	if a.AccessLogs == nil || *a.AccessLogs || a.CrossZone == nil || a.ConnectionDraining == nil {
		t.Errorf("classic attributes = %+v", a)
	}
}

func sorted(xs ...string) []string {
	out := append([]string(nil), xs...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}
