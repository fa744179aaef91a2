package elbv2

import (
	"context"
	"sort"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsclb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	clbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit"
	"github.com/demarc-sec/demarc/internal/model/core"
	elbm "github.com/demarc-sec/demarc/internal/model/elbv2"
)

// ClassicAPI is the part of the Classic Load Balancing client the collector
// uses.
type ClassicAPI interface {
	awsclb.DescribeLoadBalancersAPIClient
	DescribeLoadBalancerAttributes(context.Context, *awsclb.DescribeLoadBalancerAttributesInput, ...func(*awsclb.Options)) (*awsclb.DescribeLoadBalancerAttributesOutput, error)
}

func newClassicClient(cfg sdk.Config) ClassicAPI { return awsclb.NewFromConfig(cfg) }

// CollectClassic reads the Classic Load Balancers of one region.
func CollectClassic(ctx context.Context, env *aws.Env, c ClassicAPI, arnPrefix, region string) core.Val[[]elbm.ClassicLoadBalancer] {
	p := awsclb.NewDescribeLoadBalancersPaginator(c, &awsclb.DescribeLoadBalancersInput{})
	raw, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awsclb.DescribeLoadBalancersOutput) []clbtypes.LoadBalancerDescription {
		return o.LoadBalancerDescriptions
	})
	if err != nil {
		return core.Unknown[[]elbm.ClassicLoadBalancer](env.Unknown(service, region, "DescribeLoadBalancers", "", err))
	}
	out := make([]elbm.ClassicLoadBalancer, len(raw))
	kit.Each(ctx, len(raw), kit.ItemConcurrency, func(ctx context.Context, i int) {
		out[i] = convClassic(env.AccountID, arnPrefix, region, raw[i])
		out[i].Attributes = readClassicAttributes(ctx, env, c, region, out[i].Name, out[i].ARN)
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return core.Known(out)
}

func convClassic(account, arnPrefix, region string, x clbtypes.LoadBalancerDescription) elbm.ClassicLoadBalancer {
	n := sdk.ToString(x.LoadBalancerName)
	l := elbm.ClassicLoadBalancer{
		// DescribeLoadBalancers returns no ARN; this is the documented form.
		// https://docs.aws.amazon.com/service-authorization/latest/reference/list_elasticloadbalancing.html
		Meta:              core.Meta{ARN: arnPrefix + ":elasticloadbalancing:" + region + ":" + account + ":loadbalancer/" + n, Account: account, Region: region},
		Name:              n,
		DNSName:           sdk.ToString(x.DNSName),
		Scheme:            sdk.ToString(x.Scheme),
		VPCID:             sdk.ToString(x.VPCId),
		SubnetIDs:         sortedCopy(x.Subnets),
		AvailabilityZones: sortedCopy(x.AvailabilityZones),
		SecurityGroupIDs:  sortedCopy(x.SecurityGroups),
		Listeners:         []elbm.ClassicListener{},
	}
	if l.AvailabilityZones == nil {
		l.AvailabilityZones = []string{}
	}
	for _, d := range x.ListenerDescriptions {
		if d.Listener == nil {
			continue
		}
		l.Listeners = append(l.Listeners, elbm.ClassicListener{
			Protocol:         sdk.ToString(d.Listener.Protocol),
			Port:             d.Listener.LoadBalancerPort,
			InstanceProtocol: sdk.ToString(d.Listener.InstanceProtocol),
			InstancePort:     sdk.ToInt32(d.Listener.InstancePort),
			SSLCertificateID: sdk.ToString(d.Listener.SSLCertificateId),
			PolicyNames:      sortedCopy(d.PolicyNames),
		})
	}
	sort.Slice(l.Listeners, func(i, j int) bool { return l.Listeners[i].Port < l.Listeners[j].Port })
	for _, in := range x.Instances {
		if id := sdk.ToString(in.InstanceId); id != "" {
			l.Instances = append(l.Instances, id)
		}
	}
	sort.Strings(l.Instances)
	return l
}

func readClassicAttributes(ctx context.Context, env *aws.Env, c ClassicAPI, region, name, arn string) core.Val[elbm.ClassicAttributes] {
	out, err := c.DescribeLoadBalancerAttributes(ctx, &awsclb.DescribeLoadBalancerAttributesInput{LoadBalancerName: sdk.String(name)})
	if err != nil {
		return core.Unknown[elbm.ClassicAttributes](env.Unknown(service, region, "DescribeLoadBalancerAttributes", arn, err))
	}
	if out == nil || out.LoadBalancerAttributes == nil {
		return core.Unknown[elbm.ClassicAttributes]("not reported (" + service + ":DescribeLoadBalancerAttributes)")
	}
	a := out.LoadBalancerAttributes
	var x elbm.ClassicAttributes
	if a.AccessLog != nil {
		x.AccessLogs = sdk.Bool(a.AccessLog.Enabled)
	}
	if a.CrossZoneLoadBalancing != nil {
		x.CrossZone = sdk.Bool(a.CrossZoneLoadBalancing.Enabled)
	}
	if a.ConnectionDraining != nil {
		x.ConnectionDraining = sdk.Bool(a.ConnectionDraining.Enabled)
	}
	for _, kv := range a.AdditionalAttributes {
		if sdk.ToString(kv.Key) == "elb.http.desyncmitigationmode" {
			x.DesyncMitigationMode = sdk.ToString(kv.Value)
		}
	}
	return core.Known(x)
}
