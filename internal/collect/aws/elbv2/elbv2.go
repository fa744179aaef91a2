// Package elbv2 collects Elastic Load Balancing in every region: the
// Application, Network and Gateway Load Balancers (listeners with their
// default actions and rules, target groups with their registered targets and
// client-IP preservation, load balancer attributes, tags) and the Classic
// Load Balancers (listeners, instances, attributes).
//
// The reachability analyzer follows the internet through internet-facing load
// balancers to their targets with this data, so a read that fails must never
// look like "nothing there": a listener whose rules could not be read keeps
// TargetGroupARNs empty with ForwardsRecorded false, which the analyzer reads
// as "may forward to any of the load balancer's target groups".
package elbv2

import (
	"context"
	"sort"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awselb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	elbm "github.com/demarc-sec/demarc/internal/model/elbv2"
)

// name is the collector's name; service is the IAM service prefix used in
// reasons ("access denied (elasticloadbalancing:DescribeListeners)").
const (
	name    = "elbv2"
	service = "elasticloadbalancing"
)

// tagBatch is DescribeTags' limit of resource ARNs per call.
const tagBatch = 20

// API is the part of the ELBv2 client the collector uses.
type API interface {
	awselb.DescribeLoadBalancersAPIClient
	awselb.DescribeListenersAPIClient
	awselb.DescribeRulesAPIClient
	awselb.DescribeTargetGroupsAPIClient
	DescribeTargetHealth(context.Context, *awselb.DescribeTargetHealthInput, ...func(*awselb.Options)) (*awselb.DescribeTargetHealthOutput, error)
	DescribeLoadBalancerAttributes(context.Context, *awselb.DescribeLoadBalancerAttributesInput, ...func(*awselb.Options)) (*awselb.DescribeLoadBalancerAttributesOutput, error)
	DescribeTargetGroupAttributes(context.Context, *awselb.DescribeTargetGroupAttributesInput, ...func(*awselb.Options)) (*awselb.DescribeTargetGroupAttributesOutput, error)
	DescribeTags(context.Context, *awselb.DescribeTagsInput, ...func(*awselb.Options)) (*awselb.DescribeTagsOutput, error)
}

type collector struct{}

// New returns the Elastic Load Balancing collector. It is global to the
// runner and reads every region of the snapshot itself, writing only
// snap.ELBv2 (one element per region, in snap.Regions order).
func New() aws.Collector { return collector{} }

func (collector) Name() string   { return name }
func (collector) Regional() bool { return false }

func (collector) Collect(ctx context.Context, env *aws.Env, _ string, snap *model.Snapshot) error {
	regions, err := kit.PerRegion(ctx, env, name, snap.Regions, kit.RegionConcurrency,
		func(ctx context.Context, region string) (elbm.Region, error) {
			cfg := env.Config(region)
			r, err := CollectRegion(ctx, env, awselb.NewFromConfig(cfg), region)
			r.Classic = CollectClassic(ctx, env, newClassicClient(cfg), snap.ARNPrefix(), region)
			return r, err
		})
	// A region whose goroutine panicked is left zero: name it, so the
	// snapshot still says which region is unknown.
	for i := range regions {
		if regions[i].Name == "" && i < len(snap.Regions) {
			regions[i].Name = snap.Regions[i]
		}
	}
	snap.ELBv2 = regions
	return err
}

// CollectRegion reads the ELBv2 load balancers of one region through c. The
// error is non-nil only when the load balancers could not be listed at all.
func CollectRegion(ctx context.Context, env *aws.Env, c API, region string) (elbm.Region, error) {
	r := elbm.Region{Name: region}
	p := awselb.NewDescribeLoadBalancersPaginator(c, &awselb.DescribeLoadBalancersInput{})
	raw, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awselb.DescribeLoadBalancersOutput) []types.LoadBalancer { return o.LoadBalancers })
	if err != nil {
		r.LoadBalancers = core.Unknown[[]elbm.LoadBalancer](env.Unknown(service, region, "DescribeLoadBalancers", "", err))
		return r, err
	}
	lbs := make([]elbm.LoadBalancer, len(raw))
	for i := range raw {
		lbs[i] = convLB(env.AccountID, region, raw[i])
	}
	if len(lbs) == 0 {
		r.LoadBalancers = core.Known(lbs)
		return r, nil
	}

	tgs := targetGroups(ctx, env, c, region)
	tags := readTags(ctx, env, c, region, lbs)
	kit.Each(ctx, len(lbs), kit.ItemConcurrency, func(ctx context.Context, i int) {
		l := &lbs[i]
		l.Tags = tags[l.ARN]
		l.TargetGroups = tgs.of(l.ARN)
		l.Listeners = readListeners(ctx, env, c, region, l)
		l.Attributes = readLBAttributes(ctx, env, c, region, l.ARN)
	})
	sort.Slice(lbs, func(i, j int) bool { return lbs[i].ARN < lbs[j].ARN })
	r.LoadBalancers = core.Known(lbs)
	return r, nil
}

func convLB(account, region string, x types.LoadBalancer) elbm.LoadBalancer {
	l := elbm.LoadBalancer{
		Meta:             core.Meta{ARN: sdk.ToString(x.LoadBalancerArn), Account: account, Region: region},
		Name:             sdk.ToString(x.LoadBalancerName),
		DNSName:          sdk.ToString(x.DNSName),
		Scheme:           string(x.Scheme),
		Type:             string(x.Type),
		VPCID:            sdk.ToString(x.VpcId),
		IPAddressType:    string(x.IpAddressType),
		SecurityGroupIDs: sortedCopy(x.SecurityGroups),
		SubnetIDs:        []string{},
	}
	if x.State != nil {
		l.State = string(x.State.Code)
	}
	for _, az := range x.AvailabilityZones {
		if s := sdk.ToString(az.SubnetId); s != "" {
			l.SubnetIDs = append(l.SubnetIDs, s)
		}
		if z := sdk.ToString(az.ZoneName); z != "" {
			l.AvailabilityZones = append(l.AvailabilityZones, z)
		}
	}
	sort.Strings(l.SubnetIDs)
	sort.Strings(l.AvailabilityZones)
	return l
}

// regionTGs are the region's target groups, read once and handed to every
// load balancer that routes to them.
type regionTGs struct {
	list []elbm.TargetGroup
	why  string // why the list is unknown
}

func (t regionTGs) of(lbARN string) core.Val[[]elbm.TargetGroup] {
	if t.why != "" {
		return core.Unknown[[]elbm.TargetGroup](t.why)
	}
	out := []elbm.TargetGroup{}
	for _, g := range t.list {
		for _, a := range g.LoadBalancerARNs {
			if a == lbARN {
				out = append(out, g)
				break
			}
		}
	}
	return core.Known(out)
}

// targetGroups lists every target group of the region, and for those a load
// balancer routes to, the registered targets and client-IP preservation.
// Groups no load balancer uses carry no traffic and are not read further.
func targetGroups(ctx context.Context, env *aws.Env, c API, region string) regionTGs {
	p := awselb.NewDescribeTargetGroupsPaginator(c, &awselb.DescribeTargetGroupsInput{})
	raw, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awselb.DescribeTargetGroupsOutput) []types.TargetGroup { return o.TargetGroups })
	if err != nil {
		return regionTGs{why: env.Unknown(service, region, "DescribeTargetGroups", "", err)}
	}
	tgs := make([]elbm.TargetGroup, len(raw))
	kit.Each(ctx, len(raw), kit.ItemConcurrency, func(ctx context.Context, i int) {
		g := elbm.TargetGroup{
			ARN:              sdk.ToString(raw[i].TargetGroupArn),
			LoadBalancerARNs: sortedCopy(raw[i].LoadBalancerArns),
			Name:             sdk.ToString(raw[i].TargetGroupName),
			Protocol:         string(raw[i].Protocol),
			Port:             sdk.ToInt32(raw[i].Port),
			TargetType:       string(raw[i].TargetType),
			VPCID:            sdk.ToString(raw[i].VpcId),
		}
		if len(g.LoadBalancerARNs) > 0 {
			g.Targets = readTargets(ctx, env, c, region, g.ARN)
			g.PreserveClientIP = readPreserveClientIP(ctx, env, c, region, g.ARN)
		} else {
			g.Targets = core.Unknown[[]elbm.Target]("not read: no load balancer routes to the target group")
			g.PreserveClientIP = core.Unknown[bool]("not read: no load balancer routes to the target group")
		}
		tgs[i] = g
	})
	sort.Slice(tgs, func(i, j int) bool { return tgs[i].ARN < tgs[j].ARN })
	return regionTGs{list: tgs}
}

// readTargets lists the registered targets of a group, healthy or not: an
// unhealthy target still receives traffic when every target is unhealthy
// (fail open), so reachability must not drop it.
func readTargets(ctx context.Context, env *aws.Env, c API, region, arn string) core.Val[[]elbm.Target] {
	out, err := c.DescribeTargetHealth(ctx, &awselb.DescribeTargetHealthInput{TargetGroupArn: sdk.String(arn)})
	if err != nil {
		return core.Unknown[[]elbm.Target](env.Unknown(service, region, "DescribeTargetHealth", arn, err))
	}
	if out == nil {
		return core.Unknown[[]elbm.Target]("not reported (" + service + ":DescribeTargetHealth)")
	}
	ts := []elbm.Target{}
	for _, d := range out.TargetHealthDescriptions {
		if d.Target == nil || d.Target.Id == nil {
			continue
		}
		t := elbm.Target{ID: *d.Target.Id, Port: sdk.ToInt32(d.Target.Port), AvailabilityZone: sdk.ToString(d.Target.AvailabilityZone)}
		if d.TargetHealth != nil {
			t.HealthState = string(d.TargetHealth.State)
		}
		ts = append(ts, t)
	}
	sort.Slice(ts, func(i, j int) bool {
		if ts[i].ID != ts[j].ID {
			return ts[i].ID < ts[j].ID
		}
		return ts[i].Port < ts[j].Port
	})
	return core.Known(ts)
}

// readPreserveClientIP reads preserve_client_ip.enabled. Only Network Load
// Balancer target groups have it; elsewhere it stays unknown ("not
// reported"), and the analyzer applies the documented default.
func readPreserveClientIP(ctx context.Context, env *aws.Env, c API, region, arn string) core.Val[bool] {
	out, err := c.DescribeTargetGroupAttributes(ctx, &awselb.DescribeTargetGroupAttributesInput{TargetGroupArn: sdk.String(arn)})
	if err != nil {
		return core.Unknown[bool](env.Unknown(service, region, "DescribeTargetGroupAttributes", arn, err))
	}
	if out != nil {
		for _, a := range out.Attributes {
			if sdk.ToString(a.Key) == "preserve_client_ip.enabled" {
				return core.Known(sdk.ToString(a.Value) == "true")
			}
		}
	}
	return core.Unknown[bool]("preserve_client_ip.enabled not reported for the target group")
}

// readListeners lists a load balancer's listeners and, for Application Load
// Balancers, each listener's rules.
func readListeners(ctx context.Context, env *aws.Env, c API, region string, l *elbm.LoadBalancer) core.Val[[]elbm.Listener] {
	p := awselb.NewDescribeListenersPaginator(c, &awselb.DescribeListenersInput{LoadBalancerArn: sdk.String(l.ARN)})
	raw, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awselb.DescribeListenersOutput) []types.Listener { return o.Listeners })
	if err != nil {
		return core.Unknown[[]elbm.Listener](env.Unknown(service, region, "DescribeListeners", l.ARN, err))
	}
	ls := make([]elbm.Listener, len(raw))
	for i, x := range raw {
		ls[i] = elbm.Listener{
			ARN:            sdk.ToString(x.ListenerArn),
			Port:           sdk.ToInt32(x.Port),
			Protocol:       string(x.Protocol),
			SSLPolicy:      sdk.ToString(x.SslPolicy),
			DefaultActions: convActions(x.DefaultActions),
		}
		for _, cert := range x.Certificates {
			if a := sdk.ToString(cert.CertificateArn); a != "" {
				ls[i].CertificateARNs = append(ls[i].CertificateARNs, a)
			}
		}
		if l.Type == elbm.TypeApplication {
			ls[i].Rules = readRules(ctx, env, c, region, ls[i].ARN)
		} else {
			// Network and Gateway Load Balancer listeners have only their
			// default action.
			ls[i].Rules = core.Known([]elbm.ListenerRule{})
		}
		setForwards(&ls[i])
	}
	sort.Slice(ls, func(i, j int) bool {
		if ls[i].Port != ls[j].Port {
			return ls[i].Port < ls[j].Port
		}
		return ls[i].Protocol < ls[j].Protocol
	})
	return core.Known(ls)
}

// setForwards records the target groups a listener forwards to, but only
// when its rules are known: a partial list would tell the analyzer that
// targets reached only through a rule are not reachable.
func setForwards(ls *elbm.Listener) {
	rules, ok := ls.Rules.Get()
	if !ok {
		return
	}
	set := map[string]bool{}
	add := func(as []elbm.Action) {
		for _, a := range as {
			for _, tg := range a.TargetGroupARNs {
				set[tg] = true
			}
		}
	}
	add(ls.DefaultActions)
	for _, r := range rules {
		add(r.Actions)
	}
	ls.TargetGroupARNs = nil
	for tg := range set {
		ls.TargetGroupARNs = append(ls.TargetGroupARNs, tg)
	}
	sort.Strings(ls.TargetGroupARNs)
	ls.ForwardsRecorded = true
}

// readRules lists a listener's rules other than the default one (whose
// actions DescribeListeners already gave).
func readRules(ctx context.Context, env *aws.Env, c API, region, listenerARN string) core.Val[[]elbm.ListenerRule] {
	p := awselb.NewDescribeRulesPaginator(c, &awselb.DescribeRulesInput{ListenerArn: sdk.String(listenerARN)})
	raw, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awselb.DescribeRulesOutput) []types.Rule { return o.Rules })
	if err != nil {
		return core.Unknown[[]elbm.ListenerRule](env.Unknown(service, region, "DescribeRules", listenerARN, err))
	}
	out := []elbm.ListenerRule{}
	for _, r := range raw {
		if sdk.ToBool(r.IsDefault) || sdk.ToString(r.Priority) == "default" {
			continue
		}
		out = append(out, elbm.ListenerRule{ARN: sdk.ToString(r.RuleArn), Priority: sdk.ToString(r.Priority), Actions: convActions(r.Actions)})
	}
	sort.SliceStable(out, func(i, j int) bool { return priorityLess(out[i].Priority, out[j].Priority) })
	return core.Known(out)
}

// priorityLess orders rule priorities ("1" … "50000") numerically.
func priorityLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

func convActions(as []types.Action) []elbm.Action {
	if len(as) == 0 {
		return nil
	}
	out := make([]elbm.Action, 0, len(as))
	for _, a := range as {
		x := elbm.Action{Type: string(a.Type), Order: sdk.ToInt32(a.Order)}
		set := map[string]bool{}
		if tg := sdk.ToString(a.TargetGroupArn); tg != "" {
			set[tg] = true
		}
		if a.ForwardConfig != nil {
			for _, t := range a.ForwardConfig.TargetGroups {
				if tg := sdk.ToString(t.TargetGroupArn); tg != "" {
					set[tg] = true
				}
			}
		}
		for tg := range set {
			x.TargetGroupARNs = append(x.TargetGroupARNs, tg)
		}
		sort.Strings(x.TargetGroupARNs)
		if rc := a.RedirectConfig; rc != nil {
			x.RedirectProtocol = sdk.ToString(rc.Protocol)
			x.RedirectPort = sdk.ToString(rc.Port)
			x.RedirectStatus = string(rc.StatusCode)
		}
		if fc := a.FixedResponseConfig; fc != nil {
			x.FixedStatus = sdk.ToString(fc.StatusCode)
		}
		out = append(out, x)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Order < out[j].Order })
	return out
}

// readLBAttributes reads the load balancer attributes as a key/value map.
func readLBAttributes(ctx context.Context, env *aws.Env, c API, region, arn string) core.Val[map[string]string] {
	out, err := c.DescribeLoadBalancerAttributes(ctx, &awselb.DescribeLoadBalancerAttributesInput{LoadBalancerArn: sdk.String(arn)})
	if err != nil {
		return core.Unknown[map[string]string](env.Unknown(service, region, "DescribeLoadBalancerAttributes", arn, err))
	}
	if out == nil {
		return core.Unknown[map[string]string]("not reported (" + service + ":DescribeLoadBalancerAttributes)")
	}
	m := make(map[string]string, len(out.Attributes))
	for _, a := range out.Attributes {
		if k := sdk.ToString(a.Key); k != "" {
			m[k] = sdk.ToString(a.Value)
		}
	}
	return core.Known(m)
}

// readTags reads the load balancers' tags, 20 ARNs a call. Tags are
// informative (suppressions, reports): a failure is recorded and the tags
// are left empty.
func readTags(ctx context.Context, env *aws.Env, c API, region string, lbs []elbm.LoadBalancer) map[string]map[string]string {
	out := map[string]map[string]string{}
	for start := 0; start < len(lbs); start += tagBatch {
		end := min(start+tagBatch, len(lbs))
		arns := make([]string, 0, end-start)
		for _, l := range lbs[start:end] {
			arns = append(arns, l.ARN)
		}
		res, err := c.DescribeTags(ctx, &awselb.DescribeTagsInput{ResourceArns: arns})
		if err != nil {
			env.Unknown(service, region, "DescribeTags", "", err)
			continue
		}
		for _, d := range res.TagDescriptions {
			if len(d.Tags) == 0 {
				continue
			}
			m := map[string]string{}
			for _, t := range d.Tags {
				m[sdk.ToString(t.Key)] = sdk.ToString(t.Value)
			}
			out[sdk.ToString(d.ResourceArn)] = m
		}
	}
	return out
}

func sortedCopy(xs []string) []string {
	if len(xs) == 0 {
		return nil
	}
	out := append([]string(nil), xs...)
	sort.Strings(out)
	return out
}
