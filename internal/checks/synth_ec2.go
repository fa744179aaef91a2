package checks

import (
	"fmt"
	"time"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/ec2"
)

// addSyntheticEC2FSBP completes the synthetic EC2 regions with what the FSBP
// hygiene and connectivity rules read: virtualization type and stop time of
// every instance, and a few Elastic IPs, VPC endpoints, VPN connections,
// transit gateways, Client VPN endpoints and launch templates per region,
// each with a mix of outcomes. It runs after the EC2 regions are built.
func addSyntheticEC2FSBP(s *model.Snapshot, acct string) {
	for ri := range s.EC2 {
		r := &s.EC2[ri]
		region := r.Name
		meta := func(kind, id string) core.Meta {
			return core.Meta{ARN: "arn:aws:ec2:" + region + ":" + acct + ":" + kind + "/" + id, Account: acct, Region: region}
		}
		for i := range r.Instances.V {
			in := &r.Instances.V[i]
			in.VirtualizationType = "hvm"
			if i%23 == 5 {
				in.VirtualizationType = "paravirtual"
			}
			in.StateTransitionTime = core.Known[*time.Time](nil)
			if in.State == "stopped" {
				at := s.CollectedAt.Add(-time.Duration(i%90) * day)
				in.StateTransitionTime = core.Known(&at)
				in.StateTransitionReason = "User initiated (" + at.Format("2006-01-02 15:04:05") + " GMT)"
			}
		}

		var vpcIDs []string
		for _, v := range r.VPCs.V {
			vpcIDs = append(vpcIDs, v.ID)
		}
		var enis []string
		for _, n := range r.NetworkInterfaces.V {
			enis = append(enis, n.ID)
		}

		addrs := make([]ec2.Address, 0, 4)
		for i := 0; i < 4; i++ {
			id := fmt.Sprintf("eipalloc-%d%06d", ri, i)
			a := ec2.Address{Meta: meta("elastic-ip", id), AllocationID: id, PublicIP: fmt.Sprintf("192.0.2.%d", ri*10+i), Domain: "vpc"}
			if i != 3 && len(enis) > 0 {
				a.AssociationID, a.NetworkInterfaceID = fmt.Sprintf("eipassoc-%d%06d", ri, i), enis[i%len(enis)]
			}
			addrs = append(addrs, a)
		}
		r.Addresses = core.Known(addrs)

		var eps []ec2.VPCEndpoint
		for i, v := range vpcIDs {
			if i%2 == 1 {
				continue // every other VPC lacks the EC2 endpoint
			}
			id := fmt.Sprintf("vpce-%d%06d", ri, i)
			eps = append(eps, ec2.VPCEndpoint{Meta: meta("vpc-endpoint", id), ID: id, VPCID: v,
				ServiceName: "com.amazonaws." + region + ".ec2", Type: "Interface", State: "available", OwnerID: acct})
		}
		r.VPCEndpoints = core.Known(eps)

		vpns := make([]ec2.VPNConnection, 0, 2)
		for i := 0; i < 2; i++ {
			id := fmt.Sprintf("vpn-%d%06d", ri, i)
			second := "UP"
			if i == 1 {
				second = "DOWN"
			}
			vpns = append(vpns, ec2.VPNConnection{Meta: meta("vpn-connection", id), ID: id, State: "available", Type: "ipsec.1",
				Tunnels: []ec2.VPNTunnel{{OutsideIP: "198.51.100.1", Status: "UP"}, {OutsideIP: "198.51.100.2", Status: second}}})
		}
		r.VPNConnections = core.Known(vpns)

		tgw := fmt.Sprintf("tgw-%d%06d", ri, 0)
		r.TransitGateways = core.Known([]ec2.TransitGateway{{Meta: meta("transit-gateway", tgw), ID: tgw, OwnerID: acct, State: "available",
			AutoAcceptSharedAttachments: []string{"disable", "enable"}[ri%2]}})

		cvpn := fmt.Sprintf("cvpn-endpoint-%d%06d", ri, 0)
		r.ClientVPNEndpoints = core.Known([]ec2.ClientVPNEndpoint{{Meta: meta("client-vpn-endpoint", cvpn), ID: cvpn, Status: "available",
			ConnectionLogEnabled: core.Known(ri%2 == 0)}})

		lts := make([]ec2.LaunchTemplate, 0, 3)
		for i := 0; i < 3; i++ {
			id := fmt.Sprintf("lt-%d%06d", ri, i)
			public := i == 2
			lts = append(lts, ec2.LaunchTemplate{Meta: meta("launch-template", id), ID: id, Name: fmt.Sprintf("app-%d", i), DefaultVersion: 1, LatestVersion: 1,
				Default: core.Known(ec2.LaunchTemplateVersion{Number: 1, NetworkInterfaces: []ec2.LaunchTemplateENI{{DeviceIndex: 0, AssociatePublicIP: &public}}})})
		}
		r.LaunchTemplates = core.Known(lts)
	}
}
