package ec2

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	ec2m "github.com/demarc-sec/demarc/internal/model/ec2"
)

// fakeEC2 serves hand-built pages. Token "" is the first page, "p2" the
// second, and so on; fail maps operation names to errors.
type fakeEC2 struct {
	vpcPages  [][]types.Vpc
	resPages  [][]types.Reservation
	snapPages [][]types.Snapshot
	perms     map[string][]types.CreateVolumePermission
	ltPages   [][]types.LaunchTemplate
	// ltVersions answers DescribeLaunchTemplateVersions per template ID.
	ltVersions map[string][]types.LaunchTemplateVersion
	addresses  []types.Address
	vpns       []types.VpnConnection
	tgws       []types.TransitGateway
	cvpns      []types.ClientVpnEndpoint
	endpoints  []types.VpcEndpoint
	fail       map[string]error
	failPage   map[string]int // operation → page index that fails
	calls      atomic.Int64
}

func page[T any](f *fakeEC2, op string, pages [][]T, token *string) ([]T, *string, error) {
	f.calls.Add(1)
	if err := f.fail[op]; err != nil {
		return nil, nil, err
	}
	i := 0
	if t := sdk.ToString(token); t != "" {
		if _, err := fmt.Sscanf(t, "p%d", &i); err != nil {
			return nil, nil, fmt.Errorf("bad token %q", t)
		}
		i--
	}
	if n, ok := f.failPage[op]; ok && n == i {
		return nil, nil, &smithy.GenericAPIError{Code: "InternalError", Message: "page failed"}
	}
	if i >= len(pages) {
		return nil, nil, nil
	}
	var next *string
	if i+1 < len(pages) {
		next = sdk.String(fmt.Sprintf("p%d", i+2))
	}
	return pages[i], next, nil
}

func (f *fakeEC2) DescribeVpcs(_ context.Context, in *awsec2.DescribeVpcsInput, _ ...func(*awsec2.Options)) (*awsec2.DescribeVpcsOutput, error) {
	v, next, err := page(f, "DescribeVpcs", f.vpcPages, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &awsec2.DescribeVpcsOutput{Vpcs: v, NextToken: next}, nil
}

func (f *fakeEC2) DescribeInstances(_ context.Context, in *awsec2.DescribeInstancesInput, _ ...func(*awsec2.Options)) (*awsec2.DescribeInstancesOutput, error) {
	v, next, err := page(f, "DescribeInstances", f.resPages, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &awsec2.DescribeInstancesOutput{Reservations: v, NextToken: next}, nil
}

func (f *fakeEC2) DescribeSnapshots(_ context.Context, in *awsec2.DescribeSnapshotsInput, _ ...func(*awsec2.Options)) (*awsec2.DescribeSnapshotsOutput, error) {
	if len(in.OwnerIds) != 1 || in.OwnerIds[0] != "self" {
		return nil, errors.New("DescribeSnapshots must ask for OwnerIds=self")
	}
	v, next, err := page(f, "DescribeSnapshots", f.snapPages, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &awsec2.DescribeSnapshotsOutput{Snapshots: v, NextToken: next}, nil
}

func (f *fakeEC2) DescribeSnapshotAttribute(_ context.Context, in *awsec2.DescribeSnapshotAttributeInput, _ ...func(*awsec2.Options)) (*awsec2.DescribeSnapshotAttributeOutput, error) {
	f.calls.Add(1)
	if in.Attribute != types.SnapshotAttributeNameCreateVolumePermission {
		return nil, fmt.Errorf("unexpected attribute %q", in.Attribute)
	}
	if err := f.fail["DescribeSnapshotAttribute:"+sdk.ToString(in.SnapshotId)]; err != nil {
		return nil, err
	}
	return &awsec2.DescribeSnapshotAttributeOutput{CreateVolumePermissions: f.perms[sdk.ToString(in.SnapshotId)]}, nil
}

func (f *fakeEC2) GetEbsEncryptionByDefault(context.Context, *awsec2.GetEbsEncryptionByDefaultInput, ...func(*awsec2.Options)) (*awsec2.GetEbsEncryptionByDefaultOutput, error) {
	f.calls.Add(1)
	if err := f.fail["GetEbsEncryptionByDefault"]; err != nil {
		return nil, err
	}
	return &awsec2.GetEbsEncryptionByDefaultOutput{EbsEncryptionByDefault: sdk.Bool(true)}, nil
}

// The remaining lists answer one empty page unless told to fail.

func empty[O any](f *fakeEC2, op string, out *O) (*O, error) {
	f.calls.Add(1)
	if err := f.fail[op]; err != nil {
		return nil, err
	}
	return out, nil
}

func (f *fakeEC2) DescribeSubnets(context.Context, *awsec2.DescribeSubnetsInput, ...func(*awsec2.Options)) (*awsec2.DescribeSubnetsOutput, error) {
	return empty(f, "DescribeSubnets", &awsec2.DescribeSubnetsOutput{})
}
func (f *fakeEC2) DescribeRouteTables(context.Context, *awsec2.DescribeRouteTablesInput, ...func(*awsec2.Options)) (*awsec2.DescribeRouteTablesOutput, error) {
	return empty(f, "DescribeRouteTables", &awsec2.DescribeRouteTablesOutput{})
}
func (f *fakeEC2) DescribeInternetGateways(context.Context, *awsec2.DescribeInternetGatewaysInput, ...func(*awsec2.Options)) (*awsec2.DescribeInternetGatewaysOutput, error) {
	return empty(f, "DescribeInternetGateways", &awsec2.DescribeInternetGatewaysOutput{})
}
func (f *fakeEC2) DescribeEgressOnlyInternetGateways(context.Context, *awsec2.DescribeEgressOnlyInternetGatewaysInput, ...func(*awsec2.Options)) (*awsec2.DescribeEgressOnlyInternetGatewaysOutput, error) {
	return empty(f, "DescribeEgressOnlyInternetGateways", &awsec2.DescribeEgressOnlyInternetGatewaysOutput{})
}
func (f *fakeEC2) DescribeNatGateways(context.Context, *awsec2.DescribeNatGatewaysInput, ...func(*awsec2.Options)) (*awsec2.DescribeNatGatewaysOutput, error) {
	return empty(f, "DescribeNatGateways", &awsec2.DescribeNatGatewaysOutput{})
}
func (f *fakeEC2) DescribeSecurityGroups(context.Context, *awsec2.DescribeSecurityGroupsInput, ...func(*awsec2.Options)) (*awsec2.DescribeSecurityGroupsOutput, error) {
	return empty(f, "DescribeSecurityGroups", &awsec2.DescribeSecurityGroupsOutput{})
}
func (f *fakeEC2) DescribeNetworkAcls(context.Context, *awsec2.DescribeNetworkAclsInput, ...func(*awsec2.Options)) (*awsec2.DescribeNetworkAclsOutput, error) {
	return empty(f, "DescribeNetworkAcls", &awsec2.DescribeNetworkAclsOutput{})
}
func (f *fakeEC2) DescribeNetworkInterfaces(context.Context, *awsec2.DescribeNetworkInterfacesInput, ...func(*awsec2.Options)) (*awsec2.DescribeNetworkInterfacesOutput, error) {
	return empty(f, "DescribeNetworkInterfaces", &awsec2.DescribeNetworkInterfacesOutput{})
}
func (f *fakeEC2) DescribeVolumes(context.Context, *awsec2.DescribeVolumesInput, ...func(*awsec2.Options)) (*awsec2.DescribeVolumesOutput, error) {
	return empty(f, "DescribeVolumes", &awsec2.DescribeVolumesOutput{})
}
func (f *fakeEC2) DescribeFlowLogs(context.Context, *awsec2.DescribeFlowLogsInput, ...func(*awsec2.Options)) (*awsec2.DescribeFlowLogsOutput, error) {
	return empty(f, "DescribeFlowLogs", &awsec2.DescribeFlowLogsOutput{})
}
func (f *fakeEC2) DescribeVpcPeeringConnections(context.Context, *awsec2.DescribeVpcPeeringConnectionsInput, ...func(*awsec2.Options)) (*awsec2.DescribeVpcPeeringConnectionsOutput, error) {
	return empty(f, "DescribeVpcPeeringConnections", &awsec2.DescribeVpcPeeringConnectionsOutput{})
}

func (f *fakeEC2) DescribeAddresses(context.Context, *awsec2.DescribeAddressesInput, ...func(*awsec2.Options)) (*awsec2.DescribeAddressesOutput, error) {
	return empty(f, "DescribeAddresses", &awsec2.DescribeAddressesOutput{Addresses: f.addresses})
}
func (f *fakeEC2) DescribeVpnConnections(context.Context, *awsec2.DescribeVpnConnectionsInput, ...func(*awsec2.Options)) (*awsec2.DescribeVpnConnectionsOutput, error) {
	return empty(f, "DescribeVpnConnections", &awsec2.DescribeVpnConnectionsOutput{VpnConnections: f.vpns})
}
func (f *fakeEC2) DescribeVpcEndpoints(context.Context, *awsec2.DescribeVpcEndpointsInput, ...func(*awsec2.Options)) (*awsec2.DescribeVpcEndpointsOutput, error) {
	return empty(f, "DescribeVpcEndpoints", &awsec2.DescribeVpcEndpointsOutput{VpcEndpoints: f.endpoints})
}
func (f *fakeEC2) DescribeTransitGateways(context.Context, *awsec2.DescribeTransitGatewaysInput, ...func(*awsec2.Options)) (*awsec2.DescribeTransitGatewaysOutput, error) {
	return empty(f, "DescribeTransitGateways", &awsec2.DescribeTransitGatewaysOutput{TransitGateways: f.tgws})
}
func (f *fakeEC2) DescribeClientVpnEndpoints(context.Context, *awsec2.DescribeClientVpnEndpointsInput, ...func(*awsec2.Options)) (*awsec2.DescribeClientVpnEndpointsOutput, error) {
	return empty(f, "DescribeClientVpnEndpoints", &awsec2.DescribeClientVpnEndpointsOutput{ClientVpnEndpoints: f.cvpns})
}
func (f *fakeEC2) DescribeLaunchTemplates(_ context.Context, in *awsec2.DescribeLaunchTemplatesInput, _ ...func(*awsec2.Options)) (*awsec2.DescribeLaunchTemplatesOutput, error) {
	v, next, err := page(f, "DescribeLaunchTemplates", f.ltPages, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &awsec2.DescribeLaunchTemplatesOutput{LaunchTemplates: v, NextToken: next}, nil
}
func (f *fakeEC2) DescribeLaunchTemplateVersions(_ context.Context, in *awsec2.DescribeLaunchTemplateVersionsInput, _ ...func(*awsec2.Options)) (*awsec2.DescribeLaunchTemplateVersionsOutput, error) {
	f.calls.Add(1)
	if len(in.Versions) != 1 || in.Versions[0] != "$Default" {
		return nil, fmt.Errorf("DescribeLaunchTemplateVersions must ask for $Default, got %v", in.Versions)
	}
	id := sdk.ToString(in.LaunchTemplateId)
	if err := f.fail["DescribeLaunchTemplateVersions:"+id]; err != nil {
		return nil, err
	}
	return &awsec2.DescribeLaunchTemplateVersionsOutput{LaunchTemplateVersions: f.ltVersions[id]}, nil
}

var denied = &smithy.GenericAPIError{Code: "UnauthorizedOperation", Message: "You are not authorized to perform this operation."}

func vpcs(ids ...string) []types.Vpc {
	var out []types.Vpc
	for _, id := range ids {
		out = append(out, types.Vpc{VpcId: sdk.String(id)})
	}
	return out
}

func TestCollectRegionPagination(t *testing.T) {
	f := &fakeEC2{
		vpcPages: [][]types.Vpc{vpcs("vpc-c", "vpc-a"), vpcs("vpc-b"), vpcs("vpc-d")},
		resPages: [][]types.Reservation{
			{{OwnerId: sdk.String("111122223333"), Instances: []types.Instance{{InstanceId: sdk.String("i-2")}}}},
			{{Instances: []types.Instance{{InstanceId: sdk.String("i-1")}, {InstanceId: sdk.String("i-3")}}}},
		},
		snapPages: [][]types.Snapshot{
			{{SnapshotId: sdk.String("snap-1"), OwnerId: sdk.String("111122223333")}},
			{{SnapshotId: sdk.String("snap-public"), OwnerId: sdk.String("137112412989")}, {SnapshotId: sdk.String("snap-2"), OwnerId: sdk.String("111122223333")}},
		},
		perms: map[string][]types.CreateVolumePermission{"snap-2": {{Group: types.PermissionGroupAll}}},
	}
	env := &aws.Env{AccountID: "111122223333"}
	r := &ec2m.Region{Name: "eu-west-1"}
	if err := CollectRegion(context.Background(), env, f, "arn:aws", r); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, v := range r.VPCs.V {
		ids = append(ids, v.ID)
	}
	if !r.VPCs.Ok || strings.Join(ids, ",") != "vpc-a,vpc-b,vpc-c,vpc-d" {
		t.Errorf("vpcs over 3 pages = %v (%v)", ids, r.VPCs.Why())
	}
	ids = nil
	for _, v := range r.Instances.V {
		ids = append(ids, v.ID)
	}
	if strings.Join(ids, ",") != "i-1,i-2,i-3" {
		t.Errorf("instances over 2 pages = %v", ids)
	}
	snaps := r.Snapshots.V
	if len(snaps) != 2 || snaps[0].ID != "snap-1" || snaps[1].ID != "snap-2" {
		t.Fatalf("snapshots = %+v", snaps)
	}
	if p, ok := snaps[0].CreateVolumePermissions.Get(); !ok || len(p) != 0 {
		t.Errorf("snap-1 permissions = %+v", snaps[0].CreateVolumePermissions)
	}
	if p, ok := snaps[1].CreateVolumePermissions.Get(); !ok || len(p) != 1 || p[0].Group != "all" {
		t.Errorf("snap-2 permissions = %+v", snaps[1].CreateVolumePermissions)
	}
	// Every field is known; empty lists are known and empty, not unknown.
	for name, v := range map[string]bool{"subnets": r.Subnets.Ok, "rtb": r.RouteTables.Ok, "igw": r.InternetGateways.Ok,
		"eigw": r.EgressOnlyGateways.Ok, "nat": r.NATGateways.Ok, "sg": r.SecurityGroups.Ok, "nacl": r.NetworkACLs.Ok,
		"eni": r.NetworkInterfaces.Ok, "vol": r.Volumes.Ok, "fl": r.FlowLogs.Ok, "pcx": r.PeeringConnections.Ok,
		"ebs": r.EBSEncryptionByDefault.Ok, "eip": r.Addresses.Ok, "vpce": r.VPCEndpoints.Ok, "vpn": r.VPNConnections.Ok,
		"tgw": r.TransitGateways.Ok, "cvpn": r.ClientVPNEndpoints.Ok, "lt": r.LaunchTemplates.Ok} {
		if !v {
			t.Errorf("%s unknown", name)
		}
	}
	if len(env.Errors()) != 0 {
		t.Errorf("errors = %+v", env.Errors())
	}
}

// A failure on a later page fails the whole list: a half-read list must
// never look complete.
func TestCollectRegionPageFailure(t *testing.T) {
	f := &fakeEC2{vpcPages: [][]types.Vpc{vpcs("vpc-a"), vpcs("vpc-b")}, failPage: map[string]int{"DescribeVpcs": 1}}
	env := &aws.Env{AccountID: "111122223333"}
	r := &ec2m.Region{Name: "eu-west-1"}
	if err := CollectRegion(context.Background(), env, f, "arn:aws", r); err != nil {
		t.Fatal(err)
	}
	if r.VPCs.Ok || r.VPCs.Why() != core.ReasonServiceError+" (ec2:DescribeVpcs)" {
		t.Errorf("vpcs = %+v, want unknown", r.VPCs)
	}
	if !r.Subnets.Ok {
		t.Error("subnets should still be known")
	}
}

func TestCollectRegionPerListFailures(t *testing.T) {
	f := &fakeEC2{
		snapPages: [][]types.Snapshot{{{SnapshotId: sdk.String("snap-1"), OwnerId: sdk.String("111122223333")},
			{SnapshotId: sdk.String("snap-2"), OwnerId: sdk.String("111122223333")}}},
		fail: map[string]error{
			"DescribeSecurityGroups":             denied,
			"DescribeSnapshotAttribute:snap-2":   denied,
			"GetEbsEncryptionByDefault":          &smithy.GenericAPIError{Code: "Throttling", Message: "slow down"},
			"DescribeEgressOnlyInternetGateways": &smithy.GenericAPIError{Code: "InvalidAction", Message: "not here"},
		},
	}
	env := &aws.Env{AccountID: "111122223333"}
	r := &ec2m.Region{Name: "eu-west-1"}
	if err := CollectRegion(context.Background(), env, f, "arn:aws", r); err != nil {
		t.Fatal(err)
	}
	if r.SecurityGroups.Ok || r.SecurityGroups.Why() != "access denied (ec2:DescribeSecurityGroups)" {
		t.Errorf("sg = %+v", r.SecurityGroups)
	}
	if r.EBSEncryptionByDefault.Ok || r.EBSEncryptionByDefault.Why() != "throttled (ec2:GetEbsEncryptionByDefault)" {
		t.Errorf("ebs = %+v", r.EBSEncryptionByDefault)
	}
	if r.EgressOnlyGateways.Ok || r.EgressOnlyGateways.Why() != "not supported (ec2:DescribeEgressOnlyInternetGateways)" {
		t.Errorf("eigw = %+v", r.EgressOnlyGateways)
	}
	if !r.Snapshots.Ok || !r.Snapshots.V[0].CreateVolumePermissions.Ok || r.Snapshots.V[1].CreateVolumePermissions.Ok {
		t.Errorf("snapshots = %+v", r.Snapshots)
	}
	if !r.VPCs.Ok || !r.Instances.Ok {
		t.Error("other lists should be known")
	}
	errs := env.Errors()
	if len(errs) != 4 {
		t.Fatalf("errors = %+v", errs)
	}
	for _, e := range errs {
		if e.Operation == "DescribeSnapshotAttribute" && e.Resource != "arn:aws:ec2:eu-west-1::snapshot/snap-2" {
			t.Errorf("attribute error resource = %q", e.Resource)
		}
	}
}

func TestCollectRegionAllFail(t *testing.T) {
	optOut := &smithy.GenericAPIError{Code: "OptInRequired", Message: "region not enabled"}
	fail := map[string]error{}
	for _, op := range []string{"DescribeVpcs", "DescribeSubnets", "DescribeRouteTables", "DescribeInternetGateways",
		"DescribeEgressOnlyInternetGateways", "DescribeNatGateways", "DescribeSecurityGroups", "DescribeNetworkAcls",
		"DescribeNetworkInterfaces", "DescribeInstances", "DescribeVolumes", "DescribeSnapshots", "DescribeFlowLogs",
		"DescribeVpcPeeringConnections", "GetEbsEncryptionByDefault", "DescribeAddresses", "DescribeVpcEndpoints",
		"DescribeVpnConnections", "DescribeTransitGateways", "DescribeClientVpnEndpoints", "DescribeLaunchTemplates"} {
		fail[op] = optOut
	}
	env := &aws.Env{AccountID: "111122223333"}
	r := &ec2m.Region{Name: "ap-east-1"}
	err := CollectRegion(context.Background(), env, &fakeEC2{fail: fail}, "arn:aws", r)
	if err == nil || !strings.Contains(err.Error(), "every read failed") {
		t.Fatalf("err = %v", err)
	}
	if r.VPCs.Ok || r.Instances.Ok || r.EBSEncryptionByDefault.Ok || r.Snapshots.Ok || r.LaunchTemplates.Ok || r.Addresses.Ok ||
		r.VPCs.Why() != core.ReasonRegionOptOut+" (ec2:DescribeVpcs)" {
		t.Errorf("region = %+v", r)
	}
}

func TestCollectRegionCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	env := &aws.Env{AccountID: "111122223333"}
	r := &ec2m.Region{Name: "eu-west-1"}
	f := &fakeEC2{fail: map[string]error{}}
	// The fake ignores ctx, so cancellation must be noticed by the collector.
	if err := CollectRegion(ctx, env, f, "arn:aws", r); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// endlessPager keeps returning a fresh token: all must give up.
type endlessPager struct{ n int }

func (p *endlessPager) HasMorePages() bool { return true }
func (p *endlessPager) NextPage(context.Context, ...func(*awsec2.Options)) (*awsec2.DescribeVpcsOutput, error) {
	p.n++
	return &awsec2.DescribeVpcsOutput{}, nil
}

func TestAllStopsEndlessPaging(t *testing.T) {
	p := &endlessPager{}
	_, err := all(context.Background(), p, func(o *awsec2.DescribeVpcsOutput) []types.Vpc { return o.Vpcs })
	if err == nil || p.n != maxPages {
		t.Fatalf("err = %v after %d pages", err, p.n)
	}
}

func TestCollectorRegionNotAllocated(t *testing.T) {
	c := New()
	if c.Name() != "ec2" || !c.Regional() {
		t.Errorf("collector identity = %s regional=%v", c.Name(), c.Regional())
	}
	snap := model.New("111122223333", "aws", []string{"eu-west-1"})
	err := c.Collect(context.Background(), &aws.Env{AccountID: "111122223333"}, "eu-west-1", snap)
	if err == nil || !strings.Contains(err.Error(), "not allocated") {
		t.Fatalf("err = %v", err)
	}
}
