// Package ec2 collects the EC2 and VPC networking state of one region: VPCs,
// subnets, route tables, internet/egress-only/NAT gateways, security groups,
// network ACLs, ENIs, instances, EBS volumes and snapshots (with their
// createVolumePermission), flow logs, peering connections, EBS encryption by
// default, Elastic IPs, VPC endpoints, Site-to-Site VPN connections (with
// tunnel telemetry), transit gateways, Client VPN endpoints and launch
// templates (with their default version).
//
// Every list is read on its own: a list that cannot be read (access denied,
// throttled beyond retries, unsupported) becomes core.Unknown with the reason
// and the other lists are still collected.
package ec2

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"golang.org/x/sync/errgroup"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	ec2m "github.com/demarc-sec/demarc/internal/model/ec2"
)

// service is the IAM service prefix used in reasons ("access denied (ec2:DescribeVpcs)").
const service = "ec2"

// listConcurrency bounds the Describe* calls in flight for one region; the
// runner already runs regions in parallel and Env rate-limits per service.
const listConcurrency = 4

// attrConcurrency bounds the per-snapshot DescribeSnapshotAttribute calls.
const attrConcurrency = 8

// API is the part of the EC2 client the collector uses; *awsec2.Client
// implements it, tests substitute fakes.
type API interface {
	awsec2.DescribeVpcsAPIClient
	awsec2.DescribeSubnetsAPIClient
	awsec2.DescribeRouteTablesAPIClient
	awsec2.DescribeInternetGatewaysAPIClient
	awsec2.DescribeEgressOnlyInternetGatewaysAPIClient
	awsec2.DescribeNatGatewaysAPIClient
	awsec2.DescribeSecurityGroupsAPIClient
	awsec2.DescribeNetworkAclsAPIClient
	awsec2.DescribeNetworkInterfacesAPIClient
	awsec2.DescribeInstancesAPIClient
	awsec2.DescribeVolumesAPIClient
	awsec2.DescribeSnapshotsAPIClient
	awsec2.DescribeFlowLogsAPIClient
	awsec2.DescribeVpcPeeringConnectionsAPIClient
	awsec2.DescribeVpcEndpointsAPIClient
	awsec2.DescribeTransitGatewaysAPIClient
	awsec2.DescribeClientVpnEndpointsAPIClient
	awsec2.DescribeLaunchTemplatesAPIClient
	awsec2.DescribeLaunchTemplateVersionsAPIClient
	// DescribeAddresses and DescribeVpnConnections are not paginated: one
	// call returns every address / connection of the region.
	DescribeAddresses(context.Context, *awsec2.DescribeAddressesInput, ...func(*awsec2.Options)) (*awsec2.DescribeAddressesOutput, error)
	DescribeVpnConnections(context.Context, *awsec2.DescribeVpnConnectionsInput, ...func(*awsec2.Options)) (*awsec2.DescribeVpnConnectionsOutput, error)
	DescribeSnapshotAttribute(context.Context, *awsec2.DescribeSnapshotAttributeInput, ...func(*awsec2.Options)) (*awsec2.DescribeSnapshotAttributeOutput, error)
	GetEbsEncryptionByDefault(context.Context, *awsec2.GetEbsEncryptionByDefaultInput, ...func(*awsec2.Options)) (*awsec2.GetEbsEncryptionByDefaultOutput, error)
}

type collector struct{}

// New returns the EC2/VPC collector (regional).
func New() aws.Collector { return collector{} }

func (collector) Name() string   { return "ec2" }
func (collector) Regional() bool { return true }

// Collect fills snap.EC2Region(region), which the runner allocated.
func (collector) Collect(ctx context.Context, env *aws.Env, region string, snap *model.Snapshot) error {
	r := snap.EC2Region(region)
	if r == nil {
		return fmt.Errorf("collect ec2 %s: region not allocated in snapshot", region)
	}
	return CollectRegion(ctx, env, awsec2.NewFromConfig(env.Config(region)), snap.ARNPrefix(), r)
}

// CollectRegion reads every list of r.Name through c. It returns an error
// only when nothing at all could be read (e.g. the region is not enabled),
// after marking every field unknown.
func CollectRegion(ctx context.Context, env *aws.Env, c API, arnPrefix string, r *ec2m.Region) error {
	s := scope{arnPrefix: arnPrefix, region: r.Name, account: env.AccountID}
	var (
		g     errgroup.Group
		mu    sync.Mutex
		errs  []error
		tasks int
	)
	g.SetLimit(listConcurrency)
	// Each task writes only its own field of r; failures are gathered to
	// decide whether the whole region was unreadable.
	run := func(op string, f func() error) {
		tasks++
		g.Go(func() error {
			if err := f(); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("%s: %w", op, err))
				mu.Unlock()
			}
			return nil
		})
	}
	unknown := func(op string, err error) string { return env.Unknown(service, r.Name, op, "", err) }

	run("DescribeVpcs", func() error {
		v, err := all(ctx, awsec2.NewDescribeVpcsPaginator(c, &awsec2.DescribeVpcsInput{}),
			func(o *awsec2.DescribeVpcsOutput) []types.Vpc { return o.Vpcs })
		r.VPCs = convList(s, v, err, convVPC, func(x ec2m.VPC) string { return x.ID }, unknown, "DescribeVpcs")
		return err
	})
	run("DescribeSubnets", func() error {
		v, err := all(ctx, awsec2.NewDescribeSubnetsPaginator(c, &awsec2.DescribeSubnetsInput{}),
			func(o *awsec2.DescribeSubnetsOutput) []types.Subnet { return o.Subnets })
		r.Subnets = convList(s, v, err, convSubnet, func(x ec2m.Subnet) string { return x.ID }, unknown, "DescribeSubnets")
		return err
	})
	run("DescribeRouteTables", func() error {
		v, err := all(ctx, awsec2.NewDescribeRouteTablesPaginator(c, &awsec2.DescribeRouteTablesInput{}),
			func(o *awsec2.DescribeRouteTablesOutput) []types.RouteTable { return o.RouteTables })
		r.RouteTables = convList(s, v, err, convRouteTable, func(x ec2m.RouteTable) string { return x.ID }, unknown, "DescribeRouteTables")
		return err
	})
	run("DescribeInternetGateways", func() error {
		v, err := all(ctx, awsec2.NewDescribeInternetGatewaysPaginator(c, &awsec2.DescribeInternetGatewaysInput{}),
			func(o *awsec2.DescribeInternetGatewaysOutput) []types.InternetGateway { return o.InternetGateways })
		r.InternetGateways = convList(s, v, err, convIGW, func(x ec2m.InternetGateway) string { return x.ID }, unknown, "DescribeInternetGateways")
		return err
	})
	run("DescribeEgressOnlyInternetGateways", func() error {
		v, err := all(ctx, awsec2.NewDescribeEgressOnlyInternetGatewaysPaginator(c, &awsec2.DescribeEgressOnlyInternetGatewaysInput{}),
			func(o *awsec2.DescribeEgressOnlyInternetGatewaysOutput) []types.EgressOnlyInternetGateway {
				return o.EgressOnlyInternetGateways
			})
		r.EgressOnlyGateways = convList(s, v, err, convEIGW, func(x ec2m.InternetGateway) string { return x.ID }, unknown, "DescribeEgressOnlyInternetGateways")
		return err
	})
	run("DescribeNatGateways", func() error {
		v, err := all(ctx, awsec2.NewDescribeNatGatewaysPaginator(c, &awsec2.DescribeNatGatewaysInput{}),
			func(o *awsec2.DescribeNatGatewaysOutput) []types.NatGateway { return o.NatGateways })
		r.NATGateways = convList(s, v, err, convNAT, func(x ec2m.NATGateway) string { return x.ID }, unknown, "DescribeNatGateways")
		return err
	})
	run("DescribeSecurityGroups", func() error {
		v, err := all(ctx, awsec2.NewDescribeSecurityGroupsPaginator(c, &awsec2.DescribeSecurityGroupsInput{}),
			func(o *awsec2.DescribeSecurityGroupsOutput) []types.SecurityGroup { return o.SecurityGroups })
		r.SecurityGroups = convList(s, v, err, convSecurityGroup, func(x ec2m.SecurityGroup) string { return x.ID }, unknown, "DescribeSecurityGroups")
		return err
	})
	run("DescribeNetworkAcls", func() error {
		v, err := all(ctx, awsec2.NewDescribeNetworkAclsPaginator(c, &awsec2.DescribeNetworkAclsInput{}),
			func(o *awsec2.DescribeNetworkAclsOutput) []types.NetworkAcl { return o.NetworkAcls })
		r.NetworkACLs = convList(s, v, err, convNACL, func(x ec2m.NetworkACL) string { return x.ID }, unknown, "DescribeNetworkAcls")
		return err
	})
	run("DescribeNetworkInterfaces", func() error {
		v, err := all(ctx, awsec2.NewDescribeNetworkInterfacesPaginator(c, &awsec2.DescribeNetworkInterfacesInput{}),
			func(o *awsec2.DescribeNetworkInterfacesOutput) []types.NetworkInterface { return o.NetworkInterfaces })
		r.NetworkInterfaces = convList(s, v, err, convENI, func(x ec2m.NetworkInterface) string { return x.ID }, unknown, "DescribeNetworkInterfaces")
		return err
	})
	run("DescribeInstances", func() error {
		v, err := all(ctx, awsec2.NewDescribeInstancesPaginator(c, &awsec2.DescribeInstancesInput{}),
			func(o *awsec2.DescribeInstancesOutput) []types.Reservation { return o.Reservations })
		if err != nil {
			r.Instances = core.Unknown[[]ec2m.Instance](unknown("DescribeInstances", err))
			return err
		}
		r.Instances = core.Known(convReservations(s, v))
		return nil
	})
	run("DescribeVolumes", func() error {
		v, err := all(ctx, awsec2.NewDescribeVolumesPaginator(c, &awsec2.DescribeVolumesInput{}),
			func(o *awsec2.DescribeVolumesOutput) []types.Volume { return o.Volumes })
		r.Volumes = convList(s, v, err, convVolume, func(x ec2m.Volume) string { return x.ID }, unknown, "DescribeVolumes")
		return err
	})
	run("DescribeSnapshots", func() error {
		// OwnerIds=self: the account's own snapshots, the ones whose
		// sharing is the customer's duty (not public or shared-with-us ones).
		v, err := all(ctx, awsec2.NewDescribeSnapshotsPaginator(c, &awsec2.DescribeSnapshotsInput{OwnerIds: []string{"self"}}),
			func(o *awsec2.DescribeSnapshotsOutput) []types.Snapshot { return o.Snapshots })
		v = ownSnapshots(v, env.AccountID)
		r.Snapshots = convList(s, v, err, convSnapshot, func(x ec2m.Snapshot) string { return x.ID }, unknown, "DescribeSnapshots")
		if err != nil {
			return err
		}
		snapshotPermissions(ctx, env, c, r.Name, r.Snapshots.V)
		return nil
	})
	run("DescribeFlowLogs", func() error {
		v, err := all(ctx, awsec2.NewDescribeFlowLogsPaginator(c, &awsec2.DescribeFlowLogsInput{}),
			func(o *awsec2.DescribeFlowLogsOutput) []types.FlowLog { return o.FlowLogs })
		r.FlowLogs = convList(s, v, err, convFlowLog, func(x ec2m.FlowLog) string { return x.ID }, unknown, "DescribeFlowLogs")
		return err
	})
	run("DescribeVpcPeeringConnections", func() error {
		v, err := all(ctx, awsec2.NewDescribeVpcPeeringConnectionsPaginator(c, &awsec2.DescribeVpcPeeringConnectionsInput{}),
			func(o *awsec2.DescribeVpcPeeringConnectionsOutput) []types.VpcPeeringConnection {
				return o.VpcPeeringConnections
			})
		r.PeeringConnections = convList(s, v, err, convPeering, func(x ec2m.PeeringConnection) string { return x.ID }, unknown, "DescribeVpcPeeringConnections")
		return err
	})
	run("GetEbsEncryptionByDefault", func() error {
		out, err := c.GetEbsEncryptionByDefault(ctx, &awsec2.GetEbsEncryptionByDefaultInput{})
		switch {
		case err != nil:
			r.EBSEncryptionByDefault = core.Unknown[bool](unknown("GetEbsEncryptionByDefault", err))
			return err
		case out == nil || out.EbsEncryptionByDefault == nil:
			// A missing flag is not "off": leave it unknown.
			r.EBSEncryptionByDefault = core.Unknown[bool]("not reported (ec2:GetEbsEncryptionByDefault)")
		default:
			r.EBSEncryptionByDefault = core.Known(*out.EbsEncryptionByDefault)
		}
		return nil
	})
	run("DescribeAddresses", func() error {
		out, err := c.DescribeAddresses(ctx, &awsec2.DescribeAddressesInput{})
		var v []types.Address
		if out != nil {
			v = out.Addresses
		}
		r.Addresses = convList(s, v, err, convAddress, addressKey, unknown, "DescribeAddresses")
		return err
	})
	run("DescribeVpcEndpoints", func() error {
		v, err := all(ctx, awsec2.NewDescribeVpcEndpointsPaginator(c, &awsec2.DescribeVpcEndpointsInput{}),
			func(o *awsec2.DescribeVpcEndpointsOutput) []types.VpcEndpoint { return o.VpcEndpoints })
		r.VPCEndpoints = convList(s, v, err, convVPCEndpoint, func(x ec2m.VPCEndpoint) string { return x.ID }, unknown, "DescribeVpcEndpoints")
		return err
	})
	run("DescribeVpnConnections", func() error {
		out, err := c.DescribeVpnConnections(ctx, &awsec2.DescribeVpnConnectionsInput{})
		var v []types.VpnConnection
		if out != nil {
			v = out.VpnConnections
		}
		r.VPNConnections = convList(s, v, err, convVPN, func(x ec2m.VPNConnection) string { return x.ID }, unknown, "DescribeVpnConnections")
		return err
	})
	run("DescribeTransitGateways", func() error {
		v, err := all(ctx, awsec2.NewDescribeTransitGatewaysPaginator(c, &awsec2.DescribeTransitGatewaysInput{}),
			func(o *awsec2.DescribeTransitGatewaysOutput) []types.TransitGateway { return o.TransitGateways })
		r.TransitGateways = convList(s, v, err, convTransitGateway, func(x ec2m.TransitGateway) string { return x.ID }, unknown, "DescribeTransitGateways")
		return err
	})
	run("DescribeClientVpnEndpoints", func() error {
		v, err := all(ctx, awsec2.NewDescribeClientVpnEndpointsPaginator(c, &awsec2.DescribeClientVpnEndpointsInput{}),
			func(o *awsec2.DescribeClientVpnEndpointsOutput) []types.ClientVpnEndpoint {
				return o.ClientVpnEndpoints
			})
		r.ClientVPNEndpoints = convList(s, v, err, convClientVPN, func(x ec2m.ClientVPNEndpoint) string { return x.ID }, unknown, "DescribeClientVpnEndpoints")
		return err
	})
	run("DescribeLaunchTemplates", func() error {
		v, err := all(ctx, awsec2.NewDescribeLaunchTemplatesPaginator(c, &awsec2.DescribeLaunchTemplatesInput{}),
			func(o *awsec2.DescribeLaunchTemplatesOutput) []types.LaunchTemplate { return o.LaunchTemplates })
		r.LaunchTemplates = convList(s, v, err, convLaunchTemplate, func(x ec2m.LaunchTemplate) string { return x.ID }, unknown, "DescribeLaunchTemplates")
		if err != nil {
			return err
		}
		launchTemplateDefaults(ctx, env, c, r.Name, r.LaunchTemplates.V)
		return nil
	})
	_ = g.Wait()

	if err := ctx.Err(); err != nil {
		return fmt.Errorf("collect ec2 %s: %w", r.Name, err)
	}
	if len(errs) == tasks {
		return fmt.Errorf("collect ec2 %s: every read failed: %w", r.Name, errors.Join(errs...))
	}
	return nil
}

// convList converts a listed page set, or records why it could not be read.
// The result is sorted by ID so snapshots are deterministic.
func convList[S any, M any](s scope, in []S, err error, conv func(scope, S) M, id func(M) string,
	unknown func(op string, err error) string, op string) core.Val[[]M] {
	if err != nil {
		return core.Unknown[[]M](unknown(op, err))
	}
	out := make([]M, 0, len(in))
	for _, v := range in {
		out = append(out, conv(s, v))
	}
	sort.SliceStable(out, func(i, j int) bool { return id(out[i]) < id(out[j]) })
	return core.Known(out)
}

// ownSnapshots keeps the snapshots the account owns. OwnerIds=self already
// asks for exactly these; the filter is a second guard because an answer
// that ignores the filter (moto does) would otherwise drown the account's
// snapshots in every public one and cost one attribute call each.
func ownSnapshots(in []types.Snapshot, account string) []types.Snapshot {
	out := in[:0:0]
	for _, s := range in {
		if o := sdk.ToString(s.OwnerId); o == "" || account == "" || o == account {
			out = append(out, s)
		}
	}
	return out
}

// convReservations flattens reservations into instances; the reservation
// carries the owner account.
func convReservations(s scope, rs []types.Reservation) []ec2m.Instance {
	out := []ec2m.Instance{}
	for _, res := range rs {
		for _, in := range res.Instances {
			out = append(out, convInstance(s, res.OwnerId, in))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// snapshotPermissions reads createVolumePermission of every snapshot, with
// bounded concurrency. A snapshot whose attribute cannot be read keeps an
// unknown permission list: "could not look" must never read as "private".
func snapshotPermissions(ctx context.Context, env *aws.Env, c API, region string, snaps []ec2m.Snapshot) {
	var g errgroup.Group
	g.SetLimit(attrConcurrency)
	for i := range snaps {
		if ctx.Err() != nil {
			snaps[i].CreateVolumePermissions = core.Unknown[[]ec2m.VolumePermission](core.ReasonCanceled)
			continue
		}
		g.Go(func() error {
			sn := &snaps[i]
			out, err := c.DescribeSnapshotAttribute(ctx, &awsec2.DescribeSnapshotAttributeInput{
				SnapshotId: sdk.String(sn.ID),
				Attribute:  types.SnapshotAttributeNameCreateVolumePermission,
			})
			if err != nil {
				sn.CreateVolumePermissions = core.Unknown[[]ec2m.VolumePermission](
					env.Unknown(service, region, "DescribeSnapshotAttribute", sn.ARN, err))
				return nil
			}
			if out == nil {
				sn.CreateVolumePermissions = core.Unknown[[]ec2m.VolumePermission]("not reported (ec2:DescribeSnapshotAttribute)")
				return nil
			}
			sn.CreateVolumePermissions = core.Known(convVolumePermissions(out.CreateVolumePermissions))
			return nil
		})
	}
	_ = g.Wait()
}
