package ec2

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"golang.org/x/sync/errgroup"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/model/core"
	ec2m "github.com/demarc-sec/demarc/internal/model/ec2"
)

// Conversions of the connectivity resources (Elastic IPs, VPC endpoints,
// Site-to-Site and Client VPN, transit gateways) and launch templates. Like
// convert.go they are pure and nil-safe.

// transitionTime matches the time EC2 appends to StateTransitionReason, e.g.
// "User initiated (2024-05-01 10:00:00 GMT)"; some emulators write UTC.
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Instance.html
var transitionTime = regexp.MustCompile(`\((\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) (?:GMT|UTC)\)`)

// parseTransitionTime returns the time in a StateTransitionReason, or nil
// when it carries none (running instances usually have an empty reason).
func parseTransitionTime(reason string) *time.Time {
	m := transitionTime.FindStringSubmatch(reason)
	if m == nil {
		return nil
	}
	t, err := time.ParseInLocation("2006-01-02 15:04:05", m[1], time.UTC)
	if err != nil {
		return nil
	}
	return &t
}

func convAddress(s scope, v types.Address) ec2m.Address {
	id := sdk.ToString(v.AllocationId)
	res := id
	if res == "" {
		// Addresses without an allocation ID (EC2-Classic) are named by IP.
		res = sdk.ToString(v.PublicIp)
	}
	return ec2m.Address{
		Meta:                    s.meta(nil, "elastic-ip/"+res, v.Tags),
		AllocationID:            id,
		PublicIP:                sdk.ToString(v.PublicIp),
		Domain:                  string(v.Domain),
		AssociationID:           sdk.ToString(v.AssociationId),
		InstanceID:              sdk.ToString(v.InstanceId),
		NetworkInterfaceID:      sdk.ToString(v.NetworkInterfaceId),
		NetworkInterfaceOwnerID: sdk.ToString(v.NetworkInterfaceOwnerId),
		PrivateIP:               sdk.ToString(v.PrivateIpAddress),
	}
}

// addressKey sorts addresses by allocation ID, then IP.
func addressKey(a ec2m.Address) string { return a.AllocationID + "/" + a.PublicIP }

func convVPCEndpoint(s scope, v types.VpcEndpoint) ec2m.VPCEndpoint {
	id := sdk.ToString(v.VpcEndpointId)
	return ec2m.VPCEndpoint{
		Meta:        s.meta(v.OwnerId, "vpc-endpoint/"+id, v.Tags),
		ID:          id,
		VPCID:       sdk.ToString(v.VpcId),
		ServiceName: sdk.ToString(v.ServiceName),
		Type:        string(v.VpcEndpointType),
		// The SDK's enum spells states "Available", the API answers
		// "available": keep one spelling.
		State:   strings.ToLower(string(v.State)),
		OwnerID: sdk.ToString(v.OwnerId),
	}
}

func convVPN(s scope, v types.VpnConnection) ec2m.VPNConnection {
	id := sdk.ToString(v.VpnConnectionId)
	out := ec2m.VPNConnection{
		Meta:              s.meta(nil, "vpn-connection/"+id, v.Tags),
		ID:                id,
		State:             string(v.State),
		Type:              string(v.Type),
		CustomerGatewayID: sdk.ToString(v.CustomerGatewayId),
		VPNGatewayID:      sdk.ToString(v.VpnGatewayId),
		TransitGatewayID:  sdk.ToString(v.TransitGatewayId),
		Tunnels:           []ec2m.VPNTunnel{},
	}
	for _, t := range v.VgwTelemetry {
		tun := ec2m.VPNTunnel{
			OutsideIP:     sdk.ToString(t.OutsideIpAddress),
			Status:        string(t.Status),
			StatusMessage: sdk.ToString(t.StatusMessage),
		}
		if t.LastStatusChange != nil {
			c := t.LastStatusChange.UTC()
			tun.LastStatusChange = &c
		}
		out.Tunnels = append(out.Tunnels, tun)
	}
	sort.SliceStable(out.Tunnels, func(i, j int) bool { return out.Tunnels[i].OutsideIP < out.Tunnels[j].OutsideIP })
	return out
}

func convTransitGateway(s scope, v types.TransitGateway) ec2m.TransitGateway {
	id := sdk.ToString(v.TransitGatewayId)
	out := ec2m.TransitGateway{
		Meta:    s.meta(v.OwnerId, "transit-gateway/"+id, v.Tags),
		ID:      id,
		OwnerID: sdk.ToString(v.OwnerId),
		State:   string(v.State),
	}
	if a := sdk.ToString(v.TransitGatewayArn); a != "" {
		out.ARN = a
	}
	if out.OwnerID == "" {
		out.OwnerID = s.account
	}
	// A missing Options block stays "": a rule must not read it as "disable".
	if v.Options != nil {
		out.AutoAcceptSharedAttachments = string(v.Options.AutoAcceptSharedAttachments)
	}
	return out
}

func convClientVPN(s scope, v types.ClientVpnEndpoint) ec2m.ClientVPNEndpoint {
	id := sdk.ToString(v.ClientVpnEndpointId)
	out := ec2m.ClientVPNEndpoint{
		Meta: s.meta(nil, "client-vpn-endpoint/"+id, v.Tags),
		ID:   id,
	}
	if v.Status != nil {
		out.Status = string(v.Status.Code)
	}
	switch o := v.ConnectionLogOptions; {
	case o == nil || o.Enabled == nil:
		out.ConnectionLogEnabled = core.Unknown[bool]("connection log options not reported (ec2:DescribeClientVpnEndpoints)")
	default:
		out.ConnectionLogEnabled = core.Known(*o.Enabled)
		out.LogGroup = sdk.ToString(o.CloudwatchLogGroup)
		out.LogStream = sdk.ToString(o.CloudwatchLogStream)
	}
	return out
}

// convLaunchTemplate maps a template; its default version is read later.
func convLaunchTemplate(s scope, v types.LaunchTemplate) ec2m.LaunchTemplate {
	id := sdk.ToString(v.LaunchTemplateId)
	return ec2m.LaunchTemplate{
		Meta:           s.meta(nil, "launch-template/"+id, v.Tags),
		ID:             id,
		Name:           sdk.ToString(v.LaunchTemplateName),
		DefaultVersion: sdk.ToInt64(v.DefaultVersionNumber),
		LatestVersion:  sdk.ToInt64(v.LatestVersionNumber),
	}
}

func convLaunchTemplateVersion(v types.LaunchTemplateVersion) ec2m.LaunchTemplateVersion {
	out := ec2m.LaunchTemplateVersion{Number: sdk.ToInt64(v.VersionNumber)}
	d := v.LaunchTemplateData
	if d == nil {
		return out
	}
	for _, n := range d.NetworkInterfaces {
		eni := ec2m.LaunchTemplateENI{
			DeviceIndex:        sdk.ToInt32(n.DeviceIndex),
			NetworkInterfaceID: sdk.ToString(n.NetworkInterfaceId),
			SubnetID:           sdk.ToString(n.SubnetId),
			SecurityGroupIDs:   sortedUnique(append([]string(nil), n.Groups...)),
		}
		if n.AssociatePublicIpAddress != nil {
			b := *n.AssociatePublicIpAddress
			eni.AssociatePublicIP = &b
		}
		out.NetworkInterfaces = append(out.NetworkInterfaces, eni)
	}
	sort.SliceStable(out.NetworkInterfaces, func(i, j int) bool {
		return out.NetworkInterfaces[i].DeviceIndex < out.NetworkInterfaces[j].DeviceIndex
	})
	if m := d.MetadataOptions; m != nil {
		out.Metadata = &ec2m.LaunchTemplateIMDS{HTTPTokens: string(m.HttpTokens), HTTPEndpoint: string(m.HttpEndpoint)}
	}
	out.SecurityGroupIDs = sortedUnique(append([]string(nil), d.SecurityGroupIds...))
	return out
}

// launchTemplateDefaults reads the $Default version of every template with
// bounded concurrency. A template whose version cannot be read keeps an
// unknown Default: "could not look" must never read as "assigns no public IP".
func launchTemplateDefaults(ctx context.Context, env *aws.Env, c API, region string, lts []ec2m.LaunchTemplate) {
	var g errgroup.Group
	g.SetLimit(attrConcurrency)
	for i := range lts {
		if ctx.Err() != nil {
			lts[i].Default = core.Unknown[ec2m.LaunchTemplateVersion](core.ReasonCanceled)
			continue
		}
		g.Go(func() error {
			lt := &lts[i]
			vs, err := all(ctx, awsec2.NewDescribeLaunchTemplateVersionsPaginator(c, &awsec2.DescribeLaunchTemplateVersionsInput{
				LaunchTemplateId: sdk.String(lt.ID),
				Versions:         []string{"$Default"},
			}), func(o *awsec2.DescribeLaunchTemplateVersionsOutput) []types.LaunchTemplateVersion {
				return o.LaunchTemplateVersions
			})
			if err != nil {
				lt.Default = core.Unknown[ec2m.LaunchTemplateVersion](
					env.Unknown(service, region, "DescribeLaunchTemplateVersions", lt.ARN, err))
				return nil
			}
			lt.Default = pickDefault(vs, lt.DefaultVersion)
			return nil
		})
	}
	_ = g.Wait()
}

// pickDefault chooses the default version among the answers: the one marked
// default, else the one numbered as the template's default. An answer
// without it is unknown, not "no settings".
func pickDefault(vs []types.LaunchTemplateVersion, number int64) core.Val[ec2m.LaunchTemplateVersion] {
	for _, v := range vs {
		if sdk.ToBool(v.DefaultVersion) {
			return core.Known(convLaunchTemplateVersion(v))
		}
	}
	for _, v := range vs {
		if number != 0 && sdk.ToInt64(v.VersionNumber) == number {
			return core.Known(convLaunchTemplateVersion(v))
		}
	}
	return core.Unknown[ec2m.LaunchTemplateVersion]("default version not reported (ec2:DescribeLaunchTemplateVersions)")
}
