package elbv2

import (
	"context"
	"strings"
	"sync"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsclb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	awselb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/smithy-go"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit/kittest"
	elbm "github.com/demarc-sec/demarc/internal/model/elbv2"
)

const (
	albARN = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/web/1"
	nlbARN = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/net/db/2"
	tgA    = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/a/1"
	tgB    = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/b/2"
	lsHTTP = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/web/1/80"
)

// fake answers DescribeLoadBalancers in two pages (Marker "1"), DescribeRules
// in two pages, and fails the operations named in deny.
type fake struct {
	mu    sync.Mutex // the collector calls the fake concurrently
	deny  map[string]bool
	calls map[string]int
}

func denied(op string) error {
	return &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized to perform elasticloadbalancing:" + op}
}

func (f *fake) call(op string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[op]++
	if f.deny[op] {
		return denied(op)
	}
	return nil
}

func (f *fake) DescribeLoadBalancers(_ context.Context, in *awselb.DescribeLoadBalancersInput, _ ...func(*awselb.Options)) (*awselb.DescribeLoadBalancersOutput, error) {
	if err := f.call("DescribeLoadBalancers"); err != nil {
		return nil, err
	}
	if in.Marker == nil {
		return &awselb.DescribeLoadBalancersOutput{NextMarker: sdk.String("1"), LoadBalancers: []types.LoadBalancer{{
			LoadBalancerArn: sdk.String(nlbARN), LoadBalancerName: sdk.String("db"), Type: types.LoadBalancerTypeEnumNetwork,
			Scheme: types.LoadBalancerSchemeEnumInternetFacing,
		}}}, nil
	}
	return &awselb.DescribeLoadBalancersOutput{LoadBalancers: []types.LoadBalancer{{
		LoadBalancerArn: sdk.String(albARN), LoadBalancerName: sdk.String("web"), Type: types.LoadBalancerTypeEnumApplication,
		Scheme: types.LoadBalancerSchemeEnumInternetFacing, VpcId: sdk.String("vpc-1"),
		AvailabilityZones: []types.AvailabilityZone{{SubnetId: sdk.String("subnet-b"), ZoneName: sdk.String("eu-west-1b")}, {SubnetId: sdk.String("subnet-a"), ZoneName: sdk.String("eu-west-1a")}},
	}}}, nil
}

func (f *fake) DescribeListeners(_ context.Context, in *awselb.DescribeListenersInput, _ ...func(*awselb.Options)) (*awselb.DescribeListenersOutput, error) {
	if err := f.call("DescribeListeners"); err != nil {
		return nil, err
	}
	if *in.LoadBalancerArn == nlbARN {
		return &awselb.DescribeListenersOutput{Listeners: []types.Listener{{ListenerArn: sdk.String("l-nlb"), Port: sdk.Int32(5432), Protocol: types.ProtocolEnumTcp,
			DefaultActions: []types.Action{{Type: types.ActionTypeEnumForward, TargetGroupArn: sdk.String(tgB)}}}}}, nil
	}
	return &awselb.DescribeListenersOutput{Listeners: []types.Listener{{ListenerArn: sdk.String(lsHTTP), Port: sdk.Int32(80), Protocol: types.ProtocolEnumHttp,
		DefaultActions: []types.Action{{Type: types.ActionTypeEnumForward, Order: sdk.Int32(1), ForwardConfig: &types.ForwardActionConfig{
			TargetGroups: []types.TargetGroupTuple{{TargetGroupArn: sdk.String(tgA)}}}}}}}}, nil
}

func (f *fake) DescribeRules(_ context.Context, in *awselb.DescribeRulesInput, _ ...func(*awselb.Options)) (*awselb.DescribeRulesOutput, error) {
	if err := f.call("DescribeRules"); err != nil {
		return nil, err
	}
	if in.Marker == nil {
		return &awselb.DescribeRulesOutput{NextMarker: sdk.String("1"), Rules: []types.Rule{
			{RuleArn: sdk.String("r-default"), Priority: sdk.String("default"), IsDefault: sdk.Bool(true)},
			{RuleArn: sdk.String("r-10"), Priority: sdk.String("10"), Actions: []types.Action{{Type: types.ActionTypeEnumFixedResponse,
				FixedResponseConfig: &types.FixedResponseActionConfig{StatusCode: sdk.String("404")}}}},
		}}, nil
	}
	return &awselb.DescribeRulesOutput{Rules: []types.Rule{
		{RuleArn: sdk.String("r-9"), Priority: sdk.String("9"), Actions: []types.Action{{Type: types.ActionTypeEnumForward, TargetGroupArn: sdk.String(tgB)}}},
	}}, nil
}

func (f *fake) DescribeTargetGroups(context.Context, *awselb.DescribeTargetGroupsInput, ...func(*awselb.Options)) (*awselb.DescribeTargetGroupsOutput, error) {
	if err := f.call("DescribeTargetGroups"); err != nil {
		return nil, err
	}
	return &awselb.DescribeTargetGroupsOutput{TargetGroups: []types.TargetGroup{
		{TargetGroupArn: sdk.String(tgA), TargetType: types.TargetTypeEnumInstance, Port: sdk.Int32(80), LoadBalancerArns: []string{albARN}},
		{TargetGroupArn: sdk.String(tgB), TargetType: types.TargetTypeEnumIp, Port: sdk.Int32(5432), Protocol: types.ProtocolEnumTcp, LoadBalancerArns: []string{nlbARN, albARN}},
		{TargetGroupArn: sdk.String("tg-unused"), TargetType: types.TargetTypeEnumInstance},
	}}, nil
}

func (f *fake) DescribeTargetHealth(_ context.Context, in *awselb.DescribeTargetHealthInput, _ ...func(*awselb.Options)) (*awselb.DescribeTargetHealthOutput, error) {
	if err := f.call("DescribeTargetHealth"); err != nil {
		return nil, err
	}
	return &awselb.DescribeTargetHealthOutput{TargetHealthDescriptions: []types.TargetHealthDescription{
		{Target: &types.TargetDescription{Id: sdk.String("i-2"), Port: sdk.Int32(81)}, TargetHealth: &types.TargetHealth{State: types.TargetHealthStateEnumUnhealthy}},
		{Target: &types.TargetDescription{Id: sdk.String("i-1")}},
	}}, nil
}

func (f *fake) DescribeLoadBalancerAttributes(context.Context, *awselb.DescribeLoadBalancerAttributesInput, ...func(*awselb.Options)) (*awselb.DescribeLoadBalancerAttributesOutput, error) {
	if err := f.call("DescribeLoadBalancerAttributes"); err != nil {
		return nil, err
	}
	return &awselb.DescribeLoadBalancerAttributesOutput{Attributes: []types.LoadBalancerAttribute{{Key: sdk.String(elbm.AttrDeletionProtection), Value: sdk.String("false")}}}, nil
}

func (f *fake) DescribeTargetGroupAttributes(_ context.Context, in *awselb.DescribeTargetGroupAttributesInput, _ ...func(*awselb.Options)) (*awselb.DescribeTargetGroupAttributesOutput, error) {
	if err := f.call("DescribeTargetGroupAttributes"); err != nil {
		return nil, err
	}
	if *in.TargetGroupArn == tgB {
		return &awselb.DescribeTargetGroupAttributesOutput{Attributes: []types.TargetGroupAttribute{{Key: sdk.String("preserve_client_ip.enabled"), Value: sdk.String("true")}}}, nil
	}
	return &awselb.DescribeTargetGroupAttributesOutput{}, nil
}

func (f *fake) DescribeTags(_ context.Context, in *awselb.DescribeTagsInput, _ ...func(*awselb.Options)) (*awselb.DescribeTagsOutput, error) {
	if err := f.call("DescribeTags"); err != nil {
		return nil, err
	}
	if len(in.ResourceArns) > tagBatch {
		return nil, &smithy.GenericAPIError{Code: "ValidationError", Message: "too many ARNs"}
	}
	return &awselb.DescribeTagsOutput{TagDescriptions: []types.TagDescription{{ResourceArn: sdk.String(albARN), Tags: []types.Tag{{Key: sdk.String("env"), Value: sdk.String("prod")}}}}}, nil
}

func collect(t *testing.T, deny ...string) (elbm.Region, error, *fake, *aws.Env) {
	t.Helper()
	f := &fake{deny: map[string]bool{}, calls: map[string]int{}}
	for _, d := range deny {
		f.deny[d] = true
	}
	env := &aws.Env{AccountID: "111122223333", Partition: "aws"}
	r, err := CollectRegion(context.Background(), env, f, "eu-west-1")
	return r, err, f, env
}

func TestCollectRegion(t *testing.T) {
	r, err, f, env := collect(t)
	if err != nil {
		t.Fatal(err)
	}
	kittest.NoErrors(t, env)
	lbs := kittest.Known(t, "load balancers", r.LoadBalancers)
	if len(lbs) != 2 || lbs[0].ARN != albARN || lbs[1].ARN != nlbARN || f.calls["DescribeLoadBalancers"] != 2 {
		t.Fatalf("load balancers = %+v (calls %v)", lbs, f.calls)
	}
	web := lbs[0]
	if strings.Join(web.SubnetIDs, ",") != "subnet-a,subnet-b" || strings.Join(web.AvailabilityZones, ",") != "eu-west-1a,eu-west-1b" || web.Tags["env"] != "prod" {
		t.Errorf("web = %+v", web)
	}
	ls := kittest.Known(t, "listeners", web.Listeners)
	if len(ls) != 1 || !ls[0].ForwardsRecorded || strings.Join(ls[0].TargetGroupARNs, ",") != tgA+","+tgB {
		t.Errorf("listener = %+v", ls)
	}
	rules := kittest.Known(t, "rules", ls[0].Rules)
	if len(rules) != 2 || rules[0].Priority != "9" || rules[1].Priority != "10" || rules[1].Actions[0].FixedStatus != "404" || f.calls["DescribeRules"] != 2 {
		t.Errorf("rules = %+v (calls %v)", rules, f.calls)
	}
	tgs := kittest.Known(t, "web target groups", web.TargetGroups)
	if len(tgs) != 2 || tgs[0].ARN != tgA || tgs[1].ARN != tgB {
		t.Fatalf("web target groups = %+v", tgs)
	}
	ts := kittest.Known(t, "targets", tgs[0].Targets)
	if len(ts) != 2 || ts[0].ID != "i-1" || ts[1].ID != "i-2" || ts[1].Port != 81 || ts[1].HealthState != "unhealthy" {
		t.Errorf("targets = %+v", ts)
	}
	// An instance target group has no preserve_client_ip attribute: unknown,
	// so the analyzer applies the documented default.
	if _, ok := tgs[0].PreserveClientIP.Get(); ok {
		t.Errorf("preserve client IP of an ALB target group = %+v, want unknown", tgs[0].PreserveClientIP)
	}
	if v, ok := tgs[1].PreserveClientIP.Get(); !ok || !v {
		t.Errorf("preserve client IP = %+v", tgs[1].PreserveClientIP)
	}
	// The unused target group is not read further; the shared one only once.
	if f.calls["DescribeTargetHealth"] != 2 || f.calls["DescribeTargetGroupAttributes"] != 2 {
		t.Errorf("calls = %v", f.calls)
	}
	nls := kittest.Known(t, "nlb listeners", lbs[1].Listeners)
	if f.calls["DescribeRules"] != 2 || len(nls) != 1 || !nls[0].ForwardsRecorded || strings.Join(nls[0].TargetGroupARNs, ",") != tgB {
		t.Errorf("nlb listeners = %+v (DescribeRules is for ALB listeners only: %v)", nls, f.calls)
	}
	if v, ok, _ := web.Attribute(elbm.AttrDeletionProtection); !ok || v != "false" {
		t.Errorf("deletion protection = %q %v", v, ok)
	}
	if _, ok, why := web.Attribute(elbm.AttrDesyncMitigation); ok || why != "attribute routing.http.desync_mitigation_mode not reported" {
		t.Errorf("absent attribute: ok %v, why %q", ok, why)
	}
}

// TestCollectRegionFailures: every read that fails is unknown with the
// reason, never an empty list; a listener whose rules are unknown records no
// forwarding at all, so the analyzer assumes it may reach any target group.
func TestCollectRegionFailures(t *testing.T) {
	t.Run("load balancers", func(t *testing.T) {
		r, err, _, env := collect(t, "DescribeLoadBalancers")
		if err == nil || r.LoadBalancers.Ok || r.LoadBalancers.Why() != "access denied (elasticloadbalancing:DescribeLoadBalancers)" {
			t.Fatalf("err %v, load balancers %+v", err, r.LoadBalancers)
		}
		if len(env.Errors()) != 1 {
			t.Errorf("errors = %+v", env.Errors())
		}
	})
	t.Run("details", func(t *testing.T) {
		r, err, _, env := collect(t, "DescribeRules", "DescribeTargetHealth", "DescribeLoadBalancerAttributes", "DescribeTargetGroupAttributes", "DescribeTags")
		if err != nil {
			t.Fatal(err)
		}
		lbs := kittest.Known(t, "load balancers", r.LoadBalancers)
		web := lbs[0]
		ls := kittest.Known(t, "listeners", web.Listeners)
		if ls[0].Rules.Ok || ls[0].ForwardsRecorded || len(ls[0].TargetGroupARNs) != 0 || len(ls[0].DefaultActions) != 1 {
			t.Errorf("listener with unknown rules = %+v", ls[0])
		}
		for _, g := range kittest.Known(t, "target groups", web.TargetGroups) {
			if !strings.HasPrefix(g.Targets.Why(), "access denied") || !strings.HasPrefix(g.PreserveClientIP.Why(), "access denied") {
				t.Errorf("target group %s: targets %q, preserve %q", g.ARN, g.Targets.Why(), g.PreserveClientIP.Why())
			}
		}
		if _, ok, why := web.Attribute(elbm.AttrDeletionProtection); ok || !strings.HasPrefix(why, "attributes access denied") {
			t.Errorf("attribute: ok %v why %q", ok, why)
		}
		if web.Tags != nil {
			t.Errorf("tags = %v", web.Tags)
		}
		// NLB listeners need no DescribeRules: they stay recorded.
		if nls := kittest.Known(t, "nlb listeners", lbs[1].Listeners); !nls[0].ForwardsRecorded {
			t.Errorf("nlb listener = %+v", nls[0])
		}
		if n := len(env.Errors()); n != 1+2+2+1+2 { // rules, health, TG attributes, tags, LB attributes
			t.Errorf("recorded %d errors: %+v", n, env.Errors())
		}
	})
	t.Run("target groups and listeners", func(t *testing.T) {
		r, err, _, _ := collect(t, "DescribeTargetGroups", "DescribeListeners")
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range kittest.Known(t, "load balancers", r.LoadBalancers) {
			if l.TargetGroups.Ok || l.Listeners.Ok {
				t.Errorf("%s: target groups %+v, listeners %+v", l.ARN, l.TargetGroups, l.Listeners)
			}
		}
	})
}

// classicFake fails or answers the Classic API.
type classicFake struct{ deny bool }

func (c classicFake) DescribeLoadBalancers(context.Context, *awsclb.DescribeLoadBalancersInput, ...func(*awsclb.Options)) (*awsclb.DescribeLoadBalancersOutput, error) {
	if c.deny {
		return nil, denied("DescribeLoadBalancers")
	}
	return &awsclb.DescribeLoadBalancersOutput{}, nil
}

func (c classicFake) DescribeLoadBalancerAttributes(context.Context, *awsclb.DescribeLoadBalancerAttributesInput, ...func(*awsclb.Options)) (*awsclb.DescribeLoadBalancerAttributesOutput, error) {
	return nil, denied("DescribeLoadBalancerAttributes")
}

func TestCollectClassic(t *testing.T) {
	env := &aws.Env{AccountID: "111122223333", Partition: "aws"}
	if v := CollectClassic(context.Background(), env, classicFake{deny: true}, "arn:aws", "eu-west-1"); v.Ok || !strings.HasPrefix(v.Why(), "access denied") {
		t.Errorf("denied classic = %+v", v)
	}
	if v := CollectClassic(context.Background(), env, classicFake{}, "arn:aws", "eu-west-1"); !v.Ok || len(v.V) != 0 || v.V == nil {
		t.Errorf("empty classic = %+v", v)
	}
}
