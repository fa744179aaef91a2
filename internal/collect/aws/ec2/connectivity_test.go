package ec2

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/model/core"
	ec2m "github.com/demarc-sec/demarc/internal/model/ec2"
)

func TestParseTransitionTime(t *testing.T) {
	want := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		in   string
		want *time.Time
	}{
		{"User initiated (2024-05-01 10:00:00 GMT)", &want},
		{"User initiated (2024-05-01 10:00:00 UTC)", &want}, // moto's spelling
		{"Service initiated (2024-05-01 10:00:00 GMT)", &want},
		{"", nil},
		{"User initiated", nil},
		{"User initiated (2024-13-01 10:00:00 GMT)", nil}, // not a date
		{"User initiated (2024-05-01 10:00:00 CET)", nil}, // not a zone EC2 writes
	} {
		got := parseTransitionTime(c.in)
		if (got == nil) != (c.want == nil) || got != nil && !got.Equal(*c.want) {
			t.Errorf("%q: got %v, want %v", c.in, got, c.want)
		}
	}
}

// TestConvertConnectivityZeroValues: nil pointers everywhere must not panic
// and must not invent a safe-looking value.
func TestConvertConnectivityZeroValues(t *testing.T) {
	s := testScope
	a := convAddress(s, types.Address{})
	if a.AssociationID != "" || a.ARN != "arn:aws:ec2:eu-west-1:111122223333:elastic-ip/" {
		t.Errorf("address = %+v", a)
	}
	_ = convVPCEndpoint(s, types.VpcEndpoint{})
	v := convVPN(s, types.VpnConnection{VgwTelemetry: []types.VgwTelemetry{{}}})
	if len(v.Tunnels) != 1 || v.Tunnels[0].Status != "" {
		t.Errorf("vpn = %+v", v)
	}
	tgw := convTransitGateway(s, types.TransitGateway{})
	if tgw.AutoAcceptSharedAttachments != "" || tgw.OwnerID != s.account {
		t.Errorf("tgw without options = %+v", tgw)
	}
	cv := convClientVPN(s, types.ClientVpnEndpoint{})
	if cv.ConnectionLogEnabled.Ok {
		t.Errorf("client VPN without log options must be unknown: %+v", cv)
	}
	cv = convClientVPN(s, types.ClientVpnEndpoint{ConnectionLogOptions: &types.ConnectionLogResponseOptions{}})
	if cv.ConnectionLogEnabled.Ok {
		t.Errorf("client VPN without Enabled must be unknown: %+v", cv)
	}
	_ = convLaunchTemplate(s, types.LaunchTemplate{})
	_ = convLaunchTemplateVersion(types.LaunchTemplateVersion{})
	ltv := convLaunchTemplateVersion(types.LaunchTemplateVersion{LaunchTemplateData: &types.ResponseLaunchTemplateData{
		NetworkInterfaces: []types.LaunchTemplateInstanceNetworkInterfaceSpecification{{}},
		MetadataOptions:   &types.LaunchTemplateInstanceMetadataOptions{}}})
	if len(ltv.NetworkInterfaces) != 1 || ltv.NetworkInterfaces[0].AssociatePublicIP != nil {
		t.Errorf("template version = %+v", ltv)
	}
	if pickDefault(nil, 3).Ok {
		t.Error("an empty answer must leave the default version unknown")
	}
}

func TestConvertConnectivity(t *testing.T) {
	s := testScope
	a := convAddress(s, types.Address{AllocationId: sdk.String("eipalloc-1"), PublicIp: sdk.String("198.51.100.1"), Domain: types.DomainTypeVpc,
		AssociationId: sdk.String("eipassoc-1"), NetworkInterfaceId: sdk.String("eni-1"), InstanceId: sdk.String("i-1")})
	if a.ARN != "arn:aws:ec2:eu-west-1:111122223333:elastic-ip/eipalloc-1" || a.Domain != "vpc" || a.AssociationID != "eipassoc-1" ||
		a.NetworkInterfaceID != "eni-1" || a.InstanceID != "i-1" {
		t.Errorf("address = %+v", a)
	}
	e := convVPCEndpoint(s, types.VpcEndpoint{VpcEndpointId: sdk.String("vpce-1"), VpcId: sdk.String("vpc-1"),
		ServiceName: sdk.String("com.amazonaws.eu-west-1.ec2"), VpcEndpointType: types.VpcEndpointTypeInterface,
		State: types.StateAvailable, OwnerId: sdk.String("111122223333")})
	if e.ARN != "arn:aws:ec2:eu-west-1:111122223333:vpc-endpoint/vpce-1" || e.Type != "Interface" || e.State != "available" {
		t.Errorf("endpoint = %+v", e)
	}
	changed := time.Date(2024, 1, 1, 0, 0, 0, 0, time.FixedZone("x", 3600))
	v := convVPN(s, types.VpnConnection{VpnConnectionId: sdk.String("vpn-1"), State: types.VpnStateAvailable, VpnGatewayId: sdk.String("vgw-1"),
		VgwTelemetry: []types.VgwTelemetry{
			{OutsideIpAddress: sdk.String("203.0.113.2"), Status: types.TelemetryStatusDown, StatusMessage: sdk.String("IPSEC IS DOWN")},
			{OutsideIpAddress: sdk.String("203.0.113.1"), Status: types.TelemetryStatusUp, LastStatusChange: &changed},
		}})
	if v.ARN != "arn:aws:ec2:eu-west-1:111122223333:vpn-connection/vpn-1" || len(v.Tunnels) != 2 ||
		v.Tunnels[0].OutsideIP != "203.0.113.1" || v.Tunnels[0].Status != "UP" || !v.Tunnels[0].LastStatusChange.Equal(changed) ||
		v.Tunnels[1].Status != "DOWN" || v.Tunnels[1].StatusMessage != "IPSEC IS DOWN" {
		t.Errorf("vpn = %+v", v)
	}
	tgw := convTransitGateway(s, types.TransitGateway{TransitGatewayId: sdk.String("tgw-1"), OwnerId: sdk.String("444455556666"),
		TransitGatewayArn: sdk.String("arn:aws:ec2:eu-west-1:444455556666:transit-gateway/tgw-1"), State: types.TransitGatewayStateAvailable,
		Options: &types.TransitGatewayOptions{AutoAcceptSharedAttachments: types.AutoAcceptSharedAttachmentsValueEnable}})
	if tgw.ARN != "arn:aws:ec2:eu-west-1:444455556666:transit-gateway/tgw-1" || tgw.Account != "444455556666" ||
		tgw.AutoAcceptSharedAttachments != "enable" || tgw.State != "available" {
		t.Errorf("tgw = %+v", tgw)
	}
	cv := convClientVPN(s, types.ClientVpnEndpoint{ClientVpnEndpointId: sdk.String("cvpn-endpoint-1"),
		Status:               &types.ClientVpnEndpointStatus{Code: types.ClientVpnEndpointStatusCodeAvailable},
		ConnectionLogOptions: &types.ConnectionLogResponseOptions{Enabled: sdk.Bool(true), CloudwatchLogGroup: sdk.String("vpn")}})
	if on, ok := cv.ConnectionLogEnabled.Get(); !ok || !on || cv.LogGroup != "vpn" || cv.Status != "available" ||
		cv.ARN != "arn:aws:ec2:eu-west-1:111122223333:client-vpn-endpoint/cvpn-endpoint-1" {
		t.Errorf("client vpn = %+v", cv)
	}
	ltv := convLaunchTemplateVersion(types.LaunchTemplateVersion{VersionNumber: sdk.Int64(2), LaunchTemplateData: &types.ResponseLaunchTemplateData{
		NetworkInterfaces: []types.LaunchTemplateInstanceNetworkInterfaceSpecification{
			{DeviceIndex: sdk.Int32(1), SubnetId: sdk.String("subnet-2")},
			{DeviceIndex: sdk.Int32(0), AssociatePublicIpAddress: sdk.Bool(true), Groups: []string{"sg-2", "sg-1"}},
		},
		MetadataOptions:  &types.LaunchTemplateInstanceMetadataOptions{HttpTokens: types.LaunchTemplateHttpTokensStateRequired},
		SecurityGroupIds: []string{"sg-9"},
	}})
	yes := true
	want := ec2m.LaunchTemplateVersion{Number: 2, NetworkInterfaces: []ec2m.LaunchTemplateENI{
		{DeviceIndex: 0, AssociatePublicIP: &yes, SecurityGroupIDs: []string{"sg-1", "sg-2"}},
		{DeviceIndex: 1, SubnetID: "subnet-2"},
	}, Metadata: &ec2m.LaunchTemplateIMDS{HTTPTokens: "required"}, SecurityGroupIDs: []string{"sg-9"}}
	if !reflect.DeepEqual(ltv, want) {
		t.Errorf("template version\n got %+v\nwant %+v", ltv, want)
	}
}

// TestCollectLaunchTemplates: templates over two pages, each with its
// $Default version read on its own; a denied version read leaves that
// template's Default unknown, the others known.
func TestCollectLaunchTemplates(t *testing.T) {
	lt := func(id string, def int64) types.LaunchTemplate {
		return types.LaunchTemplate{LaunchTemplateId: sdk.String(id), LaunchTemplateName: sdk.String(id), DefaultVersionNumber: sdk.Int64(def),
			LatestVersionNumber: sdk.Int64(def + 1)}
	}
	ver := func(n int64, def bool, public *bool) types.LaunchTemplateVersion {
		return types.LaunchTemplateVersion{VersionNumber: sdk.Int64(n), DefaultVersion: sdk.Bool(def),
			LaunchTemplateData: &types.ResponseLaunchTemplateData{NetworkInterfaces: []types.LaunchTemplateInstanceNetworkInterfaceSpecification{
				{DeviceIndex: sdk.Int32(0), AssociatePublicIpAddress: public}}}}
	}
	f := &fakeEC2{
		ltPages: [][]types.LaunchTemplate{{lt("lt-b", 2)}, {lt("lt-a", 1), lt("lt-c", 1)}},
		ltVersions: map[string][]types.LaunchTemplateVersion{
			"lt-a": {ver(1, true, sdk.Bool(true))},
			"lt-b": {ver(2, false, sdk.Bool(false))}, // DefaultVersion flag missing: matched by number
		},
		fail: map[string]error{"DescribeLaunchTemplateVersions:lt-c": denied},
	}
	env := &aws.Env{AccountID: "111122223333"}
	r := &ec2m.Region{Name: "eu-west-1"}
	if err := CollectRegion(context.Background(), env, f, "arn:aws", r); err != nil {
		t.Fatal(err)
	}
	lts, ok := r.LaunchTemplates.Get()
	if !ok || len(lts) != 3 || lts[0].ID != "lt-a" || lts[1].ID != "lt-b" || lts[2].ID != "lt-c" {
		t.Fatalf("templates = %+v", r.LaunchTemplates)
	}
	a, aok := lts[0].Default.Get()
	b, bok := lts[1].Default.Get()
	if !aok || a.Number != 1 || !*a.NetworkInterfaces[0].AssociatePublicIP || !bok || b.Number != 2 || *b.NetworkInterfaces[0].AssociatePublicIP {
		t.Errorf("defaults: a=%+v b=%+v", lts[0].Default, lts[1].Default)
	}
	if lts[2].Default.Ok || lts[2].Default.Why() != "access denied (ec2:DescribeLaunchTemplateVersions)" {
		t.Errorf("denied template default = %+v", lts[2].Default)
	}
	if lts[0].ARN != "arn:aws:ec2:eu-west-1:111122223333:launch-template/lt-a" || lts[1].LatestVersion != 3 {
		t.Errorf("template meta = %+v", lts[:2])
	}
	errs := env.Errors()
	if len(errs) != 1 || errs[0].Operation != "DescribeLaunchTemplateVersions" || errs[0].Resource != lts[2].ARN {
		t.Errorf("errors = %+v", errs)
	}
}

// TestCollectConnectivityLists: the unpaginated lists and the denied case.
func TestCollectConnectivityLists(t *testing.T) {
	f := &fakeEC2{
		addresses: []types.Address{{AllocationId: sdk.String("eipalloc-2")}, {AllocationId: sdk.String("eipalloc-1"), AssociationId: sdk.String("x")}},
		vpns:      []types.VpnConnection{{VpnConnectionId: sdk.String("vpn-1")}},
		tgws:      []types.TransitGateway{{TransitGatewayId: sdk.String("tgw-1")}},
		endpoints: []types.VpcEndpoint{{VpcEndpointId: sdk.String("vpce-1")}},
		fail:      map[string]error{"DescribeClientVpnEndpoints": denied},
	}
	env := &aws.Env{AccountID: "111122223333"}
	r := &ec2m.Region{Name: "eu-west-1"}
	if err := CollectRegion(context.Background(), env, f, "arn:aws", r); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range r.Addresses.V {
		ids = append(ids, a.AllocationID)
	}
	if !r.Addresses.Ok || !slices.Equal(ids, []string{"eipalloc-1", "eipalloc-2"}) {
		t.Errorf("addresses = %+v", r.Addresses)
	}
	if len(r.VPNConnections.V) != 1 || len(r.TransitGateways.V) != 1 || len(r.VPCEndpoints.V) != 1 {
		t.Errorf("lists = %+v / %+v / %+v", r.VPNConnections, r.TransitGateways, r.VPCEndpoints)
	}
	if r.ClientVPNEndpoints.Ok || r.ClientVPNEndpoints.Why() != core.ReasonAccessDenied+" (ec2:DescribeClientVpnEndpoints)" {
		t.Errorf("client vpn = %+v", r.ClientVPNEndpoints)
	}
}
